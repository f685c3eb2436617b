import pytest

from common.text import fold, has_control_chars, normalize, sort_key, title_case_name


def test_fold_removes_diacritics_and_d_stroke():
    assert fold("Nguyễn Văn Đức") == "nguyen van duc"
    assert fold("  TRẦN   thị  ÁNH ") == "tran thi anh"


def test_fold_handles_decomposed_input():
    decomposed = "Nguye\u0302\u0303n"
    assert fold(decomposed) == "nguyen"


def test_normalize_is_nfc_and_collapses_spaces():
    assert normalize("Nguye\u0302\u0303n  Văn\tA ") == "Nguyễn Văn A"
    assert normalize("dòng 1\n  dòng 2", multiline=True) == "dòng 1\n  dòng 2"


@pytest.mark.parametrize("text", ["a\x00b", "a\x1bb", "a\u202eb", "a\x7fb"])
def test_control_characters_detected(text):
    assert has_control_chars(text)


def test_line_breaks_allowed_only_in_multiline():
    assert has_control_chars("a\nb")
    assert not has_control_chars("a\nb", multiline=True)


def test_vietnamese_sort_order_given_name_first():
    names = [
        "Nguyễn Văn Đức",
        "Trần Thị Dung",
        "Lê Văn An",
        "Hoàng Văn Ăn",
        "Vũ Thị Âu",
        "Đỗ Văn Bình",
        "Phạm Thị Anh",
        "Lê An",
    ]
    ordered = sorted(names, key=sort_key)
    assert ordered == [
        "Lê An",
        "Lê Văn An",
        "Phạm Thị Anh",
        "Hoàng Văn Ăn",
        "Vũ Thị Âu",
        "Đỗ Văn Bình",
        "Trần Thị Dung",
        "Nguyễn Văn Đức",
    ]


def test_sort_key_tone_is_secondary():
    assert sort_key("Nguyễn Văn Ba") < sort_key("Nguyễn Văn Bà") < sort_key("Nguyễn Văn Bá")
    assert sort_key("Nguyễn Văn Bá") < sort_key("Nguyễn Văn Bách")


def test_sort_key_is_plain_ascii_alphanumeric():
    key = sort_key("Đặng Thị Ư")
    assert key.isascii() and key.isalnum()


def test_title_case_name():
    assert title_case_name("NGUYỄN  văn a") == "Nguyễn Văn A"
