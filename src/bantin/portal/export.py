"""Static export: the portal as plain files, with relative links, for any static web server.

``bantin portal --export DIR`` writes the index and bulletin pages (in
Vietnamese at the top level, and under ``<ui>/`` for every UI language), the
files the manifests list, the manifests (their public copies, without server
paths), the broadcast packs, the feeds and the portal's own files (favicon,
cover, Khmer web font, read-along script).  A record path that leaves its
generation is never exported (:meth:`Bulletin.file_path` refuses it).
Writes are atomic and skip unchanged files, so exporting twice touches
nothing and rsync sends only what changed.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import quote

from bantin import settings
from bantin.fsutil import write_bytes_if_changed
from bantin.i18n.locales import SOURCE_LOCALE
from bantin.portal.feed import FeedConfig, build_feed
from bantin.portal.library import Library
from bantin.portal.pack import build_pack
from bantin.portal.pages import (
    Linker,
    PageContext,
    bulletin_path,
    feed_path,
    file_path,
    index_path,
    manifest_path,
    pack_path,
    read_transcript,
    render_bulletin,
    render_index,
    render_not_found,
)
from bantin.portal.static import static_files
from bantin.portal.ui import get_ui, ui_languages

__all__ = ["ExportReport", "export_site"]

log = logging.getLogger("bantin.portal")


@dataclass
class ExportReport:
    """What an export wrote (created or changed) and left alone."""

    written: list[str]
    unchanged: list[str]


def _absolute(base: str, path: str) -> str:
    return base + quote(path)


def _copy_if_changed(src: Path, dest: Path) -> bool:
    return write_bytes_if_changed(dest, src.read_bytes())


def export_site(
    library: Library,
    dest: Path,
    public_url: str | None = None,
    feed_config: FeedConfig | None = None,
    centre: str | None = None,
) -> ExportReport:
    """Write the whole portal under ``dest``; feeds use ``public_url`` for absolute links when given.

    ``centre`` (default: the project config's) is drawn on the favicon and the podcast cover.
    """
    feed_config = feed_config or FeedConfig()
    report = ExportReport([], [])
    dest = dest.resolve()

    def put(site_path: str, data: bytes) -> None:
        target = dest / (site_path + "index.html" if site_path.endswith("/") or not site_path else site_path)
        (report.written if write_bytes_if_changed(target, data) else report.unchanged).append(target.relative_to(dest).as_posix())

    codes = ui_languages()
    feeds = tuple(library.reading_locales())
    for prefix, code in [("", SOURCE_LOCALE), *((f"{c}/", c) for c in codes)]:

        def ctx(page: str, code: str = code, prefix: str = prefix) -> PageContext:
            return PageContext(ui=get_ui(code), ui_codes=tuple(codes), prefix=prefix, link=Linker(page=page, relative=True), feeds=feeds)

        put(index_path(prefix), render_index(ctx(index_path(prefix)), library).encode("utf-8"))
        for b in library.bulletins:
            for locale in b.published_locales:
                page = bulletin_path(prefix, b.id, locale)
                put(page, render_bulletin(ctx(page), b, locale, read_transcript(b, locale)).encode("utf-8"))
    for own in static_files(centre if centre is not None else settings.centre_name()).values():
        put(own.path, own.data)
    put("404.html", render_not_found(PageContext(get_ui(SOURCE_LOCALE), tuple(codes), "", Linker("404.html", relative=True), feeds)).encode("utf-8"))

    with tempfile.TemporaryDirectory(prefix="bantin-export-") as tmp:
        for b in library.bulletins:
            for rel in b.files:
                src = b.file_path(rel)
                if src is None:
                    log.warning("%s: listed file %s is missing; not exported", b.id, rel)
                    continue
                target = file_path(b.id, rel)
                (report.written if _copy_if_changed(src, dest / target) else report.unchanged).append(target)
            put(manifest_path(b.id), b.public_manifest)  # without server paths
            pack = build_pack(b, Path(tmp) / f"{b.id}.zip")
            put(pack_path(b.id), pack.read_bytes())

    for locale in feeds:
        if public_url:
            base = public_url.rstrip("/") + "/"
            put(feed_path(locale), build_feed(library, locale, partial(_absolute, base), feed_config))
        else:
            link = Linker(page=feed_path(locale), relative=True)
            put(feed_path(locale), build_feed(library, locale, link, feed_config))
    return report
