"""The project's own Prefect server and warm process (BANTIN_SERVER=auto, the default outside tests).

The first publish starts the server; later ones reuse it and run in the warm
process (no imports to wait for), with the caller's terminal, exit status and
signals; killing the caller stops the command and leaves a true record;
``bantin server stop`` leaves nothing running.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bantin.publish.verify import verify_bulletin
from publish.record_helpers import SMALL_ID, SmallProject, make_small_project

pytestmark = pytest.mark.slow

BANTIN = [sys.executable, "-m", "bantin.cli"]
PUBLISH = ["publish", SMALL_ID, "--engine", "espeak", "--profile", "a5"]


@pytest.fixture
def auto_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[SmallProject, dict[str, str]]]:
    project = make_small_project(tmp_path / "proj")
    monkeypatch.setenv("BANTIN_ROOT", str(project.root))
    env = {k: v for k, v in project.env.items() if not k.startswith("PREFECT_")} | {"BANTIN_SERVER": "auto"}
    try:
        yield project, env
    finally:
        subprocess.run([*BANTIN, "server", "stop"], cwd=project.root, env=env, capture_output=True, timeout=120, check=False)


def _run(env: dict[str, str], cwd: Path, *args: str, usage: Path | None = None) -> subprocess.CompletedProcess[str]:
    extra = {"BANTIN_USAGE_FILE": str(usage)} if usage else {}
    return subprocess.run([*BANTIN, *args], cwd=cwd, env=env | extra, capture_output=True, text=True, timeout=600, check=False)


def _warm_pid(home: Path, timeout: float = 90) -> int:
    """The warm process's pid, once it has imported everything and listens."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return int(json.loads((home / "bantin-warm.json").read_text(encoding="utf-8"))["pid"])
        except (OSError, ValueError, KeyError):
            time.sleep(0.5)
    raise AssertionError("the warm process never started")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[-1][:3]


def test_first_publish_starts_the_server_then_commands_run_warm_and_stop_leaves_nothing(auto_project: tuple[SmallProject, dict[str, str]]) -> None:
    project, env = auto_project
    home = project.root / ".prefect"

    first = _run(env, project.root, *PUBLISH)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "starting the project's Prefect server" in first.stderr and "Traceback" not in first.stderr
    server_pid = json.loads((home / "bantin-server.json").read_text(encoding="utf-8"))["pid"]
    warm_pid = _warm_pid(home)

    # Handed to the warm process: the same output and status, the work measured there, the same server.
    usage = project.tmp / "usage.json"
    second = _run(env, project.root, *PUBLISH, usage=usage)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "starting" not in second.stderr and f"vi/{SMALL_ID}.vi.a5.pdf" in second.stdout and "manifest:" in second.stdout
    assert json.loads(usage.read_text(encoding="utf-8"))["cpu_s"] > 0  # only a command run in the warm process reports this
    assert json.loads((home / "bantin-server.json").read_text(encoding="utf-8"))["pid"] == server_pid
    assert verify_bulletin(SMALL_ID).ok()

    # Bad input is still one line and exit 2, before anything is handed over.
    bad = _run(env, project.root, "publish", "no-such-id")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "no such bulletin" in bad.stderr

    status = _run(env, project.root, "server", "status")
    assert status.returncode == 0 and f"pid {warm_pid}" in status.stdout, status.stdout + status.stderr

    # SIGKILL of the caller while the stages run: its command stops itself, the record stays true, the next publish works.
    project.edit(2)
    killed = subprocess.Popen([*BANTIN, *PUBLISH, "--verbose"], cwd=project.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert killed.stderr is not None
    seen = ""
    deadline = time.monotonic() + 120
    while "Beginning flow run" not in seen and time.monotonic() < deadline:
        seen += killed.stderr.readline()
    assert "Beginning flow run" in seen, seen[-2000:]
    killed.kill()
    killed.wait(timeout=30)
    time.sleep(5)
    assert [f for f in verify_bulletin(SMALL_ID).findings if f.problem != "stale"] == []
    again = _run(env, project.root, *PUBLISH)
    assert again.returncode == 0, again.stderr[-3000:]
    assert verify_bulletin(SMALL_ID).ok()

    # SIGTERM is passed on: the command stops within seconds with 143 and one line.
    project.edit(3)
    termed = subprocess.Popen([*BANTIN, *PUBLISH, "--verbose"], cwd=project.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert termed.stderr is not None
    seen = ""
    while "Beginning flow run" not in seen and time.monotonic() < deadline + 120:
        seen += termed.stderr.readline()
    termed.send_signal(signal.SIGTERM)
    code = termed.wait(timeout=30)
    err = seen + termed.stderr.read()
    assert code == 143 and "stopped by SIGTERM" in err and "Traceback" not in err, err[-2000:]
    assert [f for f in verify_bulletin(SMALL_ID).findings if f.problem != "stale"] == []

    stop = _run(env, project.root, "server", "stop")
    assert stop.returncode == 0 and "stopped the Prefect server" in stop.stdout
    deadline = time.monotonic() + 30
    while (_alive(server_pid) or _alive(warm_pid)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _alive(server_pid) and not _alive(warm_pid)
    assert _run(env, project.root, "server", "status").returncode == 1


def test_a_warm_process_of_other_code_is_not_used(auto_project: tuple[SmallProject, dict[str, str]]) -> None:
    """After an upgrade (or an edit of bantin's code) the command runs here, and a fresh warm process replaces the old one."""
    from bantin.handoff import read_state, write_state

    project, env = auto_project
    home = project.root / ".prefect"
    assert _run(env, project.root, *PUBLISH).returncode == 0
    old = read_state(home)
    while old is None:
        _warm_pid(home)
        old = read_state(home)
    write_state(home, old.__class__(old.pid, old.socket, "0.0.0:elsewhere:0", old.python, old.prefect_env))
    usage = project.tmp / "usage.json"
    result = _run(env, project.root, *PUBLISH, usage=usage)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not usage.exists()  # ran in this process
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        new = read_state(home)
        if new is not None and new.pid != old.pid:
            break
        time.sleep(0.5)
    assert new is not None and new.pid != old.pid and not _alive(old.pid)


def test_the_project_server_starts_its_ui_from_a_read_only_install(auto_project: tuple[SmallProject, dict[str, str]]) -> None:
    """Prefect's package mounted read-only (a private mount namespace): the server starts and serves its UI, built under .prefect/ui."""
    import shutil

    import httpx
    import prefect

    project, env = auto_project
    if shutil.which("unshare") is None or subprocess.run(["unshare", "--mount", "true"], capture_output=True).returncode != 0:
        pytest.skip("needs unshare --mount (root or user namespaces) to mount Prefect's install read-only")
    package = Path(prefect.__file__).resolve().parent
    script = (
        f"mount --bind {package} {package} && mount -o remount,ro,bind {package} "
        f"&& touch {package}/.probe 2>/dev/null && echo WRITABLE; exec {sys.executable} -m bantin.cli server start"
    )
    started = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
        cwd=project.root, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert started.returncode == 0 and "WRITABLE" not in started.stdout, started.stdout + started.stderr
    state = json.loads((project.root / ".prefect" / "bantin-server.json").read_text(encoding="utf-8"))
    page = httpx.get(f"http://127.0.0.1:{state['port']}/", timeout=30, follow_redirects=True)
    assert page.status_code == 200 and "<html" in page.text.lower()
    built = project.root / ".prefect" / "ui"
    assert built.is_dir() and any(built.rglob("index.html"))
