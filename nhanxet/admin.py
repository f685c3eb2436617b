"""Criteria sets are data the national administrator edits here; a set in use is read-only."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import CriteriaSet, Criterion, RatingScheme


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["order", "code", "duty", "text", "levels"]

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_frozen

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(CriteriaSet)
class CriteriaSetAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "use", "regulation", "is_active", "frozen_at"]
    list_filter = ["use", "is_active"]
    inlines = [CriterionInline]
    actions = ["new_version", "activate"]
    readonly_fields = ["is_active", "frozen_at"]

    def has_change_permission(self, request, obj=None):
        # A version some form uses never changes: a new regulation is a new version.
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_frozen)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.is_frozen)

    @admin.action(description=_("Make a new version of the selected set"))
    def new_version(self, request, queryset):
        for criteria_set in queryset:
            new = services.criteria_set_new_version(actor=request.user, criteria_set=criteria_set)
            self.message_user(request, _("Version %(n)s created; edit it, then put it in force.") % {"n": new.version})

    @admin.action(description=_("Put the selected set in force"))
    def activate(self, request, queryset):
        for criteria_set in queryset:
            try:
                services.criteria_set_activate(actor=request.user, criteria_set=criteria_set)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)


@admin.register(RatingScheme)
class RatingSchemeAdmin(admin.ModelAdmin):
    """A new rating regulation is a new scheme with the first year it rates; one in use is read-only."""

    list_display = ["short_name", "first_year", "score_max", "frozen_at"]
    readonly_fields = ["frozen_at"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_frozen)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.is_frozen)
