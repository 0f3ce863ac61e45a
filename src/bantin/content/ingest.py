"""Ingest: turn a bulletin scraped from a news page into the bulletin model.

Reads UTF-8 (with or without BOM), CRLF, NFD and the legacy Windows Vietnamese
code page (cp1258); drops page noise listed in ``locales/vi/noise.yaml``; finds
the title, the stated date and time of day, the place, the source line and the
byline; and splits the body into paragraphs, lost photos, bulleted lists.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bantin.datafile import read_data_file
from bantin.errors import ConfigError, IngestError
from bantin.content.model import ID_MAX_LENGTH, Block, Bulletin, BulletList, Paragraph, Photo
from bantin.paths import locale_data
from bantin.textutil import normalize_space, slugify

__all__ = ["NoiseList", "decode_bulletin", "load_noise_list", "parse_bulletin", "read_bulletin", "photo_alt"]

MAX_INPUT_BYTES = 5 * 1024 * 1024

# --------------------------------------------------------------------------- decoding

_CONTROL = set(range(0, 32)) - {9, 10, 12, 13}


def decode_bulletin(raw: bytes, path: str | Path = "<input>") -> str:
    """Decode raw bytes to text, refusing empty and binary input with a one-line :class:`IngestError`."""
    if len(raw) > MAX_INPUT_BYTES:
        raise IngestError(path, f"{len(raw)} bytes is too large for a bulletin (limit {MAX_INPUT_BYTES})", "Pass the text of one bulletin, not a whole site dump")
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
            try:
                text = raw.decode("cp1258")
            except UnicodeDecodeError:
                raise IngestError(path, "is neither UTF-8 nor Windows-1258 (cp1258) text", "Convert it to UTF-8, e.g. with 'iconv -t UTF-8'") from None
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
_PHOTO_PAREN_RE = re.compile(r"^\((?P<text>[^()]*\b(?:ảnh|hình|photo)\b[^()]*)\)$", re.IGNORECASE)
_PHOTO_LABEL_RE = re.compile(r"^\(?\s*(?:ảnh|hình ảnh|hình|photo)\s*:\s*(?P<text>.+?)\s*\)?$", re.IGNORECASE)
_TERMINAL = tuple(".!?…:;\"”’»)")

# Dates as bulletins state them.
_TIME_OF_DAY = r"(?P<tod>rạng sáng|sáng sớm|sáng|trưa|chiều|tối|đêm|khuya)"
_CLOCK = r"(?P<clock>\d{1,2}\s*(?:h|giờ|:)\s*(?:\d{2})?\s*(?:phút)?)"
_DMY_RE = re.compile(
    rf"(?:(?:{_TIME_OF_DAY}|{_CLOCK})\s*(?:,\s*)?(?:ngày\s+|hôm\s+)?)?"
    r"(?:ngày\s+)?(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})(?:\s*[/.\-]\s*(?P<y>\d{4}))?(?!\d)",
    re.IGNORECASE,
)
_WORDS_DATE_RE = re.compile(
    rf"(?:(?:{_TIME_OF_DAY}|{_CLOCK})\s*(?:,\s*)?)?ngày\s+(?P<d>\d{{1,2}})\s+tháng\s+(?P<m>\d{{1,2}})(?:\s+năm\s+(?P<y>\d{{4}}))?",
    re.IGNORECASE,
)
# A range of days in one month ("26 - 28/6/2024", "từ ngày 26 đến 28/6/2024") is dated by its first day.
_RANGE_RE = re.compile(
    rf"(?:{_TIME_OF_DAY}\s*(?:,\s*)?)?(?:từ\s+)?(?:ngày\s+)?(?P<d>\d{{1,2}})\s*(?:-|–|đến)\s*(?:ngày\s+)?\d{{1,2}}\s*[/.\-]\s*(?P<m>\d{{1,2}})"
    r"(?:\s*[/.\-]\s*(?P<y>\d{4}))?(?!\d)(?P<clock>)",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(r"\bnăm\s+(?P<y>(?:19|20)\d{2})\b", re.IGNORECASE)
_PLACE_RE = re.compile(r"\btại\s+(?P<place>[^,.;:()“”\"]{3,80})", re.IGNORECASE)


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
    """The first stated date in ``text``: (date, time of day, end offset), or None."""
    candidates = []
    for rx in (_RANGE_RE, _WORDS_DATE_RE, _DMY_RE):
        pos = 0
        # Search again one character on after an impossible date, so "26 - 28/6/2024" still finds 28/6/2024.
        while m := rx.search(text, pos):
            pos = m.start() + 1
            year = int(m["y"]) if m["y"] else default_year
            if year is None:
                continue
            try:
                date = dt.date(year, int(m["m"]), int(m["d"]))
            except ValueError:
                continue
            tod = m["tod"].lower() if m["tod"] else None
            if not tod and m["clock"]:
                digits = re.findall(r"\d+", m["clock"])
                tod = f"{int(digits[0]):02d}:{int(digits[1]) if len(digits) > 1 else 0:02d}"
            candidates.append((m.start(), date, tod, m.end(), bool(m["y"])))
            break
    if not candidates:
        return None
    # Prefer a date with its year, then the earliest one.
    candidates.sort(key=lambda c: (not c[4], c[0]))
    _, date, tod, end, _ = candidates[0]
    return date, tod, end


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


def parse_bulletin(text: str, path: str | Path = "<input>", noise: NoiseList | None = None, date: dt.date | None = None) -> Bulletin:
    """Structure a decoded scraped bulletin.  ``date`` overrides the stated date when the text has none."""
    noise = noise or load_noise_list()
    lines = [normalize_space(line) for line in text.splitlines()]

    meta_dates: list[dt.date] = []
    kept: list[str] = []  # "" marks a paragraph break
    title: str | None = None
    for line in lines:
        if not line:
            kept.append("")
            continue
        if noise.is_noise(line):
            full = _find_date(line, None)
            if full:
                meta_dates.append(full[0])
            continue
        if title is None:
            title = line.rstrip(" .")
            continue
        if noise.is_stop(line):
            break
        kept.append(line)
    if title is None:
        raise IngestError(path, "has no text left after dropping page noise", "Check that it is a bulletin, or trim locales/vi/noise.yaml")

    source = byline = None
    body: list[Block] = []
    open_paragraph = False  # the last body block is a paragraph whose last line did not end a sentence
    for line in kept:
        if not line:
            open_paragraph = False
            continue
        if m := _SOURCE_RE.match(line):
            source = m["text"].rstrip(" .")
            open_paragraph = False
        elif (m := _BYLINE_RE.match(line)) and not m["label"].lower().startswith(("ảnh", "hình")):
            byline = m["text"].rstrip(" .")
            open_paragraph = False
        elif (m := _PHOTO_LABEL_RE.match(line)) or (m := _PHOTO_PAREN_RE.match(line)):
            caption = m["text"].strip(" .")
            body.append(Photo(caption, photo_alt(caption)))
            open_paragraph = False
        elif m := _BULLET_RE.match(line):
            item = m["text"].strip()
            if body and isinstance(body[-1], BulletList):
                body[-1] = BulletList((*body[-1].items, item))
            else:
                body.append(BulletList((item,)))
            open_paragraph = False
        elif open_paragraph and isinstance(body[-1], Paragraph):
            body[-1] = Paragraph(f"{body[-1].text} {line}")
            open_paragraph = not line.endswith(_TERMINAL)
        else:
            body.append(Paragraph(line))
            open_paragraph = not line.endswith(_TERMINAL)

    if not any(isinstance(b, Paragraph) for b in body):
        raise IngestError(path, "has a title but no paragraphs", "Check that the body text was scraped")
    lead = _find_lead((b.text for b in body if isinstance(b, Paragraph)), title, meta_dates)
    stated = date or lead.date
    if stated is None:
        raise IngestError(path, "states no date (looked for 'Sáng 28/6/2024' or 'ngày 28 tháng 6 năm 2024' in the lead)", "Pass the date with --date YYYY-MM-DD")
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
    )


def read_bulletin(path: Path, noise: NoiseList | None = None, date: dt.date | None = None) -> Bulletin:
    """Read a raw scraped bulletin file from disk and structure it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise IngestError(path, "no such file", "Check the path") from None
    except IsADirectoryError:
        raise IngestError(path, "is a folder, not a file", "Pass the bulletin's text file") from None
    return parse_bulletin(decode_bulletin(raw, path), path, noise, date)
