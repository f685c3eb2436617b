"""The rules the database and the services share: clean single-line text and the years recorded.

One place for each: the models' CheckConstraints build on the Q helpers below, and every
service that takes a year calls check_year(), so a year the database would refuse (a 500 from
the constraint) is refused first at its field, with one message in both languages.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

# The database's own guards on text (ARCHITECTURE: "store text NFC-normalised; reject control
# characters"), for writes that bypass the forms: imports by COPY, the shell, a future service.
# The same characters as common.text (NUL cannot be stored by PostgreSQL at all).
CONTROL_CHARS_RE = "[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]"
LINE_BREAKS_RE = "[\t\n\r]"
# Years the application records: QĐ 76 dates from 2000; forms ask for 2000–2100.
YEAR_MIN, YEAR_MAX = 2000, 2100


def single_line_text(field: str) -> Q:
    """Not blank after trimming, no control characters, no line breaks."""
    return (
        ~Q(**{field: ""})
        & ~Q(**{f"{field}__regex": r"^\s|\s$"})
        & ~Q(**{f"{field}__regex": CONTROL_CHARS_RE})
        & ~Q(**{f"{field}__regex": LINE_BREAKS_RE})
    )


def year_in_range(field: str = "year") -> Q:
    """The database's check on a year column: YEAR_MIN to YEAR_MAX, both included."""
    return Q(**{f"{field}__gte": YEAR_MIN, f"{field}__lte": YEAR_MAX})


class IsNFC(models.Func):
    """PostgreSQL's `text IS NFC NORMALIZED`; true elsewhere (SQLite on a laptop has no such test)."""

    template = "(%(expressions)s IS NFC NORMALIZED)"
    output_field = models.BooleanField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return "1", []


def is_year_in_range(year) -> bool:
    """The same test as year_in_range(), in Python; anything but an integer is out of range."""
    return isinstance(year, int) and not isinstance(year, bool) and YEAR_MIN <= year <= YEAR_MAX


def year_range_message(message: str | None = None) -> str:
    """The message for a year out of range, the bounds filled in. `message` is an already
    translated text with %(min)s and %(max)s, for a field that is not a plain year."""
    return (message or _("Choose a year from %(min)s to %(max)s.")) % {"min": YEAR_MIN, "max": YEAR_MAX}


def check_year(year, field: str = "year", message: str | None = None) -> None:
    """Refuse, at `field`, a year the database's year_in_range() constraint would refuse."""
    if not is_year_in_range(year):
        raise ValidationError({field: year_range_message(message)})
