"""Packs are edited on the national administrator's pages (nhanxet, /nhan-xet/quy-dinh/); here they are read only."""

from django.contrib import admin

from .models import RegulationPack


@admin.register(RegulationPack)
class RegulationPackAdmin(admin.ModelAdmin):
    list_display = ["short_name", "version", "number", "in_force_from", "frozen_at"]
    readonly_fields = [f.name for f in RegulationPack._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
