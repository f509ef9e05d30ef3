"""Learned selection in words, in the reader's language: the profile keys, the model's features
and feature groups, the backtest's engines, and a profile's figures as one sentence. One place,
read by the learning pages and by the explanation of a declaration's selection (explain.py).

The pure core (risk/learning) names these with English codes ("hs6_origin", "number:lines",
"ruleset v3"); nothing here changes them, it only says them.
"""

import re
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from customs_core.money import format_number

# The profiled keys of learning/profiles.py KEYS.
PROFILE_KEY_LABELS = {
    "hs_line": gettext_lazy("HS line"),
    "hs6": gettext_lazy("HS6"),
    "hs6_origin": gettext_lazy("HS6 × origin"),
    "hs6_trading": gettext_lazy("HS6 × trading country"),
    "enterprise": gettext_lazy("Enterprise"),
    "enterprise_hs6": gettext_lazy("Enterprise × HS6"),
    "declarant": gettext_lazy("Declarant"),
    "gate": gettext_lazy("Border gate"),
    "partner": gettext_lazy("Foreign partner"),
}

# The model's feature groups other than the profile keys (learning/model.py Reason.group).
FEATURE_GROUP_LABELS = {
    "unit_value": gettext_lazy("Unit value"),
    "value": gettext_lazy("Value and quantity"),
    "number:lines": gettext_lazy("Number of goods lines"),
    "number:amendments": gettext_lazy("Number of amendments"),
    "number:priority": gettext_lazy("Priority enterprise (AEO)"),
    "number:enterprise_age_days": gettext_lazy("Age of the enterprise (days)"),
    "category:regime": gettext_lazy("Customs regime"),
}

# The single features that are not a profile key's or a number's (learning/model.py
# VALUE_FEATURES), and the group each belongs to.
VALUE_FEATURE_LABELS = {
    "log_value": (gettext_lazy("Customs value (log)"), "value"),
    "log_quantity": (gettext_lazy("Quantity (log)"), "value"),
    "log_unit_value": (gettext_lazy("Unit value (log)"), "unit_value"),
    "unit_value_vs_hs6": (gettext_lazy("Unit value against the usual for its HS6"),
                          "unit_value"),
    "price_ratio": (gettext_lazy("Lowest unit price against the reference price"),
                    "unit_value"),
}

ENGINE_LABELS = {
    "random": gettext_lazy("Random"),
    "learned": gettext_lazy("Learned model"),
}
RULESET_ENGINE = re.compile(r"^ruleset v(\d+)$")


def key_label(key: str) -> str:
    return str(PROFILE_KEY_LABELS.get(key, key))


def key_value(value: str) -> str:
    """A key's value as read: the pair keys join their parts with "|" ("870323|CN")."""
    return " × ".join(part for part in value.split("|"))


def feature_group(name: str) -> str:
    """The group a feature's contribution is added to (learning/model.py _group_of)."""
    if name.startswith(("rate:", "n:")):
        return name.split(":", 1)[1]
    if name in VALUE_FEATURE_LABELS:
        return VALUE_FEATURE_LABELS[name][1]
    return name


def group_label(group: str) -> str:
    """A feature group (a profile key or one of FEATURE_GROUP_LABELS) in words."""
    if group in PROFILE_KEY_LABELS:
        return key_label(group)
    if group in FEATURE_GROUP_LABELS:
        return str(FEATURE_GROUP_LABELS[group])
    kind, _sep, name = group.partition(":")
    if kind == "number" and name:
        return _("Figure “%(name)s”") % {"name": name.replace("_", " ")}
    if kind == "category" and name:
        return _("Category “%(name)s”") % {"name": name.replace("_", " ")}
    return group


def feature_label(name: str) -> str:
    """One feature of a model in words."""
    kind, _sep, rest = name.partition(":")
    if kind == "rate" and rest:
        return _("Violation rate by %(key)s") % {"key": key_label(rest)}
    if kind == "n" and rest:
        return _("Inspections by %(key)s (log)") % {"key": key_label(rest)}
    if name in VALUE_FEATURE_LABELS:
        return str(VALUE_FEATURE_LABELS[name][0])
    return group_label(name)


def engine_label(name: str) -> str:
    """A backtest engine's code ("random", "learned", "ruleset v3") in words."""
    if name in ENGINE_LABELS:
        return str(ENGINE_LABELS[name])
    match = RULESET_ENGINE.match(name)
    if match:
        return _("Ruleset v%(version)s") % {"version": match.group(1)}
    return name


def profile_sentence(*, key: str, value: str, violations: int, inspections: int,
                     lift: float, shown: str | None = None) -> str:
    """"HS6 × origin 870323 × CN: 12 violations in 41 inspections, 4.1× the base rate"
    (`shown`: the value as the reader knows it, e.g. a border gate's name for its id)."""
    found = ngettext("%(count)d violation", "%(count)d violations", violations) % {
        "count": violations}
    among = ngettext("in %(count)d inspection", "in %(count)d inspections", inspections) % {
        "count": inspections}
    return _("%(key)s %(value)s: %(violations)s %(inspections)s, %(lift)s× the base rate") % {
        "key": key_label(key), "value": shown or key_value(value), "violations": found,
        "inspections": among, "lift": format_number(Decimal(str(round(lift, 1))))}
