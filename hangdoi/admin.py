from django.contrib import admin

from common.admin import ReadOnlyAdmin

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["pk", "task", "created_at", "delivered_at", "attempts", "worker", "finished_at", "recoveries"]
    list_filter = ["task"]
    search_fields = ["task", "task_id"]
    date_hierarchy = "created_at"
    show_full_result_count = False
