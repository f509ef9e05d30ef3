"""What the access audit records: the actions, and the kinds of object they name."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # Reads of confidential data by an officer.
    DECLARATION_VIEWED = "declaration_viewed", _("Declaration viewed")
    DECLARATION_PRINTED = "declaration_printed", _("Declaration printed or exported")
    DOCUMENT_VIEWED = "document_viewed", _("Document viewed or downloaded")
    RISK_ASSESSMENT_VIEWED = "risk_assessment_viewed", _("Risk assessment viewed")
    # Changes to the risk criteria.
    RISK_RULE_CREATED = "risk_rule_created", _("Risk rule created")
    RISK_RULE_CHANGED = "risk_rule_changed", _("Risk rule changed")
    RISK_RULE_DELETED = "risk_rule_deleted", _("Risk rule deleted")
    RULESET_CREATED = "ruleset_created", _("Ruleset version created")
    RULESET_ACTIVATED = "ruleset_activated", _("Ruleset version activated")
    RISK_MODEL_ACTIVATED = "risk_model_activated", _("Risk model activated or retired")
    REFERENCE_PRICE_CHANGED = "reference_price_changed", _("Reference price changed")
    # Accounts.
    ACCOUNT_CREATED = "account_created", _("Account created")
    ROLE_CHANGED = "role_changed", _("Role changed")
    ACCOUNT_CHANGED = "account_changed", _("Account changed")
    # The audit itself: an export copies it out of the system.
    AUDIT_EXPORTED = "audit_exported", _("Access audit exported")


# The kinds of object the hooks name (`app_label.model`, as Django labels models): stored as
# text, so this foundation module never imports the apps above it.
OBJECT_TYPES = {
    "declarations.declaration": _("Declaration"),
    "risk.riskrule": _("Risk rule"),
    "risk.riskruleset": _("Ruleset"),
    "risk.riskmodel": _("Risk model"),
    "customs_core.tariffline": _("Tariff line"),
    "customs_core.user": _("User account"),
}
