"""Reference domain shared by every app: users and roles, enterprises, places, tariff, money."""

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from stdnum.vn import mst

from .choices import (
    CalendarDayKind,
    CapacityUnit,
    EnterpriseStatus,
    ExchangeRateSource,
    Flow,
    Role,
    WarehouseKind,
    WarehouseStatus,
    Weekday,
)
from .roles import OFFICER_ROLES
from .validators import validate_hs_code, validate_tax_code

# VNACCS refuses registration when tax debt is overdue by more than this many days.
TAX_DEBT_BLOCKING_DAYS = 90


class BilingualName(models.Model):
    """Abstract: a Vietnamese and an English name, shown in the active language."""

    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "vi").startswith("en") else self.name_vi


class Enterprise(models.Model):
    """A company that declares goods: identified by its Vietnamese tax code."""

    tax_code = models.CharField(_("tax code"), max_length=13, unique=True,
                                validators=[validate_tax_code])
    name = models.CharField(_("name"), max_length=255)
    address = models.CharField(_("address"), max_length=255, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_priority = models.BooleanField(_("priority enterprise (AEO)"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=EnterpriseStatus.choices,
                              default=EnterpriseStatus.ACTIVE)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    tax_debt_vnd = models.DecimalField(_("overdue tax debt (VND)"), max_digits=18, decimal_places=0,
                                       default=Decimal(0), validators=[MinValueValidator(0)])
    tax_debt_overdue_since = models.DateField(_("tax debt overdue since"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=EnterpriseStatus.values),
                                   name="enterprise_status_valid"),
            models.CheckConstraint(condition=Q(tax_debt_vnd__gte=0), name="enterprise_debt_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.tax_code})"

    def tax_debt_overdue_days(self, on: date) -> int:
        if not self.tax_debt_vnd or not self.tax_debt_overdue_since:
            return 0
        return max((on - self.tax_debt_overdue_since).days, 0)

    def registration_block(self, on: date) -> str | None:
        """Why VNACCS would refuse a declaration of this enterprise on that day, or None."""
        if not mst.is_valid(self.tax_code):
            return "tax_code_invalid"
        if self.status == EnterpriseStatus.SUSPENDED:
            return "enterprise_suspended"
        if self.status == EnterpriseStatus.DISSOLVED:
            return "enterprise_dissolved"
        if self.tax_debt_overdue_days(on) > TAX_DEBT_BLOCKING_DAYS:
            return "tax_debt_overdue"
        return None


class User(AbstractUser):
    """A person who logs in: an enterprise declarant or an officer of the branch."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.ENTERPRISE)
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="users")
    language = models.CharField(_("language"), max_length=8, default="vi",
                                choices=[("vi", "Tiếng Việt"), ("en", "English")])
    # An enterprise's administrator manages its integration tokens (enterprise users only).
    is_enterprise_admin = models.BooleanField(_("enterprise administrator"), default=False)
    # "Sign out everywhere": a session opened before this moment is no longer valid.
    sessions_revoked_at = models.DateTimeField(_("sessions revoked at"), null=True, blank=True,
                                               editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
            # A declarant always acts for one enterprise; an officer never does.
            models.CheckConstraint(
                condition=(Q(role=Role.ENTERPRISE, enterprise__isnull=False)
                           | (~Q(role=Role.ENTERPRISE) & Q(enterprise__isnull=True))),
                name="user_enterprise_matches_role"),
        ]

    def _get_session_auth_hash(self, secret=None):
        """Django's hash of the password, plus the moment of "sign out everywhere": changing
        either ends every session (Django checks the hash on each request). Without a revocation
        the hash is Django's own, so existing sessions survive an upgrade."""
        revoked = self.sessions_revoked_at.isoformat() if self.sessions_revoked_at else ""
        return salted_hmac("django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
                           self.password + revoked, secret=secret, algorithm="sha256").hexdigest()

    def get_full_name(self) -> str:
        """Vietnamese order: family name first ("Nguyễn Thị Lan")."""
        return f"{self.last_name} {self.first_name}".strip()

    @property
    def is_officer(self) -> bool:
        return self.role in OFFICER_ROLES

    @property
    def is_declarant(self) -> bool:
        return self.role == Role.ENTERPRISE


class CustomsOffice(BilingualName):
    """A customs branch (Chi cục), identified by its VNACCS office code."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    province = models.CharField(_("province"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("customs office")
        verbose_name_plural = _("customs offices")


class BorderGate(BilingualName):
    """A border gate or crossing under a customs office."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    office = models.ForeignKey(CustomsOffice, on_delete=models.PROTECT, related_name="border_gates")
    kind = models.CharField(_("kind"), max_length=32, blank=True)
    transport_modes = models.JSONField(_("transport modes"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("border gate")
        verbose_name_plural = _("border gates")


class InspectionSite(BilingualName):
    """A place where goods are physically inspected."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    office = models.ForeignKey(CustomsOffice, on_delete=models.PROTECT,
                               related_name="inspection_sites")
    border_gate = models.ForeignKey(BorderGate, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="inspection_sites")

    class Meta:
        ordering = ["code"]
        verbose_name = _("inspection site")
        verbose_name_plural = _("inspection sites")


class BondedWarehouse(BilingualName):
    """A bonded warehouse or duty-free shop licensed by the branch (its stock ledger lives in
    inspection.warehouses). Its status is computed from the licence dates and a suspension."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    office = models.ForeignKey(CustomsOffice, on_delete=models.PROTECT,
                               related_name="bonded_warehouses")
    kind = models.CharField(_("kind"), max_length=20, choices=WarehouseKind.choices,
                            default=WarehouseKind.BONDED_WAREHOUSE)
    operator = models.ForeignKey(Enterprise, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="operated_warehouses", verbose_name=_("operator"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), default=0)
    capacity_unit = models.CharField(_("capacity unit"), max_length=2,
                                     choices=CapacityUnit.choices,
                                     default=CapacityUnit.SQUARE_METRES)
    licence_number = models.CharField(_("licence number"), max_length=40, blank=True)
    licence_valid_from = models.DateField(_("licence valid from"), null=True, blank=True)
    licence_valid_to = models.DateField(_("licence valid to"), null=True, blank=True)
    suspended_since = models.DateField(_("suspended since"), null=True, blank=True)
    suspension_reason = models.CharField(_("reason for the suspension"), max_length=500,
                                         blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("bonded warehouse")
        verbose_name_plural = _("bonded warehouses")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=WarehouseKind.values),
                                   name="warehouse_kind_valid"),
            models.CheckConstraint(condition=Q(capacity_unit__in=CapacityUnit.values),
                                   name="warehouse_capacity_unit_valid"),
            models.CheckConstraint(condition=Q(licence_valid_to__isnull=True)
                                   | Q(licence_valid_from__isnull=True)
                                   | Q(licence_valid_to__gte=F("licence_valid_from")),
                                   name="warehouse_licence_dates_ordered"),
        ]

    def status_on(self, day: date) -> str:
        """Active, suspended, or outside its licence's dates on `day`."""
        if self.suspended_since and self.suspended_since <= day:
            return WarehouseStatus.SUSPENDED
        if self.licence_valid_to and day > self.licence_valid_to:
            return WarehouseStatus.LICENCE_EXPIRED
        if self.licence_valid_from and day < self.licence_valid_from:
            return WarehouseStatus.NOT_YET_LICENSED
        return WarehouseStatus.ACTIVE

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return WarehouseStatus(self.status).label


class Regime(BilingualName):
    """A VNACCS customs type code (loại hình) and what it requires."""

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    flow = models.CharField(_("flow"), max_length=8, choices=Flow.choices)
    requires_bonded_warehouse = models.BooleanField(default=False)
    duty_exempt = models.BooleanField(default=False)
    duty_free_at_entry = models.BooleanField(default=False)
    requires_licence = models.BooleanField(default=False)
    requires_contract = models.BooleanField(default=False)
    processing = models.BooleanField(default=False)
    temporary = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("customs regime")
        verbose_name_plural = _("customs regimes")
        constraints = [models.CheckConstraint(condition=Q(flow__in=Flow.values),
                                              name="regime_flow_valid")]


class Country(BilingualName):
    """An ISO 3166-1 country (loaded from pycountry)."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    alpha_3 = models.CharField(max_length=3, unique=True)
    # Free-trade agreements under which goods of this origin may claim a preferential rate.
    fta_memberships = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")


class Currency(BilingualName):
    """An ISO 4217 currency (loaded from pycountry); decimals come from Babel's CLDR data."""

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    decimals = models.PositiveSmallIntegerField(default=2)

    class Meta:
        ordering = ["code"]
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")


class ExchangeRate(models.Model):
    """The customs exchange rate of one currency for one week (Monday to Sunday), in VND."""

    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="rates")
    week_start = models.DateField(_("week starting"))
    rate_vnd = models.DecimalField(_("VND per unit"), max_digits=18, decimal_places=4,
                                   validators=[MinValueValidator(Decimal("0.0001"))])
    source = models.CharField(max_length=20, choices=ExchangeRateSource.choices,
                              default=ExchangeRateSource.PUBLISHED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week_start", "currency"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "week_start"],
                                    name="exchange_rate_one_per_week"),
            models.CheckConstraint(condition=Q(rate_vnd__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency_id} {self.week_start}: {self.rate_vnd}"


class HsNomenclature(models.Model):
    """The WCO HS 2022 nomenclature: chapters (2), headings (4), subheadings (6 digits)."""

    code = models.CharField(max_length=6, primary_key=True)
    level = models.PositiveSmallIntegerField()
    section = models.CharField(max_length=5)
    description = models.TextField()
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("HS 2022 nomenclature entry")

    def __str__(self) -> str:
        return f"{self.code} {self.description[:60]}"


class TariffLine(models.Model):
    """An 8-digit line of Vietnam's import/export tariff (AHTN-based)."""

    hs_code = models.CharField(_("HS code"), max_length=8, unique=True,
                               validators=[validate_hs_code])
    subheading = models.ForeignKey(HsNomenclature, on_delete=models.PROTECT,
                                   related_name="tariff_lines")
    description_vi = models.TextField(_("description (Vietnamese)"))
    description_en = models.TextField(_("description (English)"))
    unit = models.CharField(_("unit"), max_length=8)
    reference_unit_price_usd = models.DecimalField(max_digits=14, decimal_places=4, null=True,
                                                   blank=True)

    class Meta:
        ordering = ["hs_code"]
        verbose_name = _("tariff line")
        verbose_name_plural = _("tariff lines")

    def __str__(self) -> str:
        return f"{self.hs_code} {self.description}"

    @property
    def chapter(self) -> str:
        return self.hs_code[:2]

    @property
    def description(self) -> str:
        return self.description_en if (get_language() or "vi").startswith("en") \
            else self.description_vi


class TariffRate(models.Model):
    """Rates of one tariff line in force from a date (laws change on 1 January)."""

    tariff_line = models.ForeignKey(TariffLine, on_delete=models.CASCADE, related_name="rates")
    valid_from = models.DateField(_("valid from"))
    mfn_rate = models.DecimalField(_("MFN rate (%)"), max_digits=6, decimal_places=2)
    acfta_rate = models.DecimalField(_("ACFTA rate (%)"), max_digits=6, decimal_places=2,
                                     null=True, blank=True)
    atiga_rate = models.DecimalField(_("ATIGA rate (%)"), max_digits=6, decimal_places=2,
                                     null=True, blank=True)
    # None: the line is not subject to VAT (KCT).
    vat_rate = models.DecimalField(_("VAT (%)"), max_digits=5, decimal_places=2, null=True,
                                   blank=True)
    sct_rate = models.DecimalField(_("special consumption tax (%)"), max_digits=6,
                                   decimal_places=2, null=True, blank=True)
    ept_vnd_per_unit = models.DecimalField(_("environmental protection tax (VND per unit)"),
                                           max_digits=14, decimal_places=2, null=True, blank=True)
    ept_unit = models.CharField(max_length=8, blank=True)
    export_rate = models.DecimalField(_("export duty (%)"), max_digits=6, decimal_places=2,
                                      null=True, blank=True)

    class Meta:
        ordering = ["tariff_line", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["tariff_line", "valid_from"],
                                    name="tariff_rate_one_per_date"),
            models.CheckConstraint(condition=Q(mfn_rate__gte=0), name="tariff_mfn_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.tariff_line_id} from {self.valid_from}"


class WorkingPeriod(models.Model):
    """One span of the branch's working hours on a weekday (07:30-11:30, 13:00-17:00...).
    Legal clocks (a document check within 2 working hours, an inspection within 8) and the
    partnership desk's due times count on these."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")),
                                   name="working_period_ordered"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6),
                                   name="working_period_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class CalendarDay(models.Model):
    """A day that is not what the weekly hours and the public-holiday calendar say: an extra
    day off (the Government's Tết break is set each year), or a working day (a Saturday made
    up for a bridge holiday), worked with the hours of `hours_of`."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    hours_of = models.PositiveSmallIntegerField(_("with the hours of"), choices=Weekday.choices,
                                                default=Weekday.MONDAY)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [models.CheckConstraint(condition=Q(kind__in=CalendarDayKind.values),
                                              name="calendar_day_kind_valid")]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}"
