"""Fired criteria in the reader's language: a translated sentence per rule type (and per
system selection), built from the arguments the scoring stored with each hit.

The scoring stays pure and keeps an English `detail` in the record; an assessment stored
before hits carried `args` shows that detail as it is.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from customs_core.money import format_number

from .choices import RuleType

# Selections the engine makes itself: code (or code prefix), English name as stored, label.
SYSTEM_HITS = [
    ("min-random", "Minimum random selection", gettext_lazy("Minimum random selection")),
    ("post-audit-random", "Random post-clearance audit",
     gettext_lazy("Random post-clearance audit")),
    ("capacity-drop-", "Capacity ranking", gettext_lazy("Capacity ranking")),
    ("capacity-", "Capacity ranking", gettext_lazy("Capacity ranking")),
    ("topup-", "Capacity top-up", gettext_lazy("Capacity top-up")),  # assessments before ranking
    ("max-hits-", "Maximum hits with no selection",
     gettext_lazy("Maximum hits with no selection")),
    ("amendment-floor", "Amendment requested by an officer",
     gettext_lazy("Amendment requested by an officer")),
]
CHANNEL_SHARE = {"red": gettext_lazy("red channel"), "yellow": gettext_lazy("yellow channel")}


def _system(hit: dict) -> str | None:
    """The system selection this hit is (its code prefix), or None for a rule's hit."""
    code, name = hit.get("code", ""), hit.get("name")
    for prefix, english, _label in SYSTEM_HITS:
        if name == english and (code == prefix or prefix.endswith("-")
                                and code.startswith(prefix)):
            return prefix
    return None


def _number(value) -> str:
    try:
        return format_number(Decimal(str(value)), exact=True)
    except InvalidOperation:
        return str(value)


def _lines(pairs) -> str:
    return "; ".join(_("line %(line)s: %(value)s") % {"line": n, "value": value}
                     for n, value in pairs)


def _violations(a):
    period = ngettext("%(months)d month", "%(months)d months", a["months"]) % a
    text = ngettext("%(count)d violation in the last %(period)s",
                    "%(count)d violations in the last %(period)s",
                    a["count"]) % {"count": a["count"], "period": period}
    if a.get("latest"):  # assessments made before the date was kept have none
        latest = date_format(date.fromisoformat(a["latest"]), "SHORT_DATE_FORMAT")
        text += " " + _("(latest found %(date)s)") % {"date": latest}
    return text


def _valuation(a):
    return "; ".join(_("line %(line)s (%(hs_code)s): %(price)s USD, below the reference "
                       "%(reference)s USD") % {"line": n, "hs_code": code,
                                               "price": _number(price),
                                               "reference": _number(reference)}
                     for n, code, price, reference in a["lines"])


def _draw(a):
    return _("random draw %(draw)s, below the rate of %(percent)s%%") % {
        "draw": _number(a["draw"]), "percent": _number(a["percent"])}


def _capacity(a, *, raised: bool) -> str:
    values = {"channel": CHANNEL_SHARE.get(a["channel"], a["channel"]),
              "actual": _number(a["actual"]), "window": a["window"],
              "target": _number(a["target"]), "score": a["score"], "rank": a["rank"],
              "top": _number(a["top"])}
    if raised:
        text = _("%(channel)s %(actual)s%% of the last %(window)d decisions, below the "
                 "expected %(target)s%%; score %(score)s ranks %(rank)d of %(window)d, within "
                 "the top %(top)s%%") % values
    else:
        text = _("%(channel)s %(actual)s%% of the last %(window)d decisions, above the "
                 "ceiling of %(target)s%%; score %(score)s ranks %(rank)d of %(window)d, "
                 "outside the top %(top)s%%") % values
    if "draw" in a:
        text += " " + ngettext("(%(tied)d decision with the same score: random draw %(draw)s)",
                               "(%(tied)d decisions with the same score: random draw "
                               "%(draw)s)", a["tied"]) % {"tied": a["tied"],
                                                           "draw": _number(a["draw"])}
    return text


def _key_value(value: str) -> str:
    return " × ".join(str(value).split("|"))


def _profile(a) -> str:
    from .learning_labels import PROFILE_KEY_LABELS

    return ngettext("%(key)s %(value)s: %(violations)d violation in %(inspections)d "
                    "inspections, %(lift)s× the base rate",
                    "%(key)s %(value)s: %(violations)d violations in %(inspections)d "
                    "inspections, %(lift)s× the base rate", a["violations"]) % {
        "key": PROFILE_KEY_LABELS.get(a["key"], a["key"]), "value": _key_value(a["value"]),
        "violations": a["violations"], "inspections": a["inspections"],
        "lift": _number(round(Decimal(str(a["lift"])), 1))}


def _reason(r) -> str:
    from .learning_labels import FEATURE_GROUP_LABELS, PROFILE_KEY_LABELS

    group = r["group"]
    if group in PROFILE_KEY_LABELS:
        return _profile({**r, "key": group})
    if group == "unit_value":
        parts = []
        if r.get("vs_usual") is not None:
            parts.append(_("unit value %(ratio)s× the usual for HS %(hs6)s") % {
                "ratio": _number(round(Decimal(str(r["vs_usual"])), 2)), "hs6": r["hs6"]})
        if r.get("price_ratio") is not None:
            parts.append(_("lowest price %(ratio)s× the reference price") % {
                "ratio": _number(round(Decimal(str(r["price_ratio"])), 2))})
        return "; ".join(parts) or str(FEATURE_GROUP_LABELS["unit_value"])
    if group == "value":
        return _("declared value %(value)s USD") % {
            "value": _number(round(Decimal(str(r["value_usd"])), 0))}
    label = FEATURE_GROUP_LABELS.get(group, group.split(":", 1)[-1])
    value = r.get("value")
    return f"{label}: {_number(value) if isinstance(value, (int, float)) else value}"


def _model(a) -> str:
    text = _("model v%(version)s: probability %(probability)s%%, %(lift)s× the base rate") % {
        "version": a.get("version") or "-",
        "probability": _number(round(Decimal(str(a["probability"])) * 100, 1)),
        "lift": _number(round(Decimal(str(a["lift"])), 1))}
    reasons = [_reason(r) for r in a.get("reasons", [])]
    if reasons:
        text += "; " + _("because: %(reasons)s") % {"reasons": "; ".join(reasons)}
    return text


RULE_DETAILS = {
    RuleType.COMPLIANCE_HISTORY: _violations,
    RuleType.NEW_ENTERPRISE: lambda a: ngettext(
        "enterprise founded %(days)d day ago", "enterprise founded %(days)d days ago",
        a["days"]) % a,
    RuleType.PRIORITY_STATUS: lambda a: _("priority enterprise (AEO)"),
    RuleType.HS_WATCH: lambda a: _("HS code on the watch list: %(lines)s") % {
        "lines": _lines(a["lines"])},
    RuleType.ORIGIN_COUNTRY: lambda a: _("origin on the list: %(lines)s") % {
        "lines": _lines(a["lines"])},
    RuleType.TRADING_COUNTRY: lambda a: _("trading country %(country)s") % a,
    RuleType.VALUATION: _valuation,
    RuleType.REGIME: lambda a: _("regime %(regime)s") % a,
    RuleType.AMENDMENTS: lambda a: ngettext("%(count)d amendment", "%(count)d amendments",
                                            a["count"]) % a,
    RuleType.ENTERPRISE_LIST: lambda a: _("enterprise %(tax_code)s is on the list") % a,
    RuleType.RANDOM: _draw,
    RuleType.PROFILE: _profile,
    RuleType.MODEL: _model,
}
SYSTEM_DETAILS = {
    "min-random": _draw,
    "post-audit-random": _draw,
    "capacity-drop-": lambda a: _capacity(a, raised=False),
    "capacity-": lambda a: _capacity(a, raised=True),
    "topup-": lambda a: _("%(channel)s %(actual)s%% of the last %(window)d decisions, "
                          "expected %(expected)s%%") % {
        "channel": CHANNEL_SHARE.get(a["channel"], a["channel"]),
        "actual": _number(a["actual"]), "window": a["window"],
        "expected": _number(a["expected"])},
    "max-hits-": lambda a: ngettext("%(hits)d hit without a selection",
                                    "%(hits)d hits without a selection", a["hits"]) % a,
    "amendment-floor": lambda a: _("back in the %(channel)s of the check that asked for the "
                                   "amendment") % {
        "channel": CHANNEL_SHARE.get(a["channel"], a["channel"])},
}


def hit_name(hit: dict) -> str:
    """The criterion's name: a rule's own name (risk officers write it), or the system's."""
    system = _system(hit)
    if system is not None:
        return str(next(label for prefix, _english, label in SYSTEM_HITS if prefix == system))
    return hit.get("name", hit.get("code", ""))


def hit_detail(hit: dict) -> str:
    """Why it fired, in the active language; the stored English detail for old hits."""
    args = hit.get("args")
    system = _system(hit)
    render = SYSTEM_DETAILS.get(system) if system else RULE_DETAILS.get(hit.get("type"))
    if args is None or render is None:
        return hit.get("detail", "")
    try:
        return render(args)
    except (KeyError, TypeError, ValueError):  # arguments of another shape: show the record
        return hit.get("detail", "")
