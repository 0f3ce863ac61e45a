"""English text normalization for speech: what an English announcer reads.

An English variant is translated from a Vietnamese bulletin, so it mixes both
habits ("VND 5,000", "5.000 đồng", "28/6/2024", "95.5%").  :data:`PIPELINE`
is a tuple of plain ``str -> str`` steps, like the Vietnamese one in
:mod:`bantin.speech.normalize` (gTTS's ``pre_processors`` style); number words
live in :mod:`bantin.speech.numbers_en`.

Reading choices:

* currencies, as codes or symbols, before or after the amount, with an
  optional scale: "VND 5,000" and "5,000 đồng" → "five thousand Vietnamese
  dong"; "$1.2 million" → "one point two million US dollars"; "$5.50" →
  "five US dollars and fifty cents"; a code on its own ("the USD rate") is
  read as its name;
* units after a number, singular for one: km, kg, ha, m², %, °C …
  ("1 km" → "one kilometer", "-5°C" → "minus five degrees Celsius");
* dates: day first as Vietnamese bulletins write them ("28/6/2024", and
  "6/28/2024" when the second number cannot be a month), ISO "2024-06-28",
  and "June 28, 2024" / "28 June 2024" all become "June twenty-eighth, twenty
  twenty-four" (month names from CLDR through Babel); a year after "in",
  "since", "of" … is read as a year;
* times "14:30" / "14h30" → "fourteen thirty", "7:05" → "seven oh five", "8h" →
  "eight o'clock";
* numbers: "," groups thousands, "." is "point"; ordinals "21st" →
  "twenty-first"; ranges "15-20%" → "fifteen to twenty percent"; a digit run
  longer than 15 digits is read in groups of three digits, as in Vietnamese;
* phone numbers (0… or +84…, 10–11 digits) digit by digit, a comma between groups;
* URLs are dropped, e-mail addresses read with "at" and "dot";
* symbols: "&" → "and", dashes and brackets → a comma pause, quotes dropped.

Normalizing already-normalized text changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from babel.dates import get_month_names

from bantin.speech import numbers_en as num
from bantin.speech.normalize import _DOMAIN_RE, _EMAIL_RE, _URL_RE, _URL_TAIL_RE, Step, clean_text, tidy

__all__ = [
    "PIPELINE",
    "expand_abbreviations",
    "normalize_en",
    "read_currencies",
    "read_dates",
    "read_emails_drop_urls",
    "read_numbers",
    "read_ordinals",
    "read_phone_numbers",
    "read_ranges",
    "read_signs",
    "read_symbols",
    "read_times",
    "read_units",
    "read_years",
]

#: An amount as written: "1,234,567.89", "5.000.000" (Vietnamese thousands), "95.5", "5".
_AMOUNT = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}|\d+(?:\.\d+)?"
_SCALE = r"(?:thousand|million|billion|trillion)"
_BEFORE = r"(?<![\w.,])"
_AFTER = r"(?![\w])"

# ---------------------------------------------------------------------------
# Currencies
# ---------------------------------------------------------------------------

#: ISO 4217 codes and symbols bulletins use -> (singular, plural, minor unit or None).
CURRENCIES: dict[str, tuple[str, str, str | None]] = {
    "VND": ("Vietnamese dong", "Vietnamese dong", None),
    "USD": ("US dollar", "US dollars", "cent"),
    "EUR": ("euro", "euros", "cent"),
    "GBP": ("British pound", "British pounds", "penny"),
    "JPY": ("Japanese yen", "Japanese yen", None),
    "CNY": ("Chinese yuan", "Chinese yuan", None),
    "KHR": ("Cambodian riel", "Cambodian riels", None),
    "LAK": ("Lao kip", "Lao kip", None),
    "THB": ("Thai baht", "Thai baht", None),
}
#: Other ways to write them.
CURRENCY_ALIASES = {
    **dict.fromkeys(("VNĐ", "VNđ", "đồng", "dong", "đ", "₫"), "VND"),
    **{"US$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"},
}
_CODES = sorted([*CURRENCIES, *CURRENCY_ALIASES], key=len, reverse=True)
_CODE_ALT = "|".join(re.escape(c) for c in _CODES)
_SYMBOL_ALT = "|".join(re.escape(c) for c in _CODES if not c[-1].isalpha())
_WORD_CODE_ALT = "|".join(re.escape(c) for c in _CODES if c[-1].isalpha())
_CUR_BEFORE_RE = re.compile(rf"(?:(?P<sym>{_SYMBOL_ALT})|(?<![\w])(?P<code>{_WORD_CODE_ALT})\s?)\s?(?P<num>{_AMOUNT})(?P<scale>\s+{_SCALE}{_AFTER})?(?![\d])")
_CUR_AFTER_RE = re.compile(rf"{_BEFORE}(?P<num>{_AMOUNT})(?P<scale>\s+{_SCALE})?\s?(?P<code>{_WORD_CODE_ALT}|₫){_AFTER}")
_CUR_ALONE_RE = re.compile(rf"(?<![\w])(?P<code>{'|'.join(re.escape(c) for c in _CODES if c.isupper() and len(c) == 3)}){_AFTER}")


def _currency(code: str) -> tuple[str, str, str | None]:
    return CURRENCIES[CURRENCY_ALIASES.get(code, code)]


def _amount(number: str, scale: str | None, code: str) -> str:
    """An amount and its currency: "5,000" + "VND" → "5,000 Vietnamese dong"; "5.50" + "$" → "5 US dollars and 50 cents"."""
    singular, plural, minor = _currency(code)
    if singular == "Vietnamese dong" and re.fullmatch(r"\d{1,3}(?:\.\d{3})+", number):
        number = number.replace(".", ",")  # "5.000 đồng": the dong has no decimals, the dot groups thousands
    scale = f" {scale.strip()}" if scale else ""
    whole, _, cents = number.partition(".") if "," in number or number.count(".") <= 1 else (number, "", "")
    if minor and not scale and len(cents) == 2:
        name = singular if whole == "1" else plural
        if int(cents) == 0:
            return f"{whole} {name}"
        minors = {"cent": "cents", "penny": "pence"}[minor] if cents != "01" else minor
        return f"{whole} {name} and {int(cents)} {minors}"
    return f"{number}{scale} {singular if number == '1' and not scale else plural}"


def read_currencies(text: str) -> str:
    """Currency codes and symbols around amounts, and codes on their own, as words ("VND 5,000" → "5,000 Vietnamese dong")."""
    text = _CUR_BEFORE_RE.sub(lambda m: _amount(m.group("num"), m.group("scale"), m.group("sym") or m.group("code")), text)
    text = _CUR_AFTER_RE.sub(lambda m: _amount(m.group("num"), m.group("scale"), m.group("code")), text)
    return _CUR_ALONE_RE.sub(lambda m: _currency(m.group("code"))[0], text)


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------

#: Units after a number -> (singular, plural).
UNITS: dict[str, tuple[str, str]] = {
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "km²": ("square kilometer", "square kilometers"),
    "km2": ("square kilometer", "square kilometers"),
    "m²": ("square meter", "square meters"),
    "m2": ("square meter", "square meters"),
    "m³": ("cubic meter", "cubic meters"),
    "m3": ("cubic meter", "cubic meters"),
    "km": ("kilometer", "kilometers"),
    "kg": ("kilogram", "kilograms"),
    "ha": ("hectare", "hectares"),
    "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"),
    "m": ("meter", "meters"),
    "g": ("gram", "grams"),
    "t": ("tonne", "tonnes"),
    "l": ("liter", "liters"),
    "ml": ("milliliter", "milliliters"),
    "kW": ("kilowatt", "kilowatts"),
    "kWh": ("kilowatt hour", "kilowatt hours"),
    "MW": ("megawatt", "megawatts"),
    "°C": ("degree Celsius", "degrees Celsius"),
    "ºC": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"),
    "%": ("percent", "percent"),
}
_UNIT_RE = re.compile(
    rf"{_BEFORE}(?P<num>{_AMOUNT})(?P<scale>\s+{_SCALE})?\s?(?P<unit>{'|'.join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))})(?![\w²³])"
)


def read_units(text: str) -> str:
    """Units after amounts as words, singular for exactly one ("1 km" → "1 kilometer", "95.5%" → "95.5 percent")."""

    def unit(match: re.Match[str]) -> str:
        singular, plural = UNITS[match.group("unit")]
        one = match.group("num") == "1" and not match.group("scale")
        return f"{match.group('num')}{match.group('scale') or ''} {singular if one else plural}"

    return _UNIT_RE.sub(unit, text)


# ---------------------------------------------------------------------------
# Dates, years and times
# ---------------------------------------------------------------------------

_MONTHS = {n: str(name) for n, name in get_month_names("wide", locale="en").items()}
_MONTH_ALT = "|".join([*(_MONTHS[n] for n in range(1, 13)), *(_MONTHS[n][:3] + r"\.?" for n in range(1, 13) if n != 5)])
_MONTH_NUMBER = {name.lower()[:3]: n for n, name in _MONTHS.items()}
_NUMERIC_DATE_RE = re.compile(r"(?<![\w/.,-])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{4}))?(?![\w/]|[.,]\d)")
_ISO_DATE_RE = re.compile(r"(?<![\w/.-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\w-])")
_MONTH_DAY_RE = re.compile(rf"\b(?P<month>{_MONTH_ALT})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}})\b)?")
_DAY_MONTH_RE = re.compile(rf"(?<![\w.,])(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH_ALT})\b(?:,?\s+(?P<y>\d{{4}})\b)?")
_YEAR_RE = re.compile(
    rf"\b(?P<w>(?i:in|since|of|year|from|to|until|by|before|after|through|and|early|late|mid)|{_MONTH_ALT})\s+(?P<y>1[89]\d\d|20\d\d)(?!\w|[.,]\d)"
)


def _valid(day: int, month: int, year: int | None) -> bool:
    try:
        date(year or 2024, month, day)  # 2024: a leap year, so 29/2 without a year is a date
    except ValueError:
        return False
    return True


def _spoken_date(day: int, month: int, year: str | None) -> str:
    said = f"{_MONTHS[month]} {num.ordinal(day)}"
    return f"{said}, {num.year(int(year))}" if year else said


def read_dates(text: str) -> str:
    """Dates in words: "28/6/2024", "2024-06-28", "June 28, 2024", "28 June 2024" → "June twenty-eighth, twenty twenty-four"."""

    def iso(match: re.Match[str]) -> str:
        y, m, d = int(match.group("y")), int(match.group("m")), int(match.group("d"))
        return _spoken_date(d, m, match.group("y")) if _valid(d, m, y) else match.group(0)

    def numeric(match: re.Match[str]) -> str:
        a, b, y = int(match.group("a")), int(match.group("b")), match.group("y")
        year = int(y) if y else None
        if _valid(a, b, year):  # day first, as the Vietnamese source writes it
            return _spoken_date(a, b, y)
        if y and _valid(b, a, year):  # 6/28/2024: the second number cannot be a month
            return _spoken_date(b, a, y)
        return match.group(0)

    def named(match: re.Match[str]) -> str:
        month = _MONTH_NUMBER[match.group("month").lower()[:3]]
        day = int(match.group("d"))
        return _spoken_date(day, month, match.group("y")) if _valid(day, month, None) else match.group(0)

    text = _ISO_DATE_RE.sub(iso, text)
    text = _NUMERIC_DATE_RE.sub(numeric, text)
    text = _MONTH_DAY_RE.sub(named, text)
    return _DAY_MONTH_RE.sub(named, text)


def read_years(text: str) -> str:
    """A year after "in", "since", "of", a month name … as a year: "in 2024" → "in twenty twenty-four"."""
    return _YEAR_RE.sub(lambda m: f"{m.group('w')} {num.year(int(m.group('y')))}", text)


_TIME_RE = re.compile(r"(?<![\w.,/:])(?P<h>[01]?\d|2[0-3])(?:(?P<sep>[:hH])(?P<m>[0-5]\d)|[hH])(?![\w:]|[.,]\d)")


def read_times(text: str) -> str:
    """Clock times: "14:30" / "14h30" → "fourteen thirty", "7:05" → "seven oh five", "8h" / "8:00" → "eight o'clock"."""

    def clock(match: re.Match[str]) -> str:
        hour, minute = int(match.group("h")), int(match.group("m") or 0)
        if minute == 0:
            return f"{num.cardinal(hour)} o'clock"
        return f"{num.cardinal(hour)} {'oh ' + num.cardinal(minute) if minute < 10 else num.cardinal(minute)}"

    return _TIME_RE.sub(clock, text)


# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------

_PHONE_RE = re.compile(r"(?<![\w.,+/])(?P<intl>\+84[ .-]?)?(?P<body>0?\d{2,4}(?:[ .-]\d{3,4}){1,3})(?![\w]|[.,]\d)")


def read_phone_numbers(text: str) -> str:
    """Vietnamese phone numbers (0… or +84…, 10–11 digits) digit by digit, a comma between the written groups."""

    def phone(match: re.Match[str]) -> str:
        body = match.group("body")
        run = re.sub(r"\D", "", body)
        if not (match.group("intl") or (body.startswith("0") and 10 <= len(run) <= 11)):
            return match.group(0)
        lead = "plus eight four, " if match.group("intl") else ""
        return lead + ", ".join(num.digits(g) for g in re.split(r"[ .-]", body))

    return _PHONE_RE.sub(phone, text)


_RANGE_RE = re.compile(rf"{_BEFORE}(?P<a>{_AMOUNT})(?P<unit>\s*%)?\s*[-–—]\s*(?P<b>{_AMOUNT}){_AFTER}")


def read_ranges(text: str) -> str:
    """Ranges of numbers: "15-20%" → "15 to 20%", "2023–2025" → "2023 to 2025"."""
    return _RANGE_RE.sub(lambda m: f"{m.group('a')} to {m.group('b')}", text)


_ORDINAL_RE = re.compile(r"(?<![\w.,])(?P<n>\d{1,15})(?:st|nd|rd|th)\b")


def read_ordinals(text: str) -> str:
    """Ordinals in words: "1st", "22nd", "28th" → "first", "twenty-second", "twenty-eighth"."""
    return _ORDINAL_RE.sub(lambda m: num.ordinal(int(m.group("n"))), text)


_SIGN_RE = re.compile(r"(?:^|(?<=[\s(\[;:]))(?P<sign>[-−+])(?=\d)", re.MULTILINE)


def read_signs(text: str) -> str:
    """A sign before a number: "-5" → "minus 5", "+3.5" → "plus 3.5"."""
    return _SIGN_RE.sub(lambda m: "plus " if m.group("sign") == "+" else "minus ", text)


_NUMBER_RE = re.compile(r"(?<![\d.,])(?P<int>\d{1,3}(?:,\d{3})+|\d{1,3}(?:\.\d{3}){2,}(?!\.\d)|\d+)(?:\.(?P<frac>\d+))?")


def read_numbers(text: str) -> str:
    """Every remaining numeral in words ("1,234,567.89", "95.5", a 30-digit run in groups of three)."""

    def number(match: re.Match[str]) -> str:
        integer = match.group("int")
        if integer.count(".") >= 2:  # "5.000.000": Vietnamese thousands left in the translation
            integer = integer.replace(".", ",")
        spoken = num.numeral(integer, match.group("frac"))
        before = match.string[match.start() - 1] if match.start() else " "
        after = match.string[match.end()] if match.end() < len(match.string) else " "
        return f"{' ' if before.isalnum() else ''}{spoken}{' ' if after.isalnum() else ''}"

    text = _NUMBER_RE.sub(number, text)
    return re.sub(r"\d+", lambda m: f" {num.numeral(m.group(0))} ", text)


# ---------------------------------------------------------------------------
# Words and symbols
# ---------------------------------------------------------------------------

#: Abbreviations read as words (case-sensitive, whole word).
ABBREVIATIONS = {
    "No.": "number",
    "Nos.": "numbers",
    "Mr.": "Mister",
    "Mrs.": "Missus",
    "Dr.": "Doctor",
    "approx.": "approximately",
    "etc.": "et cetera",
    "e.g.": "for example",
    "i.e.": "that is",
    "vs.": "versus",
    "Q1": "the first quarter",
    "Q2": "the second quarter",
    "Q3": "the third quarter",
    "Q4": "the fourth quarter",
}
_ABBREVIATION_RE = re.compile(rf"(?<![\w.])(?P<abbr>{'|'.join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True))})(?!\w)")


def expand_abbreviations(text: str) -> str:
    """Common written abbreviations as words ("No. 5" → "number 5"); a sentence-final one keeps its full stop."""

    def expand(match: re.Match[str]) -> str:
        key = match.group("abbr")
        spoken = ABBREVIATIONS[key]
        ends = re.match(r"[ \t]*(?:\n|$)", text[match.end() :])
        return spoken + ("." if key.endswith(".") and ends else "")

    return _ABBREVIATION_RE.sub(expand, text)


def read_emails_drop_urls(text: str) -> str:
    """Drop web addresses (a listener cannot click them); read e-mail addresses and bare domains with "at" and "dot"."""

    def address(part: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"[._+-]", lambda m: {".": " dot ", "_": " underscore ", "-": " dash ", "+": " plus "}[m.group(0)], part)).strip()

    def url(match: re.Match[str]) -> str:
        tail = _URL_TAIL_RE.search(match.group(0))
        return tail.group(0) if tail else ""

    text = _URL_RE.sub(url, text)
    text = _EMAIL_RE.sub(lambda m: f"{address(m.group(1))} at {address(m.group(2))}", text)
    return _DOMAIN_RE.sub(lambda m: address(m.group(1)), text)


_SPACED_DASH_RE = re.compile(r"(?<!\s)\s+[-–—]+\s+|[–—]+")
_QUOTES_RE = re.compile(r"[“”„‟«»\"‘]|[’'](?![^\W\d_])|(?<![^\W\d_])[’']")
_BRACKETS_RE = re.compile(r"[()\[\]{}]")
_ELLIPSIS_RE = re.compile(r"…|\.{2,}")
_NOISE_RE = re.compile(r"[*•#|_~^`/\\]")


def read_symbols(text: str) -> str:
    """Symbols as speech: "&" → "and", "+" → "plus", dashes and brackets → a comma pause, quotes dropped, "…" → "."."""
    text = re.sub(r"(?m)^[ \t]*[-–—•*+][ \t]+", "", text)
    text = _SPACED_DASH_RE.sub(", ", text)
    text = _QUOTES_RE.sub(" ", text)
    text = _BRACKETS_RE.sub(", ", text)
    text = text.replace("&", " and ").replace("+", " plus ").replace("°", " degrees ").replace("%", " percent ").replace("@", " at ")
    text = _ELLIPSIS_RE.sub(". ", text)
    return _NOISE_RE.sub(" ", text)


# ---------------------------------------------------------------------------
# The pipeline
# ---------------------------------------------------------------------------

PIPELINE: tuple[Step, ...] = (
    clean_text,
    read_emails_drop_urls,
    read_phone_numbers,
    read_dates,
    read_times,
    read_currencies,
    read_ranges,
    read_years,
    read_signs,
    read_units,
    expand_abbreviations,
    read_ordinals,
    read_numbers,
    read_symbols,
    tidy,
)
"""The steps :func:`normalize_en` runs, in order; each is ``str -> str``."""


def normalize_en(text: str, pipeline: Sequence[Step] = PIPELINE) -> str:
    """Turn written English into the words an announcer reads (see the module docstring)."""
    if not isinstance(text, str):
        raise TypeError(f"normalize_en() needs a str, got {type(text).__name__}")
    for step in pipeline:
        text = step(text)
    return text
