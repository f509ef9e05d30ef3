from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    BondedWarehouse,
    BorderGate,
    CalendarDay,
    Country,
    Currency,
    CustomsOffice,
    Enterprise,
    ExchangeRate,
    InspectionSite,
    Regime,
    TariffLine,
    TariffRate,
    User,
    WorkingPeriod,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "get_full_name", "role", "enterprise", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = [*BaseUserAdmin.fieldsets,
                 (_("Customs"), {"fields": ["role", "enterprise", "is_enterprise_admin",
                                            "language"]})]
    autocomplete_fields = ["enterprise"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["tax_code", "name", "status", "is_priority", "tax_debt_vnd"]
    list_filter = ["status", "is_priority"]
    search_fields = ["tax_code", "name"]


class TariffRateInline(admin.TabularInline):
    model = TariffRate
    extra = 0


@admin.register(TariffLine)
class TariffLineAdmin(admin.ModelAdmin):
    list_display = ["hs_code", "description_vi", "unit"]
    search_fields = ["hs_code", "description_vi", "description_en"]
    inlines = [TariffRateInline]
    raw_id_fields = ["subheading"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "week_start", "rate_vnd", "source"]
    list_filter = ["currency", "source"]
    date_hierarchy = "week_start"


for model in (CustomsOffice, BorderGate, InspectionSite, BondedWarehouse, Regime, Country,
              Currency):
    admin.site.register(model, search_fields=["code", "name_vi", "name_en"])


@admin.register(WorkingPeriod)
class WorkingPeriodAdmin(admin.ModelAdmin):
    list_display = ["weekday", "start", "end"]
    list_filter = ["weekday"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Extra days off (the year's Tết break) and working days the official calendar lacks."""

    list_display = ["date", "kind", "name", "hours_of"]
    list_filter = ["kind"]
    date_hierarchy = "date"
