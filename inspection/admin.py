from django.contrib import admin

from .models import Check, ConflictOfInterest, GateExit, Team, TeamMember


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    autocomplete_fields = ["officer"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "name_en", "leader"]
    filter_horizontal = ["border_gates", "sites"]
    autocomplete_fields = ["leader"]
    inlines = [TeamMemberInline]


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    list_display = ["officer", "team", "on_duty", "daily_capacity_points"]
    list_editable = ["on_duty", "daily_capacity_points"]
    list_filter = ["team", "on_duty"]
    autocomplete_fields = ["officer"]


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(admin.ModelAdmin):
    list_display = ["officer", "enterprise", "reason", "declared_at"]
    autocomplete_fields = ["officer", "enterprise"]
    search_fields = ["enterprise__name", "enterprise__tax_code", "officer__username"]


class _ReadOnly(admin.ModelAdmin):
    """Written by inspection.services only (every change leaves an event): read here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Check)
class CheckAdmin(_ReadOnly):
    list_display = ["declaration", "kind", "state", "team", "officer", "points", "opened_at",
                    "due_at", "outcome"]
    list_filter = ["kind", "state", "team", "outcome"]
    search_fields = ["declaration__number"]
    list_select_related = ["declaration", "team", "officer"]


@admin.register(GateExit)
class GateExitAdmin(_ReadOnly):
    list_display = ["declaration", "border_gate", "vehicle", "container", "officer", "at"]
    search_fields = ["declaration__number", "vehicle", "container"]
    list_select_related = ["declaration", "border_gate", "officer"]
