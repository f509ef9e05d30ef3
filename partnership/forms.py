"""The partnership desk's forms. Business rules live in services; these read what is typed
(dates dd/mm/yyyy hh:mm in both languages) and several files per message."""

from django import forms
from django.utils.translation import gettext_lazy as _

from customs_core.models import User

from .choices import SupportMode, Topic

SCORES = [(n, str(n)) for n in range(5, 0, -1)]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files (services check each one's type by its content and its size)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={
            "accept": "application/pdf,image/jpeg,image/png"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class RequestForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    declaration = forms.TypedChoiceField(label=_("About declaration"), coerce=int,
                                         required=False, empty_value=None)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(label=_("Your question"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 5}))
    mode = forms.ChoiceField(label=_("Support"), choices=SupportMode.choices,
                             initial=SupportMode.REMOTE)
    files = MultipleFileField(label=_("Attachments (PDF, JPEG, PNG; 10 MB each)"))

    def __init__(self, *args, declarations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["declaration"].choices = [("", _("None"))] + [
            (d.pk, d.number or f"#{d.pk}") for d in declarations]


class ThreadForm(forms.Form):
    """A form of the request's page, which holds several: each its own ids (the names, which
    are posted, stay plain)."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class MessageForm(ThreadForm):
    id_prefix = "message"
    body = forms.CharField(label=_("Message"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    article = forms.TypedChoiceField(label=_("Link a guidance article"), coerce=int,
                                     required=False, empty_value=None)
    awaiting_enterprise = forms.BooleanField(
        label=_("Ask the enterprise for more information (wait for its answer)"),
        required=False)
    files = MultipleFileField(label=_("Attachments (PDF, JPEG, PNG; 10 MB each)"))

    def __init__(self, *args, articles=None, desk=False, **kwargs):
        super().__init__(*args, **kwargs)
        if desk:
            self.fields["article"].choices = [("", _("None"))] + [
                (a.pk, a.title) for a in (articles or [])]
        else:
            del self.fields["article"]
            del self.fields["awaiting_enterprise"]


class CloseForm(ThreadForm):
    id_prefix = "close"
    satisfaction = forms.TypedChoiceField(label=_("How useful was the answer?"), coerce=int,
                                          choices=[("", _("Not rated"))] + SCORES,
                                          required=False, empty_value=None)


class ReopenForm(ThreadForm):
    id_prefix = "reopen"
    body = forms.CharField(label=_("Why reopen?"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(ThreadForm):
    id_prefix = "assign"
    officer = forms.ModelChoiceField(label=_("Desk officer"), queryset=User.objects.none())

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers if officers is not None else \
            User.objects.none()
        self.fields["officer"].label_from_instance = lambda u: u.get_full_name() or u.username


class ScheduleForm(ThreadForm):
    id_prefix = "schedule"
    mode = forms.ChoiceField(label=_("Support"), choices=SupportMode.choices)
    scheduled_at = forms.DateTimeField(
        label=_("Date and time"), widget=forms.DateTimeInput(
            attrs={"placeholder": _("dd/mm/yyyy hh:mm"), "autocomplete": "off"}))
    place = forms.CharField(label=_("Place or meeting link"), max_length=255, required=False)


class RatingForm(forms.Form):
    timeliness = forms.TypedChoiceField(label=_("Timeliness"), coerce=int, choices=SCORES,
                                        widget=forms.RadioSelect)
    transparency = forms.TypedChoiceField(label=_("Transparency"), coerce=int, choices=SCORES,
                                          widget=forms.RadioSelect)
    attitude = forms.TypedChoiceField(label=_("Attitude"), coerce=int, choices=SCORES,
                                      widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (optional)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ArticleSearchForm(forms.Form):
    q = forms.CharField(label=_("Search guidance"), max_length=200, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                                      "data-testid": "guidance-q"}))
