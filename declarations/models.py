"""Declarations, their goods lines, documents, event log and duty payments (DESIGN.md §4)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from customs_core.choices import Flow, TransportMode
from customs_core.models import (
    BondedWarehouse,
    BorderGate,
    Country,
    Currency,
    CustomsOffice,
    Enterprise,
    Regime,
    TariffLine,
)

from .choices import (
    CertificateForm,
    Channel,
    CheckResult,
    DeclarationState,
    DocumentType,
    FoundDuring,
    Incoterm,
    ViolationType,
)

MAX_GOODS_LINES = 50  # VNACCS: at most 50 lines per declaration (Circular 38 Art. 18(2))
# Bounds that keep every stored amount inside its column (issue: nothing that validates may
# overflow). Invoice-currency amounts are NUMERIC(18, 4): below 10^14. Amounts in VND are
# NUMERIC(18, 0); a declaration's customs value is capped at 10^15 VND (about 38 billion USD)
# so that duties, SCT and VAT computed on it (at most ~9x the value) stay far below 10^18.
MAX_QUANTITY = Decimal("1000000000")
MAX_INVOICE_AMOUNT = Decimal("100000000000000")  # exclusive
MAX_CUSTOMS_VALUE_VND = Decimal("1000000000000000")
VND = {"max_digits": 18, "decimal_places": 0, "default": Decimal(0)}
MONEY = {"max_digits": 18, "decimal_places": 4}


class Declaration(models.Model):
    """An import or export customs declaration, from draft to gate-out."""

    # Foreign keys to reference rows carry no index of their own: nothing lists declarations by
    # office, gate, country or currency alone, and every index is paid for on each INSERT.
    # enterprise is served by the (enterprise, -created_at) index below.

    number = models.CharField(max_length=12, unique=True, null=True, blank=True)
    flow = models.CharField(max_length=8, choices=Flow.choices)
    regime = models.ForeignKey(Regime, on_delete=models.PROTECT, related_name="+", db_index=False)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT,
                                   related_name="declarations", db_index=False)
    declarant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="declarations", db_index=False)
    office = models.ForeignKey(CustomsOffice, on_delete=models.PROTECT,
                                related_name="+", db_index=False)
    border_gate = models.ForeignKey(BorderGate, on_delete=models.PROTECT,
                                     related_name="+", db_index=False)
    transport_mode = models.CharField(max_length=10, choices=TransportMode.choices,
                                      default=TransportMode.ROAD)
    trading_country = models.ForeignKey(Country, on_delete=models.PROTECT,
                                         related_name="+", db_index=False)
    partner_name = models.CharField(max_length=255)
    invoice_number = models.CharField(max_length=50)
    invoice_date = models.DateField()
    incoterm = models.CharField(max_length=3, choices=Incoterm.choices)
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT,
                                  related_name="+", db_index=False)
    total_invoice_value = models.DecimalField(**MONEY)
    freight = models.DecimalField(**MONEY, default=Decimal(0))
    insurance = models.DecimalField(**MONEY, default=Decimal(0))
    gross_weight_kg = models.DecimalField(max_digits=14, decimal_places=3)
    packages = models.PositiveIntegerField()
    containers = models.JSONField(default=list, blank=True)
    # Plates of the vehicles carrying the goods (road transport): how the gate finds them.
    vehicles = models.JSONField(default=list, blank=True)
    bonded_warehouse = models.ForeignKey(BondedWarehouse, null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+", db_index=False)
    # Documents a draft still needs, listed when it was copied from a past declaration (type,
    # C/O form, reference): the files themselves belong to one shipment and are not copied.
    # Submitting waits until a document of each listed type is attached or the entry removed.
    documents_expected = models.JSONField(default=list, blank=True)

    state = models.CharField(max_length=20, choices=DeclarationState.choices,
                             default=DeclarationState.DRAFT)
    channel = models.CharField(max_length=8, choices=Channel.choices, blank=True)
    version = models.PositiveIntegerField(default=1)  # the ETag; bumped by every write
    amendment_count = models.PositiveSmallIntegerField(default=0)

    # Duties of the last computation (at submission: the registration date's rates and rate).
    exchange_rate = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    customs_value_vnd = models.DecimalField(**VND)
    import_duty_vnd = models.DecimalField(**VND)
    export_duty_vnd = models.DecimalField(**VND)
    additional_duty_vnd = models.DecimalField(**VND)
    sct_vnd = models.DecimalField(**VND)
    ept_vnd = models.DecimalField(**VND)
    vat_vnd = models.DecimalField(**VND)
    total_duty_vnd = models.DecimalField(**VND)
    paid_vnd = models.DecimalField(**VND)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)  # registration (tax point)
    cleared_at = models.DateTimeField(null=True, blank=True)
    # Green, released, and to be audited after clearance (ASYCUDA's blue lane). Confidential.
    post_clearance_audit = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # "my declarations" of an enterprise, newest first
            models.Index(fields=["enterprise", "-created_at"], name="decl_enterprise_created"),
            # officers' lists by state and channel
            models.Index(fields=["state", "-created_at"], name="decl_state_created"),
            # reporting and date-range filters
            models.Index(fields=["submitted_at"], name="decl_submitted_at"),
            # the routing sweeper: declarations still waiting in "submitted"
            models.Index(fields=["updated_at"], condition=Q(state="submitted"),
                         name="decl_waiting_for_routing"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=DeclarationState.values),
                                   name="declaration_state_valid"),
            models.CheckConstraint(condition=Q(channel__in=["", *Channel.values]),
                                   name="declaration_channel_valid"),
            models.CheckConstraint(condition=Q(flow__in=Flow.values),
                                   name="declaration_flow_valid"),
            models.CheckConstraint(condition=Q(total_invoice_value__gt=0),
                                   name="declaration_invoice_positive"),
            models.CheckConstraint(condition=Q(state__in=["draft", "cancelled"])
                                   | Q(number__isnull=False),
                                   name="declaration_number_after_draft"),
        ]

    def __str__(self) -> str:
        return self.number or f"draft #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("declarations:detail", args=[self.pk])

    @property
    def etag(self) -> str:
        return f'"{self.pk}-{self.version}"'

    @property
    def outstanding_vnd(self) -> Decimal:
        return max(self.total_duty_vnd - self.paid_vnd, Decimal(0))

    @property
    def duties_settled(self) -> bool:
        return self.paid_vnd >= self.total_duty_vnd

    @property
    def channel_shown_apart(self) -> bool:
        """The channel adds to the state: not while the state is the channel itself (green,
        yellow, red), so the page shows one badge then."""
        return bool(self.channel) and self.state != self.channel


class GoodsLine(models.Model):
    """One line of goods: an HS code, its quantity and value, and the duties computed on it."""

    # declaration is served by the unique (declaration, line_no) index; tariff_line keeps its
    # index for the HS-code filter (EXISTS ... tariff_line) of the declaration lists.

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE,
                                     related_name="lines", db_index=False)
    line_no = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_GOODS_LINES)])
    tariff_line = models.ForeignKey(TariffLine, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=400)
    origin_country = models.ForeignKey(Country, on_delete=models.PROTECT,
                                        related_name="+", db_index=False)
    quantity = models.DecimalField(max_digits=16, decimal_places=3)
    unit = models.CharField(max_length=8)
    unit_price = models.DecimalField(max_digits=18, decimal_places=6)
    line_value = models.DecimalField(**MONEY)
    preferential_claimed = models.BooleanField(default=False)

    customs_value_vnd = models.DecimalField(**VND)
    duty_schedule = models.CharField(max_length=12, blank=True)
    duty_rate = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    import_duty_vnd = models.DecimalField(**VND)
    export_duty_vnd = models.DecimalField(**VND)
    additional_duty_vnd = models.DecimalField(**VND)
    sct_vnd = models.DecimalField(**VND)
    ept_vnd = models.DecimalField(**VND)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    vat_vnd = models.DecimalField(**VND)
    total_vnd = models.DecimalField(**VND)

    class Meta:
        ordering = ["declaration_id", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "line_no"], name="goods_line_no_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="goods_line_quantity_gt_0"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="goods_line_price_gt_0"),
            models.CheckConstraint(condition=Q(line_no__gte=1, line_no__lte=MAX_GOODS_LINES),
                                   name="goods_line_no_range"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration} / {self.line_no}"


def document_upload_to(document: "Document", filename: str) -> str:
    return f"declarations/{document.declaration_id}/{document.doc_type}/{filename}"


class Document(models.Model):
    """A file attached to a declaration: invoice, packing list, C/O, licence..."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE,
                                    related_name="documents")
    doc_type = models.CharField(max_length=24, choices=DocumentType.choices)
    co_form = models.CharField(max_length=2, choices=CertificateForm.choices, blank=True)
    reference = models.CharField(max_length=80, blank=True)
    file = models.FileField(upload_to=document_upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["declaration_id", "uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(doc_type="certificate_of_origin") | ~Q(co_form=""),
                name="document_co_has_form"),
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.reference}".strip()


class DeclarationEvent(models.Model):
    """Append-only: one row per state change (the source of every clearance-time figure)."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE,
                                     related_name="events", db_index=False)
    from_state = models.CharField(max_length=20, choices=DeclarationState.choices)
    to_state = models.CharField(max_length=20, choices=DeclarationState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["declaration_id", "at", "id"]
        indexes = [
            models.Index(fields=["declaration", "at"], name="event_declaration_at"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration}: {self.from_state} -> {self.to_state}"


class Violation(models.Model):
    """A customs administrative violation found on a declaration (Decree 128/2020/ND-CP): at
    the document check, a physical inspection or a post-clearance audit. It counts in the
    enterprise's compliance history whatever state the declaration is in, so every checker
    writes one here and the risk engine reads them without importing the checkers."""

    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT,
                                    related_name="violations")
    # The declaration's enterprise, kept on the row: the compliance history reads violations by
    # enterprise and date (index below) without joining declarations.
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+",
                                   db_index=False)
    # The goods line concerned, where there is one; an amendment replaces the lines, so the
    # line number stays on the row when the line itself is gone.
    goods_line = models.ForeignKey(GoodsLine, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_index=False)
    line_no = models.PositiveSmallIntegerField(null=True, blank=True)
    violation_type = models.CharField(max_length=20, choices=ViolationType.choices)
    description = models.TextField()
    penalty_vnd = models.DecimalField(max_digits=18, decimal_places=0, default=Decimal(0))
    penalty_decision_number = models.CharField(max_length=64, blank=True)
    # The penalty paid (treasury or bank reference): a violation is settled once every penalty
    # and the extra duties are paid.
    penalty_paid_reference = models.CharField(max_length=64, blank=True)
    penalty_paid_at = models.DateTimeField(null=True, blank=True)
    found_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    found_at = models.DateTimeField()
    found_during = models.CharField(max_length=24, choices=FoundDuring.choices)

    class Meta:
        ordering = ["declaration_id", "found_at", "id"]
        indexes = [
            # the compliance history: an enterprise's violations since a date
            models.Index(fields=["enterprise", "found_at"], name="violation_enterprise_found"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(violation_type__in=ViolationType.values),
                                   name="violation_type_valid"),
            models.CheckConstraint(condition=Q(found_during__in=FoundDuring.values),
                                   name="violation_found_during_valid"),
            models.CheckConstraint(condition=Q(penalty_vnd__gte=0),
                                   name="violation_penalty_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id}: {self.get_violation_type_display()}"


class CheckOutcome(models.Model):
    """How a check of a declaration ended: conform, or violations found, and what was examined.
    Every checker writes one (declarations.violations.check_outcome_record); the risk engine
    learns from them (inspected declarations and their labels) without importing the checkers."""

    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT,
                                    related_name="check_outcomes")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+",
                                   db_index=False)
    check_kind = models.CharField(max_length=24, choices=FoundDuring.choices)
    outcome = models.CharField(max_length=12, choices=CheckResult.choices)
    examined = models.CharField(max_length=200, blank=True)  # documents, full, 30%, scanner...
    share_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["declaration_id", "decided_at", "id"]
        indexes = [
            # learned selection: outcomes in date order
            models.Index(fields=["decided_at"], name="check_outcome_decided"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(check_kind__in=FoundDuring.values),
                                   name="check_outcome_kind_valid"),
            models.CheckConstraint(condition=Q(outcome__in=CheckResult.values),
                                   name="check_outcome_valid"),
            models.CheckConstraint(condition=Q(share_percent__isnull=True)
                                   | Q(share_percent__gte=1, share_percent__lte=100),
                                   name="check_outcome_share_range"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id}: {self.check_kind} {self.outcome}"


class DutyPayment(models.Model):
    """A payment of duties on a declaration (treasury or bank reference)."""

    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT,
                                    related_name="payments")
    amount_vnd = models.DecimalField(max_digits=18, decimal_places=0)
    reference = models.CharField(max_length=64)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+")
    paid_at = models.DateTimeField()

    class Meta:
        ordering = ["declaration_id", "paid_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_vnd__gt=0), name="payment_positive"),
            models.UniqueConstraint(fields=["reference"], name="payment_reference_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id}: {self.amount_vnd} VND ({self.reference})"


class IdempotencyKey(models.Model):
    """A creating POST's Idempotency-Key: the first response, replayed for the same body."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "scope", "key"],
                                               name="idempotency_key_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.scope}/{self.key}"
