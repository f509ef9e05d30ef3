"""Django's own messages that our users read, declared again so that makemessages extracts
them into our catalogue, which Django merges over its own (LOCALE_PATHS come first).

Django's Vietnamese catalogue lacks some (timesince's msgids changed in Django 4, so the
risk pages said "0 minutes"; the decimal-field limits) and words others poorly ("Enter a
whole number." as "Nhập một số tổng thể."). Nothing imports this module: the msgids must be
exactly Django's, and the test in customs_core/tests/test_translations.py checks they work.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

# django/utils/timesince.py TIME_STRINGS
TIME_STRINGS = [
    ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
]

# django/forms/fields.py and django/core/validators.py
FORM_MESSAGES = [
    gettext_noop("Enter a whole number."),
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    ngettext_lazy("Ensure that there are no more than %(max)s digit in total.",
                  "Ensure that there are no more than %(max)s digits in total.", "max"),
    ngettext_lazy("Ensure that there are no more than %(max)s decimal place.",
                  "Ensure that there are no more than %(max)s decimal places.", "max"),
]
