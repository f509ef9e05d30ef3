"""What learned selection keeps: profile sets, trained models and backtests (risk/learning).

Profile sets and models are versioned like rulesets and never edited: a rebuild or a training
adds a version. The newest profile set is the one in use (the schedule rebuilds it nightly); a
model is activated by a risk officer after reading its figures.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RiskProfileSet(models.Model):
    """Violation rates among inspected declarations per key, for one window of outcomes."""

    version = models.PositiveIntegerField(unique=True)
    window_from = models.DateField(null=True, blank=True)
    window_to = models.DateField()
    inspections = models.PositiveIntegerField()
    violations = models.PositiveIntegerField()
    base_rate = models.FloatField()
    tables = models.JSONField()  # learning.profiles.Profiles.as_json()
    seconds = models.FloatField(default=0)  # how long the rebuild took
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")  # None: schedule
    built_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "risk_profileset"
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"profiles v{self.version}"


class ModelStatus(models.TextChoices):
    TRAINED = "trained", _("Trained, not active")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class RiskModel(models.Model):
    """A gradient-boosted model trained on one window of outcomes, with its holdout figures."""

    version = models.PositiveIntegerField(unique=True)
    status = models.CharField(max_length=10, choices=ModelStatus.choices,
                              default=ModelStatus.TRAINED)
    window_from = models.DateField(null=True, blank=True)
    window_to = models.DateField()
    outcomes = models.PositiveIntegerField()  # inspected declarations trained on
    violations = models.PositiveIntegerField()
    features = models.JSONField(default=list)
    booster = models.TextField()  # LightGBM's model text
    featurizer = models.JSONField()  # learning.model.Featurizer.as_json()
    figures = models.JSONField(default=dict)  # holdout: hit rate at 10%, AUC, base rate...
    seconds = models.FloatField(default=0)
    trained_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    trained_at = models.DateTimeField(auto_now_add=True)
    activated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "risk_model"
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status="active"),
                                    name="one_active_risk_model"),
            models.CheckConstraint(condition=Q(status__in=ModelStatus.values),
                                   name="risk_model_status_valid"),
        ]

    def __str__(self) -> str:
        return f"model v{self.version}"


class BacktestState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Backtest(models.Model):
    """A replay of a period of the branch's history under a ruleset, run on a worker."""

    ruleset = models.ForeignKey("risk.RiskRuleset", on_delete=models.PROTECT, related_name="+")
    date_from = models.DateField()
    date_to = models.DateField()
    red_share = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("10"),
                                    validators=[MinValueValidator(Decimal("0.5")),
                                                MaxValueValidator(Decimal("50"))])
    state = models.CharField(max_length=10, choices=BacktestState.choices,
                             default=BacktestState.QUEUED)
    done = models.PositiveIntegerField(default=0)  # declarations replayed so far
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "risk_backtest"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(date_to__gte=models.F("date_from")),
                                   name="backtest_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"backtest {self.pk} {self.date_from}..{self.date_to}"

    @property
    def running(self) -> bool:
        """Queued or running: the page keeps polling."""
        return self.state in (BacktestState.QUEUED, BacktestState.RUNNING)

    @property
    def failed(self) -> bool:
        return self.state == BacktestState.FAILED

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0
