"""What the boards count, each figure defined once: as querysets whose rows stand for one member
each (or one meeting, one attendance, one answer), placed in the tree by a materialized path.

The refresh counts every figure per path with grouped queries and adds each path's counts into
its ancestors, so a subtree's figure is one stored number; the drill-down lists the members behind
a figure from the same querysets, filtered to the subtree, so a list always matches its count.

Coverage figures are today's state; meetings count the chosen year (per half-year); evaluation
figures count the forms of the year. A member who moved has one open link, so they are counted
once, where they live now; a corrected form counts once (only the current version); each form
counts where it was made.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from chibo.models import Attendance, AttendanceStatus, Meeting, MeetingStatus, Organization
from chibo.permissions import _minimal, path_q
from dangvien.models import (
    HELD_STATES,
    INTRODUCED_STATES,
    LinkState,
    Member,
    ResidenceLink,
)
from dangvien.selectors import awaiting_letter, exemptions_on, letters_not_received
from nhacviec.models import RuleCode
from nhacviec.selectors import rules_in_force
from nhanxet.models import (
    Evaluation,
    EvaluationPeriod,
    EvaluationRequest,
    EvaluationStatus,
    PeriodScope,
    QualityRating,
    RatingScheme,
)
from nhanxet.selectors import forms_unrated, links_due_yearly, links_held
from quydinh.selectors import category_labels

from .formality import formality_counts

SIGNED = (EvaluationStatus.SIGNED, EvaluationStatus.CONFIRMED, EvaluationStatus.FORWARDED)
CONFIRMED = (EvaluationStatus.CONFIRMED, EvaluationStatus.FORWARDED)


@dataclass
class Context:
    """The year counted, the day it is counted on, and that year's evaluation periods."""

    year: int
    today: datetime.date
    periods: list = field(default_factory=list)
    rules: dict | None = None  # read when a figure needs a rule's days (the pack's, or the administrator's)

    @classmethod
    def of(cls, year: int, today: datetime.date | None = None) -> "Context":
        from django.utils import timezone

        return cls(
            year=year,
            today=today or timezone.localdate(),
            periods=list(EvaluationPeriod.objects.filter(year=year).order_by("pk")),
        )

    def period_paths(self, scope=None, passed: Callable | None = None) -> list[str]:
        """The subtrees of the year's periods (of a scope; whose deadline `passed` says is over)."""
        return _minimal(
            p.org_path
            for p in self.periods
            if (scope is None or p.scope == scope) and (passed is None or passed(p, self.today))
        )

    def rule_days(self, code, default: int) -> int:
        if self.rules is None:
            self.rules = {r.code: r for r in rules_in_force(day=self.today)}
        rule = self.rules.get(code)
        return rule.first_days if rule else default


Part = tuple  # (queryset, path field, member field)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    parts: Callable[[Context], list]  # [(queryset, path field, member field)], disjoint

    def counts(self, ctx: Context) -> dict[str, int]:
        out = Counter()
        for qs, path, member in self.parts(ctx):
            for p, n in qs.order_by().values_list(path).annotate(n=Count(member, distinct=True)):
                if p:
                    out[p] += n
        return out

    def members(self, ctx: Context, prefixes):
        """The members behind the figure in the subtrees at `prefixes` (one query)."""
        q = Q(pk__in=[])
        for qs, path, member in self.parts(ctx):
            q |= Q(pk__in=qs.filter(path_q(list(prefixes), path)).values(member))
        return Member.objects.filter(q)


# ---- building blocks -------------------------------------------------------------------------


def _forms(ctx):
    """Current forms of the year: yearly ones and answers to the year's requests."""
    return Evaluation.objects.filter(is_current=True).filter(
        Q(year=ctx.year, request__isnull=True) | Q(request__year=ctx.year)
    )


def _yearly(ctx):
    return Evaluation.objects.filter(is_current=True, year=ctx.year, request__isnull=True)


def _branch_passed(p, today):
    return today > p.branch_deadline


def _confirm_passed(p, today):
    return today > p.confirm_deadline


def _forward_passed(p, today):
    return today > p.forward_deadline


def _due_links(ctx, passed=None):
    """Links due a yearly form under the year's periods that cover everyone (not exempt now)."""
    return links_due_yearly(ctx.period_paths(PeriodScope.ALL, passed), ctx.today)


def _letters_late(ctx):
    return letters_not_received(days=ctx.rule_days(RuleCode.LETTER_UNRECEIVED, 15), today=ctx.today)


def _past_deadline(ctx, status, passed):
    """The year's current forms still at `status` in the periods whose deadline `passed` says is over."""
    return _forms(ctx).filter(status=status).filter(path_q(ctx.period_paths(None, passed), "branch_path"))


def _unrated_passed(ctx):
    days = datetime.timedelta(days=ctx.rule_days(RuleCode.EVALUATION_UNRECEIVED, 15))
    return lambda p, today: today >= p.forward_deadline + days


def _requests(ctx):
    """The year's requests, placed at the member's residence branch (the commune before one is chosen)."""
    return EvaluationRequest.objects.filter(year=ctx.year).annotate(
        r_path=Coalesce("link__residence_branch__path", "residence_path")
    )


# ---- the figures behind which there are members ----------------------------------------------

FIGURES = [
    # The workplace side: members of the organisations in the subtree.
    Figure("covered", _("Covered by QĐ 213"), lambda c: [(Member.objects.filter(covered_213=True), "org_path", "pk")]),
    Figure(
        "introduced",
        _("Introduced (letter issued)"),
        lambda c: [
            (
                ResidenceLink.objects.filter(state__in=INTRODUCED_STATES, member__covered_213=True),
                "member__org_path",
                "member_id",
            )
        ],
    ),
    Figure(
        "acknowledged",
        _("Received by the residence side"),
        lambda c: [
            (
                ResidenceLink.objects.filter(state__in=HELD_STATES, member__covered_213=True),
                "member__org_path",
                "member_id",
            )
        ],
    ),
    Figure(
        "links_active",
        _("Active residence links"),
        lambda c: [(ResidenceLink.objects.filter(state=LinkState.ACTIVE), "member__org_path", "member_id")],
    ),
    Figure(
        "intro_overdue",
        _("Introductions overdue"),
        lambda c: [
            (
                awaiting_letter(
                    since_on_or_before=c.today - datetime.timedelta(days=c.rule_days(RuleCode.LETTER_MISSING, 30))
                ),
                "org_path",
                "pk",
            )
        ],
    ),
    Figure(
        "letters_late_sent",
        _("Letters sent and not received in time"),
        lambda c: [(_letters_late(c), "workplace_path", "member_id")],
    ),
    # The residence side: members living in the subtree.
    Figure("residing", _("Members living here"), lambda c: [(links_held(), "residence_branch__path", "member_id")]),
    Figure(
        "letters_waiting",
        _("Letters to receive"),
        lambda c: [(ResidenceLink.objects.filter(state=LinkState.LETTER_ISSUED), "residence_path", "member_id")],
    ),
    Figure(
        "letters_late_waiting",
        _("Letters waiting too long to be received"),
        lambda c: [(_letters_late(c).exclude(residence_path=""), "residence_path", "member_id")],
    ),
    Figure(
        "absent_twice",
        _("Absent without reason twice in a row"),
        lambda c: [(links_held().filter(unexcused_streak__gte=2), "residence_branch__path", "member_id")],
    ),
    # Evaluations of the year, where the form is made (or is due).
    Figure(
        "forms_missing",
        _("Forms not started"),
        lambda c: [
            (
                _due_links(c).exclude(Exists(_yearly(c).filter(member=OuterRef("member")))),
                "residence_branch__path",
                "member_id",
            )
        ],
    ),
    Figure("forms_yearly", _("Yearly forms started"), lambda c: [(_yearly(c), "branch_path", "member_id")]),
    Figure(
        "requested",
        _("Requested by workplaces"),
        lambda c: [(_requests(c), "r_path", "member_id")],
    ),
    Figure("filled", _("Forms filled"), lambda c: [(_forms(c), "branch_path", "member_id")]),
    Figure(
        "signed",
        _("Signed by the branch"),
        lambda c: [(_forms(c).filter(status__in=SIGNED), "branch_path", "member_id")],
    ),
    Figure(
        "confirmed",
        _("Confirmed by the commune"),
        lambda c: [(_forms(c).filter(status__in=CONFIRMED), "branch_path", "member_id")],
    ),
    Figure(
        "forwarded",
        _("Forwarded to the workplace"),
        lambda c: [(_forms(c).filter(status=EvaluationStatus.FORWARDED), "branch_path", "member_id")],
    ),
    Figure(
        "overdue_unsigned",
        _("Not signed by the branch deadline"),
        lambda c: [
            (
                _due_links(c, _branch_passed).exclude(
                    Exists(_yearly(c).filter(member=OuterRef("member"), status__in=SIGNED))
                ),
                "residence_branch__path",
                "member_id",
            ),
            (
                _yearly(c)
                .filter(status=EvaluationStatus.DRAFT)
                .filter(path_q(c.period_paths(PeriodScope.REQUESTED, _branch_passed), "branch_path")),
                "branch_path",
                "member_id",
            ),
        ],
    ),
    Figure(
        "requests_overdue",
        _("Requests not answered by their date"),
        lambda c: [
            (
                _requests(c)
                .filter(due_date__lt=c.today)
                .exclude(Exists(Evaluation.objects.filter(request=OuterRef("pk"), is_current=True, status__in=SIGNED))),
                "r_path",
                "member_id",
            )
        ],
    ),
    Figure(
        "overdue_unconfirmed",
        _("Not confirmed by the commune deadline"),
        lambda c: [(_past_deadline(c, EvaluationStatus.SIGNED, _confirm_passed), "branch_path", "member_id")],
    ),
    Figure(
        "overdue_unforwarded",
        _("Not forwarded by the deadline"),
        lambda c: [(_past_deadline(c, EvaluationStatus.CONFIRMED, _forward_passed), "branch_path", "member_id")],
    ),
    Figure(
        "overdue_unrated",
        _("Forwarded forms without a quality rating"),
        lambda c: [(forms_unrated(c.year, c.period_paths(None, _unrated_passed(c))), "workplace_path", "member_id")],
    ),
    Figure(
        "rated",
        _("Quality ratings of covered members"),
        lambda c: [
            (QualityRating.objects.filter(year=c.year, member__covered_213=True), "workplace_path", "member_id")
        ],
    ),
]


def _exempt_figure(category, label=""):
    return Figure(
        f"exempt.{category}",
        label,
        lambda c: [
            (
                exemptions_on(c.today).filter(category=category, member__covered_213=True),
                "member__org_path",
                "member_id",
            )
        ],
    )


def _conclusion_figure(code, label=""):
    return Figure(
        f"conclusion.{code}",
        label or code,
        lambda c: [(_forms(c).filter(status__in=SIGNED, conclusion=code), "branch_path", "member_id")],
    )


def _rating_figure(scheme, level, label=""):
    """Covered members rated at `level` under the scheme with code `scheme` in the year."""
    return Figure(
        f"rating.{scheme}.{level}",
        label or level,
        lambda c: [
            (
                QualityRating.objects.filter(year=c.year, member__covered_213=True, scheme__code=scheme, level=level),
                "workplace_path",
                "member_id",
            )
        ],
    )


# A scored scheme's points are counted in ten bands of a tenth of its highest score each (the top
# score falls in the last), for the distribution the boards see beside the levels.
SCORE_BANDS = 10


def score_band(score, top: int) -> int:
    return min(int(score * SCORE_BANDS // top), SCORE_BANDS - 1)


def score_band_bounds(band: int, top: int) -> tuple:
    """(lowest, below) of a band; the last band holds the top score too."""
    return band * top / SCORE_BANDS, (band + 1) * top / SCORE_BANDS


def _score_figure(scheme, band):
    top = scheme.score_max
    low, high = score_band_bounds(band, top)
    last = band == SCORE_BANDS - 1
    scored = Q(score__gte=low) & (Q(score__lte=top) if last else Q(score__lt=high))
    label = _("%(scheme)s: %(low)s to %(high)s points") if last else _("%(scheme)s: %(low)s to under %(high)s points")
    return Figure(
        f"score.{scheme.code}.{band}",
        label % {"scheme": scheme.short_name, "low": f"{low:g}", "high": f"{top if last else high:g}"},
        lambda c: [
            (
                QualityRating.objects.filter(scored, year=c.year, member__covered_213=True, scheme=scheme),
                "workplace_path",
                "member_id",
            )
        ],
    )


BY_KEY = {f.key: f for f in FIGURES}


def figure(key: str) -> Figure | None:
    """The figure behind a key, conclusions and ratings included (their codes are data: of the
    criteria sets, of the rating schemes)."""
    if key in BY_KEY:
        return BY_KEY[key]
    if len(key) >= 80:
        return None
    parts = key.split(".")
    if parts[0] == "conclusion" and len(parts) == 2:
        return _conclusion_figure(parts[1])
    if parts[0] == "exempt" and len(parts) == 2:
        labels = category_labels()
        return _exempt_figure(parts[1], labels[parts[1]]) if parts[1] in labels else None
    if parts[0] in ("rating", "score") and len(parts) == 3:
        scheme = RatingScheme.objects.filter(code=parts[1]).first()
        if scheme is None:
            return None
        if parts[0] == "rating":
            level = scheme.level(parts[2])
            return _rating_figure(scheme.code, parts[2], f"{scheme.short_name}: {level['label']}") if level else None
        if scheme.has_score and parts[2].isascii() and parts[2].isdigit() and int(parts[2]) < SCORE_BANDS:
            return _score_figure(scheme, int(parts[2]))
    return None


# ---- figures counted otherwise (meetings, attendance, answers) --------------------------------


def _meeting_counts(ctx, leaf):
    """Periodic meetings held per half-year, branches that met, attendance, branches holding members."""
    met = defaultdict(set)  # branch path → halves met
    for path, half, n in (
        Meeting.objects.filter(year=ctx.year, status=MeetingStatus.CLOSED)
        .order_by()
        .values_list("branch_path", "half")
        .annotate(n=Count("pk"))
    ):
        leaf[path][f"meetings_h{half}"] += n
        met[path].add(half)
    for path, halves in met.items():
        for half in halves:
            leaf[path][f"branches_met_h{half}"] += 1
        leaf[path]["branches_met"] += 1
        if halves >= {1, 2}:
            leaf[path]["branches_met_both"] += 1
    for path, half, status, n in (
        Attendance.objects.filter(meeting__year=ctx.year, meeting__status=MeetingStatus.CLOSED)
        .exclude(status=AttendanceStatus.UNMARKED)
        .order_by()
        .values_list("meeting__branch_path", "meeting__half", "status")
        .annotate(n=Count("pk"))
    ):
        leaf[path][f"attendance_h{half}"] += n
        leaf[path][f"{status}_h{half}"] += n
    for (path,) in links_held().order_by().values_list("residence_branch__path").distinct():
        leaf[path]["branches_with_members"] += 1


def _exemption_counts(ctx, leaf):
    """Covered members exempt today, per category (the regulation packs' codes: exempt.<code>) and
    per kind (exempt_kind.exempt_meetings, exempt_kind.not_introduced)."""
    for path, category, kind, n in (
        exemptions_on(ctx.today)
        .filter(member__covered_213=True)
        .order_by()
        .values_list("member__org_path", "category", "kind")
        .annotate(n=Count("member_id", distinct=True))
    ):
        leaf[path][f"exempt.{category}"] += n
        leaf[path][f"exempt_kind.{kind}"] += n


def _answer_counts(ctx, leaf):
    """Levels chosen per criterion and the ratings beside the residence conclusions."""
    for path, set_id, answers in (
        _forms(ctx).filter(status__in=SIGNED).values_list("branch_path", "criteria_set_id", "answers").iterator(5000)
    ):
        counts = leaf[path]
        for criterion, level in (answers or {}).items():
            counts[f"level.{set_id}.{criterion}.{level}"] += 1
    for path, conclusion, n in (
        _forms(ctx)
        .filter(status__in=SIGNED)
        .order_by()
        .values_list("branch_path", "conclusion")
        .annotate(n=Count("pk"))
    ):
        leaf[path][f"conclusion.{conclusion or 'none'}"] += n
    conclusion = _yearly(ctx).filter(member=OuterRef("member"), status__in=SIGNED).values("conclusion")[:1]
    for path, scheme, level, concl, n in (
        QualityRating.objects.filter(year=ctx.year, member__covered_213=True)
        .annotate(concl=conclusion)
        .order_by()
        .values_list("workplace_path", "scheme__code", "level", "concl")
        .annotate(n=Count("pk"))
    ):
        leaf[path][f"rating_x.{scheme}.{level}.{concl or '-'}"] += n
        leaf[path][f"rating.{scheme}.{level}"] += n
    for path, scheme, top, score, n in (
        QualityRating.objects.filter(year=ctx.year, member__covered_213=True, score__isnull=False)
        .exclude(scheme__score_max=None)
        .order_by()
        .values_list("workplace_path", "scheme__code", "scheme__score_max", "score")
        .annotate(n=Count("pk"))
    ):
        leaf[path][f"score.{scheme}.{score_band(score, top)}"] += n


def compute(ctx: Context) -> dict[str, Counter]:
    """{organisation path: {figure key: count in its subtree}} for the year of `ctx`."""
    leaf = defaultdict(Counter)
    for fig in FIGURES:
        for path, n in fig.counts(ctx).items():
            leaf[path][fig.key] += n
    _exemption_counts(ctx, leaf)
    _meeting_counts(ctx, leaf)
    _answer_counts(ctx, leaf)
    formality_counts(ctx, leaf)
    # Add each path into its parent, deepest first: every count reaches each ancestor once.
    step = Organization.steplen
    by_length = defaultdict(set)
    for path in leaf:
        by_length[len(path)].add(path)
    for length in range(max(by_length, default=0), step, -step):
        for path in by_length.get(length, ()):
            leaf[path[:-step]].update(leaf[path])
            by_length[length - step].add(path[:-step])
    return leaf
