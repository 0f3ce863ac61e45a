from __future__ import annotations

import pytest

from bantin.textutil import bad_character, escape_text, fold_ascii, line_and_column, normalize_space, shown, slugify


def test_fold_and_slug() -> None:
    assert fold_ascii("Đắk Nông đường") == "Dak Nong duong"
    assert slugify("Hội nghị  giao ban: Đắk Song!") == "hoi-nghi-giao-ban-dak-song"
    long = slugify("một " * 60, max_length=20)
    assert len(long) <= 20 and not long.endswith("-") and long.startswith("mot-mot")


def test_normalize_space_keeps_typography() -> None:
    assert normalize_space("  K’Thanh\u00a0\u00a0nói: “xin\u200b chào”  ") == "K’Thanh nói: “xin chào”"


def test_normalize_space_keeps_joiners_for_khmer() -> None:
    assert normalize_space("ស្រុក\u200dក\u00a0\u200cខ") == "ស្រុក\u200dក \u200cខ"


@pytest.mark.parametrize(
    ("text", "index", "words"),
    [
        ("a\x01b", 1, "U+0001 is a control character"),
        ("a\x1b[31m", 1, "U+001B is a control character"),
        ("ab\x7f", 2, "U+007F"),
        ("a\x85", 1, "U+0085"),
        ("a\r", 1, "U+000D"),
        ("x\u202ey", 1, "U+202E RIGHT-TO-LEFT OVERRIDE is an invisible format character"),
        ("x\u2066y", 1, "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("x\u200by", 1, "U+200B ZERO WIDTH SPACE"),
        ("x\ufeffy", 1, "U+FEFF"),
        ("x\u00ady", 1, "U+00AD SOFT HYPHEN"),
        ("a\u200db", 1, "U+200D ZERO WIDTH JOINER"),
        ("\ud800", 0, "lone surrogate"),
        ("a\uffff", 1, "noncharacter"),
    ],
)
def test_bad_character_names_it(text: str, index: int, words: str) -> None:
    found = bad_character(text)
    assert found is not None and found[0] == index and words in found[1]


@pytest.mark.parametrize("text", ["Hội nghị\tgiao ban\n“Dân vận khéo” K’Thanh…", "ស្រុក\u200dក", "क्\u200dष", "a\u00a0b\u2028c", "", "🇻🇳"])
def test_good_text_passes(text: str) -> None:
    assert bad_character(text) is None


def test_shown_escapes_and_cuts() -> None:
    assert shown("x\x1b]0;t\x07\u202e") == "'x\\x1b]0;t\\x07\\u202e'"
    long = shown("Đ" * 1000)
    assert long.endswith("… (1000 characters)'") and len(long) < 110
    assert shown(list(range(10**6))) == "'a list of 1000000 items'"
    assert shown({"a": 1}) == "'a mapping of 1 keys'"
    assert "digits" in shown(10**5000)
    assert escape_text("dòng 1\ndòng 2") == "dòng 1\\x0adòng 2"


def test_line_and_column() -> None:
    assert line_and_column("ab\ncd\nef", 0) == (1, 1)
    assert line_and_column("ab\ncd\nef", 4) == (2, 2)
    assert line_and_column("ab\ncd\nef", 6) == (3, 1)


def test_refused_set_is_exactly_controls_format_surrogates_and_noncharacters() -> None:
    """The precomputed scan agrees with ``unicodedata`` on every code point (fails if a Unicode update adds one)."""
    import unicodedata

    from bantin.textutil import _REFUSED_RE

    def refused(cp: int) -> bool:
        ch = chr(cp)
        category = unicodedata.category(ch)
        if ch in "\t\n":
            return False
        return category in ("Cc", "Cf", "Cs") or (category == "Cn" and ((cp & 0xFFFE) == 0xFFFE or 0xFDD0 <= cp <= 0xFDEF))

    assert [cp for cp in range(0x110000) if bool(_REFUSED_RE.match(chr(cp))) != refused(cp)] == []


@pytest.mark.parametrize(
    "text",
    [
        "Gia đình 👨\u200d👩\u200d👧 vui",  # family: emoji + ZWJ + emoji + ZWJ + emoji
        "❤\ufe0f\u200d🔥",  # U+FE0F before the joiner
        "👩🏽\u200d💻",  # a skin tone before the joiner
        "🏳\ufe0f\u200d🌈 và 🧑\u200d🤝\u200d🧑",
    ],
)
def test_emoji_zwj_sequences_pass(text: str) -> None:
    assert bad_character(text) is None


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("a\u200db", 1),  # between Latin letters
        ("👨\u200d", 1),  # an emoji, then nothing
        ("\u200d👩", 0),  # nothing, then an emoji
        ("x👨\u200dy", 2),  # an emoji, then a letter
        ("1\u200d👨", 1),  # a digit, then an emoji
        ("🇻\u200d🇳", 1),  # regional indicators are not joined
        ("👨 \u200d👩", 2),  # a space between
    ],
)
def test_a_joiner_outside_an_emoji_sequence_is_still_refused(text: str, index: int) -> None:
    found = bad_character(text)
    assert found is not None and found[0] == index and "U+200D ZERO WIDTH JOINER" in found[1]


def test_pictographs_are_exactly_unicode_extended_pictographic() -> None:
    """The precomputed class agrees with the ``regex`` module's Extended_Pictographic on every code point."""
    import regex

    from bantin.textutil import is_pictographic

    reference = regex.compile(r"\p{Extended_Pictographic}")
    assert [cp for cp in range(0x110000) if is_pictographic(chr(cp)) != bool(reference.match(chr(cp)))] == []
