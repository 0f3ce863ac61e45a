"""Which language each part of a bulletin page is in, told from the bulletin's record alone.

The portal never sees the variant, so what it says about languages comes
from the record (``manifest.json``):

- **the title** is translated when the locale's ``title`` differs from the
  bulletin's own; an untranslated title is the source's (``vi``), whatever
  the page's locale (:func:`title_in`);
- **the transcript**: the reading's audio entry lists its ``parts`` (start,
  end, the locale code of the voice that spoke it).  Each WebVTT cue (one
  spoken chunk, see ``bantin.speech.reading.captions_vtt``) takes the
  language spoken longest during its time; cues are then found, in order, in
  the transcript's paragraphs (one script segment each), so a paragraph is in
  the language of most of its cues' text, and a cue in another language is a
  run of its own (:func:`transcript_paragraphs`).  Without cues, a reading in
  one language makes every paragraph that language; a reading in several
  languages without cues leaves the transcript in the page's language;
- **the caption track** is one file: its ``srclang`` is the main spoken
  language (the first of the entry's ``languages``, ISO 639-2 mapped back to
  a locale code), not the page's locale.  Per-language tracks would need the
  VTT split into subsets, which no player offers to switch between usefully
  for one reading; the cue runs of the transcript carry the finer truth;
- **why a locale has no reading or no braille**: the record's reasons are
  bantin's English technical text; the common classes become chrome
  sentences in the UI's language, anything else is shown as it is, marked
  ``lang="en"`` (:func:`why_not`).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup

from bantin.errors import BantinError
from bantin.i18n.locales import ISO639_2
from bantin.portal.library import Bulletin, OutputFile
from bantin.portal.ui import N_, UI
from bantin.publish.record import Entry, Part, Record, parse_record

__all__ = [
    "Cue",
    "PageLanguages",
    "Paragraph",
    "Run",
    "cue_langs",
    "main_spoken",
    "page_languages",
    "parse_vtt",
    "record_of",
    "title_in",
    "transcript_paragraphs",
    "why_not",
]

#: ISO 639-2 (the audio entry's ``languages``, ID3 TLAN) back to the locale code the reading was made for.
_FROM_ISO639_2 = {iso: code for code, iso in ISO639_2.items()}

#: Classes of the record's reasons for a missing reading or braille (bantin's own English), each with its chrome sentence.
REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"no speech engine has an? \S+ voice|has no '?\S+'? voice|no engine can read locale"), N_("Chưa có giọng đọc cho ngôn ngữ này.")),
    (re.compile(r"no (liblouis|braille) table"), N_("Chưa có bảng chữ nổi cho ngôn ngữ này.")),
    (re.compile(r"the locale is not published|translation \d+(\.\d+)?% <"), N_("Bản dịch sang ngôn ngữ này chưa đủ để xuất bản.")),
)


@dataclass(frozen=True)
class Cue:
    """One WebVTT cue: its time and its text (escapes decoded, tags dropped)."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Run:
    """A stretch of a paragraph; ``lang`` (BCP 47) only when it differs from its paragraph's."""

    text: str
    lang: str | None = None


@dataclass(frozen=True)
class Paragraph:
    """A transcript paragraph; ``lang`` (BCP 47) only when it differs from the transcript's (the page's locale)."""

    runs: tuple[Run, ...]
    lang: str | None = None

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class PageLanguages:
    """What the bulletin page says about languages, all as BCP 47 tags."""

    title_lang: str
    #: the caption track's srclang: the main language spoken
    captions_lang: str
    paragraphs: tuple[Paragraph, ...]
    #: why the locale has no reading / no braille, in the UI's language (None: it has one, or nothing says why)
    no_reading: Markup | None = None
    no_braille: Markup | None = None


# --------------------------------------------------------------------------- the record


@lru_cache(maxsize=64)
def _parse(public: bytes) -> Record | None:
    try:
        return parse_record(json.loads(public.decode("utf-8")))
    except (BantinError, ValueError):
        return None


def record_of(b: Bulletin) -> Record | None:
    """The bulletin's record, parsed from the copy the portal serves (None when it cannot be read)."""
    return _parse(b.public_manifest) if b.public_manifest else None


def title_in(b: Bulletin, locale: str) -> tuple[str, str]:
    """The title for ``locale`` and the locale it is written in: the source's when the locale's title is the source title."""
    title, written_in = b.title_in(locale)
    if written_in != b.language and title == b.title:
        return title, b.language
    return title, written_in


def _audio(record: Record | None, locale: str) -> Entry | None:
    if record is None:
        return None
    return next(iter(record.current(locale, "audio")), None)


def _part_lang(part: Part, locale: str) -> str:
    return part.lang or locale


def main_spoken(entry: Entry | None, locale: str) -> str:
    """The locale code of the language heard longest in the reading: its first ``languages``, else from its parts, else ``locale``."""
    if entry is None:
        return locale
    for iso in entry.languages or ():
        if iso in _FROM_ISO639_2:
            return _FROM_ISO639_2[iso]
    heard: dict[str, float] = {}
    for p in entry.parts or ():
        heard[_part_lang(p, locale)] = heard.get(_part_lang(p, locale), 0.0) + (p.end_s - p.start_s)
    return max(heard, key=lambda lang: (heard[lang], lang == locale)) if heard else locale


# --------------------------------------------------------------------------- captions and transcript

_TIMING = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)")
_TAG = re.compile(r"<[^>]*>")


def _seconds(stamp: str) -> float:
    fields = stamp.split(":")
    seconds = 0.0
    for f in fields:
        seconds = seconds * 60 + float(f)
    return seconds


def parse_vtt(text: str) -> list[Cue]:
    """The cues of a WebVTT file, in order; a cue whose timing cannot be read is left out."""
    cues: list[Cue] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = block.split("\n")
        at = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if at is None:
            continue
        match = _TIMING.match(lines[at])
        if match is None:
            continue
        try:
            start, end = _seconds(match.group(1)), _seconds(match.group(2))
        except ValueError:
            continue
        words = html.unescape(_TAG.sub("", " ".join(lines[at + 1 :])))
        cues.append(Cue(start, end, " ".join(words.split())))
    return cues


def cue_langs(cues: Sequence[Cue], parts: Sequence[Part], locale: str) -> list[str]:
    """The locale code each cue is spoken in: the part language heard longest during it (``locale`` when no part overlaps)."""
    langs: list[str] = []
    for cue in cues:
        heard: dict[str, float] = {}
        for p in parts:
            overlap = min(cue.end, p.end_s) - max(cue.start, p.start_s)
            if overlap > 0:
                heard[_part_lang(p, locale)] = heard.get(_part_lang(p, locale), 0.0) + overlap
        langs.append(max(heard, key=lambda lang: (heard[lang], lang == locale)) if heard else locale)
    return langs


def _squash(text: str) -> tuple[str, list[int]]:
    """``text`` with each run of whitespace made one space, and where each of its characters was in ``text``."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if out and out[-1] == " ":
                continue
            ch = " "
        out.append(ch)
        where.append(i)
    return "".join(out), where


def transcript_paragraphs(transcript: str, cues: Sequence[Cue], langs: Sequence[str], page_lang: str, lang_of: Callable[[str], str]) -> list[Paragraph]:
    """The transcript's paragraphs, each with its language and its runs in another language (all BCP 47, None when as around).

    Cues are searched for in order, as the read-along script does: a cue
    not found in the rest of the current paragraph is looked for in the next
    ones; a cue never found is left out.  ``langs`` are the cues' locale codes.
    """
    texts = [p.strip() for p in transcript.replace("\r\n", "\n").split("\n\n") if p.strip()]
    found: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    para, at = 0, 0
    for cue, lang in zip(cues, langs, strict=True):
        if not cue.text:
            continue
        for k in range(para, len(texts)):
            flat, where = _squash(texts[k])
            idx = flat.find(cue.text, at if k == para else 0)
            if idx < 0:
                continue
            start, end = where[idx], where[idx + len(cue.text) - 1] + 1
            found[k].append((start, end, lang_of(lang)))
            para, at = k, idx + len(cue.text)
            break
    return [_paragraph(text, spans, page_lang) for text, spans in zip(texts, found, strict=True)]


def _paragraph(text: str, spans: list[tuple[int, int, str]], page_lang: str) -> Paragraph:
    """One paragraph: in the language of most of its cues' text, with the cues in another language as runs of their own."""
    if not spans:
        return Paragraph((Run(text),))
    size: dict[str, int] = {}
    for start, end, lang in spans:
        size[lang] = size.get(lang, 0) + end - start
    own = max(size, key=lambda lang: (size[lang], lang == page_lang))
    runs: list[Run] = []
    pos = 0

    def add(piece: str, lang: str | None) -> None:
        if not piece:
            return
        if runs and runs[-1].lang == lang:
            runs[-1] = Run(runs[-1].text + piece, lang)
        else:
            runs.append(Run(piece, lang))

    for start, end, lang in spans:
        other = None if lang == own else lang
        gap = text[pos:start]
        # whitespace between two cues of the same other language stays inside their run
        add(gap, other if gap.isspace() and runs and runs[-1].lang == other else None)
        add(text[start:end], other)
        pos = end
    add(text[pos:], None)
    return Paragraph(tuple(runs), None if own == page_lang else own)


def _uniform(paragraphs: list[str], lang: str, page_lang: str) -> list[Paragraph]:
    return [Paragraph((Run(p),), None if lang == page_lang else lang) for p in paragraphs]


def _read(b: Bulletin, f: OutputFile | None, limit: int = 512 * 1024) -> str | None:
    path = b.file_path(f.path) if f else None
    if path is None:
        return None
    try:
        return path.read_bytes()[:limit].decode("utf-8", errors="replace")
    except OSError:
        return None


# --------------------------------------------------------------------------- why not


def why_not(reason: str | None, ui: UI, missing: str) -> Markup | None:
    """The record's reason for a missing output, as a chrome sentence in the UI's language.

    A reason of no known class follows ``missing`` (the chrome sentence saying
    what is missing) as bantin wrote it, in English and marked so.
    """
    if not reason:
        return None
    for pattern, message in REASONS:
        if pattern.search(reason):
            return ui.gettext(message)
    text = reason.removeprefix("no reading: ").removeprefix("no braille: ")
    return ui.gettext(missing) + Markup(' <span lang="en">(%s)</span>') % text


# --------------------------------------------------------------------------- the page


def page_languages(b: Bulletin, locale: str, transcript: str | None, captions: OutputFile | None, ui: UI, lang_of: Callable[[str], str]) -> PageLanguages:
    """Everything the bulletin page of ``locale`` says about languages (``lang_of``: locale code -> BCP 47)."""
    record = record_of(b)
    entry = _audio(record, locale)
    page_lang = lang_of(locale)
    _, title_locale = title_in(b, locale)
    texts = [p.strip() for p in (transcript or "").replace("\r\n", "\n").split("\n\n") if p.strip()]
    parts = list(entry.parts or ()) if entry else []
    spoken = {_part_lang(p, locale) for p in parts}
    if len(spoken) == 1:
        paragraphs = _uniform(texts, lang_of(spoken.pop()), page_lang)
    elif spoken:
        cues = parse_vtt(_read(b, captions) or "")
        paragraphs = transcript_paragraphs(transcript or "", cues, cue_langs(cues, parts, locale), page_lang, lang_of)
    else:
        paragraphs = _uniform(texts, page_lang, page_lang)
    loc = record.locale(locale) if record else None
    return PageLanguages(
        title_lang=lang_of(title_locale),
        captions_lang=lang_of(main_spoken(entry, locale)),
        paragraphs=tuple(paragraphs),
        no_reading=why_not(loc.no_reading, ui, N_("Chưa có bản đọc cho ngôn ngữ này.")) if loc and entry is None else None,
        no_braille=why_not(loc.no_braille, ui, N_("Chưa có chữ nổi cho ngôn ngữ này.")) if loc else None,
    )
