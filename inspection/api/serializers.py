"""Serializers of the inspection API. Officers' views of checks carry internal notes and the
assignment's reasons; the enterprise's view (EnterpriseCheckView) carries neither."""

from decimal import Decimal

from rest_framework import serializers

from customs_core.api.serializing import StrictSerializer
from declarations.choices import Channel, DeclarationState, ViolationType
from declarations.models import MAX_QUANTITY

from ..choices import (
    CheckEventKind,
    CheckKind,
    CheckOutcomeKind,
    CheckState,
    DocumentStatus,
    InspectionMethod,
)


class ClockOutputSerializer(serializers.Serializer):
    used_minutes = serializers.IntegerField(help_text="Working minutes used since opening.")
    limit_minutes = serializers.IntegerField(help_text="The legal limit in working minutes.")
    colour = serializers.ChoiceField(choices=[("ok", "ok"), ("soon", "soon"), ("late", "late")])


class CheckListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CheckKind.choices)
    state = serializers.ChoiceField(choices=CheckState.choices)
    declaration = serializers.IntegerField(source="declaration_id")
    number = serializers.CharField(source="declaration.number", allow_null=True)
    declaration_state = serializers.ChoiceField(source="declaration.state",
                                                choices=DeclarationState.choices)
    channel = serializers.ChoiceField(source="declaration.channel",
                                      choices=[("", ""), *Channel.choices])
    enterprise = serializers.CharField(source="declaration.enterprise.tax_code")
    enterprise_name = serializers.CharField(source="declaration.enterprise.name")
    team = serializers.CharField(source="team.code", allow_null=True, default=None)
    officer = serializers.CharField(source="officer.username", allow_null=True, default=None)
    points = serializers.IntegerField()
    opened_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    clock = ClockOutputSerializer()
    outcome = serializers.ChoiceField(choices=[("", ""), *CheckOutcomeKind.choices])
    version = serializers.IntegerField()


class ClaimOutputSerializer(serializers.Serializer):
    """A claimed check: enough to confirm it and act on it next (its ETag is the version)."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CheckKind.choices)
    state = serializers.ChoiceField(choices=CheckState.choices)
    declaration = serializers.IntegerField(source="declaration_id")
    officer = serializers.CharField(source="officer.username")
    assigned_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class ChecklistItemSerializer(serializers.Serializer):
    document = serializers.IntegerField(source="document_id", allow_null=True)
    doc_type = serializers.CharField()
    status = serializers.ChoiceField(choices=DocumentStatus.choices)
    note = serializers.CharField()


class IssueOutputSerializer(serializers.Serializer):
    text = serializers.CharField()
    line_no = serializers.IntegerField(allow_null=True)
    requested_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)


class FindingOutputSerializer(serializers.Serializer):
    line_no = serializers.IntegerField()
    declared_quantity = serializers.DecimalField(max_digits=16, decimal_places=3)
    found_quantity = serializers.DecimalField(max_digits=16, decimal_places=3)
    declared_hs_code = serializers.CharField()
    found_hs_code = serializers.CharField()
    declared_origin = serializers.CharField()
    found_origin = serializers.CharField()
    declared_unit_price = serializers.DecimalField(max_digits=18, decimal_places=6)
    found_unit_price = serializers.DecimalField(max_digits=18, decimal_places=6)
    note = serializers.CharField()


class AttachmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    caption = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class CheckEventOutputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CheckEventKind.choices)
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    officer = serializers.CharField(source="officer.username", allow_null=True, default=None)
    reason = serializers.CharField()
    data = serializers.DictField()
    at = serializers.DateTimeField()


class CheckOutputSerializer(CheckListOutputSerializer):
    assigned_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    conclusion = serializers.CharField()
    internal_note = serializers.CharField()
    method = serializers.ChoiceField(choices=[("", ""), *InspectionMethod.choices])
    share_percent = serializers.IntegerField(allow_null=True)
    site = serializers.CharField(source="site.code", allow_null=True, default=None)
    scheduled_at = serializers.DateTimeField(allow_null=True)
    duties_before_vnd = serializers.DecimalField(max_digits=18, decimal_places=0,
                                                 allow_null=True)
    duties_found_vnd = serializers.DecimalField(max_digits=18, decimal_places=0,
                                                allow_null=True)
    items = ChecklistItemSerializer(many=True, source="items.all")
    issues = IssueOutputSerializer(many=True, source="issues.all")
    findings = FindingOutputSerializer(many=True, source="findings.all")
    attachments = AttachmentOutputSerializer(many=True, source="attachments.all")
    events = CheckEventOutputSerializer(many=True, source="events.all")


# --- input -------------------------------------------------------------------------------------
class AssignInputSerializer(StrictSerializer):
    officer = serializers.CharField(max_length=150, help_text="The officer's username.")
    reason = serializers.CharField(max_length=1000)


class ChecklistItemInputSerializer(StrictSerializer):
    document = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                        max_value=2**62)
    doc_type = serializers.CharField(required=False, max_length=24, allow_blank=True)
    status = serializers.ChoiceField(choices=DocumentStatus.choices)
    note = serializers.CharField(required=False, max_length=500, allow_blank=True, default="")


class ChecklistInputSerializer(StrictSerializer):
    items = ChecklistItemInputSerializer(many=True, max_length=60)


class IssueInputSerializer(StrictSerializer):
    text = serializers.CharField(max_length=500)
    line_no = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                       max_value=50)


class AmendmentRequestInputSerializer(StrictSerializer):
    issues = IssueInputSerializer(many=True, min_length=1, max_length=30)


class CheckReasonInputSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=1000)


class ConclusionInputSerializer(StrictSerializer):
    conclusion = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                       default="")


class ScheduleInputSerializer(StrictSerializer):
    method = serializers.ChoiceField(choices=InspectionMethod.choices)
    share_percent = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                             max_value=100)
    site = serializers.CharField(max_length=16)
    scheduled_at = serializers.DateTimeField()


class FindingInputSerializer(StrictSerializer):
    line_no = serializers.IntegerField(min_value=1, max_value=50)
    found_quantity = serializers.DecimalField(max_digits=16, decimal_places=3, required=False,
                                              min_value=Decimal(0), max_value=MAX_QUANTITY)
    found_hs_code = serializers.RegexField(r"^\d{8}$", max_length=8, required=False)
    found_origin = serializers.RegexField(r"^[A-Z]{2}$", max_length=2, required=False)
    found_unit_price = serializers.DecimalField(max_digits=18, decimal_places=6,
                                                required=False, min_value=Decimal(0))
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class FindingsInputSerializer(StrictSerializer):
    findings = FindingInputSerializer(many=True, max_length=50)


class AttachmentInputSerializer(StrictSerializer):
    file = serializers.FileField(max_length=255)
    caption = serializers.CharField(max_length=255, required=False, allow_blank=True,
                                    default="")


class ViolationInputSerializer(StrictSerializer):
    violation_type = serializers.ChoiceField(choices=ViolationType.choices)
    description = serializers.CharField(max_length=2000)
    penalty_vnd = serializers.DecimalField(max_digits=18, decimal_places=0, required=False,
                                           default=Decimal(0), min_value=Decimal(0),
                                           max_value=Decimal("1000000000000"),
                                           help_text="Up to 1,000,000,000,000 VND.")
    penalty_decision_number = serializers.CharField(max_length=64, required=False,
                                                    allow_blank=True, default="")
    line_no = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                       max_value=50)


class ViolationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    declaration = serializers.IntegerField(source="declaration_id")
    violation_type = serializers.ChoiceField(choices=ViolationType.choices)
    description = serializers.CharField()
    penalty_vnd = serializers.DecimalField(max_digits=18, decimal_places=0)
    penalty_decision_number = serializers.CharField()
    line_no = serializers.IntegerField(allow_null=True)
    found_during = serializers.CharField()
    found_at = serializers.DateTimeField()


class SettleInputSerializer(StrictSerializer):
    penalty_reference = serializers.RegexField(r"^[A-Za-z0-9\-/]{0,64}$", max_length=64,
                                               required=False, allow_blank=True, default="")


class GateLookupOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    state = serializers.ChoiceField(choices=DeclarationState.choices)
    enterprise_name = serializers.CharField(source="enterprise.name")
    vehicles = serializers.ListField(child=serializers.CharField())
    containers = serializers.ListField(child=serializers.CharField())
    outstanding_vnd = serializers.DecimalField(max_digits=18, decimal_places=0)


class GateExitInputSerializer(StrictSerializer):
    declaration = serializers.IntegerField(min_value=1, max_value=2**62)
    vehicle = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    container = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                      default="")
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class GateExitOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    declaration = serializers.IntegerField(source="declaration_id")
    number = serializers.CharField(source="declaration.number")
    vehicle = serializers.CharField()
    container = serializers.CharField()
    at = serializers.DateTimeField()


class EnterpriseIssueSerializer(serializers.Serializer):
    text = serializers.CharField()
    line_no = serializers.IntegerField(allow_null=True)
    requested_at = serializers.DateTimeField()


class EnterpriseCheckSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CheckKind.choices)
    state = serializers.ChoiceField(choices=CheckState.choices)
    scheduled_at = serializers.DateTimeField(allow_null=True)
    site = serializers.CharField(source="site.name", allow_null=True, default=None)
    method = serializers.ChoiceField(choices=[("", ""), *InspectionMethod.choices])
    outcome = serializers.ChoiceField(choices=[("", ""), *CheckOutcomeKind.choices])
    conclusion = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)


class EnterpriseCheckViewSerializer(serializers.Serializer):
    """What the enterprise may know of its declaration's checks (no notes, loads, reasons)."""

    issues = EnterpriseIssueSerializer(many=True)
    checks = EnterpriseCheckSerializer(many=True)


class TeamMemberOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    officer = serializers.CharField(source="officer.username")
    name = serializers.CharField(source="officer.get_full_name")
    role = serializers.CharField(source="officer.role")
    on_duty = serializers.BooleanField()
    daily_capacity_points = serializers.IntegerField()


class TeamOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name_vi = serializers.CharField()
    name_en = serializers.CharField()
    leader = serializers.CharField(source="leader.username", allow_null=True, default=None)
    border_gates = serializers.ListField(child=serializers.CharField())
    sites = serializers.ListField(child=serializers.CharField())
    members = TeamMemberOutputSerializer(many=True, source="members.all")


class MemberDutyInputSerializer(StrictSerializer):
    on_duty = serializers.BooleanField(required=False)
    daily_capacity_points = serializers.IntegerField(required=False, min_value=10,
                                                     max_value=5000)
