"""Vietnamese text typed in the legacy 8-bit encodings, detected and converted to Unicode.

Old party registers were typed in TCVN3 (TCVN 5712:1993 "ABC", the .VnTime fonts) or in VNI
(the VNI-Times fonts). Read from an .xlsx cell or a Windows-1252 text file, such text arrives as
the Latin-1 characters of its bytes: TCVN3 as ``§¶ng Céng s¶n ViÖt Nam``, VNI as
``Ñaûng Coäng saûn Vieät Nam``, both meaning "Đảng Cộng sản Việt Nam".

- TCVN3 gives every lower-case Vietnamese letter one byte (0xA8–0xFE) and seven capitals their own
  (Ă Â Ê Ô Ơ Ư Đ, 0xA1–0xA7); other capitals with a tone were typed in the .VnTimeH font, which
  draws the lower-case codes as capitals: converted, they come back in lower case (the import then
  capitalises names).
- VNI writes a letter as its base followed by mark characters (``e`` + ``ä`` = ệ), with single
  characters for đ, ơ, ư and the i's with tones; upper-case letters use upper-case marks.

The tables were checked against the well-known conversions above and the letter-by-letter round
trip of every Vietnamese letter in the tests.
"""

import re
import unicodedata

TCVN3 = "tcvn3"
VNI = "vni"

_TCVN3_LOWER = (
    "¸µ¶·¹¨¾»¼½Æ©ÊÇÈÉËÐÌÎÏÑªÕÒÓÔÖÝ×ØÜÞãßáâä«èåæçé¬íêëìîóïñòô\xadøõö÷ùýúûüþ®",
    "áàảãạăắằẳẵặâấầẩẫậéèẻẽẹêếềểễệíìỉĩịóòỏõọôốồổỗộơớờởỡợúùủũụưứừửữựýỳỷỹỵđ",
)
_TCVN3_UPPER = ("¡¢£¤¥¦§", "ĂÂÊÔƠƯĐ")
_TO_TCVN3 = {u: t for t, u in zip(_TCVN3_LOWER[0] + _TCVN3_UPPER[0], _TCVN3_LOWER[1] + _TCVN3_UPPER[1], strict=True)}
_FROM_TCVN3 = str.maketrans({t: u for u, t in _TO_TCVN3.items()})

# VNI: the mark characters after a base letter, by (modifier, tone), lower and upper case.
_TONES = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]  # none, sắc, huyền, hỏi, ngã, nặng
_VNI_MARKS = {
    "": ("", "ù", "ø", "û", "õ", "ï"),
    "\u0302": ("â", "á", "à", "å", "ã", "ä"),  # circumflex
    "\u0306": ("ê", "é", "è", "ú", "ü", "ë"),  # breve
}
_VNI_I = ("i", "í", "ì", "æ", "ó", "ò")  # i with its tones: one character each


def _vni_table() -> dict:
    """Unicode letter → VNI characters, for every Vietnamese letter in both cases."""
    out = {"đ": "ñ", "Đ": "Ñ"}
    for base in "aeiouy":
        for modifier in ("", "\u0302", "\u0306", "\u031b"):
            if (modifier == "\u0302" and base not in "aeo") or (modifier == "\u0306" and base != "a"):
                continue
            if modifier == "\u031b" and base not in "ou":
                continue
            for t, tone in enumerate(_TONES):
                letter = unicodedata.normalize("NFC", base + modifier + tone)
                if base == "i":
                    code = _VNI_I[t]
                elif base == "y" and tone == "\u0323":
                    code = "î"
                elif modifier == "\u031b":
                    code = {"o": "ô", "u": "ö"}[base] + _VNI_MARKS[""][t]
                else:
                    code = base + _VNI_MARKS[modifier][t]
                out[letter] = code
                out[letter.upper()] = code.upper()
    return {u: v for u, v in out.items() if u != v}


_TO_VNI = _vni_table()
_FROM_VNI = {v: u for u, v in _TO_VNI.items()}
_FROM_VNI["yï"], _FROM_VNI["YÏ"] = "ỵ", "Ỵ"  # also typed so
_VNI_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(_FROM_VNI, key=len, reverse=True)))

# What only each encoding puts in a word, and what only proper Unicode Vietnamese has.
# (â ê ô are Latin-1 letters, in legacy text and in French alike: they prove nothing.)
_UNICODE_VN = re.compile("[ăđơưĂĐƠƯ\u1ea0-\u1ef9\u0300\u0301\u0303\u0309\u0323]")
_TCVN3_SYMBOL = re.compile("[¡¢£¤¥¦§¨©ª«¬\xad®µ¶·¸¹»¼½¾]")
_TCVN3_SIGN = re.compile("[a-z][À-Þß]")  # a capital Latin-1 letter inside a lower-case word
_VNI_SIGN = re.compile("[aeiouy][øùûõïâáàåãäêéèúüë]|[AEIOUY][ØÙÛÕÏÂÁÀÅÃÄÊÉÈÚÜË]|[ñÑ][aeiouAEIOUöÖôÔ]|[ôö][ùøûõï]|öô|ÖÔ")


def detect(texts) -> str | None:
    """TCVN3, VNI or None for a sample of a file's cells. A cell votes for an encoding when it has
    signs only that encoding writes (a TCVN3 symbol such as § ¨ ¬ ¶, or two capital Latin-1
    letters inside lower-case words; two VNI marks after vowels), and for Unicode when it has a
    Vietnamese letter or mark of Unicode. An encoding is detected when at least two cells (or every one of a
    smaller sample) vote for it, twice as many as for the other encoding and more than for Unicode:
    Unicode Vietnamese and Western text with an occasional accent stay as they are."""
    unicode_votes = tcvn3_votes = vni_votes = strings = 0
    for text in texts:
        if not isinstance(text, str) or not text.strip():
            continue
        strings += 1
        if _UNICODE_VN.search(text):
            unicode_votes += 1
            continue
        # One accent after a vowel is French ("aéroport", "naïve"); Vietnamese marks most syllables.
        tcvn3 = bool(_TCVN3_SYMBOL.search(text)) or len(_TCVN3_SIGN.findall(text)) >= 2
        vni = len(_VNI_SIGN.findall(text)) >= 2
        if tcvn3 and not vni:
            tcvn3_votes += 1
        elif vni and not tcvn3:
            vni_votes += 1
        elif tcvn3 and vni:
            tcvn3_votes += 0.5
            vni_votes += 0.5
    needed = min(2, strings)
    for name, votes, other in ((TCVN3, tcvn3_votes, vni_votes), (VNI, vni_votes, tcvn3_votes)):
        if votes >= needed and votes > 0 and votes >= 2 * other and votes > unicode_votes:
            return name
    return None


def to_unicode(text: str, encoding: str) -> str:
    if encoding == TCVN3:
        converted = text.translate(_FROM_TCVN3)
    elif encoding == VNI:
        converted = _VNI_PATTERN.sub(lambda m: _FROM_VNI[m.group(0)], text)
    else:
        raise ValueError(encoding)
    return unicodedata.normalize("NFC", converted)


def from_unicode(text: str, encoding: str) -> str:
    """Unicode Vietnamese as it reads when typed in the legacy encoding (for tests and fixtures);
    TCVN3 capitals with a tone take their lower-case code, as typed in the .VnTimeH font."""
    text = unicodedata.normalize("NFC", text)
    if encoding == TCVN3:
        return "".join(_TO_TCVN3.get(ch) or _TO_TCVN3.get(ch.lower(), ch) for ch in text)
    if encoding == VNI:
        return "".join(_TO_VNI.get(ch, ch) for ch in text)
    raise ValueError(encoding)
