import pytest
from django.core.exceptions import ValidationError

from customs_core.testing.factories import valid_tax_code
from customs_core.validators import validate_hs_code, validate_tax_code


@pytest.mark.parametrize("code", ["0100233583", "0100233583001", "5700100256"])
def test_valid_tax_codes_pass(code):
    validate_tax_code(code)


def test_generated_tax_codes_are_valid():
    for _ in range(200):
        validate_tax_code(valid_tax_code())


def test_tax_code_with_wrong_check_digit_is_refused():
    with pytest.raises(ValidationError) as info:
        validate_tax_code("0100233584")
    assert info.value.code == "tax_code_checksum"


@pytest.mark.parametrize("code", ["123", "01002335830", "abcdefghij", ""])
def test_tax_code_of_wrong_shape_is_refused(code):
    with pytest.raises(ValidationError) as info:
        validate_tax_code(code)
    assert info.value.code in {"tax_code_format", "tax_code_checksum"}


@pytest.mark.parametrize("code", ["0810601", "081060000", "0810.600", "abcdefgh"])
def test_hs_code_must_have_eight_digits(code):
    with pytest.raises(ValidationError):
        validate_hs_code(code)
