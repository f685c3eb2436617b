"""The evaluation lists as .xlsx: a branch's forms, a commune's queue, the forms a workplace
received, the requests."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from common.xlsx import Column, add_table, rows_of, save, table_xlsx

from .selectors import form_state

STATE_LABELS = {
    "missing": gettext_lazy("not started"),
    "draft": gettext_lazy("draft"),
    "ready": gettext_lazy("ready to sign"),
    "remarks": gettext_lazy("remarks needed before signing"),
}


def _state_label(state: str, form) -> str:
    return str(STATE_LABELS[state]) if state in STATE_LABELS else form.get_status_display()


def _day(moment):
    return timezone.localtime(moment).date() if moment else None


def _current(evaluations):
    """The current form among a request's (prefetched) forms, if any."""
    return next((e for e in evaluations if e.is_current), None)


# A branch's list, one line per form due: (row, request or None, form or None, state).
BRANCH_COLUMNS = [
    Column(gettext_lazy("Full name"), lambda line: line[0].link.member.full_name, width=28),
    Column(gettext_lazy("Position"), lambda line: line[0].link.member.position, width=22),
    Column(gettext_lazy("Workplace"), lambda line: line[0].link.workplace_committee.name, width=30),
    Column(
        gettext_lazy("Form"),
        lambda line: line[1].get_purpose_display() if line[1] else _("Yearly"),
        width=20,
    ),
    Column(gettext_lazy("Requested by"), lambda line: line[1].workplace_committee.name if line[1] else "", width=26),
    Column(gettext_lazy("Answer by"), lambda line: line[1].due_date if line[1] else None, width=12),
    Column(gettext_lazy("State"), lambda line: _state_label(line[3], line[2]), width=16),
    Column(gettext_lazy("Signed on"), lambda line: _day(line[2].signed_at) if line[2] else None, width=12),
    Column(gettext_lazy("Conclusion"), lambda line: line[2].conclusion_label if line[2] else "", width=30),
]


def _branch_lines(rows):
    for row in rows:
        if not row.shown:
            continue
        if row.expected or row.form:
            yield row, None, row.form, "remarks" if row.needs_remarks else row.state
        for request, form in row.requests:
            yield row, request, form, form_state(form)


def branch_xlsx(branch, year: int, rows) -> bytes:
    return table_xlsx(
        sheet=_("Evaluation"),
        title=_("Evaluation %(year)s — %(name)s") % {"year": year, "name": branch.name},
        columns=BRANCH_COLUMNS,
        rows=_branch_lines(rows),
    )


_QUEUE_COMMON = [
    Column(gettext_lazy("Full name"), lambda f: f.member.full_name, width=28),
    Column(gettext_lazy("Year"), lambda f: f.year, width=8),
    Column(gettext_lazy("Version"), lambda f: f.version, width=8),
    Column(gettext_lazy("Branch"), lambda f: f.branch.name, width=28),
    Column(gettext_lazy("Workplace"), lambda f: f.workplace_committee.name, width=30),
]
SIGNED_COLUMNS = [*_QUEUE_COMMON, Column(gettext_lazy("Signed on"), lambda f: _day(f.signed_at), width=12)]
CONFIRMED_COLUMNS = [
    *_QUEUE_COMMON,
    Column(gettext_lazy("Confirmed on"), lambda f: _day(f.confirmed_at), width=12),
    Column(gettext_lazy("Document"), lambda f: f.document.symbol if f.document_id else "", width=18),
]


def commune_xlsx(committee, *, signed, confirmed) -> bytes:
    """The two queues of the page, a sheet each."""
    book = Workbook(write_only=True)
    for label, columns, forms in (
        (_("Waiting for confirmation"), SIGNED_COLUMNS, signed),
        (_("To forward to the workplaces"), CONFIRMED_COLUMNS, confirmed),
    ):
        add_table(book, sheet=label, title=f"{label} — {committee.name}", columns=columns, rows=rows_of(forms))
    return save(book)


def _points(score):
    """A score as the number a spreadsheet sums: 85, or 85.5 (None when the scheme gives none)."""
    if score is None:
        return None
    return int(score) if score == score.to_integral_value() else float(score)


def incoming_xlsx(year: int, forms, ratings) -> bytes:
    def rated(form):
        """The member's rating beside the current yearly form only (a request's form has none)."""
        if form.request_id or not form.is_current:
            return None
        return ratings.get(form.member_id)

    def rating_column(label, value, width):
        return Column(label, lambda f: value(rated(f)) if rated(f) else "", width=width)

    columns = [
        Column(gettext_lazy("Full name"), lambda f: f.member.full_name, width=28),
        Column(gettext_lazy("Residence branch"), lambda f: f.branch.name, width=28),
        Column(
            gettext_lazy("Residence form"),
            lambda f: f.request.get_purpose_display() if f.request_id else _("Yearly"),
            width=20,
        ),
        Column(gettext_lazy("Version"), lambda f: f.version, width=8),
        Column(gettext_lazy("Replaced"), lambda f: "" if f.is_current else _("yes"), width=10),
        Column(gettext_lazy("Conclusion"), lambda f: f.conclusion_label, width=30),
        Column(gettext_lazy("Document"), lambda f: f.document.symbol if f.document_id else "", width=18),
        rating_column(gettext_lazy("Rated under"), lambda r: r.scheme.short_name, 12),
        rating_column(gettext_lazy("Score"), lambda r: _points(r.score), 8),
        rating_column(gettext_lazy("Quality rating"), lambda r: r.level_label, 26),
        rating_column(gettext_lazy("Why below the score's band"), lambda r: r.lower_reason, 30),
    ]
    return table_xlsx(
        sheet=_("Forms received"),
        title=_("Residence evaluations %(year)s") % {"year": year},
        columns=columns,
        rows=rows_of(forms),
    )


def _request_state(request) -> str:
    form = _current(request.evaluations.all())
    return form.get_status_display() if form else str(STATE_LABELS["missing"])


RECEIVED_COLUMNS = [
    Column(gettext_lazy("Full name"), lambda r: r.member.full_name, width=28),
    Column(gettext_lazy("Purpose"), lambda r: r.get_purpose_display(), width=20),
    Column(gettext_lazy("Details"), lambda r: r.details, width=36),
    Column(gettext_lazy("Workplace"), lambda r: r.workplace_committee.name, width=30),
    Column(gettext_lazy("Answer by"), lambda r: r.due_date, width=12),
    Column(gettext_lazy("State"), _request_state, width=16),
]
SENT_COLUMNS = [
    Column(gettext_lazy("Full name"), lambda r: r.member.full_name, width=28),
    Column(gettext_lazy("Purpose"), lambda r: r.get_purpose_display(), width=20),
    Column(gettext_lazy("Details"), lambda r: r.details, width=36),
    Column(
        gettext_lazy("Residence branch"),
        lambda r: r.link.residence_branch.name if r.link.residence_branch_id else "",
        width=28,
    ),
    Column(gettext_lazy("Requested on"), lambda r: _day(r.requested_at), width=12),
    Column(gettext_lazy("Answer by"), lambda r: r.due_date, width=12),
    Column(gettext_lazy("State"), _request_state, width=16),
]


def requests_xlsx(*, received, sent) -> bytes:
    """Both lists of the page, a sheet each."""
    book = Workbook(write_only=True)
    for label, columns, requests in (
        (_("Received (residence side)"), RECEIVED_COLUMNS, received),
        (_("Sent (workplace side)"), SENT_COLUMNS, sent),
    ):
        title = f"{_('Evaluation requests')} — {label}"
        add_table(book, sheet=label, title=title, columns=columns, rows=rows_of(requests))
    return save(book)
