"""Reporting's tables: what the dashboards read (DESIGN.md §8). Every figure is derived from
the declaration event log and the append-only rows beside it (payments, check outcomes,
violations); nothing here is ever the source of truth, and `rebuild_rollups` recreates all of it.

- DeclarationTimes: one row per registered declaration, its WCO Time Release milestones as the
  log shows them (first registration, channel decided, check started, decision, duties paid,
  cleared, gate-out) with their local days, its reporting keys and assessed values.
- Rollup: per (day, office, border gate, flow, regime, channel), the counts and sums.
- SegmentRollup: the same key plus a time-release segment and a histogram bucket: count and
  sum of seconds (medians and p90 are read from these buckets, never from a scan).
- StaleDeclaration: declarations whose facts changed since the rollups were last brought up to
  date; written by database triggers on the base tables (migration 0002), so no write path can
  forget it, consumed by the rollup task.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from customs_core.choices import Flow
from customs_core.models import BorderGate, CustomsOffice, Enterprise, Regime

USD = {"max_digits": 18, "decimal_places": 2, "default": 0}
VND = {"max_digits": 20, "decimal_places": 0, "default": 0}


class Segment(models.TextChoices):
    """The WCO Time Release Study segments, in the order goods go through them."""

    REGISTRATION_CHANNEL = "registration_channel", _("Registration to channel decided")
    CHANNEL_CHECK = "channel_check", _("Channel decided to check started")
    CHECK_DECISION = "check_decision", _("Check started to decision")
    DECISION_PAID = "decision_paid", _("Decision to duties paid")
    PAID_CLEARED = "paid_cleared", _("Duties paid to cleared")
    CLEARED_GATE_OUT = "cleared_gate_out", _("Cleared to gate-out")
    END_TO_END = "end_to_end", _("Registration to cleared")


class ReportChannel(models.TextChoices):
    """A declaration's channel as the log last decided it; blank before routing."""

    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")
    NONE = "", _("Not routed yet")


# The tables below are derived (rebuilt from the event log at will): their references carry no
# database constraint, whose deferred checks at each COMMIT were a third of a full rebuild.
DERIVED = {"on_delete": models.CASCADE, "related_name": "+", "db_index": False,
           "db_constraint": False}


class KeyFields(models.Model):
    office = models.ForeignKey(CustomsOffice, **DERIVED)
    border_gate = models.ForeignKey(BorderGate, **DERIVED)
    flow = models.CharField(max_length=8, choices=Flow.choices)
    regime = models.ForeignKey(Regime, **DERIVED)
    channel = models.CharField(max_length=8, choices=ReportChannel.choices, blank=True)

    class Meta:
        abstract = True


class DeclarationTimes(KeyFields):
    declaration = models.OneToOneField("declarations.Declaration", on_delete=models.CASCADE,
                                       primary_key=True, related_name="+",
                                       db_constraint=False)
    enterprise = models.ForeignKey(Enterprise, **DERIVED)
    registered_at = models.DateTimeField()
    channel_at = models.DateTimeField(null=True)
    check_started_at = models.DateTimeField(null=True)
    decided_at = models.DateTimeField(null=True)
    paid_at = models.DateTimeField(null=True)
    cleared_at = models.DateTimeField(null=True)
    gate_out_at = models.DateTimeField(null=True)
    # local days (settings.TIME_ZONE) of the milestones: the rollups' anchors
    registered_on = models.DateField(db_index=True)
    channel_on = models.DateField(null=True, db_index=True)
    check_started_on = models.DateField(null=True, db_index=True)
    decided_on = models.DateField(null=True, db_index=True)
    paid_on = models.DateField(null=True, db_index=True)
    cleared_on = models.DateField(null=True, db_index=True)
    gate_out_on = models.DateField(null=True, db_index=True)
    invoice_usd = models.DecimalField(**USD)
    usd_rate = models.DecimalField(max_digits=18, decimal_places=4, null=True)  # VND per USD
    exchange_rate = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    import_duty_vnd = models.DecimalField(**VND)
    export_duty_vnd = models.DecimalField(**VND)
    additional_duty_vnd = models.DecimalField(**VND)
    sct_vnd = models.DecimalField(**VND)
    ept_vnd = models.DecimalField(**VND)
    vat_vnd = models.DecimalField(**VND)
    total_duty_vnd = models.DecimalField(**VND)

    class Meta:
        indexes = [models.Index(fields=["enterprise", "registered_on"],
                                name="times_enterprise_registered")]

    def __str__(self) -> str:
        return f"{self.declaration_id}: {self.registered_on}"


class RollupFigures(KeyFields):
    """A day's (or a month's) figures per key."""

    registered = models.PositiveIntegerField(default=0)
    cleared = models.PositiveIntegerField(default=0)
    invoice_usd = models.DecimalField(**USD)  # of the declarations registered that day
    import_duty_vnd = models.DecimalField(**VND)  # assessed on the declarations registered
    export_duty_vnd = models.DecimalField(**VND)
    additional_duty_vnd = models.DecimalField(**VND)
    sct_vnd = models.DecimalField(**VND)
    ept_vnd = models.DecimalField(**VND)
    vat_vnd = models.DecimalField(**VND)
    total_duty_vnd = models.DecimalField(**VND)
    collected_vnd = models.DecimalField(**VND)  # duty payments received that day
    document_checks = models.PositiveIntegerField(default=0)  # started that day
    inspections = models.PositiveIntegerField(default=0)  # physical inspections started
    checks_concluded = models.PositiveIntegerField(default=0)  # check outcomes recorded
    checks_with_violation = models.PositiveIntegerField(default=0)
    violations = models.PositiveIntegerField(default=0)  # violations found that day
    penalties_vnd = models.DecimalField(**VND)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.flow} {self.regime_id} {self.channel}"


class Rollup(RollupFigures):
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["day", "office", "border_gate", "flow", "regime", "channel"],
            name="rollup_one_per_key")]


class MonthRollup(RollupFigures):
    """Rollup summed per month (`day` is the month's first day): what long periods read."""

    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["day", "office", "border_gate", "flow", "regime", "channel"],
            name="month_rollup_one_per_key")]


class SegmentFigures(KeyFields):
    segment = models.CharField(max_length=24, choices=Segment.choices)
    bucket = models.PositiveSmallIntegerField()  # reporting.histogram
    count = models.PositiveIntegerField(default=0)
    seconds = models.BigIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.segment} {self.bucket}"


class SegmentRollup(SegmentFigures):
    day = models.DateField()  # the local day the segment ended

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["day", "office", "border_gate", "flow", "regime", "channel", "segment",
                    "bucket"], name="segment_rollup_one_per_key")]


class MonthSegmentRollup(SegmentFigures):
    day = models.DateField()  # the first day of the month the segments ended in

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["day", "office", "border_gate", "flow", "regime", "channel", "segment",
                    "bucket"], name="month_segment_rollup_one_per_key")]
        # a gate's or a regime's months (a period without either reads MonthFlowSegmentRollup)
        indexes = [models.Index(fields=["border_gate", "day"], name="month_segment_gate_day"),
                   models.Index(fields=["regime", "day"], name="month_segment_regime_day")]


class ValueKind(models.TextChoices):
    CHAPTER = "chapter", _("HS chapter")
    ENTERPRISE = "enterprise", _("Enterprise")


class ValueFigures(models.Model):
    """Per (day, office, border gate, flow, regime) and one HS chapter or one enterprise: the
    declarations registered that day and their value in USD (the leaders' top lists). Chapters
    count the goods lines' values, enterprises whole declarations."""

    Kind = ValueKind

    office = models.ForeignKey(CustomsOffice, **DERIVED)
    border_gate = models.ForeignKey(BorderGate, **DERIVED)
    flow = models.CharField(max_length=8, choices=Flow.choices)
    regime = models.ForeignKey(Regime, **DERIVED)
    kind = models.CharField(max_length=10, choices=ValueKind.choices)
    ref = models.CharField(max_length=20)  # the chapter ("87") or the enterprise's id
    declarations = models.PositiveIntegerField(default=0)
    invoice_usd = models.DecimalField(**USD)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.ref}"


class ValueRollup(ValueFigures):
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["day", "office", "border_gate", "flow", "regime", "kind", "ref"],
            name="value_rollup_one_per_key")]


class MonthValueRollup(ValueFigures):
    day = models.DateField()  # the month's first day

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["day", "office", "border_gate", "flow", "regime", "kind", "ref"],
            name="month_value_rollup_one_per_key")]
        indexes = [models.Index(fields=["border_gate", "day"], name="month_value_gate_day"),
                   models.Index(fields=["regime", "day"], name="month_value_regime_day")]


class MonthFlowSegmentRollup(models.Model):
    """MonthSegmentRollup summed over office, border gate and regime: what a period without
    a gate or regime filter reads (a twentieth of the rows)."""

    day = models.DateField()  # the month's first day
    flow = models.CharField(max_length=8, choices=Flow.choices)
    channel = models.CharField(max_length=8, choices=ReportChannel.choices, blank=True)
    segment = models.CharField(max_length=24, choices=Segment.choices)
    bucket = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(default=0)
    seconds = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["day", "flow", "channel", "segment", "bucket"],
            name="month_flow_segment_one_per_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.flow} {self.segment} {self.bucket}"


class MonthFlowValueRollup(models.Model):
    """MonthValueRollup summed over office, border gate and regime."""

    day = models.DateField()  # the month's first day
    flow = models.CharField(max_length=8, choices=Flow.choices)
    kind = models.CharField(max_length=10, choices=ValueKind.choices)
    ref = models.CharField(max_length=20)
    declarations = models.PositiveIntegerField(default=0)
    invoice_usd = models.DecimalField(**USD)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "flow", "kind", "ref"],
                                               name="month_flow_value_one_per_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.flow} {self.kind} {self.ref}"


# each day-grain table and its month-grain copy
MONTHLY = {Rollup: MonthRollup, SegmentRollup: MonthSegmentRollup,
           ValueRollup: MonthValueRollup}
# month-grain tables and their sums over office, border gate and regime (per flow)
BY_FLOW = {MonthSegmentRollup: MonthFlowSegmentRollup, MonthValueRollup: MonthFlowValueRollup}


class StaleDeclaration(models.Model):
    """Written by triggers (no unique key: an insert never waits for the rollup task)."""

    declaration_id = models.BigIntegerField()
    marked_at = models.DateTimeField(auto_now_add=True)
    # when a row was moved (a violation's date corrected): the moment it used to fall on, so
    # the day it leaves is recomputed too
    at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return str(self.declaration_id)


class RollupState(models.Model):
    """One row: the rollup task's lock (two runs at once take turns) and when it last ran."""

    last_run_at = models.DateTimeField(null=True)
    last_rebuild_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"rollups at {self.last_run_at}"


class RevenueTarget(models.Model):
    """The budget revenue (VND) assigned to an office for a year, set by the branch leader."""

    office = models.ForeignKey(CustomsOffice, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    amount_vnd = models.DecimalField(_("target (VND)"), max_digits=20, decimal_places=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("revenue target")
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="revenue_target_one_per_year"),
            models.CheckConstraint(condition=models.Q(amount_vnd__gt=0),
                                   name="revenue_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.office_id} {self.year}: {self.amount_vnd}"


class ReportExport(models.Model):
    """An XLSX export of the dashboard built by a Celery task: progress, then the file."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                     related_name="+")
    filters = models.JSONField(default=dict)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.state})"
