"""Drafts live apart from content/: nothing reaches content/ (what schedules publish) until an approver promotes it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from filelock import FileLock

from bantin.content.bulletin_file import dump_bulletin, load_bulletin, save_bulletin
from bantin.desk.drafts import DraftError, DraftStore
from bantin.errors import PublishBusyError
from bantin.publish.audit import events
from desk.desk_project import SMALL_ID, small_bulletin


def _actions(root: Path, bulletin_id: str = SMALL_ID) -> list[str]:
    return [e.action for e in events(bulletin_id, root=root)]


def test_a_new_draft_keeps_its_source_and_stays_out_of_content(project: Path) -> None:
    store = DraftStore()
    draft = store.create(small_bulletin(), "Tiêm chủng…\n".encode(), "ban-tin.TXT", by="lan")
    assert draft.path == project / "desk" / "drafts" / f"{SMALL_ID}.yaml"
    assert draft.bulletin() == small_bulletin()
    assert draft.state == "draft" and draft.meta.created_by == "lan" and draft.meta.source_name == "ban-tin.TXT"
    assert draft.source_path == project / "desk" / "sources" / f"{SMALL_ID}.txt"
    assert draft.source_bytes() == "Tiêm chủng…\n".encode()
    meta = json.loads((project / "desk" / "drafts" / f"{SMALL_ID}.json").read_text(encoding="utf-8"))
    assert meta["state"] == "draft" and meta["origin"] == "new"
    assert not (project / "content" / f"{SMALL_ID}.yaml").exists()
    assert [d.id for d in store.list()] == [SMALL_ID]
    assert _actions(project) == ["added"]
    assert events(SMALL_ID, root=project)[0].actor == "lan"


def test_adding_a_taken_id_is_refused(project: Path) -> None:
    store = DraftStore()
    store.create(small_bulletin(), None, None, by="lan")
    with pytest.raises(DraftError, match="already open"):
        store.create(small_bulletin(), None, None, by="lan")
    other = small_bulletin(bulletin_id="2024-06-29-da-duyet")
    save_bulletin(other, project / "content" / f"{other.id}.yaml")
    with pytest.raises(DraftError, match=r"already approved.*Open it for editing"):
        store.create(other, None, None, by="lan")


def test_submit_return_promote_with_one_line_errors_for_wrong_moves(project: Path) -> None:
    store = DraftStore()
    store.create(small_bulletin(), b"x", "x.txt", by="lan")
    with pytest.raises(DraftError) as not_submitted:
        store.promote(SMALL_ID, by="minh")
    assert "has not been submitted" in str(not_submitted.value) and "\n" not in str(not_submitted.value)
    with pytest.raises(DraftError, match="not awaiting approval"):
        store.return_to_draft(SMALL_ID, by="minh")

    assert store.submit(SMALL_ID, by="lan").state == "submitted"
    with pytest.raises(DraftError, match="already awaiting approval"):
        store.submit(SMALL_ID, by="lan")
    returned = store.return_to_draft(SMALL_ID, by="minh", reason="Thiếu nguồn tin")
    assert returned.state == "draft" and returned.meta.submitted_by is None
    assert events(SMALL_ID, root=project)[0].detail == "Thiếu nguồn tin"

    store.submit(SMALL_ID, by="lan")
    target = store.promote(SMALL_ID, by="minh")
    assert target == project / "content" / f"{SMALL_ID}.yaml"
    assert target.read_text(encoding="utf-8") == dump_bulletin(small_bulletin())
    assert not store.exists(SMALL_ID) and store.list() == []
    meta = store.meta(SMALL_ID)
    assert meta is not None and meta.state == "promoted" and meta.promoted_by == "minh"
    with pytest.raises(DraftError, match="no open draft"):
        store.get(SMALL_ID)
    assert _actions(project) == ["approved", "submitted", "returned", "submitted", "added"]  # newest first


def test_editing_a_published_bulletin_leaves_content_alone_until_approved(project: Path) -> None:
    approved = small_bulletin()
    content = project / "content" / f"{SMALL_ID}.yaml"
    save_bulletin(approved, content)
    before = content.read_bytes()
    store = DraftStore()
    draft = store.open_published(SMALL_ID, by="lan")
    assert draft.meta.origin == "published" and draft.bulletin() == approved
    assert store.open_published(SMALL_ID, by="lan").meta == draft.meta  # already open: the same draft

    edited = dataclasses.replace(approved, title="Tiêm chủng mở rộng quý II (đính chính)")
    store.save(SMALL_ID, edited, by="lan")
    store.submit(SMALL_ID, by="lan")
    assert content.read_bytes() == before  # on air and in content/: still the approved version
    assert load_bulletin(store.get(SMALL_ID).path).title.endswith("(đính chính)")

    store.promote(SMALL_ID, by="minh")
    assert load_bulletin(content).title == "Tiêm chủng mở rộng quý II (đính chính)"


def test_promoting_an_unchanged_edit_rewrites_nothing(project: Path) -> None:
    content = project / "content" / f"{SMALL_ID}.yaml"
    save_bulletin(small_bulletin(), content)
    mtime = content.stat().st_mtime_ns
    store = DraftStore()
    store.open_published(SMALL_ID, by="lan")
    store.submit(SMALL_ID, by="lan")
    store.promote(SMALL_ID, by="minh")
    assert content.stat().st_mtime_ns == mtime
    assert "không thay đổi" in events(SMALL_ID, root=project)[0].detail


def test_a_draft_that_does_not_load_cannot_be_submitted(project: Path) -> None:
    store = DraftStore()
    draft = store.create(small_bulletin(), None, None, by="lan")
    broken = draft.yaml_text().replace("date: '2024-06-28'", "date: '2024-06-31'").replace("date: 2024-06-28", "date: 2024-06-31")
    draft.path.write_text(broken, encoding="utf-8")
    with pytest.raises(DraftError) as exc:
        store.submit(SMALL_ID, by="lan")
    message = str(exc.value)
    assert message.startswith(f"{SMALL_ID}: the draft cannot be submitted while it has an error:") and "June has 30 days" in message
    assert "\n" not in message
    assert store.get(SMALL_ID).state == "draft"


def test_ids_are_checked_and_kept(project: Path) -> None:
    store = DraftStore()
    with pytest.raises(DraftError, match="not a bulletin id"):
        store.get("../../bantin")
    store.create(small_bulletin(), None, None, by="lan")
    with pytest.raises(DraftError, match="keeps its id"):
        store.save(SMALL_ID, small_bulletin(bulletin_id="2024-06-28-khac"), by="lan")


def test_runs_are_remembered_for_drafts_and_published_bulletins(project: Path) -> None:
    store = DraftStore()
    store.create(small_bulletin(), None, None, by="lan")
    store.set_run(SMALL_ID, "preview", "20240628T101500-abcdef")
    assert store.last_run(SMALL_ID, "preview") == "20240628T101500-abcdef"
    assert store.get(SMALL_ID).state == "draft"
    store.set_run("2024-06-01-da-phat", "publish", "r1")  # a bulletin the desk never drafted
    assert store.last_run("2024-06-01-da-phat", "publish") == "r1" and not store.exists("2024-06-01-da-phat")
    with pytest.raises(DraftError, match="not a kind of run"):
        store.set_run(SMALL_ID, "deploy", "r2")


def test_a_held_draft_lock_makes_a_change_wait_then_fail_in_one_line(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = DraftStore()
    store.create(small_bulletin(), None, None, by="lan")
    monkeypatch.setenv("BANTIN_LOCK_TIMEOUT", "0.2")
    with FileLock(str(store.folder / f".{SMALL_ID}.lock")), pytest.raises(PublishBusyError, match="still holds its lock"):
        store.submit(SMALL_ID, by="lan")
    assert store.submit(SMALL_ID, by="lan").state == "submitted"
