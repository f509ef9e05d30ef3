from rest_framework import serializers

from ..choices import AuditAction


class AuditEventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    actor = serializers.IntegerField(source="actor_id", allow_null=True,
                                     help_text="The account's id; null: the system.")
    actor_username = serializers.CharField(help_text="As the account was named then.")
    actor_role = serializers.CharField(help_text="The role the account had then.")
    action = serializers.ChoiceField(choices=AuditAction.choices)
    object_type = serializers.CharField(help_text="app_label.model, e.g. "
                                                  "declarations.declaration.")
    object_id = serializers.CharField()
    object_label = serializers.CharField()
    details = serializers.JSONField()
    ip_address = serializers.IPAddressField(allow_null=True)
    user_agent = serializers.CharField()
    request_id = serializers.CharField()
