"""The archive as the portal lists it: built from the index, never from every record.

:class:`Archive` reconciles the index with the records once, at start (one
``stat`` per bulletin; a record is read again only when it changed), then
watches it (:class:`~bantin.publish.index.IndexReader`: one ``stat`` at most
once a second).  Each change gives a new :class:`ArchiveView`, immutable: the
bulletins newest first, by month, the reading locales and the newest items of
each feed.  Everything a listing page or a feed shows comes from there, so
their cost does not depend on the size of the archive.

The index is never trusted to serve a file: a bulletin's page, files, record
and pack come from its record (:func:`.library.cached_bulletin`, one record
per request, cached by its file's stamp).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bantin.fsutil import contained
from bantin.i18n.locales import SOURCE_LOCALE
from bantin.portal.library import _DEFAULT_TYPES, _ID_RE, _LOCALE_RE, RESERVED_IDS, Bulletin, LocaleQueries, LocaleStatus, OutputFile, cached_bulletin
from bantin.publish.index import IndexReader, Summary, reconcile

__all__ = ["PER_PAGE", "Archive", "ArchiveView", "Listed", "fold"]

#: Bulletins per index page.
PER_PAGE = 20


def fold(text: str) -> str:
    """``text`` for matching a search: lower case, accents dropped, đ as d, spaces collapsed."""
    base = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D")).casefold()
    return " ".join("".join(c for c in base if not unicodedata.combining(c)).split())


@dataclass(frozen=True)
class Listed(LocaleQueries):
    """A published bulletin as listings show it (from its index entry): titles, date, locales, its readings."""

    id: str
    title: str
    date: dt.date
    language: str
    generated_at: dt.datetime
    locales: tuple[LocaleStatus, ...]
    #: the first current reading of each locale, as the record listed it when the index entry was made
    audio: Mapping[str, OutputFile]
    #: ``outputs/<id>``
    folder: Path
    #: sha256 of the record the entry was made from
    record_sha256: str
    search_key: str = ""

    @property
    def month(self) -> str:
        return f"{self.date.year:04d}-{self.date.month:02d}"

    def reading(self, locale: str) -> OutputFile | None:
        """The locale's reading, if its file is still inside the generation with the size and mtime listed (one ``stat``)."""
        audio = self.audio.get(locale)
        if audio is None or audio.bytes is None:
            return None
        path = contained(self.folder, audio.path)
        try:
            st = path.stat() if path is not None else None
        except OSError:
            return None
        if st is None or st.st_size != audio.bytes or (audio.mtime_ns is not None and st.st_mtime_ns != audio.mtime_ns):
            return None
        return audio


def _time(value: str, fallback: dt.datetime) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return fallback
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def listed(summary: Summary, root: Path) -> Listed | None:
    """The listing of one index entry, or None when it lists nothing (unpublished, a draft, retracted, unusable, a bad id or date).

    A degraded reading no approver accepted (``held``) is left out of its readings: it never reaches a feed.
    """
    if not summary.listable or summary.date is None or not _ID_RE.match(summary.id):
        return None
    locales = tuple(LocaleStatus(s.code, s.status, s.published, s.percent, s.reason, s.title, s.date_text) for s in summary.locales if _LOCALE_RE.match(s.code))
    audio: dict[str, OutputFile] = {}
    for o in summary.outputs:
        if o.kind == "audio" and not o.held and o.locale and o.locale not in audio and _LOCALE_RE.match(o.locale):
            media = o.media_type if o.media_type != "application/octet-stream" else _DEFAULT_TYPES["audio"]
            audio[o.locale] = OutputFile(
                path=o.path,
                kind="audio",
                locale=o.locale,
                media_type=media,
                bytes=o.bytes,
                sha256=o.sha256,
                duration_s=o.duration_s,
                degraded=o.degraded,
                mtime_ns=o.mtime_ns,
            )
    fallback = dt.datetime.fromtimestamp(summary.record.mtime_ns / 1e9, dt.UTC).replace(microsecond=0)
    titles = [summary.title, *(s.title for s in locales if s.title and s.published)]
    return Listed(
        id=summary.id,
        title=summary.title,
        date=summary.date,
        language=summary.language,
        generated_at=_time(summary.generated_at, fallback),
        locales=locales,
        audio=audio,
        folder=root / summary.id,
        record_sha256=summary.record.sha256,
        search_key=fold(" \n ".join(titles)),
    )


@dataclass(frozen=True)
class ArchiveView:
    """One version of the archive's listing (immutable; a change makes a new one)."""

    version: int
    bulletins: tuple[Listed, ...]  # newest first
    by_id: Mapping[str, Listed] = field(default_factory=dict)
    #: the latest editorial change of any bulletin, listed or not (a retraction must move the feeds' Last-Modified)
    changed_at: dt.datetime | None = None

    @cached_property
    def months(self) -> tuple[tuple[str, tuple[Listed, ...]], ...]:
        """(``YYYY-MM``, its bulletins newest first), newest month first."""
        found: dict[str, list[Listed]] = {}
        for b in self.bulletins:
            found.setdefault(b.month, []).append(b)
        return tuple((m, tuple(bs)) for m, bs in found.items())

    def month(self, key: str) -> tuple[Listed, ...] | None:
        return next((bs for m, bs in self.months if m == key), None)

    @cached_property
    def reading_locales(self) -> tuple[str, ...]:
        """Locales that have a reading in some bulletin: the source language first, then by code."""
        codes = {code for b in self.bulletins for code in b.audio}
        return tuple(sorted(codes, key=lambda c: (c != SOURCE_LOCALE, c)))

    @cached_property
    def newest(self) -> dt.datetime | None:
        return max((b.generated_at for b in self.bulletins), default=None)

    def pages(self, per_page: int = PER_PAGE) -> int:
        return max(1, -(-len(self.bulletins) // per_page))

    def page(self, number: int, per_page: int = PER_PAGE) -> tuple[Listed, ...]:
        """Page ``number`` (from 1, the newest) of the index."""
        return self.bulletins[(number - 1) * per_page : number * per_page]

    def search(self, query: str) -> tuple[Listed, ...]:
        """Bulletins whose title (in any published locale) holds every word of ``query``, accents and case ignored."""
        words = fold(query).split()
        if not words:
            return ()
        return tuple(b for b in self.bulletins if all(w in b.search_key for w in words))

    def feed_items(self, locale: str, limit: int) -> tuple[tuple[Listed, OutputFile], ...]:
        """The newest ``limit`` bulletins with a reading in ``locale`` whose file is still as listed."""
        items: list[tuple[Listed, OutputFile]] = []
        for b in self.bulletins:
            if locale in b.audio and (audio := b.reading(locale)) is not None:
                items.append((b, audio))
                if len(items) >= limit:
                    break
        return tuple(items)


def build_view(summaries: Iterable[Summary], root: Path, version: int, reserved: frozenset[str]) -> ArchiveView:
    """The listing of every published entry of the index (reserved ids left out), newest first."""
    kept = [s for s in summaries if s.id not in reserved]
    found = [x for s in kept if (x := listed(s, root)) is not None]
    found.sort(key=lambda b: (b.date, b.generated_at, b.id), reverse=True)
    epoch = dt.datetime.fromtimestamp(0, dt.UTC)
    changes = [_time(s.editorial_at, epoch) for s in kept if s.editorial_at]
    changed_at = max(changes, default=None)
    return ArchiveView(version=version, bulletins=tuple(found), by_id={b.id: b for b in found}, changed_at=changed_at)


def _listing_only(summary: Summary) -> Summary:
    """What a listing needs of an index entry: everything but the outputs other than readings (a tenth of its memory)."""
    return summary.model_copy(update={"outputs": tuple(o for o in summary.outputs if o.kind == "audio")})


class Archive:
    """The published bulletins under ``root`` for a long-running reader: listing from the index, files from the records."""

    def __init__(self, root: Path, reserved: Iterable[str] = (), interval: float = 1.0) -> None:
        self.root = root
        self.reserved = RESERVED_IDS | frozenset(reserved)
        report = reconcile(root, collect=False)
        static = reconcile(root, write=False).summaries.values() if report.read_only else None
        self.reader = IndexReader(root, interval, static=static, keep=_listing_only)
        self.reader.refresh()
        self._lock = threading.Lock()
        self._view = build_view(self.reader.summaries.values(), root, self.reader.version, self.reserved)

    def view(self) -> ArchiveView:
        """The current listing: the index is looked at (one ``stat``) at most once per interval, rebuilt only when it changed."""
        with self._lock:
            if self.reader.refresh():
                self._view = build_view(self.reader.summaries.values(), self.root, self.reader.version, self.reserved)
            return self._view

    def bulletin(self, bulletin_id: str) -> Bulletin | None:
        """One published bulletin from its record (whatever the index says), or None; one ``stat``, and a read when the record changed.

        A draft or retracted record gives None: its pages, files, record and pack are never served.
        """
        found = self.any_bulletin(bulletin_id)
        return found if found is not None and found.served else None

    def any_bulletin(self, bulletin_id: str) -> Bulletin | None:
        """One bulletin from its record, whatever its editorial state (to answer 410 Gone for a retracted one)."""
        if bulletin_id in self.reserved or not _ID_RE.match(bulletin_id):
            return None
        folder = self.root / bulletin_id
        if not os.path.lexists(folder):
            return None
        return cached_bulletin(folder)
