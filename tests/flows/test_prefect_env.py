"""The real command line on a fresh project: concurrent first runs, SIGKILL and SIGTERM, and what they leave behind.

Each ``bantin publish`` here starts Prefect's temporary server (about 10 s), so
the trials are few; the many random kills run against the library path
(tests/publish/test_store.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bantin.publish.verify import verify_bulletin
from publish.record_helpers import SMALL_ID, SmallProject, make_small_project
from testing_utils import wait_for_line

BANTIN = [sys.executable, "-m", "bantin.cli"]


def _env(project: SmallProject) -> dict[str, str]:
    env = {k: v for k, v in project.env.items() if not k.startswith("PREFECT_")}  # the project's own .prefect: a fresh one
    return env


def _cli(project: SmallProject, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*BANTIN, *args],
        cwd=project.root,
        env=_env(project),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _servers(project: SmallProject) -> list[int]:
    """PIDs of Prefect servers (``prefect server start``) running on this project's PREFECT_HOME."""
    home = str(project.root / ".prefect").encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if b"prefect\0server\0start" not in (entry / "cmdline").read_bytes():
                continue
            env = dict(x.split(b"=", 1) for x in (entry / "environ").read_bytes().split(b"\0") if b"=" in x)
        except OSError:
            continue
        if env.get(b"PREFECT_HOME") == home:
            found.append(int(entry.name))
    return found


@pytest.fixture
def cli_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SmallProject:
    project = make_small_project(tmp_path / "proj")
    monkeypatch.setenv("BANTIN_ROOT", str(project.root))
    monkeypatch.setenv("BANTIN_OUTPUTS", str(project.outputs))
    return project


def test_concurrent_first_runs_list_both_profiles(cli_project: SmallProject) -> None:
    """Two publishes of one bulletin at once, on a project whose Prefect database does not exist yet."""
    runs = [_cli(cli_project, "publish", SMALL_ID, "--engine", "espeak", "--profile", p) for p in ("a4", "a5")]
    results = [(p.wait(timeout=600), p.stdout.read(), p.stderr.read()) for p in runs]  # type: ignore[union-attr]
    for code, _, err in results:
        assert code == 0, err[-3000:]
        assert "Traceback" not in err
    record_paths = {line.split()[0] for _, out, _ in results for line in out.splitlines() if line.startswith("  vi/")}
    assert {f"vi/{SMALL_ID}.vi.a4.pdf", f"vi/{SMALL_ID}.vi.a5.pdf"} <= record_paths
    verify = subprocess.run([*BANTIN, "verify"], cwd=cli_project.root, env=_env(cli_project), capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0 and "verify: ok" in verify.stdout, verify.stdout + verify.stderr
    assert _servers(cli_project) == []


def test_sigkill_then_sigterm_leave_a_true_record_and_nothing_running(cli_project: SmallProject) -> None:
    first = _cli(cli_project, "publish", SMALL_ID, "--engine", "espeak", "--profile", "a4")
    assert first.wait(timeout=600) == 0, first.stderr.read()  # type: ignore[union-attr]
    cli_project.edit(1)

    # SIGKILL while the stages run: the temporary server is orphaned, the record stays the old one.
    # --verbose shows Prefect's lines, so the signal lands while the stages run (a small bulletin publishes in seconds).
    killed = _cli(cli_project, "publish", SMALL_ID, "--engine", "espeak", "--profile", "a4", "--verbose")
    wait_for_line(killed, "Beginning flow run")
    time.sleep(3)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait(timeout=60)
    result = verify_bulletin(SMALL_ID)
    assert [f for f in result.findings if f.problem != "stale"] == []

    # SIGTERM: stopped within seconds, one line, exit 143, and the next run's clean-up already happened.
    # --force: every stage runs again (the killed run left most of them cached), so the signal lands while they run.
    termed = _cli(cli_project, "publish", SMALL_ID, "--engine", "espeak", "--profile", "a4", "--verbose", "--force")
    wait_for_line(termed, "Beginning flow run")
    time.sleep(0.5)
    sent = time.monotonic()
    termed.send_signal(signal.SIGTERM)
    code = termed.wait(timeout=30)
    err = termed.stderr.read()  # type: ignore[union-attr]
    assert code == 143 and time.monotonic() - sent < 15, err[-2000:]
    assert "stopped by SIGTERM" in err and "Traceback" not in err and "Error logging to API" not in err
    assert _servers(cli_project) == []  # its own server stopped, and the orphan of the killed run too
    assert verify_bulletin(SMALL_ID).ok()

    again = _cli(cli_project, "publish", SMALL_ID, "--engine", "espeak", "--profile", "a4")
    assert again.wait(timeout=600) == 0, again.stderr.read()  # type: ignore[union-attr]
    verify = subprocess.run([*BANTIN, "verify", SMALL_ID], cwd=cli_project.root, env=_env(cli_project), capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout
    assert _servers(cli_project) == [] and cli_project.leftovers() == []
    assert not (cli_project.outputs / ".bantin" / SMALL_ID / "staging").exists()


def test_the_temporary_server_is_prefects_own_command_with_its_output_in_a_log(tmp_path: Path) -> None:
    """``prefect server start`` (public), recorded under PREFECT_HOME while it runs, its output in the log; stopped and
    forgotten at the end of the block; one whose owner died is stopped by the next command."""
    from prefect.settings import PREFECT_HOME, get_current_settings, temporary_settings

    from bantin.flows import prefect_env

    home = tmp_path / "home"
    with temporary_settings(updates={PREFECT_HOME: home}), prefect_env.temporary_server() as url:
        assert url is not None and get_current_settings().api.url == url
        (record,) = (home / prefect_env.TEMPORARY_SERVERS_DIR).glob("*.json")
        pid = int(record.stem)
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        assert cmdline[1:5] == [b"-m", b"prefect", b"server", b"start"]
        environ = dict(x.split(b"=", 1) for x in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0") if b"=" in x)
        assert not any(key.startswith(b"PREFECT__") for key in environ)  # no private marker
        assert environ[b"PREFECT_UI_STATIC_DIRECTORY"] == str(home / "ui").encode()
        assert prefect_env.is_temporary_server(pid)
    assert not prefect_env.process_alive(pid) and not list((home / prefect_env.TEMPORARY_SERVERS_DIR).glob("*.json"))
    assert (home / prefect_env.TEMPORARY_SERVER_LOG).is_file()
    # An orphan: a record whose owner is gone, and the server still running.
    orphan = subprocess.Popen(prefect_env._server_command(port := prefect_env._free_port()), start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        dead = subprocess.Popen(["true"])
        dead.wait()
        (home / prefect_env.TEMPORARY_SERVERS_DIR / f"{orphan.pid}.json").write_text(f'{{"pid": {orphan.pid}, "port": {port}, "owner": {dead.pid}}}')
        with temporary_settings(updates={PREFECT_HOME: home}):
            assert prefect_env.orphan_servers() == [orphan.pid]
            assert prefect_env.clean_orphan_servers() == 1
        assert orphan.wait(timeout=10) is not None
    finally:
        orphan.kill()


def test_a_long_temporary_server_log_is_rotated(tmp_path: Path) -> None:
    from bantin.flows import prefect_env

    log = tmp_path / prefect_env.TEMPORARY_SERVER_LOG
    log.write_bytes(b"x" * (prefect_env._LOG_LIMIT + 1))
    prefect_env._rotate(log)
    assert not log.exists() and (tmp_path / (log.name + ".1")).stat().st_size == prefect_env._LOG_LIMIT + 1
    log.write_bytes(b"short")
    prefect_env._rotate(log)
    assert log.read_bytes() == b"short"
