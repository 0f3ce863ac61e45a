"""English speech normalization: what the English voice is given, and which pipeline each language gets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bantin.speech import numbers_en as num
from bantin.speech.normalize import DEFAULT_PIPELINE, normalize
from bantin.speech.normalize_en import PIPELINE, normalize_en
from bantin.speech.pipelines import PLAIN, pipeline_for, speech_normalizer

CASES = [
    # currencies: codes and symbols, before or after, with scales and cents
    ("VND 5,000", "five thousand Vietnamese dong"),
    ("It costs 5,000 VND.", "It costs five thousand Vietnamese dong."),
    ("5.000 đồng and 20.000đ", "five thousand Vietnamese dong and twenty thousand Vietnamese dong"),
    ("VNĐ 5 billion", "five billion Vietnamese dong"),
    ("5.000.000 VND", "five million Vietnamese dong"),
    ("$5", "five US dollars"),
    ("$1", "one US dollar"),
    ("$5.50", "five US dollars and fifty cents"),
    ("US$1.2 million", "one point two million US dollars"),
    ("5 USD", "five US dollars"),
    ("€3 and 3 EUR", "three euros and three euros"),
    ("the USD exchange rate", "the US dollar exchange rate"),
    # units, singular for one
    ("1 km and 12 km", "one kilometer and twelve kilometers"),
    ("3 kg, 2,000 ha, 1 ha", "three kilograms, two thousand hectares, one hectare"),
    ("95.5%", "ninety-five point five percent"),
    ("-5°C and 1°C", "minus five degrees Celsius and one degree Celsius"),
    ("60 km/h on 2,000 km2", "sixty kilometers per hour on two thousand square kilometers"),
    ("15-20%", "fifteen to twenty percent"),
    # dates: day first as the source writes them, ISO, and written-out months
    ("28/6/2024", "June twenty-eighth, twenty twenty-four"),
    ("2024-06-28", "June twenty-eighth, twenty twenty-four"),
    ("June 28, 2024", "June twenty-eighth, twenty twenty-four"),
    ("28 June 2024", "June twenty-eighth, twenty twenty-four"),
    ("6/28/2024", "June twenty-eighth, twenty twenty-four"),
    ("on 1/5", "on May first"),
    ("in 2024, since 1998, in 2005", "in twenty twenty-four, since nineteen ninety-eight, in two thousand five"),
    ("from 2023 to 2025", "from twenty twenty-three to twenty twenty-five"),
    # times
    ("At 14:30, 7h05 and 8h.", "At fourteen thirty, seven oh five and eight o'clock."),
    # numbers, ordinals, long runs
    ("1,234,567.89", "one million two hundred thirty-four thousand five hundred sixty-seven point eight nine"),
    ("105 households", "one hundred five households"),
    ("the 1st, 2nd, 3rd, 12th, 21st and 100th", "the first, second, third, twelfth, twenty-first and one hundredth"),
    ("Account 12345678901234567890.", "Account one two three, four five six, seven eight nine, zero one two, three four five, six seven eight, nine zero."),
    ("Call 0261 3544 123.", "Call zero two six one, three five four four, one two three."),
    ("+84 912 345 678", "plus eight four, nine one two, three four five, six seven eight"),
    # words and symbols
    ("No. 5 & co (new) — done", "number five and co, new, done"),
    ("Write to info@daknong.gov.vn or https://daknong.gov.vn/a.", "Write to info at daknong dot gov dot vn or."),
    # Vietnamese names stay as written (the Vietnamese voice reads them)
    ("Đắk Nông has 1 district.", "Đắk Nông has one district."),
]


@pytest.mark.parametrize(("written", "spoken"), CASES)
def test_english_normalization(written: str, spoken: str) -> None:
    assert normalize_en(written) == spoken
    assert normalize_en(spoken) == spoken  # normalizing twice changes nothing


def test_number_words() -> None:
    assert num.cardinal(0) == "zero" and num.cardinal(2024) == "two thousand twenty-four"
    assert num.cardinal(999_999_999_999_999).startswith("nine hundred ninety-nine trillion")
    assert num.ordinal(40) == "fortieth" and num.ordinal(1001) == "one thousand first"
    assert num.year(1900) == "nineteen hundred" and num.year(2010) == "twenty ten" and num.year(1905) == "nineteen oh five"
    assert num.numeral("1" * 16) == "one one one, one one one, one one one, one one one, one one one, one"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="0123456789,.-/%$ VNDkmh", max_size=60))
def test_any_digits_and_symbols_leave_no_digit_and_never_fail(text: str) -> None:
    spoken = normalize_en(text)
    assert not any(c.isdigit() for c in spoken), (text, spoken)


def test_a_5000_digit_run_is_read_in_groups() -> None:
    spoken = normalize_en("Code " + "7" * 5000 + ".")
    assert spoken.count(",") == 5000 // 3 and "seven seven seven" in spoken


def test_each_language_gets_its_own_pipeline() -> None:
    assert pipeline_for("vi") is DEFAULT_PIPELINE and pipeline_for("en") is PIPELINE and pipeline_for("en-GB") is PIPELINE
    assert pipeline_for("km") is PLAIN
    assert all(callable(step) for step in PIPELINE)
    assert speech_normalizer("vi") is normalize
    assert speech_normalizer("en")("VND 5,000") == "five thousand Vietnamese dong"
    assert speech_normalizer("km")("  សួស្តី\u200b  ពិភពលោក ") == "សួស្តី ពិភពលោក"
