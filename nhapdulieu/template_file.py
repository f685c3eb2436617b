"""The member list template offered for download: the columns the import recognises at once, an
example row, and a sheet explaining each column."""

import datetime
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .fields import FIELDS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The header each field is written under in the template: one of its recognised words, in Vietnamese.
HEADERS = {
    "full_name": "Họ và tên",
    "gender": "Giới tính",
    "birth_date": "Ngày sinh",
    "citizen_id": "Số CCCD",
    "card_number": "Số thẻ đảng",
    "admission_date": "Ngày vào Đảng",
    "full_membership_date": "Ngày chính thức",
    "organization": "Chi bộ",
    "position": "Chức vụ",
    "workplace_unit": "Đơn vị công tác",
    "residence_province": "Tỉnh/Thành phố",
    "residence_commune": "Xã/Phường",
    "residence_hamlet": "Thôn/Tổ dân phố",
    "residence_street": "Số nhà",
    "phone": "Điện thoại",
    "email": "Email",
    "covered_213": "Thuộc diện 213",
    "exemption": "Miễn",
    "exemption_reason": "Lý do miễn",
    "exemption_start": "Miễn từ ngày",
    "exemption_decided_by": "Người quyết định",
    "notes": "Ghi chú",
}
EXAMPLE = {
    "full_name": "Nguyễn Văn An",
    "gender": "Nam",
    "birth_date": datetime.date(1985, 3, 12),
    "citizen_id": "033085000123",
    "admission_date": datetime.date(2010, 5, 19),
    "full_membership_date": datetime.date(2011, 5, 19),
    "position": "Chuyên viên",
    "residence_province": "Hưng Yên",
    "residence_commune": "Phường Phố Hiến",
    "residence_hamlet": "Tổ dân phố 3",
    "residence_street": "Số 12 đường Nguyễn Văn Linh",
    "phone": "0912345678",
    "covered_213": "x",
}


def build() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("List")
    keys = list(HEADERS)
    sheet.append([HEADERS[k] for k in keys])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append([EXAMPLE.get(k, "") for k in keys])
    for cell in sheet[2]:
        if isinstance(cell.value, datetime.date):
            cell.number_format = "DD/MM/YYYY"
    for n, key in enumerate(keys, start=1):
        sheet.column_dimensions[sheet.cell(1, n).column_letter].width = max(12, len(HEADERS[key]) + 4)
    # Citizen IDs and phone numbers as text, so Excel keeps their leading zero.
    for column in ("D", "O"):
        for row in range(2, 2001):
            sheet[f"{column}{row}"].number_format = "@"
    guide = book.create_sheet(_("Instructions"))
    guide.append([_("Column"), _("What to write")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    by_key = {f.key: f for f in FIELDS}
    for key in keys:
        guide.append([HEADERS[key], str(by_key[key].label)])
    guide.column_dimensions["A"].width = 22
    guide.column_dimensions["B"].width = 70
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
