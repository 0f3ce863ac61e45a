"""The portal at archive scale: listings from the index (paged, by month, searchable), bounded feeds, no record read per listing."""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from archive_helpers import build_archive, bulletin_id, commit, title, unpublish
from click.testing import CliRunner
from portal_names import LOCAL
from starlette.testclient import TestClient

COUNT = 45  # three index pages: 20, 20 and 5


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """45 bulletins, one a day from 1 May 2024, committed through the store (tests must not change it)."""
    return build_archive(tmp_path_factory.mktemp("archive") / "outputs", COUNT)


def _client(root: Path, tmp_path: Path, **config: object) -> TestClient:
    from bantin.portal import PortalConfig, create_app

    (tmp_path / "packs").mkdir(exist_ok=True)
    return TestClient(create_app(PortalConfig(outputs=root, cache_dir=tmp_path / "packs", **config)), base_url=LOCAL)  # type: ignore[arg-type]


@pytest.fixture
def client(archive: Path, tmp_path: Path, en_locales: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("BANTIN_LOCALES", str(en_locales))
    monkeypatch.delenv("BANTIN_PUBLIC_URL", raising=False)
    with _client(archive, tmp_path) as c:
        yield c


def _listed(html: str) -> list[str]:
    """Bulletin ids linked from a listing's rows, in order."""
    return re.findall(r'<h2 id="t-\d+"><a href="/(?:en/)?([^/"]+)/vi/"', html)


@pytest.fixture
def record_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every record the portal reads from now on (a spy on the one function that reads a bulletin's record)."""
    import bantin.portal.library as library

    reads: list[str] = []
    real = library.read_bulletin
    monkeypatch.setattr(library, "read_bulletin", lambda folder: reads.append(folder.name) or real(folder))
    return reads


def test_the_index_is_paged_newest_first(client: TestClient) -> None:
    first = client.get("/")
    assert first.status_code == 200
    assert _listed(first.text) == [bulletin_id(n) for n in range(COUNT - 1, COUNT - 21, -1)]
    assert 'href="/page/2/" rel="next"' in first.text and 'rel="prev"' not in first.text and "Trang 1/3" in first.text
    second = client.get("/page/2/")
    assert _listed(second.text) == [bulletin_id(n) for n in range(COUNT - 21, COUNT - 41, -1)]
    assert 'href="/" rel="prev"' in second.text and 'href="/page/3/" rel="next"' in second.text
    last = client.get("/en/page/3/")
    assert _listed(last.text) == [bulletin_id(n) for n in range(4, -1, -1)] and 'href="/en/page/2/" rel="prev"' in last.text
    assert client.get("/page/1/", follow_redirects=False).headers["location"] == "/"
    assert client.get("/page/3", follow_redirects=False).headers["location"] == "/page/3/"
    for missing in ("/page/4/", "/page/0/", "/page/02/", "/page/x/"):
        assert client.get(missing).status_code == 404, missing
    assert len(first.content) < 40_000  # a page of 20, however large the archive


def test_the_month_archive_lists_each_month_with_its_bulletins(client: TestClient) -> None:
    months = client.get("/archive/")
    assert months.status_code == 200
    found = re.findall(r'<a href="/archive/(\d{4}-\d{2})/">([^<]+)</a> \((\d+)\)', months.text)
    assert [(m, int(n)) for m, _, n in found] == [("2024-06", 14), ("2024-05", 31)]
    assert found[0][1] == "tháng 6 năm 2024"
    assert "June 2024" in client.get("/en/archive/").text
    june = client.get("/archive/2024-06/")
    assert _listed(june.text) == [bulletin_id(n) for n in range(COUNT - 1, 30, -1)]
    assert "<h1>tháng 6 năm 2024</h1>" in june.text
    assert client.get("/", headers={}).text.count('href="/archive/"') == 1  # the index links to it
    for missing in ("/archive/2024-07/", "/archive/2024-13/", "/archive/x/", "/archive/2024-06/extra/"):
        assert client.get(missing).status_code == 404, missing


def test_search_by_title_ignores_accents_and_case(client: TestClient) -> None:
    vaccination = [n for n in range(COUNT - 1, -1, -1) if n % 7 == 0]
    for query in ("tiêm chủng", "TIEM CHUNG", "tiem  chung tre"):
        r = client.get("/search/", params={"q": query})
        assert r.status_code == 200 and _listed(r.text) == [bulletin_id(n) for n in vaccination], query
        assert f"{len(vaccination)} bản tin có tiêu đề khớp" in r.text
    none = client.get("/search/", params={"q": "bão lũ"})
    assert none.status_code == 200 and _listed(none.text) == [] and "Không tìm thấy bản tin nào." in none.text
    many = client.get("/search/", params={"q": "so"})  # "số": every title
    assert len(_listed(many.text)) == 20 and "page=2" in many.text
    assert _listed(client.get("/search/", params={"q": "so", "page": "3"}).text) == [bulletin_id(n) for n in range(4, -1, -1)]
    escaped = client.get("/search/", params={"q": '<script>"x'})
    assert "<script>" not in escaped.text and "&lt;script&gt;" in escaped.text
    assert 'role="search"' in client.get("/").text and "form-action 'self'" in client.get("/").headers["content-security-policy"]


def test_feeds_hold_the_newest_items_and_answer_304(archive: Path, tmp_path: Path, en_locales: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bantin.portal import FeedConfig

    monkeypatch.setenv("BANTIN_LOCALES", str(en_locales))
    with _client(archive, tmp_path, feed=FeedConfig(limit=5)) as c:
        r = c.get("/feed/vi.xml")
        feed = feedparser.parse(r.content)
        assert [e.id for e in feed.entries] == [f"bantin:{bulletin_id(n)}:vi" for n in range(COUNT - 1, COUNT - 6, -1)]
        assert feed.entries[0].title == title(COUNT - 1)
        last_modified = r.headers["last-modified"]
        assert email.utils.parsedate_to_datetime(last_modified).date().isoformat() == bulletin_id(COUNT - 1)[:10]
        assert c.get("/feed/vi.xml", headers={"If-None-Match": r.headers["etag"]}).status_code == 304
        assert c.get("/feed/vi.xml", headers={"If-Modified-Since": last_modified}).status_code == 304
        assert c.get("/feed/vi.xml", headers={"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"}).status_code == 200
        assert c.get("/feed/vi.xml").content == r.content  # built once, the same bytes
    with _client(archive, tmp_path) as c:
        assert len(feedparser.parse(c.get("/feed/vi.xml").content).entries) == COUNT  # 100 by default


def test_listings_and_feeds_read_no_record(client: TestClient, record_reads: list[str]) -> None:
    """Cost independent of the archive, checked structurally: a listing or a feed reads no record, a bulletin page one."""
    for url in ("/", "/page/2/", "/en/page/3/", "/archive/", "/archive/2024-05/", "/feed/vi.xml", "/search/?q=tiem", "/nowhere/"):
        assert client.get(url).status_code in (200, 404), url
    assert record_reads == []
    bid = bulletin_id(COUNT - 1)
    assert client.get(f"/{bid}/vi/").status_code == 200
    assert client.get(f"/{bid}/vi/{bid}.vi.mp3").status_code == 200
    assert client.get(f"/en/{bid}/vi/").status_code == 200
    assert record_reads.count(bid) <= 1 and set(record_reads) <= {bid}  # one record, read at most once (cached by its stamp)


def test_a_commit_shows_on_the_index_and_feed_without_a_restart(tmp_path: Path, en_locales: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANTIN_LOCALES", str(en_locales))
    root = build_archive(tmp_path / "outputs", 3)
    with _client(root, tmp_path, index_interval=0) as c:
        feed = c.get("/feed/vi.xml")
        assert _listed(c.get("/").text) == [bulletin_id(n) for n in (2, 1, 0)]
        commit(root, 30)
        assert _listed(c.get("/").text)[0] == bulletin_id(30)
        after = c.get("/feed/vi.xml", headers={"If-None-Match": feed.headers["etag"]})
        assert after.status_code == 200 and f"bantin:{bulletin_id(30)}:vi" in after.text
        commit(root, 1, title_text="Bản tin đã sửa")
        assert "Bản tin đã sửa" in c.get("/").text
        unpublish(root, 2)
        assert c.get(f"/{bulletin_id(2)}/vi/").status_code == 404  # the record is gone: nothing is served
        assert CliRunner().invoke(__import__("bantin.cli", fromlist=["cli"]).cli, ["index", "rebuild", "--outputs", str(root)]).exit_code == 0
        assert bulletin_id(2) not in c.get("/").text


def test_files_behind_nginx_are_handed_over_with_x_accel_redirect(archive: Path, tmp_path: Path, en_locales: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANTIN_LOCALES", str(en_locales))
    bid = bulletin_id(3)
    with _client(archive, tmp_path, accel_prefix="/_outputs/") as c:
        r = c.get(f"/{bid}/vi/{bid}.vi.mp3", headers={"Range": "bytes=0-9"})
        generation = (archive / bid).resolve().name
        assert r.status_code == 200 and r.content == b""
        assert r.headers["x-accel-redirect"] == f"/_outputs/.bantin/{bid}/{generation}/vi/{bid}.vi.mp3"
        assert r.headers["content-type"] == "audio/mpeg" and r.headers["content-disposition"].startswith("attachment;")
        assert c.get(f"/{bid}/vi/{bid}.vi.mp3", headers={"If-None-Match": r.headers["etag"]}).status_code == 304
        missing = c.get(f"/{bid}/vi/unlisted.mp3")
        assert missing.status_code == 404 and "x-accel-redirect" not in missing.headers
        assert "x-accel-redirect" not in c.get(f"/{bid}/manifest.json").headers  # made in memory: sent by the portal
