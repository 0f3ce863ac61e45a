"""The portal's safety: no Host header trusted, no server path shown, no record path followed out, no temp folder left."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from portal_names import BOUND, LOCAL, SAMPLE_ID

from bantin.fsutil import sha256_file
from bantin.publish.record import MANIFEST_NAME, BulletinHead, Entry, EntryInputs, FailureNote, LocaleRecord, Record
from bantin.publish.store import BulletinStore

BID = "2024-07-02-an-toan"
INPUTS = EntryInputs(key="k", source="s", catalog="c", templates="t", bulletin_assets="a", bantin="0.1.0")
ATOM = "{http://www.w3.org/2005/Atom}"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"


def _client(config):  # type: ignore[no-untyped-def]
    from starlette.testclient import TestClient

    from bantin.portal import create_app

    return TestClient(create_app(config), base_url=LOCAL)


def _feed_links(body: bytes) -> list[str]:
    """Every URL a feed gives: channel and item links, atom:link, both images, enclosures."""
    channel = ET.fromstring(body).find("channel")
    assert channel is not None
    links = [channel.findtext("link"), channel.findtext("image/url"), channel.findtext("image/link")]
    links += [channel.find(f"{ATOM}link").get("href"), channel.find(f"{ITUNES}image").get("href")]  # type: ignore[union-attr]
    for item in channel.iter("item"):
        links += [item.findtext("link"), item.find("enclosure").get("url")]  # type: ignore[union-attr]
    return [str(link) for link in links]


# --------------------------------------------------------------------------- Host headers


def test_a_forged_host_is_refused_everywhere(client) -> None:
    for path in ("/", f"/{SAMPLE_ID}/vi/", "/feed/vi.xml", f"/{SAMPLE_ID}/manifest.json", f"/packs/{SAMPLE_ID}.zip", "/cover.png"):
        r = client.get(path, headers={"Host": "evil.example"})
        assert r.status_code == 400 and b"evil" not in r.content, path
    assert client.get("/", headers={"Host": "127.0.0.1:8080"}).status_code == 200
    assert client.get("/", headers={"Host": "[::1]:8080"}).status_code == 200
    assert client.get("/", headers={"Host": "localhost.evil.example"}).status_code == 400


def test_without_public_url_links_use_the_bound_address_never_the_host(portal_env: Path, tmp_path: Path) -> None:
    from bantin.portal import PortalConfig

    config = PortalConfig(outputs=portal_env, public_url=None, cache_dir=tmp_path, allowed_hosts=("radio.lan",))
    with _client(config) as c:
        for host in ("localhost", "radio.lan:8080"):
            feed = c.get("/feed/vi.xml", headers={"Host": host})
            assert feed.status_code == 200
            links = _feed_links(feed.content)
            assert len(links) == 7 and all(link.startswith(f"{BOUND}/") for link in links), links
            assert f"{BOUND}/{SAMPLE_ID}/vi/{SAMPLE_ID}.vi.mp3" in links and f"{BOUND}/feed/vi.xml" in links and f"{BOUND}/cover.png" in links
            page = c.get(f"/{SAMPLE_ID}/vi/", headers={"Host": host}).text
            manifest = c.get(f"/{SAMPLE_ID}/manifest.json", headers={"Host": host}).text
            assert "radio.lan" not in page and "radio.lan" not in manifest and "http://localhost" not in page
        assert c.get("/", headers={"Host": "radio.lan"}).status_code == 200
        assert c.get("/", headers={"Host": "radio.lan.evil.example"}).status_code == 400


def test_with_public_url_links_use_it_and_its_host_is_answered(portal_env: Path, tmp_path: Path) -> None:
    from bantin.portal import PortalConfig

    config = PortalConfig(outputs=portal_env, public_url="https://bantin.example.org/portal", cache_dir=tmp_path)
    with _client(config) as c:
        links = _feed_links(c.get("/feed/vi.xml", headers={"Host": "localhost:9999"}).content)
        assert all(link.startswith("https://bantin.example.org/portal/") for link in links), links
        assert c.get("/feed/vi.xml", headers={"Host": "bantin.example.org"}).status_code == 200
        assert c.get("/feed/vi.xml", headers={"Host": "evil.example"}).status_code == 400


def test_listening_on_every_interface_links_to_a_configured_name(portal_env: Path, tmp_path: Path) -> None:
    from bantin.portal import PortalConfig

    named = PortalConfig(outputs=portal_env, public_url=None, cache_dir=tmp_path, host="0.0.0.0", port=8181, allowed_hosts=("*.lan", "radio.lan"))
    assert named.feed_base() == "http://radio.lan:8181/"
    assert "0.0.0.0" not in named.trusted_hosts() and "*.lan" in named.trusted_hosts()
    assert PortalConfig(outputs=portal_env, public_url=None, host="::", port=8181, allowed_hosts=()).feed_base() == "http://127.0.0.1:8181/"
    v6 = PortalConfig(outputs=portal_env, public_url=None, host="::1", port=8181, allowed_hosts=())
    assert v6.feed_base() == "http://[::1]:8181/"
    with _client(named) as c:
        assert c.get("/", headers={"Host": "studio.lan"}).status_code == 200
        assert c.get("/", headers={"Host": "0.0.0.0:8181"}).status_code == 400


def test_allowed_hosts_come_from_the_environment_or_bantin_toml(portal_env: Path, tmp_path: Path, monkeypatch) -> None:
    from bantin.portal import PortalConfig

    (tmp_path / "bantin.toml").write_text('[portal]\nallowed_hosts = ["radio.lan", "10.0.0.7"]\n', encoding="utf-8")
    monkeypatch.setenv("BANTIN_ROOT", str(tmp_path))
    monkeypatch.delenv("BANTIN_ALLOWED_HOSTS", raising=False)
    assert PortalConfig(outputs=portal_env).allowed_hosts == ("radio.lan", "10.0.0.7")
    monkeypatch.setenv("BANTIN_ALLOWED_HOSTS", "studio.lan, *.example.org")
    config = PortalConfig(outputs=portal_env, cache_dir=tmp_path)
    assert config.allowed_hosts == ("studio.lan", "*.example.org")
    with _client(config) as c:
        assert c.get("/", headers={"Host": "studio.lan"}).status_code == 200
        assert c.get("/", headers={"Host": "radio.lan"}).status_code == 400


def test_an_allowed_host_that_cannot_match_is_refused_in_one_line(portal_env: Path, tmp_path: Path) -> None:
    from bantin.cli import cli
    from bantin.errors import ConfigError
    from bantin.portal import PortalConfig, create_app

    with pytest.raises(ConfigError, match=r"allowed host 'radio.lan:8080': not a host name"):
        create_app(PortalConfig(outputs=portal_env, cache_dir=tmp_path, allowed_hosts=("radio.lan:8080",)))
    result = CliRunner().invoke(cli, ["portal", "--outputs", str(portal_env), "--allowed-host", "https://radio.lan/"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "bantin: error: allowed host 'https://radio.lan/': not a host name (no scheme, port or path; '*.' only at the start). "
        "Give it as radio.example.org, *.example.org or 192.168.1.20"
    ]


# --------------------------------------------------------------------------- the public record


def _publish(root: Path, project: Path) -> Path:
    """Commit a generation through the store whose record names server paths, as a real render can."""
    store = BulletinStore(BID, root)
    files = {"vi/x.vi.a4.pdf": b"%PDF-vi", "vi/x.vi.mp3": b"ID3-vi-reading", "vi/x.vi.txt": "Bản tin.\n".encode()}
    with store.locked():
        stage = store.begin()
        entries = []
        for rel, data in files.items():
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            kind, media = {"pdf": ("pdf", "application/pdf"), "mp3": ("audio", "audio/mpeg"), "txt": ("transcript", "text/plain; charset=utf-8")}[rel[-3:]]
            refused = [f"file://{project}/content/{BID}/assets/thieu.png", "file:///etc/hosts", "https://example.org/a.png"] if kind == "pdf" else None
            entries.append(
                Entry(
                    path=rel,
                    kind=kind,
                    locale="vi",
                    profile="a4" if kind == "pdf" else None,
                    media_type=media,
                    bytes=len(data),
                    sha256=sha256_file(path),
                    mtime_ns=path.stat().st_mtime_ns,
                    inputs=INPUTS,
                    refused_urls=refused,
                    duration_s=2.0 if kind == "audio" else None,
                    fallback_reason=f"gtts: cache {project}/.cache/speech/ab.mp3 unreadable" if kind == "audio" else None,
                )
            )
        record = Record(
            bulletin=BulletinHead(id=BID, title="Tin an toàn", date=dt.date(2024, 7, 2)),
            outputs=entries,
            locales={"vi": LocaleRecord(code="vi", status="published", reading="vi/x.vi.mp3")},
            failures=[FailureNote(stage="render_pdf", reason=f"{project}/content/{BID}/assets/logo.svg: cannot be read", locale="vi", profile="a5")],
            inputs={"key": "k", "source": "s", "note": f"read from {root}/{BID}"},
        )
        store.commit(record)
    return root / BID


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, en_locales: Path) -> Path:
    """A project folder (bantin.toml) whose outputs hold one bulletin committed through the store."""
    root = tmp_path / "srv" / "dai-truyen-thanh"
    (root / "outputs").mkdir(parents=True)
    (root / "bantin.toml").write_text('[project]\ncentre = "Đài"\n', encoding="utf-8")
    monkeypatch.setenv("BANTIN_ROOT", str(root))
    monkeypatch.setenv("BANTIN_OUTPUTS", str(root / "outputs"))
    monkeypatch.setenv("BANTIN_LOCALES", str(en_locales))
    monkeypatch.delenv("BANTIN_PUBLIC_URL", raising=False)
    _publish(root / "outputs", root)
    return root


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _assert_no_server_path(data: bytes, project: Path) -> dict:
    record = json.loads(data)
    strings = _strings(record)
    assert not [s for s in strings if str(project) in s or "/srv/" in s or s.startswith("/") or "file:" in s or " /" in s], strings
    return record


def test_the_served_record_shows_no_server_path(project: Path, tmp_path: Path) -> None:
    from bantin.portal import PortalConfig, export_site, load_library

    on_disk = (project / "outputs" / BID / MANIFEST_NAME).read_text(encoding="utf-8")
    assert f"file://{project}/content" in on_disk and "file:///etc/hosts" in on_disk  # the record keeps what it knows
    with _client(PortalConfig(outputs=project / "outputs", cache_dir=tmp_path / "packs")) as c:
        r = c.get(f"/{BID}/manifest.json")
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        record = _assert_no_server_path(r.content, project)
        assert c.get(f"/{BID}/manifest.json", headers={"If-None-Match": r.headers["etag"]}).status_code == 304
        pack = zipfile.ZipFile(io.BytesIO(c.get(f"/packs/{BID}.zip").content))
    pdf = next(o for o in record["outputs"] if o["kind"] == "pdf")
    assert pdf["refused_urls"] == [f"content/{BID}/assets/thieu.png", ".../hosts", "https://example.org/a.png"]
    assert record["refused_urls"]["urls"] == sorted(pdf["refused_urls"])
    assert record["failures"][0]["reason"] == f"content/{BID}/assets/logo.svg: cannot be read"
    assert next(o for o in record["outputs"] if o["kind"] == "audio")["fallback_reason"] == "gtts: cache .cache/speech/ab.mp3 unreadable"
    assert record["inputs"]["note"] == f"read from outputs/{BID}"
    assert [o["sha256"] for o in record["outputs"]] == [o["sha256"] for o in json.loads(on_disk)["outputs"]]  # the rest is untouched
    assert pack.read(f"{BID}/{MANIFEST_NAME}") == r.content
    assert (project / "outputs" / BID / MANIFEST_NAME).read_text(encoding="utf-8") == on_disk  # the record on disk stays as is
    export_site(load_library(project / "outputs"), tmp_path / "site")
    assert (tmp_path / "site" / BID / MANIFEST_NAME).read_bytes() == r.content


def test_a_record_without_server_paths_is_served_byte_for_byte(client, portal_outputs: Path) -> None:
    r = client.get(f"/{SAMPLE_ID}/manifest.json")
    assert r.content == (portal_outputs / SAMPLE_ID / MANIFEST_NAME).read_bytes()
    assert r.headers["etag"] == f'"{hashlib.sha256(r.content).hexdigest()}"'


def test_scrub_paths_leaves_urls_dates_and_relative_paths_alone() -> None:
    from bantin.portal.public import scrub_paths

    roots = [Path("/srv/p")]
    text = "https://example.org/a/b.png 28/6/2024 vi/x.pdf 40% < 90% a / b"
    assert scrub_paths(text, roots) == text
    assert scrub_paths("(/srv/p/content/x.png), file:/srv/p/a%20b.png; /home/u/.cache/c.mp3", roots) == "(content/x.png), a b.png; .../c.mp3"
    assert scrub_paths("file://localhost/etc/passwd '/srv/pp/x'", roots) == ".../passwd '.../x'"


# --------------------------------------------------------------------------- hand-edited records


def _edit(project: Path, change) -> dict:  # type: ignore[no-untyped-def]
    """Hand-edit the live record (outputs/<id>/manifest.json) with ``change(entries by kind)``."""
    path = project / "outputs" / BID / MANIFEST_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    change({o["kind"]: o for o in data["outputs"]})
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return data


def _assert_never_given_out(project: Path, tmp_path: Path, c, name: bytes) -> None:  # type: ignore[no-untyped-def]
    """The bytes ``name`` marks are in no answer: files, pages, feed, pack; nor in an export."""
    from bantin.portal import export_site, load_library

    for url in (f"/{BID}/vi/", f"/{BID}/vi/x.vi.mp3", f"/{BID}/vi/x.vi.txt", "/feed/vi.xml", f"/{BID}/manifest.json"):
        assert name not in c.get(url).content, url
    pack = c.get(f"/packs/{BID}.zip")
    if pack.status_code == 200:
        zf = zipfile.ZipFile(io.BytesIO(pack.content))
        assert not [n for n in zf.namelist() if name in zf.read(n)]
    else:
        assert pack.status_code == 404
    export_site(load_library(project / "outputs"), tmp_path / "site")
    assert not [p for p in (tmp_path / "site").rglob("*") if p.is_file() and name in p.read_bytes()]


@pytest.mark.parametrize("bad", ["/etc/passwd", "../../x"])
def test_a_hand_edited_path_out_of_the_generation_is_never_served(project: Path, tmp_path: Path, caplog, bad: str) -> None:
    from bantin.portal import PortalConfig

    generation = (project / "outputs" / BID).resolve()
    target = Path(bad) if bad.startswith("/") else (generation / bad).resolve()
    if not bad.startswith("/"):
        target.write_bytes(b"SECRET-OUTSIDE")
    secret = target.read_bytes()[:14]
    _edit(project, lambda by_kind: by_kind["audio"].update(path=bad, bytes=target.stat().st_size, mtime_ns=target.stat().st_mtime_ns))
    with caplog.at_level(logging.WARNING, logger="bantin.portal"), _client(PortalConfig(outputs=project / "outputs", cache_dir=tmp_path / "p")) as c:
        assert c.get(f"/{BID}/{bad}").status_code == 404
        assert c.get(f"/{BID}/vi/x.vi.mp3").status_code == 404
        _assert_never_given_out(project, tmp_path, c, secret)
        assert c.get("/").status_code == 200
    said = [r.getMessage() for r in caplog.records if bad in r.getMessage()]
    assert len(said) == 1 and str(project / "outputs" / BID / MANIFEST_NAME) in said[0], said  # one line, however many requests


def test_a_listed_file_swapped_for_a_link_out_of_the_generation_is_never_served(project: Path, tmp_path: Path, caplog) -> None:
    """A link to a file outside, with the record edited to match its size, mtime and hash: only the containment check stops it."""
    from bantin.portal import PortalConfig, load_library

    outside = tmp_path / "outside.mp3"
    outside.write_bytes(b"ID3-SECRET-OUTSIDE")
    mp3 = project / "outputs" / BID / "vi" / "x.vi.mp3"
    mp3.unlink()
    mp3.symlink_to(outside)
    st = outside.stat()
    _edit(project, lambda by_kind: by_kind["audio"].update(bytes=st.st_size, mtime_ns=st.st_mtime_ns, sha256=sha256_file(outside)))
    with caplog.at_level(logging.WARNING, logger="bantin.portal"), _client(PortalConfig(outputs=project / "outputs", cache_dir=tmp_path / "p")) as c:
        assert c.get(f"/{BID}/vi/x.vi.mp3").status_code == 404
        assert c.get(f"/{BID}/vi/x.vi.a4.pdf").status_code == 200  # the rest of the bulletin is served
        assert "x.vi.mp3" not in c.get(f"/{BID}/vi/").text and "<item>" not in c.get("/feed/vi.xml").text
        _assert_never_given_out(project, tmp_path, c, b"SECRET-OUTSIDE")
    b = load_library(project / "outputs").get(BID)
    assert b is not None and "vi/x.vi.mp3" not in b.files and b.file_path("vi/x.vi.mp3") is None
    said = [r.getMessage() for r in caplog.records if "x.vi.mp3" in r.getMessage()]
    assert len(said) == 1 and "leads out of the bulletin's generation" in said[0], said


# --------------------------------------------------------------------------- temp folders


def test_the_temp_folder_goes_when_the_app_stops(portal_env: Path, tmp_path: Path, monkeypatch) -> None:
    from bantin.portal import PortalConfig

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with _client(PortalConfig(outputs=portal_env)) as c:
        assert list(tmp_path.glob("bantin-portal-*")) == []  # made on the first pack only
        assert c.get(f"/packs/{SAMPLE_ID}.zip").status_code == 200
        (folder,) = tmp_path.glob(f"bantin-portal-{os.getpid()}-*")
        assert list(folder.glob("*.zip"))
    assert not folder.exists()


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    return int(done.stdout)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str, host: str = "127.0.0.1") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": host})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_portal_process_stopped_by_a_signal_leaves_no_temp_folder(portal_env: Path, tmp_path: Path, sig: signal.Signals) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    stale = tmp / f"bantin-portal-{_dead_pid()}-k1ll3d"  # left by a killed portal
    stale.mkdir()
    (stale / "x.zip").write_bytes(b"PK")
    alive = tmp / f"bantin-portal-{os.getpid()}-alive"  # another portal's, whose process runs
    alive.mkdir()
    port = _free_port()
    env = {**os.environ, "TMPDIR": str(tmp), "BANTIN_OUTPUTS": str(portal_env)}
    env.pop("BANTIN_PUBLIC_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bantin.cli", "portal", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(port, "/")[0] == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read() if proc.stdout else ""
            time.sleep(0.1)
        assert not stale.exists() and alive.exists()
        status, body = _get(port, "/", host="evil.example")
        assert status == 400 and b"evil" not in body
        status, body = _get(port, "/feed/vi.xml", host="localhost")
        assert status == 200 and f"http://127.0.0.1:{port}/{SAMPLE_ID}/vi/".encode() in body and b"localhost" not in body
        assert _get(port, f"/packs/{SAMPLE_ID}.zip")[0] == 200
        (own,) = tmp.glob(f"bantin-portal-{proc.pid}-*")
        assert list(own.glob("*.zip"))
        proc.send_signal(sig)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert sorted(p.name for p in tmp.glob("bantin-portal-*")) == [alive.name]
