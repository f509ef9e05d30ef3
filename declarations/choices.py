"""Choices of the declarations app; labels are shown translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeclarationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SCORED = "scored", _("Scored")
    GREEN = "green", _("Green channel")
    YELLOW = "yellow", _("Yellow channel")
    RED = "red", _("Red channel")
    DOC_CHECK = "doc_check", _("Document check")
    INSPECTION = "inspection", _("Physical inspection")
    AMEND_REQUESTED = "amend_requested", _("Amendment requested")
    CLEARED = "cleared", _("Cleared")
    GATE_OUT = "gate_out", _("Gate out")
    VIOLATION = "violation", _("Violation")
    CANCELLED = "cancelled", _("Cancelled")


class Channel(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class Incoterm(models.TextChoices):
    EXW = "EXW", "EXW"
    FCA = "FCA", "FCA"
    FAS = "FAS", "FAS"
    FOB = "FOB", "FOB"
    CFR = "CFR", "CFR"
    CIF = "CIF", "CIF"
    CPT = "CPT", "CPT"
    CIP = "CIP", "CIP"
    DAP = "DAP", "DAP"
    DPU = "DPU", "DPU"
    DDP = "DDP", "DDP"


class DocumentType(models.TextChoices):
    INVOICE = "invoice", _("Commercial invoice")
    PACKING_LIST = "packing_list", _("Packing list")
    CONTRACT = "contract", _("Sales contract")
    BILL_OF_LADING = "bill_of_lading", _("Bill of lading / transport document")
    CERTIFICATE_OF_ORIGIN = "certificate_of_origin", _("Certificate of origin")
    LICENCE = "licence", _("Import/export licence")
    OTHER = "other", _("Other")


class CertificateForm(models.TextChoices):
    """Certificate-of-origin forms and the agreement each proves origin under."""

    E = "E", _("Form E (ACFTA)")
    D = "D", _("Form D (ATIGA)")


CO_FORM_AGREEMENT = {CertificateForm.E: "ACFTA", CertificateForm.D: "ATIGA"}


class DeclarationErrorCode(models.TextChoices):
    TAX_CODE_INVALID = "tax_code_invalid", _("Tax code not valid")
    ENTERPRISE_SUSPENDED = "enterprise_suspended", _("Enterprise suspended")
    ENTERPRISE_DISSOLVED = "enterprise_dissolved", _("Enterprise dissolved")
    TAX_DEBT_OVERDUE = "tax_debt_overdue", _("Tax debt overdue more than 90 days")
    WRONG_STATE = "wrong_state", _("Not allowed in the current state")
    MOVED_BY_SOMEONE_ELSE = "moved_by_someone_else", _("Changed by someone else first")
    AMENDMENTS_EXHAUSTED = "amendments_exhausted", _("No amendment left")
    NOTHING_TO_PAY = "nothing_to_pay", _("Nothing to pay")


class RuleType(models.TextChoices):
    """What a risk rule looks at (DESIGN.md §5)."""

    COMPLIANCE_HISTORY = "compliance_history", _("Compliance history (violations)")
    NEW_ENTERPRISE = "new_enterprise", _("New enterprise")
    PRIORITY_STATUS = "priority_status", _("Priority (AEO) enterprise")
    HS_WATCH = "hs_watch", _("HS watch list")
    ORIGIN_COUNTRY = "origin_country", _("Country of origin")
    TRADING_COUNTRY = "trading_country", _("Trading country")
    VALUATION = "valuation", _("Valuation below the reference price")
    REGIME = "regime", _("Regime (processing, temporary import)")
    AMENDMENTS = "amendments", _("Number of amendments")
    ENTERPRISE_LIST = "enterprise_list", _("Enterprise list")
    RANDOM = "random", _("Random selection")


class RuleEffect(models.TextChoices):
    POINTS = "points", _("Adds points to the score")
    MANDATORY_RED = "mandatory_red", _("Mandatory red channel")
    POST_AUDIT = "post_audit", _("Post-clearance audit of green declarations")


class ChannelRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the branch leader")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class DutySchedule(models.TextChoices):
    """The schedule a goods line's duty was taken from (duties.py stores the code)."""

    MFN = "MFN", _("MFN (preferential)")
    ACFTA = "ACFTA", _("ACFTA (special preferential)")
    ATIGA = "ATIGA", _("ATIGA (special preferential)")
    ORDINARY = "ORDINARY", _("Ordinary (MFN × 1.5)")
    EXPORT = "EXPORT", _("Export duty")
    EXEMPT = "EXEMPT", _("Exempt")
    NOT_SUBJECT = "NOT_SUBJECT", _("Not subject to duty")


def duty_schedule_label(code: str) -> str:
    """The translated name of a duty schedule; an unknown code (a new FTA) as it is."""
    return str(DutySchedule(code).label) if code in DutySchedule.values else code
