"""Scoped reads of members. Every query a user makes about members starts here."""

import base64
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.shortcuts import get_object_or_404

from chibo.permissions import READ_ROLES, path_q, scope_paths
from common.text import fold
from nhatky.models import AuditEvent

from .models import Member


def member_visible(user, roles=READ_ROLES):
    return Member.objects.filter(path_q(scope_paths(user, roles), "org_path"))


def member_list(user, *, organization=None, status="", covered=None, q=""):
    """Members the user may see, filtered; ordered the Vietnamese way (given name first)."""
    qs = member_visible(user)
    if organization is not None:
        qs = qs.filter(org_path__startswith=organization.path)
    if status:
        qs = qs.filter(status=status)
    if covered is not None:
        qs = qs.filter(covered_213=covered)
    q = (q or "").strip()
    if q:
        if q.isdigit():
            qs = qs.filter(Q(citizen_id__startswith=q) | Q(card_number__startswith=q) | Q(phone__contains=q))
        else:
            for word in fold(q).split():
                qs = qs.filter(search_name__contains=word)
    return qs.select_related("organization").order_by("sort_key", "id")


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None
    prev_cursor: str | None
    count: int
    count_is_lower_bound: bool


def encode_cursor(member) -> str:
    return base64.urlsafe_b64encode(f"{member.sort_key}|{member.pk}".encode()).decode()


def decode_cursor(cursor: str):
    try:
        key, pk = base64.urlsafe_b64decode(cursor.encode()).decode().rsplit("|", 1)
        return key, int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


def member_page(qs, *, after: str = "", before: str = "", size: int | None = None) -> KeysetPage:
    """Keyset page over (sort_key, id): the same fixed queries at page 1 and page 10,000."""
    size = size or settings.MEMBER_LIST_PAGE_SIZE
    limit = settings.MEMBER_LIST_COUNT_LIMIT
    backwards = False
    if after and (pos := decode_cursor(after)):
        key, pk = pos
        qs_page = qs.filter(Q(sort_key__gt=key) | Q(sort_key=key, id__gt=pk))
    elif before and (pos := decode_cursor(before)):
        key, pk = pos
        qs_page = qs.filter(Q(sort_key__lt=key) | Q(sort_key=key, id__lt=pk)).order_by("-sort_key", "-id")
        backwards = True
    else:
        qs_page = qs
    rows = list(qs_page[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    at_start = not (after or before) or (backwards and not more)
    at_end = not backwards and not more
    # A bounded count: exact up to the limit, "more than" beyond it; never a full scan.
    count = qs.order_by()[: limit + 1].count()
    return KeysetPage(
        items=rows,
        next_cursor=encode_cursor(rows[-1]) if rows and not at_end else None,
        prev_cursor=encode_cursor(rows[0]) if rows and not at_start else None,
        count=min(count, limit),
        count_is_lower_bound=count > limit,
    )


def member_get(user, pk) -> Member:
    """The member if in the user's scope; 404 otherwise, exactly like a missing one."""
    qs = member_visible(user).select_related("organization__kind", "residence_commune__province")
    return get_object_or_404(qs, pk=pk)


def member_history(member, limit: int = 50):
    """Field-level history (simple-history) and audit events for the detail page."""
    records = list(member.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit])
    audits = list(
        AuditEvent.objects.filter(object_type=Member._meta.label_lower, object_id=str(member.pk)).select_related(
            "actor"
        )[:limit]
    )
    return records, audits
