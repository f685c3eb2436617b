"""Criteria sets are edited with their regulation pack (/nhan-xet/quy-dinh/); here they are read only."""

from django.contrib import admin

from .models import CriteriaSet, Criterion, RatingScheme
from .services import rating_scheme_delete, rating_scheme_save


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["order", "code", "duty", "evidence", "text", "levels"]

    def has_change_permission(self, request, obj=None):
        return False

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(CriteriaSet)
class CriteriaSetAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "use", "pack", "frozen_at"]
    list_filter = ["use", "pack"]
    inlines = [CriterionInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RatingScheme)
class RatingSchemeAdmin(admin.ModelAdmin):
    """A new rating regulation is a new scheme with the first year it rates; one in use is read-only."""

    list_display = ["short_name", "first_year", "score_max", "frozen_at"]
    readonly_fields = ["frozen_at"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_frozen)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.is_frozen)

    # Through the services: the levels and groups checked, an audit record for each change.
    def save_model(self, request, obj, form, change):
        rating_scheme_save(actor=request.user, scheme=obj, changed=list(form.changed_data))

    def delete_model(self, request, obj):
        rating_scheme_delete(actor=request.user, scheme=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            rating_scheme_delete(actor=request.user, scheme=obj)
