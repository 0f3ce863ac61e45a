"""The index of published bulletins: written at commit, reconciled and rebuilt from the records, checked by verify."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bantin.cli import cli
from bantin.fsutil import sha256_file
from bantin.publish.index import IndexReader, check_index, index_dir, read_index, reconcile
from bantin.publish.record import BulletinHead, Entry, LocaleRecord, Record
from bantin.publish.store import BulletinStore


def _commit(root: Path, bid: str, title: str, km: str = "skipped", audio: bool = True) -> Record:
    store = BulletinStore(bid, root)
    with store.locked():
        stage = store.begin()
        files = {"vi/x.vi.a4.pdf": ("pdf", "application/pdf")}
        if audio:
            files["vi/x.vi.mp3"] = ("audio", "audio/mpeg")
        entries = []
        for rel, (kind, media) in files.items():
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f"{kind}:{bid}:{title}".encode())
            entries.append(
                Entry(
                    path=rel,
                    kind=kind,
                    locale="vi",
                    media_type=media,
                    bytes=path.stat().st_size,
                    sha256=sha256_file(path),
                    mtime_ns=path.stat().st_mtime_ns,
                    duration_s=3.5 if kind == "audio" else None,
                )
            )
        locales = {
            "vi": LocaleRecord(code="vi", status="published", title=title),
            "km": LocaleRecord(code="km", status=km, reason="40% < 90%", percent=40.0),  # type: ignore[arg-type]
        }
        head = BulletinHead(id=bid, title=title, date=dt.date(2024, 6, 28))
        return store.commit(Record(bulletin=head, generated_at="2024-06-28T01:00:00Z", outputs=entries, locales=locales))


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    out = tmp_path / "outputs"
    out.mkdir()
    monkeypatch.setenv("BANTIN_OUTPUTS", str(out))
    monkeypatch.setenv("BANTIN_ROOT", str(tmp_path))
    return out


def test_a_commit_writes_the_bulletins_entry_and_the_next_commit_replaces_it(root: Path) -> None:
    _commit(root, "2024-06-28-a", "Tin thứ nhất")
    (entry,) = read_index(root).values()
    assert entry.id == "2024-06-28-a" and entry.title == "Tin thứ nhất" and entry.state == "published" and entry.status == "complete"
    assert [(s.code, s.status, s.published) for s in entry.locales] == [("vi", "source", True), ("km", "skipped", False)]
    assert [(o.path, o.kind, o.duration_s) for o in entry.outputs] == [("vi/x.vi.a4.pdf", "pdf", None), ("vi/x.vi.mp3", "audio", 3.5)]
    manifest = root / "2024-06-28-a" / "manifest.json"
    assert entry.record.sha256 == sha256_file(manifest) and entry.record.same_file(manifest.stat())
    assert entry.generation == os.readlink(root / "2024-06-28-a").rsplit("/", 1)[-1]
    _commit(root, "2024-06-28-a", "Tin đã sửa", audio=False)
    (entry,) = read_index(root).values()
    assert entry.title == "Tin đã sửa" and [o.kind for o in entry.outputs] == ["pdf"]
    assert sorted(p.name for p in index_dir(root).iterdir()) == ["2024-06-28-a.json"]  # no temp files left
    assert check_index(root, "2024-06-28-a") is None


def test_reconcile_reads_only_changed_records_and_drops_removed_bulletins(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bantin.publish.index as index

    for n in range(3):
        _commit(root, f"2024-06-2{n}-b", f"Tin {n}")
    reads: list[str] = []
    real = index.summary_for
    monkeypatch.setattr(index, "summary_for", lambda r, bid: reads.append(bid) or real(r, bid))
    report = reconcile(root)
    assert reads == [] and report.unchanged == 3 and not report.changed  # one stat per bulletin, no record read
    # A record edited by hand, and a bulletin removed by hand.
    manifest = root / "2024-06-21-b" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["bulletin"]["title"] = "Sửa tay"
    manifest.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (root / "2024-06-22-b").unlink()
    shutil.rmtree(root / ".bantin" / "2024-06-22-b")
    said = check_index(root, "2024-06-21-b")
    assert said is not None and "title" in said and "index rebuild" in said
    report = reconcile(root)
    assert reads == ["2024-06-21-b", "2024-06-21-b"]  # check_index once, reconcile once: only the changed one
    assert report.updated == ["2024-06-21-b"] and report.removed == ["2024-06-22-b"]
    assert {bid: s.title for bid, s in read_index(root).items()} == {"2024-06-20-b": "Tin 0", "2024-06-21-b": "Sửa tay"}


def test_rebuild_command_makes_the_index_again_from_the_records(root: Path) -> None:
    _commit(root, "2024-06-28-c", "Tin C")
    _commit(root, "2024-06-27-d", "Tin D")
    before = read_index(root)
    shutil.rmtree(index_dir(root))
    (root / "2024-06-26-broken").mkdir()
    (root / "2024-06-26-broken" / "manifest.json").write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(cli, ["index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "create     2024-06-28-c" in result.output and result.output.strip().endswith("3 created, 0 updated, 0 removed, 0 unchanged")
    after = read_index(root)
    assert {k: after[k] for k in before} == before
    assert after["2024-06-26-broken"].state == "unusable" and "not valid JSON" in (after["2024-06-26-broken"].reason or "")
    again = CliRunner().invoke(cli, ["index", "rebuild"])
    assert again.exit_code == 0 and again.output.strip().endswith("0 created, 0 updated, 0 removed, 3 unchanged")


def test_verify_reports_an_index_entry_that_disagrees_with_its_record(root: Path) -> None:
    _commit(root, "2024-06-28-e", "Tin E")
    assert CliRunner().invoke(cli, ["verify", "--strict"]).exit_code == 0
    entry = index_dir(root) / "2024-06-28-e.json"
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["title"] = "Tiêu đề sai"
    entry.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    plain = CliRunner().invoke(cli, ["verify"])
    assert plain.exit_code == 0 and "index" in plain.output and "title" in plain.output  # reported; the files are true
    strict = CliRunner().invoke(cli, ["verify", "--strict"])
    assert strict.exit_code == 1 and "index rebuild" in strict.output
    entry.unlink()
    assert "no index entry" in (check_index(root, "2024-06-28-e") or "")


def test_a_reader_notices_a_commit_with_one_stat_and_rebuilds_once_per_change(root: Path) -> None:
    _commit(root, "2024-06-28-f", "Tin F")
    reader = IndexReader(root, interval=0)
    assert reader.refresh() and reader.version == 1 and list(reader.summaries) == ["2024-06-28-f"]
    for _ in range(3):
        assert not reader.refresh() or reader.version == 1  # nothing changed: the same version
    assert reader.version == 1
    _commit(root, "2024-06-27-g", "Tin G")
    assert reader.refresh() and reader.version == 2 and sorted(reader.summaries) == ["2024-06-27-g", "2024-06-28-f"]
    assert not reader.refresh() and reader.version == 2
    slow = IndexReader(root, interval=3600)
    assert slow.refresh(now=0.0)
    _commit(root, "2024-06-26-h", "Tin H")
    assert not slow.refresh(now=1.0) and len(slow.summaries) == 2  # looked at most once per interval
    assert slow.refresh(now=3601.0) and len(slow.summaries) == 3
