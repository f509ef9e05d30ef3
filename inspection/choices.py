"""Choices of the inspection app; labels are shown translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CheckKind(models.TextChoices):
    """The three checks a declaration may get (the values match declarations.FoundDuring)."""

    DOC_CHECK = "doc_check", _("Document check")
    INSPECTION = "inspection", _("Physical inspection")
    AUDIT = "post_clearance_audit", _("Post-clearance audit")


class CheckState(models.TextChoices):
    OPEN = "open", pgettext_lazy("check state", "Waiting")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_AMENDMENT = "awaiting_amendment", _("Waiting for the amendment")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_CHECK_STATES = (CheckState.OPEN, CheckState.IN_PROGRESS, CheckState.AWAITING_AMENDMENT)


class CheckOutcomeKind(models.TextChoices):
    """How a check ended."""

    CONFORM = "conform", _("Conform")
    VIOLATION = "violation", _("Violation found")
    ESCALATED = "escalated", _("Escalated to physical inspection")
    CANCELLED = "cancelled", _("Declaration cancelled")


class DocumentStatus(models.TextChoices):
    PRESENT = "present", _("Present and correct")
    MISSING = "missing", _("Missing")
    WRONG = "wrong", _("Wrong or inconsistent")


class InspectionMethod(models.TextChoices):
    FULL = "full", _("Full examination")
    PARTIAL = "partial", _("Partial examination")
    SCANNER = "scanner", _("Scanner / X-ray")


class CheckEventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    ASSIGNED = "assigned", _("Assigned")
    UNASSIGNED = "unassigned", _("Left in the team's queue")
    CLAIMED = "claimed", _("Claimed")
    REASSIGNED = "reassigned", _("Reassigned")
    STARTED = "started", _("Started")
    CHECKLIST = "checklist", _("Checklist updated")
    AMENDMENT_REQUESTED = "amendment_requested", _("Amendment requested")
    REOPENED = "reopened", _("Back after the amendment")
    SCHEDULED = "scheduled", _("Inspection scheduled")
    FINDINGS = "findings", _("Findings recorded")
    VIOLATION = "violation", _("Violation recorded")
    ESCALATED = "escalated", _("Escalated to red")
    CONCLUDED = "concluded", _("Concluded")
    SETTLED = "settled", _("Settled")
    SEIZED = "seized", _("Goods seized")
    CANCELLED = "cancelled", _("Cancelled")


class InspectionErrorCode(models.TextChoices):
    """Codes of the inspection app's refusals, for clients to branch on."""

    ALREADY_CLAIMED = "already_claimed", _("Someone claimed it first")
    NOT_YOURS = "not_yours", _("Assigned to another officer")
    WRONG_STATE = "wrong_state", _("Not allowed in the current state")
    MOVED_BY_SOMEONE_ELSE = "moved_by_someone_else", _("Changed by someone else first")
    NOT_CLEARED = "not_cleared", _("The declaration is not cleared")
    ALREADY_OUT = "already_out", _("The goods have already left")
    WRONG_CONTAINER = "wrong_container", _("Not a container of this declaration")
    WRONG_VEHICLE = "wrong_vehicle", _("Not a vehicle of this declaration")
    DUTIES_DUE = "duties_due", _("Duties are still due")
    PENALTY_DUE = "penalty_due", _("A penalty is still due")
