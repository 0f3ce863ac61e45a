"""The portal serves only published records: a retraction takes a bulletin off at once, held machine readings stay out of feeds."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from portal_names import LOCAL, OLD_ID, SAMPLE_ID

from bantin.publish.editorial import accept_reading, restore, retract

#: How often the test portal looks at the index (the real one: every second).
INTERVAL = 0.2
VI_MP3 = f"vi/{SAMPLE_ID}.vi.mp3"


@pytest.fixture
def outputs(portal_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the fixture outputs (these tests change records)."""
    copy = tmp_path / "outputs"
    shutil.copytree(portal_env, copy, symlinks=True)
    monkeypatch.setenv("BANTIN_OUTPUTS", str(copy))
    return copy


@pytest.fixture
def portal(outputs: Path, tmp_path: Path) -> Iterator:  # type: ignore[type-arg]
    from starlette.testclient import TestClient

    from bantin.portal import PortalConfig, create_app

    (tmp_path / "packs").mkdir()
    app = create_app(PortalConfig(outputs=outputs, cache_dir=tmp_path / "packs", index_interval=INTERVAL))
    with TestClient(app, base_url=LOCAL) as c:
        yield c


def _seen() -> None:
    """Wait for the portal's next look at the index."""
    time.sleep(INTERVAL + 0.05)


def test_a_retracted_bulletin_leaves_pages_files_packs_feeds_and_search_at_once(portal, outputs: Path) -> None:
    # warm every cache first: built pages, the feed with its validators, the pack, the record cache
    assert SAMPLE_ID in portal.get("/").text
    assert SAMPLE_ID in portal.get("/search/?q=hoi nghi").text
    assert portal.get(f"/{SAMPLE_ID}/vi/").status_code == 200
    assert portal.get(f"/{SAMPLE_ID}/{VI_MP3}").status_code == 200
    assert portal.get(f"/packs/{SAMPLE_ID}.zip").status_code == 200
    feed = portal.get("/feed/vi.xml")
    assert feed.status_code == 200 and SAMPLE_ID in feed.text
    etag, modified = feed.headers["etag"], feed.headers["last-modified"]
    assert portal.get("/feed/vi.xml", headers={"If-None-Match": etag}).status_code == 304

    retract(SAMPLE_ID, "minh", "Sai ngày họp", root=outputs)
    # the bulletin's own URLs answer from its record: at once
    gone = portal.get(f"/{SAMPLE_ID}/vi/")
    assert gone.status_code == 410 and "<html" in gone.text and "Sai ngày họp" not in gone.text
    for path in (f"/{SAMPLE_ID}/{VI_MP3}", f"/{SAMPLE_ID}/manifest.json", f"/packs/{SAMPLE_ID}.zip", f"/{SAMPLE_ID}/", f"/en/{SAMPLE_ID}/en/"):
        assert portal.get(path, follow_redirects=False).status_code == 410, path
    # listings and feeds within the index reader's interval
    _seen()
    assert SAMPLE_ID not in portal.get("/").text and OLD_ID in portal.get("/").text
    assert SAMPLE_ID not in portal.get("/search/?q=hoi nghi").text
    assert SAMPLE_ID not in portal.get("/archive/2024-06/").text
    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}, {}):
        again = portal.get("/feed/vi.xml", headers=headers)
        assert again.status_code != 304 and SAMPLE_ID not in again.text, headers

    restore(SAMPLE_ID, "minh", root=outputs)
    _seen()
    assert portal.get(f"/{SAMPLE_ID}/vi/").status_code == 200 and SAMPLE_ID in portal.get("/").text
    back = portal.get("/feed/vi.xml", headers={"If-Modified-Since": modified})
    assert back.status_code == 200 and SAMPLE_ID in back.text
    assert portal.get(f"/packs/{SAMPLE_ID}.zip").status_code == 200


def test_a_draft_record_is_never_served(portal, outputs: Path) -> None:
    manifest = outputs / OLD_ID / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({**data, "editorial": {"state": "draft"}}, ensure_ascii=False), encoding="utf-8")
    assert portal.get(f"/{OLD_ID}/vi/").status_code == 404
    assert portal.get(f"/packs/{OLD_ID}.zip").status_code == 404


def test_a_degraded_reading_stays_out_of_the_feed_until_an_approver_accepts_it(portal, outputs: Path) -> None:
    manifest = outputs / SAMPLE_ID / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data.pop("editorial")  # the fixture's acceptance: without it the espeak reading is held
    manifest.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    from bantin.publish.index import reconcile

    reconcile(outputs)
    _seen()
    feed = portal.get("/feed/vi.xml")
    assert feed.status_code == 404 or SAMPLE_ID not in feed.text  # no other bulletin reads vi: no vi feed at all
    assert SAMPLE_ID in portal.get("/feed/en.xml").text  # the online English reading is not held
    page = portal.get(f"/{SAMPLE_ID}/vi/")
    assert page.status_code == 200 and VI_MP3.rsplit("/", 1)[-1] in page.text and "Bản đọc máy" in page.text  # shown, marked

    accepted = accept_reading(SAMPLE_ID, "vi", "minh", root=outputs)
    assert VI_MP3 in accepted.editorial.accepted
    _seen()
    feed = portal.get("/feed/vi.xml")
    assert feed.status_code == 200 and SAMPLE_ID in feed.text and "Bản đọc máy" in feed.text


def test_bulletin_root_redirects_to_its_own_language(portal) -> None:
    answer = portal.get(f"/{SAMPLE_ID}/", follow_redirects=False)
    assert answer.status_code == 302 and answer.headers["location"] == f"/{SAMPLE_ID}/vi/"
    assert portal.get(f"/{SAMPLE_ID}", follow_redirects=False).headers["location"] == f"/{SAMPLE_ID}/vi/"
    assert portal.get(f"/en/{SAMPLE_ID}/", follow_redirects=False).headers["location"] == f"/en/{SAMPLE_ID}/vi/"
    assert portal.get(f"/{SAMPLE_ID}/").status_code == 200


def test_report_links_resolve_on_the_portal(portal, outputs: Path) -> None:
    from bantin.publish.record import read_record
    from bantin.publish.report import compact_rows, portal_links, republish_markdown

    record = read_record(outputs / SAMPLE_ID)
    assert record is not None
    base = "http://portal.example"
    links = [row["link"] for row in compact_rows(record, base) if "](" in str(row["link"])]
    links += list(portal_links(base, SAMPLE_ID, ["vi", "en"]).values())
    links += [
        line.split("](", 1)[1].split(")", 1)[0] for line in republish_markdown([{"id": SAMPLE_ID, "reasons": ["x"]}], [], [], base).splitlines() if "](" in line
    ]
    assert len(links) > 3
    for link in links:
        url = link.split("](", 1)[1].rstrip(")") if "](" in link else link
        assert portal.get(url.removeprefix(base)).status_code == 200, url


def test_export_and_library_leave_out_retracted_bulletins(outputs: Path, tmp_path: Path) -> None:
    from bantin.portal import export_site, load_library

    site = tmp_path / "site"
    export_site(outputs, site)
    assert (site / SAMPLE_ID).is_dir() and SAMPLE_ID in (site / "feed" / "vi.xml").read_text(encoding="utf-8")
    retract(SAMPLE_ID, "minh", "Sai ngày họp", root=outputs)
    export_site(outputs, site)
    assert not (site / SAMPLE_ID).exists() and not (site / "feed" / "vi.xml").exists()
    assert SAMPLE_ID not in (site / "index.html").read_text(encoding="utf-8")
    assert [b.id for b in load_library(outputs).bulletins] == [OLD_ID]
