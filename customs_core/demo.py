"""Demo data of the reference domain: one account per role, enterprises, weekly exchange rates.

For local demonstration only: every demo account shares DEMO_PASSWORD (README lists them).
"""

import json
import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from .choices import EnterpriseStatus, ExchangeRateSource, Role
from .models import Enterprise, ExchangeRate, User
from .reference_data import DATA_DIR
from .roles import SECOND_FACTOR_ROLES
from .selectors import week_start

DEMO_PASSWORD = "demo-customs-2026"

# username, role, full name, enterprise index (declarants only)
DEMO_ACCOUNTS = [
    ("declarant", Role.ENTERPRISE, "Nguyễn Thị Lan", 0),
    ("declarant2", Role.ENTERPRISE, "Trần Văn Hùng", 1),
    ("doccheck", Role.DOC_CHECK, "Phạm Minh Tuấn", None),
    ("inspector", Role.INSPECTION, "Lê Quang Huy", None),
    ("risk", Role.RISK, "Đỗ Thu Hà", None),
    ("teamlead", Role.TEAM_LEADER, "Vũ Đức Thắng", None),
    ("leader", Role.BRANCH_LEADER, "Hoàng Văn Nam", None),
    ("admin", Role.ADMIN, "Quản trị hệ thống", None),
    ("auditor", Role.AUDITOR, "Bùi Thanh Mai", None),
]

# VND per unit around the start of the demo history, and a weekly drift (customs rates are
# Vietcombank's transfer buying rate of the previous Thursday: DUTIES.md 1.3).
RATE_SEEDS = {
    "USD": (Decimal("24150"), 0.0005), "CNY": (Decimal("3340"), 0.0005),
    "EUR": (Decimal("26100"), 0.0007), "JPY": (Decimal("162.5"), -0.0002),
    "KRW": (Decimal("17.95"), 0.0001), "HKD": (Decimal("3080"), 0.0005),
    "THB": (Decimal("680"), 0.0004), "SGD": (Decimal("17850"), 0.0008),
    "GBP": (Decimal("30300"), 0.0007), "AUD": (Decimal("15900"), 0.0003),
}
HISTORY_WEEKS = 150  # a little under three years, enough for two years of declarations


def demo_enterprises_data() -> dict:
    return json.loads((DATA_DIR / "demo_enterprises.json").read_text(encoding="utf-8"))


@transaction.atomic
def enterprises_seed() -> list[Enterprise]:
    """The demo enterprises (idempotent by tax code); some are suspended, dissolved or in
    overdue tax debt, so VNACCS's registration block shows in the demo."""
    rows = demo_enterprises_data()["enterprises"]
    enterprises = []
    rng = random.Random(7)
    today = date.today()
    for row in rows:
        overdue_days = int(row.get("overdue_tax_debt_days") or 0)
        defaults = {
            "name": row["name_vi"], "address": row.get("address", ""),
            "province": row.get("province", ""), "is_priority": bool(row.get("is_priority")),
            "email": row.get("email", ""), "phone": row.get("phone", ""),
            "status": row.get("status", EnterpriseStatus.ACTIVE),
            "established_on": date(2005, 1, 1) + timedelta(days=rng.randrange(0, 6800)),
            "tax_debt_vnd": Decimal(184_500_000) if overdue_days else Decimal(0),
            "tax_debt_overdue_since": today - timedelta(days=overdue_days)
            if overdue_days else None,
        }
        enterprise, _ = Enterprise.objects.update_or_create(tax_code=row["tax_code"],
                                                            defaults=defaults)
        enterprises.append(enterprise)
    return enterprises


@transaction.atomic
def accounts_seed(enterprises: list[Enterprise]) -> list[User]:
    users = []
    for username, role, full_name, enterprise_index in DEMO_ACCOUNTS:
        last, _, first = full_name.rpartition(" ")
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"role": role, "first_name": first, "last_name": last,
                      "email": f"{username}@demo.customs.local",
                      "enterprise": enterprises[enterprise_index]
                      if enterprise_index is not None else None,
                      "is_staff": role == Role.ADMIN, "is_superuser": role == Role.ADMIN,
                      "is_enterprise_admin": role == Role.ENTERPRISE})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if role in SECOND_FACTOR_ROLES:
            demo_authenticator(user)
        users.append(user)
    return users


# The demo officers' authenticator key (public, like the demo password): add
# NVXW4Z3DMFUS2ZDFNVXS25DPORYC2MRW to an authenticator app, or print the current code with
# `manage.py demo_totp_code`. Never used outside demo data.
DEMO_TOTP_KEY = b"mongcai-demo-totp-26".hex()


def demo_authenticator(user: User) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .accounts.second_factor import AUTHENTICATOR

    TOTPDevice.objects.get_or_create(user=user, name=AUTHENTICATOR, confirmed=True,
                                     defaults={"key": DEMO_TOTP_KEY})


@transaction.atomic
def exchange_rates_seed(*, today: date | None = None, weeks: int = HISTORY_WEEKS) -> int:
    """Weekly customs rates for the demo history: a seeded random walk, reproducible."""
    current = week_start(today or date.today())
    first = current - timedelta(weeks=weeks)
    have = set(ExchangeRate.objects.filter(week_start__gte=first)
               .values_list("currency_id", "week_start"))
    rng = random.Random(2017)
    rows = []
    for currency, (start, drift) in RATE_SEEDS.items():
        value = float(start)
        for n in range(weeks + 1):
            week = first + timedelta(weeks=n)
            value *= 1 + drift + rng.gauss(0, 0.004)
            if (currency, week) in have:
                continue
            places = Decimal("0.01") if value < 100 else Decimal("1")
            rows.append(ExchangeRate(currency_id=currency, week_start=week,
                                     rate_vnd=Decimal(value).quantize(places, ROUND_HALF_UP),
                                     source=ExchangeRateSource.PUBLISHED))
    ExchangeRate.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def seed(*, options: dict, progress) -> dict[str, int]:
    """Called by seed_demo, first of the apps."""
    enterprises = enterprises_seed()
    users = accounts_seed(enterprises)
    rates = exchange_rates_seed()
    return {"enterprises": len(enterprises), "accounts": len(users), "exchange_rates": rates}
