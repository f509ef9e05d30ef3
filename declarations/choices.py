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
    SEIZED = "seized", _("Goods seized")
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
    NOTHING_PAID = "nothing_paid", _("No payment recorded yet")


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


class ViolationType(models.TextChoices):
    """Customs administrative violations (Decree 128/2020/ND-CP, Chapter II)."""

    DOCUMENTS = "documents", _("Documents late, missing or not as required")
    QUANTITY = "quantity", _("Wrong quantity or weight declared")
    DESCRIPTION = "description", _("Wrong name or description of the goods")
    HS_CODE = "hs_code", _("Wrong HS code (tariff classification)")
    VALUE = "value", _("Wrong customs value declared")
    ORIGIN = "origin", _("Wrong origin declared")
    UNDECLARED = "undeclared", _("Goods not declared")
    LICENCE = "licence", _("Goods needing a licence or permit without one")
    FALSE_DOCUMENTS = "false_documents", _("False or altered documents")
    OTHER = "other", _("Other violation")


class CheckResult(models.TextChoices):
    """The outcome of a check."""

    CONFORM = "conform", _("Conform")
    VIOLATION = "violation", _("Violation found")


class FoundDuring(models.TextChoices):
    """Which check found a violation."""

    DOC_CHECK = "doc_check", _("Document check")
    INSPECTION = "inspection", _("Physical inspection")
    POST_CLEARANCE_AUDIT = "post_clearance_audit", _("Post-clearance audit")
