"""End to end: the publish-bulletin flow under Prefect's test harness."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prefect.testing.utilities import prefect_test_harness

from bantin.fsutil import sha256_file
from bantin.publish.request import PublishRequest
from testing_utils import SAMPLE_TITLE, pdf_text


@pytest.fixture(scope="module")
def harness():
    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_publish_sample_end_to_end(harness, sample_yaml: Path, sample_bulletin, outputs: Path) -> None:
    from bantin.flows.flow import publish_bulletin

    summary = publish_bulletin(PublishRequest(bulletin=str(sample_yaml), engine="espeak"))
    out_dir = outputs / sample_bulletin.id
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert Path(summary["manifest"]) == out_dir / "manifest.json"
    paths = sorted(o["path"] for o in manifest["outputs"])
    bid = sample_bulletin.id
    pdfs = [f"vi/{bid}.vi.{p}.pdf" for p in ("a4", "a5", "large-print")]
    readings = [f"vi/{bid}.vi.mp3", f"vi/{bid}.vi.txt", f"vi/{bid}.vi.vtt"]
    braille_epub = [f"vi/{bid}.vi.brf", f"vi/{bid}.vi.pef", f"vi/{bid}.vi.epub"]
    assert paths == sorted(pdfs + [p.replace(".pdf", ".png") for p in pdfs] + readings + braille_epub)
    previews = [o for o in manifest["outputs"] if o["kind"] == "preview"]
    assert {o["media_type"] for o in previews} == {"image/png"} and {o["preview_of"] for o in previews} == set(pdfs)
    assert manifest["refused_urls"]["count"] == 0
    kinds = {o["path"]: (o["kind"], o["media_type"]) for o in manifest["outputs"]}
    assert kinds[f"vi/{bid}.vi.txt"] == ("transcript", "text/plain; charset=utf-8")
    assert kinds[f"vi/{bid}.vi.vtt"] == ("captions", "text/vtt")
    assert kinds[f"vi/{bid}.vi.brf"] == ("braille-brf", "application/x-brf")
    assert kinds[f"vi/{bid}.vi.pef"] == ("braille-pef", "application/x-pef+xml")
    assert kinds[f"vi/{bid}.vi.epub"] == ("epub", "application/epub+zip")
    for out in manifest["outputs"]:
        assert sha256_file(out_dir / out["path"]) == out["sha256"]
    audio = next(o for o in manifest["outputs"] if o["kind"] == "audio")
    assert audio["engine"] == "espeak" and audio["degraded"] is True and audio["duration_s"] > 30
    assert audio["read_by"] == ["espeak"] and {p["engine"] for p in audio["parts"]} == {"espeak"}
    assert abs(audio["loudness"]["integrated_lufs"] + 16) <= 1 and audio["loudness"]["true_peak_dbtp"] <= -1.5
    assert SAMPLE_TITLE in pdf_text(out_dir / f"vi/{sample_bulletin.id}.vi.a4.pdf")
    assert manifest["status"] == "complete" and manifest["bulletin"]["date"] == "2024-06-28"
    assert manifest["request"] == PublishRequest(bulletin=str(sample_yaml), engine="espeak").model_dump(mode="json")  # the record keeps it
    leftovers = [p for p in out_dir.rglob("*") if ".tmp" in p.name]
    assert leftovers == []

    # Publishing again gives the same files, byte for byte, and leaves them untouched.
    before = {o["path"]: (out_dir / o["path"]).stat().st_mtime_ns for o in manifest["outputs"]}
    publish_bulletin(PublishRequest(bulletin=str(sample_yaml), engine="espeak"))
    again = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert [o["sha256"] for o in again["outputs"]] == [o["sha256"] for o in manifest["outputs"]]
    assert {p: (out_dir / p).stat().st_mtime_ns for p in before} == before


def test_failed_stage_fails_the_run_and_keeps_the_rest(harness, sample_yaml: Path, sample_bulletin, outputs: Path, tmp_path: Path) -> None:
    from bantin.flows.flow import PublishFailed, publish_bulletin

    with pytest.raises(PublishFailed) as info:
        publish_bulletin(PublishRequest(bulletin=str(sample_yaml), engine="piper", voice=str(tmp_path / "no-such-voice.onnx")))
    assert [f.stage for f in info.value.failures] == ["synthesize_audio"]
    manifest = json.loads((outputs / sample_bulletin.id / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed"
    assert sorted(o["kind"] for o in manifest["outputs"]) == ["braille-brf", "braille-pef"] + ["pdf"] * 3 + ["preview"] * 3
    assert "piper" in manifest["failures"][0]["reason"]
    assert manifest["locales"]["vi"]["no_epub"] == "no EPUB: vi has no reading to synchronize"


def test_publish_several_locales_applies_the_policy(harness, sample_yaml: Path, sample_bulletin, outputs: Path, tmp_path: Path) -> None:
    """vi and en are published; km (partial) and cmo (empty) are skipped, with the reason and counts."""
    from bantin.flows.flow import publish_bulletin
    from testing_utils import SAMPLE_TITLE_EN

    summary = publish_bulletin(PublishRequest(bulletin=str(sample_yaml), locales=("vi", "en", "km", "cmo"), profiles=("a4",), engine="espeak"))
    out_dir = outputs / sample_bulletin.id
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete"
    bid = sample_bulletin.id
    assert sorted(o["path"] for o in manifest["outputs"]) == [
        f"en/{bid}.en.a4.pdf",
        f"en/{bid}.en.a4.png",
        f"en/{bid}.en.brf",
        f"en/{bid}.en.epub",
        f"en/{bid}.en.mp3",
        f"en/{bid}.en.pef",
        f"en/{bid}.en.txt",
        f"en/{bid}.en.vtt",
        f"vi/{bid}.vi.a4.pdf",
        f"vi/{bid}.vi.a4.png",
        f"vi/{bid}.vi.brf",
        f"vi/{bid}.vi.epub",
        f"vi/{bid}.vi.mp3",
        f"vi/{bid}.vi.pef",
        f"vi/{bid}.vi.txt",
        f"vi/{bid}.vi.vtt",
    ]
    text = pdf_text(out_dir / f"en/{bid}.en.a4.pdf")
    assert SAMPLE_TITLE_EN in text and "Friday, June 28, 2024" in text and "Page 1 of 1" in text  # the A4 poster is one page
    assert "Bản tin" not in text and "Nguồn" not in text
    skipped = {s["locale"]: s for s in manifest["skipped"]}
    assert set(skipped) == {"km", "cmo"} and summary["skipped"] == manifest["skipped"]
    assert skipped["km"]["what"] == "variant" and "1 of 9 messages translated (11%)" in skipped["km"]["reason"]
    assert (skipped["km"]["translated"], skipped["km"]["fuzzy"], skipped["km"]["untranslated"]) == (1, 0, 8)
    assert skipped["cmo"]["translated"] == 0 and skipped["cmo"]["untranslated"] == 9
    assert manifest["translations"]["en"]["status"] == "published" and manifest["translations"]["km"]["status"] == "skipped"

    # The portal reads the record: English heading and feed in English, km (11%) not shown as published.
    with _portal(outputs, tmp_path) as client:
        page = client.get(f"/{bid}/en/")
        assert page.status_code == 200 and f'<h1 lang="en">{SAMPLE_TITLE_EN}</h1>' in page.text
        assert client.get(f"/{bid}/km/").status_code == 404
        index = client.get("/").text
        assert "km" not in [s.code for s in _library(outputs).get(bid).locales if s.published]  # type: ignore[union-attr]
        assert index.count("Đã xuất bản") == 1  # only en: vi is the source
        assert client.get("/feed/en.xml").status_code == 404  # an espeak (machine) reading is held out of the feed...
        from bantin.publish.editorial import accept_reading

        accept_reading(bid, "en", "duyet", root=outputs)  # ...until an approver accepts it
        import time

        time.sleep(0.2)  # the portal looks at the index ten times a second
        feed = client.get("/feed/en.xml")
        assert feed.status_code == 200 and f"<title>{SAMPLE_TITLE_EN}</title>" in feed.text
        assert f'<guid isPermaLink="false">bantin:{bid}:en</guid>' in feed.text

    # A lower threshold publishes km's PDF; espeak has no Khmer voice, which is a skip, not a failure.
    # The narrower publish keeps what it did not redo: vi and en stay listed, and served.
    publish_bulletin(PublishRequest(bulletin=str(sample_yaml), locales=("km",), profiles=("a4",), engine="espeak", min_translated=10))
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete"
    paths = sorted(o["path"] for o in manifest["outputs"])
    assert [p for p in paths if p.startswith("km/")] == [f"km/{bid}.km.a4.pdf", f"km/{bid}.km.a4.png"]
    assert len(paths) == 18 and not any(o.get("stale") for o in manifest["outputs"])
    assert {"locale": "km", "what": "reading", "reason": "no reading: engine espeak has no km voice"} in manifest["skipped"]
    km_skips = {s["what"]: s["reason"] for s in manifest["skipped"] if s["locale"] == "km"}
    assert set(km_skips) == {"reading", "braille", "epub"} and "km" in km_skips["braille"]
    assert "ទំព័រ 1/" in pdf_text(out_dir / f"km/{bid}.km.a4.pdf")
    generation = out_dir.resolve()
    on_disk = sorted(p.relative_to(generation).as_posix() for p in generation.rglob("*") if p.is_file() and not p.name.startswith("."))
    assert on_disk == sorted([*paths, "manifest.json"])  # everything on disk is listed, nothing else
    with _portal(outputs, tmp_path) as client:
        assert client.get(f"/{bid}/en/").status_code == 200 and client.get("/feed/en.xml").status_code == 200
        assert client.get(f"/{bid}/km/").status_code == 200


def _library(outputs: Path):  # type: ignore[no-untyped-def]
    from bantin.portal import load_library

    return load_library(outputs)


def _portal(outputs: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    from starlette.testclient import TestClient

    from bantin.portal import PortalConfig, create_app

    cache = tmp_path / f"packs-{len(list(tmp_path.glob('packs-*')))}"
    cache.mkdir()
    return TestClient(create_app(PortalConfig(outputs=outputs, cache_dir=cache)), base_url="http://localhost")  # a Host the portal answers


def test_one_english_paragraph_changed_re_renders_only_english_pdfs(
    harness, sample_yaml: Path, sample_bulletin, outputs: Path, tmp_path: Path, monkeypatch
) -> None:
    """The content-keyed caches: editing one English translation re-renders the English PDFs, and nothing else."""
    import shutil

    from babel.messages.pofile import read_po, write_po

    from bantin.flows.flow import publish_bulletin
    from bantin.i18n.catalogs import bulletin_po_path
    from testing_utils import ROOT

    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales)
    monkeypatch.setenv("BANTIN_LOCALES", str(locales))
    request = PublishRequest(bulletin=str(sample_yaml), locales=("vi", "en"), profiles=("a4", "a5"), engine="espeak")
    first = publish_bulletin(request)
    assert all(s["state"] == "Completed" for s in first["stages"])

    unchanged = publish_bulletin(request)
    assert {s["state"] for s in unchanged["stages"]} == {"Cached"}
    assert not any(s["rendered"] for s in unchanged["stages"])

    po = bulletin_po_path("en", sample_bulletin.id, locales)
    with po.open("rb") as f:
        catalog = read_po(f, locale="en")
    message = next(m for m in catalog if m.context and m.context.endswith(".paragraph") and m.string)
    message.string = message.string + " (Corrected.)"
    with po.open("wb") as f:
        write_po(f, catalog, width=0)

    edited = publish_bulletin(request)
    rendered = sorted((s["locale"], s["profile"]) for s in edited["stages"] if s["rendered"])
    assert rendered == [("en", "a4"), ("en", "a5")]
    states = {(s["stage"], s["locale"], s["profile"]): s["state"] for s in edited["stages"]}
    assert states[("render_pdf", "vi", "a4")] == states[("render_pdf", "vi", "a5")] == "Cached"
    assert states[("synthesize_audio", "vi", None)] == "Cached"
    assert states[("synthesize_audio", "en", None)] == "Completed"  # the English reading says the new words
    assert "(Corrected.)" in pdf_text(outputs / sample_bulletin.id / "en" / f"{sample_bulletin.id}.en.a4.pdf")

    # A syntax error in the English catalog fails localize [en], and the English of the last good publish stays published.
    from bantin.flows.flow import PublishFailed
    from bantin.publish.store import BulletinStore
    from bantin.publish.verify import verify_bulletin

    good = BulletinStore(sample_bulletin.id).record()
    assert good is not None
    english = {e.path: e.sha256 for e in good.current("en")}
    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "unterminated\n', encoding="utf-8")
    with pytest.raises(PublishFailed) as info:
        publish_bulletin(request)
    assert [(f.stage, f.locale) for f in info.value.failures] == [("localize", "en")]
    record = BulletinStore(sample_bulletin.id).record()
    assert record is not None and record.status == "failed"
    assert {e.path: e.sha256 for e in record.current("en")} == english and record.published("en")
    assert all(e.last_good is not None and "localize [en]" in e.last_good.reason for e in record.current("en"))
    en = record.locale("en")
    assert en is not None and en.status == "published" and en.last_good is not None and en.reading is not None
    assert verify_bulletin(sample_bulletin.id).ok(strict=True)
    for path, sha in english.items():
        assert sha256_file(outputs / sample_bulletin.id / path) == sha


def test_offline_auto_skips_the_km_reading_and_lists_braille_and_epub(harness, outputs: Path, tmp_path: Path, monkeypatch) -> None:
    """gTTS unreachable (a closed local port) with engine auto: km's reading is skipped with the reason, vi is read by espeak,
    the run completes; braille (vi; km has no table) and the vi read-along EPUB are record entries, skips listed, verify passes."""
    import gtts.tts
    import gtts.utils

    from bantin.content.bulletin_file import save_bulletin
    from bantin.flows.flow import publish_bulletin
    from bantin.publish.record import read_record
    from bantin.publish.verify import verify_bulletin

    def closed_port(tld: str = "com", path: str = "") -> str:
        return f"https://127.0.0.1:9/{path}"  # the probe dials port 443 of this host: closed too

    monkeypatch.setattr(gtts.utils, "_translate_url", closed_port)
    monkeypatch.setattr(gtts.tts, "_translate_url", closed_port)
    source = tmp_path / "small.yaml"
    save_bulletin(_small_bulletin(), source)

    state = publish_bulletin(PublishRequest(bulletin=str(source), locales=("vi", "km"), profiles=("a5",), engine="auto", min_translated=0), return_state=True)
    assert state.is_completed(), state.message
    record = read_record(outputs / _SMALL_ID)
    assert record is not None and record.status == "complete"
    km, vi = record.locales["km"], record.locales["vi"]
    assert km.status == "published" and km.reading is None
    assert km.no_reading is not None and "gTTS is not reachable" in km.no_reading
    assert km.no_braille is not None and km.no_epub == "no EPUB: km has no reading to synchronize"
    audio = record.current("vi", "audio")
    assert len(audio) == 1 and audio[0].read_by == ["espeak"] and audio[0].degraded and vi.no_epub is None
    kinds = sorted((e.locale, e.kind, e.media_type) for e in record.current() if e.kind not in ("pdf", "preview", "transcript", "captions"))
    assert kinds == [
        ("vi", "audio", "audio/mpeg"),
        ("vi", "braille-brf", "application/x-brf"),
        ("vi", "braille-pef", "application/x-pef+xml"),
        ("vi", "epub", "application/epub+zip"),
    ]
    assert {(s["what"]) for s in record.skipped if s["locale"] == "km"} == {"reading", "braille", "epub"}
    assert all(e.inputs is not None and e.inputs.options["kind"] in ("braille", "epub") for e in record.current() if e.kind in kinds_new())
    verified = verify_bulletin(_SMALL_ID, outputs)
    assert verified.ok(strict=True) and not verified.findings and verified.checked == len(record.outputs)

    # The portal lists them on the vi page (not on km's, which has none) and the pack carries them.
    import io
    import zipfile

    with _portal(outputs, tmp_path) as client:
        page = client.get(f"/{_SMALL_ID}/vi/").text
        for name, media_type in ((".vi.epub", "application/epub+zip"), (".vi.brf", "application/x-brf"), (".vi.pef", "application/x-pef+xml")):
            assert f'{_SMALL_ID}/vi/{_SMALL_ID}{name}" download type="{media_type}"' in page
        km = client.get(f"/{_SMALL_ID}/km/").text  # no braille table for Khmer: the page says why, and offers no file
        assert "Chưa có bảng chữ nổi cho ngôn ngữ này." in km and ".km.brf" not in km and ".km.epub" not in km
        pack = client.get(f"/packs/{_SMALL_ID}.zip")
        assert pack.status_code == 200
        names = zipfile.ZipFile(io.BytesIO(pack.content)).namelist()
        assert {f"{_SMALL_ID}/vi/{_SMALL_ID}.vi.{x}" for x in ("epub", "brf", "pef")} <= set(names)

    # Unchanged: braille and EPUB are served from the cache and their files are not rewritten.
    mtimes = {e.path: (outputs / _SMALL_ID / e.path).stat().st_mtime_ns for e in record.current() if e.kind in kinds_new()}
    again = publish_bulletin(PublishRequest(bulletin=str(source), locales=("vi", "km"), profiles=("a5",), engine="espeak", min_translated=0))
    states = {(s["stage"], s["locale"]): s["state"] for s in again["stages"]}
    assert states[("braille", "vi")] == states[("braille", "km")] == "Cached"
    assert {p: (outputs / _SMALL_ID / p).stat().st_mtime_ns for p in mtimes} == mtimes


_SMALL_ID = "2024-06-28-tiem-chung"


def kinds_new() -> set[str]:
    return {"braille-brf", "braille-pef", "epub"}


def _small_bulletin():  # type: ignore[no-untyped-def]
    import datetime as dt

    from bantin.content.model import Bulletin, Paragraph

    return Bulletin(
        id=_SMALL_ID,
        title="Tiêm chủng mở rộng quý II",
        date=dt.date(2024, 6, 28),
        body=(Paragraph("Sáng 28/6, 6/6 xã đã hoàn thành 95,5% kế hoạch tiêm chủng."), Paragraph("Người dân liên hệ trạm y tế xã để được hướng dẫn.")),
        source="Trung tâm Y tế huyện",
    )
