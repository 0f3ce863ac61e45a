"""Runs as the desk sees them: named after the bulletin, followed stage by stage in Vietnamese; the process runner for real."""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path

import pytest

from bantin.cli import publish
from bantin.desk.drafts import DraftStore
from bantin.desk.runs import RUNNERS, STAGE_LABELS, ProcessRunner, RunStatus, get_runner, publish_command, run_name, stage_label
from bantin.desk.states import DeskState, Listing
from bantin.errors import InputError
from bantin.publish.audit import events
from bantin.publish.request import PublishRequest
from bantin.publish.store import BulletinStore
from desk.desk_project import SMALL_ID, small_bulletin
from testing_utils import ROOT


def test_run_names_are_the_date_and_a_short_title_cut_at_a_word() -> None:
    assert run_name(small_bulletin()) == "2024-06-28 Tiêm chủng mở rộng quý II"
    long = small_bulletin("Hội nghị giao ban công tác dân vận các Huyện ủy, Thành ủy quý II triển khai nhiệm vụ quý III năm 2024")
    name = run_name(long)
    assert name == "2024-06-28 Hội nghị giao ban công tác dân vận các Huyện ủy…"
    assert len(name) <= 60
    unbroken = run_name(small_bulletin("X" * 100))
    assert len(unbroken) == 60 and unbroken.endswith("…")


def test_every_task_of_the_flows_has_a_vietnamese_label() -> None:
    tasks = set(re.findall(r'@task\(\s*name="([^"]+)"', (ROOT / "flows" / "tasks.py").read_text(encoding="utf-8")))
    assert tasks and tasks <= set(STAGE_LABELS)
    assert stage_label("render_pdf-vi-a5") == "Dàn trang PDF (vi, a5)"
    assert stage_label("load_bulletin-60a") == "Đọc bản tin"  # Prefect's own suffix is not shown
    assert stage_label("braille-ede") == "Chữ nổi (ede)"  # a locale that looks like hex digits is kept
    assert stage_label("synthesize_audio-vi-espeak") == "Đọc (vi, espeak)"


def test_the_process_runner_is_registered_and_its_command_is_bantin_publish() -> None:
    assert isinstance(get_runner("process"), ProcessRunner) and RUNNERS["process"] is ProcessRunner
    with pytest.raises(InputError, match="no such desk runner"):
        get_runner("nope")
    request = PublishRequest(
        bulletin="desk/drafts/x.yaml", locales=("vi",), profiles=("a5",), engine="espeak", draft=True, approved_by="minh", print_marks=True, pause=0.5
    )
    command = publish_command(request, "python3")
    assert command[:4] == ["python3", "-m", "bantin.cli", "publish"]
    ctx = publish.make_context("publish", command[4:])  # the CLI takes every option the runner passes
    params = ctx.params
    assert params["bulletins"] == ("desk/drafts/x.yaml",) and params["draft"] is True and params["approved_by"] == "minh"
    assert (params["locales"], params["profiles"], params["engine"], params["print_marks"], params["pause"]) == (("vi",), ("a5",), "espeak", True, 0.5)


def _wait(runner: ProcessRunner, run_id: str, timeout: float = 120) -> RunStatus:
    deadline = time.monotonic() + timeout
    status = runner.status(run_id)
    while not status.finished and time.monotonic() < deadline:
        time.sleep(0.2)
        status = runner.status(run_id)
    return status


def test_a_run_that_fails_says_so_in_vietnamese_and_keeps_its_log(project: Path) -> None:
    runner = ProcessRunner()
    run_id = runner.start(PublishRequest(bulletin="khong-co-ban-tin-nay", locales=("vi",)), "2024-06-28 không có")
    assert (project / "desk" / "runs" / f"{run_id}.json").is_file()
    status = _wait(runner, run_id)
    assert status.state == "failed" and not status.degraded and status.finished
    assert status.message.startswith("Xuất bản không thành công")
    assert "bantin: error: khong-co-ban-tin-nay: no such bulletin file or id" in runner.log(run_id)
    again = ProcessRunner().status(run_id)  # another desk process (or a restart) reads the same run
    assert again.state == "failed"
    with pytest.raises(InputError, match="no such run"):
        runner.status("20000101T000000-abcdef")
    with pytest.raises(InputError, match="not a run id"):
        runner.status("../../etc/passwd")


@pytest.mark.slow
def test_a_draft_preview_runs_in_a_process_into_the_previews_only(project: Path) -> None:
    drafts = DraftStore()
    draft = drafts.create(small_bulletin(), "Tiêm chủng".encode(), "ban-tin.txt", by="lan")
    request = PublishRequest(bulletin=str(draft.path), locales=("vi",), profiles=("a5",), engine="espeak", draft=True, approved_by="lan")
    runner = ProcessRunner()
    run_id = runner.start(request, run_name(small_bulletin()))
    drafts.set_run(SMALL_ID, "preview", run_id)
    assert runner.status(run_id).state in ("running", "completed")
    status = _wait(runner, run_id)
    assert status.state == "completed", runner.log(run_id)[-3000:]
    assert status.degraded  # espeak: a machine reading
    assert status.message.startswith("Đã dựng xong bản xem trước.")
    stages = {s.label: s.state for s in status.stages}
    assert stages["Dàn trang PDF (vi, a5)"] == "completed" and stages["Đọc (vi, espeak)"] == "completed" and stages["Ghi hồ sơ"] == "completed"

    record = BulletinStore(SMALL_ID, project / "desk" / "previews").record()
    assert record is not None and record.editorial.state == "draft"
    assert not (project / "outputs" / SMALL_ID).exists()  # nothing on air
    assert [e.action for e in events(SMALL_ID, root=project)] == ["previewed", "added"]
    [row] = Listing(run_status=lambda bid: None).items()
    assert (row.id, row.state, row.on_air) == (SMALL_ID, DeskState.DRAFT, False)
    assert drafts.last_run(SMALL_ID, "preview") == run_id
    assert dataclasses.replace(status, stages=()).finished
