from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin

from .models import ImportChange, ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """The import log: who imported which file into which organisation, and what it changed."""

    list_display = ["file_name", "organization", "created_by", "created_at", "status", "total_rows", "written_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["file_name", "organization__name", "created_by__username"]
    list_select_related = ["organization", "created_by"]
    readonly_fields = ["changes_link"]
    exclude = ["file"]

    @admin.display(description=_("changes"))
    def changes_link(self, obj):
        url = reverse("admin:nhapdulieu_importchange_changelist") + f"?job__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Rows this import wrote"))


@admin.register(ImportChange)
class ImportChangeAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["job", "row", "member", "action", "changes"]
    list_filter = ["action", "job"]
    list_select_related = ["job", "member"]
    search_fields = ["member__full_name", "member__citizen_id"]
    raw_id_fields = ["member"]
