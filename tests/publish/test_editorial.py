"""The record's editorial life: published by default, drafts, retract/restore, accepted machine readings, the commit's stamp."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bantin.fsutil import sha256_file
from bantin.publish.audit import SCHEDULE_ACTOR, events
from bantin.publish.editorial import (
    EditorialError,
    EditorialStateError,
    NoRecordError,
    accept_reading,
    editorial_state,
    held_readings,
    restore,
    retract,
    stamp_commit,
)
from bantin.publish.index import read_index
from bantin.publish.record import Acceptance, BulletinHead, Editorial, Entry, Record, parse_record, read_record
from bantin.publish.request import PublishRequest
from bantin.publish.store import BulletinStore

BID = "2024-06-28-tiem-chung"


def _entry(folder: Path, rel: str, kind: str, locale: str, data: bytes, **extra: object) -> Entry:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    st = path.stat()
    media = {"audio": "audio/mpeg", "pdf": "application/pdf"}[kind]
    return Entry(path=rel, kind=kind, locale=locale, media_type=media, bytes=st.st_size, sha256=sha256_file(path), mtime_ns=st.st_mtime_ns, **extra)  # type: ignore[arg-type]


def publish(root: Path, audio: bytes = b"ID3 machine reading", degraded: bool = True, editorial: Editorial | None = None) -> Record:
    """Commit a record with a PDF and a vi reading through the real store (one generation)."""
    store = BulletinStore(BID, root)
    with store.locked():
        staging = store.begin()
        entries = [
            _entry(staging, f"vi/{BID}.vi.a4.pdf", "pdf", "vi", b"%PDF-1.7 fake", profile="a4"),
            _entry(staging, f"vi/{BID}.vi.mp3", "audio", "vi", audio, degraded=degraded, engine="espeak"),
        ]
        record = Record(
            bulletin=BulletinHead(id=BID, title="Tiêm chủng mở rộng quý II", date=dt.date(2024, 6, 28)),
            outputs=entries,
            editorial=editorial or Editorial(),
            locales={"vi": {"code": "vi", "status": "published", "reading": entries[1].path}},  # type: ignore[dict-item]
        )
        return store.commit(record)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder: outputs/ inside it (so the audit log is the project's)."""
    root = tmp_path / "proj"
    (root / "outputs").mkdir(parents=True)
    monkeypatch.setenv("BANTIN_ROOT", str(root))
    monkeypatch.setenv("BANTIN_OUTPUTS", str(root / "outputs"))
    return root


def test_records_without_editorial_read_as_published() -> None:
    old = {"schema": 2, "bulletin": {"id": BID, "title": "T", "date": "2024-06-28"}, "outputs": []}
    record = parse_record(old)
    assert editorial_state(record) == "published" and record.editorial.approved_by is None
    assert editorial_state(None) == "none"
    v1 = parse_record({"bulletin": {"id": BID, "title": "T", "date": "2024-06-28"}, "outputs": [], "locales": ["vi"]})
    assert v1.editorial.state == "published"


def test_retract_then_restore_rewrites_the_current_generation_indexes_and_audits(project: Path) -> None:
    outputs = project / "outputs"
    committed = publish(outputs)
    generation = (outputs / BID).resolve()

    with pytest.raises(EditorialError, match="chưa ghi lý do"):
        retract(BID, "minh", "   ", root=outputs)
    record = retract(BID, "minh", "Thông tin sai  về ngày tiêm", root=outputs)
    assert record.editorial.state == "retracted" and record.editorial.retracted_by == "minh"
    assert record.editorial.reason == "Thông tin sai về ngày tiêm" and record.editorial.retracted_at
    on_disk = read_record(outputs / BID)
    assert on_disk is not None and on_disk.editorial.state == "retracted"
    assert (outputs / BID).resolve() == generation and record.generation == committed.generation  # same generation, files kept
    assert [e.path for e in on_disk.current()] == [e.path for e in committed.current()]
    assert not list(generation.glob(".*.tmp"))
    summary = read_index(outputs)[BID]
    assert summary.editorial == "retracted" and not summary.listable and summary.editorial_at

    with pytest.raises(EditorialStateError, match="đã được gỡ bỏ rồi"):
        retract(BID, "minh", "lần nữa", root=outputs)
    restored = restore(BID, "lan", root=outputs)
    assert restored.editorial.state == "published" and restored.editorial.reason is None
    assert read_index(outputs)[BID].listable
    with pytest.raises(EditorialStateError, match="không ở trạng thái đã gỡ"):
        restore(BID, "lan", root=outputs)

    log = events(BID, root=project)
    assert [(e.action, e.actor) for e in log] == [("restored", "lan"), ("retracted", "minh")]
    assert log[1].detail == "Thông tin sai về ngày tiêm" and "Thông tin sai" in log[0].detail


def test_acts_on_a_bulletin_without_a_record_or_a_draft_say_so_in_one_line(project: Path) -> None:
    outputs = project / "outputs"
    with pytest.raises(NoRecordError) as info:
        retract(BID, "minh", "sai", root=outputs)
    assert "chưa có hồ sơ" in str(info.value) and "\n" not in str(info.value)
    publish(outputs, editorial=Editorial(state="draft"))
    with pytest.raises(EditorialStateError, match="bản nháp"):
        retract(BID, "minh", "sai", root=outputs)
    with pytest.raises(EditorialError, match="không rõ ai"):
        restore(BID, "", root=outputs)


def test_an_accepted_machine_reading_leaves_the_held_list_until_the_reading_changes(project: Path) -> None:
    outputs = project / "outputs"
    record = publish(outputs)
    assert [e.path for e in held_readings(record)] == [f"vi/{BID}.vi.mp3"]
    assert [o.held for o in read_index(outputs)[BID].outputs if o.kind == "audio"] == [True]
    with pytest.raises(EditorialStateError, match="ngôn ngữ en không có bản đọc máy"):
        accept_reading(BID, "en", "minh", root=outputs)

    accepted = accept_reading(BID, "vi", "minh", root=outputs)
    assert held_readings(accepted) == [] and accepted.editorial.accepted[f"vi/{BID}.vi.mp3"].by == "minh"
    assert [o.held for o in read_index(outputs)[BID].outputs if o.kind == "audio"] == [False]
    assert events(BID, root=project)[0].action == "accepted_reading"

    # a new (still degraded) reading is a new decision: the acceptance no longer holds it
    changed = accepted.model_copy(update={"outputs": [e.model_copy(update={"sha256": "0" * 64}) if e.kind == "audio" else e for e in accepted.outputs]})
    assert [e.path for e in held_readings(changed)] == [f"vi/{BID}.vi.mp3"]
    # an online reading is never held
    online = accepted.model_copy(update={"outputs": [e.model_copy(update={"degraded": False}) for e in accepted.outputs], "editorial": Editorial()})
    assert held_readings(online) == []


def _req(**values: object) -> PublishRequest:
    return PublishRequest.model_validate({"bulletin": BID, "locales": ["vi"], **values})


def _record(state: str = "published", **editorial: object) -> Record:
    audio = Entry(path="vi/r.mp3", kind="audio", locale="vi", media_type="audio/mpeg", bytes=3, sha256="a" * 64, degraded=True)
    head = BulletinHead(id=BID, title="T", date=dt.date(2024, 6, 28))
    return Record(bulletin=head, outputs=[audio], editorial=Editorial(state=state, **editorial))  # type: ignore[arg-type]


def test_the_commit_stamps_draft_approval_and_keeps_retracted_bulletins_off_air() -> None:
    new = _record()
    draft, event = stamp_commit(None, new, _req(draft=True))
    assert draft.editorial.state == "draft" and event is not None and event[0] == "previewed"

    approved, event = stamp_commit(None, new, _req(approved_by="minh"))
    assert (approved.editorial.state, approved.editorial.approved_by, event[:2] if event else None) == ("published", "minh", ("published", "minh"))
    assert approved.editorial.approved_at

    # a scheduled republish keeps the earlier approval
    kept, event = stamp_commit(approved, new, _req())
    assert (kept.editorial.approved_by, kept.editorial.approved_at) == ("minh", approved.editorial.approved_at)
    assert event is not None and event[:2] == ("published", SCHEDULE_ACTOR)

    # a schedule never puts a retracted (or draft) bulletin back on air; an approver's explicit publish does
    retracted = _record("retracted", approved_by="minh", retracted_by="lan", reason="sai")
    still, event = stamp_commit(retracted, new, _req())
    assert still.editorial.state == "retracted" and still.editorial.reason == "sai" and event is None
    still, event = stamp_commit(_record("draft"), new, _req())
    assert still.editorial.state == "draft" and event is None
    again, event = stamp_commit(retracted, new, _req(approved_by="hoa"))
    assert again.editorial.state == "published" and again.editorial.retracted_by is None and again.editorial.approved_by == "hoa"
    assert event is not None and "đã gỡ" in event[2]


def test_the_commit_drops_acceptances_of_a_changed_reading() -> None:
    old = _record(accepted={"vi/r.mp3": Acceptance(by="minh", at="2024-06-28T10:00:00Z", sha256="a" * 64)})
    same, _ = stamp_commit(old, _record(), _req())
    assert "vi/r.mp3" in same.editorial.accepted and held_readings(same) == []
    changed_reading = _record().model_copy(update={"outputs": [e.model_copy(update={"sha256": "b" * 64}) for e in _record().outputs]})
    dropped, _ = stamp_commit(old, changed_reading, _req())
    assert dropped.editorial.accepted == {} and len(held_readings(dropped)) == 1


def test_commit_publish_writes_the_record_state_and_its_audit_events(project: Path, sample_yaml: Path, sample_bulletin) -> None:
    from bantin.publish.manifest import RunSource
    from bantin.publish.plan import PublishPlan, RunResults, VariantPlan, commit_publish
    from bantin.publish.record import FailureNote

    def run(request: PublishRequest, failures: tuple[FailureNote, ...] = ()) -> Record:
        store = BulletinStore(sample_bulletin.id, request.outputs_root())
        with store.locked():
            out = store.begin()
            plan = PublishPlan(request, RunSource(sample_bulletin, sample_yaml, out), VariantPlan({}, (), (), {}), {}, frozenset(), ())
            results = RunResults(request.engine, out, failures=list(failures))
            try:
                return commit_publish(store, plan, results)
            finally:
                store.abort()

    request = PublishRequest.model_validate({"bulletin": str(sample_yaml), "locales": ["vi"], "profiles": ["a4"]})
    preview = run(request.model_copy(update={"draft": True, "approved_by": ""}))
    assert preview.editorial.state == "draft" and (project / "desk" / "previews" / sample_bulletin.id / "manifest.json").is_file()
    assert not (project / "outputs" / sample_bulletin.id).exists()  # a draft never touches outputs/

    published = run(request.model_copy(update={"approved_by": "minh"}), (FailureNote(stage="braille", reason="no table", locale="vi"),))
    assert published.editorial.state == "published" and published.editorial.approved_by == "minh"
    data = json.loads((project / "outputs" / sample_bulletin.id / "manifest.json").read_text(encoding="utf-8"))
    assert data["schema"] == 2 and data["editorial"]["approved_by"] == "minh"
    log = [(e.action, e.actor) for e in events(sample_bulletin.id, root=project)]
    assert log == [("publish_failed", "minh"), ("published", "minh"), ("previewed", "bàn biên tập")]


def test_an_act_refuses_a_link_planted_in_the_generation_and_writes_nothing_through_it(project: Path, tmp_path: Path) -> None:
    """A retraction rewrites the record only inside the bulletin's own generation: a planted link is refused first."""
    from bantin.errors import UnsafeOutputError

    outputs = project / "outputs"
    publish(outputs)
    outside = tmp_path / "outside.txt"
    outside.write_text("not bantin's", encoding="utf-8")
    planted = (outputs / BID).resolve() / ".manifest.json.editorial.tmp"
    planted.symlink_to(outside)
    with pytest.raises(UnsafeOutputError):
        retract(BID, "minh", "Thông tin sai", root=outputs)
    assert outside.read_text(encoding="utf-8") == "not bantin's"
    assert read_record(outputs / BID).editorial.state == "published"  # type: ignore[union-attr]
