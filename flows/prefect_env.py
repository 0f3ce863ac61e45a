"""Prefect's embedded default, set up before Prefect is imported.

bantin runs Prefect in local mode: no server to start by hand, state in a
project-local SQLite under ``PREFECT_HOME`` (``<root>/.prefect``, git-ignored),
telemetry off.  Anything already set in the environment wins, so
``PREFECT_API_URL`` still points bantin at a shared server.

The temporary server Prefect starts per run is started here under a
project-wide lock (concurrent first runs never race its SQLite migration), and
one a killed run left behind (same ``PREFECT_HOME``, its bantin process gone)
is stopped by the next run.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bantin.errors import BantinError, ProjectNotFoundError, ServerUnavailableError
from bantin.paths import project_root

__all__ = [
    "TEMPORARY_SERVER_LOG",
    "clean_orphan_servers",
    "configure_prefect",
    "descendants",
    "is_temporary_server",
    "orphan_servers",
    "process_alive",
    "signal_all",
    "start_temporary_server",
    "stop_temporary_server",
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
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", console_level)
        if "prefect.logging.handlers" in sys.modules:  # logging is set up already (a warm process's child): retune it
            from prefect.logging.handlers import PrefectConsoleHandler

            loggers = [logging.getLogger(), *(lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger))]
            for handler in (h for lg in loggers for h in lg.handlers):
                if isinstance(handler, PrefectConsoleHandler):
                    handler.setLevel(console_level)
    with contextlib.suppress(ProjectNotFoundError):  # outside a project (a worker, a tool): Prefect's own default home
        os.environ.setdefault("PREFECT_HOME", str(project_root() / ".prefect"))

    for key, value in {**DEFAULTS, **SERVER_DEFAULTS}.items():  # the temporary server inherits this environment
        os.environ.setdefault(key, value)
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


# --------------------------------------------------------------------------- the temporary (ephemeral) server

#: What the command line of Prefect's temporary server holds (prefect.server.api.server.SubprocessASGIServer).
_SERVER_MARK = b"prefect.server.api.server:create_app"


def _proc_environ(pid: int) -> dict[bytes, bytes]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    return dict(item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item)


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _pids() -> list[int]:
    proc = Path("/proc")
    return [int(p.name) for p in proc.iterdir() if p.name.isdigit()] if proc.is_dir() else []


def orphan_servers(home: str | None = None) -> list[int]:
    """PIDs of temporary Prefect servers of this ``PREFECT_HOME`` whose bantin process is gone (Linux /proc)."""
    if home is None:
        from prefect.settings import get_current_settings

        home = str(get_current_settings().home)
    home_b = home.encode()
    found = []
    for pid in _pids():
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if _SERVER_MARK not in cmdline:
            continue
        env = _proc_environ(pid)
        if env.get(b"PREFECT__SERVER_EPHEMERAL") != b"1" or env.get(b"PREFECT_HOME") != home_b:
            continue
        # The environment a process shows in /proc is the one it started with, so the
        # parent (which set PREFECT_HOME itself) is recognized by what it runs: a killed
        # bantin's server is adopted by init or a subreaper, which is not a Python process.
        parent = _ppid(pid)
        if parent is None or parent <= 1 or not _runs_python(parent):
            found.append(pid)
    return found


def _runs_python(pid: int) -> bool:
    try:
        argv0 = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0", 1)[0]
    except OSError:
        return False
    return b"python" in argv0.rsplit(b"/", 1)[-1] or b"bantin" in argv0 or b"pytest" in argv0


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


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def clean_orphan_servers() -> int:
    """Stop temporary Prefect servers a killed bantin left running on this ``PREFECT_HOME``; how many."""
    pids = orphan_servers()
    _terminate(pids)
    return len(pids)


def start_temporary_server() -> None:
    """Start Prefect's temporary server (when no ``PREFECT_API_URL`` is set) under a project-wide lock.

    Concurrent first runs on a fresh project would otherwise race the SQLite
    migration; the flow then reuses this server.  Orphans of killed runs are stopped first.
    """
    configure_prefect()
    from prefect.settings import get_current_settings

    if get_current_settings().api.url:
        return
    from filelock import FileLock
    from prefect.server.api.server import SubprocessASGIServer

    home = Path(get_current_settings().home)
    home.mkdir(parents=True, exist_ok=True)
    clean_orphan_servers()
    log = home / TEMPORARY_SERVER_LOG
    _rotate(log)
    out = log.open("ab")  # the child writes through its own descriptor; this one closes below

    class _LoggedServer(SubprocessASGIServer):
        """Prefect's temporary server with its output in ``log``, never on the user's terminal.

        Stopped mid-write (a signal, the end of a command), the server's services log
        their cancelled work with tracebacks; those belong in a log, not under the
        command's one line.  Prefect's own lookups (``SubprocessASGIServer()``) find
        this instance: the class shares the parent's instance table.
        """

        def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
            return subprocess.Popen(_uvicorn_args(self.port), env=_server_env(), stdin=subprocess.DEVNULL, stdout=out, stderr=out)

    with out, FileLock(str(home / ".server-start.lock"), timeout=600):
        try:
            _LoggedServer().start()
        except RuntimeError as exc:  # timed out or exited at start
            raise ServerUnavailableError(f"Prefect's temporary server did not start ({exc}). See {log}") from None


def _uvicorn_args(port: int | None) -> list[str]:
    """The command line Prefect 3.9's ``SubprocessASGIServer._run_uvicorn_command`` runs (a test compares them)."""
    import prefect

    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(prefect.__module_path__.parent),
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]


def _server_env() -> dict[str, str]:
    """The environment Prefect gives its temporary server: ours, no UI, marked ephemeral, the current settings."""
    from prefect.settings import get_current_settings

    return {
        **os.environ,
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
        **get_current_settings().to_environment_variables(exclude_unset=True),
    }


#: Where the temporary servers of a ``PREFECT_HOME`` write their output (appended; one older file kept).
TEMPORARY_SERVER_LOG = "temporary-server.log"
_LOG_LIMIT = 4 * 1024 * 1024


def _rotate(log: Path) -> None:
    """Keep ``log`` under a few MiB: past the limit it becomes ``<log>.1`` (replacing the older one)."""
    with contextlib.suppress(OSError):
        if log.stat().st_size > _LOG_LIMIT:
            os.replace(log, log.with_name(log.name + ".1"))


def stop_temporary_server() -> None:
    """Stop the temporary server this process started (if any)."""
    from prefect.server.api.server import SubprocessASGIServer

    for server in list(SubprocessASGIServer._instances.values()):
        server.stop()


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
    """Whether ``pid`` runs Prefect's temporary server (its command line, as :func:`orphan_servers` finds them)."""
    try:
        return _SERVER_MARK in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


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
