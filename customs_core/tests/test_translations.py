"""The Vietnamese catalogue: complete, current, and used for every label a user reads."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.timesince import timesince

from customs_core.testing.services import REQUIRE_SERVICES

BASE = Path(settings.BASE_DIR)
PO = BASE / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def catalogue(path: Path = PO):
    with open(path, "rb") as f:
        return read_po(f)


def _untranslated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not all(strings)


def test_no_msgid_is_untranslated_or_fuzzy():
    bad = [m.id for m in catalogue() if m.id and (_untranslated(m) or m.fuzzy)]
    assert bad == []


def _text_choices():
    seen = set()
    for app in apps.get_app_configs():
        if not app.path.startswith(str(BASE)):
            continue
        for module_name in ("choices", "models"):
            try:
                module = __import__(f"{app.name}.{module_name}", fromlist=["*"])
            except ModuleNotFoundError:
                continue
            for value in vars(module).values():
                if (isinstance(value, type) and issubclass(value, models.TextChoices)
                        and value is not models.TextChoices and value not in seen):
                    seen.add(value)
                    yield value


def _is_word(label: str) -> bool:
    """"Green channel" is a word to translate; codes such as "EXW" are not."""
    return any(part.isalpha() and not part.isupper() for part in label.split())


def test_every_choice_label_has_a_vietnamese_translation():
    choices = list(_text_choices())
    assert {c.__name__ for c in choices} >= {"DeclarationState", "Channel", "Flow", "Role",
                                             "DutySchedule", "RuleType"}
    missing = []
    for enum in choices:
        for member in enum:
            with translation.override("en"):
                english = str(member.label)
            with translation.override("vi"):
                vietnamese = str(member.label)
            if _is_word(english) and vietnamese == english:
                missing.append(f"{enum.__name__}.{member.name}: {english}")
    assert missing == []


def test_the_catalogue_is_current(tmp_path):
    """makemessages over a copy of the project finds no msgid the committed catalogue lacks."""
    if shutil.which("xgettext") is None:
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but xgettext is missing (apt-get install gettext)")
        pytest.skip("xgettext is missing (apt-get install gettext)")
    copy = tmp_path / "project"
    shutil.copytree(BASE, copy, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "static", "media", "staticfiles", "*.sqlite3*", "__pycache__",
        "node_modules"))
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "vi", "--no-obsolete",
                    "--ignore=.venv", "--ignore=static"], cwd=copy, check=True,
                   capture_output=True)
    fresh = {m.id for m in catalogue(copy / "locale/vi/LC_MESSAGES/django.po") if m.id}
    committed = {m.id for m in catalogue() if m.id}
    assert sorted(map(str, fresh - committed)) == []


def test_django_time_strings_are_translated():
    """The risk pages show how long a request waits with Django's timesince, whose msgids
    Django's own Vietnamese catalogue lacks ("%(num)d minute" changed in Django 4)."""
    with translation.override("vi"):
        now = timezone.now()
        assert timesince(now - timezone.timedelta(seconds=20), now) == "0\xa0phút"
        assert timesince(now - timezone.timedelta(hours=3, minutes=5), now) == \
            "3\xa0giờ, 5\xa0phút"


def test_the_flow_is_not_labelled_like_the_channel():
    from declarations.filters import DeclarationFilterSet
    from declarations.forms import DeclarationForm

    with translation.override("vi"):
        flow = str(DeclarationForm.base_fields["flow"].label)
        channel = str(DeclarationFilterSet.base_filters["channel"].label)
        filter_flow = str(DeclarationFilterSet.base_filters["flow"].label)
    assert channel == "Luồng"
    assert "luồng" not in flow.lower() and "luồng" not in filter_flow.lower()
    assert flow == "Nhập/Xuất"


def test_django_form_messages_read_well_in_vietnamese():
    from django import forms

    class Form(forms.Form):
        packages = forms.IntegerField(min_value=1)
        weight = forms.DecimalField(max_digits=5, decimal_places=2)

    with translation.override("vi"):
        errors = Form({"packages": "x", "weight": "1.234"}).errors
        assert errors["packages"] == ["Nhập một số nguyên."]
        assert errors["weight"] == ["Không được quá 2 chữ số thập phân."]
        assert Form({"packages": "0", "weight": "1"}).errors["packages"] == [
            "Giá trị phải lớn hơn hoặc bằng 1."]
