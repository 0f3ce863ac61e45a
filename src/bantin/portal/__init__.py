"""The download portal: bulletins' PDFs, readings, captions, packs and feeds over HTTP or as static files.

Read-only and record-driven: :mod:`.archive` lists the bulletins from the index
(:mod:`bantin.publish.index`), :mod:`.library` reads one bulletin's record,
:mod:`.pages` renders the HTML (words from the chrome catalogs, :mod:`.ui`),
:mod:`.feed` the podcast RSS, :mod:`.pack` the broadcast ZIP, :mod:`.public`
the record as served (no server paths), :mod:`.app` serves it all with
Starlette (trusted Host headers only) and :mod:`.export` writes it as a static site.
No Prefect here.
"""

from __future__ import annotations

from bantin.portal.app import PortalConfig, create_app
from bantin.portal.archive import Archive, ArchiveView, Listed
from bantin.portal.export import ExportReport, export_site
from bantin.portal.feed import FeedConfig, build_feed
from bantin.portal.library import Bulletin, Library, LocaleStatus, OutputFile, load_library
from bantin.portal.pack import build_pack

__all__ = [
    "Archive",
    "ArchiveView",
    "Bulletin",
    "ExportReport",
    "FeedConfig",
    "Library",
    "Listed",
    "LocaleStatus",
    "OutputFile",
    "PortalConfig",
    "build_feed",
    "build_pack",
    "create_app",
    "export_site",
    "load_library",
]
