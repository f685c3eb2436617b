"""The shared list writer: text stays text, times are local, the row cap, the ASCII file name."""

import datetime
import io
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from common import xlsx


def _sheet(data):
    return load_workbook(io.BytesIO(data)).active


def test_values_are_written_as_the_pages_show_them(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 2)
    utc = datetime.datetime(2026, 3, 1, 17, 30, tzinfo=ZoneInfo("UTC"))
    rows = [('=HYPERLINK("x")', utc, datetime.date(2026, 3, 2)), ("b", None, None), ("c", None, None)]
    columns = [
        xlsx.Column("Text", lambda r: r[0]),
        xlsx.Column("When", lambda r: r[1]),
        xlsx.Column("Day", lambda r: r[2]),
    ]
    ws = _sheet(xlsx.table_xlsx(sheet="A/B", title="Title", notes=["", "Filters: x"], columns=columns, rows=iter(rows)))
    assert ws.title == "A B"
    values = [tuple(c.value for c in row) for row in ws.iter_rows()]
    assert values[:4] == [
        ("Title", None, None, None),
        ("Filters: x", None, None, None),
        (None,) * 4,
        ("STT", "Text", "When", "Day"),
    ]
    first = ws[5]
    assert first[1].value == '=HYPERLINK("x")' and first[1].data_type == "s"  # text, never a formula
    assert first[2].value == datetime.datetime(2026, 3, 2, 0, 30)  # Asia/Ho_Chi_Minh wall clock
    assert first[2].number_format == "DD/MM/YYYY HH:MM" and first[3].number_format == "DD/MM/YYYY"
    assert [row[0] for row in values[4:]] == [1, 2, "Danh sách dừng ở 2 dòng: hãy chọn tổ chức nhỏ hơn."]


def test_the_download_name_is_ascii():
    response = xlsx.response(b"x", "Đảng viên — Chi bộ Văn phòng")
    assert response["Content-Disposition"] == 'attachment; filename="dang-vien-chi-bo-van-phong.xlsx"'
    assert response["Content-Type"] == xlsx.XLSX
    assert xlsx.response(b"x", "——")["Content-Disposition"] == 'attachment; filename="danh-sach.xlsx"'
