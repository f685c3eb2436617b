"""The attendance sheet of a meeting as .xlsx and as a printable PDF."""

import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = [
    gettext_lazy("No."),
    gettext_lazy("Full name"),
    gettext_lazy("Group"),
    gettext_lazy("Workplace"),
    gettext_lazy("Position"),
    gettext_lazy("Attendance"),
    gettext_lazy("Reason"),
]


def _title(meeting) -> str:
    moment = timezone.localtime(meeting.starts_at)
    return _("Attendance sheet — %(branch)s — %(when)s") % {
        "branch": meeting.branch.name,
        "when": f"{moment:%d/%m/%Y %H:%M}",
    }


def _cells(index, row):
    return [
        index,
        row.member.full_name,
        row.link.party_group.name if row.link.party_group_id else "",
        row.member.workplace_unit or row.link.workplace_committee.name,
        row.member.position,
        row.get_status_display() if row.status else "",
        row.reason,
    ]


def attendance_xlsx(meeting, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("Attendance"))
    sheet.append([_title(meeting)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_("Place: %(place)s") % {"place": meeting.place}])
    sheet.append([])
    sheet.append([str(header) for header in HEADERS])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for index, row in enumerate(rows, start=1):
        sheet.append(_cells(index, row))
    for column, width in enumerate([6, 28, 16, 34, 22, 20, 30], start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A5"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def attendance_pdf(meeting, rows) -> bytes:
    """A plain A4 list for signing on paper (a working list, not a numbered document)."""
    import weasyprint

    html = render_to_string(
        "chibo/attendance_sheet_pdf.html",
        {
            "meeting": meeting,
            "title": _title(meeting),
            "headers": [str(header) for header in HEADERS],
            "rows": [_cells(index, row) for index, row in enumerate(rows, start=1)],
        },
    )
    return weasyprint.HTML(string=html).write_pdf()
