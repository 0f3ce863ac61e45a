"""The audit log: append-only JSON lines per bulletin, newest first, a torn line skipped."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from bantin.errors import InputError
from bantin.publish.audit import SCHEDULE_ACTOR, audit_root_for, events, record_event

BID = "2024-06-28-tiem-chung"


def test_events_are_kept_per_bulletin_and_read_newest_first(tmp_path: Path) -> None:
    record_event("added", "lan", BID, "tải lên tệp .docx", root=tmp_path)
    record_event("approved", "minh", BID, root=tmp_path)
    record_event("user_added", "admin", None, "lan: biên tập viên", root=tmp_path)
    record_event("published", SCHEDULE_ACTOR, "2024-07-01-khac", root=tmp_path)

    mine = events(BID, root=tmp_path)
    assert [(e.action, e.actor, e.bulletin) for e in mine] == [("approved", "minh", BID), ("added", "lan", BID)]
    assert mine[1].detail == "tải lên tệp .docx" and mine[0].at.endswith("Z")
    everything = events(root=tmp_path)
    assert [e.action for e in everything] == ["published", "user_added", "approved", "added"]
    assert [e.action for e in everything if e.bulletin is None] == ["user_added"]
    assert [e.action for e in events(root=tmp_path, limit=2)] == ["published", "user_added"]
    assert (tmp_path / "audit" / f"{BID}.jsonl").read_text(encoding="utf-8").count("\n") == 2
    assert (tmp_path / "audit" / "_desk.jsonl").is_file()
    assert events("2024-01-01-none", root=tmp_path) == []


def test_a_torn_last_line_is_skipped_and_the_next_event_starts_a_line_of_its_own(tmp_path: Path) -> None:
    record_event("edited", "lan", BID, root=tmp_path)
    log = tmp_path / "audit" / f"{BID}.jsonl"
    with log.open("ab") as fh:
        fh.write(b'{"at": "2024-06-28T10:00:00Z", "actor": "mi')  # killed mid-write
    assert [e.action for e in events(BID, root=tmp_path)] == ["edited"]
    record_event("submitted", "lan", BID, root=tmp_path)
    assert [e.action for e in events(BID, root=tmp_path)] == ["submitted", "edited"]
    lines = log.read_bytes().split(b"\n")
    assert json.loads(lines[-2])["action"] == "submitted"


def test_wrong_action_actor_or_id_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="'deleted' is not an audit action"):
        record_event("deleted", "lan", BID, root=tmp_path)
    with pytest.raises(InputError, match="actor is empty"):
        record_event("edited", "  ", BID, root=tmp_path)
    for bad in ("../etc/passwd", "_desk", "a/b"):
        with pytest.raises(InputError, match="not a bulletin id") as info:
            record_event("edited", "lan", bad, root=tmp_path)
        assert "\n" not in str(info.value)
    assert not (tmp_path / "audit").exists() or not list((tmp_path / "audit").glob("*.jsonl"))


def test_writers_in_threads_never_interleave_a_line(tmp_path: Path) -> None:
    def write(n: int) -> None:
        for i in range(20):
            record_event("edited", f"user{n}", BID, f"sửa lần {i} " + "x" * 500, root=tmp_path)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = (tmp_path / "audit" / f"{BID}.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 80 and all(json.loads(line)["action"] == "edited" for line in lines)
    assert len(events(BID, root=tmp_path)) == 80


def test_audit_stays_in_the_project_wherever_its_outputs_are(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outputs on a shared volume (BANTIN_OUTPUTS elsewhere) still audit into <project>/audit, where the desk reads it."""
    project = tmp_path / "proj"
    (project / "outputs").mkdir(parents=True)
    monkeypatch.setenv("BANTIN_ROOT", str(project))
    assert audit_root_for(project / "outputs") == project.absolute()
    assert audit_root_for(project / "desk" / "previews") == project.absolute()
    assert audit_root_for(tmp_path / "shared-volume" / "outputs") == project.absolute()
