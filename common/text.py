"""Vietnamese text: NFC storage, control-character rejection, diacritic-free folding, sort keys."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_SPACES = re.compile(r"\s+")


def normalize(value: str, *, multiline: bool = False) -> str:
    """NFC, trimmed, inner runs of spaces collapsed (single-line fields only)."""
    if value is None:
        return value
    value = unicodedata.normalize("NFC", value).strip()
    if not multiline:
        value = _SPACES.sub(" ", value)
    return value


def strip_control_chars(value: str) -> str:
    """The text without control, zero-width and direction-override characters (or line breaks):
    for text we keep as it came but show to people (an address typed in a log)."""
    return _CONTROL.sub("", value).replace("\t", "").replace("\n", "").replace("\r", "")


def has_control_chars(value: str, *, multiline: bool = False) -> bool:
    """Control characters anywhere; line breaks and tabs count too unless the field is multi-line."""
    if not multiline and any(ch in value for ch in "\n\r\t"):
        return True
    return bool(_CONTROL.search(value))


def validate_no_control_chars(value):
    if value and has_control_chars(value, multiline=True):
        raise ValidationError(_("Text must not contain control characters."), code="control_chars")


def validate_single_line(value):
    if value and has_control_chars(value):
        raise ValidationError(_("Text must not contain control characters or line breaks."), code="control_chars")


# The longest reason for a change django-simple-history keeps (its history_change_reason is a varchar(100)).
CHANGE_REASON_MAX = 100


def clean(value, field: str, *, multiline: bool = False, max_length: int | None = None) -> str:
    """User text as a service stores it: NFC, trimmed (single-line: spaces collapsed); a control
    character (NUL included), or more than `max_length` characters, is refused at `field` with
    the message the forms give."""
    value = normalize(value or "", multiline=multiline)
    if max_length is not None:
        try:
            MaxLengthValidator(max_length)(value)
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from None
    if has_control_chars(value, multiline=multiline):
        message = (
            _("Text must not contain control characters.")
            if multiline
            else _("Text must not contain control characters or line breaks.")
        )
        raise ValidationError({field: message}, code="control_chars")
    return value


def fold(value: str) -> str:
    """Lower-case, diacritics removed, đ→d, spaces collapsed: the search key."""
    if not value:
        return ""
    value = unicodedata.normalize("NFD", value.lower().replace("đ", "d").replace("Đ", "d"))
    value = "".join(ch for ch in value if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", value).strip()


# Vietnamese alphabet order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y.
# Letters with the same base sort by their modifier (breve, circumflex, horn, stroke);
# tone marks are a secondary difference, applied after the letters.
_LETTER_RANK = {"a": "", "ă": "1", "â": "2", "đ": "1", "ê": "1", "ô": "1", "ơ": "2", "ư": "1"}
_TONES = {"\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0301": "5", "\u0323": "6"}  # huyền hỏi ngã sắc nặng
_MODIFIERS = {"\u0306": "ă", "\u0302": "^", "\u031b": "+"}


def _letters_and_tones(word: str):
    decomposed = unicodedata.normalize("NFD", word.lower())
    letters, tones = [], []
    for ch in decomposed:
        if ch in _TONES:
            tones.append(_TONES[ch])
        elif unicodedata.category(ch) == "Mn":
            if letters:
                letters[-1] = unicodedata.normalize("NFC", letters[-1] + ch)
        else:
            letters.append(ch)
    return letters, "".join(tones) or "1"


def _primary(letters) -> str:
    out = []
    for ch in letters:
        if ch == "đ":
            out.append("d1")
            continue
        base = unicodedata.normalize("NFD", ch)[0]
        if not ("a" <= base <= "z" or "0" <= base <= "9"):
            continue
        rank = _LETTER_RANK.get(ch, "0") or "0"
        out.append(base + rank)
    return "".join(out)


def sort_key(full_name: str) -> str:
    """Key that sorts names the Vietnamese way: by given name (last word), then the rest."""
    words = normalize(full_name or "").split(" ")
    if not words or words == [""]:
        return ""
    ordered = [words[-1]] + words[:-1]
    primaries, secondaries = [], []
    for word in ordered:
        letters, tones = _letters_and_tones(word)
        primaries.append(_primary(letters))
        secondaries.append(tones)
    # Only [0-9a-z]: the key sorts the same under the C collation and any locale collation,
    # so one plain index serves ORDER BY on PostgreSQL and SQLite alike. "00" (lower than
    # any letter unit) separates words; tones follow after all letters.
    return ("00".join(primaries) + "0000" + "".join(secondaries))[:200]


def title_case_name(value: str) -> str:
    """'NGUYỄN  văn a' → 'Nguyễn Văn A' (names typed in capitals are common in old files)."""
    return " ".join(w[:1].upper() + w[1:].lower() for w in normalize(value).split(" ") if w)
