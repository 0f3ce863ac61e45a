"""RSS 2.0 podcast feeds, one per reading locale, for podcast apps and IP loudspeaker systems.

A feed holds the newest :attr:`FeedConfig.limit` readings (100 by default),
taken from the archive's listing (:meth:`.archive.ArchiveView.feed_items`),
never from every record; the portal builds it once per change of the index.
Each item is one bulletin's reading: an enclosure with its length and type, a
guid stable per bulletin and locale (``isPermaLink="false"``: a corrected
reading updates its item, it never becomes a new episode), the bulletin's date as RFC 822 ``pubDate``
and the iTunes tags podcast directories expect.  Degraded (offline-engine)
readings say so in their description and ``itunes:subtitle``.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.utils import format_datetime

from bantin.i18n.locales import load_locale
from bantin.portal.archive import Listed
from bantin.portal.http import http_date
from bantin.portal.library import OutputFile
from bantin.portal.static import COVER_PATH
from bantin.portal.ui import N_, duration_text, get_ui

__all__ = ["FeedConfig", "build_feed", "item_guid"]

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("itunes", ITUNES)
ET.register_namespace("atom", ATOM)

#: Bulletins carry no time of day; they are dated at midnight in Vietnam (UTC+7).
BULLETIN_TZ = dt.timezone(dt.timedelta(hours=7))


@dataclass(frozen=True)
class FeedConfig:
    """What a feed says about its publisher (``BANTIN_FEED_AUTHOR``, ``BANTIN_FEED_IMAGE`` in the CLI)."""

    author: str = "bantin"
    image_url: str | None = None
    category: str = "News"  # an Apple Podcasts category name: fixed English values, not translated
    #: the newest items a feed holds (``bantin portal --feed-items``)
    limit: int = 100


def item_guid(bulletin_id: str, locale: str) -> str:
    """The feed item's GUID: stable per bulletin and locale (not the MP3's hash, which changes with every correction)."""
    return f"bantin:{bulletin_id}:{locale}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def build_feed(items: Sequence[tuple[Listed, OutputFile]], locale: str, url: Callable[[str], str], config: FeedConfig = FeedConfig()) -> bytes:
    """The feed of ``locale``'s readings (``items``: bulletin and reading, newest first) as UTF-8 XML.

    ``url`` turns a site path into an absolute URL.
    """
    from bantin.portal.pages import bulletin_path, feed_path, file_path, index_path

    words = get_ui(locale)
    lang = load_locale(locale).bcp47
    rss = ET.Element("rss", {"version": "2.0"})
    channel = _sub(rss, "channel")
    title = f"{words.text(N_('Bản tin'))}: {words.locale_name(locale)}"
    _sub(channel, "title", title)
    _sub(channel, "link", url(index_path("")))
    _sub(channel, "description", words.text(N_("Các bản đọc bản tin cho đài truyền thanh cơ sở và ứng dụng podcast.")))
    _sub(channel, "language", lang)
    _sub(channel, "generator", "bantin")
    _sub(channel, f"{{{ATOM}}}link", href=url(feed_path(locale)), rel="self", type="application/rss+xml")
    _sub(channel, f"{{{ITUNES}}}author", config.author)
    _sub(channel, f"{{{ITUNES}}}explicit", "false")
    _sub(channel, f"{{{ITUNES}}}type", "episodic")
    _sub(channel, f"{{{ITUNES}}}category", text=config.category)
    # The cover: the configured image, else the portal's own (drawn with the centre's name); podcast apps want it absolute.
    image = config.image_url or url(COVER_PATH)
    _sub(channel, f"{{{ITUNES}}}image", href=image)
    cover = _sub(channel, "image")
    _sub(cover, "url", image)
    _sub(cover, "title", title)
    _sub(cover, "link", url(index_path("")))
    items = items[: config.limit]
    if items:
        _sub(channel, "lastBuildDate", http_date(max(b.generated_at for b, _ in items)))
    for b, audio in items:
        item = _sub(channel, "item")
        item_title, _ = b.title_in(locale)
        _sub(item, "title", item_title)
        _sub(item, "link", url(bulletin_path("", b.id, locale)))
        note = words.text(N_("Bản đọc máy (chất lượng thấp)")) if audio.degraded else ""
        _sub(item, "description", f"{note}. {item_title}" if note else item_title)
        _sub(item, "enclosure", url=url(file_path(b.id, audio.path)), length=str(audio.bytes), type=audio.media_type)
        # One item per bulletin and locale: a corrected reading updates it in place, never a new episode.
        _sub(item, "guid", item_guid(b.id, locale), isPermaLink="false")
        _sub(item, "pubDate", format_datetime(dt.datetime.combine(b.date, dt.time(0, 0), BULLETIN_TZ)))
        if audio.duration_s:
            _sub(item, f"{{{ITUNES}}}duration", duration_text(audio.duration_s) if audio.duration_s >= 60 else str(round(audio.duration_s)))
        _sub(item, f"{{{ITUNES}}}explicit", "false")
        _sub(item, f"{{{ITUNES}}}episodeType", "full")
        if note:
            _sub(item, f"{{{ITUNES}}}subtitle", note)
    ET.indent(rss, space="  ")
    data: bytes = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
