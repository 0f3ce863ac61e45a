"""Ingest: turn a bulletin scraped from a news page into the bulletin model.

Reads UTF-8 (with or without BOM), CRLF, NFD, the legacy Windows Vietnamese
code page (cp1258) and the legacy font encodings TCVN3 (ABC) and VNI (see
:mod:`.legacy`), and refuses mojibake; drops page noise listed in ``locales/vi/noise.yaml``; finds
the title, the stated date and time of day, the place, the source line and the
byline; and splits the body into paragraphs, lost photos, bulleted lists.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bantin.content.legacy import detect_and_decode, mojibake_problem
from bantin.content.model import DEFAULT_CREDIT_LABEL, ID_MAX_LENGTH, MAX_BLOCKS, Block, Bulletin, BulletList, Paragraph, Photo, date_problem
from bantin.datafile import read_data_file
from bantin.errors import ConfigError, IngestError
from bantin.paths import locale_data
from bantin.settings import max_paragraph_chars, max_title_chars
from bantin.textutil import bad_character, escape_text, line_and_column, normalize_space, slugify

__all__ = ["NoiseList", "credit_label", "decode_bulletin", "load_noise_list", "parse_bulletin", "photo_alt", "read_bulletin", "sign_off"]

MAX_INPUT_BYTES = 5 * 1024 * 1024
#: The most lines a raw bulletin may have (a scraped page of one bulletin has a few hundred).
MAX_LINES = 20_000

# --------------------------------------------------------------------------- decoding

_CONTROL = set(range(0, 32)) - {9, 10, 12, 13}


def decode_bulletin(raw: bytes, path: str | Path = "<input>") -> str:
    """Decode raw bytes to text, refusing empty and binary input with a one-line :class:`IngestError`."""
    if len(raw) > MAX_INPUT_BYTES:
        raise IngestError(
            path, f"{len(raw)} bytes is too large for a bulletin (limit {MAX_INPUT_BYTES})", "Pass the text of one bulletin, not a whole site dump"
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise IngestError(path, "has a UTF-16 byte-order mark but is not valid UTF-16", "Save the file as UTF-8") from None
    else:
        if b"\x00" in raw or (raw and sum(b in _CONTROL for b in raw[:4096]) > len(raw[:4096]) * 0.05):
            raise IngestError(path, "looks like binary data, not text", "Pass the bulletin as a plain-text file (UTF-8 or Windows-1258)")
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            decoded, why = detect_and_decode(raw)
            if decoded is None:
                raise IngestError(
                    path,
                    f"is not text in UTF-8, Windows-1258, TCVN3 (ABC) or VNI: it {why}",
                    "Convert it to UTF-8 (e.g. with Unikey's converter or 'iconv -t UTF-8'), or pass the original file",
                ) from None
            text = decoded
        else:
            problem = mojibake_problem(text)
            if problem:
                raise IngestError(path, problem, "Convert the original file to UTF-8 once, from its real encoding, and ingest that")
    if not normalize_space(text):
        raise IngestError(path, "is empty", "Pass a file that holds the bulletin's text")
    return text


# --------------------------------------------------------------------------- noise list


@dataclass(frozen=True)
class NoiseList:
    """Lines that are page furniture, not bulletin text (loaded from YAML data, not code)."""

    lines: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    stop_after: frozenset[str]

    def is_noise(self, line: str) -> bool:
        key = line.casefold()
        return key in self.lines or any(p.fullmatch(key) for p in self.patterns)

    def is_stop(self, line: str) -> bool:
        return line.casefold().rstrip(":") in self.stop_after


def load_noise_list(path: Path | None = None) -> NoiseList:
    """Read ``locales/vi/noise.yaml`` (or ``path``), validating every entry."""
    path = path or locale_data("vi/noise.yaml")
    data = read_data_file(path, "Restore locales/vi/noise.yaml or set BANTIN_LOCALES")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with lines, patterns and stop_after. Fix the file")

    def strings(key: str) -> list[str]:
        values = data.get(key) or []
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            raise ConfigError(f"{path}: '{key}' must be a list of non-empty strings. Write one '- text' per line")
        return [normalize_space(v) for v in values]

    patterns = []
    for pattern in strings("patterns"):
        try:
            patterns.append(re.compile(pattern, re.IGNORECASE))
        except re.error as exc:
            raise ConfigError(f"{path}: patterns: '{pattern}' is not a valid regular expression ({exc}). Fix or quote it") from None
    return NoiseList(
        lines=frozenset(s.casefold() for s in strings("lines")),
        patterns=tuple(patterns),
        stop_after=frozenset(s.casefold().rstrip(":") for s in strings("stop_after")),
    )


# --------------------------------------------------------------------------- line classes

_BULLET_RE = re.compile(r"^[-•●▪◦‣∙+*–]\s+(?P<text>\S.*)$")
_SOURCE_RE = re.compile(r"^\(?\s*nguồn\s*:\s*(?P<text>.+?)\s*\)?\.?$", re.IGNORECASE)
_BYLINE_RE = re.compile(
    r"^\(?\s*(?P<label>(?:tin|bài|ảnh|tin\s*(?:,|và|/|-)\s*ảnh|bài\s*(?:,|và|/|-)\s*ảnh|bài và ảnh|tác giả|phóng viên|pv|nhóm pv|người viết|thực hiện)"
    r")\s*:\s*(?P<text>[^:]{2,120}?)\s*\)?\.?$",
    re.IGNORECASE,
)
# A sign-off closing the text: a name, a dash, an organisation ("Hà My – Trung tâm VH-TT&TT huyện").
_NAME_WORD = r"[^\W\d_][\w.]*"
_SIGNOFF_RE = re.compile(rf"^\(?\s*(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,4}})\s+[-–—]\s+(?P<org>[^\W\d_][^!?…:;()]{{3,100}}?)\s*\)?$")
_PHOTO_PAREN_RE = re.compile(r"^\((?P<text>[^()]*\b(?:ảnh|hình|photo)\b[^()]*)\)$", re.IGNORECASE)
_PHOTO_LABEL_RE = re.compile(r"^\(?\s*(?:ảnh|hình ảnh|hình|photo)\s*:\s*(?P<text>.+?)\s*\)?$", re.IGNORECASE)
_TERMINAL = tuple('.!?…:;"”’»)')

# Dates as bulletins state them.  The day never follows another digit, so "2023-2024" and "29/2" inside
# "129/2" are not dates, and an impossible date is refused rather than searched again one character on.
# Each form is found by its core (which starts with a digit or "ngày", so a scan is fast); what is said
# before it (a time of day, a clock time, "ngày") is read from the few characters in front.
_TIME_OF_DAY = r"(?P<tod>rạng sáng|sáng sớm|sáng|trưa|chiều|tối|đêm|khuya)"
_CLOCK = r"(?P<clock>\d{1,2}\s*(?:h|giờ|:)\s*(?:\d{2})?\s*(?:phút)?)"
_PREFIX_RE = re.compile(rf"(?:(?:{_TIME_OF_DAY}|{_CLOCK})\s*(?:,\s*)?)?(?:từ\s+)?(?:(?P<cue>ngày|hôm)\s+)?$", re.IGNORECASE)
_PREFIX_CHARS = 40
_DMY_RE = re.compile(r"(?<!\d)(?P<d>\d{1,2})\s*(?P<sep>[/.\-])\s*(?P<m>\d{1,2})(?:\s*[/.\-]\s*(?P<y>\d{4}|\d{2}))?(?![\d/])")
_WORDS_DATE_RE = re.compile(r"ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})(?:\s+năm\s+(?P<y>\d{4}))?(?!\d)", re.IGNORECASE)
# A range of days in one month ("26 - 28/6/2024", "từ ngày 26 đến 28/6/2024") is dated by its first day.
_RANGE_RE = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})\s*(?:-|–|đến)\s*(?:ngày\s+)?(?P<d2>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})(?:\s*[/.\-]\s*(?P<y>\d{4}))?(?![\d/])",
    re.IGNORECASE,
)
#: Years a bulletin can state; "1.5.3000" is not read as a date.
_YEARS = range(1900, 2101)


@dataclass(frozen=True)
class _Mention:
    """A date as the text writes it: where, what, and whether it is a calendar date."""

    start: int
    end: int
    written: str
    day: int
    month: int
    year: int | None  # as written; None when the text gives no year
    tod: str | None
    stated: bool  # unmistakably meant as a date (a year, words, a slash, or a cue such as "sáng")
    problem: str | None  # why it is not a calendar date


def _mentions(text: str, default_year: int | None) -> list[_Mention]:
    """Every date-like mention in ``text`` (in any written form), in order."""
    found: list[_Mention] = []
    if not any(ch.isdigit() for ch in text):
        return found
    for rx in (_RANGE_RE, _WORDS_DATE_RE, _DMY_RE):
        for m in rx.finditer(text):
            year = int(m["y"]) if m["y"] else None
            if year is not None and len(m["y"]) == 2:
                year += 2000  # "28/6/24": bulletins of this century
            if year is not None and year not in _YEARS:
                continue
            day, month = int(m["d"]), int(m["m"])
            before = _PREFIX_RE.search(text, max(0, m.start() - _PREFIX_CHARS), m.start())
            tod_word, clock, cue = (before["tod"], before["clock"], before["cue"]) if before else (None, None, None)
            if rx is _RANGE_RE:
                if int(m["d2"]) <= day:
                    continue  # "30 - 2/7" spans two months: not a range in one month
                stated = year is not None or 1 <= month <= 12
            elif rx is _WORDS_DATE_RE:
                stated = True
            else:
                plausible = 1 <= month <= 12 and 1 <= day <= 31
                stated = year is not None or (plausible and (m["sep"] == "/" or bool(tod_word or clock or cue)))
            problem = date_problem(year if year is not None else default_year, month, day)
            if problem is None and rx is _RANGE_RE:
                problem = date_problem(year if year is not None else default_year, month, int(m["d2"]))
            tod = tod_word.lower() if tod_word else None
            if not tod and clock:
                digits = re.findall(r"\d+", clock)
                hour, minute = int(digits[0]), int(digits[1]) if len(digits) > 1 else 0
                tod = f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else None
            start = before.start() if before else m.start()
            found.append(_Mention(start, m.end(), normalize_space(m.group(0)), day, month, year, tod, stated, problem))
    found.sort(key=lambda x: x.start)
    return found


_YEAR_RE = re.compile(r"\bnăm\s+(?P<y>(?:19|20)\d{2})\b", re.IGNORECASE)
_PLACE_RE = re.compile(r"\btại\s+(?P<place>[^,.;:()“”\"]{3,80})", re.IGNORECASE)


def credit_label(written: str) -> str:
    """The credit label a source's byline line used ("tin", "Tin và ảnh", "PV"), as one of :data:`CREDIT_LABELS`."""
    words = set(re.findall(r"\w+", written.casefold()))
    if "ảnh" in words and words & {"tin", "bài"}:
        return "Bài, ảnh" if "bài" in words else "Tin, ảnh"
    if "tin" in words:
        return "Tin"
    if "bài" in words:
        return "Bài"
    if words & {"tác", "người"}:
        return "Tác giả"
    if words & {"phóng", "pv"}:
        return "Phóng viên"
    if "thực" in words:
        return "Thực hiện"
    return "Ảnh" if "ảnh" in words else DEFAULT_CREDIT_LABEL


def sign_off(line: str) -> str | None:
    """The byline a closing sign-off line gives ("Hà My – Trung tâm VH-TT&TT huyện"), or None when it is not one.

    A sign-off is a short line: a name of one to five capitalised words, a dash, then an
    organisation of at most twelve words starting with a capital; a sentence (it ends in a full
    stop, holds a colon) is not one.
    """
    m = _SIGNOFF_RE.match(line)
    if m is None or line.endswith(".") or len(m["org"].split()) > 12:
        return None
    if not all(w[0].isupper() for w in m["name"].split()) or not m["org"][0].isupper():
        return None
    return line.strip(" ().")


def photo_alt(caption: str) -> str:
    """Honest alt text for a photo the scrape lost."""
    lost = "Ảnh không có sẵn: tệp ảnh không có trong bản tin gốc"
    return f"{lost}. Chú thích ảnh: {caption}" if caption else f"{lost}."


@dataclass
class _Lead:
    date: dt.date | None = None
    time_of_day: str | None = None
    place: str | None = None


def _find_date(text: str, default_year: int | None) -> tuple[dt.date, str | None, int] | None:
    """The first stated calendar date in ``text``: (date, time of day, end offset), or None.

    A date with its year wins over one without; then the earliest.
    """
    usable = [x for x in _mentions(text, default_year) if x.stated and x.problem is None and (x.year or default_year)]
    if not usable:
        return None
    best = min(usable, key=lambda x: (x.year is None, x.start))
    year = best.year or default_year
    assert year is not None
    return dt.date(year, best.month, best.day), best.tod, best.end


#: The most date-like mentions a bulletin's text may hold (each is checked; a bulletin states a handful).
MAX_DATES = 1000


def _check_dates(lines: Iterable[tuple[int, str]], default_year: int | None, path: str | Path) -> None:
    """Refuse the first impossible stated date, with its line and the reason; never roll it over."""
    count = 0
    for number, line in lines:
        mentions = _mentions(line, default_year)
        count += len(mentions)
        if count > MAX_DATES:
            raise IngestError(
                path,
                f"line {number}: more than {MAX_DATES} dates or date-like numbers, more than one bulletin states",
                "Check that the file is one bulletin, or pass --date YYYY-MM-DD",
            )
        for mention in mentions:
            if mention.stated and mention.problem:
                raise IngestError(
                    path,
                    f"line {number}: {escape_text(mention.written)} is not a date: {mention.problem}",
                    "Correct it in the text, or pass --date YYYY-MM-DD",
                )


def _find_lead(paragraphs: Iterable[str], title: str, meta_dates: list[dt.date]) -> _Lead:
    years = [int(m["y"]) for m in _YEAR_RE.finditer(title)]
    default_year = years[0] if years else (meta_dates[0].year if meta_dates else None)
    for text in list(paragraphs)[:3]:
        found = _find_date(text, default_year)
        if found:
            date, tod, end = found
            sentence_end = re.search(r"[.;](\s|$)", text[end:])
            window = text[end : end + sentence_end.start()] if sentence_end else text[end:]
            place = _PLACE_RE.search(window)
            return _Lead(date, tod, normalize_space(place["place"]) if place else None)
    found = _find_date(title, default_year)
    if found:
        return _Lead(found[0], found[1])
    return _Lead(meta_dates[0] if meta_dates else None)


def _check_characters(text: str, path: str | Path) -> None:
    """Refuse control and invisible format characters with their line and column (the YAML loader's policy)."""
    found = bad_character(text)
    if found is not None:
        index, reason = found
        line, column = line_and_column(text, index)
        raise IngestError(path, f"line {line}, column {column}: {reason}", "Delete it from the text (it often comes with text pasted from a web page)")


def parse_bulletin(text: str, path: str | Path = "<input>", noise: NoiseList | None = None, date: dt.date | None = None) -> Bulletin:
    """Structure a decoded scraped bulletin.

    ``date`` overrides the stated date; without it an impossible date anywhere
    in the text (31/6/2024) is refused with its line, never rolled over.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    _check_characters(text, path)
    line_count = text.count("\n") + 1
    if line_count > MAX_LINES:
        raise IngestError(
            path,
            f"has {line_count} lines, more than one bulletin's page (limit {MAX_LINES})",
            "Check that the file is one bulletin; split it if it holds several",
        )
    noise = noise or load_noise_list()
    title_limit, paragraph_limit = max_title_chars(), max_paragraph_chars()

    meta_dates: list[dt.date] = []
    seen: list[tuple[int, str]] = []  # (line number, text) of every line read, for the date check
    kept: list[tuple[int, str]] = []  # (line number, text); "" marks a paragraph break
    title: str | None = None
    title_line = 0
    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = normalize_space(raw_line)
        if len(line) > paragraph_limit:  # before any pattern runs over it
            raise IngestError(
                path,
                f"line {number}: a line of {len(line)} characters (limit {paragraph_limit})",
                "Split it with a blank line, or raise BANTIN_MAX_PARAGRAPH_CHARS",
            )
        if not line:
            kept.append((number, ""))
            continue
        if noise.is_noise(line):
            full = _find_date(line, None)
            if full:
                meta_dates.append(full[0])
            continue
        if title is None:
            title, title_line = line.rstrip(" ."), number
            seen.append((number, line))
            continue
        if noise.is_stop(line):
            break
        seen.append((number, line))
        kept.append((number, line))
    if title is None:
        raise IngestError(path, "has no text left after dropping page noise", "Check that it is a bulletin, or trim locales/vi/noise.yaml")
    if len(title) > title_limit:
        raise IngestError(
            path,
            f"line {title_line}: the title is {len(title)} characters long (limit {title_limit})",
            "Check that the first line of text is the headline, or shorten it",
        )

    source = byline = label = None
    body: list[Block] = []
    starts: list[int] = []  # the line each body block starts on
    list_items: dict[int, list[str]] = {}  # the items of each list block, gathered here (appending to a tuple is quadratic)
    pieces = 0  # list items past the first of each list: with the blocks, bounded by MAX_BLOCKS
    open_paragraph = False  # the last body block is a paragraph whose last line did not end a sentence
    for number, line in kept:
        if not line:
            open_paragraph = False
            continue
        if m := _SOURCE_RE.match(line):
            source = m["text"].rstrip(" .")
            if len(source) > title_limit:
                raise IngestError(path, f"line {number}: the source line is {len(source)} characters long (limit {title_limit})", "Shorten it")
            open_paragraph = False
        elif (m := _BYLINE_RE.match(line)) and not m["label"].lower().startswith(("ảnh", "hình")):
            byline, label = m["text"].rstrip(" ."), credit_label(m["label"])
            open_paragraph = False
        elif (m := _PHOTO_LABEL_RE.match(line)) or (m := _PHOTO_PAREN_RE.match(line)):
            caption = m["text"].strip(" .")
            body.append(Photo(caption, photo_alt(caption)))
            starts.append(number)
            open_paragraph = False
        elif m := _BULLET_RE.match(line):
            item = m["text"].strip()
            if body and isinstance(body[-1], BulletList) and len(body) - 1 in list_items:
                list_items[len(body) - 1].append(item)
                pieces += 1
            else:
                body.append(BulletList((item,)))
                list_items[len(body) - 1] = [item]
                starts.append(number)
            open_paragraph = False
        elif open_paragraph and isinstance(body[-1], Paragraph):
            body[-1] = Paragraph(f"{body[-1].text} {line}")
            open_paragraph = not line.endswith(_TERMINAL)
        else:
            body.append(Paragraph(line))
            starts.append(number)
            open_paragraph = not line.endswith(_TERMINAL)
        if len(body) + pieces > MAX_BLOCKS:
            raise IngestError(
                path,
                f"line {number}: more than {MAX_BLOCKS} paragraphs, list items and photos, more than one bulletin holds",
                "Check that the file is one bulletin; split it if it holds several",
            )
        last = body[-1] if body else None
        texts = list_items[len(body) - 1][-1:] if body and len(body) - 1 in list_items else (_texts(last) if last is not None else ())
        longest = max((len(t) for t in texts), default=0)
        if longest > paragraph_limit:
            raise IngestError(
                path,
                f"line {starts[-1]}: a {last.kind if last else 'paragraph'} of {longest} characters (limit {paragraph_limit})",
                "Split it with a blank line, or raise BANTIN_MAX_PARAGRAPH_CHARS",
            )

    for index, items in list_items.items():
        body[index] = BulletList(tuple(items))
    if byline is None and len(body) > 1 and isinstance(body[-1], Paragraph) and (signed := sign_off(body[-1].text)):
        body.pop()  # the closing "name – organisation" line is the byline, not body text
        byline, label = signed, "Tin"
    if not any(isinstance(b, Paragraph) for b in body):
        raise IngestError(path, "has a title but no paragraphs", "Check that the body text was scraped")
    years = [int(m["y"]) for m in _YEAR_RE.finditer(title)]
    default_year = years[0] if years else (meta_dates[0].year if meta_dates else None)
    if date is None:
        _check_dates(seen, default_year, path)
    lead = _find_lead((b.text for b in body if isinstance(b, Paragraph)), title, meta_dates)
    stated = date or lead.date
    if stated is None:
        raise IngestError(
            path, "states no date (looked for 'Sáng 28/6/2024' or 'ngày 28 tháng 6 năm 2024' in the lead)", "Pass the date with --date YYYY-MM-DD"
        )
    bulletin_id = f"{stated.isoformat()}-{slugify(title, ID_MAX_LENGTH - 11)}".strip("-")
    return Bulletin(
        id=bulletin_id,
        title=title,
        date=stated,
        body=tuple(body),
        language="vi",
        time_of_day=lead.time_of_day if lead.date == stated else None,
        place=lead.place,
        source=source,
        byline=byline,
        byline_label=label,
    )


def _texts(block: Block) -> tuple[str, ...]:
    """The texts of a body block that the paragraph limit applies to."""
    if isinstance(block, Paragraph):
        return (block.text,)
    if isinstance(block, Photo):
        return (block.caption,)
    if isinstance(block, BulletList):
        return block.items[-1:]
    return (block.text,)


def read_bulletin(path: Path, noise: NoiseList | None = None, date: dt.date | None = None) -> Bulletin:
    """Read a raw scraped bulletin file from disk and structure it (errors name the path escaped, never raw)."""
    where = escape_text(str(path), 1000)
    try:
        if path.exists() and not path.is_dir() and not path.is_file():
            raise IngestError(where, "is not a regular file (a pipe or a device)", "Save the text to a file and pass that")
        with path.open("rb") as stream:
            raw = stream.read(MAX_INPUT_BYTES + 1)  # never more: a huge file costs no memory
    except FileNotFoundError:
        raise IngestError(where, "no such file", "Check the path") from None
    except IsADirectoryError:
        raise IngestError(where, "is a folder, not a file", "Pass the bulletin's text file") from None
    except OSError as exc:
        raise IngestError(where, f"cannot be read ({exc.strerror})", "Check the file and its permissions") from None
    if len(raw) > MAX_INPUT_BYTES:
        raise IngestError(where, f"is larger than {MAX_INPUT_BYTES} bytes, too large for a bulletin", "Pass the text of one bulletin, not a whole site dump")
    return parse_bulletin(decode_bulletin(raw, where), where, noise, date)
