from django.contrib import admin

from .models import Article, DeskMember, Rating, SupportRequest


@admin.register(DeskMember)
class DeskMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "is_leader", "active")
    list_filter = ("is_leader", "active")
    autocomplete_fields = ("user",)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Desk leaders write guidance here; the folded search text is rebuilt on save."""

    list_display = ("title_vi", "kind", "reference", "published", "updated_at")
    list_filter = ("kind", "published")
    search_fields = ("title_vi", "title_en", "reference")


@admin.register(SupportRequest)
class SupportRequestAdmin(admin.ModelAdmin):
    list_display = ("pk", "subject", "topic", "state", "enterprise", "assigned_to", "due_at")
    list_filter = ("state", "topic")
    readonly_fields = [f.name for f in SupportRequest._meta.fields]

    def has_add_permission(self, request):
        return False  # asked by enterprises through the pages and the API


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("declaration", "timeliness", "transparency", "attitude", "at")
    readonly_fields = [f.name for f in Rating._meta.fields]

    def has_add_permission(self, request):
        return False
