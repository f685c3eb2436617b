from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from chibo.permissions import READ_ROLES, path_q, scope_paths

from .models import Member


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    """Read-only in the admin: members are created and edited through the app's services."""

    list_display = ("full_name", "citizen_id", "status", "organization", "covered_213")
    list_filter = ("status", "covered_213")
    search_fields = ("search_name", "citizen_id", "card_number")
    list_select_related = ("organization",)
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(path_q(scope_paths(request.user, READ_ROLES), "org_path"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
