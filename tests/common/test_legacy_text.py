"""Legacy Vietnamese encodings: every letter round-trips, real samples convert, detection does not
misfire on Unicode or Western text."""

import unicodedata

import pytest

from common.legacy_text import TCVN3, VNI, detect, from_unicode, to_unicode

BASES = "aăâeêioôơuưy"
TONES = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]
LETTERS = [unicodedata.normalize("NFC", b + t) for b in BASES for t in TONES] + ["đ"]
SAMPLES = {
    "Cộng hòa xã hội chủ nghĩa Việt Nam": {
        TCVN3: "Céng hßa x· héi chñ nghÜa ViÖt Nam",
        VNI: "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam",
    },
    "Đảng Cộng sản Việt Nam": {TCVN3: "§¶ng Céng s¶n ViÖt Nam", VNI: "Ñaûng Coäng saûn Vieät Nam"},
    "Nguyễn Văn Đức": {TCVN3: "NguyÔn V¨n §øc", VNI: "Nguyeãn Vaên Ñöùc"},
    "Trần Thị Hương": {TCVN3: "TrÇn ThÞ H\xad¬ng", VNI: "Traàn Thò Höông"},
    "Phường Hoàn Kiếm": {TCVN3: "Ph\xadêng Hoµn KiÕm", VNI: "Phöôøng Hoaøn Kieám"},
}


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_every_lower_case_letter_round_trips(encoding):
    for letter in LETTERS:
        assert to_unicode(from_unicode(letter, encoding), encoding) == letter, letter


def test_capitals_round_trip_in_vni_and_come_back_small_in_tcvn3():
    for letter in LETTERS:
        capital = letter.upper()
        assert to_unicode(from_unicode(capital, VNI), VNI) == capital
        # TCVN3 has its own codes only for Ă Â Ê Ô Ơ Ư Đ; the others were typed in .VnTimeH.
        expected = capital if capital in "ĂÂÊÔƠƯĐ" or len(unicodedata.normalize("NFD", capital)) == 1 else letter
        assert to_unicode(from_unicode(capital, TCVN3), TCVN3) == expected, capital


@pytest.mark.parametrize("text", SAMPLES)
def test_real_samples(text):
    for encoding, legacy in SAMPLES[text].items():
        assert from_unicode(text, encoding) == legacy
        converted = to_unicode(legacy, encoding)
        assert converted == text and unicodedata.is_normalized("NFC", converted)


def test_detection():
    names = ["Nguyễn Văn Đức", "Trần Thị Hương", "Lê Văn Cường", "Phạm Thị Dung", "Phường Hoàn Kiếm"]
    for encoding in (TCVN3, VNI):
        sample = [from_unicode(n, encoding) for n in names]
        assert detect(sample) == encoding
        # A few legacy cells among numbers, dates and empty cells.
        assert detect(["1", "", "12/03/1985", "0912345678", *sample[:2], "x", None, 3]) == encoding
    assert detect(names) is None
    assert detect([unicodedata.normalize("NFD", n) for n in names]) is None
    assert detect(["STT", "Nguyen Van Duc", "12", "abc"]) is None
    assert detect(["Café crème", "Zoë", "Jürgen", "naïve", "Bientôt", "aéroport", "°C", "Müller"]) is None
    assert detect([]) is None


def test_to_unicode_refuses_an_unknown_encoding():
    with pytest.raises(ValueError):
        to_unicode("abc", "utf-7")
