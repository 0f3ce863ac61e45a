"""Stops are bounded failures: a dead Prefect server, SIGTERM and SIGINT end a publish within seconds, and nothing is published after.

The real command line on a small project with the project's own Prefect
server (BANTIN_SERVER=auto), as users run it: the server killed with SIGKILL
mid-publish, then a batch of two bulletins stopped by SIGTERM and by SIGINT.
"""

from __future__ import annotations

import contextvars
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bantin.publish.store import STORE_DIR, BulletinStore
from publish.record_helpers import SMALL_ID, SmallProject, make_small_project
from testing_utils import wait_for_line

BANTIN = [sys.executable, "-m", "bantin.cli"]
OTHER_ID = "2024-06-29-ban-tin-hai"
#: Prefect's own log lines (--verbose), told apart from bantin's.
PREFECT_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d+ \| ")


def test_flows_run_off_the_main_thread_with_the_callers_context() -> None:
    from bantin.flows.stops import call_off_main_thread

    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")
    var.set("caller's")

    def where() -> tuple[bool, str]:
        return threading.current_thread() is threading.main_thread(), var.get()

    assert call_off_main_thread(where) == (False, "caller's")
    with pytest.raises(KeyError, match="raised there"):
        call_off_main_thread(lambda: {}["raised there"])


def test_descendants_leave_out_processes_in_a_session_of_their_own() -> None:
    """The project's server and warm process start their own session: a stop must never take them down."""
    from bantin.flows.prefect_env import descendants

    mine = subprocess.Popen(["sleep", "30"])
    detached = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        found = descendants()
        assert mine.pid in found and detached.pid not in found
    finally:
        for proc in (mine, detached):
            proc.kill()
            proc.wait()


@pytest.fixture
def auto_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[SmallProject, dict[str, str]]]:
    """A small project of two bulletins on its own Prefect server, stopped at the end."""
    import dataclasses

    from bantin.content.bulletin_file import load_bulletin, save_bulletin

    project = make_small_project(tmp_path / "proj")
    save_bulletin(dataclasses.replace(load_bulletin(project.source), id=OTHER_ID), project.root / "content" / f"{OTHER_ID}.yaml")
    monkeypatch.setenv("BANTIN_ROOT", str(project.root))
    monkeypatch.setenv("BANTIN_OUTPUTS", str(project.outputs))
    env = {k: v for k, v in project.env.items() if not k.startswith("PREFECT_")} | {"BANTIN_SERVER": "auto"}
    try:
        yield project, env
    finally:
        subprocess.run([*BANTIN, "server", "stop"], cwd=project.root, env=env, capture_output=True, timeout=120, check=False)


def _start(project: SmallProject, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*BANTIN, "publish", *args, "--engine", "espeak", "--profile", "a5", "--locale", "vi"],
        cwd=project.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _publish(project: SmallProject, env: dict[str, str], *args: str) -> str:
    proc = _start(project, env, *args)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    return err


def _state(project: SmallProject, bulletin_id: str) -> tuple[list[str], str | None]:
    """What outputs/.bantin/<id>/ holds (lock left out) and the record's generation time."""
    store = BulletinStore(bulletin_id, project.outputs)
    record = store.record()
    return sorted(p.name for p in store.home.iterdir() if p.name != "lock"), record.generated_at if record else None


def _server_pid(project: SmallProject) -> int:
    return int(json.loads((project.root / ".prefect" / "bantin-server.json").read_text(encoding="utf-8"))["pid"])


def _flow_run_states(project: SmallProject, name: str) -> list[str]:
    """The states of the runs of that name: a bulletin's runs share one (``<date> <short title>``)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName
    from prefect.settings import PREFECT_API_URL, temporary_settings

    port = json.loads((project.root / ".prefect" / "bantin-server.json").read_text(encoding="utf-8"))["port"]
    with temporary_settings(updates={PREFECT_API_URL: f"http://127.0.0.1:{port}/api"}), get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[name])))
    return sorted(str(run.state_name) for run in runs)


@pytest.mark.slow
def test_a_server_killed_mid_publish_stops_it_in_one_line_and_the_next_publish_restarts_it(auto_project: tuple[SmallProject, dict[str, str]]) -> None:
    project, env = auto_project
    _publish(project, env, SMALL_ID)
    before = _state(project, SMALL_ID)
    old_server = _server_pid(project)

    project.edit(1)
    run = _start(project, env, SMALL_ID, "--verbose", "--force")  # --verbose: the flow run's name; --force: stages to run
    seen = wait_for_line(run, "Beginning flow run")
    name = re.search(r"Beginning flow run '([^']+)'", seen).group(1)  # type: ignore[union-attr]
    time.sleep(0.5)
    os.kill(old_server, signal.SIGKILL)
    killed = time.monotonic()
    code = run.wait(timeout=60)
    took = time.monotonic() - killed
    err = seen + run.stderr.read()  # type: ignore[union-attr]
    ours = "".join(line for line in err.splitlines(keepends=True) if not PREFECT_LINE.match(line))
    assert code == 1 and took < 30, err[-3000:]
    assert ours.count("stopped answering; nothing was published; run again") == 1, ours
    assert len(ours.encode()) < 2048 and "Traceback" not in err and "Error logging to API" not in err, ours
    assert _state(project, SMALL_ID) == before
    time.sleep(10)  # nothing goes on publishing after the command has ended
    assert _state(project, SMALL_ID) == before

    again = _publish(project, env, SMALL_ID)
    assert "starting the project's Prefect server" in again and _server_pid(project) != old_server
    generations, generated_at = _state(project, SMALL_ID)
    assert generated_at != before[1] and len(generations) == 1 and "staging" not in generations
    assert "Crashed" in _flow_run_states(project, name)  # the killed run, beside the bulletin's other runs


@pytest.mark.slow
def test_sigterm_and_sigint_stop_a_batch_and_nothing_is_published_after(auto_project: tuple[SmallProject, dict[str, str]]) -> None:
    project, env = auto_project
    ids = (SMALL_ID, OTHER_ID)
    _publish(project, env, *ids)
    before = {bulletin_id: _state(project, bulletin_id) for bulletin_id in ids}

    for sig in (signal.SIGTERM, signal.SIGINT):
        run = _start(project, env, *ids, "--verbose", "--force")
        seen = wait_for_line(run, "Beginning subflow run")
        time.sleep(0.5)
        run.send_signal(sig)
        sent = time.monotonic()
        code = run.wait(timeout=60)
        err = seen + run.stderr.read()  # type: ignore[union-attr]
        assert code == 128 + sig and time.monotonic() - sent < 15, err[-3000:]
        assert "Traceback" not in err, err[-3000:]
        for bulletin_id in ids:
            line = f"bantin: stopped by {sig.name}; {bulletin_id}: kept the record generated at {before[bulletin_id][1]}"
            assert err.count(line) == 1, err[-3000:]
    time.sleep(10)  # a stopped bulletin's thread or child would have committed by now
    assert {bulletin_id: _state(project, bulletin_id) for bulletin_id in ids} == before
    assert not any((project.outputs / STORE_DIR / bulletin_id / "staging").exists() for bulletin_id in ids)
