"""Imports a user may see: those of the organisations whose members they manage."""

from django.shortcuts import get_object_or_404

from chibo.models import Organization
from chibo.permissions import MEMBER_WRITE_ROLES, path_q, scope_paths

from .models import ImportChange, ImportJob


def import_organizations(user):
    """Organisations whose member lists the user may import (their office's subtree)."""
    return Organization.objects.filter(path_q(scope_paths(user, MEMBER_WRITE_ROLES), "path"), is_active=True).order_by(
        "path"
    )


def imports_visible(user):
    return ImportJob.objects.filter(path_q(scope_paths(user, MEMBER_WRITE_ROLES), "organization__path")).select_related(
        "organization", "created_by"
    )


def import_get(user, pk) -> ImportJob:
    return get_object_or_404(imports_visible(user), pk=pk)


def import_changes(job, limit: int = 5000) -> list:
    """The rows an import wrote, each with its values as a reader sees them: [(change, [(field's
    name, value)])], the organisations and communes named (two queries whatever the rows)."""
    import datetime

    from django.utils.translation import gettext as _

    from chibo.models import Commune
    from dangvien.models import Member

    changes = list(ImportChange.objects.filter(job=job).select_related("member").order_by("row")[:limit])
    ids = {"organization": set(), "residence_commune": set()}
    for change in changes:
        for name in ids:
            if change.changes.get(name):
                ids[name].add(change.changes[name])
    names = {
        "organization": {pk: o.name for pk, o in Organization.objects.in_bulk(ids["organization"]).items()},
        "residence_commune": {pk: str(c) for pk, c in Commune.objects.in_bulk(ids["residence_commune"]).items()},
    }
    meta = Member._meta

    def shown(name, value):
        if name in names:
            return names[name].get(value, value)
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        field = meta.get_field(name)
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, str) and field.get_internal_type() == "DateField":
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        return value

    return [
        (
            change,
            [
                (meta.get_field(name).verbose_name, shown(name, value))
                for name, value in change.changes.items()
                if value not in (None, "", False)
            ],
        )
        for change in changes
    ]
