"""Scoped reads of the organisation tree and reference data."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from common.text import fold

from .models import Commune, Organization, RoleAssignment, Side
from .permissions import MEMBER_WRITE_ROLES, READ_ROLES, path_q, scope_paths


def organization_visible(user, roles=READ_ROLES):
    return Organization.objects.filter(path_q(scope_paths(user, roles), "path"))


def organization_get(user, pk) -> Organization:
    """The organisation if the user may see it; 404 otherwise (same as a missing one)."""
    return get_object_or_404(organization_visible(user).select_related("kind", "commune__province"), pk=pk)


def organization_roots(user):
    """The tops of the user's scope, for the tree browser."""
    paths = scope_paths(user)
    qs = Organization.objects.select_related("kind")
    if paths is None:
        return qs.filter(depth=1).order_by("path")
    return qs.filter(path__in=paths).order_by("path")


def organization_children(user, org):
    return (
        organization_visible(user)
        .filter(path__startswith=org.path, depth=org.depth + 1)
        .select_related("kind")
        .order_by("path")
    )


def organization_ancestors_visible(user, org):
    """Breadcrumb: the ancestors the user may see, top first."""
    prefixes = [org.path[: i * org.steplen] for i in range(1, org.depth)]
    return list(organization_visible(user).filter(path__in=prefixes).order_by("depth"))


def organization_member_choices(user):
    """Workplace organisations where the user may manage members (form choices)."""
    return (
        organization_visible(user, MEMBER_WRITE_ROLES)
        .filter(side__in=[Side.WORKPLACE, Side.BOTH], is_active=True)
        .select_related("kind")
        .order_by("path")
    )


def organization_search(user, q: str, limit: int = 20):
    key = fold(q)
    return organization_visible(user).filter(search_name__contains=key).order_by("depth", "path")[:limit]


def commune_search(q: str, limit: int = 20):
    """Official communes by name without diacritics, or by code. Public reference data."""
    q = (q or "").strip()
    qs = Commune.objects.select_related("province")
    if q.isdigit():
        return qs.filter(code=int(q))[:limit]
    words = fold(q).split()
    if not words:
        return qs.none()
    cond = Q()
    for word in words:
        cond &= Q(search_name__contains=word)
    return qs.filter(cond).order_by("province_id", "name")[:limit]


def user_roles(user):
    return RoleAssignment.objects.filter(user=user).select_related("organization__kind").order_by("organization__path")
