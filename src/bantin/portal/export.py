"""Static export: the portal as plain files, with relative links, for any static web server (nginx, a CDN).

``bantin portal --export DIR`` writes the index pages (20 bulletins a page,
newest first), the month archive, the bulletin pages (in Vietnamese at the top
level, and under ``<ui>/`` for every UI language), the files the records list,
the records (their public copies, without server paths), the broadcast packs,
the feeds and the portal's own files (favicon, cover, Khmer web font,
read-along script).  A record path that leaves its generation is never
exported (:meth:`Bulletin.file_path` refuses it).

The export is incremental.  It lists the archive from the index
(:mod:`bantin.publish.index`, reconciled with the records first: one ``stat``
per bulletin) and keeps, in ``DIR/.bantin-export.json``, what it wrote for
each bulletin and from which record.  A later export reads the record of, and
writes the files of, only the bulletins that are new or changed; it removes
those of bulletins that are gone or no longer published; and it rewrites the
listing pages and feeds only where their bytes changed.  Listed files are hard
links to the outputs where the filesystem allows (copies otherwise): the
outputs are never written through (a publish replaces files by rename), so the
link keeps the exported bytes.  Every write is atomic, so a web server serving
``DIR`` meanwhile never sends half a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bantin import __version__, settings
from bantin.fsutil import atomic_path
from bantin.i18n.catalogs import chrome_po_path
from bantin.i18n.locales import SOURCE_LOCALE
from bantin.paths import ASSETS_DIR
from bantin.portal.archive import ArchiveView, Listed, build_view
from bantin.portal.feed import FeedConfig, build_feed
from bantin.portal.library import RESERVED_IDS, Bulletin, Library, cached_bulletin
from bantin.portal.pack import build_pack, pack_etag
from bantin.portal.pages import (
    Linker,
    PageContext,
    archive_path,
    bulletin_path,
    feed_path,
    file_path,
    manifest_path,
    month_path,
    pack_path,
    page_path,
    read_transcript,
    render_archive,
    render_bulletin,
    render_index,
    render_month,
    render_not_found,
)
from bantin.portal.static import static_files
from bantin.portal.ui import get_ui, ui_languages
from bantin.publish.index import reconcile

__all__ = ["STATE_NAME", "ExportReport", "export_site"]

log = logging.getLogger("bantin.portal")

#: What the last export wrote, kept in the export folder (a dot file: nginx's configuration refuses to serve it).
STATE_NAME = ".bantin-export.json"
_STATE_FORMAT = 1


@dataclass
class ExportReport:
    """What an export wrote (created or changed), left alone and removed (site paths)."""

    written: list[str]
    unchanged: list[str]
    removed: list[str] = field(default_factory=list)
    #: bulletins whose record was read (new or changed since the last export)
    bulletins_read: list[str] = field(default_factory=list)
    bulletins: int = 0


def _absolute(base: str, path: str) -> str:
    return base + quote(path)


def _target(dest: Path, site_path: str) -> Path:
    return dest / (site_path + "index.html" if site_path.endswith("/") or not site_path else site_path)


def _link_or_copy(src: Path, target: Path) -> bool:
    """Make ``target`` a hard link to ``src`` (a copy across filesystems), atomically; False when it already is ``src``'s bytes."""
    with contextlib.suppress(OSError):
        if target.is_file() and not target.is_symlink() and os.path.samefile(src, target):
            return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        try:
            os.link(src, tmp)
        except OSError:
            shutil.copy2(src, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def _site_key(feeds: Iterable[str], codes: Iterable[str], public_url: str | None, feed_config: FeedConfig, centre: str) -> str:
    """What every page depends on besides its bulletin: bantin, templates, UI catalogs, feeds, the base URL, the centre."""
    parts: list[object] = [__version__, sorted(feeds), public_url, repr(feed_config), centre]
    for template in sorted((ASSETS_DIR / "templates" / "portal").glob("*.j2")):
        st = template.stat()
        parts.append((template.name, st.st_mtime_ns, st.st_size))
    for code in codes:
        path = chrome_po_path(code)
        try:
            st = path.stat()
            parts.append((code, st.st_mtime_ns, st.st_size))
        except OSError:
            parts.append((code, None))
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def _load_state(dest: Path) -> dict[str, Any]:
    try:
        data = json.loads((dest / STATE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == _STATE_FORMAT else {}


def _save_state(dest: Path, state: dict[str, Any]) -> None:
    with atomic_path(dest / STATE_NAME) as tmp:
        tmp.write_text(json.dumps(state, ensure_ascii=False, sort_keys=True), encoding="utf-8")


class _Writer:
    """Writes site paths under the export folder and remembers what it wrote and what it left."""

    def __init__(self, dest: Path, hashes: dict[str, str], keys: dict[str, str], report: ExportReport) -> None:
        self.dest = dest
        self.old_hashes = hashes
        self.old_keys = keys
        self.hashes: dict[str, str] = {}
        self.keys: dict[str, str] = {}
        self.report = report

    def put(self, site_path: str, data: bytes) -> str:
        """Write ``data`` unless the last export wrote the same bytes there (and they are still there)."""
        target = _target(self.dest, site_path)
        rel = target.relative_to(self.dest).as_posix()
        digest = hashlib.sha256(data).hexdigest()
        self.hashes[rel] = digest
        if self.old_hashes.get(rel) == digest and target.is_file() and target.stat().st_size == len(data):
            self.report.unchanged.append(rel)
            return rel
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            self.report.unchanged.append(rel)
            return rel
        with atomic_path(target) as tmp:
            tmp.write_bytes(data)
        self.report.written.append(rel)
        return rel

    def put_keyed(self, site_path: str, key: str, make: Callable[[], bytes]) -> str:
        """Like :meth:`put`, but render (``make``) only when ``key`` (what the page shows) differs from the last export's."""
        rel = _target(self.dest, site_path).relative_to(self.dest).as_posix()
        self.keys[rel] = key
        old = self.old_keys.get(rel)
        if old is not None and old == key and rel in self.old_hashes and (self.dest / rel).is_file():
            self.hashes[rel] = self.old_hashes[rel]
            self.report.unchanged.append(rel)
            return rel
        return self.put(site_path, make())

    def link(self, site_path: str, src: Path) -> str:
        rel = _target(self.dest, site_path).relative_to(self.dest).as_posix()
        (self.report.written if _link_or_copy(src, self.dest / rel) else self.report.unchanged).append(rel)
        return rel


def _remove(dest: Path, rels: Iterable[str], report: ExportReport) -> None:
    """Remove exported files that nothing lists any more, and the folders they leave empty."""
    folders: set[Path] = set()
    for rel in sorted(set(rels)):
        target = dest / rel
        if not target.resolve().is_relative_to(dest):  # the state file was edited: never remove outside the export
            continue
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
            report.removed.append(rel)
        folders.update(p for p in target.parents if p != dest and p.is_relative_to(dest))
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _bulletin_files(
    b: Bulletin,
    writer: _Writer,
    prefixes: list[tuple[str, str]],
    ctx: Callable[[str, str, str], PageContext],
    tmp: Path,
    old: dict[str, Any],
) -> dict[str, Any]:
    """Write one bulletin's pages, files, public record and pack; what was written, for the state."""
    paths: list[str] = []
    for prefix, code in prefixes:
        for locale in b.published_locales:
            page = bulletin_path(prefix, b.id, locale)
            paths.append(writer.put(page, render_bulletin(ctx(page, code, prefix), b, locale, read_transcript(b, locale)).encode("utf-8")))
    for rel in b.files:
        src = b.file_path(rel)
        if src is None:
            log.warning("%s: listed file %s is missing; not exported", b.id, rel)
            continue
        paths.append(writer.link(file_path(b.id, rel), src))
    paths.append(writer.put(manifest_path(b.id), b.public_manifest))  # without server paths
    etag = pack_etag(b)
    pack_rel = pack_path(b.id)
    target = writer.dest / pack_rel
    if old.get("pack") == etag and target.is_file():
        writer.report.unchanged.append(pack_rel)
    else:
        build_pack(b, tmp / f"{b.id}.zip")
        _link_or_copy(tmp / f"{b.id}.zip", target)
        (tmp / f"{b.id}.zip").unlink()
        writer.report.written.append(pack_rel)
    paths.append(pack_rel)
    return {"pack": etag, "files": sorted(set(paths))}


def export_site(
    source: Library | Path,
    dest: Path,
    public_url: str | None = None,
    feed_config: FeedConfig | None = None,
    centre: str | None = None,
    full: bool = False,
) -> ExportReport:
    """Bring the static site under ``dest`` up to date with the outputs folder ``source`` (or a library's).

    Only what changed since the last export is written (``full``: every
    bulletin is read and checked again).  Feeds use ``public_url`` for
    absolute links when given.  ``centre`` (default: the project config's) is
    drawn on the favicon and the podcast cover.
    """
    root = source.root if isinstance(source, Library) else source
    feed_config = feed_config or FeedConfig()
    centre = centre if centre is not None else settings.centre_name()
    report = ExportReport([], [])
    dest = dest.resolve()
    dest.mkdir(parents=True, exist_ok=True)
    codes = ui_languages()
    summaries = reconcile(root).summaries.values()
    view: ArchiveView = build_view(summaries, root, 0, RESERVED_IDS | frozenset(codes))
    report.bulletins = len(view.bulletins)
    feeds = view.reading_locales
    site = _site_key(feeds, codes, public_url, feed_config, centre)
    state = _load_state(dest)
    same_site = state.get("site") == site and not full
    old_bulletins: dict[str, dict[str, Any]] = state.get("bulletins") or {}
    writer = _Writer(dest, {} if not same_site else dict(state.get("listing") or {}), dict(state.get("keys") or {}) if same_site else {}, report)
    prefixes = [("", SOURCE_LOCALE), *((f"{c}/", c) for c in codes)]

    def ctx(page: str, code: str, prefix: str) -> PageContext:
        return PageContext(ui=get_ui(code), ui_codes=tuple(codes), prefix=prefix, link=Linker(page=page, relative=True), feeds=feeds)

    new_bulletins: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bantin-export-") as tmp:
        for listed in view.bulletins:
            old = old_bulletins.get(listed.id) or {}
            if same_site and old.get("record") == listed.record_sha256:
                new_bulletins[listed.id] = old
                report.unchanged += old.get("files", [])
                continue
            b = cached_bulletin(root / listed.id)
            report.bulletins_read.append(listed.id)
            if b is None or not b.served or not b.published_locales:  # retracted since the index was read: never exported
                continue
            entry = _bulletin_files(b, writer, prefixes, ctx, Path(tmp), old)
            entry["record"] = b.manifest_sha256
            new_bulletins[listed.id] = entry
            gone = set(old.get("files", [])) - set(entry["files"])
            _remove(dest, gone, report)
    for bid, old in old_bulletins.items():
        if bid not in new_bulletins:  # removed, unpublished, or its record is unusable now
            _remove(dest, old.get("files", []), report)

    # The listings: index pages, the month archive, feeds, 404 and the portal's own files.  A page is rendered
    # again only when what it shows changed (its bulletins' records, its place among the pages).
    def shows(*parts: object, bulletins: Iterable[Listed] = ()) -> str:
        return hashlib.sha256(repr((parts, [(b.id, b.record_sha256) for b in bulletins])).encode()).hexdigest()

    pages = view.pages()
    months = [(m, len(bs)) for m, bs in view.months]

    def index_page(page: str, code: str, prefix: str, number: int) -> bytes:
        return render_index(ctx(page, code, prefix), view.page(number), number, pages).encode("utf-8")

    def archive_page(page: str, code: str, prefix: str) -> bytes:
        return render_archive(ctx(page, code, prefix), months).encode("utf-8")

    def month_page(page: str, code: str, prefix: str, month: str, bulletins: tuple[Listed, ...]) -> bytes:
        return render_month(ctx(page, code, prefix), month, bulletins).encode("utf-8")

    for prefix, code in prefixes:
        for number in range(1, pages + 1):
            page = page_path(prefix, number)
            writer.put_keyed(page, shows(number, pages, bulletins=view.page(number)), partial(index_page, page, code, prefix, number))
        page = archive_path(prefix)
        writer.put_keyed(page, shows(months), partial(archive_page, page, code, prefix))
        for month, bulletins in view.months:
            page = month_path(prefix, month)
            writer.put_keyed(page, shows(month, bulletins=bulletins), partial(month_page, page, code, prefix, month, bulletins))
    for own in static_files(centre).values():
        writer.put(own.path, own.data)
    writer.put("404.html", render_not_found(ctx("404.html", SOURCE_LOCALE, "")).encode("utf-8"))
    for locale in feeds:
        items = view.feed_items(locale, feed_config.limit)
        if public_url:
            link: Callable[[str], str] = partial(_absolute, public_url.rstrip("/") + "/")
        else:
            link = Linker(page=feed_path(locale), relative=True)
        writer.put(feed_path(locale), build_feed(items, locale, link, feed_config))
    owned = {rel for entry in new_bulletins.values() for rel in entry.get("files", [])}
    listing = {rel: digest for rel, digest in writer.hashes.items() if rel not in owned}
    _remove(dest, set(state.get("listing") or {}) - set(listing) - owned, report)
    keys = {rel: key for rel, key in writer.keys.items() if rel in listing}
    _save_state(dest, {"format": _STATE_FORMAT, "site": site, "bulletins": new_bulletins, "listing": listing, "keys": keys})
    return report
