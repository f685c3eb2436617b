"""Scoped reads of the reports: a dashboard is the stored figures of one organisation in the
viewer's scope and of its children (three queries whatever the subtree's size); a drill-down is
the live list of the members behind one figure."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from chibo.models import Organization
from chibo.permissions import can_view_org, scope_paths
from chibo.selectors import (
    organization_ancestors_visible,
    organization_children,
    organization_get,
    organization_roots,
)
from dangvien.models import HELD_STATES, INTRODUCED_STATES, ResidenceLink
from nhanxet.models import CriteriaSet, RatingScheme

from .figures import SCORE_BANDS, Context, figure, score_band_bounds
from .formality import BY_CODE, FLAGS, FORMS, JUDGED, Flag
from .models import FiguresRefresh, OrgFigures

MAX_CHILDREN = 1000


class Figures(dict):
    """A subtree's figures with the derived ones; a figure nothing was counted for is 0."""

    def __missing__(self, key):
        return 0


def _pct(part, whole):
    return round(100 * part / whole, 1) if whole else None


def _upgraded(data: dict) -> dict:
    """Figures stored before rating schemes and regulation packs, read as they are written now:
    a rating was QĐ 124's (rating.<level> → rating.qd124.<level>), and an exemption's kind was
    its QĐ 213 category's. A year is stored again only when it is refreshed (this year and the
    last), so the older years keep their old keys."""
    if not any(k.startswith(("rating.", "rating_x.", "exempt.")) for k in data):
        return data
    from quydinh.defaults import EXEMPTION_CATEGORIES

    out = {}
    for key, value in data.items():
        parts = key.split(".")
        if parts[0] == "rating" and len(parts) == 2:
            key = f"rating.qd124.{parts[1]}"
        elif parts[0] == "rating_x" and len(parts) == 3:
            key = f"rating_x.qd124.{parts[1]}.{parts[2]}"
        out[key] = out.get(key, 0) + value
    if not any(k.startswith("exempt_kind.") for k in out):
        for category in EXEMPTION_CATEGORIES:
            n = out.get(f"exempt.{category['code']}", 0)
            if n:
                kind = f"exempt_kind.{category['kind']}"
                out[kind] = out.get(kind, 0) + n
    return out


def derive(data: dict, half: int | None) -> Figures:
    f = Figures(_upgraded(data))
    f["not_introduced"] = f["exempt_kind.not_introduced"]
    f["exempt_meetings"] = f["exempt_kind.exempt_meetings"]
    f["to_introduce"] = max(f["covered"] - f["not_introduced"], 0)
    f["introduced_pct"] = _pct(f["introduced"], f["to_introduce"])
    f["acknowledged_pct"] = _pct(f["acknowledged"], f["to_introduce"])
    # On time: of those to introduce, the share not past the letter rule's days without a letter.
    f["intro_on_time_pct"] = _pct(max(f["to_introduce"] - f["intro_overdue"], 0), f["to_introduce"])
    halves = (half,) if half else (1, 2)
    f["meetings"] = sum(f[f"meetings_h{h}"] for h in halves)
    f["met"] = f[f"branches_met_h{half}"] if half else f["branches_met"]
    f["met_pct"] = _pct(f["met"], f["branches_with_members"])
    f["attended"] = sum(f[f"present_h{h}"] for h in halves)
    f["marked"] = sum(f[f"attendance_h{h}"] for h in halves)
    f["excused"] = sum(f[f"excused_h{h}"] for h in halves)
    f["unexcused"] = sum(f[f"unexcused_h{h}"] for h in halves)
    f["attendance_pct"] = _pct(f["attended"], f["marked"])
    f["expected"] = f["forms_missing"] + f["forms_yearly"]
    f["expected_total"] = f["expected"] + f["requested"]
    f["signed_pct"] = _pct(f["signed"], f["expected_total"])
    f["overdue"] = f["overdue_unsigned"] + f["requests_overdue"] + f["overdue_unconfirmed"] + f["overdue_unforwarded"]
    return f


@dataclass
class Child:
    org: Organization
    f: Figures


@dataclass
class Dashboard:
    org: Organization
    year: int
    half: int | None
    f: Figures
    refreshed: FiguresRefresh | None
    ancestors: list
    children: list
    more_children: bool
    trend: list  # [(year, Figures)], oldest first
    exemptions: list = field(default_factory=list)  # [(key, label, n)]
    conclusions: list = field(default_factory=list)  # [(key, label, n)]
    levels: list = field(default_factory=list)  # [(criteria set, [(criterion, [(label, n, pct)])])]
    formality: list = field(default_factory=list)  # [FlagLine] of the formality flags
    ratings: list = field(default_factory=list)  # [RatingBlock] per rating scheme with ratings (or of the year)
    rating_columns: list = field(default_factory=list)  # [(code, label)] of the conclusions


@dataclass
class FlagLine:
    """One formality sign over a subtree: its branches flagged among those judged, and its forms."""

    flag: Flag
    branches: int
    judged: int
    forms: int
    total: int

    @property
    def forms_pct(self):
        return _pct(self.forms, self.total)

    @property
    def threshold_pct(self) -> int:
        return round(100 * self.flag.threshold)


def exemption_lines(f) -> list:
    """[(key, label, n)]: the categories of the pack in force, then any other counted (an earlier pack's)."""
    from quydinh.selectors import exemption_categories

    in_force, labels = exemption_categories()
    codes = [c["code"] for c in in_force]
    codes += sorted(k.split(".", 1)[1] for k in f if k.startswith("exempt.") and k.split(".", 1)[1] not in codes)
    return [(f"exempt.{code}", labels.get(code, code), f[f"exempt.{code}"]) for code in codes]


def formality_lines(f) -> list[FlagLine]:
    return [FlagLine(flag, f[flag.branch_key], f[JUDGED], f[flag.form_key], f[FORMS]) for flag in FLAGS]


@dataclass
class RatingBlock:
    """The year's ratings under one scheme: per level beside the residence conclusions, and for a
    scored scheme how the scores spread (ten bands)."""

    scheme: RatingScheme
    rows: list  # [(key, label, n, [n per conclusion])]
    total: int
    scores: list = field(default_factory=list)  # [(key, label, n, pct)]

    @property
    def scores_top(self) -> int:
        return max((n for _k, _l, n, _p in self.scores), default=0)


@dataclass
class AllOrganizations:
    """Stands for the sum of a user's top organisations (the whole country for the national
    administrator): pk 0 in the URLs."""

    name: str
    pk: int = 0
    path: str = ""
    side: str = ""
    short_name: str = ""


def _summed(rows) -> dict:
    total = Counter()
    for data in rows:
        total.update(data)
    return total


def _top(user, org_pk: int):
    """(the organisation or the stand-in for all of the user's, its children, its rows by year)."""
    if org_pk == 0:
        roots = list(organization_roots(user)[: MAX_CHILDREN + 1])
        if not roots:
            raise Http404
        by_year = {}
        for y, data in OrgFigures.objects.filter(organization__in=[r.pk for r in roots]).values_list("year", "data"):
            by_year.setdefault(y, []).append(data)
        name = _("The whole country") if scope_paths(user) is None else _("All my organisations")
        return AllOrganizations(name=str(name)), roots, {y: _summed(rows) for y, rows in by_year.items()}
    org = organization_get(user, org_pk)
    rows = {r.year: r.data for r in OrgFigures.objects.filter(organization=org)}
    return org, list(organization_children(user, org)[: MAX_CHILDREN + 1]), rows


def dashboard(user, org_pk: int, year: int, half: int | None) -> Dashboard:
    """The dashboard of an organisation the user may see (404 otherwise), or with org_pk 0 of all
    the user's top organisations together."""
    org, children, rows = _top(user, org_pk)
    f = derive(rows.get(year, {}), half)
    more = len(children) > MAX_CHILDREN
    children = children[:MAX_CHILDREN]
    child_data = dict(
        OrgFigures.objects.filter(organization__in=[c.pk for c in children], year=year).values_list(
            "organization_id", "data"
        )
    )
    board = Dashboard(
        org=org,
        year=year,
        half=half,
        f=f,
        refreshed=FiguresRefresh.objects.filter(year=year).first(),
        ancestors=organization_ancestors_visible(user, org) if org.pk else [],
        children=[Child(c, derive(child_data.get(c.pk, {}), half)) for c in children],
        more_children=more,
        trend=[(y, derive(rows[y], None)) for y in sorted(rows)],
    )
    board.exemptions = exemption_lines(f)
    board.formality = formality_lines(f)
    _answers(board)
    return board


def _answers(board: Dashboard):
    """Conclusions, levels per criterion and ratings beside conclusions, labelled from the criteria sets used."""
    f = board.f
    set_ids = sorted({int(k.split(".")[1]) for k in f if k.startswith("level.")})
    sets = CriteriaSet.objects.filter(pk__in=set_ids).prefetch_related("criteria") if set_ids else []
    labels = {}
    for cs in sets:
        for c in cs.conclusions:
            labels.setdefault(c["code"], c["label"])
        criteria = []
        for criterion in cs.criteria.all():
            counts = [(lvl["label"], f[f"level.{cs.pk}.{criterion.code}.{lvl['code']}"]) for lvl in criterion.levels]
            total = sum(n for _l, n in counts)
            criteria.append((criterion, [(label, n, _pct(n, total)) for label, n in counts]))
        board.levels.append((cs, criteria))
    codes = [k.split(".", 1)[1] for k in sorted(f) if k.startswith("conclusion.") and f[k]]
    ordered = [c for c in labels if c in codes] + [c for c in codes if c not in labels]
    board.conclusions = [(f"conclusion.{c}", labels.get(c, c), f[f"conclusion.{c}"]) for c in ordered]
    board.rating_columns = [(c, labels.get(c, c)) for c in ordered] + [("-", _("No signed form"))]
    board.ratings = rating_blocks(f, board.year, board.rating_columns)


def rating_blocks(f, year: int, columns) -> list[RatingBlock]:
    """A block for each rating scheme the year's ratings were recorded under, and for the scheme
    of the year even before any rating (the boards see which rules apply)."""
    used = {k.split(".")[1] for k in f if k.startswith("rating.") and f[k]}
    schemes = list(RatingScheme.objects.order_by("first_year"))  # a handful of rows, read once
    of_year = next((s for s in reversed(schemes) if s.first_year <= year), None)
    blocks = []
    for scheme in schemes:
        if scheme.code not in used and scheme != of_year:
            continue
        rows = [
            (
                f"rating.{scheme.code}.{level['code']}",
                level["label"],
                f[f"rating.{scheme.code}.{level['code']}"],
                [f[f"rating_x.{scheme.code}.{level['code']}.{code}"] for code, _l in columns],
            )
            for level in scheme.levels
        ]
        block = RatingBlock(scheme=scheme, rows=rows, total=sum(n for _k, _l, n, _r in rows))
        if scheme.has_score:
            counts = [f[f"score.{scheme.code}.{band}"] for band in range(SCORE_BANDS)]
            scored = sum(counts)
            for band, n in enumerate(counts):
                low, high = score_band_bounds(band, scheme.score_max)
                label = f"{low:g}–{high:g}" if band < SCORE_BANDS - 1 else f"{low:g}–{scheme.score_max}"
                block.scores.append((f"score.{scheme.code}.{band}", label, n, _pct(n, scored)))
        blocks.append(block)
    return blocks


def _org_and_prefixes(user, org_pk: int, all_name: str):
    """(organisation, the path prefixes it covers): 0 is all the user's organisations; one outside
    the user's scope is a 404, like a missing one."""
    if org_pk != 0:
        org = organization_get(user, org_pk)
        return org, [org.path]
    paths = scope_paths(user)
    prefixes = [""] if paths is None else paths
    if not prefixes:
        raise Http404
    return AllOrganizations(name=all_name), prefixes


def drill_members(user, org_pk: int, key: str, year: int):
    """(organisation, figure, members) behind one figure of an organisation in the user's scope;
    an unknown figure is a 404 like an organisation outside the scope."""
    org, prefixes = _org_and_prefixes(user, org_pk, "")
    fig = figure(key)
    if fig is None:
        raise Http404
    open_link = ResidenceLink.objects.filter(member=OuterRef("pk"), state__in=INTRODUCED_STATES).order_by("-pk")
    members = (
        fig.members(Context.of(year), prefixes)
        .select_related("organization")
        .annotate(
            residence_branch_name=Subquery(open_link.values("residence_branch__name")[:1]),
            residence_committee_name=Subquery(open_link.values("residence_committee__name")[:1]),
            link_state=Subquery(open_link.values("state")[:1]),
        )
        .order_by("sort_key", "pk")
    )
    return org, fig, members


def flagged_branches(user, org_pk: int, code: str, year: int):
    """(organisation, flag, the figures of its residence branches flagged for `code` in the year):
    the boards' drill-down from a formality flag to the branches behind it; a 404 outside the
    user's scope or for an unknown flag."""
    flag = BY_CODE.get(code)
    if flag is None:
        raise Http404
    org, prefixes = _org_and_prefixes(user, org_pk, str(_("All my organisations")))
    from django.db.models import Q

    in_scope = Q(pk__in=[])
    for prefix in prefixes:
        in_scope |= Q(organization__path__startswith=prefix)
    rows = (
        OrgFigures.objects.filter(in_scope, year=year, organization__numchild=0, data__has_key=flag.branch_key)
        .select_related("organization")
        .order_by("organization__path")
    )
    return org, flag, rows


def can_open_member(user, member) -> bool:
    paths = scope_paths(user)
    return paths is None or any(member.org_path.startswith(p) for p in paths)


def residence_places(user, org, limit=200):
    """Where a workplace organisation's covered members live: per residence commune committee,
    how many are held there and how many letters still wait (a live query over its own members;
    nothing for a residence-side organisation or for all of a user's together)."""
    from django.db.models import Count, Q

    from chibo.models import Side
    from dangvien.models import LinkState

    if not org.pk or org.side != Side.WORKPLACE:
        return []
    if not can_view_org(user, org):
        raise Http404
    return list(
        ResidenceLink.objects.filter(member__org_path__startswith=org.path, state__in=INTRODUCED_STATES)
        .order_by()
        .values("residence_committee__name", "residence_commune__name", "residence_commune__province__name")
        .annotate(
            held=Count("pk", filter=Q(state__in=HELD_STATES)),
            waiting=Count("pk", filter=Q(state=LinkState.LETTER_ISSUED)),
            total=Count("pk"),
        )
        .order_by("-total", "residence_commune__name")[:limit]
    )


def reports_issued(user, org, limit=5):
    """The organisation's last formal reports, for its office (the documents it issued)."""
    from vanban.models import Document, DocumentType

    from .permissions import can_issue_report

    if not can_issue_report(user, org):
        return []
    return list(Document.objects.filter(issuer=org, doc_type=DocumentType.REPORT).order_by("-issued_at")[:limit])
