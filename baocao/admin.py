"""The administrator sees when each year's figures were last recomputed and how long it took
(the schedule itself is edited under Periodic tasks)."""

from django.contrib import admin

from common.admin import ReadOnlyAdmin

from .models import FiguresRefresh


@admin.register(FiguresRefresh)
class FiguresRefreshAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["year", "computed_at", "seconds", "organizations"]
