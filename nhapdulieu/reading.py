"""Reading an uploaded member list: what kind of file it is, whether it is safe and small enough,
where its header is, and its rows as cell values.

Files are refused before they are opened when they are not spreadsheets (an old .xls, a PDF, an
image, a zip of something else), too large, or a zip bomb (the unpacked size or the packing ratio
of any part is checked from the zip's directory first). Workbooks are parsed by openpyxl through
defusedxml, so entity declarations (billion laughs, external entities) are refused, and read with
cached values: formulas are never evaluated. CSV is read as UTF-8 (with or without BOM), or as
Windows-1258 when it is not UTF-8. Text typed in the legacy TCVN3 or VNI encodings is detected on
a sample and converted to Unicode, the user being shown examples."""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

import openpyxl
from defusedxml import DefusedXmlException
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from common import legacy_text

from . import cleaning, fields

if not openpyxl.DEFUSEDXML:
    raise ImproperlyConfigured("openpyxl must parse uploads through defusedxml (install it; OPENPYXL_DEFUSEDXML=True)")

HEADER_SEARCH_ROWS = 30
# A member list has some twenty columns; a row of thousands of delimiters is not one.
MAX_COLUMNS = 200


class FileRefused(Exception):
    """The file cannot be imported; the message says why, for the user."""


def limits() -> dict:
    return {
        "bytes": settings.IMPORT_MAX_BYTES,
        "rows": settings.IMPORT_MAX_ROWS,
        "unpacked": settings.IMPORT_MAX_UNPACKED_BYTES,
    }


def sniff(head: bytes) -> str:
    """'xlsx' or 'csv' from the file's first bytes, whatever its name says; FileRefused otherwise."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            _("This is an old Excel file (.xls). Open it in Excel and save it as .xlsx, then upload that.")
        )
    if head.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"Rar!", b"\x1f\x8b", b"7z\xbc\xaf")):
        raise FileRefused(_("This file is not a spreadsheet. Upload an .xlsx or .csv file."))
    if b"\x00" in head[:4096]:
        raise FileRefused(_("This file is not a spreadsheet. Upload an .xlsx or .csv file."))
    lowered = head[:512].lstrip().lower()
    if lowered.startswith((b"<!doctype", b"<html", b"<?xml", b"{\\rtf")):
        raise FileRefused(_("This file is not a spreadsheet. Upload an .xlsx or .csv file."))
    return "csv"


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB".replace(".", ",") if n >= 1_048_576 else f"{max(1, n // 1024)} KB"


def check_size(size: int):
    if size > limits()["bytes"]:
        raise FileRefused(
            _("The file is %(size)s; the limit is %(limit)s. Split it into several files.")
            % {"size": _size(size), "limit": _size(limits()["bytes"])}
        )
    if size == 0:
        raise FileRefused(_("The file is empty."))


def check_zip(fileobj):
    """A workbook's zip directory, checked before anything is unpacked."""
    try:
        archive = zipfile.ZipFile(fileobj)
        entries = archive.infolist()
    except zipfile.BadZipFile:
        raise FileRefused(_("The file is damaged or is not an .xlsx workbook.")) from None
    names = {e.filename for e in entries}
    if "xl/workbook.xml" not in names:
        raise FileRefused(_("This zip file is not an Excel workbook. Upload an .xlsx or .csv file."))
    unpacked = sum(e.file_size for e in entries)
    if len(entries) > 10_000 or unpacked > limits()["unpacked"]:
        raise FileRefused(
            _("The workbook unpacks to more than %(limit)s MB; it cannot be a member list.")
            % {"limit": limits()["unpacked"] // 1_048_576}
        )
    for e in entries:
        if e.file_size > 1_000_000 and e.file_size > 200 * max(e.compress_size, 1):
            raise FileRefused(_("The workbook is packed suspiciously tightly (a “zip bomb”); it was not opened."))
    return archive


@dataclass
class Sheet:
    """A file's member table: headers (one per column) and data rows with their row numbers."""

    kind: str
    name: str
    headers: list
    header_row: int
    rows: list  # [(row number in the file, tuple of cell values)]
    empty_rows: int = 0
    legacy: str | None = None
    legacy_examples: list = field(default_factory=list)
    uncalculated: list = field(default_factory=list)  # [(row, column)] formulas without a value
    size: int = 0  # the sheet's rows as it states them (its dimension; a CSV's lines), titles included
    partial: bool = False  # only the first rows were read

    @property
    def data_rows(self) -> int:
        """Data rows: counted when the whole sheet was read, else estimated from its size."""
        return max(len(self.rows), self.size - self.header_row) if self.partial else len(self.rows)


def read(fileobj, kind: str, *, head: int | None = None) -> Sheet:
    """The file's table; with `head`, only its first rows (to find the header and show examples),
    the row count then being the sheet's own (its dimension, or the CSV's lines)."""
    try:
        raw_rows, name, formulas, size = _xlsx_rows(fileobj, head) if kind == "xlsx" else _csv_rows(fileobj, head)
        sheet = _table(raw_rows, kind, name, formulas)
        sheet.partial = head is not None and len(raw_rows) >= head
        sheet.size = size
        return sheet
    except DefusedXmlException:
        raise FileRefused(
            _("The workbook contains XML entity declarations, which are not allowed; it was not read.")
        ) from None
    except FileRefused:
        raise
    except (csv.Error, ParseError, zipfile.BadZipFile, KeyError, ValueError, TypeError, EOFError, OSError):
        # A part of the workbook that openpyxl cannot parse (read lazily, row by row), or a CSV
        # the csv module refuses (a field over its size limit).
        raise FileRefused(
            _("The file is damaged or is not an .xlsx workbook.")
            if kind == "xlsx"
            else _("The file cannot be read as CSV: it is damaged, or a cell holds more than 100,000 characters.")
        ) from None


def _xlsx_rows(fileobj, head=None):
    archive = check_zip(fileobj)
    fileobj.seek(0)
    try:
        book = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        cause = exc
        while cause is not None and not isinstance(cause, DefusedXmlException):
            cause = cause.__cause__ or cause.__context__
        if cause is not None:
            raise cause from None
        raise FileRefused(_("The file is damaged or is not an .xlsx workbook.")) from None
    sheet = next((ws for ws in book.worksheets if ws.sheet_state == "visible"), book.worksheets[0])
    # The sheet's rows counted in its XML (openpyxl's own count parses the whole sheet when the
    # file states no dimension): a sheet too long is refused before any row is read.
    part = sheet._worksheet_path if sheet._worksheet_path in archive.namelist() else None
    xml = archive.read(part) if part else b""
    size = xml.count(b"<row ") + xml.count(b"<row>")
    if size > limits()["rows"] + HEADER_SEARCH_ROWS:
        raise FileRefused(_too_many())
    rows = _capped(sheet.iter_rows(values_only=True), head)
    # A formula whose result was never computed (a file written by a program, not saved in Excel)
    # reads as empty: those cells are found from the formulas themselves, read only if any exist.
    formulas = set()
    if head is None and b"<f" in xml:
        fileobj.seek(0)
        book_f = openpyxl.load_workbook(fileobj, read_only=True, data_only=False)
        for n, values in enumerate(book_f[sheet.title].iter_rows(values_only=True), start=1):
            for c, v in enumerate(values):
                if isinstance(v, str) and v.startswith("="):
                    formulas.add((n, c))
            if n > limits()["rows"] + HEADER_SEARCH_ROWS:
                break
    return rows, sheet.title, formulas, size or len(rows)


def _too_many():
    return _("The sheet has more than %(limit)s rows; split it into several files.") % {
        "limit": f"{limits()['rows']:,}".replace(",", ".")
    }


def _capped(rows, head=None):
    out = []
    for n, row in enumerate(rows, start=1):
        if head is not None and n > head:
            break
        if n > limits()["rows"] + HEADER_SEARCH_ROWS:
            raise FileRefused(_too_many())
        out.append(row)
    return out


def _csv_rows(fileobj, head=None):
    data = fileobj.read()
    if data.startswith(b"\xef\xbb\xbf"):
        textdata = data[3:].decode("utf-8", errors="strict")
    else:
        try:
            textdata = data.decode("utf-8")
        except UnicodeDecodeError:
            # Windows-1258 would read the bytes TCVN3 and VNI use for letters as other letters and
            # tones (and NFC then merges them): legacy text is looked for in the bytes as Latin-1
            # first (legacy_text converts that form), Windows-1258 otherwise.
            latin = data.decode("latin-1")
            sample = re.split(r"[,;\t\r\n]+", latin[:200_000])[:5000]
            textdata = latin if legacy_text.detect(sample) else data.decode("cp1258", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(textdata[:20_000], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(textdata, newline=""), delimiter=delimiter)
    rows = _capped((tuple(unicodedata.normalize("NFC", c) for c in row) for row in reader), head)
    return rows, "CSV", set(), textdata.count("\n")


def _is_empty(row) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _is_numbering(row) -> bool:
    """The row of column numbers under a register's header: (1) (2) (3) …"""
    cells = [str(v).strip("() ") for v in row if v is not None and str(v).strip()]
    return len(cells) >= 3 and all(c.isascii() and c.isdigit() and int(c) <= 60 for c in cells)


def _table(raw_rows, kind, name, formulas) -> Sheet:
    legacy, examples = _legacy(raw_rows)
    if legacy:
        raw_rows = [
            tuple(legacy_text.to_unicode(v, legacy) if isinstance(v, str) else v for v in row) for row in raw_rows
        ]
    top = raw_rows[:HEADER_SEARCH_ROWS]
    scores = [fields.recognised(row) for row in top]
    if not top or max(scores, default=0) < 2:
        raise FileRefused(
            _(
                "No header row was found in the first %(n)s rows: the sheet needs a row of column titles"
                " such as “Họ và tên”, “Ngày sinh”."
            )
            % {"n": HEADER_SEARCH_ROWS}
        )
    h = scores.index(max(scores))
    width = max(len(r) for r in raw_rows)
    if width > MAX_COLUMNS:
        raise FileRefused(_("The sheet has more than %(n)s columns: it is not a member list.") % {"n": MAX_COLUMNS})
    header = [cleaning.text(v) for v in _pad(raw_rows[h], width)]
    start = h + 1
    # A second header row under merged titles ("Ngày, tháng, năm" over "Sinh" | "Vào Đảng").
    if start < len(raw_rows) and not _is_empty(raw_rows[start]):
        below = [cleaning.text(v) for v in _pad(raw_rows[start], width)]
        merged_above = any(not c for c in header)
        if _looks_like_subheader(below) and (merged_above or fields.recognised(below) >= 1):
            parent = ""
            merged = []
            for top_cell, sub in zip(header, below, strict=True):
                parent = top_cell or parent
                if sub:
                    merged.append(sub if fields.recognised([sub]) else f"{parent} {sub}".strip())
                else:
                    merged.append(top_cell)
            header = merged
            start += 1
    if start < len(raw_rows) and _is_numbering(raw_rows[start]):
        start += 1
    rows, empty = [], 0
    for n in range(start, len(raw_rows)):
        row = _pad(raw_rows[n], width)
        if _is_empty(row):
            empty += 1
            continue
        rows.append((n + 1, row))
    uncalculated = sorted((r + 0, c) for r, c in formulas if r > start)
    return Sheet(kind, name, header, h + 1, rows, empty, legacy, examples, uncalculated)


def _looks_like_subheader(cells) -> bool:
    values = [c for c in cells if c]
    return bool(values) and all(not any(ch.isdigit() for ch in c) for c in values)


def _pad(row, width):
    row = tuple(row)
    return row + (None,) * (width - len(row)) if len(row) < width else row


def _legacy(raw_rows):
    sample = [v for row in raw_rows[:3000] for v in row if isinstance(v, str) and v.strip()][:5000]
    encoding = legacy_text.detect(sample)
    if not encoding:
        return None, []
    examples = []
    for v in sample:
        converted = legacy_text.to_unicode(v, encoding)
        if converted != v and (v, converted) not in examples:
            examples.append((v, converted))
        if len(examples) >= 5:
            break
    return encoding, examples
