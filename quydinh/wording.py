"""The wording of each document type that a regulation binds: which paragraphs a pack holds,
the placeholders each may use and must use, and how a pack's text becomes a document's.

Every paragraph may use the regulation's own placeholders ({regulation}, {regulation_number},
{regulation_short}, {regulation_title}, {guidance}); some also carry the document's data (the
branch's name, the year…), and those must appear: a paragraph that loses them would print a
document without them. The document types are vanban's (this app sits below it)."""

import string
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

REGULATION_PLACEHOLDERS = {
    "regulation": _("the regulation: Quy định số … ngày … của …"),
    "regulation_number": _("its number and symbol, e.g. 213-QĐ/TW"),
    "regulation_short": _("its short name, e.g. QĐ 213"),
    "regulation_title": _("what it is about"),
    "guidance": _("its guidance: Hướng dẫn số … ngày … của …"),
}


@dataclass(frozen=True)
class Paragraph:
    key: str
    label: str
    data: dict = field(default_factory=dict)  # placeholder → what it is; all required
    optional: frozenset = frozenset()  # of `data`, those a paragraph may leave out


@dataclass(frozen=True)
class DocumentWording:
    doc_type: str
    label: str
    paragraphs: tuple


DOCUMENTS = (
    DocumentWording(
        "introduction",
        _("Introduction letter (Mẫu 1-213)"),
        (
            Paragraph("subtitle", _("Subtitle")),
            Paragraph("purpose", _("What the member is introduced for")),
            Paragraph("request", _("What the residence side is asked to do")),
        ),
    ),
    DocumentWording(
        "acknowledgement",
        _("Acknowledgement of receipt"),
        (
            Paragraph("subtitle", _("Subtitle")),
            Paragraph("content", _("What was received")),
            Paragraph("closing", _("Closing"), {"letter_issuer": _("the committee that issued the letter")}),
        ),
    ),
    DocumentWording(
        "change_notice",
        _("Change notice"),
        (
            Paragraph("continued", _("When the member keeps the residence link")),
            Paragraph("ended", _("When the residence link ends"), {"effective_date": _("the date of the change")}),
        ),
    ),
    DocumentWording(
        "invitation",
        _("Meeting invitation"),
        (
            Paragraph(
                "lead",
                _("Invitation"),
                {"branch": _("the residence branch"), "meeting": _("the meeting, e.g. buổi sinh hoạt định kỳ…")},
            ),
            Paragraph("closing", _("Closing")),
        ),
    ),
    DocumentWording(
        "absence_notice",
        _("Absence notice"),
        (
            Paragraph("subtitle", _("Subtitle")),
            Paragraph(
                "closing",
                _("Closing"),
                {"branch": _("the residence branch"), "workplace": _("the workplace committee told")},
            ),
        ),
    ),
    DocumentWording(
        "evaluation",
        _("Evaluation form (Mẫu 3-213)"),
        (
            Paragraph("subtitle", _("Subtitle")),
            Paragraph("lead", _("Opening"), {"branch": _("the residence branch")}),
            Paragraph("results", _("Before the criteria")),
        ),
    ),
    DocumentWording(
        "report",
        _("Report on carrying out the regulation"),
        (
            Paragraph("subtitle", _("Subtitle"), {"period": _("the period, e.g. năm 2026")}),
            Paragraph(
                "lead",
                _("Opening"),
                {
                    "organization": _("the organisation reporting"),
                    "period": _("the period, e.g. năm 2026"),
                    "computed_at": _("when the figures were computed"),
                },
            ),
        ),
    ),
)
BY_TYPE = {document.doc_type: document for document in DOCUMENTS}


def _names(text: str) -> list[str] | None:
    """The placeholders of a text, or None when its braces do not parse or a placeholder carries
    a format (`{x:d}`, `{x!r}`): a pack's text names placeholders, nothing more, so that filling
    it in cannot fail or grow."""
    try:
        fields = [(name, spec, conv) for _lit, name, spec, conv in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return None
    if any(spec or conv for _name, spec, conv in fields):
        return None
    return [name for name, _spec, _conv in fields]


def _braced(names) -> str:
    return ", ".join("{" + name + "}" for name in names)


def problems(wording: dict) -> dict:
    """{"doc_type.key": message} for every paragraph missing, empty, with braces that do not parse,
    an unknown placeholder or a required one left out."""
    found = {}
    for document in DOCUMENTS:
        texts = (wording or {}).get(document.doc_type) or {}
        for paragraph in document.paragraphs:
            where = f"{document.doc_type}.{paragraph.key}"
            text = texts.get(paragraph.key)
            if not isinstance(text, str) or not text.strip():
                found[where] = _("Write this paragraph.")
                continue
            names = _names(text)
            if names is None:
                found[where] = _("Write each placeholder as a name in braces, e.g. {name}, and close every brace.")
                continue
            allowed = set(REGULATION_PLACEHOLDERS) | set(paragraph.data)
            unknown = sorted({n for n in names if n not in allowed})
            if unknown:
                found[where] = _("Unknown placeholder: %(names)s. This paragraph may use: %(allowed)s.") % {
                    "names": _braced(unknown),
                    "allowed": _braced(sorted(allowed)),
                }
                continue
            missing = sorted(set(paragraph.data) - paragraph.optional - set(names))
            if missing:
                found[where] = _("This paragraph must say %(names)s: the document's data goes there.") % {
                    "names": _braced(missing)
                }
    return found


def regulation_values(pack) -> dict:
    return {
        "regulation": pack.citation,
        "regulation_number": pack.number,
        "regulation_short": pack.short_name,
        "regulation_title": pack.title,
        "guidance": pack.guidance,
    }


class _Values(dict):
    def __missing__(self, key):
        return ""  # a pack in force was checked; a document lacking a value prints nothing there


def resolve(pack, doc_type: str, values: dict | None = None) -> dict:
    """{paragraph key: text} of a document type under `pack`, the placeholders filled in (plain
    text: the templates escape it and keep the pack's numbers unbroken)."""
    document = BY_TYPE.get(doc_type)
    if document is None:
        return {}
    texts = (pack.wording or {}).get(doc_type) or {}
    filled = _Values({**regulation_values(pack), **(values or {})})
    return {
        paragraph.key: string.Formatter().vformat(texts.get(paragraph.key, ""), (), filled)
        for paragraph in document.paragraphs
    }


def trial(pack) -> dict:
    """{"doc_type.key": message} for every paragraph that does not fill in with sample values (a
    last check before a pack is saved or comes in force: what is refused here never reaches a
    document)."""
    found = {}
    for document in DOCUMENTS:
        values = {name: f"[{name}]" for paragraph in document.paragraphs for name in paragraph.data}
        texts = (pack.wording or {}).get(document.doc_type) or {}
        for paragraph in document.paragraphs:
            try:
                string.Formatter().vformat(texts.get(paragraph.key, ""), (), {**regulation_values(pack), **values})
            except (KeyError, IndexError, ValueError, AttributeError, TypeError):
                found[f"{document.doc_type}.{paragraph.key}"] = _(
                    "Write each placeholder as a name in braces, e.g. {name}, and close every brace."
                )
    return found
