"""Supervision and Inspection Teams, the checks they work (document checks, physical
inspections, post-clearance audits), their findings, and the goods' exit at the gate
(DESIGN.md §6). A check's life is written by inspection.services only; every step leaves a
CheckEvent (who, why, the load figures behind an assignment)."""


from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customs_core.models import BilingualName, BorderGate, Enterprise, InspectionSite
from declarations.models import Declaration, Document

from .choices import (
    OPEN_CHECK_STATES,
    CheckEventKind,
    CheckKind,
    CheckOutcomeKind,
    CheckState,
    DocumentStatus,
    InspectionMethod,
)


class Team(BilingualName):
    """A Supervision and Inspection Team (Đội Kiểm soát và Kiểm tra) and what it covers: the
    checks of declarations through its border gates, at its inspection sites."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="led_teams",
                               verbose_name=_("leader"))
    border_gates = models.ManyToManyField(BorderGate, blank=True, related_name="teams",
                                          verbose_name=_("border gates"))
    sites = models.ManyToManyField(InspectionSite, blank=True, related_name="teams",
                                   verbose_name=_("inspection sites"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TeamMember(models.Model):
    """An officer of a team: on duty or absent today, and how much work a day takes."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members",
                             verbose_name=_("team"))
    officer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="team_membership", verbose_name=_("officer"))
    on_duty = models.BooleanField(_("on duty"), default=True)
    # Work points a day (10 per declaration + 5 per goods line by default): an officer whose
    # open work reaches it gets nothing more until some is done.
    daily_capacity_points = models.PositiveIntegerField(
        _("daily capacity (points)"), default=200,
        validators=[MinValueValidator(10), MaxValueValidator(5000)])

    class Meta:
        ordering = ["team", "officer__last_name", "officer__first_name"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")

    def __str__(self) -> str:
        return f"{self.team.code}: {self.officer}"


class ConflictOfInterest(models.Model):
    """An officer's declared interest in an enterprise (a relative, a former employer): the
    officer never gets its declarations."""

    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="conflicts_of_interest", verbose_name=_("officer"))
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("enterprise"))
    reason = models.CharField(_("reason"), max_length=255)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [models.UniqueConstraint(fields=["officer", "enterprise"],
                                               name="one_conflict_per_officer_enterprise")]

    def __str__(self) -> str:
        return f"{self.officer} / {self.enterprise}"


class Check(models.Model):
    """One piece of work on a declaration: a document check (yellow), a physical inspection
    (red) or a post-clearance audit (a flagged green). Assigned to an officer of the team that
    covers the declaration's border gate, or waiting in the team's queue."""

    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="checks",
                                    verbose_name=_("declaration"))
    # The declaration's enterprise, kept on the row: rotation reads the enterprise's latest
    # assigned check (index below) without joining declarations.
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+",
                                   db_index=False, verbose_name=_("enterprise"))
    # The declaration's border gate, kept on the row: queues filter by gate without joining
    # declarations (a team's backlog of thousands stays one index range).
    border_gate = models.ForeignKey(BorderGate, on_delete=models.PROTECT, related_name="+",
                                    db_index=False, verbose_name=_("border gate"))
    kind = models.CharField(_("check"), max_length=24, choices=CheckKind.choices)
    state = models.CharField(_("state"), max_length=20, choices=CheckState.choices,
                             default=CheckState.OPEN)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="checks", verbose_name=_("team"))
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="checks",
                                verbose_name=_("officer"))
    # weighted work (ASYCUDA: per declaration + per line)
    points = models.PositiveIntegerField(_("points"))
    version = models.PositiveIntegerField(default=1)  # the ETag; bumped by every write
    opened_at = models.DateTimeField(_("opened at"))
    assigned_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The legal clock, counted in working hours from opening (2 for documents, 8 for goods).
    limit_seconds = models.PositiveIntegerField()
    due_at = models.DateTimeField(_("due at"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=CheckOutcomeKind.choices,
                               blank=True)
    conclusion = models.TextField(blank=True)  # the officer's, for the record (enterprise sees)
    internal_note = models.TextField(blank=True)  # officers only
    # Physical inspection.
    method = models.CharField(max_length=10, choices=InspectionMethod.choices, blank=True)
    share_percent = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)])
    site = models.ForeignKey(InspectionSite, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    scheduled_at = models.DateTimeField(null=True, blank=True)
    duties_before_vnd = models.DecimalField(max_digits=18, decimal_places=0, null=True,
                                            blank=True)
    duties_found_vnd = models.DecimalField(max_digits=18, decimal_places=0, null=True,
                                           blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("check")
        verbose_name_plural = _("checks")
        indexes = [
            # the branch's queue (all teams), oldest due first; the id breaks ties, so a page
            # of a queue with many checks due at the same time reads 25 entries, not sorts all
            models.Index(fields=["due_at", "id"], condition=Q(state__in=OPEN_CHECK_STATES),
                         name="check_open_by_due"),
            # the team's queue and "my work": open checks by team / officer, oldest due first
            models.Index(fields=["team", "due_at", "id"],
                         condition=Q(state__in=OPEN_CHECK_STATES), name="check_open_by_team"),
            models.Index(fields=["officer", "due_at", "id"],
                         condition=Q(state__in=OPEN_CHECK_STATES), name="check_open_by_officer"),
            # rotation: who handled the enterprise's latest check (one index probe per firm)
            models.Index(fields=["enterprise", "-opened_at", "-id"],
                         condition=Q(officer__isnull=False), name="check_enterprise_latest"),
        ]
        constraints = [
            # One open check of a kind per declaration: the subscriber and the sweeper may both
            # try to open it; the second insert fails on this index and reads the first.
            models.UniqueConstraint(fields=["declaration", "kind"],
                                    condition=Q(state__in=OPEN_CHECK_STATES),
                                    name="one_open_check_per_kind"),
            models.CheckConstraint(condition=Q(kind__in=CheckKind.values),
                                   name="check_kind_valid"),
            models.CheckConstraint(condition=Q(state__in=CheckState.values),
                                   name="check_state_valid"),
            models.CheckConstraint(condition=Q(outcome__in=["", *CheckOutcomeKind.values]),
                                   name="inspection_check_outcome_valid"),
            models.CheckConstraint(condition=~Q(state=CheckState.DONE) | ~Q(outcome=""),
                                   name="check_done_has_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.declaration}"

    @property
    def etag(self) -> str:
        return f'"check-{self.pk}-{self.version}"'

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CHECK_STATES


class CheckEvent(models.Model):
    """Append-only: what happened to a check, by whom, why. Assignments keep the load figures
    that chose the officer (`data`). Internal: enterprises never see these."""

    work = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=CheckEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["work_id", "at", "id"]
        indexes = [models.Index(fields=["work", "at"], name="check_event_at")]

    def __str__(self) -> str:
        return f"{self.work_id}: {self.kind}"


class DocumentCheckItem(models.Model):
    """One line of a document check's checklist: a document (attached, or expected and
    missing) with the officer's verdict and note."""

    work = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="items")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    doc_type = models.CharField(max_length=24)
    status = models.CharField(max_length=10, choices=DocumentStatus.choices)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["work_id", "id"]
        constraints = [models.CheckConstraint(condition=Q(status__in=DocumentStatus.values),
                                              name="check_item_status_valid")]

    def __str__(self) -> str:
        return f"{self.work_id}: {self.doc_type} {self.status}"


class AmendmentIssue(models.Model):
    """What the enterprise must correct: the document check's list, shown to the enterprise on
    its declaration (portal and API) until it amends."""

    work = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="issues")
    text = models.CharField(max_length=500)
    line_no = models.PositiveSmallIntegerField(null=True, blank=True)
    requested_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["work_id", "id"]

    def __str__(self) -> str:
        return self.text


class InspectionFinding(models.Model):
    """A goods line as declared and as found (quantity, HS code, origin, unit price)."""

    work = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="findings")
    line_no = models.PositiveSmallIntegerField()
    declared_quantity = models.DecimalField(max_digits=16, decimal_places=3)
    found_quantity = models.DecimalField(max_digits=16, decimal_places=3)
    declared_hs_code = models.CharField(max_length=8)
    found_hs_code = models.CharField(max_length=8)
    declared_origin = models.CharField(max_length=2)
    found_origin = models.CharField(max_length=2)
    declared_unit_price = models.DecimalField(max_digits=18, decimal_places=6)
    found_unit_price = models.DecimalField(max_digits=18, decimal_places=6)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["work_id", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["work", "line_no"], name="one_finding_per_line"),
            models.CheckConstraint(condition=Q(found_quantity__gte=0),
                                   name="finding_quantity_not_negative"),
            models.CheckConstraint(condition=Q(found_unit_price__gte=0),
                                   name="finding_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.work_id}/{self.line_no}"

    @property
    def differs(self) -> bool:
        return (self.found_quantity != self.declared_quantity
                or self.found_hs_code != self.declared_hs_code
                or self.found_origin != self.declared_origin
                or self.found_unit_price != self.declared_unit_price)


def attachment_upload_to(attachment: "CheckAttachment", filename: str) -> str:
    return f"checks/{attachment.work_id}/{filename}"


class CheckAttachment(models.Model):
    """A photo or a document of an inspection (type and size checked by content)."""

    work = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    caption = models.CharField(max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["work_id", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class GateExit(models.Model):
    """The goods of a cleared declaration leaving through the gate, as the gate officer saw
    them (the vehicle and the container checked against the declaration)."""

    declaration = models.OneToOneField(Declaration, on_delete=models.PROTECT,
                                       related_name="gate_exit", verbose_name=_("declaration"))
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("officer"))
    border_gate = models.ForeignKey(BorderGate, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("border gate"))
    vehicle = models.CharField(_("vehicle"), max_length=20, blank=True)
    container = models.CharField(_("container"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-at"]
        verbose_name = _("gate exit")
        verbose_name_plural = _("gate exits")

    def __str__(self) -> str:
        return f"{self.declaration} out {self.at:%d/%m/%Y %H:%M}"

