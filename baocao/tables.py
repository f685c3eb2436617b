"""The columns a dashboard's table of child organisations shows (and its .xlsx export): one list,
so the screen and the file always agree."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .figures import figure


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    percent: bool = False
    drill: str | None = None  # the figure whose members the count opens


COLUMNS = [
    Column("covered", _("Covered"), drill="covered"),
    Column("introduced", _("Introduced"), drill="introduced"),
    Column("introduced_pct", _("Introduced (%)"), percent=True),
    Column("intro_overdue", _("Introductions overdue"), drill="intro_overdue"),
    Column("acknowledged_pct", _("Received (%)"), percent=True),
    Column("residing", _("Living here"), drill="residing"),
    Column("met", _("Branches that met")),
    Column("met_pct", _("Branches that met (%)"), percent=True),
    Column("attendance_pct", _("Attendance (%)"), percent=True),
    Column("absent_twice", _("Absent twice"), drill="absent_twice"),
    Column("expected_total", _("Forms due")),
    Column("signed", _("Signed"), drill="signed"),
    Column("signed_pct", _("Signed (%)"), percent=True),
    Column("confirmed", _("Confirmed"), drill="confirmed"),
    Column("overdue", _("Forms overdue")),
    Column("conclusion.handle", _("Proposed for handling"), drill="conclusion.handle"),
]


@dataclass(frozen=True)
class Cell:
    value: float | int | None
    text: str
    drill: str | None


def number(value) -> str:
    """Vietnamese number format: 1.234.567 and 12,5."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{value:,}".replace(",", ".")


def cells(f) -> list[Cell]:
    out = []
    for column in COLUMNS:
        value = f[column.key]
        out.append(Cell(value, number(value), column.drill if value else None))
    return out


@dataclass(frozen=True)
class Item:
    label: str
    value: int | float | None
    text: str
    drill: str | None = None
    note: str = ""


def _item(f, key, label=None, drill=True, of=None):
    """A headline figure: a figure with members behind it is labelled as its drill-down list is."""
    value = f[key]
    note = ""
    if of is not None:
        pct = f[of]
        note = "" if pct is None else f"{number(pct)} %"
    if label is None:
        label = figure(key).label
    return Item(label, value, number(value), key if drill and value else None, note)


def sections(board) -> list[tuple[str, list[Item]]]:
    """The dashboard's headline figures in the order a board reads them."""
    f = board.f
    return [
        (
            _("Working members and their introduction"),
            [
                _item(f, "covered"),
                _item(f, "not_introduced", _("Not introduced (HD 33 §1.2)"), drill=False),
                _item(f, "exempt_meetings", _("Introduced, exempt from meetings (HD 33 §1.1)"), drill=False),
                _item(f, "introduced", of="introduced_pct"),
                _item(f, "acknowledged", of="acknowledged_pct"),
                _item(f, "intro_overdue"),
                _item(f, "letters_late_sent"),
                _item(f, "links_active"),
            ],
        ),
        (
            _("Residence branches and meetings"),
            [
                _item(f, "residing"),
                _item(f, "letters_waiting"),
                _item(f, "letters_late_waiting"),
                _item(f, "branches_with_members", _("Residence branches with working members"), drill=False),
                _item(f, "met", _("Branches that held a periodic meeting"), drill=False, of="met_pct"),
                _item(f, "meetings", _("Periodic meetings held"), drill=False),
                _item(f, "attended", _("Present"), drill=False, of="attendance_pct"),
                _item(f, "excused", _("Absent with reason"), drill=False),
                _item(f, "unexcused", _("Absent without reason"), drill=False),
                _item(f, "absent_twice"),
            ],
        ),
        (
            _("Yearly evaluation"),
            [
                _item(f, "expected", _("Yearly forms due"), drill=False),
                _item(f, "requested"),
                _item(f, "forms_missing"),
                _item(f, "filled"),
                _item(f, "signed", of="signed_pct"),
                _item(f, "confirmed"),
                _item(f, "forwarded"),
                _item(f, "overdue_unsigned"),
                _item(f, "requests_overdue"),
                _item(f, "overdue_unconfirmed"),
                _item(f, "overdue_unforwarded"),
                _item(f, "overdue_unrated"),
            ],
        ),
    ]
