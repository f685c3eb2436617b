"""Admin for administrators: every save goes through the services (audit, tree moves)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin

from . import services
from .forms import OrganizationAdminForm
from .models import Commune, Organization, OrganizationKind, PartyGroup, Province, RoleAssignment, Signatory
from .permissions import ORG_WRITE_ROLES, path_q, scope_paths


def _is_org_admin(request) -> bool:
    """Superusers, and users holding the administrator role somewhere (their subtree)."""
    paths = scope_paths(request.user, ORG_WRITE_ROLES)
    return paths is None or bool(paths)


class RoleBasedPermissions:
    """Admin permissions follow the administrator role, not Django's per-model permissions."""

    def has_module_permission(self, request):
        return _is_org_admin(request)

    def has_view_permission(self, request, obj=None):
        return _is_org_admin(request)

    def has_add_permission(self, request, *args):
        return _is_org_admin(request)

    def has_change_permission(self, request, obj=None):
        return _is_org_admin(request)

    def has_delete_permission(self, request, obj=None):
        return _is_org_admin(request)


class ScopedAdminMixin(RoleBasedPermissions):
    """Non-superuser administrators see only their subtree in the admin too."""

    scope_field = "path"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(path_q(scope_paths(request.user, ORG_WRITE_ROLES), self.scope_field))


@admin.register(Province)
class ProvinceAdmin(ReadOnlyAdmin, RoleBasedPermissions, admin.ModelAdmin):
    list_display = ("code", "name", "division_type")
    search_fields = ("name", "search_name", "code")


@admin.register(Commune)
class CommuneAdmin(ProvinceAdmin):
    list_display = ("code", "name", "division_type", "province")
    list_filter = ("province",)
    list_select_related = ("province",)


@admin.register(OrganizationKind)
class OrganizationKindAdmin(admin.ModelAdmin):
    """National reference data: the national administrator edits it, through the audited service."""

    list_display = ("name", "code", "is_committee", "default_abbreviation", "order")

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.organization_kind_save(actor=request.user, kind=obj, changed=list(form.changed_data))


class SignatoryInline(ReadOnlyAdmin, RoleBasedPermissions, admin.TabularInline):
    """Shown for reference; signatories are kept on the organisation's signing page, whose
    service checks the signature image and writes the audit record."""

    model = Signatory
    extra = 0
    fields = ("full_name", "title", "is_active")
    readonly_fields = fields


class RoleInline(RoleBasedPermissions, admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "role")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = OrganizationAdminForm
    list_display = ("indented_name", "kind", "side", "doc_abbreviation", "is_active")
    list_filter = ("side", "kind", "is_active")
    search_fields = ("name", "search_name", "short_name")
    list_select_related = ("kind",)
    ordering = ("path",)
    inlines = [SignatoryInline, RoleInline]
    list_per_page = 100

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj):
        return f"{'— ' * (obj.depth - 1)}{obj.name}"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["parent"].queryset = self.get_queryset(request)
        form.actor = request.user
        return form

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.ORG_FIELDS}
        parent = form.cleaned_data["parent"]
        reason = form.cleaned_data.get("move_reason", "")
        try:
            with transaction.atomic():
                if not change:
                    saved = services.organization_create(actor=request.user, parent=parent, **data)
                else:
                    saved = services.organization_update(actor=request.user, org=obj, reason=reason, **data)
                    current_parent = Organization.objects.get_parent(saved)
                    if parent and (current_parent is None or current_parent.pk != parent.pk):
                        saved = services.organization_move(
                            actor=request.user,
                            org=saved,
                            new_parent=parent,
                            reason=reason,
                        )
        except (ValidationError, PermissionDenied) as exc:
            # The form checks the same rules first; this is a race with another administrator.
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
            raise
        obj.pk = saved.pk
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})

    def save_formset(self, request, form, formset, change):
        if formset.model is RoleAssignment:
            # commit=False only collects what changed; the services do the writes.
            new_objects = formset.save(commit=False)
            for obj in formset.deleted_objects:
                services.role_revoke(actor=request.user, assignment=obj)
            for obj in new_objects:
                services.role_assign(actor=request.user, user=obj.user, organization=form.instance, role=obj.role)
            return
        # Every other inline here is read-only; commit=False writes nothing but gives the admin
        # the (empty) lists of changes it reads for its history message.
        formset.save(commit=False)

    def delete_model(self, request, obj):
        raise PermissionDenied(_("Organisations are deactivated, never deleted: history must be kept."))

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_field = "organization__path"
    list_display = ("user", "role", "organization", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__full_name", "organization__name")
    autocomplete_fields = ("user", "organization")
    list_select_related = ("user", "organization")

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = services.role_assign(actor=request.user, user=obj.user, organization=obj.organization, role=obj.role)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.role_revoke(actor=request.user, assignment=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.role_revoke(actor=request.user, assignment=obj)


@admin.register(PartyGroup)
class PartyGroupAdmin(ReadOnlyAdmin, ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: groups are made, renamed, led and emptied on the branch's page (its services
    check the leader's account and keep a group in its branch)."""

    scope_field = "branch__path"
    list_display = ("name", "branch", "leader")
    list_select_related = ("branch", "leader")
    search_fields = ("name", "branch__name")
