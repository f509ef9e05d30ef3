"""factory_boy factories of the reference domain."""

import random

import factory
from django.contrib.auth.hashers import make_password

from customs_core.choices import Role
from customs_core.models import Enterprise, User

_WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3]
PASSWORD = "test-pass-2026!"
_PASSWORD_HASH = None


def valid_tax_code(rng: random.Random | None = None, province: str = "57") -> str:
    """A random 10-digit Vietnamese tax code with a correct check digit."""
    rng = rng or random.Random()
    while True:
        base = province + "".join(str(rng.randrange(10)) for _ in range(7))
        check = 10 - sum(int(d) * w for d, w in zip(base, _WEIGHTS, strict=True)) % 11
        if 0 <= check <= 9:
            return base + str(check)


def _password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = make_password(PASSWORD)
    return _PASSWORD_HASH


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise
        django_get_or_create = ("tax_code",)

    tax_code = factory.LazyFunction(valid_tax_code)
    name = factory.Sequence(lambda n: f"Công ty TNHH Thương mại Thử nghiệm {n}")
    address = "Phường Ka Long, Móng Cái, Quảng Ninh"
    province = "Quảng Ninh"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.DOC_CHECK
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.LazyFunction(_password_hash)
    enterprise = None


class DeclarantFactory(UserFactory):
    role = Role.ENTERPRISE
    enterprise = factory.SubFactory(EnterpriseFactory)
