"""Parameters of each rule type: what a risk officer may enter, validated before it is saved."""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import RuleEffect, RuleType

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_HS_PREFIX = re.compile(r"^\d{2,8}$")
_TAX_CODE = re.compile(r"^\d{10}(\d{3})?$")
_REGIME = re.compile(r"^[A-Z][0-9]{2}$")


def _int(params, name, *, minimum=0, maximum=1000, default=None):
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ValidationError({name: _("A whole number from %(min)d to %(max)d.")
                               % {"min": minimum, "max": maximum}})
    return value


def _percent(params, name):
    try:
        value = Decimal(str(params.get(name)))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({name: _("A percentage from 0 to 100.")}) from exc
    if not Decimal(0) <= value <= Decimal(100) or not value.is_finite():
        raise ValidationError({name: _("A percentage from 0 to 100.")})
    return str(value)


def _codes(params, name, pattern, message):
    values = params.get(name)
    if not isinstance(values, list) or not values or len(values) > 500:
        raise ValidationError({name: _("A list of 1 to 500 codes.")})
    cleaned = []
    for value in values:
        value = str(value).strip().upper().replace(".", "")
        if not pattern.match(value):
            raise ValidationError({name: message % {"value": value}})
        cleaned.append(value)
    return sorted(set(cleaned))


def _validate_compliance(p):
    return {"months": _int(p, "months", minimum=1, maximum=120, default=12),
            "min_violations": _int(p, "min_violations", minimum=1, maximum=100, default=1)}


def _validate_new_enterprise(p):
    return {"months": _int(p, "months", minimum=1, maximum=120, default=12)}


def _validate_nothing(p):
    return {}


def _validate_hs(p):
    return {"prefixes": _codes(p, "prefixes", _HS_PREFIX,
                               _("%(value)s is not an HS prefix of 2 to 8 digits."))}


def _validate_countries(p):
    return {"countries": _codes(p, "countries", _COUNTRY,
                                _("%(value)s is not an ISO country code."))}


def _validate_valuation(p):
    return {"tolerance_percent": _percent(p, "tolerance_percent")}


def _validate_regime(p):
    return {"regimes": _codes(p, "regimes", _REGIME, _("%(value)s is not a regime code."))}


def _validate_amendments(p):
    return {"min_amendments": _int(p, "min_amendments", minimum=1, maximum=9, default=1)}


def _validate_enterprises(p):
    return {"tax_codes": _codes(p, "tax_codes", _TAX_CODE,
                                _("%(value)s is not a tax code."))}


def _validate_random(p):
    return {"rate_percent": _percent(p, "rate_percent")}


def _validate_profile(p):
    from .learning.profiles import KEYS

    keys = p.get("keys", list(KEYS))
    if not isinstance(keys, list) or not keys or any(k not in KEYS for k in keys):
        raise ValidationError({"keys": _("Profile keys among: %(keys)s.")
                               % {"keys": ", ".join(KEYS)}})
    return {"keys": [k for k in KEYS if k in keys],
            "min_inspections": _int(p, "min_inspections", minimum=1, maximum=1000, default=5)}


VALIDATORS = {
    RuleType.COMPLIANCE_HISTORY: _validate_compliance,
    RuleType.NEW_ENTERPRISE: _validate_new_enterprise,
    RuleType.PRIORITY_STATUS: _validate_nothing,
    RuleType.HS_WATCH: _validate_hs,
    RuleType.ORIGIN_COUNTRY: _validate_countries,
    RuleType.TRADING_COUNTRY: _validate_countries,
    RuleType.VALUATION: _validate_valuation,
    RuleType.REGIME: _validate_regime,
    RuleType.AMENDMENTS: _validate_amendments,
    RuleType.ENTERPRISE_LIST: _validate_enterprises,
    RuleType.RANDOM: _validate_random,
    RuleType.PROFILE: _validate_profile,
    RuleType.MODEL: _validate_nothing,
}

# An example of valid parameters per type, shown in the editor.
EXAMPLES = {
    RuleType.COMPLIANCE_HISTORY: {"months": 12, "min_violations": 1},
    RuleType.NEW_ENTERPRISE: {"months": 12},
    RuleType.PRIORITY_STATUS: {},
    RuleType.HS_WATCH: {"prefixes": ["2710", "8703", "0303"]},
    RuleType.ORIGIN_COUNTRY: {"countries": ["KP"]},
    RuleType.TRADING_COUNTRY: {"countries": ["HK"]},
    RuleType.VALUATION: {"tolerance_percent": "30"},
    RuleType.REGIME: {"regimes": ["E21", "E31", "G11", "G12"]},
    RuleType.AMENDMENTS: {"min_amendments": 2},
    RuleType.ENTERPRISE_LIST: {"tax_codes": ["0100233583"]},
    RuleType.RANDOM: {"rate_percent": "2.5"},
    RuleType.PROFILE: {"keys": ["hs6_origin", "enterprise", "enterprise_hs6", "declarant"],
                       "min_inspections": 5},
    RuleType.MODEL: {},
}


def rule_params_clean(rule_type: str, effect: str, params) -> dict:
    """Validated, normalised parameters for a rule of this type, or ValidationError."""
    if rule_type not in VALIDATORS:
        raise ValidationError({"rule_type": _("Unknown rule type.")})
    if effect not in RuleEffect.values:
        raise ValidationError({"effect": _("Unknown effect.")})
    if not isinstance(params, dict):
        raise ValidationError({"params": _("Parameters are a JSON object.")})
    unknown = set(params) - set(EXAMPLES[rule_type])
    if unknown:
        raise ValidationError({"params": _("Unknown parameters: %(names)s.")
                               % {"names": ", ".join(sorted(unknown))}})
    if rule_type == RuleType.RANDOM and effect == RuleEffect.MANDATORY_RED:
        raise ValidationError({"effect": _("A random selection cannot force red.")})
    if rule_type in (RuleType.PROFILE, RuleType.MODEL) and effect != RuleEffect.POINTS:
        raise ValidationError({"effect": _("A learned criterion adds points (up to its "
                                           "points) to the score.")})
    return VALIDATORS[rule_type](params)
