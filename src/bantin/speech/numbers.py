"""Vietnamese number words, as a provincial radio announcer reads them.

* "." groups thousands, "," is the decimal mark ("phẩy"); a dotted number that
  is not a thousands group ("4.0") is read with "chấm";
* 4 after "mươi" is "tư" (24 → "hai mươi tư"), 1 after "mươi" is "mốt",
  5 after "mười/mươi" is "lăm", a zero tens digit is "lẻ" (105 → "một trăm lẻ
  năm"), scales are "nghìn, triệu, tỷ";
* a leading zero ("05") means the digits are read one by one.
"""

from __future__ import annotations

import re

__all__ = ["month_words", "ordinal_words", "read_digits", "read_number", "read_numeral"]


_DIGIT_WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_BILLION = 10**9


def read_digits(digits: str) -> str:
    """Read a string of digits one by one ("0261" → "không hai sáu một")."""
    return " ".join(_DIGIT_WORDS[int(d)] for d in digits if d.isdigit())


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
    """Read a digit string; a leading zero (e.g. "05") means it is read digit by digit."""
    if len(digits) > 1 and digits.startswith("0"):
        return read_digits(digits)
    return read_number(int(digits))


def _read_fraction(digits: str) -> str:
    """Read the part after the decimal comma: leading zeros one by one, then up to 3 digits as a number."""
    stripped = digits.lstrip("0")
    zeros = ["không"] * (len(digits) - len(stripped))
    if not stripped:
        return " ".join(zeros)
    rest = read_number(int(stripped)) if len(stripped) <= 3 else read_digits(stripped)
    return " ".join([*zeros, rest])


_THOUSANDS_RE = re.compile(r"\d{1,3}(?:\.\d{3})+")


def read_numeral(integer: str, fraction: str | None = None) -> str:
    """Read "3.250", "1,2", "4.0"-style numerals (integer part may carry dots)."""
    if "." in integer:
        if _THOUSANDS_RE.fullmatch(integer):
            words = read_number(int(integer.replace(".", "")))
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
