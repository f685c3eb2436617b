"""The boards' pages: the dashboard of an organisation, its exports, the members behind a figure."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.permissions import is_national
from chibo.selectors import organization_roots
from common import xlsx
from nhatky.access import AccessAction, access_logged

from . import charts, exports, selectors, services
from .permissions import can_issue_report
from .tables import COLUMNS, cells, number, sections


def _period(request):
    """(year, half or None) from the query string; anything odd falls back to this year."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = today.year
    if not 2000 <= year <= today.year + 1:
        year = today.year
    half = request.GET.get("half", "")
    return year, (int(half) if half in ("1", "2") else None)


def _period_label(year, half) -> str:
    if half == 1:
        return _("the first half of %(year)s") % {"year": year}
    if half == 2:
        return _("the second half of %(year)s") % {"year": year}
    return _("year %(year)s") % {"year": year}


@login_required
def dashboard(request, pk=None):
    year, half = _period(request)
    if pk is None:
        # One organisation: its dashboard; several (or the whole country): all of them together.
        roots = list(organization_roots(request.user)[:2])
        if not roots:
            return render(request, "baocao/dashboard.html", {"board": None, "year": year, "half": half})
        target = roots[0].pk if len(roots) == 1 and not is_national(request.user) else 0
        return redirect(f"{request.path}{target}/?{request.GET.urlencode()}")
    board = selectors.dashboard(request.user, pk, year, half)
    children = [(child, cells(child.f)) for child in board.children]
    by_child, trend = charts.dashboard_charts(board)
    can_issue = can_issue_report(request.user, board.org)
    return render(
        request,
        "baocao/dashboard.html",
        {
            "board": board,
            "year": year,
            "half": half,
            "period_label": _period_label(year, half),
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 6, -1)),
            "sections": sections(board),
            "columns": COLUMNS,
            "children": children,
            "total": cells(board.f),
            "charts": by_child,
            "trend": trend,
            "places": selectors.residence_places(request.user, board.org),
            "can_issue": can_issue,
            "reports": selectors.reports_issued(request.user, board.org) if can_issue else [],
            "query": request.GET.urlencode(),
        },
    )


@login_required
@access_logged(AccessAction.LIST_EXPORT)
def dashboard_xlsx(request, pk):
    year, half = _period(request)
    board = selectors.dashboard(request.user, pk, year, half)
    name = f"bao-cao-{board.org.pk}-{year}{f'-{half}' if half else ''}"
    return xlsx.response(exports.dashboard_xlsx(board, _period_label(year, half)), name)


@login_required
def members(request, pk, key):
    year, half = _period(request)
    org, fig, qs = selectors.drill_members(request.user, pk, key, year)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [(m, selectors.can_open_member(request.user, m)) for m in page.object_list]
    return render(
        request,
        "baocao/members.html",
        {
            "org": org,
            "figure": fig,
            "key": key,
            "page": page,
            "rows": rows,
            "total": number(page.paginator.count),
            "year": year,
            "half": half,
            "period_label": _period_label(year, half),
            "query": f"year={year}" + (f"&half={half}" if half else ""),
        },
    )


@login_required
def flagged(request, pk, code):
    """The residence branches behind a formality flag, each with its shares and a link to its forms."""
    year, half = _period(request)
    org, flag, rows = selectors.flagged_branches(request.user, pk, code, year)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    branches = [
        (
            row.organization,
            row.data.get("formality.forms", 0),
            [(other, row.data.get(other.form_key, 0), other.branch_key in row.data) for other in selectors.FLAGS],
        )
        for row in page.object_list
    ]
    return render(
        request,
        "baocao/flagged.html",
        {
            "org": org,
            "flag": flag,
            "flags": selectors.FLAGS,
            "page": page,
            "branches": branches,
            "year": year,
            "period_label": _period_label(year, half),
            "query": f"year={year}",
            "min_forms": settings.FORMALITY_MIN_FORMS,
        },
    )


@login_required
@access_logged(AccessAction.LIST_EXPORT)
def members_xlsx(request, pk, key):
    year, _half = _period(request)
    org, fig, qs = selectors.drill_members(request.user, pk, key, year)
    title = f"{fig.label} — {org.name} — {year}"
    return xlsx.response(exports.members_xlsx(title, qs), f"danh-sach-{org.pk}-{key}-{year}")


@login_required
@require_POST
def report(request, pk):
    """Issue the formal report of the dashboard as shown (year, half-year) and go back to it."""
    year, half = _period(request)
    board = selectors.dashboard(request.user, pk, year, half)
    back = reverse("baocao:org", args=[pk]) + f"?{request.GET.urlencode()}"
    try:
        document = services.report_issue(actor=request.user, board=board)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(back)
    messages.success(request, _("Report %(symbol)s issued; its PDF is below.") % {"symbol": document.symbol})
    return redirect(back)
