from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

TOKEN_LIFETIMES = [(30, _("30 days")), (90, _("90 days")), (180, _("180 days")),
                   (365, _("1 year"))]


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32, strip=True,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                         "inputmode": "text",
                                                         "autofocus": True,
                                                         "data-testid": "otp-code"}))


class TokenForm(forms.Form):
    name = forms.CharField(label=_("System name"), max_length=80, strip=True,
                           help_text=_("Which system will use it, e.g. \"ERP – imports\"."),
                           widget=forms.TextInput(attrs={"data-testid": "token-name"}))
    days = forms.TypedChoiceField(label=_("Valid for"), choices=TOKEN_LIFETIMES, coerce=int,
                                  initial=90)


class LocalizedPasswordResetForm(PasswordResetForm):
    """The reset e-mail goes out in the language the user chose, not the page's."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        with translation.override(getattr(context.get("user"), "language", None) or "vi"):
            super().send_mail(subject_template_name, email_template_name, context, from_email,
                              to_email, html_email_template_name)
