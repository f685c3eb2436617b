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


def import_changes(job):
    return ImportChange.objects.filter(job=job).select_related("member").order_by("row")
