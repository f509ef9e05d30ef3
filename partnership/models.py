"""The partnership desk: who staffs it, enterprises' support requests and their threads,
service ratings of cleared declarations, guidance articles, and every user's notifications."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .choices import ArticleKind, EmailState, RequestState, SupportMode, Topic

SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class DeskMember(models.Model):
    """An officer who answers enterprises at the partnership desk; a desk leader reassigns
    requests and follows up low ratings."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="desk_membership", verbose_name=_("officer"))
    is_leader = models.BooleanField(_("desk leader"), default=False)
    active = models.BooleanField(_("on duty at the desk"), default=True)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("desk officer")
        verbose_name_plural = _("desk officers")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username


class Article(models.Model):
    """Guidance for enterprises (a procedure, a legal document, an FAQ) in both languages.
    `search_text` is both languages' title and body folded (lower case, no diacritics), so
    "thu tuc" finds "thủ tục"."""

    kind = models.CharField(_("kind"), max_length=16, choices=ArticleKind.choices)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255)
    body_vi = models.TextField(_("text (Vietnamese)"))
    body_en = models.TextField(_("text (English)"))
    reference = models.CharField(_("legal reference"), max_length=120, blank=True)
    published = models.BooleanField(_("published"), default=True)
    search_text = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "title_vi"]
        verbose_name = _("guidance article")
        verbose_name_plural = _("guidance articles")
        constraints = [models.CheckConstraint(condition=Q(kind__in=ArticleKind.values),
                                              name="article_kind_valid")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        from .search import fold

        self.search_text = fold(" ".join([self.title_vi, self.title_en, self.reference,
                                          self.body_vi, self.body_en]))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("partnership:article", args=[self.pk])

    @property
    def english(self) -> bool:
        return (get_language() or "vi").startswith("en")

    @property
    def title(self) -> str:
        return self.title_en if self.english else self.title_vi

    @property
    def body(self) -> str:
        return self.body_en if self.english else self.body_vi


class SupportRequest(models.Model):
    """An enterprise's question to the branch. `due_at` is when the desk owes its next answer
    (working hours from the topic's limit); `first_due_at` and `first_answered_at` keep the
    first answer's figures for time-limit compliance."""

    enterprise = models.ForeignKey("customs_core.Enterprise", on_delete=models.PROTECT,
                                   related_name="support_requests", verbose_name=_("enterprise"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("asked by"))
    declaration = models.ForeignKey("declarations.Declaration", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="support_requests",
                                    verbose_name=_("declaration"))
    rating = models.OneToOneField("Rating", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="follow_up", verbose_name=_("follow-up of rating"))
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    subject = models.CharField(_("subject"), max_length=200)
    state = models.CharField(_("state"), max_length=12, choices=RequestState.choices,
                             default=RequestState.OPEN)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("desk officer"))
    mode = models.CharField(_("support"), max_length=8, choices=SupportMode.choices,
                            default=SupportMode.REMOTE)
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    place = models.CharField(_("place or link"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("asked at"), db_index=True)
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    first_due_at = models.DateTimeField(_("first answer due"))
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    warned_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    closing_article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="closed_requests",
                                        verbose_name=_("answered with"))
    satisfaction = models.PositiveSmallIntegerField(_("answer rated"), null=True, blank=True,
                                                    validators=SCORE)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")
        indexes = [models.Index(fields=["state", "due_at"], name="support_state_due"),
                   models.Index(fields=["enterprise", "-created_at"], name="support_enterprise")]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=RequestState.values),
                                   name="support_state_valid"),
            models.CheckConstraint(condition=Q(topic__in=Topic.values),
                                   name="support_topic_valid"),
            models.CheckConstraint(condition=Q(mode__in=SupportMode.values),
                                   name="support_mode_valid"),
            models.CheckConstraint(condition=Q(satisfaction__isnull=True)
                                   | Q(satisfaction__gte=1, satisfaction__lte=5),
                                   name="support_satisfaction_1_5"),
            models.CheckConstraint(condition=~Q(state=RequestState.CLOSED)
                                   | Q(closed_at__isnull=False),
                                   name="support_closed_has_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("partnership:request", args=[self.pk])

    @property
    def etag(self) -> str:
        return f'"support-{self.pk}-{self.version}"'


def attachment_path(instance, filename: str) -> str:
    return f"support/{instance.message.request_id}/{filename}"


class Message(models.Model):
    """One message of a request's thread; an officer's answer may link a guidance article."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE,
                                related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    from_desk = models.BooleanField(default=False)
    body = models.TextField(_("message"))
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("guidance article"))
    at = models.DateTimeField()

    class Meta:
        ordering = ["request_id", "at", "id"]
        indexes = [models.Index(fields=["request", "at"], name="support_message_at")]

    def __str__(self) -> str:
        return f"{self.request_id}/{self.pk}"


class Attachment(models.Model):
    """A file of a message (PDF, JPEG or PNG, checked by its content); served only to whoever
    may see the request."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.original_name


class Rating(models.Model):
    """An enterprise's rating of the service it got for one cleared declaration (once)."""

    declaration = models.OneToOneField("declarations.Declaration", on_delete=models.PROTECT,
                                       related_name="rating", verbose_name=_("declaration"))
    enterprise = models.ForeignKey("customs_core.Enterprise", on_delete=models.PROTECT,
                                   related_name="+")
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    timeliness = models.PositiveSmallIntegerField(_("timeliness"), validators=SCORE)
    transparency = models.PositiveSmallIntegerField(_("transparency"), validators=SCORE)
    attitude = models.PositiveSmallIntegerField(_("attitude"), validators=SCORE)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("service rating")
        verbose_name_plural = _("service ratings")
        constraints = [
            models.CheckConstraint(condition=Q(timeliness__gte=1, timeliness__lte=5)
                                   & Q(transparency__gte=1, transparency__lte=5)
                                   & Q(attitude__gte=1, attitude__lte=5),
                                   name="rating_scores_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id}: {self.timeliness}/{self.transparency}/{self.attitude}"

    @property
    def is_low(self) -> bool:
        return min(self.timeliness, self.transparency, self.attitude) <= 2

    @property
    def mean(self) -> float:
        return (self.timeliness + self.transparency + self.attitude) / 3


class Notification(models.Model):
    """What a user is told: shown in the app (the bell) and, where the user's settings say so,
    e-mailed. The row is the e-mail's outbox: `email_state` pending until a task sends it;
    one row per (recipient, kind, dedupe key), so an event told twice is stored once."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(max_length=40)
    context = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=255, blank=True)
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(max_length=8, choices=EmailState.choices,
                                   default=EmailState.NONE)
    email_to = models.EmailField(blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_next_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True),
                         name="notification_unread"),
            models.Index(fields=["email_next_at"], condition=Q(email_state="pending"),
                         name="notification_email_pending"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "dedupe_key"],
                                    condition=~Q(dedupe_key=""), name="notification_once"),
            models.CheckConstraint(condition=Q(email_state__in=EmailState.values),
                                   name="notification_email_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} -> {self.recipient_id}"


class NotificationSetting(models.Model):
    """A user's choice to be e-mailed a kind of notification (or not); absent: the kind's
    default."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_settings")
    kind = models.CharField(max_length=40)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"],
                                               name="notification_setting_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.email}"
