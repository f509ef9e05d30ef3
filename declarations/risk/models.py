"""Risk rules, rulesets, assessments, reference prices and channel-change requests.

The tables were created when risk was part of the declarations app; they keep their names
(the move to this app was a state-only migration: no data moved).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from customs_core.models import TariffLine

from ..choices import Channel
from .choices import ChannelRequestStatus, RuleEffect, RuleType

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class RiskRuleset(models.Model):
    """A numbered version of the rules and thresholds; exactly one is active at a time."""

    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=False)
    yellow_threshold = models.PositiveIntegerField(default=30)  # score from which: yellow
    red_threshold = models.PositiveIntegerField(default=70)  # score from which: red
    # Expected share of each channel, a floor: when the actual share over the last
    # `topup_window` decisions falls short, a declaration whose score ranks among the top
    # expected share of the window is raised (ASYCUDA selectivity; matches the teams'
    # capacity). 100 decisions are about a day at Mong Cai's volume; a window of decisions
    # rather than a calendar day keeps quiet days and mornings sensible.
    expected_yellow_percent = models.DecimalField(max_digits=5, decimal_places=2,
                                                  default=Decimal("37.5"), validators=PERCENT)
    expected_red_percent = models.DecimalField(max_digits=5, decimal_places=2,
                                               default=Decimal("5.0"), validators=PERCENT)
    # Ceilings (none when empty): above one, a declaration in that channel by its score alone
    # that does not rank among the top expected share is lowered one channel; mandatory red and
    # random selections never are.
    max_yellow_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True,
                                             blank=True, validators=PERCENT)
    max_red_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True,
                                          blank=True, validators=PERCENT)
    topup_window = models.PositiveIntegerField(default=100,
                                               validators=[MinValueValidator(20),
                                                           MaxValueValidator(10_000)])
    min_random_percent = models.DecimalField(max_digits=5, decimal_places=2,
                                             default=Decimal("1.0"), validators=PERCENT)
    post_audit_random_percent = models.DecimalField(max_digits=5, decimal_places=2,
                                                    default=Decimal("2.0"), validators=PERCENT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "declarations_riskruleset"  # the table kept its name
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True),
                                    name="one_active_ruleset"),
            models.CheckConstraint(condition=Q(red_threshold__gt=models.F("yellow_threshold")),
                                   name="ruleset_red_above_yellow"),
            models.CheckConstraint(
                condition=Q(max_yellow_percent__isnull=True)
                | Q(max_yellow_percent__gte=models.F("expected_yellow_percent")),
                name="ruleset_max_yellow_not_below_expected"),
            models.CheckConstraint(
                condition=Q(max_red_percent__isnull=True)
                | Q(max_red_percent__gte=models.F("expected_red_percent")),
                name="ruleset_max_red_not_below_expected"),
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        for ceiling, floor in (("max_yellow_percent", "expected_yellow_percent"),
                               ("max_red_percent", "expected_red_percent")):
            top, bottom = getattr(self, ceiling), getattr(self, floor)
            if top is not None and bottom is not None and top < bottom:
                errors[ceiling] = [_("A ceiling is at least the expected share "
                                     "(%(expected)s%%).") % {"expected": bottom}]
        if errors:
            raise ValidationError(errors)


class RiskRule(models.Model):
    """One criterion with validated parameters, an effect, points and an active period."""

    ruleset = models.ForeignKey(RiskRuleset, on_delete=models.CASCADE, related_name="rules")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=200)
    rule_type = models.CharField(max_length=24, choices=RuleType.choices)
    effect = models.CharField(max_length=16, choices=RuleEffect.choices,
                              default=RuleEffect.POINTS)
    params = models.JSONField(default=dict, blank=True)
    points = models.IntegerField(default=0, validators=[MinValueValidator(-100),
                                                        MaxValueValidator(100)])
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    # ASYCUDA's "maximum hits with no selection": after this many hits that ended green in a
    # row, the next hit is selected (yellow) and the counter starts again.
    max_hits_without_selection = models.PositiveIntegerField(null=True, blank=True)
    hits_since_selection = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "declarations_riskrule"  # the table kept its name
        ordering = ["ruleset", "code"]
        constraints = [
            models.UniqueConstraint(fields=["ruleset", "code"], name="rule_code_per_ruleset"),
            models.CheckConstraint(condition=Q(rule_type__in=RuleType.values),
                                   name="rule_type_valid"),
            models.CheckConstraint(condition=Q(effect__in=RuleEffect.values),
                                   name="rule_effect_valid"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True)
                                   | Q(valid_from__isnull=True)
                                   | Q(valid_to__gte=models.F("valid_from")),
                                   name="rule_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_rule_type_display()})"


class RiskAssessment(models.Model):
    """The score of one version of a declaration under one ruleset, with the criteria that
    fired. Confidential: officers and leaders see it, enterprises never do."""

    declaration = models.ForeignKey("declarations.Declaration", on_delete=models.CASCADE,
                                    related_name="assessments")
    ruleset = models.ForeignKey(RiskRuleset, on_delete=models.PROTECT, related_name="+")
    amendment_count = models.PositiveSmallIntegerField(default=0)
    score = models.IntegerField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    fired = models.JSONField(default=list)
    post_audit = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "declarations_riskassessment"  # the table kept its name
        ordering = ["declaration_id", "-created_at"]
        constraints = [
            # Idempotent routing: one assessment per declaration version and ruleset.
            models.UniqueConstraint(fields=["declaration", "ruleset", "amendment_count"],
                                    name="one_assessment_per_version"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values),
                                   name="assessment_channel_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id}: {self.score} -> {self.channel}"


class ReferencePrice(models.Model):
    """A risk officer's reference unit price for a tariff line (overrides the tariff's own)."""

    tariff_line = models.OneToOneField(TariffLine, on_delete=models.CASCADE,
                                       related_name="risk_reference_price")
    price_usd = models.DecimalField(max_digits=14, decimal_places=4,
                                    validators=[MinValueValidator(Decimal("0.0001"))])
    note = models.CharField(max_length=255, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "declarations_referenceprice"  # the table kept its name
        ordering = ["tariff_line__hs_code"]

    def __str__(self) -> str:
        return f"{self.tariff_line_id}: {self.price_usd} USD"


class ChannelChangeRequest(models.Model):
    """An officer's request to lower a channel; a branch leader approves or rejects it."""

    declaration = models.ForeignKey("declarations.Declaration", on_delete=models.CASCADE,
                                    related_name="channel_requests")
    from_channel = models.CharField(max_length=8, choices=Channel.choices)
    to_channel = models.CharField(max_length=8, choices=Channel.choices)
    reason = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=ChannelRequestStatus.choices,
                              default=ChannelRequestStatus.PENDING)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "declarations_channelchangerequest"  # the table kept its name
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["declaration"], condition=Q(status="pending"),
                                    name="one_pending_request_per_declaration"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id}: {self.from_channel} -> {self.to_channel} ({self.status})"


class RoutingFailure(models.Model):
    """A routing task that gave up after its retries (the sweeper will try again)."""

    declaration = models.ForeignKey("declarations.Declaration", on_delete=models.CASCADE,
                                    related_name="routing_failures")
    error = models.TextField()
    attempts = models.PositiveSmallIntegerField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "declarations_routingfailure"  # the table kept its name
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.declaration_id} after {self.attempts} attempts"


# Learned selection's tables (profile sets, models, backtests) live in their own module.
from .models_learning import Backtest, RiskModel, RiskProfileSet  # noqa: E402,F401
