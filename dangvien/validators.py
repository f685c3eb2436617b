"""Checks for Vietnamese identity numbers."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Birth-place codes of the 12-digit citizen ID (Thông tư 07/2016/TT-BCA, 63 former provinces).
CCCD_PLACE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037 038 "
    "040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 080 082 "
    "083 084 086 087 089 091 092 093 094 095 096".split()
)
_CARD_RE = re.compile(r"^[0-9]{6,12}(\.[0-9]{2,3})?$|^[0-9]{2}\.[0-9]{3}\.[0-9]{3}$")


def citizen_id_digit(gender: str, birth_year: int) -> int:
    """The 4th digit: century of birth and gender (0/1 for 1900s male/female, 2/3 for 2000s …)."""
    century_index = (birth_year // 100) - 19
    return century_index * 2 + (1 if gender == "female" else 0)


def check_citizen_id(value: str, *, gender: str | None = None, birth_date=None) -> None:
    # ASCII digits only: str.isdigit() also takes other scripts' digits, which the database refuses.
    if not (value.isascii() and value.isdigit()) or len(value) != 12:
        raise ValidationError(_("A citizen ID has exactly 12 digits."), code="cccd_length")
    if value[:3] not in CCCD_PLACE_CODES:
        raise ValidationError(
            _("The first three digits (%(code)s) are not a birth-place code.") % {"code": value[:3]}, code="cccd_place"
        )
    if birth_date is not None and gender in ("male", "female"):
        expected = citizen_id_digit(gender, birth_date.year)
        if int(value[3]) != expected or value[4:6] != f"{birth_date.year % 100:02d}":
            raise ValidationError(
                _("The citizen ID does not match the gender and year of birth (digits 4–6 should be %(d)s)."),
                params={"d": f"{expected}{birth_date.year % 100:02d}"},
                code="cccd_mismatch",
            )


def check_card_number(value: str) -> None:
    if value and not _CARD_RE.match(value):
        raise ValidationError(_("A party card number is 6–12 digits (e.g. 48012345)."), code="card_format")
