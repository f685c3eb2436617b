"""The dashboard's table and a drill-down list as .xlsx (write-only workbooks: rows are streamed,
not kept in memory)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from common.xlsx import Column, rows_of, save, styled_row, table_xlsx

from .tables import COLUMNS, sections


def _plain(value):
    return "" if value is None else value


def dashboard_xlsx(board, period_label: str) -> bytes:
    book = Workbook(write_only=True)
    summary = book.create_sheet(_("Figures"))
    styled_row(summary, [f"{board.org.name} — {period_label}"])
    if board.refreshed:
        summary.append([_("Figures as of %(when)s") % {"when": board.refreshed.computed_at.strftime("%d/%m/%Y %H:%M")}])
    for title, items in sections(board):
        summary.append([])
        styled_row(summary, [title])
        for item in items:
            summary.append([str(item.label), _plain(item.value), item.note])
    children = book.create_sheet(_("By organisation"))
    styled_row(children, [_("Organisation"), *[c.label for c in COLUMNS]])
    for child in board.children:
        children.append([child.org.name, *[_plain(child.f[c.key]) for c in COLUMNS]])
    styled_row(children, [_("Total"), *[_plain(board.f[c.key]) for c in COLUMNS]])
    return save(book)


MEMBER_COLUMNS = [
    Column(gettext_lazy("Full name"), lambda m: m.full_name, width=28),
    Column(gettext_lazy("Date of birth"), lambda m: m.birth_date, width=12),
    Column(gettext_lazy("Party organisation"), lambda m: m.organization.name, width=34),
    Column(gettext_lazy("Residence branch"), lambda m: m.residence_branch_name or "", width=28),
    Column(gettext_lazy("Residence committee"), lambda m: m.residence_committee_name or "", width=28),
]


def members_xlsx(title: str, rows) -> bytes:
    return table_xlsx(sheet=_("Members"), title=title, columns=MEMBER_COLUMNS, rows=rows_of(rows))
