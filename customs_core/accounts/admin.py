from django.contrib import admin

from .models import IntegrationToken


@admin.register(IntegrationToken)
class IntegrationTokenAdmin(admin.ModelAdmin):
    """Read-only: tokens are issued and revoked by the enterprise's administrator on the site;
    the secret is never stored, so there is nothing here to leak."""

    list_display = ["name", "prefix", "enterprise", "acting_user", "created_at", "expires_at",
                    "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "enterprise__tax_code", "enterprise__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
