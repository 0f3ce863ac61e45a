"""lou_translate: real tables, one line per text, and a one-line error when it is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bantin.braille.louis import ASCII_BRAILLE, BrailleError, LouisUnavailableError, translate, untranslated_count


def test_ueb_grade_2_writes_the_as_one_cell() -> None:
    (the,) = translate(["the"], "en-ueb-g2.ctb")
    assert the == "!"  # dots 2-3-4-6, the UEB wordsign for "the"


def test_ueb_grade_2_contracts_and_marks_capitals_and_numbers() -> None:
    sentence, number = translate(["The cat and the dog", "2024"], "en-ueb-g2.ctb")
    assert sentence == ",! CAT & ! DOG"  # capital sign, "the", "and" as one cell each
    assert number == "#BJBD"


def test_vietnamese_table_keeps_letters_marks_capitals_and_numbers() -> None:
    plain, capital, number, d, dd = translate(["ba", "Ba", "2024", "da", "đa"], "vi-vn-g1.ctb")
    assert plain == "BA"
    assert capital != plain and capital.endswith("BA")
    assert number == "#BJBD"
    assert d != dd  # đ is its own letter


def test_each_text_is_translated_on_its_own_line() -> None:
    out = translate(["The", "", "cat"], "en-ueb-g2.ctb")
    assert out == [",!", "", "CAT"]


def test_output_is_ascii_braille_only() -> None:
    out = translate(["Hội nghị giao ban công tác dân vận quý II, ngày 28/6/2024: “Dân vận khéo”…"], "vi-vn-g1.ctb")
    assert set(out[0]) <= set(ASCII_BRAILLE)
    assert untranslated_count(out[0]) == 0


def test_characters_the_table_lacks_are_counted() -> None:
    (out,) = translate(["ok ព័ត"], "en-ueb-g2.ctb")
    assert untranslated_count(out) == 3


def test_an_unknown_table_is_a_clear_error() -> None:
    with pytest.raises(BrailleError, match=r"no-such-table\.ctb"):
        translate(["x"], "no-such-table.ctb")


def test_missing_lou_translate_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(LouisUnavailableError) as caught:
        translate(["x"], "en-ueb-g2.ctb")
    message = str(caught.value)
    assert "\n" not in message
    assert "lou_translate not found" in message and "Install liblouis-bin" in message
