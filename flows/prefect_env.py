"""Prefect's embedded default, set up before Prefect is imported.

bantin runs Prefect in local mode: no server to start by hand, state in a
project-local SQLite under ``PREFECT_HOME`` (``<root>/.prefect``, git-ignored),
telemetry off.  Anything already set in the environment wins, so
``PREFECT_API_URL`` still points bantin at a shared server.

A command that is to use a server of its own only (``BANTIN_SERVER=temporary``,
the tests) runs ``prefect server start`` for its duration
(:func:`temporary_server`), under a project-wide lock (concurrent first runs
never race its SQLite migration); one a killed run left behind (its record under
``PREFECT_HOME``, its bantin process gone) is stopped by the next run.  Only
Prefect's public command line and settings are used.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from bantin.errors import BantinError, ProjectNotFoundError, ServerUnavailableError
from bantin.paths import project_root
from bantin.settings import set_environment_defaults

__all__ = [
    "TEMPORARY_SERVER_LOG",
    "clean_orphan_servers",
    "configure_prefect",
    "descendants",
    "is_temporary_server",
    "orphan_servers",
    "process_alive",
    "quiet_expected_failures",
    "signal_all",
    "stop_temporary_server",
    "temporary_server",
    "terminate_children",
]

DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # The ephemeral server's first start migrates a new SQLite database; give slow machines time.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
}

#: Settings for the Prefect servers bantin starts (the project's, a temporary one); the environment's own win.
#: The task run recorder writes each task run's states one event at a time by default: 40 ms of server CPU per
#: task run, the largest share of a batch's orchestration cost.  Batches of up to 200, flushed every second,
#: cost a third of that; the UI shows a task's state at most a second later.
SERVER_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "200",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "50",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "1",
}


def configure_prefect(console_level: str | None = None) -> None:
    """Point Prefect at the project-local home and switch telemetry off (idempotent).

    ``console_level`` (e.g. ``"CRITICAL"``) quiets Prefect's own terminal log for
    commands that print their own summary; run logs still reach the server and its UI.
    Call it before Prefect is imported.
    """
    if console_level:
        set_environment_defaults({"PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": console_level})
        if "prefect.logging.handlers" in sys.modules:  # logging is set up already (a warm process's child): retune it
            from prefect.logging.handlers import PrefectConsoleHandler

            loggers = [logging.getLogger(), *(lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger))]
            for handler in (h for lg in loggers for h in lg.handlers):
                if isinstance(handler, PrefectConsoleHandler):
                    handler.setLevel(console_level)
    with contextlib.suppress(ProjectNotFoundError):  # outside a project (a worker, a tool): Prefect's own default home
        set_environment_defaults({"PREFECT_HOME": str(project_root() / ".prefect")})
    set_environment_defaults({**DEFAULTS, **SERVER_DEFAULTS})  # the temporary server inherits this environment
    quiet_expected_failures()


def quiet_expected_failures() -> None:
    """Drop tracebacks of failures bantin explains from Prefect's run loggers (idempotent; no setting is touched)."""
    for name in _RUN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, ExpectedFailureFilter) for f in logger.filters):
            logger.addFilter(ExpectedFailureFilter())


#: Prefect's loggers that report a failed task or flow run, with the exception's traceback.
_RUN_LOGGERS = ("prefect.task_runs", "prefect.flow_runs", "prefect.flow_engine", "prefect.task_engine")


class ExpectedFailureFilter(logging.Filter):
    """Drop the traceback from Prefect's run logs when the failure is one bantin explains in its message.

    A bad input or a fault of the machine (a :class:`~bantin.errors.BantinError`,
    a full or read-only disk) already says what is wrong and what to do; its
    traceback would only bury that line, in the terminal and in the UI's run log.
    Genuine bugs keep their traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, BantinError) or (isinstance(exc, OSError) and exc.errno in _MACHINE_FAULTS):
            record.exc_info, record.exc_text = None, None
        return True


_MACHINE_FAULTS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT})


# --------------------------------------------------------------------------- the temporary server

#: Under ``PREFECT_HOME``: one record per running temporary server (``<pid>.json``: its port and the bantin process that owns it).
TEMPORARY_SERVERS_DIR = "temporary-servers"
#: Seconds a temporary server may take to answer (its first start migrates a new SQLite database).
TEMPORARY_START_TIMEOUT_S = 120.0
#: The temporary servers this process started, by pid (stopped at the end of the command, or by a stop).
_STARTED: dict[int, subprocess.Popen[bytes]] = {}


def _pids() -> list[int]:
    proc = Path("/proc")
    return [int(p.name) for p in proc.iterdir() if p.name.isdigit()] if proc.is_dir() else []


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _server_command(port: int) -> list[str]:
    """``prefect server start`` on 127.0.0.1:``port``: Prefect's own command line, nothing of ours inside."""
    return [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]


def _runs_server(pid: int, port: int) -> bool:
    """Whether ``pid`` still runs the ``prefect server start`` of ``port`` (not a process that reused the pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"server" in cmdline and b"start" in cmdline and str(port).encode() in cmdline


def _records(home: Path) -> list[tuple[Path, dict[str, int]]]:
    folder = home / TEMPORARY_SERVERS_DIR
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            found.append((path, {"pid": int(data["pid"]), "port": int(data["port"]), "owner": int(data["owner"])}))
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)
    return found


def _prefect_home() -> Path:
    from prefect.settings import get_current_settings

    home = Path(get_current_settings().home).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home


def orphan_servers(home: Path | None = None) -> list[int]:
    """PIDs of temporary servers of this ``PREFECT_HOME`` whose bantin process is gone (from their records in it)."""
    home = home or _prefect_home()
    found = []
    for path, data in _records(home):
        if _alive(data["owner"]) and data["owner"] != os.getpid():
            continue
        if data["owner"] == os.getpid() and data["pid"] in _STARTED:
            continue
        if _runs_server(data["pid"], data["port"]):
            found.append(data["pid"])
        else:
            path.unlink(missing_ok=True)  # gone already
    return found


def _stop_group(pid: int, grace_s: float = 3.0) -> None:
    """SIGTERM the server's process group (it runs in a session of its own), then SIGKILL after ``grace_s``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(OSError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline and _alive(pid):
            started = _STARTED.get(pid)
            if started is not None and started.poll() is not None:
                break
            time.sleep(0.05)
        if not _alive(pid):
            return


def clean_orphan_servers() -> int:
    """Stop temporary Prefect servers a killed bantin left running on this ``PREFECT_HOME``; how many."""
    home = _prefect_home()
    pids = orphan_servers(home)
    for pid in pids:
        _stop_group(pid)
        (home / TEMPORARY_SERVERS_DIR / f"{pid}.json").unlink(missing_ok=True)
    return len(pids)


def _healthy(url: str) -> bool:
    import httpx

    try:
        return httpx.get(f"{url}/health", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def temporary_server() -> Iterator[str | None]:
    """``prefect server start`` for this command only, on a free port, with the command's settings pointed at it.

    Yields its API URL (None when ``PREFECT_API_URL`` is set: that server wins).
    Started under a project-wide lock (concurrent first runs never race the SQLite
    migration), with its output in :data:`TEMPORARY_SERVER_LOG`, never on the
    terminal, and a record under ``PREFECT_HOME/temporary-servers/`` so the next
    command stops it if this one is killed.  Stopped at the end of the block.
    """
    configure_prefect()
    from filelock import FileLock
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    from bantin.settings import environment

    if get_current_settings().api.url:
        yield None
        return
    home = _prefect_home()
    log = home / TEMPORARY_SERVER_LOG
    _rotate(log)
    with FileLock(str(home / ".server-start.lock"), timeout=600):
        clean_orphan_servers()
        alone = not _records(home)  # no other command's temporary server runs on this home's database
        port = _free_port()
        env = {
            **environment(),
            **get_current_settings().to_environment_variables(exclude_unset=True),  # the command's own settings (a test's home)
            "PREFECT_HOME": str(home),
            "PREFECT_UI_ENABLED": "false",
            "PREFECT_UI_STATIC_DIRECTORY": str(home / "ui"),  # Prefect writes nothing into its install
        }
        env.pop("PREFECT_API_URL", None)
        with log.open("ab") as out:
            process = subprocess.Popen(_server_command(port), env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True, cwd=home)
        _STARTED[process.pid] = process
        record = home / TEMPORARY_SERVERS_DIR / f"{process.pid}.json"
        record.parent.mkdir(exist_ok=True)
        record.write_text(json.dumps({"pid": process.pid, "port": port, "owner": os.getpid()}), encoding="utf-8")
        url = f"http://127.0.0.1:{port}/api"
        try:
            deadline = time.monotonic() + TEMPORARY_START_TIMEOUT_S
            while not _healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    why = f"exit {process.returncode}" if process.returncode is not None else f"no answer within {TEMPORARY_START_TIMEOUT_S:.0f} s"
                    raise ServerUnavailableError(f"Prefect's temporary server did not start ({why}). See {log}")
                time.sleep(0.1)
            if alone and not _project_server_answers(home):
                from bantin.flows.exclusion import release_abandoned_slots

                with contextlib.suppress(Exception):  # a slot left held only makes a later publish wait, saying so
                    release_abandoned_slots(url)  # slots a killed command held on this database: no one else can hold them
        except BaseException:
            stop_temporary_server()
            raise
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            try:
                yield url
            finally:
                _deliver_queued()
    finally:
        stop_temporary_server()


def _deliver_queued(timeout_s: float = 5.0) -> None:
    """Send the run logs and events still queued to the server before it stops (else Prefect prints "Error logging to API")."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogHandler

    with contextlib.suppress(Exception):  # best effort: the runs' states are already recorded
        APILogHandler().flush()
    with contextlib.suppress(Exception):
        EventsWorker.drain_all(timeout=timeout_s, at_exit=False)


def _project_server_answers(home: Path) -> bool:
    """Whether the project's own server (recorded in ``bantin-server.json``) runs on this home and answers."""
    try:
        port = int(json.loads((home / "bantin-server.json").read_text(encoding="utf-8"))["port"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return _healthy(f"http://127.0.0.1:{port}/api")


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


#: Where the temporary servers of a ``PREFECT_HOME`` write their output (appended; one older file kept).
TEMPORARY_SERVER_LOG = "temporary-server.log"
_LOG_LIMIT = 4 * 1024 * 1024


def _rotate(log: Path) -> None:
    """Keep ``log`` under a few MiB: past the limit it becomes ``<log>.1`` (replacing the older one)."""
    with contextlib.suppress(OSError):
        if log.stat().st_size > _LOG_LIMIT:
            os.replace(log, log.with_name(log.name + ".1"))


def stop_temporary_server(grace_s: float = 3.0) -> None:
    """Stop the temporary servers this process started (if any), and forget their records."""
    for pid, process in list(_STARTED.items()):
        _stop_group(pid, grace_s)
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            process.wait(timeout=1)
        _STARTED.pop(pid, None)
        with contextlib.suppress(Exception):
            (_prefect_home() / TEMPORARY_SERVERS_DIR / f"{pid}.json").unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _terminate(pids: list[int], grace_s: float = 3.0) -> None:
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.05)
    for pid in pids:
        if _alive(pid):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def process_alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, killed but not yet reaped by its parent, does not)."""
    return _alive(pid)


def descendants() -> list[int]:
    """Every process below this one that stays in this process's session, parents before their children.

    The project's Prefect server and warm process start their own session
    (they outlive the command that started them), so they and theirs are not
    among them; render workers, readers, a temporary server and Dask workers are.
    """
    me, session = os.getpid(), os.getsid(0)
    children: dict[int, list[int]] = {}
    for pid in _pids():
        parent = _ppid(pid)
        if parent is not None:
            children.setdefault(parent, []).append(pid)
    found: list[int] = []
    frontier = [me]
    while frontier:
        below = [pid for parent in frontier for pid in children.get(parent, [])]
        frontier = []
        for pid in below:
            with contextlib.suppress(OSError):
                if os.getsid(pid) == session:
                    found.append(pid)
                    frontier.append(pid)
    return found


def is_temporary_server(pid: int) -> bool:
    """Whether ``pid`` is a temporary server this process started."""
    return pid in _STARTED


def signal_all(pids: list[int], signum: int) -> None:
    """Send ``signum`` to each of ``pids`` that still runs."""
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signum)


def terminate_children() -> None:
    """Stop every process below this one in its session (render workers, ffmpeg, the temporary server).

    The project's server and warm process, in sessions of their own, keep running.
    """
    found = descendants()
    _terminate(found[::-1], grace_s=2.0)
