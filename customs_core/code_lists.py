"""Named code lists (the enumerations a client sends: incoterms, document types, units...) with
their Vietnamese and English labels, served by GET /api/v1/code-lists/{name}/.

customs_core registers its own; the apps above register theirs from AppConfig.ready(), so this
module never imports them.
"""

from django.db.models import TextChoices
from django.utils import translation

CODE_LISTS: dict[str, type[TextChoices]] = {}


def register(name: str, choices: type[TextChoices]) -> None:
    CODE_LISTS[name] = choices


def code_list_entries(name: str) -> list[dict] | None:
    """[{code, label_vi, label_en}] of a registered list, or None."""
    choices = CODE_LISTS.get(name)
    if choices is None:
        return None
    entries = []
    for value, label in choices.choices:
        with translation.override("vi"):
            label_vi = str(label)
        with translation.override("en"):
            label_en = str(label)
        entries.append({"code": value, "label_vi": label_vi, "label_en": label_en})
    return entries
