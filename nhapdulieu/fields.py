"""What a member list's columns can mean: each field with the header words offices use for it and
the parser of its cells. Headers are compared folded (no diacritics, lower case)."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common.text import fold

from . import cleaning


@dataclass(frozen=True)
class Field:
    key: str
    label: Promise
    parse: object
    aliases: tuple = ()
    required: bool = False


FIELDS = [
    Field(
        "full_name",
        _("Full name"),
        cleaning.name,
        ("ho va ten", "ho ten", "ho va ten dang vien", "ten dang vien", "ho ten khai sinh", "ho va ten khai sinh"),
        True,
    ),
    Field("gender", _("Gender (Nam/Nữ)"), cleaning.gender, ("gioi tinh", "nam/nu", "nam nu", "phai")),
    Field("female_mark", _("Women marked with x (column Nữ)"), cleaning.female_mark, ("nu",)),
    Field(
        "birth_date",
        _("Date of birth"),
        cleaning.date,
        (
            "ngay sinh",
            "ngay thang nam sinh",
            "ngay, thang, nam sinh",
            "sinh ngay",
            "nam sinh",
            "ngay thang nam sinh sinh",
        ),
    ),
    Field(
        "citizen_id",
        _("Citizen ID"),
        cleaning.citizen_id,
        (
            "so cccd",
            "cccd",
            "can cuoc",
            "can cuoc cong dan",
            "so can cuoc",
            "so can cuoc cong dan",
            "so dinh danh",
            "so dinh danh ca nhan",
            "cmnd/cccd",
            "so cmnd/cccd",
        ),
    ),
    Field(
        "card_number", _("Party card number"), cleaning.plain, ("so the dang", "so the dang vien", "the dang", "so the")
    ),
    Field(
        "admission_date",
        _("Admission date"),
        cleaning.date,
        ("ngay vao dang", "vao dang", "ngay ket nap", "ngay ket nap dang", "ngay thang nam vao dang"),
    ),
    Field(
        "full_membership_date",
        _("Full-membership date"),
        cleaning.date,
        (
            "ngay chinh thuc",
            "chinh thuc",
            "ngay vao dang chinh thuc",
            "ngay cong nhan chinh thuc",
            "ngay thang nam chinh thuc",
        ),
    ),
    Field(
        "status",
        _("Status (Dự bị/Chính thức)"),
        cleaning.status,
        ("trang thai", "dang vien du bi/chinh thuc", "loai dang vien"),
    ),
    Field(
        "organization",
        _("Party branch (workplace)"),
        cleaning.plain,
        ("chi bo", "chi bo sinh hoat", "chi bo noi cong tac", "to chuc dang", "chi bo truc thuoc"),
    ),
    Field(
        "position", _("Position"), cleaning.plain, ("chuc vu", "chuc vu chinh quyen", "chuc vu, chuc danh", "chuc danh")
    ),
    Field(
        "workplace_unit",
        _("Workplace unit"),
        cleaning.plain,
        ("don vi cong tac", "co quan", "noi cong tac", "co quan cong tac", "don vi"),
    ),
    Field(
        "residence_commune",
        _("Residence commune / ward"),
        cleaning.plain,
        (
            "xa/phuong",
            "phuong/xa",
            "xa, phuong",
            "xa phuong",
            "xa",
            "phuong",
            "xa/phuong noi cu tru",
            "xa, phuong noi cu tru",
            "phuong, xa",
        ),
    ),
    Field(
        "residence_province",
        _("Residence province"),
        cleaning.plain,
        ("tinh", "tinh/thanh pho", "tinh, thanh pho", "tinh/tp"),
    ),
    Field(
        "residence_hamlet",
        _("Village / residential group"),
        cleaning.plain,
        ("thon/to dan pho", "thon, to dan pho", "to dan pho", "thon", "khu pho", "ap", "thon/xom", "to/khu pho"),
    ),
    Field(
        "residence_street",
        _("Street address"),
        cleaning.plain,
        ("so nha", "so nha, duong pho", "dia chi", "noi o hien nay", "cho o hien nay", "dia chi noi cu tru"),
    ),
    Field("phone", _("Phone"), cleaning.phone, ("dien thoai", "so dien thoai", "sdt", "dt", "dien thoai di dong")),
    Field("email", _("E-mail"), cleaning.email, ("email", "e-mail", "thu dien tu", "dia chi email")),
    Field(
        "covered_213",
        _("Covered by QĐ 213 (x)"),
        cleaning.yes_no,
        ("thuoc dien 213", "dien 213", "qd 213", "213", "gioi thieu ve noi cu tru", "thuoc dien gioi thieu"),
    ),
    Field(
        "exemption",
        _("HD 33 exemption"),
        cleaning.exemption_category,
        ("mien", "dien mien", "loai mien", "mien sinh hoat", "mien gioi thieu", "truong hop mien"),
    ),
    Field("exemption_reason", _("Reason for the exemption"), cleaning.plain, ("ly do mien", "ly do")),
    Field("exemption_start", _("Exempt from"), cleaning.date, ("mien tu ngay", "ngay mien", "tu ngay")),
    Field(
        "exemption_decided_by",
        _("Exemption decided by"),
        cleaning.plain,
        ("nguoi quyet dinh", "quyet dinh mien", "cap quyet dinh"),
    ),
    Field("notes", _("Notes"), cleaning.plain, ("ghi chu",)),
]
BY_KEY = {f.key: f for f in FIELDS}
_ALIASES = {alias: f.key for f in FIELDS for alias in f.aliases}


def _key(header: str) -> str:
    return " ".join(fold(header).replace("(", " ").replace(")", " ").replace(":", " ").split()).strip(" .*")


def suggest(headers: list[str], remembered: dict | None = None) -> dict[int, str]:
    """Column index → field key for the headers recognised: what this organisation chose before
    for the same header first, then the usual words; each field at most once, leftmost first."""
    remembered = remembered or {}
    out, taken = {}, set()
    for exact in (True, False):
        for n, header in enumerate(headers):
            if n in out or not header:
                continue
            key = _key(header)
            found = remembered.get(key) if exact else None
            if found is None and exact:
                found = _ALIASES.get(key)
            if found is None and not exact:
                # "Ngày, tháng, năm sinh (dd/mm/yyyy)": the longest alias the header starts with.
                starts = [a for a in _ALIASES if key.startswith(a + " ") or key.startswith(a + ",")]
                found = _ALIASES[max(starts, key=len)] if starts else None
            if found and found in BY_KEY and found not in taken:
                out[n] = found
                taken.add(found)
    return out


def header_key(header: str) -> str:
    """The form a header is remembered under for an organisation."""
    return _key(header)


def recognised(cells) -> int:
    """How many cells of a row read as known headers (finding the header row under title rows)."""
    return sum(1 for c in cells if isinstance(c, str) and _key(c) in _ALIASES)
