"""Serializers of the partnership API (requests, messages, ratings, guidance, notifications).
Times are ISO 8601 with the offset, as in the declarations API."""

from rest_framework import serializers

from customs_core.api.serializing import StrictSerializer

from ..choices import ArticleKind, EmailState, RequestState, SupportMode, Topic

TEXT = {"max_length": 5000, "trim_whitespace": True}


class SupportAttachmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class SupportMessageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    from_desk = serializers.BooleanField()
    author = serializers.CharField(source="author.username")
    body = serializers.CharField()
    article = serializers.IntegerField(source="article_id", allow_null=True)
    attachments = SupportAttachmentOutputSerializer(many=True, source="attachments.all")


class SupportRequestOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    enterprise = serializers.CharField(source="enterprise.tax_code")
    asked_by = serializers.CharField(source="created_by.username")
    declaration = serializers.IntegerField(source="declaration_id", allow_null=True)
    topic = serializers.ChoiceField(choices=Topic.choices)
    subject = serializers.CharField()
    state = serializers.ChoiceField(choices=RequestState.choices)
    assigned_to = serializers.CharField(source="assigned_to.username", allow_null=True)
    mode = serializers.ChoiceField(choices=SupportMode.choices)
    scheduled_at = serializers.DateTimeField(allow_null=True)
    place = serializers.CharField()
    created_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    first_due_at = serializers.DateTimeField()
    first_answered_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    closing_article = serializers.IntegerField(source="closing_article_id", allow_null=True)
    satisfaction = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField()


class SupportRequestDetailSerializer(SupportRequestOutputSerializer):
    messages = SupportMessageOutputSerializer(many=True, source="thread")


class SupportRequestInputSerializer(StrictSerializer):
    topic = serializers.ChoiceField(choices=Topic.choices)
    subject = serializers.CharField(max_length=200, trim_whitespace=True)
    message = serializers.CharField(**TEXT)
    declaration = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                           max_value=2**31 - 1)
    mode = serializers.ChoiceField(choices=SupportMode.choices, required=False,
                                   default=SupportMode.REMOTE)
    files = serializers.ListField(child=serializers.FileField(max_length=255), required=False,
                                  default=list, max_length=5)


class SupportMessageInputSerializer(StrictSerializer):
    body = serializers.CharField(**TEXT)
    article = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                       max_value=2**31 - 1)
    awaiting_enterprise = serializers.BooleanField(required=False, default=False)
    files = serializers.ListField(child=serializers.FileField(max_length=255), required=False,
                                  default=list, max_length=5)


class SupportCloseInputSerializer(StrictSerializer):
    article = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                       max_value=2**31 - 1)
    satisfaction = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                            max_value=5)


class SupportReopenInputSerializer(StrictSerializer):
    body = serializers.CharField(**TEXT)


class SupportAssignInputSerializer(StrictSerializer):
    officer = serializers.CharField(max_length=150, help_text="The desk officer's username")


class SupportScheduleInputSerializer(StrictSerializer):
    mode = serializers.ChoiceField(choices=SupportMode.choices)
    scheduled_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class RatingOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    declaration = serializers.IntegerField(source="declaration_id")
    number = serializers.CharField(source="declaration.number")
    enterprise = serializers.CharField(source="enterprise.tax_code")
    timeliness = serializers.IntegerField()
    transparency = serializers.IntegerField()
    attitude = serializers.IntegerField()
    comment = serializers.CharField()
    at = serializers.DateTimeField()


class RatingInputSerializer(StrictSerializer):
    declaration = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    timeliness = serializers.IntegerField(min_value=1, max_value=5)
    transparency = serializers.IntegerField(min_value=1, max_value=5)
    attitude = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                    default="")


class RatingSummarySerializer(serializers.Serializer):
    ratings = serializers.IntegerField()
    shown = serializers.BooleanField()
    needed = serializers.IntegerField(required=False)
    index = serializers.FloatField(required=False, allow_null=True)
    timeliness = serializers.FloatField(required=False)
    transparency = serializers.FloatField(required=False)
    attitude = serializers.FloatField(required=False)


class ArticleOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ArticleKind.choices)
    title_vi = serializers.CharField()
    title_en = serializers.CharField()
    body_vi = serializers.CharField()
    body_en = serializers.CharField()
    reference = serializers.CharField()
    published = serializers.BooleanField()
    updated_at = serializers.DateTimeField()
    closed_requests = serializers.IntegerField(source="closed_count")


class NotificationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.CharField()
    text = serializers.CharField()
    link = serializers.CharField()
    context = serializers.DictField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    email_state = serializers.ChoiceField(choices=EmailState.choices)


class NotificationReadInputSerializer(StrictSerializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
                                required=False, allow_null=True, max_length=500,
                                help_text="The notifications to mark read; absent: all")


class NotificationSettingSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    email = serializers.BooleanField()


class NotificationSettingsInputSerializer(StrictSerializer):
    email = serializers.ListField(child=serializers.CharField(max_length=40), max_length=100,
                                  help_text="The kinds e-mailed to the user (all others: "
                                            "in the app only)")
