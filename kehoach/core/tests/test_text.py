import sqlite3
import unicodedata
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehoach.core.text import (
    UNIT_PREFIXES,
    collation_key,
    fold,
    name_sort_key,
    nfc,
    strip_unit_prefix,
    vietnamese_sorted,
)

# Vietnamese letters in dictionary order, and tones in their secondary order.
ALPHABET = list("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")
TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]  # ngang huyền hỏi ngã sắc nặng
VOWELS = "aăâeêioôơuưy"


def _all_letters() -> list[str]:
    letters = []
    for letter in ALPHABET:
        tones = TONES if letter in VOWELS else [""]
        for tone in tones:
            composed = unicodedata.normalize("NFC", letter + tone)
            letters += [composed, composed.upper()]
    return letters


VIETNAMESE_LETTERS = _all_letters()
vietnamese_text = st.text(alphabet=st.sampled_from([*VIETNAMESE_LETTERS, " "]), max_size=20)


# --- nfc / fold ---------------------------------------------------------------------------------


def test_nfc_composes_decomposed_input() -> None:
    decomposed = "Xa\u0303 Ha\u0309i La\u0306ng"
    assert decomposed != "Xã Hải Lăng"
    assert nfc(decomposed) == "Xã Hải Lăng"
    assert nfc(unicodedata.normalize("NFD", "Phường Đông Hà")) == "Phường Đông Hà"


def test_nfc_strips_and_collapses_whitespace() -> None:
    assert nfc("  Xã \t Hải\u00a0\u00a0Lăng \n") == "Xã Hải Lăng"
    assert nfc("   ") == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Xã Hải Lăng", "xa hai lang"),
        ("Phường Đông Hà", "phuong dong ha"),
        ("Đường", "duong"),
        ("ĐẮK LẮK", "dak lak"),
        ("  Thôn   Ấp  Bắc ", "thon ap bac"),
        ("Xa\u0303 Ha\u0309i La\u0306ng", "xa hai lang"),  # NFD input
        ("Quảng Trị", "quang tri"),
        ("Ưu tiên", "uu tien"),
    ],
)
def test_fold(value: str, expected: str) -> None:
    assert fold(value) == expected


@settings(deadline=None)
@given(st.text())
def test_fold_is_idempotent(value: str) -> None:
    assert fold(fold(value)) == fold(value)


# --- collation --------------------------------------------------------------------------------

NAMES = [
    "Thôn Đông",
    "Thôn Dương",
    "Thôn Ân",
    "Thôn An",
    "Thôn Ấp",
    "Thôn Bình",
    "Xã Hải Lăng",
    "Hà",
    "Hạ",
    "Hả",
    "Hà Nội",
    "Ha",
    "Ư",
    "U",
    "Ơ",
    "O",
    "Ô",
]


def test_names_sort_in_vietnamese_order() -> None:
    assert vietnamese_sorted(NAMES) == [
        "Ha",
        "Hà",
        "Hả",
        "Hạ",
        "Hà Nội",
        "O",
        "Ô",
        "Ơ",
        "Thôn An",
        "Thôn Ân",
        "Thôn Ấp",
        "Thôn Bình",
        "Thôn Dương",
        "Thôn Đông",
        "U",
        "Ư",
        "Xã Hải Lăng",
    ]


def test_names_sort_without_unit_prefix() -> None:
    assert sorted(NAMES, key=name_sort_key) == [
        "Thôn An",
        "Thôn Ân",
        "Thôn Ấp",
        "Thôn Bình",
        "Thôn Dương",
        "Thôn Đông",
        "Ha",
        "Hà",
        "Hả",
        "Hạ",
        "Hà Nội",
        "Xã Hải Lăng",
        "O",
        "Ô",
        "Ơ",
        "U",
        "Ư",
    ]


def test_letters_sort_in_alphabet_order() -> None:
    shuffled = list(reversed(ALPHABET))
    assert vietnamese_sorted(shuffled) == ALPHABET
    assert vietnamese_sorted(["Đ", "d", "D", "đ"]) == ["d", "D", "Đ", "đ"]  # stable for ties
    assert vietnamese_sorted(["An", "Ân", "Ăn"]) == ["An", "Ăn", "Ân"]


@pytest.mark.parametrize("vowel", list(VOWELS))
def test_tones_sort_in_order_for_every_vowel(vowel: str) -> None:
    words = [unicodedata.normalize("NFC", "h" + vowel + tone) for tone in TONES]
    assert vietnamese_sorted(list(reversed(words))) == words


def test_tones_are_only_a_secondary_difference() -> None:
    assert vietnamese_sorted(["Hã", "Há", "Hả", "Hạ", "Ha", "Hà"]) == [
        "Ha",
        "Hà",
        "Hả",
        "Hã",
        "Há",
        "Hạ",
    ]
    assert collation_key("Hạ") < collation_key("Hai")
    assert collation_key("Hạ") < collation_key("Hác")
    assert collation_key("Bà Rịa") < collation_key("Bạc Liêu")
    assert collation_key("Lạng Sơn") < collation_key("Lào Cai")


def test_shorter_prefix_sorts_first() -> None:
    assert vietnamese_sorted(["Anh", "An Bình", "An"]) == ["An", "An Bình", "Anh"]
    assert collation_key("Thôn") < collation_key("Thôn 1")


def test_case_and_normalisation_are_ignored() -> None:
    assert collation_key("HÀ NỘI") == collation_key("hà nội") == collation_key("Hà Nội")
    assert collation_key("Ha\u0300 Nô\u0323i") == collation_key("Hà Nội")
    assert collation_key("  Hà   Nội ") == collation_key("Hà Nội")


def test_numbers_sort_by_value() -> None:
    names = ["Tổ dân phố 10", "Tổ dân phố 2", "Tổ dân phố 1", "Tổ dân phố 2A", "Tổ dân phố A"]
    assert vietnamese_sorted(names) == [
        "Tổ dân phố 1",
        "Tổ dân phố 2",
        "Tổ dân phố 2A",
        "Tổ dân phố 10",
        "Tổ dân phố A",
    ]


def test_f_j_w_z_take_their_latin_places() -> None:
    assert vietnamese_sorted(["Zô", "Wa", "Jơ", "Fa", "Ea", "Ga"]) == [
        "Ea",
        "Fa",
        "Ga",
        "Jơ",
        "Wa",
        "Zô",
    ]


def test_key_is_made_of_digits_in_two_digit_codes() -> None:
    key = collation_key("Hà Nội")
    primary, _separator, secondary = key.partition("00")
    assert key.isdigit()
    assert key.isascii()
    assert primary == "231201293124"  # h a ␣ n ô i
    assert secondary == "010050"  # h à ␣ n ộ i: huyền on à, nặng on ộ
    assert collation_key("") == "00"


def test_foreign_and_unknown_characters_do_not_break_the_key() -> None:
    for value in ["Hà Nội 河内", "😀", "\u0301", "Zürich", "İstanbul", "ß", "\x00", "١٢٣"]:
        key = collation_key(value)
        assert key.isascii()
        assert key.isdigit()
    assert collation_key("u") < collation_key("ü") < collation_key("ư")


def test_keys_sort_the_same_in_sqlite_binary_collation() -> None:
    names = [*NAMES, "An", "An Bình", "Anh", "Ăn", "Tổ dân phố 10", "Tổ dân phố 9"]
    with sqlite3.connect(":memory:") as db:
        db.execute("CREATE TABLE unit (name TEXT, sort_key TEXT COLLATE BINARY)")
        db.executemany(
            "INSERT INTO unit VALUES (?, ?)", [(name, collation_key(name)) for name in names]
        )
        rows = db.execute("SELECT name FROM unit ORDER BY sort_key, name").fetchall()
    assert [name for (name,) in rows] == vietnamese_sorted(sorted(names))


@settings(deadline=None)
@given(st.text())
def test_collation_key_is_digits_only_for_any_text(value: str) -> None:
    key = collation_key(value)
    assert key.isascii()
    assert key.isdigit()


@settings(deadline=None)
@given(vietnamese_text, vietnamese_text)
def test_collation_key_tells_apart_different_vietnamese_words(a: str, b: str) -> None:
    same_text = nfc(a).lower() == nfc(b).lower()
    assert (collation_key(a) == collation_key(b)) == same_text


@settings(deadline=None)
@given(vietnamese_text, st.text(alphabet=st.sampled_from(VIETNAMESE_LETTERS), min_size=1))
def test_a_word_sorts_before_its_extensions(word: str, extension: str) -> None:
    assert collation_key(word) < collation_key(word + extension)
    assert collation_key(word) < collation_key(word + " " + extension)


# --- unit names -------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", UNIT_PREFIXES)
def test_strip_unit_prefix_removes_each_kind_word(prefix: str) -> None:
    assert strip_unit_prefix(f"{prefix} Hải Lăng") == "Hải Lăng"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("XÃ HẢI LĂNG", "HẢI LĂNG"),
        ("thành phố Huế", "Huế"),
        ("  Thị   xã  Quảng Trị ", "Quảng Trị"),
        ("Xa\u0303 Ha\u0309i La\u0306ng", "Hải Lăng"),  # NFD input
        ("Thành phố Buôn Ma Thuột", "Buôn Ma Thuột"),  # only one kind word
        ("Phường 1", "1"),
        ("Thôn", "Thôn"),  # nothing would be left
        ("Xãhội", "Xãhội"),  # a whole word only
        ("Hải Lăng", "Hải Lăng"),
    ],
)
def test_strip_unit_prefix(name: str, expected: str) -> None:
    assert strip_unit_prefix(name) == expected


def test_name_sort_key_ignores_the_kind_word() -> None:
    assert name_sort_key("Xã Hải Lăng") == collation_key("Hải Lăng")
    assert name_sort_key("Phường Đông Hà") < name_sort_key("Xã Gio Linh")
    assert name_sort_key("Phường 2") < name_sort_key("Phường 10")


def test_vietnamese_sorted_with_key() -> None:
    units = [("QT-2", "Xã Đông Hà"), ("QT-1", "Phường Đông Hà"), ("QT-3", "Thôn Dương")]
    assert vietnamese_sorted(units, key=lambda unit: unit[1]) == [
        ("QT-1", "Phường Đông Hà"),
        ("QT-3", "Thôn Dương"),
        ("QT-2", "Xã Đông Hà"),
    ]
    assert vietnamese_sorted(["Anh", "Ăn", "An"], reverse=True) == ["Ăn", "Anh", "An"]


def test_vietnamese_sorted_needs_a_key_for_non_strings() -> None:
    with pytest.raises(TypeError):
        cast(Any, vietnamese_sorted)([1, 2])
