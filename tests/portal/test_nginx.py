"""nginx in front, as in production: docs/nginx/'s two configurations, run by Debian's nginx on a free port.

bantin.conf: every request goes to the portal, which answers files with
X-Accel-Redirect so that nginx sends the bytes.  bantin-static.conf: nginx
serves the static export alone.  Each fetches a page, a feed, an MP3 with a
Range header (206) and a pack through nginx.
"""

from __future__ import annotations

import io
import os
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import feedparser
import httpx
import pytest
from nginx_run import NGINX, free_port, nginx, site_config
from portal_names import SAMPLE_ID, VI_TRANSCRIPT_NAME

pytestmark = pytest.mark.skipif(not os.access(NGINX, os.X_OK), reason="Debian's nginx is not installed (apt-get install nginx; make test does)")

MP3 = f"{SAMPLE_ID}/vi/{SAMPLE_ID}.vi.mp3"


@pytest.fixture(scope="module")
def accel_portal(tmp_path_factory: pytest.TempPathFactory, portal_outputs: Path, en_locales: Path) -> Iterator[int]:
    """The portal with ``accel_prefix`` on a free port (uvicorn in a thread); yields the port."""
    import uvicorn

    from bantin.portal import PortalConfig, create_app

    mp = pytest.MonkeyPatch()
    mp.setenv("BANTIN_LOCALES", str(en_locales))
    port = free_port()
    config = PortalConfig(outputs=portal_outputs, cache_dir=tmp_path_factory.mktemp("packs"), port=port, accel_prefix="/_outputs/")
    server = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the portal did not start"
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        mp.undo()


def _range_and_pack(c: httpx.Client, outputs: Path) -> None:
    """An MP3 by Range (206, the exact bytes), whole (200), and a pack (a ZIP holding the reading)."""
    data = (outputs / MP3).read_bytes()
    part = c.get(f"/{MP3}", headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206 and part.content == data[100:1100], part.headers
    assert part.headers["content-range"] == f"bytes 100-1099/{len(data)}" and part.headers["content-type"] == "audio/mpeg"
    whole = c.get(f"/{MP3}")
    assert whole.status_code == 200 and whole.content == data and "gzip" not in whole.headers.get("content-encoding", "")
    pack = c.get(f"/packs/{SAMPLE_ID}.zip")
    assert pack.status_code == 200 and pack.headers["content-type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(pack.content)).read(MP3) == data


def test_the_portal_behind_nginx_authorises_and_nginx_sends_the_bytes(tmp_path: Path, accel_portal: int, portal_outputs: Path) -> None:
    port = free_port()
    site = site_config(
        "bantin.conf",
        {
            "listen 80;": f"listen 127.0.0.1:{port};",
            "server 127.0.0.1:8080;": f"server 127.0.0.1:{accel_portal};",
            "/srv/bantin/outputs/": f"{portal_outputs.resolve()}/",
            "/var/cache/nginx/bantin": str(tmp_path / "cache"),
        },
    )
    with nginx(tmp_path / "nginx", site, port), httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Host": "localhost"}, timeout=30) as c:
        page = c.get("/", headers={"Accept-Encoding": "gzip"})
        assert page.status_code == 200 and page.headers["content-encoding"] == "gzip" and SAMPLE_ID in page.text
        assert page.headers["cache-control"] == "no-cache" and page.headers["etag"]
        assert c.get("/", headers={"If-None-Match": page.headers["etag"]}).status_code == 304
        bulletin = c.get(f"/{SAMPLE_ID}/vi/", headers={"Accept-Encoding": "gzip"})
        assert bulletin.status_code == 200 and "<audio" in bulletin.text
        feed = c.get("/feed/vi.xml", headers={"Accept-Encoding": "gzip"})
        assert feed.status_code == 200 and feed.headers["content-encoding"] == "gzip"
        assert feedparser.parse(feed.content).entries[0].id == f"bantin:{SAMPLE_ID}:vi"
        assert c.get("/feed/vi.xml").headers["x-cache"] == "HIT"  # the morning burst is nginx's
        _range_and_pack(c, portal_outputs)
        mp3 = c.get(f"/{MP3}")
        assert mp3.headers["content-disposition"].startswith("attachment;") and mp3.headers["x-content-type-options"] == "nosniff"
        assert "x-accel-redirect" not in mp3.headers  # nginx consumed it
        transcript = c.get(f"/{SAMPLE_ID}/{VI_TRANSCRIPT_NAME}")  # a name with spaces and Vietnamese letters
        assert transcript.status_code == 200 and transcript.content == (portal_outputs / SAMPLE_ID / VI_TRANSCRIPT_NAME).read_bytes()
        # Only what the record lists, only through the portal.
        assert c.get(f"/{SAMPLE_ID}/secret.txt").status_code == 404
        assert c.get(f"/_outputs/{MP3}").status_code == 404
        assert c.get(f"/{SAMPLE_ID}/vi/..%2F..%2Fmanifest.json").status_code == 404
        assert c.post("/").status_code == 405


def test_nginx_serves_the_static_export(tmp_path: Path, portal_env: Path) -> None:
    from bantin.portal import export_site

    site_dir = tmp_path / "site"
    export_site(portal_env, site_dir)
    port = free_port()
    site = site_config("bantin-static.conf", {"listen 80;": f"listen 127.0.0.1:{port};", "root /srv/bantin/site;": f"root {site_dir};"})
    with nginx(tmp_path / "nginx", site, port), httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
        page = c.get("/", headers={"Accept-Encoding": "gzip"})
        assert page.status_code == 200 and page.headers["content-encoding"] == "gzip" and SAMPLE_ID in page.text
        assert page.headers["cache-control"] == "no-cache" and c.get("/", headers={"If-None-Match": page.headers["etag"]}).status_code == 304
        assert c.get("/archive/").status_code == 200 and c.get(f"/en/{SAMPLE_ID}/en/").status_code == 200
        feed = c.get("/feed/vi.xml", headers={"Accept-Encoding": "gzip"})
        assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/rss+xml")
        assert feed.headers["content-encoding"] == "gzip" and feedparser.parse(feed.content).entries
        _range_and_pack(c, portal_env)
        assert c.get("/.bantin-export.json").status_code == 404
        missing = c.get("/nowhere/")
        assert missing.status_code == 404 and "<html" in missing.text  # the export's own 404 page
