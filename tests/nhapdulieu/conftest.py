"""Member lists as offices keep them, written by the tests themselves (openpyxl; csv in UTF-8,
UTF-8 with BOM and Windows-1258)."""

import io
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


def xlsx(rows, *, titles=(), merges=(), name="danh-sach.xlsx") -> SimpleUploadedFile:
    """A workbook with title rows above the table, the rows as given (None = empty cell)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "DS đảng viên"
    for title in titles:
        sheet.append([title])
    for row in rows:
        sheet.append(list(row))
    for cells in merges:
        sheet.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/vnd.ms-excel")


def csv_file(rows, *, encoding="utf-8", delimiter=",", name="danh-sach.csv") -> SimpleUploadedFile:
    text = "\r\n".join(delimiter.join(str(c) for c in row) for row in rows) + "\r\n"
    data = as_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    return SimpleUploadedFile(name, data, content_type="text/csv")


TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def as_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: letters with their breve, circumflex or horn
    precomposed, the tone as a separate combining mark."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(p for p in parts if p in TONES)
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


HEADER = [
    "STT",
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Số CCCD",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Chức vụ",
    "Điện thoại",
    "Thuộc diện 213",
]
