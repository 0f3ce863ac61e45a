"""The portal's view of ``outputs/``: bulletins and their files, read only from their records.

Every bulletin comes from :func:`bantin.publish.record.read_record` (schema 1
manifests are migrated there).  Only current entries are served: stale ones
(kept from an earlier publish whose inputs changed since) are listed apart,
and skipped, failed or stale-only locales are never shown as published.
Nothing here joins a request path onto the filesystem: a file is found by
looking its record path up in a dict.  Every record path goes through one
check, :func:`bantin.fsutil.contained` (in :meth:`Bulletin.file_path`, and when
the record is read): a path that is absolute, holds ``..`` or resolves through
a link outside the bulletin's generation is dropped with one log line, so it
is never served, packed, listed in a feed or exported.  A file must also still
have the size and mtime its record gives before anyone opens it.
The record itself is served as :mod:`.public` rewrites it: no server paths.

This module reads one bulletin's record (:func:`cached_bulletin`: one ``stat``,
and a read only when the record file changed; the 512 most recently used are
kept).  Listing the whole archive is :mod:`.archive`'s job, from the index.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from bantin import settings
from bantin.errors import BantinError, RecordError
from bantin.fsutil import contained, unsafe_relpath
from bantin.i18n.locales import SOURCE_LOCALE
from bantin.portal.public import public_record
from bantin.publish.index import locale_states
from bantin.publish.record import MANIFEST_NAME, Entry, Record, parse_record

__all__ = ["RESERVED_IDS", "Bulletin", "Library", "LocaleStatus", "OutputFile", "load_library"]

log = logging.getLogger("bantin.portal")

#: Top-level URL segments the portal uses itself; a bulletin id equal to one is not served.
RESERVED_IDS = frozenset({"feed", "packs", "static", "page", "archive", "search"})

_ID_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,199}$")
_LOCALE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

#: Media types by kind, for manifests that do not say.
_DEFAULT_TYPES = {
    "pdf": "application/pdf",
    "preview": "image/png",
    "audio": "audio/mpeg",
    "transcript": "text/plain; charset=utf-8",
    "captions": "text/vtt; charset=utf-8",
    "braille-brf": "application/x-brf",
    "braille-pef": "application/x-pef+xml",
    "epub": "application/epub+zip",
}


@dataclass(frozen=True)
class OutputFile:
    """One file a manifest lists, with the facts the portal shows."""

    path: str  # relative to outputs/<id>, POSIX
    kind: str
    locale: str | None
    media_type: str
    bytes: int | None = None
    sha256: str | None = None
    profile: str | None = None
    pages: int | None = None
    duration_s: float | None = None
    engine: str | None = None
    degraded: bool = False
    preview: str | None = None  # relative path of the page-1 PNG (pdf entries)
    mtime_ns: int | None = None
    stale: bool = False

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name


@dataclass(frozen=True)
class LocaleStatus:
    """Where one locale of a bulletin stands: published or not, how much is translated, and why."""

    code: str
    status: str  # "source", "published", "skipped", "failed" or "outdated" (only stale files)
    published: bool
    percent: float | None = None
    reason: str | None = None
    title: str | None = None
    date_text: str | None = None


class LocaleQueries:
    """What a bulletin answers about its locales, from its record (:class:`Bulletin`) or its index entry (``Listed``)."""

    title: str
    language: str
    locales: tuple[LocaleStatus, ...]

    @property
    def published_locales(self) -> list[str]:
        """Locales with at least one file, source first."""
        return [s.code for s in self.locales if s.published]

    def status(self, code: str) -> LocaleStatus | None:
        return next((s for s in self.locales if s.code == code), None)

    def title_in(self, code: str) -> tuple[str, str]:
        """The title for locale ``code`` and the locale it is actually written in."""
        st = self.status(code)
        if st and st.title and st.published:
            return st.title, code
        return self.title, self.language


@dataclass(frozen=True)
class Bulletin(LocaleQueries):
    """A published bulletin as the portal serves it."""

    id: str
    title: str
    date: dt.date
    language: str
    generated_at: dt.datetime
    folder: Path
    manifest_path: Path
    manifest_sha256: str
    files: Mapping[str, OutputFile]
    locales: tuple[LocaleStatus, ...]
    extra_paths: frozenset[str] = field(default=frozenset())  # listed only as a pdf's ``preview``
    #: outputs kept from an earlier publish whose inputs changed since: never served as current
    stale: Mapping[str, OutputFile] = field(default_factory=dict)
    #: the record as served (``/<id>/manifest.json``, packs, export): no server paths (:mod:`.public`)
    public_manifest: bytes = b""
    public_sha256: str = ""
    #: the record's editorial state: only ``published`` is served (a ``retracted`` page answers 410 Gone)
    editorial: str = "published"
    #: degraded readings no approver accepted (their paths): shown on the page as machine readings, never in a feed
    held: frozenset[str] = field(default=frozenset())

    @property
    def served(self) -> bool:
        """Whether the portal, packs and the export may show this bulletin: editorially published."""
        return self.editorial == "published"

    # ----------------------------------------------------------------- queries

    def outputs(self, locale: str | None = None, kind: str | None = None) -> list[OutputFile]:
        """Listed files, optionally of one locale and kind, in manifest path order."""
        return [f for f in self.files.values() if (locale is None or f.locale == locale) and (kind is None or f.kind == kind)]

    def preview_for(self, pdf: OutputFile) -> OutputFile | None:
        """The page-1 PNG of a PDF: its ``preview`` key, or a preview entry of the same locale and profile."""
        if pdf.preview and pdf.preview in self.files:
            return self.files[pdf.preview]
        return next(
            (f for f in self.files.values() if f.kind == "preview" and f.locale == pdf.locale and f.profile == pdf.profile),
            None,
        )

    def file_path(self, rel: str) -> Path | None:
        """The file on disk for a listed path, or None when unlisted, missing, changed or outside the generation."""
        entry = self.files.get(rel)
        if entry is None:
            return None
        inside = contained(self.folder, entry.path)
        if inside is None:  # a link changed since the record was read
            log.warning("%s: record path %r leaves the bulletin's generation; not served", self.id, entry.path)
            return None
        candidate = inside.resolve()
        if not candidate.is_file():
            return None
        st = candidate.stat()
        if (entry.bytes is not None and st.st_size != entry.bytes) or (entry.mtime_ns is not None and st.st_mtime_ns != entry.mtime_ns):
            log.warning("%s: size or mtime differs from its record (changed by hand?); not served", candidate)
            return None
        return candidate


@dataclass(frozen=True)
class Library:
    """Every bulletin under one outputs folder, newest first."""

    root: Path
    bulletins: tuple[Bulletin, ...]

    def get(self, bulletin_id: str) -> Bulletin | None:
        return next((b for b in self.bulletins if b.id == bulletin_id), None)

    def reading_locales(self) -> list[str]:
        """Locales that have an audio reading in some bulletin: source language first, then by code."""
        codes = {f.locale for b in self.bulletins for f in b.outputs(kind="audio") if f.locale}
        return sorted(codes, key=lambda c: (c != SOURCE_LOCALE, c))


# --------------------------------------------------------------------------- from the record


def _safe_rel(path: object, where: str) -> str | None:
    """A record path if it is a plain relative POSIX path (no .., not absolute, no backslash); else None, logged."""
    reason = unsafe_relpath(path) if isinstance(path, str) else "it is not a string"
    if reason is not None:
        log.warning("%s: record path %r leaves the bulletin's generation (%s); never served", where, path, reason)
        return None
    return str(path)


def _output(entry: Entry, where: str) -> OutputFile | None:
    rel = _safe_rel(entry.path, where)
    if rel is None or (entry.locale and not _LOCALE_RE.match(entry.locale)):
        return None
    return OutputFile(
        path=rel,
        kind=entry.kind,
        locale=entry.locale or None,
        media_type=entry.media_type if entry.media_type != "application/octet-stream" else _DEFAULT_TYPES.get(entry.kind, entry.media_type),
        bytes=entry.bytes,
        sha256=entry.sha256 if entry.sha256 and re.fullmatch(r"[0-9a-f]{64}", entry.sha256) else None,
        profile=entry.profile,
        pages=entry.pages,
        duration_s=entry.duration_s,
        engine=entry.engine,
        degraded=entry.degraded is True,
        mtime_ns=entry.mtime_ns,
        stale=entry.stale,
    )


def _locale_statuses(record: Record) -> tuple[LocaleStatus, ...]:
    """Each locale of the record: the source, published (with current files), skipped, failed or outdated (:func:`locale_states`)."""
    return tuple(
        LocaleStatus(s.code, s.status, s.published, s.percent, s.reason, s.title, s.date_text) for s in locale_states(record) if _LOCALE_RE.match(s.code)
    )


def _parse_time(value: object, fallback: dt.datetime) -> dt.datetime:
    if isinstance(value, str) and value:
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
        except ValueError:
            pass
    return fallback


def read_bulletin(folder: Path) -> Bulletin | None:
    """The bulletin in ``folder`` from its record, or None (logged) when it is unusable."""
    import json

    manifest_path = folder / MANIFEST_NAME
    if contained(folder, MANIFEST_NAME) is None:
        log.warning("%s: a link out of the bulletin's generation; skipped", manifest_path)
        return None
    try:
        raw_bytes = manifest_path.read_bytes()
        record = parse_record(json.loads(raw_bytes.decode("utf-8")), str(manifest_path))
        public = public_record(raw_bytes, _roots(folder))
    except RecordError as exc:  # names the file and the field already
        log.warning("%s; skipped", exc)
        return None
    except (OSError, ValueError) as exc:
        log.warning("%s: not a usable record (%s); skipped", manifest_path, exc)
        return None
    bulletin_id = record.id
    if bulletin_id != folder.name or not _ID_RE.match(bulletin_id) or bulletin_id in RESERVED_IDS:
        log.warning("%s: bulletin id %r does not match its folder or is reserved; skipped", manifest_path, bulletin_id)
        return None
    files: dict[str, OutputFile] = {}
    stale: dict[str, OutputFile] = {}
    previews: dict[tuple[str | None, str | None], str] = {}
    for entry in record.outputs:
        out = _output(entry, str(manifest_path))
        if out is None:
            continue
        if contained(folder, out.path) is None:
            log.warning("%s: record path %r leads out of the bulletin's generation (a link); never served", manifest_path, out.path)
            continue
        (stale if out.stale else files)[out.path] = out
        if out.kind == "preview" and not out.stale:
            previews[(out.locale, out.profile)] = out.path
    extra: set[str] = set()
    for entry in record.current(kind="pdf"):
        rel = entry.path
        if rel not in files:
            continue
        named = _safe_rel(entry.preview, str(manifest_path)) if entry.preview else None
        if named and contained(folder, named) is None:
            log.warning("%s: preview path %r leads out of the bulletin's generation (a link); never served", manifest_path, named)
            named = None
        out = files[rel]
        if named and named not in files:  # schema 1: the preview named only on its PDF
            files[named] = OutputFile(path=named, kind="preview", locale=out.locale, media_type="image/png", profile=out.profile)
            extra.add(named)
        preview = named or previews.get((out.locale, out.profile))
        if preview:
            files[rel] = OutputFile(**{**out.__dict__, "preview": preview})
    mtime = dt.datetime.fromtimestamp(int(manifest_path.stat().st_mtime), dt.UTC)
    return Bulletin(
        id=bulletin_id,
        title=record.bulletin.title,
        date=record.bulletin.date,
        language=record.bulletin.language,
        generated_at=_parse_time(record.generated_at, mtime),
        folder=folder,
        manifest_path=manifest_path,
        manifest_sha256=hashlib.sha256(raw_bytes).hexdigest(),
        files=dict(sorted(files.items())),
        locales=_locale_statuses(record),
        stale=dict(sorted(stale.items())),
        extra_paths=frozenset(extra),
        public_manifest=public,
        public_sha256=hashlib.sha256(public).hexdigest(),
        editorial=record.editorial.state,
        held=frozenset(e.path for e in record.held_readings()),
    )


def _roots(folder: Path) -> list[Path]:
    """Folders whose paths the public record shows relative: the generation, the project (else the outputs folder's parent)."""
    roots = [folder, folder.parent.parent]
    with contextlib.suppress(BantinError):
        roots.append(settings.project_root())
    return roots


#: Bulletins read from their records, by record file, with the stamp they were read at: the most recently used ones only,
#: so a portal over 10,000 bulletins keeps a few hundred records in memory, not all.
_CACHE: OrderedDict[Path, tuple[tuple[int, int, int], Bulletin | None]] = OrderedDict()
_CACHE_SIZE = 512
_CACHE_LOCK = threading.Lock()
#: How many records this process has read (tests count them: listing pages and feeds read none).
RECORD_READS = [0]


def cached_bulletin(folder: Path) -> Bulletin | None:
    """The bulletin in ``folder`` (``outputs/<id>``), read again only when its record file changed (one ``stat``)."""
    manifest = folder / MANIFEST_NAME
    try:
        st = manifest.stat()
    except OSError:
        return None
    key = (st.st_mtime_ns, st.st_size, st.st_ino)  # a new generation is a new file
    with _CACHE_LOCK:
        cached = _CACHE.get(manifest)
        if cached is not None and cached[0] == key:
            _CACHE.move_to_end(manifest)
            return cached[1]
    RECORD_READS[0] += 1
    bulletin = read_bulletin(folder)
    with _CACHE_LOCK:
        _CACHE[manifest] = (key, bulletin)
        _CACHE.move_to_end(manifest)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return bulletin


def load_library(root: Path, reserved: Iterable[str] = ()) -> Library:
    """Every published bulletin under ``root`` (one folder each, with a manifest), newest first, each read from its record.

    A draft or retracted bulletin is left out: nothing lists, packs or exports it.

    This reads every record (those unchanged since the last call come from a
    bounded cache): for tools and tests over a few bulletins.  The portal and
    the export list the archive from the index instead (:mod:`.archive`).
    """
    reserved_ids = RESERVED_IDS | set(reserved)
    found: list[Bulletin] = []
    if root.is_dir():
        for folder in sorted(root.iterdir()):
            if not folder.is_dir() or folder.name in reserved_ids or not (folder / MANIFEST_NAME).is_file():
                continue
            bulletin = cached_bulletin(folder)
            if bulletin is not None and bulletin.served:
                found.append(bulletin)
    found.sort(key=lambda b: (b.date, b.generated_at, b.id), reverse=True)
    return Library(root=root, bulletins=tuple(found))
