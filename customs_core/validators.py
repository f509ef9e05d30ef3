"""Validators for Vietnamese identifiers used across the apps."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.vn import mst


def validate_tax_code(value: str) -> None:
    """A Vietnamese tax code (MST): 10 digits, or 13 for a branch, with a valid check digit."""
    try:
        mst.validate(value)
    except stdnum_exceptions.InvalidChecksum as exc:
        raise ValidationError(_("Tax code %(code)s has a wrong check digit."),
                              code="tax_code_checksum", params={"code": value}) from exc
    except stdnum_exceptions.ValidationError as exc:
        raise ValidationError(_("A tax code has 10 digits, or 13 digits for a branch (%(code)s)."),
                              code="tax_code_format", params={"code": value}) from exc


def validate_hs_code(value: str) -> None:
    """An 8-digit Vietnamese national tariff line code."""
    if not (isinstance(value, str) and len(value) == 8 and value.isdigit()):
        raise ValidationError(_("An HS code has exactly 8 digits."), code="hs_code_format")
