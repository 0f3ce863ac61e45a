"""Publish runs as the desk sees them: start one, follow it stage by stage, in Vietnamese.

The desk never runs a publish itself; it asks a :class:`Runner`.  Runners are
registered by name in :data:`RUNNERS` (as WeasyPrint's ``VARIANTS``):

- ``process`` (:class:`ProcessRunner`, here): runs ``python -m bantin.cli
  publish …`` as a child process, its log in ``desk/runs/<run_id>.log``; the
  run's state comes from the exit status and the record.  Used when no Prefect
  deployment is served, and by the tests.  The CLI itself runs the Prefect flow.
- ``prefect``: registered by ``bantin.flows.desk_runner``, which starts the
  ``publish-bulletin`` deployment through the Prefect API (the run is then in
  the Prefect UI, named after the bulletin by :func:`run_name`).

The library side never imports Prefect.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bantin.errors import InputError
from bantin.fsutil import pid_alive, write_text_if_changed

if TYPE_CHECKING:
    from bantin.content.model import Bulletin
    from bantin.publish.record import Record
    from bantin.publish.request import PublishRequest

__all__ = [
    "RUNNERS",
    "RUN_STATES",
    "STAGE_LABELS",
    "STAGE_STATES",
    "ProcessRunner",
    "RunStatus",
    "Runner",
    "StageProgress",
    "get_runner",
    "publish_command",
    "run_name",
    "stage_label",
]

#: The states of a run (Prefect's state types, lower case).
RUN_STATES = ("scheduled", "pending", "running", "completed", "failed", "crashed", "cancelled")
#: The states of one stage.
STAGE_STATES = ("pending", "running", "completed", "failed")
#: The longest run name: a date, a space, and the title cut at a word boundary.
RUN_NAME_MAX = 60

#: The flows' task names (flows/tasks.py) in the words of the desk.
STAGE_LABELS: Mapping[str, str] = {
    "load_bulletin": "Đọc bản tin",
    "publish_inputs": "Chuẩn bị",
    "localize": "Dịch",
    "render_pdf": "Dàn trang PDF",
    "synthesize_audio": "Đọc",
    "braille": "Chữ nổi",
    "epub": "EPUB",
    "write_record": "Ghi hồ sơ",
    "publish_artifacts": "Báo cáo",
    "plan_republish": "Chọn bản tin xuất bản lại",
    "mark_republished": "Ghi lần xuất bản lại",
}

#: The suffix Prefect gives a task run of a task without a run name template (three hex digits).
_PREFECT_SUFFIX = re.compile(r"[0-9a-f]{3}")
#: Tasks whose run names are their own templates (locale, profile, engine), never Prefect's suffix.
_TEMPLATED = frozenset({"localize", "render_pdf", "synthesize_audio", "braille", "epub"})

_MESSAGES = {
    "scheduled": "Đã xếp lịch, đang chờ chạy.",
    "pending": "Đang chờ bắt đầu.",
    "running": "Đang xuất bản…",
    "completed": "Đã xuất bản xong.",
    "failed": "Xuất bản không thành công: xem các bước bị lỗi, sửa bản tin rồi xuất bản lại. Bản đang phát không thay đổi.",
    "crashed": "Tiến trình xuất bản dừng đột ngột. Bản đang phát không thay đổi; hãy xuất bản lại, nếu vẫn lỗi hãy báo kỹ thuật viên.",
    "cancelled": "Lần xuất bản đã bị dừng. Bản đang phát không thay đổi.",
}


@dataclass(frozen=True)
class StageProgress:
    """One stage of a run: the task name (``render_pdf-vi-a5``), its Vietnamese label, and its state."""

    name: str
    label: str
    state: str  # pending | running | completed | failed


@dataclass(frozen=True)
class RunStatus:
    """Where a run stands: its state, whether its reading is a machine (degraded) one, its stages, one Vietnamese sentence."""

    run_id: str
    state: str  # scheduled | pending | running | completed | failed | crashed | cancelled
    degraded: bool
    stages: tuple[StageProgress, ...]
    message: str
    #: the run in the Prefect UI (None for a run without one)
    url: str | None = None

    @property
    def finished(self) -> bool:
        """The run has ended (whatever the outcome)."""
        return self.state in ("completed", "failed", "crashed", "cancelled")


class Runner(Protocol):
    """Starts publish runs and says how they stand."""

    def start(self, request: PublishRequest, run_name: str) -> str:
        """Start publishing ``request``; returns the run id."""
        ...

    def status(self, run_id: str) -> RunStatus:
        """How the run ``run_id`` stands now (:class:`~bantin.errors.InputError` for an unknown id)."""
        ...


#: Runners by name; ``prefect`` is added by ``bantin.flows.desk_runner`` when it is imported.
RUNNERS: dict[str, Callable[[], Runner]] = {}


def get_runner(name: str) -> Runner:
    """A new runner of that name; :class:`InputError` naming the registered ones otherwise."""
    try:
        factory = RUNNERS[name]
    except KeyError:
        raise InputError(f"{name!r}: no such desk runner. Use one of {', '.join(RUNNERS) or '(none)'}") from None
    return factory()


def run_name(bulletin: Bulletin) -> str:
    """``"<YYYY-MM-DD> <short title>"``: the title cut at a word boundary (with "…") so the name stays within 60 characters."""
    date = bulletin.date.isoformat()
    title = " ".join(bulletin.title.split())
    room = RUN_NAME_MAX - len(date) - 1
    if len(title) > room:
        cut = title[: room - 1]  # keep a place for the ellipsis
        space = cut.rfind(" ")
        if title[room - 1] != " " and space > room // 3:  # the cut falls inside a word: back to the word's start
            cut = cut[:space]
        title = cut.rstrip(" ,;:.-–") + "…"
    return f"{date} {title}"


def stage_label(name: str) -> str:
    """The Vietnamese label of a task run name (``render_pdf-vi-a5`` -> ``Dàn trang PDF (vi, a5)``)."""
    for task in sorted(STAGE_LABELS, key=len, reverse=True):
        rest = name[len(task) + 1 :] if name.startswith(f"{task}-") else None
        if name == task or (rest is not None and task not in _TEMPLATED and _PREFECT_SUFFIX.fullmatch(rest)):  # Prefect's own: load_bulletin-60a
            return STAGE_LABELS[task]
        if rest is not None:
            return f"{STAGE_LABELS[task]} ({', '.join(rest.split('-'))})"
    return name


def publish_command(request: PublishRequest, python: str | None = None) -> list[str]:
    """The command line of ``bantin publish`` that does what ``request`` asks (``-v``: Prefect's log lines tell the stages)."""
    cmd = [python or sys.executable, "-m", "bantin.cli", "publish", request.bulletin, "-v"]
    for code in request.locales:
        cmd += ["--locale", code]
    for name in request.profiles:
        cmd += ["--profile", name]
    cmd += ["--engine", request.engine, "--bitrate", str(request.bitrate_kbps), "--pause", repr(request.pause)]
    cmd += ["--min-translated", repr(request.min_translated)]
    if request.voice:
        cmd += ["--voice", request.voice]
    if request.print_marks:
        cmd.append("--print-marks")
    if request.force:
        cmd.append("--force")
    if request.draft:
        cmd.append("--draft")
    if request.approved_by:
        cmd += ["--approved-by", request.approved_by]
    return cmd


# --------------------------------------------------------------------------- the process runner

#: Prefect's log line of a task run that ended: ``Task run 'render_pdf-vi-a5' - Finished in state Completed()``.
_FINISHED = re.compile(r"Task run '([^']+)' - Finished in state (\w+)\(")
#: A task run that began (Prefect logs its creation, or its first line of its own).
_BEGAN = re.compile(r"Task run '([^']+)' - ")
#: Prefect's line giving the run's page in its UI.
_VIEW_AT = re.compile(r"View at (https?://\S+)")
_EXIT_STATES = {0: "completed", 1: "failed", 2: "failed", 130: "cancelled", 143: "cancelled"}


class ProcessRunner:
    """Runs each publish as ``python -m bantin.cli publish …`` in a child process (no Prefect deployment needed).

    Everything about a run is in ``desk/runs/``: ``<run_id>.json`` (the request,
    the name, the pid), ``<run_id>.log`` (the command's output) and
    ``<run_id>.rc`` (its exit status, written when it ends).  So a run started
    by one desk process can be followed from another, or after a restart.
    """

    def __init__(self, runs_dir: Path | None = None, python: str | None = None, env: Mapping[str, str] | None = None) -> None:
        if runs_dir is None:
            from bantin.settings import desk_dir

            runs_dir = desk_dir() / "runs"
        self.runs_dir = runs_dir.absolute()
        self.python = python or sys.executable
        self.env = dict(env) if env is not None else None
        self._children: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, request: PublishRequest, run_name: str) -> str:
        """Start the child process; returns the run id (``<UTC time>-<6 hex digits>``)."""
        run_id = f"{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        log_path, rc_path = self._path(run_id, "log"), self._path(run_id, "rc")
        command = publish_command(request, self.python)
        # The shell waits for bantin and writes its exit status beside the log, atomically (a reader sees all or nothing).
        script = 'status=0; "$@" || status=$?; printf "%s\\n" "$status" > "$RC.tmp" && mv "$RC.tmp" "$RC"'
        from bantin.settings import environment, project_root

        env = {**(self.env if self.env is not None else environment()), "RC": str(rc_path), "PYTHONUNBUFFERED": "1"}

        with log_path.open("wb") as log:
            child = subprocess.Popen(
                ["/bin/sh", "-c", script, "sh", *command],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=project_root(),
                env=env,
                start_new_session=True,
            )
        self._children[run_id] = child
        meta = {
            "run_id": run_id,
            "name": run_name,
            "pid": child.pid,
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "request": request.model_dump(mode="json"),
            "outputs": str(request.outputs_root()),
            "command": command,
        }
        write_text_if_changed(self._path(run_id, "json"), json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
        return run_id

    def status(self, run_id: str) -> RunStatus:
        """The run's state from its exit status (or its process, while it runs), its stages from the log, ``degraded`` from the record."""
        meta = self._meta(run_id)
        child = self._children.get(run_id)
        if child is not None:
            child.poll()  # reap it, so a finished child is not left a zombie
        code = self._exit_code(run_id)
        if code is None:
            pid = meta.get("pid")
            alive = isinstance(pid, int) and pid_alive(pid) and (child is None or child.returncode is None)
            state = "running" if alive else "crashed"
            if not alive and (code := self._exit_code(run_id)) is not None:  # it ended between the two looks
                state = _EXIT_STATES.get(code, "crashed")
        else:
            state = _EXIT_STATES.get(code, "crashed")
        log_text = self.log(run_id)
        stages = _stages(log_text, finished=state != "running")
        degraded = False
        if state == "completed":
            record = _record_of(meta)
            degraded = record is not None and any(e.degraded for e in record.current(kind="audio"))
        view = _VIEW_AT.search(log_text)
        url = view.group(1) if view else None
        return RunStatus(run_id=run_id, state=state, degraded=degraded, stages=stages, message=_message(state, degraded, stages, meta), url=url)

    def log(self, run_id: str) -> str:
        """The run's log so far (its command's output)."""
        try:
            return self._path(run_id, "log").read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def wait(self, run_id: str, timeout: float | None = None) -> RunStatus:
        """Wait for a run this runner started to end (tests, the command line); its status."""
        child = self._children.get(run_id)
        if child is not None:
            child.wait(timeout)
        return self.status(run_id)

    def _path(self, run_id: str, suffix: str) -> Path:
        if not re.fullmatch(r"\d{8}T\d{6}-[0-9a-f]{6}", run_id):
            raise InputError(f"{run_id!r}: not a run id of the desk's process runner. Give the id the desk showed for the run")
        return self.runs_dir / f"{run_id}.{suffix}"

    def _meta(self, run_id: str) -> dict[str, object]:
        path = self._path(run_id, "json")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"{run_id}: no such run in {self.runs_dir}. It may have been started by another runner") from None
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: the run's file cannot be read ({exc}). Start the publish again") from None
        if not isinstance(data, dict):
            raise InputError(f"{path}: the run's file is not a run description. Start the publish again")
        return data

    def _exit_code(self, run_id: str) -> int | None:
        try:
            return int(self._path(run_id, "rc").read_text(encoding="ascii").strip())
        except (FileNotFoundError, ValueError):
            return None


RUNNERS["process"] = ProcessRunner


def _stages(log_text: str, finished: bool) -> tuple[StageProgress, ...]:
    """The stages Prefect's log lines name, in the order they first appear; those not ended are ``running`` (``failed`` once the run ended)."""
    order: list[str] = []
    states: dict[str, str] = {}
    for line in log_text.splitlines():
        done = _FINISHED.search(line)
        if done:
            name, kind = done.group(1), done.group(2).lower()
            if name not in states:
                order.append(name)
            states[name] = "completed" if kind in ("completed", "cached") else "failed" if kind in ("failed", "crashed", "cancelled") else "running"
            continue
        began = _BEGAN.search(line)
        if began and began.group(1) not in states:
            order.append(began.group(1))
            states[began.group(1)] = "running"
    out = []
    for name in order:
        state = states[name]
        if state == "running" and finished:
            state = "failed"
        out.append(StageProgress(name=name, label=stage_label(name), state=state))
    return tuple(out)


def _record_of(meta: Mapping[str, object]) -> Record | None:
    """The record the run's publish wrote (in its outputs root), when the bulletin can be named."""
    from bantin.content.bulletin_file import load_bulletin
    from bantin.errors import BantinError
    from bantin.publish.store import BulletinStore

    request = meta.get("request")
    bulletin = request.get("bulletin") if isinstance(request, dict) else None
    outputs = meta.get("outputs")
    if not isinstance(bulletin, str) or not isinstance(outputs, str):
        return None
    try:
        path = Path(bulletin)
        bid = load_bulletin(path).id if path.suffix in (".yaml", ".yml") and path.is_file() else bulletin
        return BulletinStore(bid, Path(outputs)).record()
    except (BantinError, OSError, ValueError):
        return None


def _message(state: str, degraded: bool, stages: Sequence[StageProgress], meta: Mapping[str, object]) -> str:
    request = meta.get("request")
    draft = isinstance(request, dict) and bool(request.get("draft"))
    if state == "completed":
        done = "Đã dựng xong bản xem trước." if draft else "Đã xuất bản xong."
        if degraded:
            return f"{done} Bản đọc là giọng máy (ngoại tuyến): giữ lại, không đưa vào podcast cho đến khi có bản đọc trực tuyến hoặc người duyệt chấp nhận."
        return done
    failed = [s.label for s in stages if s.state == "failed"]
    message = _MESSAGES.get(state, _MESSAGES["crashed"])
    if state == "failed" and failed:
        message = f"Xuất bản không thành công ở bước: {'; '.join(failed)}. Bản đang phát không thay đổi; sửa bản tin rồi xuất bản lại."
    return message
