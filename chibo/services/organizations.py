"""Writes to the organisation tree, roles and administrative units."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from common.text import CHANGE_REASON_MAX, clean, normalize
from nhatky.services import audit_record, diff, snapshot

from ..models import Commune, Organization, OrganizationKind, Province, Role, RoleAssignment, Signatory
from ..permissions import can_manage_orgs, can_manage_signing
from ..units import load_kinds, load_units

ORG_FIELDS = (
    "kind",
    "side",
    "name",
    "short_name",
    "doc_abbreviation",
    "superior_name",
    "commune",
    "is_active",
    "doc_symbol_format",
    "place_name",
)
_TEXT_FIELDS = ("name", "short_name", "doc_abbreviation", "superior_name", "doc_symbol_format", "place_name")


def _prepare(org: Organization):
    for name in _TEXT_FIELDS:
        setattr(org, name, normalize(getattr(org, name) or ""))
    org.refresh_derived()
    org.full_clean(exclude=["path", "depth", "numchild"])


def _check_manage(actor, org):
    if actor is not None and not can_manage_orgs(actor, org):
        raise PermissionDenied(_("You may not change this organisation."))


def _check_signing(actor, org):
    if actor is not None and not can_manage_signing(actor, org):
        raise PermissionDenied(_("You may not change the stamp or signatories of this organisation."))


def organization_create(*, actor, parent: Organization | None, **fields) -> Organization:
    with transaction.atomic():
        org = Organization(**fields)
        if parent is None:
            if actor is not None and not actor.is_superuser:
                raise PermissionDenied(_("Only a national administrator may create a top-level organisation."))
            _prepare(org)
            org = Organization.objects.add_root(instance=org)
        else:
            parent = Organization.objects.select_for_update().get(pk=parent.pk)
            _check_manage(actor, parent)
            _prepare(org)
            org = Organization.objects.add_child(parent, instance=org)
        audit_record(actor=actor, action="organization.create", obj=org, changes=snapshot(org, ORG_FIELDS))
    return org


def organization_update(*, actor, org: Organization, reason: str = "", **fields) -> Organization:
    reason = clean(reason, "move_reason", multiline=True, max_length=CHANGE_REASON_MAX)
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        _check_manage(actor, org)
        before = snapshot(org, ORG_FIELDS)
        for name, value in fields.items():
            if name not in ORG_FIELDS:
                raise ValueError(name)
            setattr(org, name, value)
        _prepare(org)
        changes = diff(org, before, ORG_FIELDS)
        if changes:
            org._change_reason = reason
            org.save()
            audit_record(actor=actor, action="organization.update", obj=org, changes=changes, reason=reason)
    return org


def organization_move(*, actor, org: Organization, new_parent: Organization, reason: str = "") -> Organization:
    """Move a subtree under another organisation; members' copied paths follow in one statement."""
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        new_parent = Organization.objects.get(pk=new_parent.pk)
        if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
            raise ValidationError({"parent": _("An organisation cannot be moved under itself or its own child.")})
        _check_manage(actor, org)
        _check_manage(actor, new_parent)
        old_path, old_parent = org.path, Organization.objects.get_parent(org)
        if old_parent and old_parent.pk == new_parent.pk:
            return org
        Organization.objects.move(org, new_parent, pos="last-child")
        org = Organization.objects.get(pk=org.pk)
        _rewrite_member_paths(old_path, org.path)
        audit_record(
            actor=actor,
            action="organization.move",
            obj=org,
            reason=reason,
            changes={"parent": [old_parent.pk if old_parent else None, new_parent.pk], "path": [old_path, org.path]},
        )
    return org


def _rewrite_member_paths(old_prefix: str, new_prefix: str):
    from dangvien import namewords
    from dangvien.models import Member

    namewords.rewrite_paths(old_prefix, new_prefix)
    table = Member._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {table} SET org_path = %s || SUBSTR(org_path, %s) WHERE org_path LIKE %s",  # noqa: S608
            [new_prefix, len(old_prefix) + 1, old_prefix + "%"],
        )


def role_assign(*, actor, user, organization: Organization, role: str) -> RoleAssignment:
    with transaction.atomic():
        _check_manage(actor, organization)
        assignment, created = RoleAssignment.objects.get_or_create(user=user, organization=organization, role=role)
        if role == Role.ADMIN and not user.is_staff:
            # Administrators build their subtree in the Django admin, which needs staff status.
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        if created:
            audit_record(
                actor=actor,
                action="role.assign",
                obj=assignment,
                changes={"user": user.pk, "organization": organization.pk, "role": role},
            )
    return assignment


def role_revoke(*, actor, assignment: RoleAssignment, reason: str = "") -> None:
    with transaction.atomic():
        _check_manage(actor, assignment.organization)
        audit_record(
            actor=actor,
            action="role.revoke",
            obj=assignment,
            reason=reason,
            changes={"user": assignment.user_id, "organization": assignment.organization_id, "role": assignment.role},
        )
        assignment.delete()


def organization_kind_save(*, actor, kind: OrganizationKind, changed: list[str] | None = None) -> OrganizationKind:
    """Save a kind of organisation (national reference data: the national administrator only)."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only the national administrator changes the kinds of organisation."))
    with transaction.atomic():
        creating = kind.pk is None
        kind.full_clean()
        kind.save()
        audit_record(
            actor=actor,
            action="organization_kind.create" if creating else "organization_kind.update",
            obj=kind,
            changes={name: getattr(kind, name) for name in (changed or [])},
        )
    return kind


def admin_units_load() -> tuple[int, int]:
    """Load or refresh the organisation kinds and the official units; idempotent."""
    load_kinds(OrganizationKind)
    return load_units(Province, Commune)


def organization_stamp_set(*, actor, org: Organization, upload) -> Organization:
    """Replace the organisation's stamp image (documents already issued keep the one they used)."""
    from ..images import store_image

    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        _check_signing(actor, org)
        name = store_image(upload, "stamps")
        old, org.stamp_image = org.stamp_image, name
        org.save(update_fields=["stamp_image"])
        audit_record(actor=actor, action="organization.stamp", obj=org, changes={"stamp_image": [old, name]})
    return org


def signatory_save(
    *,
    actor,
    org: Organization,
    full_name: str,
    title: str,
    signature=None,
    signatory: Signatory | None = None,
    is_active: bool = True,
) -> Signatory:
    """Create or update a signatory, with an optional new signature image."""
    from ..images import store_image

    with transaction.atomic():
        _check_signing(actor, org)
        signatory = signatory or Signatory(organization=org)
        if signatory.organization_id != org.pk:
            raise PermissionDenied(_("This signatory belongs to another organisation."))
        signatory.full_name = normalize(full_name or "")
        signatory.title = title
        signatory.is_active = is_active
        if signature is not None:
            signatory.signature_image = store_image(signature, "signatures")
        signatory.full_clean()
        signatory.save()
        audit_record(
            actor=actor,
            action="signatory.save",
            obj=signatory,
            changes={
                "full_name": signatory.full_name,
                "title": title,
                "signature_image": signatory.signature_image,
                "is_active": is_active,
            },
        )
    return signatory
