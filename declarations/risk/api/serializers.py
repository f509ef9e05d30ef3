"""Serializers of the risk API (officers only: risk data is confidential)."""

from rest_framework import serializers

from customs_core.api.serializing import StrictSerializer
from declarations.choices import Channel


class FiredCriterionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField()
    effect = serializers.CharField()
    points = serializers.IntegerField()
    detail = serializers.CharField()
    # The values behind `detail` (counts, lines, draws); absent from assessments made before.
    args = serializers.DictField(required=False)


class RiskAssessmentOutputSerializer(serializers.Serializer):
    ruleset_version = serializers.IntegerField(source="ruleset.version")
    amendment_count = serializers.IntegerField()
    score = serializers.IntegerField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    post_audit = serializers.BooleanField()
    fired = FiredCriterionSerializer(many=True)
    created_at = serializers.DateTimeField()


class ChannelChangeInputSerializer(StrictSerializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    reason = serializers.CharField(max_length=1000)


class ChannelRequestOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    declaration = serializers.IntegerField(source="declaration_id")
    from_channel = serializers.ChoiceField(choices=Channel.choices)
    to_channel = serializers.ChoiceField(choices=Channel.choices)
    reason = serializers.CharField()
    status = serializers.CharField()
    requested_by = serializers.CharField(source="requested_by.username")
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True,
                                       default=None)
    decision_note = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class ChannelRequestDecisionInputSerializer(StrictSerializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
