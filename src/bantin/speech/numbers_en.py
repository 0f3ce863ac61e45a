"""English number words for speech: cardinals, ordinals, years and digit runs.

The same reading rules as the Vietnamese :mod:`bantin.speech.numbers`, in
English words (American usage, no "and" inside a number: "one hundred five"):

* "," groups thousands and "." is the decimal mark ("point", then each digit);
* a leading zero ("05") means the digits are read one by one;
* a run of more than :data:`~bantin.speech.numbers.MAX_NUMBER_DIGITS` (15)
  digits is an account number or a code, not an amount: it is read digit by
  digit in groups of three (or the writer's own comma groups), a comma between
  groups.  No digit string is ever turned into an ``int`` past 15 digits.
"""

from __future__ import annotations

import re
import unicodedata

from bantin.speech.numbers import DIGIT_GROUP, MAX_NUMBER_DIGITS

__all__ = ["cardinal", "digit_groups", "digits", "numeral", "ordinal", "year"]

_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand"))
_ORDINAL_ENDINGS = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}


def _below_thousand(n: int) -> str:
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        words.append(f"{_ONES[hundreds]} hundred")
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        words.append(_TENS[tens] + (f"-{_ONES[ones]}" if ones else ""))
    elif rest >= 10:
        words.append(_TEENS[rest - 10])
    elif rest or not hundreds:
        words.append(_ONES[rest])
    return " ".join(words)


def cardinal(n: int) -> str:
    """1234567 → "one million two hundred thirty-four thousand five hundred sixty-seven"; negatives get "minus".

    >>> cardinal(2024)
    'two thousand twenty-four'
    """
    if n < 0:
        return "minus " + cardinal(-n)
    if n >= 10**15:
        return digit_groups(str(n))
    words: list[str] = []
    for value, name in _SCALES:
        count, n = divmod(n, value)
        if count:
            words.append(f"{_below_thousand(count)} {name}")
    if n or not words:
        words.append(_below_thousand(n))
    return " ".join(words)


def ordinal(n: int) -> str:
    """21 → "twenty-first", 12 → "twelfth", 100 → "one hundredth".

    >>> ordinal(28)
    'twenty-eighth'
    """
    words = cardinal(n)
    head, sep, last = words.rpartition("-") if "-" in words.rsplit(" ", 1)[-1] else words.rpartition(" ")
    if last in _ORDINAL_ENDINGS:
        last = _ORDINAL_ENDINGS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return f"{head}{sep}{last}"


def year(n: int) -> str:
    """A year as it is said: 2024 → "twenty twenty-four", 2005 → "two thousand five", 1998 → "nineteen ninety-eight".

    >>> year(1900)
    'nineteen hundred'
    """
    if not 1000 <= n <= 9999 or 2000 <= n <= 2009:
        return cardinal(n)
    century, rest = divmod(n, 100)
    if rest == 0:
        return f"{cardinal(century)} hundred"
    return f"{cardinal(century)} {'oh ' + _ONES[rest] if rest < 10 else cardinal(rest)}"


def digits(text: str) -> str:
    """Each digit of ``text`` by name ("0261" → "zero two six one"); other characters are skipped."""
    return " ".join(_ONES[unicodedata.decimal(d)] for d in text if d.isdecimal())


def digit_groups(text: str, size: int = DIGIT_GROUP) -> str:
    """A long digit run one digit at a time, a comma after every ``size`` digits (groups count from the left)."""
    if size < 1:
        raise ValueError(f"digit_groups() needs a group size of at least 1, got {size}")
    run = "".join(d for d in text if d.isdecimal())
    return ", ".join(digits(run[start : start + size]) for start in range(0, len(run), size))


_GROUPED_RE = re.compile(r"\d{1,3}(?:,\d{3})+")


def _integer(text: str) -> str:
    if len(text) > MAX_NUMBER_DIGITS:
        return digit_groups(text)
    if len(text) > 1 and text.startswith("0"):
        return digits(text)
    return cardinal(int(text))


def numeral(integer: str, fraction: str | None = None) -> str:
    """Read "1,234,567" and "95.5"-style numerals of any length ("point" and each decimal digit).

    >>> numeral("1,234,567", "89")
    'one million two hundred thirty-four thousand five hundred sixty-seven point eight nine'
    """
    if "," in integer and _GROUPED_RE.fullmatch(integer):
        run = integer.replace(",", "")
        words = ", ".join(digits(g) for g in integer.split(",")) if len(run) > MAX_NUMBER_DIGITS else cardinal(int(run))
    else:
        words = _integer(integer.replace(",", ""))
    if fraction:
        words += " point " + (digit_groups(fraction) if len(fraction) > MAX_NUMBER_DIGITS else digits(fraction))
    return words
