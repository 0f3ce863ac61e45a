"""lou_translate: real tables, one line per text, text it used to choke on, and one-line errors with the right cause."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bantin.braille import louis
from bantin.braille.louis import (
    ASCII_BRAILLE,
    DISPLAY_TABLE,
    MAX_LINE_BYTES,
    BrailleError,
    BrailleTextError,
    LouisUnavailableError,
    escape_input,
    translate,
    untranslated_count,
)


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


# --------------------------------------------------------------------------- text that used to break lou_translate


def back_translate(cells: str, table: str) -> str:
    """The real ``lou_translate --backward`` (its input is escape-parsed too: the "\\" cell is sent doubled)."""
    done = subprocess.run(
        ["lou_translate", "--backward", f"{DISPLAY_TABLE},{table}"],
        input=escape_input(cells) + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stderr == ""
    return done.stdout.rstrip("\n")


def test_a_windows_path_round_trips_through_vietnamese_braille() -> None:
    (cells,) = translate(["C:\\Users\\An"], "vi-vn-g1.ctb")
    assert cells == ".C3@*.USERS@*.AN"  # backslash is dots 1-2-5-6 after the dot-4 prefix in vi-vn-g1
    assert back_translate(cells, "vi-vn-g1.ctb") == "C:\\Users\\An"


def test_a_windows_path_in_ueb_has_its_backslashes() -> None:
    (cells,) = translate(["C:\\Users\\An"], "en-ueb-g2.ctb")
    assert cells == ",C3_*,US]S_*,AN"  # UEB backslash: dots 4-5-6, 1-6 ("_*")


def test_backslash_sequences_are_text_not_escapes() -> None:
    escape, trailing = translate(["\\x41 \\s \\\\", "cuoi\\"], "vi-vn-g1.ctb")
    assert back_translate(escape, "vi-vn-g1.ctb") == "\\x41 \\s \\\\"  # not "A", not a space, two backslashes
    assert back_translate(trailing, "vi-vn-g1.ctb") == "cuoi\\"  # a trailing backslash no longer empties the line


def test_a_10000_character_word_is_transcribed_whole() -> None:
    word = "ab" * 5000
    cells, after = translate([word, "x"], "vi-vn-g1.ctb")
    assert (cells, after) == ("AB" * 5000, "X")  # lou_translate alone cuts it after 2,047 bytes into a second line


def test_a_long_paragraph_is_cut_at_spaces_and_joined_exactly() -> None:
    sentence = "Hội nghị giao ban công tác dân vận quý II"
    (one,) = translate([sentence], "vi-vn-g1.ctb")
    paragraph = " ".join([sentence] * 150)  # about 6,900 bytes of UTF-8
    assert len(paragraph.encode()) > 3 * MAX_LINE_BYTES
    (cells,) = translate([paragraph], "vi-vn-g1.ctb")
    assert cells == " ".join([one] * 150)


def test_braille_longer_than_liblouis_buffer_is_not_cut_short() -> None:
    # 3,000 characters the table lacks: 8 cells each, far over the 2,048 cells lou_translate writes for a line.
    (cells,) = translate(["ព" * 3000], "vi-vn-g1.ctb")
    assert untranslated_count(cells) == 3000
    assert len(cells) == 3000 * len("'\\X179F'")


def test_noncharacters_are_counted_as_untranslated_not_passed_through() -> None:
    (cells,) = translate(["a\uffffb"], "vi-vn-g1.ctb")
    assert set(cells) <= set(ASCII_BRAILLE)
    assert untranslated_count(cells) == 1


def test_eight_dot_braille_is_an_error_that_quotes_the_block() -> None:
    text = "x" * 500 + " ⡁ " + "y" * 500
    with pytest.raises(BrailleTextError) as caught:
        translate(["Bản tin", text], "vi-vn-g1.ctb")
    error = caught.value
    message = str(error)
    assert error.block == 2 and message.startswith("braille block 2 '")
    assert "⡁" in error.excerpt and error.excerpt.startswith("…") and error.excerpt.endswith("…")
    assert len(error.excerpt) <= 82
    assert "U+2841 BRAILLE PATTERN DOTS-17 is eight-dot braille" in message
    assert "\n" not in message and "liblouis-data" not in message


def test_a_text_liblouis_stops_on_is_quoted_not_blamed_on_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without the escaping, the real lou_translate chokes on "C:\Users" (the failure users saw): the error
    # must now name the block and quote it, and leave the table alone.
    monkeypatch.setattr(louis, "escape_input", lambda text: text)
    with pytest.raises(BrailleTextError) as caught:
        translate(["Bản tin", "Xem tệp C:\\Users\\An\\bao-cao.docx", "Hết"], "vi-vn-g1.ctb")
    message = str(caught.value)
    assert caught.value.block == 2
    assert message.startswith("braille block 2 'Xem tệp C:\\Users\\An\\bao-cao.docx': lou_translate (vi-vn-g1.ctb) stopped on this text")
    assert "invalid escape sequence" in message
    assert "Install liblouis-data" not in message and "\n" not in message


def test_only_a_table_that_does_not_load_blames_the_install() -> None:
    with pytest.raises(BrailleError) as caught:
        translate(["C:\\Users\\An"], "no-such-table.ctb")
    assert not isinstance(caught.value, BrailleTextError)
    assert "Install liblouis-data, or fix the table name" in str(caught.value)
