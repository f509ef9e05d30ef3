"""Choices of the reference domain; labels are translated on screen."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise declarant")
    DOC_CHECK = "doc_check", _("Document-check officer")
    INSPECTION = "inspection", _("Inspection officer")
    RISK = "risk", _("Risk officer")
    TEAM_LEADER = "team_leader", _("Team leader")
    BRANCH_LEADER = "branch_leader", _("Branch leader")
    ADMIN = "admin", _("Administrator")
    AUDITOR = "auditor", _("Auditor")


class EnterpriseStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    DISSOLVED = "dissolved", _("Dissolved")


class WarehouseKind(models.TextChoices):
    BONDED_WAREHOUSE = "bonded_warehouse", _("Bonded warehouse")
    DUTY_FREE_SHOP = "duty_free_shop", _("Duty-free shop")


class CapacityUnit(models.TextChoices):
    SQUARE_METRES = "m2", _("m²")
    TONNES = "t", _("tonnes")


class WarehouseStatus(models.TextChoices):
    """Computed from the licence dates and the suspension (never stored)."""

    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    LICENCE_EXPIRED = "licence_expired", _("Licence expired")
    NOT_YET_LICENSED = "not_yet_licensed", _("Licence not yet in force")


class Flow(models.TextChoices):
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")


class TransportMode(models.TextChoices):
    ROAD = "road", _("Road")
    WATERWAY = "waterway", _("Inland waterway")
    SEA = "sea", _("Sea")
    RAIL = "rail", _("Rail")
    AIR = "air", _("Air")


class ExchangeRateSource(models.TextChoices):
    PUBLISHED = "published", _("Published by customs")
    CARRIED_FORWARD = "carried_forward", _("Carried forward from the previous week")


class Unit(models.TextChoices):
    """Units of quantity of the tariff (UN/ECE Recommendation 20 codes, as VNACCS uses)."""

    KGM = "KGM", _("Kilogram")
    TNE = "TNE", _("Tonne")
    UNT = "UNT", _("Unit")
    PCE = "PCE", _("Piece")
    LTR = "LTR", _("Litre")
    MTK = "MTK", _("Square metre")
    MTQ = "MTQ", _("Cubic metre")
    PR = "PR", _("Pair")
    SET = "SET", _("Set")
    PK = "PK", _("Package")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Day off")
    WORKING_DAY = "working_day", _("Working day")
