"""The administrator's view of reminders: rule settings (days), what went out, and every delivery
with its status, so a bounced or malformed address is seen and can be sent again once corrected."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin

from .models import Delivery, DeliveryStatus, Reminder, ReminderRule
from .services import RULE_FIELDS, rule_update
from .services.deliveries import deliveries_retry, delivery_mark_bounced


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "is_active", "follows_pack", "first_days", "second_days", "updated_at"]
    list_editable = ["is_active", "follows_pack", "first_days", "second_days"]
    fields = ["code", *RULE_FIELDS, "updated_at"]
    readonly_fields = ["code", "updated_at"]

    def has_add_permission(self, request):
        return False  # a rule is code; its settings are data

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            rule_update(actor=request.user, rule=obj, data={name: getattr(obj, name) for name in RULE_FIELDS})
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["rule", "stage", "object_id", "due_date", "path", "created_at"]
    list_filter = ["rule", "stage"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["created_at", "channel", "address", "subject", "status", "attempts", "error"]
    list_filter = ["status", "channel"]
    search_fields = ["address"]
    actions = ["retry", "bounced"]
    show_full_result_count = False

    @admin.action(description=_("Send the selected failed deliveries again"))
    def retry(self, request, queryset):
        n = deliveries_retry(actor=request.user, ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(n)s deliveries queued again.") % {"n": n})

    @admin.action(description=_("Mark the selected deliveries as bounced"))
    def bounced(self, request, queryset):
        for delivery in queryset.exclude(status=DeliveryStatus.FAILED):
            delivery_mark_bounced(actor=request.user, delivery=delivery, reason=_("reported by the administrator"))
