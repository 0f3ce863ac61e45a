"""Languages inside a block: Vietnamese-lettered words found in other languages, and the table for each language."""

from __future__ import annotations

import doctest

import pytest

from bantin.braille import langs, tables
from bantin.braille.langs import Segment, is_vietnamese_word, merge, split_names
from bantin.braille.tables import lang_table


@pytest.mark.parametrize(
    ("word", "vietnamese"),
    [
        ("Đắk", True),
        ("Đức", True),
        ("đ", True),
        ("Nguyễn", True),
        ("ương", True),
        ("Thuột", True),
        ("café", True),  # é is a Vietnamese letter too: such a word is written with Vietnamese letters
        ("Song", False),  # plain a-z: the English table writes it
        ("Zürich", False),  # ü is no Vietnamese letter
        ("señor", False),  # nor is ñ
        ("ǎ", False),  # a caron
        ("ắắ", True),
        ("a\u0301\u0301", False),  # two tone marks on one vowel
        ("b\u0301", False),  # a tone mark on a consonant
    ],
)
def test_vietnamese_words_are_spelled_with_vietnamese_letters_only(word: str, vietnamese: bool) -> None:
    assert is_vietnamese_word(word) is vietnamese


def test_names_are_cut_out_of_an_english_sentence() -> None:
    text = "Troops in Đắk Song and Tuy Đức (Đắk Nông), as Comrade Lê Sỹ Tuân said in Buôn Ma Thuột's office."
    parts = split_names(Segment(text, "en"))
    assert "".join(p.text for p in parts) == text  # nothing lost or added
    assert [p.text for p in parts if p.lang == "vi"] == ["Đắk", "Đức", "Đắk Nông", "Lê Sỹ Tuân", "Buôn Ma Thuột"]
    assert {p.lang for p in parts} == {"en", "vi"}


def test_a_vietnamese_segment_and_an_ascii_one_stay_whole() -> None:
    vi = Segment("Huyện ủy Đắk Song", "vi")
    assert split_names(vi) == [vi]
    en = Segment("The district committee met.", "en")
    assert split_names(en) == [en]
    assert split_names(Segment("Đắk Song", "en-GB")) == [Segment("Đắk", "vi"), Segment(" Song", "en-GB")]


def test_neighbours_in_one_language_are_merged_and_empty_ones_dropped() -> None:
    parts = [Segment("Friday ·", "en"), Segment("", "vi"), Segment(" in", "en"), Segment(" Đắk", "vi")]
    assert merge(parts) == [Segment("Friday · in", "en"), Segment(" Đắk", "vi")]


def test_each_language_gets_its_own_table_or_the_uncontracted_one_abroad() -> None:
    assert lang_table("vi", "vi") == "vi-vn-g1.ctb"
    assert lang_table("vi", "en") == "vi-vn-g0.utb"  # Vietnamese inside English braille: uncontracted
    assert lang_table("en", "en") == "en-ueb-g2.ctb"
    assert lang_table("EN-us", "vi") == "en-ueb-g1.ctb"
    assert lang_table("km", "en") is None


@pytest.mark.parametrize("module", [langs, tables])
def test_doctests(module) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
