from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin

from .models import AccessEvent, AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "object_id", "actor__username")
    list_select_related = ("actor",)
    date_hierarchy = "at"


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Who read whose data: filter by action and time, search by user name, or by member id
    (`=123`); a member's page links here with ?member_id=…"""

    list_display = ("at", "actor", "action", "member_id", "member_name", "path", "ip")
    list_filter = ("action", ("at", admin.DateFieldListFilter))
    search_fields = ("=member_id", "actor__username", "actor__full_name", "path")
    list_select_related = ("actor",)
    show_full_result_count = False

    def get_queryset(self, request):
        from django.db.models import OuterRef, Subquery

        from dangvien.models import Member

        name = Member.objects.filter(pk=OuterRef("member_id")).values("full_name")[:1]
        return super().get_queryset(request).annotate(member_name=Subquery(name))

    @admin.display(description=_("party member"))
    def member_name(self, event):
        # The log keeps only the id (it outlives the record): a member deleted since shows a dash.
        return event.member_name or "—"

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in ("member_id", "actor__id__exact", "actor") or super().lookup_allowed(lookup, value, request)
