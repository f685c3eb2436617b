"""Vietnamese text typed in the legacy 8-bit encodings TCVN3 and VNI: detected on a sample of cells and
converted to Unicode (NFC).

Such text reaches us as the characters its bytes mean in Windows-1252: an .xlsx cell typed in a .VnTime
font holds ``§¶ng Céng s¶n ViÖt Nam``, one typed in VNI-Times ``Ñaûng Coäng saûn Vieät Nam``, both meaning
"Đảng Cộng sản Việt Nam". A CSV decoded as Latin-1 gives the same characters except for bytes 0x80–0x9F,
which come as U+0080–U+009F instead of ``€ ‚ ƒ „ … “ ”`` and the like. Neither encoding puts a letter
there: .VnTime and VNI-Times fonts draw the Windows punctuation, so both forms convert to that punctuation
(the five bytes Windows-1252 leaves undefined stay as they are). A CSV decoded as Windows-1258 is not
such text: that code page reads bytes both encodings use for letters as Vietnamese letters (0xD5 Ơ,
0xE3 ă, 0xF5 ơ…) or as combining tone marks (0xCC, 0xD2, 0xEC, 0xF2…) that NFC merges with the letter
before them, so a CSV must be decoded as Windows-1252 or Latin-1 for `detect` and `to_unicode`.

TCVN3 (TCVN 5712:1993 VN3, the "ABC" fonts .VnTime and .VnTimeH) gives each small Vietnamese letter
outside ASCII one byte in 0xA8–0xFE and has capitals only for Ă Â Ê Ô Ơ Ư Đ (0xA1–0xA7). Other capitals
with a mark (Á, Ấ, Ồ…) have no code: they were typed with the small letter's code in the all-capital
.VnTimeH font, so the bytes do not say they were capitals. `to_unicode` takes the case from the rest of
the cell:
- a word with a code, two or more capital ASCII letters and no small ones is in capitals ("NGUYÔN" →
  "NGUYỄN"), and so is the whole cell when it has such a word and no small ASCII letter ("Hµ NéI" →
  "HÀ NỘI");
- in a cell whose words all begin with a capital, a word beginning with a small code is capitalised
  ("NguyÔn ThÞ ¸nh" → "Nguyễn Thị Ánh");
- elsewhere the letter comes back small: "¸nh" alone is "ánh", "Bµ Hµ" and "TP Hµ" are "Bà Hà" and
  "TP Hà" (they were BÀ HÀ and TP HÀ if typed in .VnTimeH).
`from_unicode` writes such capitals with the small letter's code, as a .VnTimeH user typed them.

VNI (VNI-Windows, the VNI-Times fonts) writes a letter as its ASCII base followed by a mark character
(``e`` + ``ä`` = ệ, ``a`` + ``ê`` = ă), with single characters for đ ơ ư, for i with its tones and for ỵ;
ơ and ư also take marks (``ô`` + ``ù`` = ớ). Capitals take capital marks (``AÙ`` = Á); a capital base with
a small mark (``Aùnh``, what Excel's PROPER() makes of ``aùnh``) is read as the capital too. Decoding
matches the longest sequence first, so ``oâ`` is ô while a lone ``ô`` is ơ.

Sources of the tables, each letter cross-checked in all of them:
- TCVN3: glibc's TCVN5712-1 converter (iconv; VN1 is a superset of VN3 and only VN3's codes are used
  here), UniKey's vnconv tables (data.cpp, as in fcitx5-unikey), VBKey's code tables (mdlCodeTable.bas)
  and the vietnamese-conversion npm package (charsets.ts). Wikipedia's VSCII article for what VN3
  covers: 67 small letters, 7 capitals, no letters in the C0/C1 ranges, toned capitals by the
  all-capital font. The four tables agree on every code; they differ only on toned capitals, which
  UniKey and VBKey write with the small letter's code (as here), glibc with VN1's own codes (in 0x01–0x17,
  0x80–0x9F and the gaps of VN3) and vietnamese-conversion as the ASCII capital then the small code.
- VNI: UniKey's VNI-WIN table (data.cpp), VBKey's VNI_WINDOWS_TABLE and vietnamese-conversion; they
  agree on every letter. Wikipedia's VNI article for the layout (ASCII below 0x80, a second byte for
  the mark). UniKey keeps the Windows punctuation at 0x80–0x9F in both encodings, as done here.
"""

import re
import unicodedata

TCVN3 = "tcvn3"
VNI = "vni"

# Tone order of every row below: none, sắc, huyền, hỏi, ngã, nặng.
_TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")

_TCVN3_ROWS = {
    "a": "a¸µ¶·¹",
    "ă": "¨¾»¼½Æ",
    "â": "©ÊÇÈÉË",
    "e": "eÐÌÎÏÑ",
    "ê": "ªÕÒÓÔÖ",
    "i": "iÝ×ØÜÞ",
    "o": "oãßáâä",
    "ô": "«èåæçé",
    "ơ": "¬íêëìî",
    "u": "uóïñòô",
    "ư": "\xadøõö÷ù",
    "y": "yýúûüþ",
}
_TCVN3_CAPITALS = {"Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§"}

_VNI_TONE = ("", "ù", "ø", "û", "õ", "ï")
_VNI_CIRCUMFLEX = ("â", "á", "à", "å", "ã", "ä")
_VNI_BREVE = ("ê", "é", "è", "ú", "ü", "ë")
# Letter without its tone → (VNI base, VNI marks by tone).
_VNI_ROWS = {
    "a": ("a", _VNI_TONE),
    "ă": ("a", _VNI_BREVE),
    "â": ("a", _VNI_CIRCUMFLEX),
    "e": ("e", _VNI_TONE),
    "ê": ("e", _VNI_CIRCUMFLEX),
    "o": ("o", _VNI_TONE),
    "ô": ("o", _VNI_CIRCUMFLEX),
    "ơ": ("ô", _VNI_TONE),
    "u": ("u", _VNI_TONE),
    "ư": ("ö", _VNI_TONE),
    "y": ("y", _VNI_TONE),
}
_VNI_I = ("i", "í", "ì", "æ", "ó", "ò")  # i and its tones, one character each: a mark would sit on the dot


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _tcvn3_table() -> dict:
    """Unicode letter → TCVN3 character, lower-case letters and the seven capitals with a code."""
    table = {
        _nfc(base + tone): code for base, codes in _TCVN3_ROWS.items() for tone, code in zip(_TONES, codes, strict=True)
    }
    table["đ"] = "®"
    table.update(_TCVN3_CAPITALS)
    return {letter: code for letter, code in table.items() if not letter.isascii()}  # ý stays: Ý needs it


def _vni_table() -> dict:
    """Unicode letter → VNI characters, every Vietnamese letter in both cases."""
    table = {"đ": "ñ", "Đ": "Ñ"}
    for t, tone in enumerate(_TONES):
        for letter, (base, marks) in _VNI_ROWS.items():
            table[_nfc(letter + tone)] = base + marks[t]
        table[_nfc("i" + tone)] = _VNI_I[t]
    table["ỵ"] = "î"
    table.update({letter.upper(): code.upper() for letter, code in table.items()})
    return {letter: code for letter, code in table.items() if letter != code}


_TO_TCVN3 = _tcvn3_table()
_FROM_TCVN3 = {code: letter for letter, code in _TO_TCVN3.items()}
_TO_VNI = _vni_table()


def _vni_decoding() -> dict:
    """VNI characters → Unicode letter: the table's inverse and two spellings it does not have."""
    decoding = {code: letter for letter, code in _TO_VNI.items()}
    for code, letter in list(decoding.items()):
        if len(code) == 2 and code[0].isupper():
            decoding.setdefault(code[0] + code[1].lower(), letter)  # Aùnh: Excel's PROPER() lowered the mark
    # VNI has its own ỵ (î), but y followed by the dot-below mark the other vowels take looks the same.
    decoding.update({"yï": "ỵ", "Yï": "Ỵ", "YÏ": "Ỵ"})
    return decoding


_FROM_VNI = _vni_decoding()
_VNI_PATTERN = re.compile("|".join(re.escape(code) for code in sorted(_FROM_VNI, key=len, reverse=True)))

# Bytes 0x80–0x9F read as Latin-1 (U+0080–U+009F) → what Windows-1252 and the legacy fonts show there.
_C1 = {chr(b): bytes([b]).decode("cp1252") for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
# Every character a Windows-1252 or Latin-1 reading of bytes can give; anything else is already Unicode.
_BYTE_CHARS = frozenset(map(chr, range(0x100))) | frozenset(_C1.values())
_C1_TABLE = str.maketrans(_C1)

# --- TCVN3 case -------------------------------------------------------------------------------------------------
_ASCII_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_ASCII_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_TCVN3_SMALL = frozenset(code for letter, code in _TO_TCVN3.items() if letter.islower())
_TCVN3_WORD = re.compile("[A-Za-z" + re.escape("".join(_FROM_TCVN3)) + "]+")


def _tcvn3_cell(text: str) -> str:
    """TCVN3 → Unicode with the capitals the .VnTimeH font drew restored from the case around them."""
    words = list(_TCVN3_WORD.finditer(text))
    # Only a word with a code says the font: "TP" or "UBND" is in capitals in .VnTime as well.
    capital = [
        sum(ch in _ASCII_UPPER for ch in w[0]) >= 2
        and not any(ch in _ASCII_LOWER for ch in w[0])
        and any(ch in _FROM_TCVN3 for ch in w[0])
        for w in words
    ]
    all_capitals = any(capital) and not any(ch in _ASCII_LOWER for ch in text)
    initials = [w[0][0] for w in words if w[0][0] in _ASCII_LOWER or w[0][0] in _ASCII_UPPER]
    title = bool(initials) and all(ch in _ASCII_UPPER for ch in initials)
    out, end = [], 0
    for w, is_capital in zip(words, capital, strict=True):
        out.append(text[end : w.start()])
        word = "".join(_FROM_TCVN3.get(ch, ch) for ch in w[0])
        if all_capitals or is_capital:
            word = word.upper()
        elif title and w[0][0] in _TCVN3_SMALL:
            word = word[0].upper() + word[1:]
        out.append(word)
        end = w.end()
    out.append(text[end:])
    return "".join(out)


def to_unicode(text: str, encoding: str) -> str:
    """The text as Unicode NFC. Text holding a character no byte reading gives (ơ, ế…) is already
    Unicode: it is returned as it is, NFC, rather than mangled (a Unicode cell in a legacy file)."""
    if encoding not in (TCVN3, VNI):
        raise ValueError(f"unknown legacy encoding: {encoding!r}")
    if text.isascii():
        return text
    if not set(text) <= _BYTE_CHARS:
        return _nfc(text)
    text = text.translate(_C1_TABLE)
    if encoding == TCVN3:
        return _nfc(_tcvn3_cell(text))
    return _nfc(_VNI_PATTERN.sub(lambda m: _FROM_VNI[m[0]], text))


def from_unicode(text: str, encoding: str) -> str:
    """Unicode Vietnamese as a cp1252 reading of the legacy bytes shows it (for tests and fixtures).
    In TCVN3 a capital with a tone takes its lower-case code, as typed in .VnTimeH. Characters the
    encoding has no code for are left as they are."""
    text = _nfc(text)
    if encoding == TCVN3:
        return "".join(_TO_TCVN3.get(ch) or _TO_TCVN3.get(ch.lower(), ch) for ch in text)
    if encoding == VNI:
        return "".join(_TO_VNI.get(ch, ch) for ch in text)
    raise ValueError(f"unknown legacy encoding: {encoding!r}")


# --- Detection --------------------------------------------------------------------------------------------------
# Letters only Unicode Vietnamese has: no Windows-1252 reading of TCVN3 or VNI bytes gives them.
_UNICODE_VIETNAMESE = re.compile("[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9]")
_TCVN3_LETTER = frozenset(_ASCII_LOWER | _ASCII_UPPER | set(_FROM_TCVN3))
_TCVN3_LOWER = frozenset(_ASCII_LOWER | _TCVN3_SMALL)
_TCVN3_SYMBOLS = frozenset("¡¢£¤¥¦§¨©ª«¬\xad®µ¶·¸¹»¼½¾×÷")  # TCVN3 letters Latin-1 shows as symbols
_TCVN3_AS_CAPITAL = frozenset("ÆÇÈÉÊËÌÎÏÐÑÒÓÔÕÖØÜÝÞ")  # small TCVN3 letters Latin-1 shows as capitals
_SOFT_HYPHEN_THEN = frozenset("¬êëíìîaun")  # ư goes before ơ, a, u, ng or ends the syllable
# VNI base + mark pairs also found in French, Spanish, Portuguese (où, goût, naïve, aéroport, Raúl, João),
# in Unicode Vietnamese with the old tone placement (Hoàng, Toàn, khoá) or in TCVN3 (uỷ is uû): they prove nothing.
_VNI_WEAK = frozenset({"où", "oû", "eû", "aï", "oï", "uï", "eï", "aé", "aë", "aú", "aü", "oà", "oá", "oã", "eã", "uû"})
_VNI_PAIRS = {code for code in _FROM_VNI if len(code) == 2 and code.lower() not in _VNI_WEAK} | {"öô", "ÖÔ", "Öô"}


def _title_pair(text: str, i: int) -> bool:
    """Whether text[i - 1 : i + 1] is a capital vowel and capital mark before small letters ("YÕn"): VNI
    for a title-case word (Ỹn) as much as TCVN3 (Yến), a sign of neither."""
    return (
        i > 0
        and text[i - 1] in _ASCII_UPPER
        and text[i] in _TCVN3_AS_CAPITAL
        and text[i + 1 : i + 2] in _ASCII_LOWER
        and text[i - 1 : i + 1] in _FROM_VNI
    )


def _tcvn3_signs(text: str) -> int:
    """How many characters of the text only TCVN3 writes there: the symbols it uses as letters (§ ¶ ¸ ¨ ¬
    ÷ …) within a word, and its small letters Latin-1 shows as capitals after a small letter ("ViÖt") or
    between a capital and a small one ("NÕu"). Left out are the symbols' Western uses: « » as quotes, µ in
    µm, © ® before a name, the Catalan l·l, a soft hyphen before a consonant, ¡ before a capital."""
    signs = 0
    for i, ch in enumerate(text):
        if ch not in _FROM_TCVN3:
            continue
        prev = text[i - 1] if i else ""
        nxt = text[i + 1] if i + 1 < len(text) else ""
        after, before = prev in _TCVN3_LETTER, nxt in _TCVN3_LETTER
        if ch in _TCVN3_AS_CAPITAL:
            small_before = prev in _ASCII_LOWER or prev in _TCVN3_SYMBOLS
            signs += small_before or (prev in _ASCII_UPPER and nxt in _ASCII_LOWER and not _title_pair(text, i))
        elif ch in "¡¢£¤¥¦§":
            signs += after or nxt in _TCVN3_LOWER
        elif ch == "«":
            signs += after or text.startswith("ng", i + 1)
        elif ch == "»":
            signs += after and before
        elif ch == "\xad":
            signs += after and (nxt in _SOFT_HYPHEN_THEN or not before)
        elif ch == "·":
            signs += (after or before) and not (prev in "lL" and nxt in "lL")
        elif ch == "µ":
            signs += after
        elif ch in "©®":
            signs += nxt in _TCVN3_LOWER
        elif ch in _TCVN3_SYMBOLS:
            signs += after or before
    return signs


def _vni_signs(text: str) -> int:
    """How many VNI base + mark pairs (or ươ) the text has, leaving out those Western words have and
    TCVN3's UYẾ in capitals (UYÕ: VNI's uỹ is no rhyme)."""
    return sum(
        text[i - 1 : i + 1] in _VNI_PAIRS and not _title_pair(text, i) and text[i - 2 : i + 1] != "UYÕ"
        for i in range(1, len(text))
    )


def detect(texts) -> str | None:
    """TCVN3, VNI or None (Unicode, ASCII or Western text) for a sample of a file's cells.

    Each string with a non-ASCII character votes: for Unicode when it has a letter only Unicode
    Vietnamese has (ơ, ư, đ, ế…, after NFC so decomposed text counts), otherwise for the legacy encoding
    with more signs in it (see `_tcvn3_signs` and `_vni_signs`), if any. Non-strings, empty strings
    and ASCII strings (numbers, dates, unaccented names) do not vote. An encoding is detected when at
    least two strings vote for it, they are more than half of the strings with a non-ASCII character,
    and at least three times the votes for Unicode and for the other encoding together. One accent in a
    word does not make a sign, so French or German text does not get there.
    """
    tcvn3 = vni = unicode = counted = 0
    for text in texts:
        if not isinstance(text, str) or text.isascii():
            continue
        counted += 1
        text = _nfc(text)
        if _UNICODE_VIETNAMESE.search(text):
            unicode += 1
            continue
        t, v = _tcvn3_signs(text), _vni_signs(text)
        tcvn3 += t > v
        vni += v > t
    for name, votes, others in ((TCVN3, tcvn3, vni + unicode), (VNI, vni, tcvn3 + unicode)):
        if votes >= 2 and 2 * votes > counted and votes >= 3 * others:
            return name
    return None
