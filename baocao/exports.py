"""The dashboard's table and a drill-down list as .xlsx (write-only workbooks: rows are streamed,
not kept in memory)."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .tables import COLUMNS, sections

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 100_000  # a list longer than this is cut, and the file says so


def _bold(sheet, values):
    row = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value if isinstance(value, (int, float)) else str(value))
        cell.font = Font(bold=True)
        row.append(cell)
    sheet.append(row)


def _plain(value):
    return "" if value is None else value


def dashboard_xlsx(board, period_label: str) -> bytes:
    book = Workbook(write_only=True)
    summary = book.create_sheet(_("Figures"))
    _bold(summary, [f"{board.org.name} — {period_label}"])
    if board.refreshed:
        summary.append([_("Figures as of %(when)s") % {"when": board.refreshed.computed_at.strftime("%d/%m/%Y %H:%M")}])
    for title, items in sections(board):
        summary.append([])
        _bold(summary, [title])
        for item in items:
            summary.append([str(item.label), _plain(item.value), item.note])
    children = book.create_sheet(_("By organisation"))
    _bold(children, [_("Organisation"), *[c.label for c in COLUMNS]])
    for child in board.children:
        children.append([child.org.name, *[_plain(child.f[c.key]) for c in COLUMNS]])
    _bold(children, [_("Total"), *[_plain(board.f[c.key]) for c in COLUMNS]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def members_xlsx(title: str, rows) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Members"))
    _bold(sheet, [title])
    _bold(
        sheet,
        [
            _("No."),
            _("Full name"),
            _("Date of birth"),
            _("Party organisation"),
            _("Residence branch"),
            _("Residence committee"),
        ],
    )
    n = 0
    # One row past the limit says the list was cut, without reading the rest.
    for n, m in enumerate(rows[: MAX_ROWS + 1].iterator(2000), start=1):
        if n > MAX_ROWS:
            sheet.append([_("The list is cut at %(n)s rows: choose a smaller organisation.") % {"n": MAX_ROWS}])
            break
        sheet.append(
            [
                n,
                m.full_name,
                m.birth_date.strftime("%d/%m/%Y"),
                m.organization.name,
                m.residence_branch_name or "",
                m.residence_committee_name or "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
