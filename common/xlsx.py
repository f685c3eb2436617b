"""Lists as .xlsx: a bold title, the filters applied, a bold header, then the rows streamed
through a write-only workbook (never held in memory), cut at MAX_ROWS with a line saying so."""

import datetime
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .text import fold

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 100_000  # a list longer than this is cut, and the file says so
CHUNK = 2000  # rows read per round trip
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
_TITLE = Font(bold=True, size=13)
_BOLD = Font(bold=True)
_SHEET_NAME_BAD = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Column:
    """A column: its header (a translatable string) and how a row gives its value."""

    header: Any
    value: Callable[[Any], Any]
    width: int = 18


def rows_of(queryset):
    """A queryset's rows read in chunks (one query, a server-side cursor on PostgreSQL), one past the
    cap so the sheet can say it was cut."""
    return queryset[: MAX_ROWS + 1].iterator(chunk_size=CHUNK)


def filters_note(pairs) -> str:
    """The line naming the filters applied, from (label, value) pairs; "" when no filter has a value."""
    shown = [f"{label}: {value}" for label, value in pairs if value not in (None, "")]
    return _("Filters: %(filters)s") % {"filters": "; ".join(shown)} if shown else ""


def _cell(sheet, value, font=None):
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: the local wall-clock time, as the pages show it.
        value = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        number_format = DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        number_format = DATE_FORMAT
    elif value is None or isinstance(value, (int, float)):
        number_format = None
    else:
        # Control characters (a search typed with one, old data) cannot be written to a sheet.
        value, number_format = ILLEGAL_CHARACTERS_RE.sub("", str(value)), None
    if font is None and number_format is None and not (isinstance(value, str) and value.startswith("=")):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text typed with a leading "=" stays text, never a formula
    if number_format:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell


def styled_row(sheet, values, font=_BOLD):
    sheet.append([_cell(sheet, value, font) for value in values])


def add_table(
    book,
    *,
    sheet: str,
    title: str,
    columns: Sequence[Column],
    rows: Iterable,
    notes: Sequence[str] = (),
    numbered: bool = True,
):
    """A sheet: the title, the notes (the filters), a blank line after them, the header, the rows."""
    ws = book.create_sheet(str(sheet).translate(_SHEET_NAME_BAD)[:31])
    widths = ([6] if numbered else []) + [column.width for column in columns]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    notes = [note for note in notes if note]
    header_row = 2 + (len(notes) + 1 if notes else 0)
    # Set before the first row: a write-only sheet writes its view with the first row.
    ws.freeze_panes = f"A{header_row + 1}"  # the title and the header stay on screen
    styled_row(ws, [title], _TITLE)
    for note in notes:
        ws.append([_cell(ws, note)])
    if notes:
        ws.append([])
    styled_row(ws, ([_("No.")] if numbered else []) + [column.header for column in columns])
    for n, row in enumerate(rows, start=1):
        if n > MAX_ROWS:
            ws.append([_("The list is cut at %(n)s rows: choose a smaller organisation.") % {"n": MAX_ROWS}])
            break
        values = [column.value(row) for column in columns]
        ws.append([_cell(ws, value) for value in ([n, *values] if numbered else values)])
    return ws


def save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_xlsx(**table) -> bytes:
    """A workbook of one sheet (`add_table`'s arguments)."""
    book = Workbook(write_only=True)
    add_table(book, **table)
    return save(book)


def response(data: bytes, name: str) -> HttpResponse:
    """The file as a download named `name` made ASCII (diacritics dropped, đ → d)."""
    filename = slugify(fold(name)) or "danh-sach"
    download = HttpResponse(data, content_type=XLSX)
    download["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return download
