"""Tests for kehoach.core.legacy: TCVN3 / VNI conversion and detection.

The expected tables are transcribed from public converters and were cross-checked against
each other: xvnkb (``tcvn.h``, ``vni.h``), Unikey's vnconv data tables (as shipped in
fcitx5-unikey ``unikey/data.cpp``) and the npm package vietnamese-conversion
(``src/charsets.ts``). All three agree on every code used here.
"""

import string
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehoach.core.legacy import (
    detect_legacy,
    detect_legacy_many,
    from_unicode_tcvn3,
    from_unicode_vni,
    to_unicode_tcvn3,
    to_unicode_vni,
)

Encoder = Callable[[str], str]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --- the code tables ----------------------------------------------------------------------------

# Each row: a vowel with tones in the order none, sắc, huyền, hỏi, ngã, nặng.
TONE_ROWS = [
    "aáàảãạ",
    "âấầẩẫậ",
    "ăắằẳẵặ",
    "eéèẻẽẹ",
    "êếềểễệ",
    "oóòỏõọ",
    "ôốồổỗộ",
    "ơớờởỡợ",
    "uúùủũụ",
    "ưứừửữự",
    "iíìỉĩị",
    "yýỳỷỹỵ",
]

# TCVN3 (VN3), lowercase letters, as cp1252 characters (xvnkb tcvn.h; Unikey "TCVN3").
TCVN3_ROWS = [
    "a¸µ¶·¹",
    "©ÊÇÈÉË",
    "¨¾»¼½Æ",
    "eÐÌÎÏÑ",
    "ªÕÒÓÔÖ",
    "oãßáâä",
    "«èåæçé",
    "¬íêëìî",
    "uóïñòô",
    "\u00adøõö÷ù",  # ư is 0xAD, which cp1252 shows as a soft hyphen
    "iÝ×ØÜÞ",
    "yýúûüþ",
]
TCVN3_CAPITALS = {"Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§", "đ": "®"}

# VNI Windows, lowercase (xvnkb vni.h; Unikey "VNI-WIN"; vietnamese-conversion VNI).
VNI_ROWS = [
    ["a", "aù", "aø", "aû", "aõ", "aï"],
    ["aâ", "aá", "aà", "aå", "aã", "aä"],
    ["aê", "aé", "aè", "aú", "aü", "aë"],
    ["e", "eù", "eø", "eû", "eõ", "eï"],
    ["eâ", "eá", "eà", "eå", "eã", "eä"],
    ["o", "où", "oø", "oû", "oõ", "oï"],
    ["oâ", "oá", "oà", "oå", "oã", "oä"],
    ["ô", "ôù", "ôø", "ôû", "ôõ", "ôï"],
    ["u", "uù", "uø", "uû", "uõ", "uï"],
    ["ö", "öù", "öø", "öû", "öõ", "öï"],
    ["i", "í", "ì", "æ", "ó", "ò"],
    ["y", "yù", "yø", "yû", "yõ", "î"],
]


def _pairs(rows: list[str], codes: list[str] | list[list[str]]) -> list[tuple[str, str]]:
    return [
        (letter, code)
        for letter_row, code_row in zip(rows, codes, strict=True)
        for letter, code in zip(letter_row, code_row, strict=True)
    ]


TCVN3_PAIRS = _pairs(TONE_ROWS, TCVN3_ROWS) + list(TCVN3_CAPITALS.items())
VNI_PAIRS = [*_pairs(TONE_ROWS, VNI_ROWS), ("đ", "ñ")]


@pytest.mark.parametrize(("letter", "code"), TCVN3_PAIRS)
def test_tcvn3_table(letter: str, code: str) -> None:
    assert to_unicode_tcvn3(code) == letter
    assert from_unicode_tcvn3(letter) == code


@pytest.mark.parametrize(("letter", "code"), VNI_PAIRS)
def test_vni_table_lower_and_upper(letter: str, code: str) -> None:
    assert to_unicode_vni(code) == letter
    assert from_unicode_vni(letter) == code
    # VNI capitals are the capital base followed by the capital mark (AÙ = Á, ÖÙ = Ứ, Ñ = Đ).
    assert to_unicode_vni(code.upper()) == letter.upper()
    assert from_unicode_vni(letter.upper()) == code.upper()


def test_tables_cover_all_134_letters() -> None:
    letters = {ch for row in TONE_ROWS for ch in row if not ch.isascii()} | {"đ"}
    letters |= {ch.upper() for ch in letters}
    assert len(letters) == 134
    for letter in letters:
        assert to_unicode_vni(from_unicode_vni(letter)) == letter
        assert to_unicode_tcvn3(from_unicode_tcvn3(letter)) == letter.lower() or letter in "ĂÂÊÔƠƯĐ"


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("Th«n §«ng", "Thôn Đông"),
        ("Th«n", "Thôn"),
        ("§", "Đ"),
        ("®", "đ"),
        # Examples from the vietnamese-converter projects' READMEs.
        ("B¶o Th¾ng", "Bảo Thắng"),
        ("M\u00adêng Kh\u00ad¬ng", "Mường Khương"),
        ("B¸t X¸t", "Bát Xát"),
        ("cña", "của"),
        ("X©y dùng nhµ v¨n hãa", "Xây dựng nhà văn hóa"),
        ("Bª t«ng hãa ®\u00adêng th«n Diªn Sanh", "Bê tông hóa đường thôn Diên Sanh"),
    ],
)
def test_tcvn3_known_strings(legacy: str, unicode: str) -> None:
    assert to_unicode_tcvn3(legacy) == unicode
    assert from_unicode_tcvn3(unicode) == legacy


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("Thoân Ñoâng", "Thôn Đông"),
        ("Ñ", "Đ"),
        ("ñ", "đ"),
        ("oâ", "ô"),
        ("ö", "ư"),
        ("ñöôøng", "đường"),
        ("Xin chaøo caùc baïn", "Xin chào các bạn"),  # vietnamese-conversion README
        ("HAØ NOÄI", "HÀ NỘI"),
        ("Kieân coá hoùa keânh möông noäi ñoàng", "Kiên cố hóa kênh mương nội đồng"),
        ("Nguyeãn Vaên AÙnh", "Nguyễn Văn Ánh"),
    ],
)
def test_vni_known_strings(legacy: str, unicode: str) -> None:
    assert to_unicode_vni(legacy) == unicode
    assert from_unicode_vni(unicode) == legacy


def test_tcvn3_capitals_without_a_code_use_the_lowercase_code() -> None:
    # .VnTimeH convention: "ẤP" is typed with the code of "ấ".
    assert from_unicode_tcvn3("ẤP HÒA") == from_unicode_tcvn3("ấP HòA") == "ÊP HßA"
    assert to_unicode_tcvn3("ÊP HßA") == "ấP HòA"
    # The seven capitals TCVN3 does have keep their case.
    assert to_unicode_tcvn3(from_unicode_tcvn3("ĂÂÊÔƠƯĐ")) == "ĂÂÊÔƠƯĐ"


def test_characters_outside_the_tables_pass_through() -> None:
    text = "ABC xyz 0123 -,.;:!?()[]/\\ € “quoted” … – — ™"
    assert to_unicode_tcvn3(text) == text
    assert to_unicode_vni(text) == text
    assert from_unicode_tcvn3(text) == text
    assert from_unicode_vni(text) == text


def test_vni_marks_join_only_their_own_bases_in_the_same_case() -> None:
    assert to_unicode_vni("bù") == "bù"  # b is no base
    assert to_unicode_vni("uá") == "uá"  # circumflex marks only follow a, e, o
    assert to_unicode_vni("eé") == "eé"  # breve marks only follow a
    assert to_unicode_vni("Aù") == "Aù"  # case must match
    assert to_unicode_vni("aÙ") == "aÙ"
    assert to_unicode_vni("ôù") == "ớ"  # longest match first: ớ, not ơ + ù


def test_spacing_is_kept_and_output_is_nfc() -> None:
    assert to_unicode_tcvn3("  Th«n \t §«ng\n") == "  Thôn \t Đông\n"
    assert to_unicode_vni("  Thoân \t Ñoâng\n") == "  Thôn \t Đông\n"
    decomposed = unicodedata.normalize("NFD", "Thôn Đông")
    assert from_unicode_tcvn3(decomposed) == "Th«n §«ng"
    assert from_unicode_vni(decomposed) == "Thoân Ñoâng"
    for out in (to_unicode_tcvn3("Bª t«ng"), to_unicode_vni("Beâ toâng")):
        assert unicodedata.is_normalized("NFC", out)


# --- round trips (hypothesis) -------------------------------------------------------------------

LOWER_LETTERS = [ch for row in TONE_ROWS for ch in row] + ["đ"]
ALL_LETTERS = sorted(set(LOWER_LETTERS) | {ch.upper() for ch in LOWER_LETTERS})
OTHER = list(string.ascii_letters + string.digits + string.punctuation + " \t\n")
# Text whose capitals are only those TCVN3 has codes for.
TCVN3_EXACT = sorted(set(LOWER_LETTERS) | set("ĂÂÊÔƠƯĐ") | set(string.ascii_uppercase))

vietnamese_text = st.text(alphabet=st.sampled_from(ALL_LETTERS + OTHER), max_size=40)
tcvn3_exact_text = st.text(alphabet=st.sampled_from(TCVN3_EXACT + OTHER), max_size=40)


@settings(deadline=None)
@given(vietnamese_text)
def test_vni_round_trip(text: str) -> None:
    assert to_unicode_vni(from_unicode_vni(text)) == nfc(text)


@settings(deadline=None)
@given(vietnamese_text)
def test_vni_round_trip_from_nfd(text: str) -> None:
    assert to_unicode_vni(from_unicode_vni(unicodedata.normalize("NFD", text))) == nfc(text)


@settings(deadline=None)
@given(tcvn3_exact_text)
def test_tcvn3_round_trip_is_exact_for_capitals_tcvn3_has(text: str) -> None:
    assert to_unicode_tcvn3(from_unicode_tcvn3(text)) == nfc(text)


@settings(deadline=None)
@given(vietnamese_text)
def test_tcvn3_round_trip_is_exact_up_to_case(text: str) -> None:
    back = to_unicode_tcvn3(from_unicode_tcvn3(text))
    assert back.casefold() == nfc(text).casefold()
    assert len(back) == len(nfc(text))


@settings(deadline=None)
@given(vietnamese_text)
def test_legacy_forms_are_cp1252_text(text: str) -> None:
    # What a reader shows for legacy bytes is always cp1252 text, byte for character.
    for legacy in (from_unicode_tcvn3(text), from_unicode_vni(text)):
        assert legacy.encode("cp1252").decode("cp1252") == legacy


# --- detection ----------------------------------------------------------------------------------

ACTIVITIES = [
    "Bê tông hóa đường thôn Diên Sanh",
    "Xây dựng nhà văn hóa",
    "Kiên cố hóa kênh mương nội đồng",
    "Thôn Đông",
    "Nâng cấp trạm y tế xã",
    "Đào tạo nghề cho lao động nông thôn",
    "Sửa chữa cầu treo",
    "Công trình thủy lợi",
    "Ủy ban nhân dân xã Hải Lăng",
    "Điện chiếu sáng",
]
# A sheet is mostly numbers, codes and blanks; only a few cells carry Vietnamese text.
FILLER = ["", "1", "2.500.000", "2025", "STT", "Km 3", "x", "  ", "Total", "HTX"]


@pytest.mark.parametrize(
    ("encode", "expected"), [(from_unicode_tcvn3, "tcvn3"), (from_unicode_vni, "vni")]
)
def test_detects_each_activity(encode: Encoder, expected: str) -> None:
    for activity in ACTIVITIES:
        assert detect_legacy(encode(activity)) == expected, activity


@pytest.mark.parametrize(
    ("encode", "expected"), [(from_unicode_tcvn3, "tcvn3"), (from_unicode_vni, "vni")]
)
def test_detects_a_sheet_with_few_marked_cells(encode: Encoder, expected: str) -> None:
    cells = FILLER * 5 + [encode("Thôn Đông"), encode("Xây dựng nhà văn hóa")]
    assert detect_legacy_many(cells) == expected
    assert detect_legacy_many(FILLER * 5 + [encode(a) for a in ACTIVITIES]) == expected


def test_detects_the_spec_examples() -> None:
    assert detect_legacy("Th«n §«ng") == "tcvn3"
    assert detect_legacy("Thoân Ñoâng") == "vni"
    assert detect_legacy_many(["Th«n §«ng", "1", "2"]) == "tcvn3"
    assert detect_legacy_many(iter(["Thoân Ñoâng", "", "Km 3"])) == "vni"


def test_detects_tcvn3_typed_in_capitals() -> None:
    # Headings typed in .VnTimeH: capital ASCII letters mixed with lowercase toned codes.
    assert detect_legacy_many(["UBND HUYÖN H¶I L¡NG", "Tæng céng"]) == "tcvn3"


def test_unicode_vietnamese_is_not_legacy() -> None:
    assert detect_legacy_many(ACTIVITIES) is None
    for activity in ACTIVITIES:
        assert detect_legacy(activity) is None
    # Only Latin-1 letters: each could be cp1252, but read as legacy they make no sense.
    latin1_only = ["Thôn Bàu", "Xóm Gáo", "Bê tông", "Hòa Vân", "Ông Bà", "Khoai lang", "Núi Thành"]
    assert detect_legacy_many(latin1_only) is None
    for cell in latin1_only:
        assert detect_legacy(cell) is None


@pytest.mark.parametrize(
    "texts",
    [
        [],
        [""],
        ["", "  ", "\n"],
        ["1", "2.500.000", "3,5", "-12", "2025-01-01"],
        ["Road construction", "Village hall", "Irrigation canal", "Total"],
        ["Café crème", "São Paulo", "naïve", "Zürich", "Señor Muñoz", "Ærø", "François"],
        ["© 2025", "2×3", "½ ha", "« quoted »", "§ 5", "Price: €5", "50 m²"],
    ],
)
def test_no_legacy_in_ascii_numbers_symbols_or_foreign_text(texts: list[str]) -> None:
    assert detect_legacy_many(texts) is None


def test_mixed_content_is_decided_by_the_majority() -> None:
    tcvn3 = [from_unicode_tcvn3(a) for a in ACTIVITIES]
    assert detect_legacy_many([*ACTIVITIES, *ACTIVITIES, tcvn3[0]]) is None
    assert detect_legacy_many([*ACTIVITIES, from_unicode_vni(ACTIVITIES[0])]) is None
    assert detect_legacy_many([*tcvn3, ACTIVITIES[0]]) == "tcvn3"


def test_ties_are_none() -> None:
    # "ñy" reads as TCVN3 "ủy" and as VNI "đy"; nothing else tells them apart.
    assert detect_legacy("ñy") is None
    assert detect_legacy_many(["ñy", "1"]) is None


def test_detection_then_conversion_restores_the_text() -> None:
    decoders = {"tcvn3": to_unicode_tcvn3, "vni": to_unicode_vni}
    vni_cells = [from_unicode_vni(a) for a in ACTIVITIES]
    assert [decoders[detect_legacy_many(vni_cells) or ""](c) for c in vni_cells] == ACTIVITIES
    # TCVN3 loses the case of "Ủy" (no code for Ủ); everything else comes back exactly.
    tcvn3_cells = [from_unicode_tcvn3(a) for a in ACTIVITIES]
    back = [decoders[detect_legacy_many(tcvn3_cells) or ""](c) for c in tcvn3_cells]
    assert [b.casefold() for b in back] == [a.casefold() for a in ACTIVITIES]
    assert back[8] == "ủy ban nhân dân xã Hải Lăng"


_VOCABULARY_TEXT = (
    "bê tông hóa đường thôn diên sanh xây dựng nhà văn kiên cố kênh mương nội đồng trường mẫu "
    "giáo xã hải lăng nâng cấp trạm y tế hỗ trợ giống lúa đào tạo nghề cho lao động nông sửa "
    "chữa cầu treo quỹ phát triển công trình thủy lợi ủy ban nhân dân khuyến nước sạch điện "
    "chiếu sáng nguyễn ánh giao mở rộng liên khu cư số chợ trung tâm học sinh bếp ăn tập thể vệ "
    "môi thoát rác thải hộ nghèo vay vốn chăn nuôi bò gà heo rau màu cây quả rừng trồng bảo"
)
VOCABULARY = _VOCABULARY_TEXT.split()
# Words with ô, ơ, ư, đ, ă, â or ê: their legacy forms cannot be read as another encoding.
DISTINCTIVE = [w for w in VOCABULARY if any(ch in w for ch in "ôơưđăâê") and w not in {"cư", "chợ"}]
cells_strategy = st.lists(
    st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=6).map(" ".join), max_size=8
)


@settings(deadline=None)
@given(cells_strategy)
def test_detection_never_names_the_wrong_encoding(cells: list[str]) -> None:
    assert detect_legacy_many(cells) is None
    assert detect_legacy_many([from_unicode_tcvn3(c) for c in cells]) in ("tcvn3", None)
    assert detect_legacy_many([from_unicode_vni(c) for c in cells]) in ("vni", None)


@settings(deadline=None)
@given(
    st.lists(st.sampled_from(DISTINCTIVE), min_size=1, max_size=8),
    st.lists(st.sampled_from(FILLER), max_size=20),
)
def test_detection_finds_distinctive_words_among_filler(
    words: list[str], filler: list[str]
) -> None:
    for encode, expected in ((from_unicode_tcvn3, "tcvn3"), (from_unicode_vni, "vni")):
        cells = [*filler, *(encode(w) for w in words)]
        assert detect_legacy_many(cells) == expected
        cells = [*filler, encode(" ".join(words).capitalize())]
        assert detect_legacy_many(cells) == expected
