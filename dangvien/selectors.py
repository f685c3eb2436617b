"""Scoped reads of members. Every query a user makes about members starts here."""

import base64
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import CharField, Q, Value
from django.db.models.functions import Concat
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from chibo.permissions import READ_ROLES, path_q, scope_paths
from common.text import fold
from nhatky.models import AuditEvent

from . import namewords
from .models import Member, MemberNameWord, NameWord


def member_visible(user, roles=READ_ROLES):
    return Member.objects.filter(path_q(scope_paths(user, roles), "org_path"))


# The `covered` filter's third value: covered members still owed an introduction letter.
AWAITING_LETTER = "letter"


def awaiting_letter(qs=None, *, since_on_or_before=None):
    """Covered members owed an introduction letter: none out or in force, not exempt from being
    introduced. The letter reminders, their digest and the member list's filter all use this."""
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from .models import INTRODUCED_STATES, ExemptionKind, ResidenceLink

    today = timezone.localdate()
    qs = (Member.objects.all() if qs is None else qs).filter(covered_213=True, awaiting_letter_since__isnull=False)
    if since_on_or_before is not None:
        qs = qs.filter(awaiting_letter_since__lte=since_on_or_before)
    has_letter = ResidenceLink.objects.filter(member=OuterRef("pk"), state__in=INTRODUCED_STATES)
    not_introduced = exemptions_on(today).filter(member=OuterRef("pk"), kind=ExemptionKind.NOT_INTRODUCED)
    return qs.filter(~Exists(has_letter), ~Exists(not_introduced))


def letters_not_received(*, days: int, today):
    """Links whose letter went out and was not received within `days` days of its issue day: the
    letter reminders, their digest and the boards' figures all use this."""
    import datetime

    from django.utils import timezone

    from .models import LinkState, ResidenceLink

    before = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=days - 1), datetime.time.min)
    )
    return ResidenceLink.objects.filter(state=LinkState.LETTER_ISSUED, letter__issued_at__lt=before)


def member_list(user, *, organization=None, status="", covered=None, q=""):
    """Members the user may see, filtered; ordered the Vietnamese way (given name first)."""
    qs = member_visible(user)
    if organization is not None:
        qs = qs.filter(org_path__startswith=organization.path)
    if status:
        qs = qs.filter(status=status)
    if covered == AWAITING_LETTER:
        qs = awaiting_letter(qs)
    elif covered is not None:
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


def member_page(qs, *, after: str = "", before: str = "", size: int | None = None) -> "KeysetPage":
    """Keyset page over (sort_key, id): the same fixed queries at page 1 and page 10,000."""
    size = size or settings.MEMBER_LIST_PAGE_SIZE
    limit = settings.MEMBER_LIST_COUNT_LIMIT
    backwards = False
    if after and (pos := decode_cursor(after)):
        key, pk = pos
        # The redundant `>=` gives PostgreSQL an index bound to start the scan from.
        qs_page = qs.filter(Q(sort_key__gte=key), Q(sort_key__gt=key) | Q(sort_key=key, id__gt=pk))
    elif before and (pos := decode_cursor(before)):
        key, pk = pos
        qs_page = qs.filter(Q(sort_key__lte=key), Q(sort_key__lt=key) | Q(sort_key=key, id__lt=pk)).order_by(
            "-sort_key", "-id"
        )
        backwards = True
    else:
        qs_page = qs
    rows = list(qs_page[: size + 1])
    # A bounded count: exact up to the limit, "more than" beyond it; never a full scan.
    count = qs.order_by()[: limit + 1].count()
    return _keyset_page(rows, size=size, paging=bool(after or before), backwards=backwards, count=count)


def _keyset_page(rows, *, size, paging, backwards, count, limit=None) -> KeysetPage:
    limit = limit or settings.MEMBER_LIST_COUNT_LIMIT
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    at_start = not paging or (backwards and not more)
    at_end = not backwards and not more
    return KeysetPage(
        items=rows,
        next_cursor=encode_cursor(rows[-1]) if rows and not at_end else None,
        prev_cursor=encode_cursor(rows[0]) if rows and not at_start else None,
        count=min(count, limit),
        count_is_lower_bound=count > limit,
    )


MAX_WORD_EXPANSIONS = 50


def member_find(user, *, organization=None, status="", covered=None, q="", after="", before="", size=None):
    """One page of the member list, searched by name words when `q` has any.

    On PostgreSQL a name search walks the word index of its rarest query word in sort
    order (each query word matches the start of a name word: `ng van d` finds
    Nguyễn Văn Đức), so its cost does not depend on how many members share a common name.
    """
    words = namewords.words_of(fold(q)) if q and not q.strip().isdigit() else []
    if not words or connection.vendor != "postgresql":
        qs = member_list(user, organization=organization, status=status, covered=covered, q=q)
        return member_page(qs, after=after, before=before, size=size)
    return _word_search_page(
        user,
        words,
        organization=organization,
        status=status,
        covered=covered,
        after=after,
        before=before,
        size=size or settings.MEMBER_LIST_PAGE_SIZE,
    )


def _word_matches(user, words, *, organization, status, covered):
    """(name-word rows of the members matching every query word but the driving one, the driving
    word's expansions), or None when a query word starts no name word: what a search matches, for
    its pages and its export alike."""
    expansions, exact_words = {}, set()
    for position, word in enumerate(words):
        vocabulary = list(
            NameWord.objects.filter(word__startswith=word)
            .order_by("-frequency", "word")
            .values_list("word", "frequency")[:MAX_WORD_EXPANSIONS]
        )
        if not vocabulary:
            return None
        # Words already typed in full match whole name words; the last one, still being
        # typed, (and one that is no name word at all) matches the start of a word.
        exact = [(w, f) for w, f in vocabulary if w == word]
        if exact and position < len(words) - 1:
            vocabulary = exact
            exact_words.add(word)
        expansions[word] = vocabulary
    driving = min(words, key=lambda w: (sum(freq for _w, freq in expansions[w]), -len(w)))
    base = MemberNameWord.objects.filter(path_q(scope_paths(user), "org_path"))
    if organization is not None:
        base = base.filter(org_path__startswith=organization.path)
    if len(words) > 1:
        # LIKE on the space-padded name: far cheaper per row than a regular expression.
        base = base.annotate(padded=Concat(Value(" "), "search_name", Value(" "), output_field=CharField()))
    for word in words:
        if word != driving:
            base = base.filter(padded__contains=f" {word} " if word in exact_words else f" {word}")
    if status:
        base = base.filter(member__status=status)
    if covered == AWAITING_LETTER:
        base = base.filter(member__in=awaiting_letter())
    elif covered is not None:
        base = base.filter(member__covered_213=covered)
    return base, [expansion for expansion, _freq in expansions[driving]]


def member_export(user, *, organization=None, status="", covered=None, q=""):
    """Every member the list shows for these filters, over all its pages and in its order, with
    what an export prints (the list's filters and search, never a second copy of them)."""
    words = namewords.words_of(fold(q)) if q and not q.strip().isdigit() else []
    if not words or connection.vendor != "postgresql":
        qs = member_list(user, organization=organization, status=status, covered=covered, q=q)
    else:
        matched = _word_matches(user, words, organization=organization, status=status, covered=covered)
        if matched is None:
            return Member.objects.none()
        base, driving = matched
        qs = Member.objects.filter(pk__in=base.filter(word__in=driving).values("member_id")).order_by("sort_key", "id")
    return qs.select_related("organization", "residence_commune__province")


def _word_search_page(user, words, *, organization, status, covered, after, before, size) -> KeysetPage:
    matched = _word_matches(user, words, organization=organization, status=status, covered=covered)
    if matched is None:
        return _keyset_page([], size=size, paging=False, backwards=False, count=0)
    base, driving = matched
    order, backwards, paged = ("sort_key", "member_id"), False, base
    if after and (pos := decode_cursor(after)):
        key, pk = pos
        paged = base.filter(Q(sort_key__gte=key), Q(sort_key__gt=key) | Q(sort_key=key, member_id__gt=pk))
    elif before and (pos := decode_cursor(before)):
        key, pk = pos
        paged = base.filter(Q(sort_key__lte=key), Q(sort_key__lt=key) | Q(sort_key=key, member_id__lt=pk))
        order, backwards = ("-sort_key", "-member_id"), True

    def union(queryset, fields, cap, ordered):
        """One ordered, capped walk per expansion of the driving word, merged (duplicates removed)."""
        parts = []
        for expansion in driving:
            part = queryset.filter(word=expansion)
            part = part.order_by(*order) if ordered else part.order_by()
            parts.append(part.values_list(*fields)[:cap])
        return parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]

    page_ids = union(paged, ("member_id", "sort_key"), size + 1, True)
    if len(driving) > 1:
        page_ids = page_ids.order_by(*order)[: size + 1]
    ids = [member_id for member_id, _key in page_ids]
    # No second walk to count: a search is for finding people, so it says how many when
    # they fit on the page and "more than" a page otherwise.
    count = len(ids) if not (after or before) else size + 1
    limit = size
    members = Member.objects.select_related("organization").in_bulk(ids)
    rows = [members[i] for i in ids if i in members]
    return _keyset_page(rows, size=size, paging=bool(after or before), backwards=backwards, count=count, limit=limit)


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
    pairs = [
        (event, name, change)
        for event in audits
        for name, change in event.changes.items()
        if isinstance(change, list) and len(change) == 2
    ]
    # Related rows named in the changes, one query per kind of relation (not per row).
    keys = {}
    for _event, name, change in pairs:
        field = _field(name)
        if field is not None and field.is_relation:
            keys.setdefault(field, set()).update(v for v in change if v not in (None, ""))
    named = {field: field.related_model.objects.in_bulk(ids) for field, ids in keys.items()}
    for event in audits:
        event.rows = []
    for event, name, change in pairs:
        # Field names and stored values are code; people read labels in their language.
        field = _field(name)
        label = str(field.verbose_name) if field is not None else name
        event.rows.append((label, *(_shown(field, value, named) for value in change)))
    return records, audits


def _field(name: str):
    try:
        return Member._meta.get_field(name)
    except FieldDoesNotExist:  # a field removed since the change was recorded
        return None


def _shown(field, value, named):
    """A recorded value as a person reads it: the choice's label, the related row's name, yes or no."""
    if field is None or value in (None, ""):
        return value
    if field.is_relation:
        return str(named.get(field, {}).get(value, value))
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def exemptions_on(day):
    """HD 33 exemptions (of either kind) in force on a day."""
    from django.db.models import Q

    from .models import Exemption

    return Exemption.objects.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))


def meeting_exemptions_on(day):
    """HD 33 exemptions from residence meetings in force on a day."""
    from .models import ExemptionKind

    return exemptions_on(day).filter(kind=ExemptionKind.EXEMPT_MEETINGS)


def exemptions_labelled(exemptions) -> list:
    """The exemptions with their category's label, read from the packs once for them all."""
    from quydinh.selectors import category_labels

    rows = list(exemptions)
    if rows:
        labels = category_labels()
        for row in rows:
            row._category_label = labels.get(row.category, row.category)
    return rows
