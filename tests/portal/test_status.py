"""The portal reads only the record: skipped km, a stale profile, per-locale titles, stable feed GUIDs, changed files refused."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from portal_names import LOCAL

from bantin.fsutil import sha256_file
from bantin.publish.record import BulletinHead, Entry, EntryInputs, LocaleRecord, Record
from bantin.publish.store import BulletinStore

BID = "2024-06-28-tiem-chung"
EN_TITLE = "Expanded immunization, second quarter"
INPUTS = EntryInputs(key="k", source="s", catalog="c", templates="t", bulletin_assets="a", bantin="0.1.0")


def _publish(root: Path, files: dict[str, bytes], stale: set[str] = frozenset(), km: str = "skipped") -> Record:  # type: ignore[assignment]
    """Commit a generation holding ``files`` (path -> bytes) through the store, as a publish does."""
    store = BulletinStore(BID, root)
    with store.locked():
        stage = store.begin()
        entries = []
        for rel, data in files.items():
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            locale, name = rel.split("/")
            kind = {"pdf": "pdf", "mp3": "audio"}[name.rsplit(".", 1)[1]]
            profile = name.split(".")[-2] if kind == "pdf" else None
            entries.append(
                Entry(
                    path=rel,
                    kind=kind,
                    locale=locale,
                    profile=profile,
                    media_type="application/pdf" if kind == "pdf" else "audio/mpeg",
                    bytes=len(data),
                    sha256=sha256_file(path),
                    mtime_ns=path.stat().st_mtime_ns,
                    inputs=INPUTS,
                    stale=rel in stale,
                    duration_s=3.0 if kind == "audio" else None,
                    pages=1 if kind == "pdf" else None,
                )
            )
        locales = {
            "vi": LocaleRecord(code="vi", status="published", title="Tiêm chủng mở rộng quý II", reading="vi/x.vi.mp3"),
            "en": LocaleRecord(code="en", status="published", title=EN_TITLE, reading="en/x.en.mp3"),
            "km": LocaleRecord(code="km", status=km, reason="1 of 9 messages translated (11%)", percent=11.1),  # type: ignore[arg-type]
        }
        head = BulletinHead(id=BID, title="Tiêm chủng mở rộng quý II", date=dt.date(2024, 6, 28))
        return store.commit(Record(bulletin=head, outputs=sorted(entries, key=lambda e: e.path), locales=locales))


@pytest.fixture
def record_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, en_locales: Path) -> Path:
    root = tmp_path / "outputs"
    root.mkdir()
    monkeypatch.setenv("BANTIN_OUTPUTS", str(root))
    monkeypatch.setenv("BANTIN_LOCALES", str(en_locales))
    _publish(
        root,
        {
            "vi/x.vi.a4.pdf": b"%PDF-vi-a4",
            "vi/x.vi.a5.pdf": b"%PDF-vi-a5-old",
            "vi/x.vi.mp3": b"ID3-vi-1",
            "en/x.en.a4.pdf": b"%PDF-en-a4",
            "en/x.en.mp3": b"ID3-en-1",
        },
        stale={"vi/x.vi.a5.pdf"},
    )
    return root


def _client(root: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    from starlette.testclient import TestClient

    from bantin.portal import PortalConfig, create_app

    cache = tmp_path / f"packs{len(list(tmp_path.glob('packs*')))}"
    cache.mkdir()
    return TestClient(create_app(PortalConfig(outputs=root, cache_dir=cache)), base_url=LOCAL)


def test_skipped_km_and_a_stale_profile_are_not_published(record_outputs: Path, tmp_path: Path) -> None:
    from bantin.portal import load_library

    b = load_library(record_outputs).get(BID)
    assert b is not None
    assert {s.code: (s.status, s.published) for s in b.locales} == {
        "vi": ("source", True),
        "en": ("published", True),
        "km": ("skipped", False),
    }
    assert "vi/x.vi.a5.pdf" not in b.files and "vi/x.vi.a5.pdf" in b.stale
    with _client(record_outputs, tmp_path) as client:
        assert client.get(f"/{BID}/km/").status_code == 404
        assert client.get(f"/{BID}/vi/x.vi.a5.pdf").status_code == 404  # stale: never served as current
        vi = client.get(f"/{BID}/vi/").text
        assert "x.vi.a4.pdf" in vi and "x.vi.a5.pdf" not in vi
        en = client.get(f"/en/{BID}/en/").text
        assert f'<h1 lang="en">{EN_TITLE}</h1>' in en
        index = client.get("/").text
        assert "Chưa xuất bản" in index and index.count("Đã xuất bản") == 1  # en only: vi is the source, km is skipped


def test_a_locale_with_only_stale_files_is_outdated(record_outputs: Path) -> None:
    from bantin.portal import load_library

    _publish(record_outputs, {"vi/x.vi.a4.pdf": b"%PDF-vi-a4", "en/x.en.a4.pdf": b"%PDF-en-a4"}, stale={"en/x.en.a4.pdf"})
    b = load_library(record_outputs).get(BID)
    assert b is not None and b.status("en").status == "outdated" and not b.status("en").published  # type: ignore[union-attr]
    assert "en" not in b.published_locales


def test_a_changed_reading_updates_its_feed_item_in_place(record_outputs: Path, tmp_path: Path) -> None:
    import feedparser

    with _client(record_outputs, tmp_path) as client:
        before = feedparser.parse(client.get("/feed/en.xml").content).entries
    _publish(record_outputs, {"vi/x.vi.a4.pdf": b"%PDF-vi-a4", "en/x.en.a4.pdf": b"%PDF-en-a4", "en/x.en.mp3": b"ID3-en-2-corrected"})
    with _client(record_outputs, tmp_path) as client:
        after = feedparser.parse(client.get("/feed/en.xml").content).entries
        mp3 = client.get(f"/{BID}/en/x.en.mp3")
    assert [e.id for e in before] == [e.id for e in after] == [f"bantin:{BID}:en"]
    assert before[0].title == after[0].title == EN_TITLE
    assert int(after[0].enclosures[0]["length"]) == len(b"ID3-en-2-corrected") == len(mp3.content)


def test_a_file_changed_behind_the_record_is_refused(record_outputs: Path, tmp_path: Path) -> None:
    pdf = record_outputs / BID / "vi" / "x.vi.a4.pdf"
    with _client(record_outputs, tmp_path) as client:
        assert client.get(f"/{BID}/vi/x.vi.a4.pdf").status_code == 200
        st = pdf.stat()
        os.utime(pdf, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))  # same size, new mtime
        assert client.get(f"/{BID}/vi/x.vi.a4.pdf").status_code == 404


def test_a_pack_holds_every_current_output_and_reading(record_outputs: Path) -> None:
    from bantin.portal import load_library
    from bantin.portal.pack import pack_entries

    b = load_library(record_outputs).get(BID)
    assert b is not None
    names = [name for name, _ in pack_entries(b)]
    assert f"{BID}/vi/x.vi.mp3" in names and f"{BID}/en/x.en.mp3" in names and f"{BID}/en/x.en.a4.pdf" in names
    assert f"{BID}/vi/x.vi.a5.pdf" not in names  # stale
