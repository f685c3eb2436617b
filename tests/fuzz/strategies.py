"""Hypothesis strategies for hostile input: Vietnamese text (NFC and NFD), huge strings, control
characters, odd Unicode, numbers and dates as users (and scripts) type them, wrong types.

Form values are strings (what a browser sends); `form_value` wraps a field's strategy so a case may
also send the field twice (a list for a scalar) or leave it out (`MISSING`).
"""

import datetime
import os
import unicodedata

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

MISSING = object()


def examples(default: int) -> int:
    """A target's example count, scaled by FUZZ_SCALE (bench/fuzz.py runs the same tests longer)."""
    return max(1, round(default * float(os.environ.get("FUZZ_SCALE", "1"))))


def derandomized() -> bool:
    """The same cases every run (CI); FUZZ_SEED (bench/fuzz.py) draws new ones."""
    return not os.environ.get("FUZZ_SEED")


def fuzz_settings(n: int):
    """Reproducible in CI (derandomized, no example database in the repo); FUZZ_SEED makes it random."""
    return settings(
        max_examples=examples(n),
        deadline=None,
        derandomize=derandomized(),
        database=None,
        print_blob=False,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )


# ---- text -----------------------------------------------------------------------------------

VI_WORDS = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
    "Ngô", "Dương", "Lý", "Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thủy", "Hương", "Quỳnh", "Ỷ",
    "Nhân", "Khuê", "Tuấn", "Thuỷ", "ĐẶNG", "NGUYỄN", "phường", "xã", "đặc khu", "Phố Hiến", "thôn",
    "tổ dân phố", "khu phố", "chi bộ", "Đảng ủy", "sinh hoạt", "nơi cư trú", "nhận xét", "gương mẫu",
    "tham gia", "đầy đủ", "ưu tiên", "giấy giới thiệu", "Mặt trận", "ngõ 12/3", "số 7B", "Ấp Ông Ích",
]  # fmt: skip

CONTROL_CHARS = [
    "\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f",
    "\u200b", "\u200e", "\u202e", "\u2028", "\u2066", "\ufeff", "\t", "\r\n", "\n", "\r",
]  # fmt: skip

ODD = [
    "\u0301", "\u0300\u0323", "𝕏", "😀", "👨‍👩‍👧", "\u00a0", "\u3000", "ﬁ", "Ⅻ", "①", "١٢٣", "²",
    "\U000e0001", "\uffff", "\ufffd", "ǅ", "İ", "ß", "ﷺ", "<script>alert(1)</script>", "' OR 1=1 --",
    "%s%n", "{{ x }}", "{% now %}", "\\", "&amp;", "../../etc/passwd", "NULL", "None",
]  # fmt: skip

NUMBER_STRINGS = [
    "0", "-1", "1", "00", "007", "1e9", "NaN", "inf", "-0", "3.14", "1,5", "+1", " 12 ", "1_000",
    "0x10", "١٢٣", "²", "２０２５", "2147483648", "9223372036854775807", "9223372036854775808",
    "99999999999999999999999999",
]  # fmt: skip


def _form(text: str, form: str) -> str:
    return unicodedata.normalize(form, text)


vi_words = st.lists(st.sampled_from(VI_WORDS), min_size=1, max_size=6).map(" ".join)
vi_text = st.tuples(vi_words, st.sampled_from(["NFC", "NFD"])).map(lambda t: _form(*t))
vi_paragraph = st.lists(vi_text, min_size=1, max_size=4).map("\n".join)


@st.composite
def with_control(draw, base=vi_text):
    text = draw(base)
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(st.sampled_from(CONTROL_CHARS)) + text[at:]


odd_unicode = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30),
    st.sampled_from(ODD),
    st.tuples(vi_text, st.sampled_from(ODD)).map("".join),
)


@st.composite
def huge(draw):
    """Long strings built by repetition (drawing 100k characters one by one is slow)."""
    unit = draw(st.one_of(vi_text, st.sampled_from(["a", "9", "đ", "😀", " "])))
    size = draw(st.sampled_from([121, 201, 256, 301, 501, 1001, 2001, 5000, 100_000]))
    return (unit * (size // max(len(unit), 1) + 1))[:size]


numbers_as_text = st.one_of(st.sampled_from(NUMBER_STRINGS), st.integers(-(10**20), 10**20).map(str))

# ---- dates and times ------------------------------------------------------------------------

DATE_STRINGS = [
    "", " ", "29/02/2023", "29/02/2024", "31/12/9999", "01/01/0001", "01/01/1900", "31/12/1899",
    "31/02/2025", "00/00/0000", "32/01/2024", "1/1/1", "01/13/2024", "2024-02-29", "2023-02-29",
    "9999-12-31", "0001-01-01", "1900-01-01", "10000-01-01", "2024-13-01", "2024/06/01", "today",
    "01/01/10000", "31/12/2099", "01/01/2100", "-01/01/2024", "01-01-2024", "1.1.2024", "٠١/٠١/٢٠٢٤",
]  # fmt: skip
TIME_STRINGS = ["", "00:00", "23:59", "23:59:59", "24:00", "99:99", "7:30 PM", "19:30", "-1:00", "1930", "19h30"]

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%m/%d/%Y", "%d-%m-%Y"]


def _format_date(day: datetime.date, fmt: str) -> str:
    # strftime pads years below 1000 differently by platform: do it by hand.
    return (
        fmt.replace("%d", f"{day.day:02d}")
        .replace("%m", f"{day.month:02d}")
        .replace("%Y", f"{day.year:04d}")
        .replace("%y", f"{day.year % 100:02d}")
    )


def dates_near(center: datetime.date, days: int = 800):
    return st.integers(-days, days).map(lambda n: center + datetime.timedelta(days=n))


def date_text(center: datetime.date | None = None):
    """A date as typed: boundary strings, any date in any format, dates near `center`."""
    center = center or datetime.date.today()
    any_day = st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31))
    formatted = st.tuples(st.one_of(any_day, dates_near(center)), st.sampled_from(DATE_FORMATS)).map(
        lambda t: _format_date(*t)
    )
    return st.one_of(st.sampled_from(DATE_STRINGS), formatted)


boundary_dates = st.one_of(
    st.sampled_from(
        [
            datetime.date(1, 1, 1),
            datetime.date(1900, 1, 1),
            datetime.date(1899, 12, 31),
            datetime.date(2024, 2, 29),
            datetime.date(9999, 12, 31),
        ]
    ),
    st.dates(),
)


def date_value(center: datetime.date | None = None, *, optional=True):
    """A date for a service: near `center`, at the calendar's edges, or None."""
    center = center or datetime.date.today()
    choices = [dates_near(center), boundary_dates]
    if optional:
        choices.append(st.none())
    return st.one_of(*choices)


time_text = st.one_of(
    st.sampled_from(TIME_STRINGS),
    st.times().map(lambda t: t.strftime("%H:%M")),
)

# ---- ids ------------------------------------------------------------------------------------

BAD_IDS = ["0", "-1", "", "abc", "1.5", "2147483648", "9223372036854775807", "9223372036854775808", "1e3", "²"]


def id_text(*existing):
    """An id as a form sends it: one that exists, or one that does not / cannot."""
    valid = [str(i) for i in existing if i is not None]
    options = [st.sampled_from(BAD_IDS), st.integers(1, 10**6).map(str)]
    if valid:
        options.insert(0, st.sampled_from(valid))
    return st.one_of(*options)


# ---- one text value of any kind -------------------------------------------------------------

any_text = st.one_of(
    vi_text,
    with_control(),
    odd_unicode,
    huge(),
    numbers_as_text,
    date_text(),
    st.sampled_from(["", " ", "\u00a0"]),
)


def text_or(valid, *, weight_valid=2):
    """Mostly `valid` values (so cases get past the first check), otherwise anything."""
    return st.one_of(*([valid] * weight_valid), any_text)


def choice_text(values):
    """A choice field: a valid value, a valid one mangled, or anything."""
    values = [str(v) for v in values]
    return st.one_of(
        st.sampled_from(values),
        st.sampled_from(values).map(str.upper),
        st.sampled_from(values).map(lambda v: f" {v}\x00"),
        any_text,
    )


def form_value(strategy):
    """A form field as sent: the value, the field twice (wrong type), or the field left out."""
    return st.one_of(
        strategy,
        strategy,
        strategy,
        st.lists(strategy, min_size=2, max_size=3),
        st.just(MISSING),
    )


@st.composite
def mutated(draw, valid: dict, hostile: dict, max_changes: int = 3, leave_out=MISSING):
    """`valid` with up to `max_changes` values replaced by hostile ones: each case gets past the
    checks of the fields it leaves alone, so it reaches the deeper ones."""
    data = dict(valid)
    if not hostile:
        return data
    names = draw(st.lists(st.sampled_from(sorted(hostile)), max_size=max_changes, unique=True))
    for name in names:
        value = draw(hostile[name])
        if value is leave_out:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def form_data(fields: dict):
    """A POST/GET dict from {name: strategy}; MISSING fields are left out."""
    return st.fixed_dictionaries({name: form_value(s) for name, s in fields.items()}).map(
        lambda data: {k: v for k, v in data.items() if v is not MISSING}
    )


# ---- files ----------------------------------------------------------------------------------

FILE_NAMES = [
    "a.pdf", "scan.PNG", "anh.jpg", "ds.xlsx", "ds.csv", "noext", "../../etc/passwd", "a" * 300 + ".pdf",
    "Danh sách đảng viên.xlsx", "Danh sa\u0301ch.csv", "x.exe", "a.pdf.exe", ".xlsx", "con\x01trol.pdf",
]  # fmt: skip

FILE_HEADS = [b"", b"%PDF-1.4\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"PK\x03\x04", b"RIFF\x00\x00\x00\x00WEBP"]


@st.composite
def upload(draw, extra_contents=()):
    """(name, bytes): random bytes behind a plausible header, or given contents (e.g. a real CSV)."""
    name = draw(st.sampled_from(FILE_NAMES))
    body = draw(
        st.one_of(
            st.tuples(st.sampled_from(FILE_HEADS), st.binary(max_size=400)).map(lambda t: t[0] + t[1]),
            st.sampled_from([b"", b"\x00" * 64, "Họ và tên;Ngày sinh\nNguyễn Văn A;01/01/1980\n".encode()]),
            *([st.sampled_from(list(extra_contents))] if extra_contents else []),
        )
    )
    return name, body
