"""The attendance sheet of a meeting as .xlsx and as a printable PDF."""

import io

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["STT", "Họ và tên", "Tổ đảng", "Đơn vị công tác", "Chức vụ", "Điểm danh", "Lý do"]


def _title(meeting) -> str:
    moment = timezone.localtime(meeting.starts_at)
    return f"Danh sách điểm danh — {meeting.branch.name} — {moment:%d/%m/%Y %H:%M}"


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
    sheet.title = "Điểm danh"
    sheet.append([_title(meeting)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([f"Địa điểm: {meeting.place}"])
    sheet.append([])
    sheet.append(HEADERS)
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
            "headers": HEADERS,
            "rows": [_cells(index, row) for index, row in enumerate(rows, start=1)],
        },
    )
    return weasyprint.HTML(string=html).write_pdf()
