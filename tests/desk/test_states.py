"""The desk's states and list: drafts ∪ records, in the operators' words, newest first, searchable without accents."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from bantin.content.bulletin_file import save_bulletin
from bantin.desk.drafts import DraftStore
from bantin.desk.runs import RunStatus
from bantin.desk.states import DeskState, Listing, desk_state, fold, listing
from bantin.fsutil import sha256_file
from bantin.publish.editorial import accept_reading, retract
from bantin.publish.record import BulletinHead, Entry, LocaleRecord, Record
from bantin.publish.store import BulletinStore
from desk.desk_project import small_bulletin


def _commit(root: Path, bid: str, title: str, date: dt.date, degraded: bool = False, files: bool = True) -> Record:
    """A record committed through the real store: a PDF and a reading (machine-read when ``degraded``)."""
    store = BulletinStore(bid, root)
    with store.locked():
        stage = store.begin()
        entries = []
        for rel, kind, media in (("vi/x.vi.a5.pdf", "pdf", "application/pdf"), ("vi/x.vi.mp3", "audio", "audio/mpeg")) if files else ():
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f"{kind}:{bid}".encode())
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
                    engine="espeak" if kind == "audio" and degraded else None,
                    degraded=(degraded if kind == "audio" else None),
                )
            )
        head = BulletinHead(id=bid, title=title, date=date)
        locales = {"vi": LocaleRecord(code="vi", status="published")}
        return store.commit(Record(bulletin=head, generated_at="2024-06-28T01:00:00Z", outputs=entries, locales=locales))


def _run(state: str) -> RunStatus:
    return RunStatus(run_id="r", state=state, degraded=False, stages=(), message="", url=None)


def test_states_have_vietnamese_labels_and_parse_from_either() -> None:
    assert [s.label for s in DeskState] == ["nháp", "chờ duyệt", "đang xuất bản", "đã xuất bản", "bản đọc máy", "lỗi", "đã gỡ"]
    assert DeskState.parse("submitted") is DeskState.SUBMITTED
    assert DeskState.parse("Chờ duyệt") is DeskState.SUBMITTED
    assert DeskState.parse("da go") is DeskState.RETRACTED  # accents optional at a terminal
    with pytest.raises(ValueError, match=r"not a desk state\. Use one of draft"):
        DeskState.parse("trash")
    assert fold("  Hội nghị   Đảng ủy ") == "hoi nghi dang uy"


def test_desk_state_from_draft_record_and_run(project: Path) -> None:
    outputs = project / "outputs"
    published = _commit(outputs, "2024-06-01-a", "A", dt.date(2024, 6, 1))
    machine = _commit(outputs, "2024-06-02-b", "B", dt.date(2024, 6, 2), degraded=True)
    empty = _commit(outputs, "2024-06-03-c", "C", dt.date(2024, 6, 3), files=False)
    store = DraftStore()
    draft = store.create(small_bulletin(), None, None, by="lan")

    assert desk_state(None, published) is DeskState.PUBLISHED
    assert desk_state(None, machine) is DeskState.DEGRADED  # held from the feeds until accepted
    assert desk_state(None, empty) is DeskState.FAILED
    assert desk_state(draft.meta, None) is DeskState.DRAFT
    assert desk_state(store.submit(draft.id, by="lan").meta, published) is DeskState.SUBMITTED  # an edit waiting to be approved
    assert desk_state(None, published, _run("running")) is DeskState.PUBLISHING
    assert desk_state(None, published, _run("crashed")) is DeskState.FAILED
    assert desk_state(None, published, _run("completed")) is DeskState.PUBLISHED

    accepted = accept_reading("2024-06-02-b", "vi", "minh", root=outputs)
    assert desk_state(None, accepted) is DeskState.PUBLISHED
    gone = retract("2024-06-01-a", "minh", "Sai số liệu", root=outputs)
    assert desk_state(None, gone) is DeskState.RETRACTED


def test_the_list_joins_drafts_and_records_newest_first_with_search_and_pages(project: Path) -> None:
    outputs = project / "outputs"
    _commit(outputs, "2024-06-01-hoi-nghi", "Hội nghị giao ban công tác dân vận", dt.date(2024, 6, 1))
    _commit(outputs, "2024-06-05-mua-lu", "Phòng chống mưa lũ", dt.date(2024, 6, 5), degraded=True)
    store = DraftStore()
    store.create(small_bulletin(), None, None, by="lan")  # 2024-06-28
    # A published bulletin being edited shows its draft's state, and is still on air.
    approved = dataclasses.replace(small_bulletin(), id="2024-06-01-hoi-nghi", title="Hội nghị giao ban (sửa)", date=dt.date(2024, 6, 1))
    save_bulletin(approved, project / "content" / "2024-06-01-hoi-nghi.yaml")
    store.open_published("2024-06-01-hoi-nghi", by="lan")

    rows = Listing().items()
    assert [(r.id, r.state) for r in rows] == [
        ("2024-06-28-tiem-chung-mo-rong", DeskState.DRAFT),
        ("2024-06-05-mua-lu", DeskState.DEGRADED),
        ("2024-06-01-hoi-nghi", DeskState.DRAFT),
    ]
    assert rows[2].title == "Hội nghị giao ban (sửa)" and rows[2].on_air and rows[2].has_draft
    assert not rows[0].on_air and rows[1].on_air and rows[1].state_label == "bản đọc máy"

    found = listing("hoi nghi")
    assert [r.id for r in found.items] == ["2024-06-01-hoi-nghi"] and found.total == 1
    assert [r.id for r in listing("MƯA LŨ").items] == ["2024-06-05-mua-lu"]
    assert [r.id for r in listing(states=[DeskState.DEGRADED]).items] == ["2024-06-05-mua-lu"]

    first, second = listing(per_page=2), listing(page=2, per_page=2)
    assert (first.pages, first.total, first.has_next, first.has_previous) == (2, 3, True, False)
    assert [r.id for r in second.items] == ["2024-06-01-hoi-nghi"] and second.has_previous
    assert listing(page=99, per_page=2).page == 2  # a page past the end shows the last one


def test_the_list_pages_by_twenty_and_reads_the_run_of_each_bulletin(project: Path) -> None:
    outputs = project / "outputs"
    for day in range(1, 24):
        _commit(outputs, f"2024-05-{day:02d}-tin", f"Tin ngày {day}", dt.date(2024, 5, day))
    runs = {"2024-05-23-tin": _run("running")}
    page = Listing(run_status=runs.get).page()
    assert len(page.items) == 20 and page.pages == 2
    assert page.items[0].id == "2024-05-23-tin" and page.items[0].state is DeskState.PUBLISHING
    assert page.items[-1].id == "2024-05-04-tin"
