"""Vietnamese number words: what an announcer says for a number."""

from __future__ import annotations

import pytest

from bantin.speech.numbers import MAX_NUMBER_DIGITS, read_digit_groups, read_digits, read_number, read_numeral

Y2024 = "hai nghìn không trăm hai mươi tư"


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "không"),
        (5, "năm"),
        (15, "mười lăm"),
        (20, "hai mươi"),
        (34, "ba mươi tư"),
        (41, "bốn mươi mốt"),
        (101, "một trăm lẻ một"),
        (1010, "một nghìn không trăm mười"),
        (2024, Y2024),
        (1_050_000, "một triệu không trăm năm mươi nghìn"),
        (1_000_000_005, "một tỷ không trăm lẻ năm"),
    ],
)
def test_read_number(n: int, words: str) -> None:
    assert read_number(n) == words


def test_read_number_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        read_number(-1)
    with pytest.raises(TypeError):
        read_number(True)
    with pytest.raises(TypeError):
        read_number("12")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- digit runs of any length

DIGIT_WORDS = {"không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"}


def test_read_digit_groups_pauses_every_three_digits_from_the_left() -> None:
    assert read_digit_groups("1234567") == "một hai ba, bốn năm sáu, bảy"
    assert read_digit_groups("0012", size=2) == "không không, một hai"
    assert read_digit_groups("") == ""
    with pytest.raises(ValueError, match="group size"):
        read_digit_groups("12", size=0)


def test_read_digits_takes_any_decimal_digit() -> None:
    assert read_digits("٣３3") == "ba ba ba"  # Arabic-Indic, fullwidth, ASCII: what the normalizer's \d matches
    assert read_digits("1²") == "một"  # a superscript is no decimal digit: skipped, never a crash


def test_fifteen_digits_are_still_a_number_and_sixteen_are_read_in_groups() -> None:
    assert MAX_NUMBER_DIGITS == 15
    assert read_numeral("100000000000000") == "một trăm nghìn tỷ"
    assert read_numeral("1000000000000000") == "một không không, không không không, không không không, không không không, không không không, không"


def test_a_5000_digit_run_is_read_without_int() -> None:
    words = read_numeral("7" * 5000)  # int("7" * 5000) raises: CPython converts at most 4,300 digits
    groups = words.split(", ")
    assert len(groups) == 1667 and groups[0] == "bảy bảy bảy" and groups[-1] == "bảy bảy"
    assert words.replace(",", "").split() == ["bảy"] * 5000


def test_a_leading_zero_run_over_the_bound_is_grouped_too() -> None:
    assert read_numeral("0" * 16) == ", ".join(["không không không"] * 5 + ["không"])
    assert read_numeral("0123") == "không một hai ba"  # short: digit by digit, unchanged


def test_thousands_groups_beyond_the_bound_keep_the_writers_groups() -> None:
    nines = "chín trăm chín mươi chín"
    assert read_numeral("999.999.999.999.999") == f"{nines} nghìn {nines} tỷ {nines} triệu {nines} nghìn {nines}"
    assert read_numeral("1.000.000.000.000.000") == "một, " + ", ".join(["không không không"] * 5)
    many = read_numeral("12" + ".345" * 400)  # hundreds of groups
    assert many.split(", ") == ["một hai"] + ["ba bốn năm"] * 400


def test_thousands_of_decimals_are_read_in_groups() -> None:
    words = read_numeral("3", "1" * 4000)
    whole, fraction = words.split(" phẩy ")
    assert whole == "ba"
    assert fraction.split(", ") == ["một một một"] * 1333 + ["một"]
    assert read_numeral("3", "14") == "ba phẩy mười bốn"  # short decimals unchanged


def test_dotted_parts_that_are_not_thousands_are_bounded_one_by_one() -> None:
    assert read_numeral("4.0") == "bốn chấm không"
    words = read_numeral("1." + "2" * 20)
    assert words.startswith("một chấm hai hai hai, hai hai hai")
    assert set(words.replace(",", " ").split()) <= DIGIT_WORDS | {"chấm"}
