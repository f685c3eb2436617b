"""Scoped reads of residence links: the workplace side sees its committees' links, the
residence side the links addressed to its commune committees."""

from django.db.models import Count
from django.shortcuts import get_object_or_404

from chibo.permissions import READ_ROLES, path_q, scope_paths
from chibo.selectors import absence_notices_workplace

from .models import ChangeNotice, LinkState, ResidenceLink

_RELATED = (
    "member__organization",
    "workplace_committee",
    "residence_committee",
    "residence_branch",
    "party_group",
    "letter",
    "acknowledgement",
    "residence_commune__province",
)


def links_workplace(user, state: str = ""):
    qs = ResidenceLink.objects.filter(path_q(scope_paths(user, READ_ROLES), "workplace_path"))
    if state:
        qs = qs.filter(state=state)
    return qs.select_related(*_RELATED).order_by("-started_at", "-id")


def links_residence(user, state: str = ""):
    qs = ResidenceLink.objects.exclude(residence_path="").filter(
        path_q(scope_paths(user, READ_ROLES), "residence_path")
    )
    if state:
        qs = qs.filter(state=state)
    return qs.select_related(*_RELATED).order_by("-started_at", "-id")


def state_counts(qs) -> dict:
    counts = {row["state"]: row["n"] for row in qs.order_by().values("state").annotate(n=Count("id"))}
    return {state: counts.get(state, 0) for state in LinkState.values}


# The inbox tab that lists change notices rather than links in one state.
NOTICES = "notices"
# The workplace inbox tab of absence notices from residence branches.
ABSENCES = "absences"
# The other tabs list the links in one state.
LINKS = "links"
WORKPLACE, RESIDENCE = "workplace", "residence"


def inbox(user, side: str, state: str):
    """(tab, rows) of an inbox tab, for the page and its export: the change notices, the absence
    notices (workplace side only) or the links in `state` (an unknown state lists none)."""
    if state == NOTICES:
        return NOTICES, notices_workplace(user) if side == WORKPLACE else notices_residence(user)
    if state == ABSENCES and side == WORKPLACE:
        return ABSENCES, absence_notices_workplace(user)
    if state and state not in LinkState.values:
        return LINKS, ResidenceLink.objects.none()
    return LINKS, links_workplace(user, state) if side == WORKPLACE else links_residence(user, state)


def link_for_residence(user, pk) -> ResidenceLink:
    return get_object_or_404(links_residence(user), pk=pk)


def link_for_workplace(user, pk) -> ResidenceLink:
    return get_object_or_404(links_workplace(user), pk=pk)


def member_links(member):
    return ResidenceLink.objects.filter(member=member).select_related(*_RELATED).order_by("-started_at", "-id")


def notices_residence(user):
    """Change notices about links addressed to the user's commune committees, newest first."""
    return (
        ChangeNotice.objects.exclude(link__residence_path="")
        .filter(path_q(scope_paths(user, READ_ROLES), "link__residence_path"))
        .select_related("member", "document", "link__workplace_committee", "link__residence_branch")
        .order_by("-created_at", "-id")
    )


def notices_workplace(user):
    """Change notices issued by the user's workplace committees, newest first."""
    return (
        ChangeNotice.objects.filter(path_q(scope_paths(user, READ_ROLES), "link__workplace_path"))
        .select_related("member", "document", "link__workplace_committee", "link__residence_branch")
        .order_by("-created_at", "-id")
    )


def batch_get(user, pk):
    """A letter batch its creator follows; anyone else gets a 404."""
    from .models import LetterBatch

    return get_object_or_404(LetterBatch, pk=pk, created_by=user)


def notifiable_link(member):
    """The member's open link the residence side knows of (a letter has gone out), if any:
    the one a change notice is about."""
    from .services.links import OPEN_STATES

    return member.residence_links.filter(state__in=OPEN_STATES).exclude(state=LinkState.PENDING).first()
