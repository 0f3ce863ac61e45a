"""Vietnamese number words, as a provincial radio announcer reads them.

* "." groups thousands, "," is the decimal mark ("phẩy"); a dotted number that
  is not a thousands group ("4.0") is read with "chấm";
* 4 after "mươi" is "tư" (24 → "hai mươi tư"), 1 after "mươi" is "mốt",
  5 after "mười/mươi" is "lăm", a zero tens digit is "lẻ" (105 → "một trăm lẻ
  năm"), scales are "nghìn, triệu, tỷ";
* a leading zero ("05") means the digits are read one by one;
* a run of more than :data:`MAX_NUMBER_DIGITS` (15) digits is no amount a
  listener can take in as a number (15 digits reach "trăm nghìn tỷ", the
  largest amount bulletins write in digits; longer runs are account numbers,
  codes or typing accidents): it is read digit by digit in groups of three
  (or the writer's own dot groups) with a comma, a short pause, between
  groups, the way a phone number is read.  A 5,000-digit run is never
  turned into a Python ``int`` (CPython refuses more than 4,300 digits).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "DIGIT_GROUP",
    "MAX_NUMBER_DIGITS",
    "month_words",
    "ordinal_words",
    "read_digit_groups",
    "read_digits",
    "read_number",
    "read_numeral",
]


_DIGIT_WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_BILLION = 10**9
#: Longest digit run read as one number (999.999.999.999.999: "chín trăm chín mươi chín nghìn … tỷ").
MAX_NUMBER_DIGITS = 15
#: Digits per spoken group when a longer run is read digit by digit.
DIGIT_GROUP = 3


def read_digits(digits: str) -> str:
    """Read a string of digits one by one ("0261" → "không hai sáu một"); other characters are skipped.

    Any decimal digit counts (what ``\\d`` matches: "٣" and "３" as well as "3").
    """
    return " ".join(_DIGIT_WORDS[unicodedata.decimal(d)] for d in digits if d.isdecimal())


def read_digit_groups(digits: str, size: int = DIGIT_GROUP) -> str:
    """Read a long digit run one digit at a time, a comma after every ``size`` digits.

    "1234567" → "một hai ba, bốn năm sáu, bảy".  Groups count from the left,
    as the run is read (an account number or code, not an amount).
    """
    if size < 1:
        raise ValueError(f"read_digit_groups() needs a group size of at least 1, got {size}")
    return ", ".join(read_digits(digits[start : start + size]) for start in range(0, len(digits), size))


def _read_triplet(n: int, full: bool) -> list[str]:
    """Words for 0 < n < 1000; ``full`` means a higher group was spoken (say "không trăm", "lẻ")."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    spoke_hundreds = bool(hundreds) or full
    if spoke_hundreds:
        words += [_DIGIT_WORDS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if spoke_hundreds:
                words.append("lẻ")
            words.append(_DIGIT_WORDS[units])
    elif tens == 1:
        words.append("mười")
        if units == 5:
            words.append("lăm")
        elif units:
            words.append(_DIGIT_WORDS[units])
    else:
        words += [_DIGIT_WORDS[tens], "mươi"]
        if units:
            words.append({1: "mốt", 4: "tư", 5: "lăm"}.get(units, _DIGIT_WORDS[units]))
    return words


def _read_below_billion(n: int, full: bool) -> list[str]:
    """Words for 0 < n < 10**9; zero groups are skipped ("một triệu", not "… không nghìn")."""
    millions, rest = divmod(n, 10**6)
    thousands, units = divmod(rest, 1000)
    words: list[str] = []
    lead = full
    for value, scale in ((millions, "triệu"), (thousands, "nghìn"), (units, "")):
        if value:
            words += _read_triplet(value, lead)
            if scale:
                words.append(scale)
            lead = True
    return words


def read_number(n: int) -> str:
    """Read a non-negative integer as a Vietnamese announcer does (2024 → "hai nghìn không trăm hai mươi tư")."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"read_number() needs an int, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"read_number() reads non-negative numbers, got {n}")
    if n == 0:
        return "không"
    if n >= _BILLION:
        high, low = divmod(n, _BILLION)
        words = [read_number(high), "tỷ"]
        if low:
            words += _read_below_billion(low, full=True)
        return " ".join(words)
    return " ".join(_read_below_billion(n, full=False))


def _read_int_text(digits: str) -> str:
    """Read a digit string; a leading zero (e.g. "05") means digit by digit, a long run in groups."""
    if len(digits) > MAX_NUMBER_DIGITS:
        return read_digit_groups(digits)
    if len(digits) > 1 and digits.startswith("0"):
        return read_digits(digits)
    return read_number(int(digits))


def _read_fraction(digits: str) -> str:
    """Read the part after the decimal comma: leading zeros one by one, then up to 3 digits as a number.

    Four digits or more are read one by one; past :data:`MAX_NUMBER_DIGITS` in
    groups of three, so a thousand decimals come with pauses.
    """
    if len(digits) > MAX_NUMBER_DIGITS:
        return read_digit_groups(digits)
    stripped = digits.lstrip("0")
    zeros = ["không"] * (len(digits) - len(stripped))
    if not stripped:
        return " ".join(zeros)
    rest = read_number(int(stripped)) if len(stripped) <= 3 else read_digits(stripped)
    return " ".join([*zeros, rest])


_THOUSANDS_RE = re.compile(r"\d{1,3}(?:\.\d{3})+")


def read_numeral(integer: str, fraction: str | None = None) -> str:
    """Read "3.250", "1,2", "4.0"-style numerals (integer part may carry dots), of any length."""
    if "." in integer:
        if _THOUSANDS_RE.fullmatch(integer):
            digits = integer.replace(".", "")
            long_run = len(digits) > MAX_NUMBER_DIGITS  # then the writer's groups, digit by digit
            words = ", ".join(read_digits(group) for group in integer.split(".")) if long_run else read_number(int(digits))
        else:
            words = " chấm ".join(_read_int_text(part) for part in integer.split("."))
    else:
        words = _read_int_text(integer)
    if fraction:
        words += " phẩy " + _read_fraction(fraction)
    return words


def month_words(month: int) -> str:
    """Month names as announcers say them: "tư" for April, otherwise the plain number."""
    return "tư" if month == 4 else read_number(month)


def ordinal_words(n: int) -> str:
    """Ordinal after "thứ": 1 → "nhất", 4 → "tư", otherwise the plain number."""
    return {1: "nhất", 4: "tư"}.get(n) or read_number(n)
