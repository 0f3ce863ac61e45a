"""Fixtures for the portal: a small outputs/ tree with real files, and a live server on it.

The tree holds what the finished pipeline will publish (previews, captions,
transcripts, a locale status mapping), built from real components: a PDF
rendered by WeasyPrint, a PNG of its first page by pdftoppm, MP3 readings by
espeak-ng + ffmpeg.  A second, older bulletin has today's simpler manifest
(``locales`` as a list, no previews, no audio), a third folder a broken one.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from portal_names import EN_TITLE, LOCAL, OLD_ID, SAMPLE_ID, VI_TRANSCRIPT, VI_TRANSCRIPT_NAME

from bantin.fsutil import sha256_file
from testing_utils import served_in_thread

#: English words for the portal, as the i18n work will translate them (written into a test catalog).
EN_CHROME = {
    "Các bản tin": "Bulletins",
    "Bản tin: tải về và nghe": "Bulletins: download and listen",
    "Bỏ qua, đến nội dung chính": "Skip to main content",
    "Ngôn ngữ giao diện": "Interface language",
    "Ngôn ngữ": "Languages",
    "Nghe bản đọc": "Listen to the reading",
    "Tải PDF": "Download PDF",
    "Tải MP3": "Download MP3",
    "Bản đọc máy (chất lượng thấp)": "Machine reading (low quality)",
    "Gói phát thanh": "Broadcast pack",
    "Về danh sách bản tin": "Back to all bulletins",
    "Bản gốc": "Original",
    "Đã xuất bản": "Published",
}


def _run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)


def _mp3(text: str, voice: str, out: Path) -> None:
    import tempfile

    wav = Path(tempfile.mkdtemp(prefix="bt-")) / "r.wav"  # espeak-ng truncates long -w paths
    _run("espeak-ng", "-v", voice, "-w", str(wav), text)
    _run(
        "ffmpeg",
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(wav),
        "-ac",
        "1",
        "-ar",
        "22050",
        "-b:a",
        "32k",
        "-map_metadata",
        "-1",
        "-fflags",
        "+bitexact",
        str(out),
    )
    shutil.rmtree(wav.parent)


def _entry(root: Path, rel: str, kind: str, locale: str, media_type: str, **extra: object) -> dict[str, object]:
    path = root / rel
    return {"path": rel, "kind": kind, "locale": locale, "media_type": media_type, "bytes": path.stat().st_size, "sha256": sha256_file(path), **extra}


def _duration(path: Path) -> float:
    from mutagen.mp3 import MP3

    return round(MP3(path).info.length, 3)


def build_outputs(root: Path, sample_variant) -> Path:
    """Write the fixture outputs tree under ``root`` and return it."""
    from bantin.render.pdf import render_pdf

    a = root / SAMPLE_ID
    (a / "vi").mkdir(parents=True)
    (a / "en").mkdir()
    pdf = render_pdf(sample_variant, "a4", a / "vi" / f"{SAMPLE_ID}.vi.a4.pdf")
    _run("pdftoppm", "-png", "-r", "24", "-f", "1", "-l", "1", "-singlefile", str(pdf.path), str(a / "vi" / f"{SAMPLE_ID}.vi.a4"))
    shutil.copyfile(pdf.path, a / "en" / f"{SAMPLE_ID}.en.a5.pdf")
    shutil.copyfile(a / "vi" / f"{SAMPLE_ID}.vi.a4.png", a / "en" / f"{SAMPLE_ID}.en.a5.png")
    _mp3("Sáng hai mươi tám tháng sáu. Hội nghị giao ban.", "vi", a / "vi" / f"{SAMPLE_ID}.vi.mp3")
    _mp3("Mass mobilization briefing.", "en-gb", a / "en" / f"{SAMPLE_ID}.en.mp3")
    (a / VI_TRANSCRIPT_NAME).write_text(VI_TRANSCRIPT + "\n", encoding="utf-8")
    (a / "vi" / f"{SAMPLE_ID}.vi.vtt").write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nSáng 28/6/2024, Ban Dân vận Tỉnh ủy\n\n00:00:01.500 --> 00:00:03.000\ntổ chức hội nghị giao ban.\n",
        encoding="utf-8",
    )
    (a / "en" / f"{SAMPLE_ID}.en.vtt").write_text("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nMass mobilization briefing.\n", encoding="utf-8")
    (a / "secret.txt").write_text("not listed in the manifest\n", encoding="utf-8")
    vi_mp3, en_mp3 = a / "vi" / f"{SAMPLE_ID}.vi.mp3", a / "en" / f"{SAMPLE_ID}.en.mp3"
    outputs = [
        _entry(a, f"vi/{SAMPLE_ID}.vi.a4.pdf", "pdf", "vi", "application/pdf", profile="a4", pages=pdf.pages),
        _entry(a, f"vi/{SAMPLE_ID}.vi.a4.png", "preview", "vi", "image/png", profile="a4"),
        _entry(a, f"vi/{SAMPLE_ID}.vi.mp3", "audio", "vi", "audio/mpeg", duration_s=_duration(vi_mp3), engine="espeak", voice="espeak-ng:vi", degraded=True),
        _entry(a, f"vi/{SAMPLE_ID}.vi.vtt", "captions", "vi", "text/vtt"),
        _entry(a, VI_TRANSCRIPT_NAME, "transcript", "vi", "text/plain; charset=utf-8"),
        # The other shape of previews: a ``preview`` key on the pdf entry.
        _entry(a, f"en/{SAMPLE_ID}.en.a5.pdf", "pdf", "en", "application/pdf", profile="a5", pages=pdf.pages, preview=f"en/{SAMPLE_ID}.en.a5.png"),
        _entry(a, f"en/{SAMPLE_ID}.en.mp3", "audio", "en", "audio/mpeg", duration_s=_duration(en_mp3), engine="gtts", voice="gtts:en", degraded=False),
        _entry(a, f"en/{SAMPLE_ID}.en.vtt", "captions", "en", "text/vtt"),
    ]
    manifest = {
        "schema": 1,
        "bulletin": {"id": SAMPLE_ID, "title": sample_variant.bulletin.title, "date": "2024-06-28", "language": "vi"},
        "bantin_version": "0.1.0",
        "generated_at": "2024-06-28T09:30:00Z",
        "locales": {
            "vi": {"status": "source", "percent": 100},
            "en": {"status": "published", "percent": 100, "title": EN_TITLE, "translated": 12, "fuzzy": 0, "untranslated": 0},
            "km": {"status": "skipped", "percent": 40, "reason": "translation 40% < 90%", "translated": 5, "fuzzy": 1, "untranslated": 6},
        },
        "outputs": sorted(outputs, key=lambda o: o["path"]),
        "failures": [],
        "status": "complete",
        # the degraded vi reading was accepted for broadcast by an approver: it is in the vi feed, marked as a machine reading
        "editorial": {"accepted": {f"vi/{SAMPLE_ID}.vi.mp3": {"by": "duyet", "at": "2024-06-28T09:31:00Z", "sha256": sha256_file(vi_mp3)}}},
    }
    (a / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")

    b = root / OLD_ID
    (b / "vi").mkdir(parents=True)
    shutil.copyfile(pdf.path, b / "vi" / f"{OLD_ID}.vi.a4.pdf")
    old = {
        "schema": 1,
        "bulletin": {"id": OLD_ID, "title": "Tin cũ <b>không</b> in đậm", "date": "2024-05-02", "language": "vi"},
        "generated_at": "2024-05-02T01:00:00Z",
        "locales": ["vi"],
        "outputs": [_entry(b, f"vi/{OLD_ID}.vi.a4.pdf", "pdf", "vi", "application/pdf", profile="a4", pages=pdf.pages)],
        "status": "complete",
    }
    (b / "manifest.json").write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")

    broken = root / "2024-07-01-hong"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json", encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def portal_outputs(tmp_path_factory: pytest.TempPathFactory, sample_variant) -> Path:
    """The fixture outputs tree (built once per session; tests must not change it)."""
    return build_outputs(tmp_path_factory.mktemp("portal") / "outputs", sample_variant)


@pytest.fixture(scope="session")
def en_locales(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A locales folder: the project's configs plus an English chrome catalog with the portal's words."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    from testing_utils import ROOT, SHIPPED_LOCALES

    root = tmp_path_factory.mktemp("locales")
    shutil.copytree(SHIPPED_LOCALES, root, dirs_exist_ok=True)
    shutil.copytree(ROOT / "locales", root, dirs_exist_ok=True)
    catalog = Catalog(locale="en", domain="chrome")
    for msgid, msgstr in EN_CHROME.items():
        catalog.add(msgid, msgstr)
    catalog.add("Tải gói phát thanh (ZIP)", "Download fuzzy", flags=["fuzzy"])
    (root / "en" / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
    with (root / "en" / "LC_MESSAGES" / "chrome.po").open("wb") as fh:
        write_po(fh, catalog)
    return root


@pytest.fixture
def portal_env(monkeypatch: pytest.MonkeyPatch, portal_outputs: Path, en_locales: Path) -> Path:
    """Point bantin at the fixture outputs and the locales with an English chrome catalog."""
    monkeypatch.setenv("BANTIN_OUTPUTS", str(portal_outputs))
    monkeypatch.setenv("BANTIN_LOCALES", str(en_locales))
    monkeypatch.delenv("BANTIN_PUBLIC_URL", raising=False)
    return portal_outputs


@pytest.fixture
def client(portal_env: Path, tmp_path: Path):
    from starlette.testclient import TestClient

    from bantin.portal import PortalConfig, create_app

    app = create_app(PortalConfig(outputs=portal_env, cache_dir=tmp_path / "packs"))
    (tmp_path / "packs").mkdir()
    with TestClient(app, base_url=LOCAL) as c:
        yield c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_portal(tmp_path_factory: pytest.TempPathFactory, portal_outputs: Path, en_locales: Path) -> Iterator[str]:
    """The portal served by uvicorn on a free 127.0.0.1 port in a thread; yields its base URL."""

    from bantin.portal import PortalConfig, create_app

    mp = pytest.MonkeyPatch()
    mp.setenv("BANTIN_LOCALES", str(en_locales))
    port = _free_port()
    app = create_app(PortalConfig(outputs=portal_outputs, public_url=None, cache_dir=tmp_path_factory.mktemp("packs"), port=port))
    try:
        with served_in_thread(app, port, "the portal") as url:
            yield url
    finally:
        mp.undo()
