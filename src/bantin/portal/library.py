"""The portal's view of ``outputs/``: bulletins and their files, read only from the manifests.

Nothing here joins a request path onto the filesystem: a file is found by
looking its manifest path up in a dict, and the answer is checked to sit
inside the bulletin's folder (symlinks resolved) before anyone opens it.
Manifests from older and newer bantin versions are both read: fields the
portal knows are used when present (previews, captions, transcripts, locale
status) and simply missing otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from bantin.i18n.locales import SOURCE_LOCALE
from bantin.publish.manifest import MANIFEST_NAME

__all__ = ["Bulletin", "Library", "LocaleStatus", "OutputFile", "RESERVED_IDS", "load_library"]

log = logging.getLogger("bantin.portal")

#: Top-level URL segments the portal uses itself; a bulletin id equal to one is not served.
RESERVED_IDS = frozenset({"feed", "packs", "static"})

_ID_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,199}$")
_LOCALE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

#: Media types by kind, for manifests that do not say.
_DEFAULT_TYPES = {
    "pdf": "application/pdf",
    "preview": "image/png",
    "audio": "audio/mpeg",
    "transcript": "text/plain; charset=utf-8",
    "captions": "text/vtt; charset=utf-8",
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

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name


@dataclass(frozen=True)
class LocaleStatus:
    """Where one locale of a bulletin stands: published or not, how much is translated, and why."""

    code: str
    status: str  # "source", "published", "skipped", or whatever the manifest says
    published: bool
    percent: float | None = None
    reason: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Bulletin:
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

    # ----------------------------------------------------------------- queries

    def outputs(self, locale: str | None = None, kind: str | None = None) -> list[OutputFile]:
        """Listed files, optionally of one locale and kind, in manifest path order."""
        return [
            f for f in self.files.values()
            if (locale is None or f.locale == locale) and (kind is None or f.kind == kind)
        ]

    @property
    def published_locales(self) -> list[str]:
        """Locales with at least one file, source first."""
        return [s.code for s in self.locales if s.published]

    def status(self, code: str) -> LocaleStatus | None:
        return next((s for s in self.locales if s.code == code), None)

    def title_in(self, code: str) -> tuple[str, str]:
        """The title for locale ``code`` and the locale it is actually written in."""
        st = self.status(code)
        if st and st.title and code != self.language:
            return st.title, code
        return self.title, self.language

    def preview_for(self, pdf: OutputFile) -> OutputFile | None:
        """The page-1 PNG of a PDF: its ``preview`` key, or a preview entry of the same locale and profile."""
        if pdf.preview and pdf.preview in self.files:
            return self.files[pdf.preview]
        return next(
            (f for f in self.files.values() if f.kind == "preview" and f.locale == pdf.locale and f.profile == pdf.profile),
            None,
        )

    def file_path(self, rel: str) -> Path | None:
        """The file on disk for a listed path, or None when unlisted, missing or outside the folder."""
        entry = self.files.get(rel)
        if entry is None:
            return None
        candidate = (self.folder / entry.path).resolve()
        folder = self.folder.resolve()
        if folder not in candidate.parents or not candidate.is_file():
            return None
        if entry.bytes is not None and candidate.stat().st_size != entry.bytes:
            log.warning("%s: size differs from the manifest (publishing in progress?); not served", candidate)
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


# --------------------------------------------------------------------------- parsing


def _safe_rel(path: object) -> str | None:
    """A manifest path if it is a plain relative POSIX path (no .., no absolute, no backslash)."""
    if not isinstance(path, str) or not path or "\\" in path or "\x00" in path:
        return None
    p = PurePosixPath(path)
    if p.is_absolute() or any(part in ("", ".", "..") for part in path.split("/")):
        return None
    return p.as_posix()


def _num(value: object, kind: type) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return kind(value)


def _output(entry: Mapping[str, Any]) -> OutputFile | None:
    rel = _safe_rel(entry.get("path"))
    kind = entry.get("kind")
    if rel is None or not isinstance(kind, str):
        return None
    locale = entry.get("locale") if isinstance(entry.get("locale"), str) else None
    media_type = entry.get("media_type") if isinstance(entry.get("media_type"), str) else None
    preview = entry.get("preview")
    return OutputFile(
        path=rel,
        kind=kind,
        locale=locale,
        media_type=media_type or _DEFAULT_TYPES.get(kind, "application/octet-stream"),
        bytes=_num(entry.get("bytes"), int),
        sha256=entry["sha256"] if isinstance(entry.get("sha256"), str) and re.fullmatch(r"[0-9a-f]{64}", entry["sha256"]) else None,
        profile=entry.get("profile") if isinstance(entry.get("profile"), str) else None,
        pages=_num(entry.get("pages"), int),
        duration_s=_num(entry.get("duration_s"), float),
        engine=entry.get("engine") if isinstance(entry.get("engine"), str) else None,
        degraded=entry.get("degraded") is True,
        preview=_safe_rel(preview) if isinstance(preview, str) else None,
    )


def _locale_statuses(raw: object, source: str, files: Iterable[OutputFile]) -> tuple[LocaleStatus, ...]:
    """Normalize ``manifest["locales"]`` (a list of codes, or code -> status mapping)."""
    with_files = {f.locale for f in files if f.locale}
    found: dict[str, LocaleStatus] = {}
    if isinstance(raw, Mapping):
        for code, info in raw.items():
            if not isinstance(code, str) or not _LOCALE_RE.match(code):
                continue
            info = info if isinstance(info, Mapping) else {}
            status = str(info.get("status") or ("source" if code == source else "published"))
            percent = _num(info.get("percent"), float)
            reason = info.get("reason") if isinstance(info.get("reason"), str) else None
            title = info.get("title") if isinstance(info.get("title"), str) else None
            found[code] = LocaleStatus(code, status, code in with_files, percent, reason, title)
    elif isinstance(raw, list):
        for code in raw:
            if isinstance(code, str) and _LOCALE_RE.match(code):
                found[code] = LocaleStatus(code, "source" if code == source else "published", code in with_files)
    for code in sorted(with_files - found.keys()):
        if _LOCALE_RE.match(code):
            found[code] = LocaleStatus(code, "source" if code == source else "published", True)
    return tuple(sorted(found.values(), key=lambda s: (s.code != source, s.code)))


def _parse_time(value: object, fallback: dt.datetime) -> dt.datetime:
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
        except ValueError:
            pass
    return fallback


def read_bulletin(folder: Path) -> Bulletin | None:
    """The bulletin in ``folder`` from its manifest, or None (logged) when it is unusable."""
    import hashlib

    manifest_path = folder / MANIFEST_NAME
    try:
        raw_bytes = manifest_path.read_bytes()
        data = json.loads(raw_bytes.decode("utf-8"))
        head = data["bulletin"]
        bulletin_id = str(head["id"])
        date = dt.date.fromisoformat(str(head["date"]))
        title = str(head["title"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("%s: not a usable manifest (%s); skipped", manifest_path, exc)
        return None
    if bulletin_id != folder.name or not _ID_RE.match(bulletin_id) or bulletin_id in RESERVED_IDS:
        log.warning("%s: bulletin id %r does not match its folder or is reserved; skipped", manifest_path, bulletin_id)
        return None
    language = str(head.get("language") or SOURCE_LOCALE)
    files: dict[str, OutputFile] = {}
    for entry in data.get("outputs") or []:
        out = _output(entry) if isinstance(entry, Mapping) else None
        if out is not None:
            files[out.path] = out
    extra: set[str] = set()
    for out in list(files.values()):
        if out.kind == "pdf" and out.preview and out.preview not in files:
            files[out.preview] = OutputFile(path=out.preview, kind="preview", locale=out.locale, media_type="image/png", profile=out.profile)
            extra.add(out.preview)
    mtime = dt.datetime.fromtimestamp(int(manifest_path.stat().st_mtime), dt.timezone.utc)
    return Bulletin(
        id=bulletin_id,
        title=title,
        date=date,
        language=language,
        generated_at=_parse_time(data.get("generated_at"), mtime),
        folder=folder,
        manifest_path=manifest_path,
        manifest_sha256=hashlib.sha256(raw_bytes).hexdigest(),
        files=dict(sorted(files.items())),
        locales=_locale_statuses(data.get("locales"), language, files.values()),
        extra_paths=frozenset(extra),
    )


_CACHE: dict[Path, tuple[tuple[int, int], Bulletin | None]] = {}


def load_library(root: Path, reserved: Iterable[str] = ()) -> Library:
    """Every bulletin under ``root`` (one folder each, with a manifest), newest first.

    Manifests are re-read only when their size or mtime changed, so a portal
    left running sees new publications without a restart.
    """
    reserved_ids = RESERVED_IDS | set(reserved)
    found: list[Bulletin] = []
    if root.is_dir():
        for folder in sorted(root.iterdir()):
            manifest = folder / MANIFEST_NAME
            if not folder.is_dir() or folder.name in reserved_ids or not manifest.is_file():
                continue
            st = manifest.stat()
            key = (st.st_mtime_ns, st.st_size)
            cached = _CACHE.get(manifest)
            if cached is None or cached[0] != key:
                cached = (key, read_bulletin(folder))
                _CACHE[manifest] = cached
            if cached[1] is not None:
                found.append(cached[1])
    found.sort(key=lambda b: (b.date, b.generated_at, b.id), reverse=True)
    return Library(root=root, bulletins=tuple(found))
