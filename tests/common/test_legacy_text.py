"""Legacy Vietnamese encodings: the tables as published, every letter round-trips, real samples convert,
detection finds TCVN3 and VNI and does not misfire on Unicode or Western text."""

import unicodedata

import pytest

from common.legacy_text import TCVN3, VNI, detect, from_unicode, to_unicode

TONES = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]
SMALL = [unicodedata.normalize("NFC", b + t) for b in "aăâeêioôơuưy" for t in TONES] + ["đ"]
CAPITALS = [letter.upper() for letter in SMALL]
PRECOMPOSED_CAPITALS = "ĂÂÊÔƠƯĐ"  # the only capitals TCVN3 has besides ASCII

# TCVN3 (VN3) byte → letter, as glibc's TCVN5712-1 converter, UniKey and VBKey give it.
TCVN3_BYTES = dict(
    zip(
        bytes.fromhex(
            "a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae b5 b6 b7 b8 b9 bb bc bd be c6 c7 c8 c9 ca cb cc ce cf d0 d1 d2"
            " d3 d4 d5 d6 d7 d8 dc dd de df e1 e2 e3 e4 e5 e6 e7 e8 e9 ea eb ec ed ee ef f1 f2 f3 f4 f5 f6 f7 f8 f9"
            " fa fb fc fd fe"
        ),
        "ĂÂÊÔƠƯĐăâêôơưđàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ",
        strict=True,
    )
)
# VNI-Windows letter=characters, as UniKey's VNI-WIN table and VBKey give them; capitals take capital marks.
VNI_CODES = dict(
    pair.split("=")
    for pair in (
        "á=aù à=aø ả=aû ã=aõ ạ=aï â=aâ ấ=aá ầ=aà ẩ=aå ẫ=aã ậ=aä ă=aê ắ=aé ằ=aè ẳ=aú ẵ=aü ặ=aë"
        " é=eù è=eø ẻ=eû ẽ=eõ ẹ=eï ê=eâ ế=eá ề=eà ể=eå ễ=eã ệ=eä í=í ì=ì ỉ=æ ĩ=ó ị=ò"
        " ó=où ò=oø ỏ=oû õ=oõ ọ=oï ô=oâ ố=oá ồ=oà ổ=oå ỗ=oã ộ=oä ơ=ô ớ=ôù ờ=ôø ở=ôû ỡ=ôõ ợ=ôï"
        " ú=uù ù=uø ủ=uû ũ=uõ ụ=uï ư=ö ứ=öù ừ=öø ử=öû ữ=öõ ự=öï ý=yù ỳ=yø ỷ=yû ỹ=yõ ỵ=î đ=ñ"
    ).split()
)

SAMPLES = {
    "Cộng hòa xã hội chủ nghĩa Việt Nam": {
        TCVN3: "Céng hßa x· héi chñ nghÜa ViÖt Nam",
        VNI: "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam",
    },
    "Đảng Cộng sản Việt Nam": {TCVN3: "§¶ng Céng s¶n ViÖt Nam", VNI: "Ñaûng Coäng saûn Vieät Nam"},
    "Nguyễn Văn Đức": {TCVN3: "NguyÔn V¨n §øc", VNI: "Nguyeãn Vaên Ñöùc"},
    "Trần Thị Hương": {TCVN3: "TrÇn ThÞ H\xad¬ng", VNI: "Traàn Thò Höông"},
    "Phường Hoàn Kiếm": {TCVN3: "Ph\xadêng Hoµn KiÕm", VNI: "Phöôøng Hoaøn Kieám"},
    "Độc lập - Tự do - Hạnh phúc": {TCVN3: "§éc lËp - Tù do - H¹nh phóc", VNI: "Ñoäc laäp - Töï do - Haïnh phuùc"},
    # Capitals: TCVN3 writes Ễ Ế Ứ with the small codes (.VnTimeH), VNI with capital marks.
    "NGUYỄN VĂN ĐỨC": {TCVN3: "NGUYÔN V¡N §øC", VNI: "NGUYEÃN VAÊN ÑÖÙC"},
    "DANH SÁCH ĐẢNG VIÊN": {TCVN3: "DANH S¸CH §¶NG VI£N", VNI: "DANH SAÙCH ÑAÛNG VIEÂN"},
    "TRẦN THỊ HƯƠNG": {TCVN3: "TRÇN THÞ H¦¥NG", VNI: "TRAÀN THÒ HÖÔNG"},
    "Nguyễn Thị Ánh": {TCVN3: "NguyÔn ThÞ ¸nh", VNI: "Nguyeãn Thò AÙnh"},
}
NAMES = [
    "Nguyễn Văn Đức",
    "Trần Thị Hương",
    "Lê Văn Cường",
    "Phạm Thị Dung",
    "Hoàng Minh Tuấn",
    "Vũ Thị Ngọc Ánh",
    "Đỗ Mạnh Hùng",
    "Bí thư chi bộ",
    "Phường Hoàn Kiếm",
    "Nữ",
]


@pytest.mark.parametrize(("byte", "letter"), TCVN3_BYTES.items(), ids=lambda v: f"{v:x}" if isinstance(v, int) else v)
def test_tcvn3_table_is_the_published_one(byte, letter):
    char = bytes([byte]).decode("cp1252")  # bytes 0xA1-0xFE read the same in Windows-1252 and Latin-1
    assert to_unicode(char, TCVN3) == letter
    assert from_unicode(letter, TCVN3) == char


@pytest.mark.parametrize(("letter", "code"), VNI_CODES.items())
def test_vni_table_is_the_published_one(letter, code):
    for letter_, code_ in ((letter, code), (letter.upper(), code.upper())):
        assert from_unicode(letter_, VNI) == code_
        assert to_unicode(code_, VNI) == letter_


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_every_small_letter_round_trips(encoding):
    for letter in SMALL:
        assert to_unicode(from_unicode(letter, encoding), encoding) == letter, letter


def test_every_capital_round_trips_in_vni():
    for letter in CAPITALS:
        assert to_unicode(from_unicode(letter, VNI), VNI) == letter, letter


def test_tcvn3_capitals_come_back_from_the_case_around_them():
    for capital in CAPITALS:
        small = capital.lower()
        legacy = from_unicode(capital, TCVN3)
        if capital in PRECOMPOSED_CAPITALS or capital.isascii():
            assert to_unicode(legacy, TCVN3) == capital
            continue
        # A toned capital has no code: .VnTimeH users typed the small one, so alone it comes back small…
        assert legacy == from_unicode(small, TCVN3)
        assert to_unicode(legacy, TCVN3) == small
        # …and as a capital in a word of capitals, a cell of capitals or a title-case cell.
        for text in (f"TH{capital}NG", f"{capital} VĂN", f"Lê Thị {capital}nh"):
            assert to_unicode(from_unicode(text, TCVN3), TCVN3) == text, text
    # Nothing says whether "Bµ Hµ" was BÀ HÀ in .VnTimeH or Bà Hà in .VnTime: the small letters stay.
    assert to_unicode(from_unicode("BÀ HÀ", TCVN3), TCVN3) == "Bà Hà"
    assert to_unicode("TP Hµ", TCVN3) == "TP Hà"  # abbreviations are in capitals in .VnTime too
    assert to_unicode("Sè ¸o: 5", TCVN3) == "Số Áo: 5" and to_unicode("sè ¸o", TCVN3) == "số áo"


@pytest.mark.parametrize("text", SAMPLES)
def test_real_samples(text):
    for encoding, legacy in SAMPLES[text].items():
        assert from_unicode(text, encoding) == legacy
        converted = to_unicode(legacy, encoding)
        assert converted == text
        assert unicodedata.is_normalized("NFC", converted)


def test_vni_matches_the_longest_sequence_and_excel_proper_case():
    assert to_unicode("oâ ô ôù öôù oá", VNI) == "ô ơ ớ ướ ố"
    assert to_unicode("Thoâng Thôm Thöôøng", VNI) == "Thông Thơm Thường"
    # Excel's PROPER() lowers the mark after a capital vowel: AÙnh → Aùnh.
    assert to_unicode("Aùnh Öôùc Eâ", VNI) == "Ánh Ước Ê"
    assert to_unicode("Yï", VNI) == "Ỵ"


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_bytes_0x80_to_0x9f_are_windows_punctuation_in_either_reading(encoding):
    typed = "“Người” – số 1… ‘x’ €5 ™"
    legacy = from_unicode(typed, encoding)
    latin1 = legacy.encode("cp1252").decode("latin-1")  # a CSV read as Latin-1: U+0080-U+009F
    assert latin1 != legacy and any("\x80" <= ch <= "\x9f" for ch in latin1)
    assert to_unicode(legacy, encoding) == to_unicode(latin1, encoding) == typed
    # The five bytes Windows-1252 leaves undefined are no letter in either encoding: kept as they are.
    assert to_unicode("a\x81b\x8d\x8f\x90\x9d", encoding) == "a\x81b\x8d\x8f\x90\x9d"


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_output_is_nfc_and_unicode_text_is_left_alone(encoding):
    for text in SAMPLES:
        assert unicodedata.is_normalized("NFC", to_unicode(from_unicode(text, encoding), encoding))
        # A cell already in Unicode (ế, ơ… no byte reading gives) comes back as it is, NFC.
        assert to_unicode(text, encoding) == text
        assert to_unicode(unicodedata.normalize("NFD", text), encoding) == text
    assert to_unicode("STT 12/03/1985 abc", encoding) == "STT 12/03/1985 abc"


def test_non_vietnamese_latin_letters_do_not_round_trip():
    # TCVN3 and VNI use the bytes of ç ñ ü for Vietnamese letters: such text cannot be typed in them.
    assert to_unicode(from_unicode("ç", TCVN3), TCVN3) == "ỗ"
    assert to_unicode(from_unicode("ñ", VNI), VNI) == "đ"


def test_unknown_encoding_is_refused():
    with pytest.raises(ValueError):
        to_unicode("abc", "utf-7")
    with pytest.raises(ValueError):
        from_unicode("abc", "viscii")


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_detects_each_encoding(encoding):
    names = [from_unicode(n, encoding) for n in NAMES]
    assert detect(names) == encoding
    assert detect([from_unicode(n.upper(), encoding) for n in NAMES]) == encoding  # .VnTimeH, caps lock
    # A few legacy cells among numbers, dates, empty cells and non-strings.
    sample = ["1", "", "  ", "12/03/1985", "0912345678", names[0], "x", None, 3, 4.5, "STT", names[1], "Nam"]
    assert detect(sample * 3) == encoding
    assert detect(iter(sample)) == encoding  # any iterable, read once


def test_detects_vni_after_excel_proper():
    assert detect([from_unicode(n.upper(), VNI).title() for n in NAMES]) == VNI


def test_unicode_ascii_and_western_text_are_not_legacy():
    assert detect(NAMES) is None
    assert detect([unicodedata.normalize("NFD", n) for n in NAMES]) is None
    assert detect(["Hoàng", "Toàn", "Hoà", "Khoá", "Tô Lâm", "Hà", "Hùng", "Lê Thị Thuý"]) is None  # Latin-1 only
    assert detect(["STT", "Nguyen Van Duc", "12", "abc", "12/03/1985"]) is None
    assert detect([]) is None
    western = [
        "Café crème",
        "Zoë",
        "Jürgen Müller",
        "naïve",
        "Bientôt",
        "aéroport",
        "25 °C",
        "où est le goût",
        "Anaïs",
        "Loïc",
        "«Bonjour»",
        "João",
        "Raúl",
        "5 µm",
        "© Société Générale®",
        "col·legi",
        "¡Hola!",
        "Mª José",
        "FRANÇAIS",
        "Søren",
    ]
    assert detect(western) is None
    for pair in zip(western, western[1:], strict=False):
        assert detect(pair) is None, pair


def test_detection_needs_a_clear_majority():
    tcvn3 = [from_unicode(n, TCVN3) for n in NAMES]
    assert detect(tcvn3[:1]) is None  # one cell is not enough
    assert detect(NAMES + tcvn3[:2]) is None  # mostly Unicode, a few legacy cells: leave as it is
    assert detect(tcvn3 + [from_unicode(n, VNI) for n in NAMES]) is None  # both: no clear answer
    assert detect(tcvn3 + NAMES[:2]) == TCVN3
