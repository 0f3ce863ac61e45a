"""Vietnamese text normalization for speech: what an announcer (or a TTS engine) reads.

A bulletin is written for the eye ("Sáng 28/6/2024, HĐND huyện ... 95,5%"); a
loudspeaker reading needs every number, date, abbreviation and symbol spelled
out the way a Vietnamese radio announcer says it.  ``normalize`` runs the text
through a pipeline of plain ``str -> str`` steps (the style of gTTS's
``gtts/tokenizer/pre_processors.py``); :func:`bantin.speech.chunking.chunk`
then cuts the result into pieces no longer than an engine's limit (gTTS: 100
characters).  Number words live in :mod:`bantin.speech.numbers`, the editable
lexicon in :mod:`bantin.speech.lexicon`.

Reading choices (used consistently everywhere):

* numbers: "." groups thousands, "," is the decimal mark ("phẩy");
  4 after "mươi" is "tư" (24 → "hai mươi tư", 2024 → "hai nghìn không trăm
  hai mươi tư"), 1 after "mươi" is "mốt", 5 after "mười/mươi" is "lăm", a
  zero tens digit is "lẻ" (105 → "một trăm lẻ năm"), scales "nghìn, triệu, tỷ";
  a dotted number that is not a thousands group ("4.0") is read with "chấm";
* dates: a full date always starts with "ngày" (never doubled); day/month
  without a year reads "D tháng M"; month 4 is "tư", month 1 is "một";
  a d/m pair that is not a valid date, or that is followed by a count noun
  from the lexicon ("6/6 xã"), is a ratio read with "trên";
* times: "14h30" → "mười bốn giờ ba mươi"; minutes below ten take "lẻ"
  ("7h05" → "bảy giờ lẻ năm") unless "phút" follows ("7 giờ 05 phút" →
  "bảy giờ năm phút");
* signs: "-5°C" → "âm năm độ C", "+3,5%" → "cộng ba phẩy năm phần trăm";
* fractions of a whole (a < b ≤ 10, with "số/diện tích/…" after or
  "chiếm/hơn/khoảng/…" before): "2/3 số hộ" → "hai phần ba số hộ", "1/2" →
  "một nửa"; dates and count ratios ("6/6 xã") keep their readings;
* document numbers: "1234/QĐ-UBND" → "một nghìn hai trăm ba mươi tư quyết định
  ủy ban nhân dân" (separators silent, codes from ``document_codes``);
* scores after a sports word: "tỷ số 2-1" → "tỷ số hai một";
* phone numbers (0… or +84…, 10–11 digits; 1800/1900 service lines) are
  read digit by digit ("4" is "bốn" there), a comma between the written groups;
* a digit run longer than 15 digits (``numbers.MAX_NUMBER_DIGITS``: an account
  number, a code, a pasted ID) is read digit by digit in groups of three (or
  the writer's dot groups), a comma between groups; so are more than 15
  decimals.  No digit string, however long, makes the normalizer fail;
* URLs (http://, https://, www.) are dropped; an e-mail address is read as
  "<local> a còng <domain parts joined by chấm>"; a bare domain such as
  ``daknong.gov.vn`` is read "daknong chấm gov chấm vn";
* abbreviations, units, currencies, count nouns, Roman-numeral keywords and
  letter names come from the editable lexicon ``locales/vi/lexicon.yaml`` (:mod:`bantin.speech.lexicon`);
  an unknown ALL-CAPS token of 2–5 letters that is not a Vietnamese syllable
  and not a Roman numeral is spelled with Vietnamese letter names;
* punctuation the engine uses for prosody (. , ; : ? !) is kept; dashes
  between clauses and parentheses become a comma pause, quotes are dropped,
  "…" ends a sentence; names with apostrophes ("K’Thanh", "N'Jang") stay.

The output is NFC with whitespace collapsed to single spaces; lines are joined
into one text (a line without closing punctuation gets a ".").  Normalizing
already-normalized text changes nothing.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import cast

from bantin.speech.lexicon import LETTER_AFTER, LETTER_BEFORE, Lexicon, resolve_lexicon
from bantin.speech.numbers import MAX_NUMBER_DIGITS, month_words, ordinal_words, read_digits, read_number, read_numeral

__all__ = [
    "DEFAULT_PIPELINE",
    "LEXICON_STEPS",
    "Step",
    "bind_lexicon",
    "clean_text",
    "drop_urls_and_read_emails",
    "expand_abbreviations",
    "normalize",
    "read_currencies_and_units",
    "read_dates",
    "read_document_numbers",
    "read_fractions",
    "read_numbers",
    "read_ordinals",
    "read_phone_numbers",
    "read_ranges_and_math",
    "read_ratios_and_slashes",
    "read_roman_numerals",
    "read_scores",
    "read_signed_numbers",
    "read_symbols",
    "read_times",
    "spell_acronyms",
    "tidy",
]

Step = Callable[[str], str]
"""One pipeline step: takes text, returns text."""


# ---------------------------------------------------------------------------
# Pipeline steps (each str -> str; lexicon steps take an optional lexicon)
# ---------------------------------------------------------------------------


_ZERO_WIDTH_RE = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
_SPACES_RE = re.compile(r"[^\S\n]+")


def clean_text(text: str) -> str:
    """NFC, one kind of newline, drop zero-width characters, any horizontal space → one space."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH_RE.sub("", text)
    return _SPACES_RE.sub(" ", text)


_TLD = r"(?:vn|com|net|org|gov|edu|info|int)"
_URL_RE = re.compile(rf"(?:\bhttps?://|(?<![\w.@])www\.)\S+|(?<![\w@./-])(?:[a-z0-9-]+\.)+{_TLD}/\S*", re.IGNORECASE)
_URL_TAIL_RE = re.compile(r"[.,;:!?)\]”\"'’]+$")
_EMAIL_RE = re.compile(r"(?<![\w.+-])([A-Za-z0-9][A-Za-z0-9._+-]*)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_DOMAIN_RE = re.compile(rf"(?<![\w@.-])((?:[a-z0-9-]+\.)+{_TLD})(?![\w-]|\.[a-z0-9])")
_ADDRESS_PART_RE = re.compile(r"[A-Za-z]+|\d|[._+-]")
_ADDRESS_SYMBOLS = {".": "chấm", "_": "gạch dưới", "-": "gạch ngang", "+": "cộng"}


def _read_address(text: str) -> str:
    """Read an e-mail/domain part: letters as written, digits one by one, separators by name."""
    words = []
    for piece in _ADDRESS_PART_RE.findall(text):
        if piece.isdigit():
            words.append(read_digits(piece))
        else:
            words.append(_ADDRESS_SYMBOLS.get(piece, piece))
    return " ".join(words)


def drop_urls_and_read_emails(text: str) -> str:
    """Drop http(s)/www URLs; read e-mail addresses and bare domains ("a còng", "chấm")."""

    def url(match: re.Match[str]) -> str:
        tail = _URL_TAIL_RE.search(match.group(0))
        return tail.group(0) if tail else ""

    text = _URL_RE.sub(url, text)
    text = _EMAIL_RE.sub(lambda m: f"{_read_address(m.group(1))} a còng {_read_address(m.group(2).lower())}", text)
    return _DOMAIN_RE.sub(lambda m: _read_address(m.group(1)), text)


_PHONE_RE = re.compile(r"(?<![\w.,+/])(?P<intl>\+84[ .-]?)?(?P<body>\d{2,}(?:[ .-]\d{2,})*)")
_GROUP_RE = re.compile(r"\d+")
_SERVICE_RE = re.compile(r"(?<![\w.,+/])1[89]00[ .]?(?:\d{4}|\d{3}[ .]?\d{3})(?!\w|[.,]\d)")


def _phone_groups(digits: str) -> list[str]:
    """Split an unbroken national number into the groups announcers pause at (4-3-3 or 4-4-3)."""
    if len(digits) == 10:
        return [digits[:4], digits[4:7], digits[7:]]
    return [digits[:4], digits[4:8], digits[8:]]


def read_phone_numbers(text: str) -> str:
    """Read phone numbers (10–11 digits from 0, +84…, 1800/1900 lines) digit by digit, a comma between groups."""

    def phone(match: re.Match[str]) -> str:
        intl = match.group("intl")
        body = match.group("body")
        if not intl and not body.startswith("0"):
            return match.group(0)
        offset = 1 if intl else 0  # +84 replaces the leading 0
        groups = list(_GROUP_RE.finditer(body))
        total = 0
        end = None
        for index, group in enumerate(groups):
            total += len(group.group(0))
            if 10 <= total + offset <= 11:
                end = index  # keep the longest prefix that is a whole number
            if total + offset > 11:
                break
        if end is None:
            return match.group(0)
        kept = [g.group(0) for g in groups[: end + 1]]
        if len(kept) == 1:
            kept = _phone_groups(kept[0]) if not intl else [kept[0][:3], kept[0][3:6], kept[0][6:]]
        spoken = ", ".join(read_digits(g) for g in kept)
        if intl:
            spoken = "cộng tám bốn, " + spoken
        rest = body[groups[end].end() :]
        return spoken + rest

    text = _SERVICE_RE.sub(lambda m: ", ".join(read_digits(g) for g in _GROUP_RE.findall(m.group(0))), text)
    return _PHONE_RE.sub(phone, text)


_DOC_CODE = r"[A-ZĐ][A-Za-zĐđ]*\d*"
_DOC_NUMBER_RE = re.compile(
    rf"(?<![\w/.,-])(?P<num>\d{{1,5}})(?:/(?P<year>(?:19|20)\d{{2}}))?[/-]"
    rf"(?P<codes>{_DOC_CODE}(?:[/-]{_DOC_CODE})*){LETTER_AFTER}(?![\d/-])"
)
_DOC_PART_RE = re.compile(_DOC_CODE)


def read_document_numbers(text: str, lexicon: Lexicon | None = None) -> str:
    """Read document numbers: "1234/QĐ-UBND" → "một nghìn hai trăm ba mươi tư quyết định ủy ban nhân dân".

    The broadcast convention: the number as a number (a leading zero digit by
    digit, "05" → "không năm"), a year part as "năm …", the "/" and "-" not
    read, each letter code in full from the lexicon's ``document_codes`` (then
    ``abbreviations``), an unknown code spelled with the letter names.
    """
    lex = resolve_lexicon(lexicon)

    def code(part: str) -> str:
        letters = part.rstrip("0123456789")
        digits = part[len(letters) :]
        spoken = lex.document_codes.get(letters) or lex.abbreviations.get(letters)
        if spoken is None:
            spoken = " ".join(lex.letter_names.get(c, c) for c in letters.upper())
        return f"{spoken} {read_numeral(digits)}" if digits else spoken  # "QH15": Quốc hội khóa 15

    def document(match: re.Match[str]) -> str:
        words = [read_numeral(match.group("num"))]
        if match.group("year"):
            words.append(f"năm {read_number(int(match.group('year')))}")
        words += [code(part) for part in _DOC_PART_RE.findall(match.group("codes"))]
        return " ".join(words)

    return _DOC_NUMBER_RE.sub(document, text)


_SCORE_WORDS = "tỷ số|tỉ số|thắng|thua|hòa|hoà|cầm hòa|cầm hoà|gỡ hòa|gỡ hoà|dẫn|dẫn trước|chung cuộc|cách biệt|đánh bại|vượt qua|hạ|luân lưu|hiệp một|hiệp hai"
_AFTER_SCORE = (
    "trước|trên|sau|nghiêng|ở|tại|trong|và|để|khi|với|qua|nhờ|ngay|của|cho|thuộc|nhưng|rồi|giành|lên|xuống|đến|vào|giữa|là|thì|bằng|khép lại|kết thúc"
)
_SCORE_RE = re.compile(
    rf"{LETTER_BEFORE}(?P<lead>(?i:{_SCORE_WORDS})(?:\s+[^\W\d_]+){{0,4}}?)\s+"
    r"(?<![\w.,/-])(?P<a>\d{1,2})\s*[-–:]\s*(?P<b>\d{1,2})(?![\w/%°]|[.,:-]\d)"
    rf"(?=\s*(?:$|[^\w\s]|(?i:{_AFTER_SCORE}){LETTER_AFTER}))"
)


def read_scores(text: str) -> str:
    """Read match scores after a sports word: "tỷ số 2-1" → "tỷ số hai một", "hòa 1-1" → "hòa một một".

    Commentators say the two numbers one after the other (the dash is a short
    breath, not "đến").  A score ends the clause or is followed by a linking
    word ("trước", "trên sân nhà", …); a noun after it ("hòa giải 12-15 vụ")
    makes it a range, read later.  A first number of ten or more gets a comma so "10-1"
    is not heard as "mười một".
    """

    def score(match: re.Match[str]) -> str:
        a, b = int(match.group("a")), int(match.group("b"))
        joint = ", " if a >= 10 else " "
        return f"{match.group('lead')} {read_number(a)}{joint}{read_number(b)}"

    return _SCORE_RE.sub(score, text)


_SIGN_RE = re.compile(r"(?:^|(?<=[\s(\[;:]))(?P<sign>[-−+])(?=\d)", re.MULTILINE)
_SIGN_WORDS = {word: re.compile(rf"{LETTER_BEFORE}(?i:{word})$") for word in ("cộng", "âm")}


def read_signed_numbers(text: str) -> str:
    """Read a sign in front of a number: "-5°C" → "âm 5°C", "+3,5%" → "cộng 3,5%".

    Only a sign that starts a token counts, and not after a number ("15 -20"
    stays a range); phone numbers (+84) are read before this step.
    """

    def sign(match: re.Match[str]) -> str:
        # Look back past the spaces only (a search from the start of the text for every sign is quadratic).
        start = match.start()
        end = start
        while end and text[end - 1].isspace():
            end -= 1
        if end and (text[end - 1].isdecimal() or text[end - 1] in "%°"):  # "15 -20" is a range
            return match.group(0)
        word = "cộng" if match.group("sign") == "+" else "âm"
        if end < start and _SIGN_WORDS[word].search(text, max(0, end - len(word) - 1), end):
            return ""  # "âm -2%": the writer already said it
        return f"{word} "

    return _SIGN_RE.sub(sign, text)


_WHOLE_AFTER = (
    "số|tổng|tổng số|diện tích|dân số|lượng|khối lượng|sản lượng|thời gian|quãng đường|chiều dài|"
    "giá trị|kinh phí|ngân sách|nguồn vốn|vốn|quỹ|đất|trong số|các|những|còn lại"
)
_WHOLE_BEFORE = "chiếm|gần|hơn|khoảng|quá|bằng|chỉ còn|giảm|mất|tỷ lệ|tỉ lệ"
_FRACTION_RE = re.compile(
    rf"(?:{LETTER_BEFORE}(?P<before>(?i:{_WHOLE_BEFORE}))\s+)?(?<![\w/.,-])"
    rf"(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})(?![\w/]|[.,-]\d)"
    rf"(?P<after>\s+(?i:{_WHOLE_AFTER}){LETTER_AFTER})?"
)

_DATE_WORD_BEFORE_RE = re.compile(rf"{LETTER_BEFORE}(?i:ngày|hôm|sáng|chiều|tối|đêm|trưa)\s+$")


def read_fractions(text: str, lexicon: Lexicon | None = None) -> str:
    """Read fractions of a whole: "2/3 số hộ" → "hai phần ba số hộ", "hơn 1/2" → "hơn một nửa".

    A pair a/b (a < b ≤ 10) is a fraction when a word for a share of a whole
    follows ("số", "diện tích", …) or a word of amount precedes it ("chiếm",
    "hơn", "khoảng", …); otherwise it is left to the date and ratio rules
    ("28/6", "6/6 xã"), and a count noun after it keeps it a ratio ("hơn 4/5
    tiêu chí" → "trên").  "1/2" is "một nửa"; denominator 4 is "tư".
    """
    lex = resolve_lexicon(lexicon)

    def fraction(match: re.Match[str]) -> str:
        a, b = int(match.group("a")), int(match.group("b"))
        if not (0 < a < b <= 10) or not (match.group("before") or match.group("after")):
            return match.group(0)
        if not match.group("after") and lex.patterns.count_noun.match(match.string, match.end()):
            return match.group(0)
        if _DATE_WORD_BEFORE_RE.search(match.string, 0, match.start()):
            return match.group(0)  # "ngày 2/3 số liệu" is a date
        spoken = "một nửa" if (a, b) == (1, 2) else f"{read_number(a)} phần {month_words(b)}"
        before = f"{match.group('before')} " if match.group("before") else ""
        return f"{before}{spoken}{match.group('after') or ''}"

    return _FRACTION_RE.sub(fraction, text)


def read_currencies_and_units(text: str, lexicon: Lexicon | None = None) -> str:
    """Spell currencies ("50.000đ", "$5", "5 USD", "USD 5", "2 triệu USD", and a code alone: "tỷ giá USD") and units ("5 ha", "60 km/h")."""
    lex = resolve_lexicon(lexicon)
    pats = lex.patterns
    text = pats.currency_prefix.sub(lambda m: f"{m.group('num')}{m.group('scale') or ''} {lex.currencies[m.group('cur')]}", text)
    text = pats.currency_suffix.sub(lambda m: f"{m.group('scale') or ''} {lex.currencies[m.group('cur')]}", text)
    text = pats.currency_alone.sub(lambda m: lex.currencies[m.group("cur")], text)

    def unit(match: re.Match[str]) -> str:
        if match.group("unit"):
            return " " + lex.units[match.group("unit")]
        return lex.units[match.group("slash")]

    return pats.unit.sub(unit, text)


_REST_OF_LINE_EMPTY_RE = re.compile(r"[ \t]*(?:\n|$)")


def expand_abbreviations(text: str, lexicon: Lexicon | None = None) -> str:
    """Replace lexicon abbreviations (case-sensitive, whole word) by their spoken form."""
    lex = resolve_lexicon(lexicon)

    def expand(match: re.Match[str]) -> str:
        key = match.group("abbr")
        spoken = lex.abbreviations.get(key)
        if spoken is None:  # matched with different spacing, e.g. "TP.  HCM"
            spoken = lex.abbreviations[re.sub(r"\s+", " ", key)]
        if key.endswith(".") and _REST_OF_LINE_EMPTY_RE.match(text, match.end()):
            spoken += "."  # "… v.v." at the end of a sentence keeps its full stop
        return spoken

    return lex.patterns.abbreviation.sub(expand, text)


_ROMAN_STRICT_RE = re.compile(r"(?:XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}


def _roman_value(numeral: str) -> int | None:
    """Value of a valid Roman numeral made of I, V, X, L; None if it is not one."""
    if not numeral or not _ROMAN_STRICT_RE.fullmatch(numeral):
        return None
    total = 0
    for index, char in enumerate(numeral):
        value = _ROMAN_VALUES[char]
        following = _ROMAN_VALUES[numeral[index + 1]] if index + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total


def read_roman_numerals(text: str, lexicon: Lexicon | None = None) -> str:
    """Read Roman numerals after a lexicon keyword ("quý II" → "quý hai", "lần thứ IV" → "lần thứ tư")."""
    lex = resolve_lexicon(lexicon)

    def roman(match: re.Match[str]) -> str:
        value = _roman_value(match.group("roman"))
        if value is None:
            return match.group(0)
        keyword = match.group("kw")
        words = ordinal_words(value) if keyword.lower().endswith("thứ") else read_number(value)
        spoken = f"{keyword} {words}"
        if match.group("year"):
            spoken += f" năm {match.group('year')}"
        return spoken

    return lex.patterns.roman.sub(roman, text)


_ORDINAL_RE = re.compile(rf"{LETTER_BEFORE}(?P<kw>(?i:thứ))\s+(?P<n>\d+)(?![\w/]|[.,]\d)")


def read_ordinals(text: str) -> str:
    """Read "thứ N" as an ordinal: "thứ 1" → "thứ nhất", "thứ 4" → "thứ tư" (a digit run too long to be one is left to :func:`read_numbers`)."""

    def ordinal(match: re.Match[str]) -> str:
        digits = match.group("n")
        if len(digits) > MAX_NUMBER_DIGITS:
            return match.group(0)
        return f"{match.group('kw')} {ordinal_words(int(digits))}"

    return _ORDINAL_RE.sub(ordinal, text)


_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _valid_date(day: int, month: int) -> bool:
    """True if day/month can be a calendar date (29/2 allowed)."""
    return 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]


_PREFIX = (
    rf"(?:{LETTER_BEFORE}(?P<tu>(?i:từ))\s+)?"
    rf"(?:{LETTER_BEFORE}(?P<ngay>(?i:ngày))\s+)?"
)
_NOT_AFTER = r"(?<![\w/.,-])"
_NOT_BEFORE = r"(?![\w/]|[.,-]\d)"
_RANGE_SAME_MONTH_RE = re.compile(
    rf"{_PREFIX}{_NOT_AFTER}(?P<d1>\d{{1,2}})\s*[-–]\s*(?P<d2>\d{{1,2}})/(?P<m>\d{{1,2}})"
    rf"(?:/(?P<y>\d{{4}}))?{_NOT_BEFORE}"
)
_RANGE_RE = re.compile(
    rf"{_PREFIX}{_NOT_AFTER}(?P<d1>\d{{1,2}})/(?P<m1>\d{{1,2}})(?:/(?P<y1>\d{{4}}))?\s*[-–]\s*"
    rf"(?P<d2>\d{{1,2}})/(?P<m2>\d{{1,2}})(?:/(?P<y2>\d{{4}}))?{_NOT_BEFORE}"
)
_FULL_DATE_RE = re.compile(
    rf"(?:{LETTER_BEFORE}(?P<ngay>(?i:ngày))\s+)?{_NOT_AFTER}"
    rf"(?P<d>\d{{1,2}})(?P<sep>[/.-])(?P<m>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}){_NOT_BEFORE}"
)
_MONTH_YEAR_RE = re.compile(rf"(?:{LETTER_BEFORE}(?P<thang>(?i:tháng))\s+)?{_NOT_AFTER}(?P<m>\d{{1,2}})/(?P<y>\d{{4}}){_NOT_BEFORE}")
_DAY_MONTH_RE = re.compile(rf"(?:{LETTER_BEFORE}(?P<ngay>(?i:ngày))\s+)?{_NOT_AFTER}(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}}){_NOT_BEFORE}")
_MONTH_WORD_RE = re.compile(rf"{LETTER_BEFORE}(?P<thang>(?i:tháng))\s+(?P<m>\d{{1,2}})(?![\d/]|[.,]\d)")


def _day_month(day: int, month: int, year: str | None) -> str:
    """ "hai mươi tám tháng sáu[ năm …]"."""
    spoken = f"{read_number(day)} tháng {month_words(month)}"
    if year:
        spoken += f" năm {read_number(int(year))}"
    return spoken


def _range_lead(match: re.Match[str]) -> str:
    """ "từ ngày" for a date range, keeping the writer's own "từ"/"ngày" words."""
    tu, ngay = match.group("tu"), match.group("ngay")
    if tu:
        return f"{tu} {ngay or 'ngày'}"
    return ngay or "từ ngày"


def read_dates(text: str, lexicon: Lexicon | None = None) -> str:
    """Read dates and date ranges; a d/m pair that is no date or precedes a count noun is left as a ratio."""
    lex = resolve_lexicon(lexicon)

    def same_month(match: re.Match[str]) -> str:
        d1, d2, month = int(match.group("d1")), int(match.group("d2")), int(match.group("m"))
        if not (_valid_date(d1, month) and _valid_date(d2, month) and d1 < d2):
            return match.group(0)
        return f"{_range_lead(match)} {read_number(d1)} đến ngày {_day_month(d2, month, match.group('y'))}"

    def date_range(match: re.Match[str]) -> str:
        d1, m1, d2, m2 = (int(match.group(k)) for k in ("d1", "m1", "d2", "m2"))
        if not (_valid_date(d1, m1) and _valid_date(d2, m2)):
            return match.group(0)
        return f"{_range_lead(match)} {_day_month(d1, m1, match.group('y1'))} đến ngày {_day_month(d2, m2, match.group('y2'))}"

    def full_date(match: re.Match[str]) -> str:
        day, month = int(match.group("d")), int(match.group("m"))
        if not (1 <= day <= 31 and 1 <= month <= 12):  # with a year it is a date even if mistyped (30/02)
            return match.group(0)
        return f"{match.group('ngay') or 'ngày'} {_day_month(day, month, match.group('y'))}"

    def month_year(match: re.Match[str]) -> str:
        month = int(match.group("m"))
        if not 1 <= month <= 12:
            return match.group(0)
        return f"{match.group('thang') or 'tháng'} {month_words(month)} năm {read_number(int(match.group('y')))}"

    def day_month(match: re.Match[str]) -> str:
        day, month = int(match.group("d")), int(match.group("m"))
        ngay = match.group("ngay")
        if not _valid_date(day, month):
            return match.group(0)
        if not ngay and lex.patterns.count_noun.match(match.string, match.end()):
            return match.group(0)  # "6/6 xã" is a ratio, read later
        spoken = _day_month(day, month, None)
        return f"{ngay} {spoken}" if ngay else spoken

    def month_word(match: re.Match[str]) -> str:
        month = int(match.group("m"))
        if not 1 <= month <= 12:
            return match.group(0)
        return f"{match.group('thang')} {month_words(month)}"

    text = _RANGE_SAME_MONTH_RE.sub(same_month, text)
    text = _RANGE_RE.sub(date_range, text)
    text = _FULL_DATE_RE.sub(full_date, text)
    text = _MONTH_YEAR_RE.sub(month_year, text)
    text = _DAY_MONTH_RE.sub(day_month, text)
    return _MONTH_WORD_RE.sub(month_word, text)


_CLOCK_H_RE = re.compile(r"(?<![\w.,/])(?P<h>\d{1,2})[hH](?P<m>\d{2})?(?!\w)")
_CLOCK_COLON_RE = re.compile(r"(?<![\w.,/:])(?P<h>\d{1,2}):(?P<m>\d{2})(?![\d:]|[.,]\d)")
_MINUTE_ZERO_RE = re.compile(rf"{LETTER_BEFORE}giờ\s+0(?P<m>\d)(?!\d)(?P<phut>\s+phút{LETTER_AFTER})?")


def read_times(text: str) -> str:
    """Read clock times: "17h" → "17 giờ", "14h30"/"14:30" → "14 giờ 30", "7h05" → "7 giờ lẻ 5"."""

    def clock(match: re.Match[str], colon: bool) -> str:
        hour, minute = match.group("h"), match.group("m")
        if (minute and int(minute) >= 60) or (colon and int(hour) > 24):
            return match.group(0)
        spoken = f"{hour} giờ"
        if minute and minute != "00":
            spoken += f" {minute}"
        return spoken

    text = _CLOCK_H_RE.sub(lambda m: clock(m, colon=False), text)
    text = _CLOCK_COLON_RE.sub(lambda m: clock(m, colon=True), text)

    def zero_minute(match: re.Match[str]) -> str:
        digit = match.group("m")
        if digit == "0":
            return "giờ"  # "7 giờ 00 (phút)" → "7 giờ"
        if match.group("phut"):
            return f"giờ {digit}{match.group('phut')}"
        return f"giờ lẻ {digit}"

    return _MINUTE_ZERO_RE.sub(zero_minute, text)


_NUM = r"\d+(?:[.,]\d+)*"
_RATIO_RE = re.compile(rf"(?<![\w/.,])(?P<a>{_NUM})/(?P<b>{_NUM})(?![\w/]|[.,]\d)")
_WORD_SLASH_WORD_RE = re.compile(r"(?<=[^\W\d_])/(?=[^\W\d_])")
# "(?<!\s)": a match may only start where a run of spaces starts, so a long run costs linear time.
_DIGIT_SLASH_RE = re.compile(r"(?<=\d)\s*/\s*|(?<!\s)\s*/\s*(?=\d)|(?<=\d):(?=\d)")


def read_ratios_and_slashes(text: str, lexicon: Lexicon | None = None) -> str:
    """Read what is left of "/" and ":" between numbers.

    Ratios: "6/6 xã" → "6 trên 6 xã", "1:500" → "1 trên 500"; rates: "lần/ngày" →
    "lần mỗi ngày"; between words: "Nam/Nữ" → "Nam hoặc Nữ".
    """
    lex = resolve_lexicon(lexicon)
    text = _RATIO_RE.sub(lambda m: f"{m.group('a')} trên {m.group('b')}", text)

    def rate(match: re.Match[str]) -> str:
        what = match.group("what")
        return " mỗi " + lex.units.get(what, what)

    text = lex.patterns.rate.sub(rate, text)
    text = _WORD_SLASH_WORD_RE.sub(" hoặc ", text)
    return _DIGIT_SLASH_RE.sub(" trên ", text)


_NUM_RANGE_RE = re.compile(rf"(?<![\w.,])(?P<a>{_NUM})(?P<pct>\s*%)?\s*[-–—]\s*(?P<b>{_NUM})(?!\w|[.,]\d)")
_DEGREE_RANGE_RE = re.compile(r"(?<=\d)(?P<unit>\s*(?:°C|°|độ C|độ))\s*[-–]\s*(?=[-−]?\d|âm )")
_PLUS_RE = re.compile(r"(?<=\d)\s*\+\s*(?=\d)")
_PERCENT_RE = re.compile(r"(?<!\s)\s*%")


def read_ranges_and_math(text: str) -> str:
    """Read "15 - 20%" as "15 đến 20 phần trăm", "+" between numbers as "cộng", "%" as "phần trăm"."""
    text = _DEGREE_RANGE_RE.sub(lambda m: f"{m.group('unit')} đến ", text)  # "18°C - 25°C"
    text = _NUM_RANGE_RE.sub(lambda m: f"{m.group('a')}{m.group('pct') or ''} đến {m.group('b')}", text)
    text = _PLUS_RE.sub(" cộng ", text)
    return _PERCENT_RE.sub(" phần trăm", text)


_NUMBER_RE = re.compile(r"(?<![\d.])(?P<int>\d+(?:\.\d+)*)(?:,(?P<frac>\d+))?")
_DIGITS_RE = re.compile(r"\d+")


def _spaced(match: re.Match[str], spoken: str) -> str:
    """``spoken`` in place of ``match``, with a space where it would touch a letter or digit."""
    before = match.string[match.start() - 1] if match.start() else " "
    after = match.string[match.end()] if match.end() < len(match.string) else " "
    left = " " if before.isalnum() else ""
    right = " " if after.isalnum() else ""
    return f"{left}{spoken}{right}"


def read_numbers(text: str) -> str:
    """Read every remaining numeral ("3.250" → "ba nghìn hai trăm năm mươi", "1,2" → "một phẩy hai").

    A digit run the numeral pattern skips (garbled input such as "1,5.25")
    is then read on its own, so no digit reaches the engine.
    """
    text = _NUMBER_RE.sub(lambda m: _spaced(m, read_numeral(m.group("int"), m.group("frac"))), text)
    return _DIGITS_RE.sub(lambda m: _spaced(m, read_numeral(m.group(0))), text)


_SYLLABLE_RE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnprstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?")


def spell_acronyms(text: str, lexicon: Lexicon | None = None) -> str:
    """Spell unknown ALL-CAPS tokens of 2–5 letters with Vietnamese letter names ("WTO" → "vê kép tê ô").

    Conservative: Roman numerals and tokens that read as one Vietnamese
    syllable ("AN", "BAN", "TRUNG") are left as written.
    """
    lex = resolve_lexicon(lexicon)

    def spell(match: re.Match[str]) -> str:
        caps = match.group("caps")
        if caps in lex.abbreviations or _roman_value(caps) is not None:
            return caps
        if _SYLLABLE_RE.fullmatch(caps.lower()):
            return caps
        return " ".join(lex.letter_names[c] for c in caps)

    return lex.patterns.acronym.sub(spell, text)


_BULLET_RE = re.compile(r"(?m)^[ \t]*[-–—•*+][ \t]+")
_SPACED_DASH_RE = re.compile(r"(?<!\s)\s+[-–—]+\s+|[–—]+")
_DOUBLE_QUOTES_RE = re.compile(r"[“”„‟«»\"]")
_SINGLE_QUOTES_RE = re.compile(r"‘|[’'](?![^\W\d_])|(?<![^\W\d_])[’']")
_BRACKETS_RE = re.compile(r"[()\[\]{}]")
_ELLIPSIS_RE = re.compile(r"…|\.{2,}")
_NOISE_RE = re.compile(r"[*•#|_~^`/\\]")


def read_symbols(text: str) -> str:
    """Turn symbols into speech: dashes and brackets → pauses, "&" → "và", "…" → ".", quotes dropped."""
    text = _BULLET_RE.sub("", text)
    text = _SPACED_DASH_RE.sub(", ", text)
    text = _DOUBLE_QUOTES_RE.sub(" ", text)
    text = _SINGLE_QUOTES_RE.sub(" ", text)
    text = _BRACKETS_RE.sub(", ", text)
    text = text.replace("&", " và ").replace("°", " độ ")
    text = _ELLIPSIS_RE.sub(". ", text)
    return _NOISE_RE.sub(" ", text)


_SPACE_BEFORE_PUNCT_RE = re.compile(r"\s+(?=[,.;:!?])")
# A run of pauses, and the stop that may follow it.  Every regex here runs in linear time: no
# quantified group can match the same characters two ways, and nothing is anchored at the end only
# (a 20,000-character run of commas must not take minutes).
_PAUSE_RUN_RE = re.compile(r"[,;:](?:\s*[,;:])*(?P<stop>\s*[.!?])?")
_STOP_THEN_PAUSE_RE = re.compile(r"([.!?])(?:\s*[,;:.])+")
_NO_SPACE_AFTER_RE = re.compile(r"([,.;:!?])(?=[^\W\d_])")
_LEADING_PUNCT_RE = re.compile(r"^[\s,.;:!?]+")


def _pause_run(match: re.Match[str]) -> str:
    """A run of pauses: dropped before a stop (", ." → "."), otherwise its first mark (", ;" → ",")."""
    stop = match.group("stop")
    return stop.lstrip() if stop else match.group(0)[0]


def _tidy_line(line: str) -> str:
    """Clean one line's spacing and punctuation runs."""
    line = " ".join(line.split())
    line = _SPACE_BEFORE_PUNCT_RE.sub("", line)
    line = _PAUSE_RUN_RE.sub(_pause_run, line)
    line = _STOP_THEN_PAUSE_RE.sub(r"\1", line)
    line = _NO_SPACE_AFTER_RE.sub(r"\1 ", line)
    line = _LEADING_PUNCT_RE.sub("", line)
    return line.rstrip(" ,;")  # a trailing pause goes (str.split above left single spaces only)


def tidy(text: str) -> str:
    """Collapse whitespace, clean punctuation runs and join lines (a line without a stop gets ".")."""
    lines = [line for line in (_tidy_line(raw) for raw in text.split("\n")) if line]
    for index in range(len(lines) - 1):
        if not lines[index].endswith((".", "!", "?", ":")):
            lines[index] += "."
    return unicodedata.normalize("NFC", " ".join(lines))


# ---------------------------------------------------------------------------
# The pipeline
# ---------------------------------------------------------------------------


DEFAULT_PIPELINE: tuple[Step, ...] = (
    clean_text,
    drop_urls_and_read_emails,
    read_phone_numbers,
    read_document_numbers,
    read_scores,
    read_signed_numbers,
    read_currencies_and_units,
    expand_abbreviations,
    read_roman_numerals,
    read_ordinals,
    read_fractions,
    read_dates,
    read_times,
    read_ratios_and_slashes,
    read_ranges_and_math,
    read_numbers,
    spell_acronyms,
    read_symbols,
    tidy,
)
"""The steps ``normalize`` runs, in order; each is ``str -> str``."""

LEXICON_STEPS: frozenset[Callable[..., str]] = frozenset(
    {
        read_document_numbers,
        read_currencies_and_units,
        expand_abbreviations,
        read_roman_numerals,
        read_fractions,
        read_dates,
        read_ratios_and_slashes,
        spell_acronyms,
    }
)
"""Steps that accept ``lexicon=``; :func:`bind_lexicon` binds it (default: the default lexicon)."""


def bind_lexicon(pipeline: Sequence[Step], lexicon: Lexicon) -> tuple[Step, ...]:
    """Return the pipeline with ``lexicon`` bound into every step of :data:`LEXICON_STEPS`."""
    bound: list[Step] = []
    for step in pipeline:
        if not callable(step):
            raise TypeError(f"pipeline steps must be callables str -> str, got {step!r}")
        if step in LEXICON_STEPS:
            bound.append(functools.partial(cast(Callable[..., str], step), lexicon=lexicon))
        else:
            bound.append(step)
    return tuple(bound)


def normalize(text: str, lexicon: Lexicon | None = None, pipeline: Sequence[Step] | None = None) -> str:
    """Turn written Vietnamese into the words an announcer reads (see the module docstring)."""
    if not isinstance(text, str):
        raise TypeError(f"normalize() needs a str, got {type(text).__name__}")
    steps = bind_lexicon(DEFAULT_PIPELINE if pipeline is None else pipeline, resolve_lexicon(lexicon))
    for step in steps:
        text = step(text)
    return text
