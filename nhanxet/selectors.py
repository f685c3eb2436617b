"""Scoped reads of the yearly evaluation. Each takes the acting user (or an object already read
through a scoped selector) and runs a fixed number of queries whatever the number of rows."""

from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from chibo.models import Organization, Side
from chibo.permissions import READ_ROLES, SIGNING_ROLES, can_manage_branch_sql, path_q, scope_paths
from common.db import execute_prepared, from_row
from dangvien.models import HELD_STATES, LinkState, ResidenceLink

from .models import (
    Evaluation,
    EvaluationPeriod,
    EvaluationRequest,
    EvaluationStatus,
    FrontMeeting,
    PeriodScope,
    Proposal,
    QualityRating,
    RatingScheme,
)
from .permissions import RATING_ROLES
from .record import MemberRecord, member_records, unexplained
from .services import criteria_of, missing_answers, period_for

# ---- periods --------------------------------------------------------------------------------


def periods_visible(user):
    """Periods opened in the user's subtrees, and the ones above that cover them."""
    paths = scope_paths(user, READ_ROLES)
    qs = EvaluationPeriod.objects.select_related("organization", "criteria_set", "pack")
    if paths is None:
        return qs
    above = {prefix for path in paths for prefix in Organization.path_prefixes(path)}
    return qs.filter(path_q(paths, "org_path") | Q(org_path__in=above))


def residence_committees(user, roles):
    """Residence-side committees where the user holds one of `roles`: where they may open a
    period (PERIOD_ROLES) or confirm and forward forms (SIGNING_ROLES)."""
    return (
        Organization.objects.filter(path_q(scope_paths(user, roles), "path"))
        .filter(kind__is_committee=True, is_active=True)
        .exclude(side=Side.WORKPLACE)
        .select_related("kind")
        .order_by("path")
    )


# ---- what is due (the branch's list, the reminders and the boards' figures) -------------------


def exempt_now(day=None):
    """Exists(): the row's member is exempt from residence meetings on the day (HD 33 §1.1), so is
    evaluated only on request."""
    from django.db.models import Exists, OuterRef

    from dangvien.selectors import meeting_exemptions_on

    return Exists(meeting_exemptions_on(day or timezone.localdate()).filter(member=OuterRef("member")))


def links_held(paths=None):
    """Links of members a residence branch holds, in the subtrees (None: everywhere)."""
    return ResidenceLink.objects.filter(state__in=HELD_STATES, residence_branch__isnull=False).filter(
        path_q(paths, "residence_path")
    )


def links_due_yearly(paths=None, day=None):
    """Held links due a yearly form under a period that covers everyone: all but the exempt."""
    return links_held(paths).exclude(exempt_now(day))


def forms_unrated(year: int, paths):
    """Current yearly forms forwarded to the workplace whose member has no quality rating for the year."""
    from django.db.models import Exists, OuterRef

    rated = QualityRating.objects.filter(member=OuterRef("member"), year=year)
    return (
        Evaluation.objects.filter(is_current=True, status=EvaluationStatus.FORWARDED, year=year, request__isnull=True)
        .filter(path_q(paths, "branch_path"))
        .filter(~Exists(rated))
    )


# ---- the branch's list ----------------------------------------------------------------------


def form_state(form: Evaluation | None, expected: bool = True) -> str:
    """'missing', 'draft', 'ready' (complete draft), 'signed', 'confirmed', 'forwarded', or '' (not due)."""
    if form is None:
        return "missing" if expected else ""
    if form.is_draft:
        return "ready" if not missing_answers(form) else "draft"
    return form.status


@dataclass
class BranchRow:
    link: ResidenceLink
    exempt: bool
    expected: bool  # a yearly form is due (the period's scope, not exempt)
    form: Evaluation | None = None
    requests: list = field(default_factory=list)  # [(request, form or None)]
    record: MemberRecord | None = None  # the member's year (meetings, proposals, notices)

    def _state(self, form, expected=True) -> str:
        """The form's state; a complete draft with an answer the record contradicts and no remark
        on it is still a draft (signing would be refused)."""
        state = form_state(form, expected)
        if state == "ready" and self.record is not None and self.unexplained(form):
            return "draft"
        return state

    def unexplained(self, form) -> dict:
        return unexplained(form, criteria_of(form.criteria_set), self.record) if form and self.record else {}

    @cached_property
    def state(self) -> str:
        return self._state(self.form, self.expected)

    @cached_property
    def needs_remarks(self) -> int:
        """Answers of the yearly draft the record contradicts, with no remark yet."""
        return len(self.unexplained(self.form)) if self.form is not None and self.form.is_draft else 0

    @cached_property
    def request_rows(self) -> list:
        """[(request, form or None, state)]: the state as the yearly form's ('ready' can be signed)."""
        return [(request, form, self._state(form)) for request, form in self.requests]

    @property
    def shown(self) -> bool:
        """On the branch's list (and its export): a yearly form is due or exists, or one was requested."""
        return bool(self.expected or self.form or self.requests)


def branch_rows(branch, year: int):
    """(period, rows, front meeting) for a branch's evaluation page, in nine queries."""
    period = period_for(branch.path, year)
    links = list(
        ResidenceLink.objects.filter(residence_branch=branch, state__in=HELD_STATES)
        .select_related("member", "workplace_committee", "party_group")
        .annotate(exempt_now=exempt_now())
        .order_by("member__sort_key", "pk")
    )
    member_ids = [link.member_id for link in links]
    forms = list(
        Evaluation.objects.filter(member__in=member_ids, is_current=True, branch=branch)
        .filter(Q(year=year, request__isnull=True) | Q(request__isnull=False, request__year=year))
        .select_related("criteria_set")
    )
    requests = list(
        EvaluationRequest.objects.filter(link__in=links, year=year)
        .select_related("workplace_committee")
        .order_by("due_date", "pk")
    )
    yearly = {f.member_id: f for f in forms if f.request_id is None}
    by_request = {f.request_id: f for f in forms if f.request_id}
    requests_of = {}
    for request in requests:
        requests_of.setdefault(request.link_id, []).append((request, by_request.get(request.pk)))
    records = member_records(member_ids, year)
    rows = []
    for link in links:
        form = yearly.get(link.member_id)
        expected = bool(period) and not link.exempt_now and (period.scope == PeriodScope.ALL or form is not None)
        rows.append(
            BranchRow(
                link=link,
                exempt=link.exempt_now,
                expected=expected,
                form=form,
                requests=requests_of.get(link.pk, []),
                record=records[link.member_id],
            )
        )
    front = FrontMeeting.objects.filter(branch=branch, year=year).first()
    return period, rows, front


def branch_counts(rows) -> dict:
    counts = {"expected": 0, "missing": 0, "draft": 0, "ready": 0, "signed": 0, "confirmed": 0, "forwarded": 0}
    for row in rows:
        if row.expected or row.form:
            counts["expected"] += 1
            counts[row.state or "missing"] += 1
        for _request, _form, state in row.request_rows:  # as the list shows them: unexplained answers are drafts
            counts["expected"] += 1
            counts[state] += 1
    return counts


def link_in_branch(branch, pk) -> ResidenceLink:
    return get_object_or_404(
        ResidenceLink.objects.select_related(
            "member", "workplace_committee", "residence_branch", "residence_committee"
        ),
        pk=pk,
        residence_branch=branch,
        state__in=[LinkState.RECEIVED, LinkState.ACTIVE],
    )


def form_neighbours(branch, link):
    """(the next member's link id, (n, total)) among the branch's members due a yearly form, in
    the list's order (Vietnamese name order), in one query: the form page's "save and next"."""
    order = list(
        ResidenceLink.objects.filter(residence_branch=branch, state__in=HELD_STATES)
        .exclude(exempt_now())
        .order_by("member__sort_key", "pk")
        .values_list("pk", flat=True)
    )
    if link.pk not in order:
        return None, None
    n = order.index(link.pk)
    return (order[n + 1] if n + 1 < len(order) else None), (n + 1, len(order))


def link_for_editing(user, branch_pk, link_pk, *, workplace: bool = False) -> ResidenceLink:
    """A member's link in a branch the user manages, with its member and branch (and with
    `workplace`, its workplace committee, which the form page names), else 404: one statement,
    the user's right over the branch read in it (the draft autosave runs this on every keystroke
    pause and the form page on every member; the ORM's query building cost more than the query)."""
    from chibo.models import Organization
    from dangvien.models import Member

    models = [(ResidenceLink, "l"), (Member, "m"), (Organization, "b")]
    joins = (
        f" JOIN {Member._meta.db_table} m ON m.id = l.member_id"
        f" JOIN {Organization._meta.db_table} b ON b.id = l.residence_branch_id"
    )
    if workplace:
        models.append((Organization, "w"))
        joins += f" LEFT JOIN {Organization._meta.db_table} w ON w.id = l.workplace_committee_id"
    manages, params = can_manage_branch_sql(user, column="b.path")
    columns = ", ".join(f"{alias}.{f.column}" for model, alias in models for f in model._meta.concrete_fields)
    with connection.cursor() as cursor:
        execute_prepared(
            cursor,
            f"SELECT {columns}, {manages} FROM {ResidenceLink._meta.db_table} l{joins}"  # noqa: S608 (names from the models)
            " WHERE l.id = %s AND l.residence_branch_id = %s AND b.is_active AND l.state IN (%s, %s)",
            [*params, link_pk, branch_pk, LinkState.RECEIVED, LinkState.ACTIVE],
        )
        row = cursor.fetchone()
    if row is None or not row[-1]:
        raise Http404
    instances = []
    start = 0
    for model, _alias in models:
        end = start + len(model._meta.concrete_fields)
        values = row[start:end]
        instances.append(None if values[0] is None else from_row(model, model._meta.concrete_fields, values))
        start = end
    link, link.member, link.residence_branch = instances[:3]
    if workplace:
        link.workplace_committee = instances[3]
    return link


def form_current(link, year, request=None) -> Evaluation | None:
    """The member's current form for the year (or the request), with its criteria set: one
    prepared statement on PostgreSQL, the frozen set from the process's cache (the form page
    reads this for every member the secretary opens)."""
    from .services.criteria import criteria_set_of

    if connection.vendor != "postgresql":
        qs = Evaluation.objects.filter(member=link.member_id, is_current=True).select_related("criteria_set")
        qs = qs.filter(request=request) if request else qs.filter(request__isnull=True, year=year)
        return qs.first()
    fields = Evaluation._meta.concrete_fields
    which = "request_id = %s" if request is not None else "request_id IS NULL AND year = %s"
    with connection.cursor() as cursor:
        execute_prepared(
            cursor,
            f"SELECT {', '.join(f.column for f in fields)} FROM {Evaluation._meta.db_table}"  # noqa: S608 (names from the models)
            f" WHERE member_id = %s AND is_current AND {which} ORDER BY id LIMIT 1",
            [link.member_id, request.pk if request is not None else year],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    evaluation = from_row(Evaluation, fields, row)
    evaluation.criteria_set = criteria_set_of(evaluation.criteria_set_id)
    return evaluation


def form_record(link, year: int) -> MemberRecord:
    """What the system knows of the member's year, for the form page (three queries)."""
    return member_records([link.member_id], year)[link.member_id]


def form_history(evaluation: Evaluation):
    """Every version of this member's form for the same year (or request), newest first."""
    qs = Evaluation.objects.filter(member=evaluation.member_id)
    qs = (
        qs.filter(request=evaluation.request_id)
        if evaluation.request_id
        else qs.filter(year=evaluation.year, request__isnull=True)
    )
    return qs.select_related("document", "signed_by", "confirmed_by").order_by("-version")


# ---- forms as each side sees them -----------------------------------------------------------


def evaluations_visible(user):
    """The branch side sees its branches' forms; the workplace side sees forms once forwarded."""
    paths = scope_paths(user, READ_ROLES)
    qs = Evaluation.objects.select_related(
        "member", "branch", "commune", "workplace_committee", "criteria_set", "document", "request"
    )
    if paths is None:
        return qs
    return qs.filter(
        path_q(paths, "branch_path") | (path_q(paths, "workplace_path") & Q(status=EvaluationStatus.FORWARDED))
    )


def evaluation_get(user, pk) -> Evaluation:
    return get_object_or_404(evaluations_visible(user), pk=pk)


def commune_get(user, pk):
    """A residence committee where the user confirms and forwards forms, else 404."""
    return get_object_or_404(residence_committees(user, SIGNING_ROLES), pk=pk)


def confirm_queue(commune, status: str):
    """Current forms of the commune's branches waiting at a stage (signed → confirm, confirmed → forward)."""
    return (
        Evaluation.objects.filter(commune=commune, branch_path__startswith=commune.path, is_current=True, status=status)
        .select_related("member", "branch", "workplace_committee", "document")
        .order_by("branch_path", "member__sort_key", "pk")
    )


def incoming_forms(user, year: int):
    """Forwarded forms of the user's workplace members for a year (the page and its export)."""
    paths = scope_paths(user, READ_ROLES)
    return (
        Evaluation.objects.filter(path_q(paths, "workplace_path"), status=EvaluationStatus.FORWARDED)
        .filter(Q(year=year, request__isnull=True) | Q(request__year=year))
        .select_related("member", "branch", "document", "request", "supersedes", "criteria_set")
        .order_by("member__sort_key", "member_id", "-version")
    )


def incoming_ratings(member_ids, year: int) -> dict:
    """{member id: quality rating} for the year, with its scheme; `member_ids` a set or a subquery."""
    return {
        r.member_id: r for r in QualityRating.objects.filter(member__in=member_ids, year=year).select_related("scheme")
    }


def incoming(user, year: int):
    """Forwarded forms of the user's workplace members for a year, with each member's rating."""
    forms = list(incoming_forms(user, year))
    return forms, incoming_ratings({f.member_id for f in forms}, year)


def rating_schemes() -> list[tuple]:
    """[(scheme, first year or None for the earliest, last year or None for the latest)], oldest
    first: the years each rates (national data: no scope)."""
    schemes = list(RatingScheme.objects.order_by("first_year"))
    return [
        (
            scheme,
            scheme.first_year if i else None,
            schemes[i + 1].first_year - 1 if i + 1 < len(schemes) else None,
        )
        for i, scheme in enumerate(schemes)
    ]


def rating_scheme(year: int) -> RatingScheme | None:
    """The rating scheme a year is rated under (schemes are national: no scope)."""
    return RatingScheme.objects.of_year(year)


def rating_subject(user, member_pk):
    """A member the user may rate (their workplace office), else 404."""
    from dangvien.models import Member

    return get_object_or_404(Member.objects.filter(path_q(scope_paths(user, RATING_ROLES), "org_path")), pk=member_pk)


@dataclass
class RatingPage:
    member: object
    year: int
    scheme: RatingScheme  # the scheme the year is rated under (what a save records)
    rating: QualityRating | None  # as recorded, possibly under an earlier scheme (migrated QĐ 124 rows)
    evaluation: Evaluation | None  # the residence form forwarded for the year, if any
    criteria: list = field(default_factory=list)  # [(criterion, level label)] of that form

    @property
    def initial(self) -> dict:
        """The form as recorded, when it was recorded under the same scheme."""
        rating = self.rating
        if rating is None or rating.scheme_id != self.scheme.pk:
            return {}
        return {
            "score": "" if rating.score is None else format(rating.score.normalize(), "f"),
            "level": rating.level,
            "lower_reason": rating.lower_reason,
            "notes": rating.notes,
            **{f"group_{code}": str(points) for code, points in rating.group_scores.items()},
        }

    @property
    def bands(self) -> list:
        """[(label, range)] of the scheme's levels, best first ('' ranges when it does not score)."""
        return [(level["label"], self.scheme.band_text(level["code"])) for level in self.scheme.levels]


def rating_page(user, member_pk, year: int) -> RatingPage:
    """What the workplace office rates a member on: the scheme of the year, the rating so far and
    the residence form forwarded to it (its criteria with the levels chosen). 404 outside the scope
    or for a year no scheme covers."""
    from .services.criteria import criteria_of

    member = rating_subject(user, member_pk)
    scheme = rating_scheme(year)
    if scheme is None:
        raise Http404
    rating = QualityRating.objects.filter(member=member, year=year).select_related("scheme").first()
    evaluation = (
        Evaluation.objects.filter(
            member=member, year=year, request__isnull=True, is_current=True, status=EvaluationStatus.FORWARDED
        )
        .select_related("branch", "commune", "document", "criteria_set")
        .first()
    )
    criteria = (
        [(c, c.level_label(evaluation.answers.get(c.code, ""))) for c in criteria_of(evaluation.criteria_set)]
        if evaluation
        else []
    )
    return RatingPage(member=member, year=year, scheme=scheme, rating=rating, evaluation=evaluation, criteria=criteria)


def next_unrated(user, year: int, *, after) -> int | None:
    """The next member, in the incoming list's order, with a forwarded yearly form and no rating."""
    rated = QualityRating.objects.filter(member=OuterRef("member"), year=year)
    return (
        incoming_forms(user, year)
        .filter(request__isnull=True, is_current=True)
        .exclude(member=after.pk)
        .filter(~Exists(rated))
        .filter(Q(member__sort_key__gt=after.sort_key) | Q(member__sort_key=after.sort_key, member_id__gt=after.pk))
        .values_list("member_id", flat=True)
        .first()
    )


def proposals_workplace(user):
    return (
        Proposal.objects.filter(path_q(scope_paths(user, READ_ROLES), "workplace_path"))
        .select_related("member", "evaluation__document", "action_by")
        .order_by("action_at", "-created_at")
    )


def proposal_get_workplace(user, pk) -> Proposal:
    return get_object_or_404(proposals_workplace(user), pk=pk)


def requests_workplace(user):
    return (
        EvaluationRequest.objects.filter(path_q(scope_paths(user, READ_ROLES), "workplace_path"))
        .select_related("member", "link__residence_branch")
        .prefetch_related("evaluations")
        .order_by("-requested_at")
    )


def requests_received(user):
    """Requests to the user's residence branches, the soonest due first, with their forms."""
    return requests_residence(user).prefetch_related("evaluations").order_by("due_date", "pk")


def requests_residence(user):
    return EvaluationRequest.objects.filter(path_q(scope_paths(user, READ_ROLES), "residence_path")).select_related(
        "member", "link__residence_branch", "workplace_committee"
    )


def request_get_residence(user, pk) -> EvaluationRequest:
    return get_object_or_404(requests_residence(user), pk=pk)
