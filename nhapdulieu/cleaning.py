"""Cell values as offices really type them, made into field values: dates in several forms and as
Excel serial numbers, names in capitals or with double spaces, decomposed Unicode, phone numbers
in every format, citizen IDs that lost their leading zero. Each parser returns (value, note):
`note` says what was changed for the user to see in the dry run; a value that cannot be read
raises ValueError with the message for the user."""

import contextlib
import contextvars
import datetime
import re

from django.utils.translation import gettext as _

from common.text import fold, normalize

EXCEL_EPOCH = datetime.date(1899, 12, 30)
_NUMBERS = re.compile(r"\d+")
_DIGITS = re.compile(r"\D")


def text(value) -> str:
    """Any cell as trimmed NFC text ('' for empty); whole numbers lose Excel's '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.strftime("%d/%m/%Y")
    return normalize(str(value))


def name(value):
    """A person's name: NFC, single spaces, and Vietnamese capitalisation when typed all in capitals
    (or all in small letters)."""
    raw = text(value)
    if not raw:
        return "", None
    cleaned = raw
    letters = [ch for ch in raw if ch.isalpha()]
    if letters and (all(ch.isupper() for ch in letters) or all(ch.islower() for ch in letters)):
        cleaned = " ".join(word[:1].upper() + word[1:].lower() for word in raw.split(" "))
    return cleaned, (_("written as %(value)s") % {"value": cleaned}) if cleaned != str(value) else None


def date(value, *, today=None):
    """A date from a date cell, an Excel serial number, `12/3/1985`, `12-03-1985`, `12.3.1985`,
    `1985-03-12`, `12 tháng 3 năm 1985`, `3/1985` or `1985` (the last two with a note: the
    missing day and month are taken as the first)."""
    today = today or datetime.date.today()
    if value is None or value == "":
        return None, None
    if isinstance(value, datetime.datetime):
        return value.date(), None
    if isinstance(value, datetime.date):
        return value, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = int(value)
        if 1900 <= number <= today.year and number == value:
            return datetime.date(number, 1, 1), _("only the year was given: 01/01/%(year)s") % {"year": number}
        if 1 <= number <= 2958465:
            return EXCEL_EPOCH + datetime.timedelta(days=number), None
        raise ValueError(_("%(value)s is not a date.") % {"value": value})
    raw = text(value)
    parts = [int(p) for p in _NUMBERS.findall(raw)]
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", raw):
        year, month, day = parts
        return _make(day, month, year, raw), None
    if len(parts) == 3:
        day, month, year = parts
        if year < 100:
            year += 1900 if year > today.year % 100 else 2000
        return _make(day, month, year, raw), None
    if len(parts) == 2 and 1 <= parts[0] <= 12 and parts[1] >= 1900:
        return _make(1, parts[0], parts[1], raw), _("only the month was given: 01/%(month)02d/%(year)s") % {
            "month": parts[0],
            "year": parts[1],
        }
    if len(parts) == 1 and 1900 <= parts[0] <= today.year and len(raw) <= 12:
        if raw.isdigit() and len(raw) == 4:
            return datetime.date(parts[0], 1, 1), _("only the year was given: 01/01/%(year)s") % {"year": parts[0]}
        if len(raw) <= 6:  # a serial number typed as text
            return EXCEL_EPOCH + datetime.timedelta(days=parts[0]), None
    raise ValueError(_("“%(value)s” is not a date (write it as dd/mm/yyyy).") % {"value": raw})


def _make(day, month, year, raw):
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date (write it as dd/mm/yyyy).") % {"value": raw}) from None


def phone(value):
    """A Vietnamese phone number as 10 digits (11 for an old landline): spaces, dots, dashes,
    +84 and a leading zero dropped by Excel are all accepted; a second number is left out."""
    raw = text(value)
    if not raw:
        return "", None
    note = None
    first = re.split(r"[,;/]| - |\s{2,}", raw)[0]
    if first != raw:
        note = _("only the first number was kept")
    digits = _DIGITS.sub("", first)
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif len(digits) in (9, 10) and not digits.startswith("0"):
        digits = "0" + digits
    if not (len(digits) == 10 or (len(digits) == 11 and digits.startswith("02"))) or not digits.startswith("0"):
        raise ValueError(_("“%(value)s” is not a phone number.") % {"value": raw})
    if note is None and digits != raw:
        note = _("written as %(value)s") % {"value": digits}
    return digits, note


def citizen_id(value):
    """12 digits; a number Excel stored without its leading zero (11 digits) gets it back."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = text(value)
    if not raw:
        return "", None
    digits = _DIGITS.sub("", raw)
    if len(digits) == 11 and digits == raw:
        return "0" + digits, _("the leading zero Excel dropped was restored")
    if len(digits) != 12 or len(digits) != len(raw.replace(" ", "").replace(".", "")):
        raise ValueError(_("“%(value)s” is not a citizen ID of 12 digits.") % {"value": raw})
    return digits, None


_YES = {"x", "co", "1", "yes", "true", "dung", "v", "✓", "✔", "thuoc dien", "dien 213"}
_NO = {"", "khong", "0", "no", "false", "-"}


def yes_no(value):
    folded = fold(text(value))
    if folded in _YES:
        return True, None
    if folded in _NO:
        return False, None
    raise ValueError(_("“%(value)s”: write x (or Có) for yes, leave empty for no.") % {"value": text(value)})


def gender(value):
    folded = fold(text(value))
    if folded in ("nam", "male", "m", "trai"):
        return "male", None
    if folded in ("nu", "female", "f", "gai"):
        return "female", None
    raise ValueError(_("“%(value)s”: write Nam or Nữ.") % {"value": text(value)})


def female_mark(value):
    """A column headed Nữ with an x for women (the usual register layout)."""
    folded = fold(text(value))
    if folded in _NO:
        return "male", None
    if folded in _YES or folded in ("nu", "female"):
        return "female", None
    raise ValueError(_("“%(value)s”: mark women with x.") % {"value": text(value)})


# The exemption categories of the regulation in force, set by the import for the rows it reads
# (categories_in_force); read from the pack when a value is parsed on its own.
_CATEGORIES: contextvars.ContextVar = contextvars.ContextVar("import_exemption_categories", default=None)


@contextlib.contextmanager
def categories_in_force():
    """Reads the regulation pack in force once for all the rows of an import."""
    from quydinh.selectors import pack_in_force

    token = _CATEGORIES.set(pack_in_force().exemption_categories)
    try:
        yield
    finally:
        _CATEGORIES.reset(token)


def categories() -> list:
    found = _CATEGORIES.get()
    if found is None:
        from quydinh.selectors import pack_in_force

        found = pack_in_force().exemption_categories
    return found


def exemption_category(value):
    """A category of the regulation in force, by its code, its label or one of its words."""
    folded = fold(text(value))
    if not folded:
        return "", None
    found = categories()
    for category in found:
        words = [fold(w) for w in category.get("words", [])]
        if folded in (category["code"], fold(category["label"])) or any(w and w in folded for w in words):
            return category["code"], None
    raise ValueError(
        _("“%(value)s” is not an exemption category of the regulation in force (%(categories)s).")
        % {"value": text(value), "categories": "; ".join(c["label"] for c in found)}
    )


def status(value):
    folded = fold(text(value))
    if not folded:
        return "", None
    if "du bi" in folded or folded == "probationary":
        return "probationary", None
    if "chinh thuc" in folded or folded == "full":
        return "full", None
    raise ValueError(_("“%(value)s”: write Dự bị or Chính thức.") % {"value": text(value)})


def plain(value):
    return text(value), None


def email(value):
    raw = text(value).lower()
    if raw and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", raw):
        raise ValueError(_("“%(value)s” is not an e-mail address.") % {"value": raw})
    return raw, None
