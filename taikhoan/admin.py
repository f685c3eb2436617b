from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "email", "is_staff", "is_active")
    search_fields = ("username", "full_name", "email")
    fieldsets = BaseUserAdmin.fieldsets + ((_("Contact"), {"fields": ("full_name", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Contact"), {"fields": ("full_name", "phone", "email")}),)
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-step login (lost phone)"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        try:
            with transaction.atomic():
                for user in queryset:
                    services.two_factor_reset(actor=request.user, user=user, reason="admin")
        except PermissionDenied as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "Two-step login reset for %(n)d user: they set it up again at their next login.",
                "Two-step login reset for %(n)d users: they set it up again at their next login.",
                count,
            )
            % {"n": count},
            messages.SUCCESS,
        )
