from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnlyAdmin

from .models import Member
from .selectors import member_visible


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Read-only in the admin: members are created and edited through the app's services."""

    list_display = ("full_name", "citizen_id", "status", "organization", "covered_213")
    list_filter = ("status", "covered_213")
    search_fields = ("search_name", "citizen_id", "card_number")
    list_select_related = ("organization",)
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request) & member_visible(request.user)
