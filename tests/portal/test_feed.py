"""The podcast feeds parse (feedparser) with the fields podcast apps and loudspeaker systems need."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import feedparser
from portal_names import BOUND, EN_TITLE, LOCAL, SAMPLE_ID


def test_vietnamese_feed_parses_with_required_fields(client, monkeypatch) -> None:
    r = client.get("/feed/vi.xml")
    assert r.status_code == 200 and r.headers["content-type"] == "application/rss+xml; charset=utf-8"
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20" and feed.feed.language == "vi"
    assert feed.feed.author == "Trung tâm Truyền thông tỉnh Đắk Nông"  # bantin.toml: [project] centre
    assert feed.feed.tags[0]["term"] == "News"
    assert len(feed.entries) == 1  # the older bulletin has no reading
    item = feed.entries[0]
    mp3 = client.get(f"/{SAMPLE_ID}/vi/{SAMPLE_ID}.vi.mp3")
    enclosure = item.enclosures[0]
    assert enclosure["href"] == f"{BOUND}/{SAMPLE_ID}/vi/{SAMPLE_ID}.vi.mp3"
    assert int(enclosure["length"]) == len(mp3.content) and enclosure["type"] == "audio/mpeg"
    assert item.id == f"bantin:{SAMPLE_ID}:vi" and item.guidislink is False  # stable per bulletin and locale, not the MP3's hash
    assert item.published == "Fri, 28 Jun 2024 00:00:00 +0700"
    assert item.published_parsed[:3] == (2024, 6, 27)  # feedparser normalizes to UTC
    assert item.itunes_duration.isdigit() or ":" in item.itunes_duration
    assert "Bản đọc máy (chất lượng thấp)" in item.summary  # degraded readings say so
    assert item.link == f"{BOUND}/{SAMPLE_ID}/vi/"
    root = ET.fromstring(r.content)
    assert root.find("channel/item/guid").get("isPermaLink") == "false"
    itunes = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
    assert root.findtext(f"channel/{itunes}explicit") == "false" and root.findtext(f"channel/item/{itunes}explicit") == "false"
    assert root.findtext(f"channel/{itunes}author") == "Trung tâm Truyền thông tỉnh Đắk Nông"


def test_feed_order_public_url_and_english_feed(client, monkeypatch) -> None:
    # The config is frozen; use the env through a new app.
    from starlette.testclient import TestClient

    from bantin.portal import PortalConfig, create_app

    monkeypatch.setenv("BANTIN_PUBLIC_URL", "https://bantin.example.org/portal/")
    app = create_app(PortalConfig(outputs=client.app.state.portal.config.outputs))
    with TestClient(app, base_url=LOCAL) as c:
        feed = feedparser.parse(c.get("/feed/en.xml").content)
        index = c.get("/").text
    assert feed.feed.language == "en" and feed.entries[0].title == EN_TITLE
    assert feed.entries[0].enclosures[0]["href"].startswith(f"https://bantin.example.org/portal/{SAMPLE_ID}/en/")
    assert "Machine reading" not in feed.entries[0].summary and "chất lượng thấp" not in feed.entries[0].summary
    assert index.index('href="/feed/vi.xml"') < index.index('href="/feed/en.xml"')  # Vietnamese first


def test_feed_validators(client) -> None:
    r = client.get("/feed/vi.xml")
    assert client.get("/feed/vi.xml", headers={"If-None-Match": r.headers["etag"]}).status_code == 304


def test_feed_cover_and_author_from_the_project_config(portal_env, tmp_path, monkeypatch) -> None:
    from starlette.testclient import TestClient

    from bantin.portal import PortalConfig, create_app

    (tmp_path / "bantin.toml").write_text('[project]\ncentre = "Trung tâm Văn hóa huyện Krông Nô"\n', encoding="utf-8")
    monkeypatch.setenv("BANTIN_ROOT", str(tmp_path))
    for name in ("BANTIN_FEED_AUTHOR", "BANTIN_FEED_IMAGE", "BANTIN_CENTRE"):
        monkeypatch.delenv(name, raising=False)
    with TestClient(create_app(PortalConfig(outputs=portal_env, cache_dir=tmp_path)), base_url=LOCAL) as c:
        body = c.get("/feed/vi.xml").content
    feed = feedparser.parse(body)
    assert feed.feed.author == "Trung tâm Văn hóa huyện Krông Nô"
    assert feed.feed.image.href == f"{BOUND}/cover.png"
    channel = ET.fromstring(body).find("channel")
    assert channel is not None
    assert channel.findtext("image/url") == f"{BOUND}/cover.png" and channel.findtext("image/link") == f"{BOUND}/"
    itunes = channel.find("{http://www.itunes.com/dtds/podcast-1.0.dtd}image")
    assert itunes is not None and itunes.get("href") == f"{BOUND}/cover.png"
