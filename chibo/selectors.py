"""Scoped reads of the organisation tree and reference data."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from common.text import fold, has_control_chars

from .models import (
    AbsenceNotice,
    Attendance,
    AttendanceCorrection,
    Commune,
    Meeting,
    Organization,
    PartyGroup,
    RoleAssignment,
    Side,
)
from .permissions import MEMBER_WRITE_ROLES, READ_ROLES, has_role_over, path_q, scope_paths


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
    prefixes = Organization.path_prefixes(org.path)[:-1]
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
    if q.isascii() and q.isdigit():  # "²" and "١" are digits to str.isdigit, not to int()
        return qs.filter(code=int(q))[:limit]
    words = fold(q).split()
    if not words or has_control_chars(q):  # no name has one (and PostgreSQL refuses a NUL)
        return qs.none()
    cond = Q()
    for word in words:
        cond &= Q(search_name__contains=word)
    return qs.filter(cond).order_by("province_id", "name")[:limit]


def signatories_active(org):
    """The organisation's active signatories, the secretary before deputies (the default signer first)."""
    from django.db.models import Case, IntegerField, Value, When

    from .models import SignerTitle

    first = Case(When(title=SignerTitle.SECRETARY, then=Value(0)), default=Value(1), output_field=IntegerField())
    return org.signatories.filter(is_active=True).order_by(first, "full_name", "id")


def role_holders(organization_ids, roles) -> dict:
    """{organisation id: [active users holding one of `roles` on it]}, in one query: who is told
    when something reaches an organisation (its office clerks, a branch's secretaries)."""
    from collections import defaultdict

    holders = defaultdict(list)
    for assignment in RoleAssignment.objects.filter(
        organization_id__in=set(organization_ids), role__in=roles, user__is_active=True
    ).select_related("user"):
        holders[assignment.organization_id].append(assignment.user)
    return holders


def nearest_role_holders(paths, roles) -> dict:
    """{path: (organisation id, [active users])}: for each organisation path, the nearest
    organisation at or above it where someone holds one of `roles`, and who (one query). A
    reminder goes to the office closest to the thing, not to every office above it."""
    paths = set(paths)
    prefixes = {prefix for path in paths for prefix in Organization.path_prefixes(path)}
    found = {}
    for assignment in (
        RoleAssignment.objects.filter(organization__path__in=prefixes, role__in=roles, user__is_active=True)
        .select_related("user", "organization")
        .order_by("pk")
    ):
        org = assignment.organization
        holder = found.setdefault(org.path, (org.pk, []))
        if assignment.user not in holder[1]:
            holder[1].append(assignment.user)
    out = {}
    for path in paths:
        for prefix in reversed(Organization.path_prefixes(path)):
            if prefix in found:
                out[path] = found[prefix]
                break
    return out


def user_roles(user):
    return RoleAssignment.objects.filter(user=user).select_related("organization__kind").order_by("organization__path")


# ---- residence-branch work -----------------------------------------------------------


def branches_visible(user, roles=READ_ROLES):
    """Residence branches (not committees) in the user's scope, group leaders excluded; with
    `roles`, only where the user holds one of them (BRANCH_WRITE_ROLES: the branches they run)."""
    return (
        Organization.objects.filter(path_q(scope_paths(user, roles), "path"))
        .filter(side__in=[Side.RESIDENCE, Side.BOTH], kind__is_committee=False, is_active=True)
        .select_related("kind")
        .order_by("path")
    )


def branch_get(user, pk) -> Organization:
    return get_object_or_404(branches_visible(user), pk=pk)


def branch_links(branch):
    """The working members the commune committee assigned to the branch (received or active)."""
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from dangvien.models import LinkState, ResidenceLink
    from dangvien.selectors import meeting_exemptions_on

    exempt = meeting_exemptions_on(timezone.localdate()).filter(member=OuterRef("member"))
    return (
        ResidenceLink.objects.filter(residence_branch=branch, state__in=[LinkState.RECEIVED, LinkState.ACTIVE])
        .select_related("member", "workplace_committee", "party_group")
        .annotate(exempt_now=Exists(exempt))
        .order_by("member__sort_key", "pk")
    )


def branch_groups(branch):
    """The branch's groups with their leaders and how many working members each has."""
    from django.db.models import Count, OuterRef, Subquery

    from dangvien.models import LinkState, ResidenceLink

    sizes = (
        ResidenceLink.objects.filter(
            party_group=OuterRef("pk"), residence_branch=branch, state__in=[LinkState.RECEIVED, LinkState.ACTIVE]
        )
        .order_by()
        .values("party_group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        PartyGroup.objects.filter(branch=branch)
        .select_related("leader")
        .annotate(size=Subquery(sizes))
        .order_by("name")
    )


def group_leader_candidates(branch):
    """Accounts with a role (any, group leader included) over the branch in an active organisation:
    the ones `permissions.may_lead_group_in` accepts."""
    from django.contrib.auth import get_user_model

    ids = RoleAssignment.objects.filter(
        organization__path__in=Organization.path_prefixes(branch.path), organization__is_active=True
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("full_name", "username")


def groups_led(user):
    """The groups the user leads, with their branches."""
    return PartyGroup.objects.filter(leader=user, branch__is_active=True).select_related("branch").order_by("name")


def meetings_visible(user):
    """Meetings of branches in the user's scope, and of the branches where the user leads a group."""
    paths = scope_paths(user, READ_ROLES)
    meetings = Meeting.objects.select_related("branch")
    if paths is None:
        return meetings
    visible = path_q(paths, "branch_path")
    if user.is_authenticated:
        visible |= Q(branch__in=PartyGroup.objects.filter(leader=user).values("branch"))
    return meetings.filter(visible)


def meeting_list(user, status: str = ""):
    """The meetings list (and its export): newest first, with the attendance counts; `status` a
    MeetingStatus value keeps that one (anything else: all)."""
    from django.db.models import Count

    from .models import AttendanceStatus, MeetingStatus

    absent = [AttendanceStatus.EXCUSED, AttendanceStatus.UNEXCUSED]
    meetings = (
        meetings_visible(user)
        .annotate(
            present=Count("attendance", filter=Q(attendance__status=AttendanceStatus.PRESENT)),
            absent=Count("attendance", filter=Q(attendance__status__in=absent)),
            total=Count("attendance"),
        )
        .order_by("-starts_at", "-id")
    )
    if status in MeetingStatus.values:
        meetings = meetings.filter(status=status)
    return meetings


def meeting_get(user, pk) -> Meeting:
    return get_object_or_404(meetings_visible(user), pk=pk)


def meeting_attendance(meeting):
    """The attendance sheet in the order it is called: by group, then the Vietnamese name order."""
    return (
        Attendance.objects.filter(meeting=meeting)
        .select_related("member", "link__workplace_committee", "link__party_group")
        .order_by("link__party_group__name", "member__sort_key", "pk")
    )


def meeting_attendance_for(user, meeting):
    """The sheet as the user may see it: whole for the branch's readers, a group leader's own groups otherwise."""
    rows = meeting_attendance(meeting)
    if not has_role_over(user, meeting.branch_path, READ_ROLES):
        rows = rows.filter(link__party_group__leader=user)
    return rows


def meeting_absence_notices_for(user, meeting):
    """The absence notices a closed meeting sent, for the branch's readers (not group leaders)."""
    if not has_role_over(user, meeting.branch_path, READ_ROLES):
        return AbsenceNotice.objects.none()
    return meeting.absence_notices.select_related("document", "workplace_committee")


def meeting_corrections(meeting):
    return (
        AttendanceCorrection.objects.filter(attendance__meeting=meeting)
        .select_related("attendance__member", "corrected_by")
        .order_by("-corrected_at", "-id")
    )


def groups_led_with_members(user) -> list:
    """(group, [links]) for each group the user leads, in two queries whatever the number of groups."""
    groups = list(groups_led(user))
    members = {group.pk: [] for group in groups}
    if groups:
        from dangvien.models import LinkState, ResidenceLink

        links = (
            ResidenceLink.objects.filter(party_group__in=groups, state__in=[LinkState.RECEIVED, LinkState.ACTIVE])
            .select_related("member", "workplace_committee")
            .order_by("member__sort_key", "pk")
        )
        for link in links:
            members[link.party_group_id].append(link)
    return [(group, members[group.pk]) for group in groups]


def absence_notices_workplace(user):
    return (
        AbsenceNotice.objects.filter(path_q(scope_paths(user, READ_ROLES), "workplace_path"))
        .select_related("meeting__branch", "document", "workplace_committee")
        .order_by("-created_at", "-id")
    )
