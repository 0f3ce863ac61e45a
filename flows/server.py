"""The project's own Prefect server: started on first use, in the background, and reused.

Starting Prefect's temporary server costs seconds on every CLI command, and
its runs vanish with it.  Instead the first command that needs Prefect starts
``prefect server start`` for the project (state under ``PREFECT_HOME``, i.e.
``<project>/.prefect``), records its address in ``bantin-server.json`` there,
and later commands reuse it, so every run stays a real run that the UI shows
afterwards.  A server already named in ``PREFECT_API_URL`` always wins.

A file lock around the check-and-start means concurrent first runs on a fresh
project start one server and never race Prefect's database migration.

A command's runs are watched (:func:`command_server`): if the project's server
dies or stops answering mid-run, the command stops within seconds, as a
SIGTERM would stop it, instead of retrying for minutes.  The runs such a death
left Running are marked Crashed when the server starts again.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from bantin.errors import ServerUnavailableError
from bantin.flows.prefect_env import SERVER_DEFAULTS, process_alive
from bantin.fsutil import pid_alive
from bantin.settings import environment, prefect_home

__all__ = [
    "ServerState",
    "command_server",
    "crash_abandoned_runs",
    "ensure_server",
    "project_server_settings",
    "server_status",
    "stop_server",
    "when_server_lost",
]

STATE_NAME = "bantin-server.json"
#: Seconds a new server may take to answer (its first start migrates a new SQLite database).
START_TIMEOUT_S = 90.0
#: Seconds between the watchdog's looks at the project's server while a command runs.
WATCH_INTERVAL_S = 1.0
#: How long a server whose process runs may leave its health endpoint unanswered before it counts as gone.
UNANSWERED_S = 15.0
#: What a flow run left Running by a server that died says, once marked Crashed.
CRASHED_MESSAGE = "the Prefect server stopped during this run; nothing was published by it. Run it again"


@dataclass(frozen=True)
class ServerState:
    """What ``bantin-server.json`` records about the project's server."""

    pid: int
    port: int
    home: str

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


def _home() -> Path:
    """The project's Prefect home (``PREFECT_HOME``, else ``<project>/.prefect``): the project's server is recorded there.

    Read from bantin's settings, not from Prefect's, so a caller that has not set
    Prefect's defaults (nothing does at import any more) still finds the project's server.
    """
    home = prefect_home()
    home.mkdir(parents=True, exist_ok=True)
    return home


def _read_state(home: Path) -> ServerState | None:
    try:
        data = json.loads((home / STATE_NAME).read_text(encoding="utf-8"))
        return ServerState(int(data["pid"]), int(data["port"]), str(data["home"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _healthy(state: ServerState, timeout_s: float = 2.0) -> bool:
    import httpx

    try:
        return httpx.get(f"{state.api_url}/health", timeout=timeout_s).status_code == 200
    except httpx.HTTPError:
        return False


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url(url: str) -> str:
    """``url`` as Prefect's server takes it (``postgresql+asyncpg://``), or one line saying what to give."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ServerUnavailableError(
        f"--database {url.split('@')[-1][:80]}: not a PostgreSQL URL. Give postgresql://USER:PASSWORD@HOST:PORT/DATABASE, or leave it out for SQLite"
    )


def _start(home: Path, port: int, database: str | None = None) -> ServerState:
    env = {**SERVER_DEFAULTS, **environment(), "PREFECT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    if database:
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = database
    env["PREFECT_UI_API_URL"] = f"http://127.0.0.1:{port}/api"
    env.setdefault("PREFECT_UI_STATIC_DIRECTORY", str(home / "ui"))  # the UI build goes here, never into Prefect's install
    log = (home / "server.log").open("ab")
    process = subprocess.Popen(
        # Prefect's own `prefect server start`, unpatched, on SQLite or the PostgreSQL of --database
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        start_new_session=True,
        cwd=home,
    )
    state = ServerState(process.pid, port, str(home))
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerUnavailableError(f"the project's Prefect server stopped at start (exit {process.returncode}). See {home / 'server.log'}")
        if _healthy(state, timeout_s=1.0):
            try:
                crashed = crash_abandoned_runs(state)
                from bantin.flows.exclusion import release_abandoned_slots

                freed = release_abandoned_slots(state.api_url)
            except Exception as exc:  # the server runs; a run left Running is only a wrong label in the UI
                log.write(f"bantin: could not mark abandoned flow runs Crashed ({type(exc).__name__}: {exc})\n".encode())
            else:
                if crashed:
                    log.write(f"bantin: marked {crashed} flow run(s) Crashed, left Running by a server that stopped\n".encode())
                if freed:
                    log.write(f"bantin: released the slots of {freed} bulletin(s) held by runs of a server that stopped\n".encode())
            log.flush()
            tmp = home / f".{STATE_NAME}.tmp"
            tmp.write_text(json.dumps(asdict(state)), encoding="utf-8")
            os.replace(tmp, home / STATE_NAME)
            return state
        time.sleep(0.25)
    _terminate(state.pid)
    raise ServerUnavailableError(f"the project's Prefect server did not answer within {START_TIMEOUT_S:.0f} s. See {home / 'server.log'}")


def crash_abandoned_runs(state: ServerState) -> int:
    """Mark Crashed every flow run the server holds as Running; how many (call it as the server starts).

    A server that just started runs nothing yet: a Running flow run is one
    whose server died under it (its command stopped itself, saying so).
    Through Prefect's public client API only.
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
    from prefect.client.schemas.objects import StateType
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.states import Crashed

    running = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.RUNNING])))
    marked = 0
    with temporary_settings(updates={PREFECT_API_URL: state.api_url}), get_client(sync_client=True) as client:
        for _ in range(100):  # pages of 200; each page's runs leave the filter once marked
            runs = client.read_flow_runs(flow_run_filter=running, limit=200)
            for run in runs:
                client.set_flow_run_state(run.id, Crashed(message=CRASHED_MESSAGE), force=True)
            marked += len(runs)
            if len(runs) < 200:
                break
    return marked


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def ensure_server(lock_timeout_s: float = 180.0, port: int | None = None, database: str | None = None) -> ServerState:
    """The running project server, started if needed (one starter at a time per ``PREFECT_HOME``).

    ``port`` chooses where a new server listens; a server that already runs is reused wherever it is.
    ``database`` (a PostgreSQL URL) is the database a new server keeps its state in (default: SQLite under ``PREFECT_HOME``).
    """
    home = _home()
    try:
        with FileLock(str(home / "bantin-server.lock"), timeout=lock_timeout_s):
            state = _read_state(home)
            if state is not None and pid_alive(state.pid) and _healthy(state):
                return state
            if state is not None and pid_alive(state.pid):
                _terminate(state.pid)  # alive but not answering: a wedged server of this project
            (home / STATE_NAME).unlink(missing_ok=True)
            if port is not None and not _port_free(port):
                raise ServerUnavailableError(f"127.0.0.1:{port}: the port is in use. Choose another port, or stop what listens there")
            return _start(home, port or _free_port(), database_url(database) if database else None)
    except Timeout:
        raise ServerUnavailableError(
            f"{home}: another bantin command has been starting the Prefect server for {lock_timeout_s:.0f} s. "
            "Wait for it, or run 'bantin server stop' and try again"
        ) from None


def _group_alive(pid: int) -> bool:
    """Whether any process of the group ``pid`` leads is left (its children may outlive it, holding the port)."""
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _terminate(pid: int, grace_s: float = 10.0) -> None:
    """SIGTERM the server's process group, then SIGKILL what is left after ``grace_s``; returns when the whole group is gone."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)  # reap the leader when it is our child
            if not pid_alive(pid) and not _group_alive(pid):
                return
            time.sleep(0.1)


def stop_server() -> ServerState | None:
    """Stop the project's server if one runs; the state it had, or None."""
    from bantin.flows.warm import stop_warm_process

    home = _home()
    stop_warm_process()
    state = _read_state(home)
    if state is not None and pid_alive(state.pid):
        _terminate(state.pid)
    (home / STATE_NAME).unlink(missing_ok=True)
    return state


def server_status() -> tuple[ServerState | None, bool]:
    """The recorded server and whether it answers now."""
    state = _read_state(_home())
    return state, bool(state and pid_alive(state.pid) and _healthy(state))


@contextmanager
def project_server_settings() -> Iterator[ServerState | None]:
    """Point Prefect at the project's running server for the block, when one runs and no API URL is set.

    Publishing then costs no server start-up and its runs stay in the UI
    afterwards.  Without a running project server the block runs unchanged
    (Prefect's temporary server).
    """
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    if get_current_settings().api.url:
        yield None
        return
    state = _read_state(_home())
    if state is None or not pid_alive(state.pid) or not _healthy(state, timeout_s=1.0):
        yield None
        return
    with temporary_settings(updates={PREFECT_API_URL: state.api_url}):
        yield state


#: Heartbeat settings a user may set; when one is set, CLI runs keep Prefect's heartbeat thread.
_HEARTBEAT_SETTINGS = ("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "PREFECT_RUNNER_HEARTBEAT_FREQUENCY")


@contextmanager
def command_server(notify: Callable[[str], None]) -> Iterator[ServerState | None]:
    """The Prefect API for one CLI command's runs, in effect for the block.

    ``PREFECT_API_URL`` wins.  Otherwise, by ``BANTIN_SERVER``: ``auto`` starts
    the project's server on first use (in the background, with its UI) and
    reuses it after, so no command pays for a server start and every run stays
    in the UI; ``temporary`` starts Prefect's temporary server for this command
    only (and stops it at the end).  If the project's server cannot start, the
    command still runs, on a temporary server, after one line through ``notify``.

    A command's runs start no heartbeat thread unless the environment asks for
    one: the command is watched from its terminal, and Prefect joins that thread
    at the end of each run by polling its stop flag once a second, so a warm
    publish idled half a second on average.  Runs of deployments keep it.
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    if any(name in environment() for name in _HEARTBEAT_SETTINGS):
        with _command_api(notify) as state:
            yield state
        return
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}), _command_api(notify) as state:
        yield state


@contextmanager
def _command_api(notify: Callable[[str], None]) -> Iterator[ServerState | None]:
    """The API part of :func:`command_server`."""
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    from bantin.flows.prefect_env import temporary_server
    from bantin.settings import server_mode

    if get_current_settings().api.url:
        yield None
        return
    if server_mode() == "auto":
        state, answering = server_status()
        if not answering:
            notify("starting the project's Prefect server (once; 'bantin server stop' stops it)")
            try:
                state = ensure_server()
            except ServerUnavailableError as exc:
                notify(f"{exc}; publishing on a temporary server instead")
                state = None
        if state is not None:
            from bantin.flows.warm import start_warm_process

            start_warm_process()  # the next command skips the imports (bantin.handoff)
            with temporary_settings(updates={PREFECT_API_URL: state.api_url}), _watchdog(state):
                yield state
            return
    with temporary_server():
        yield None


#: Who is told, from the watchdog's thread, that the project's server went away mid-command (:func:`when_server_lost`).
_LOST_HANDLERS: list[Callable[[str], None]] = []


def when_server_lost(handler: Callable[[str], None]) -> None:
    """Have ``handler`` called with the server's address if the project's server dies or stops answering during a command.

    It is called from the watchdog's thread and is expected to end the
    command (the CLI stops it as a SIGTERM would, with its own line and exit 1).
    Without a handler, the watchdog sends this process SIGTERM.
    """
    _LOST_HANDLERS[:] = [handler]


def _lost(state: ServerState) -> None:
    if not _LOST_HANDLERS:
        os.kill(os.getpid(), signal.SIGTERM)
        return
    for handler in list(_LOST_HANDLERS):
        handler(state.ui_url)


@contextmanager
def _watchdog(state: ServerState) -> Iterator[None]:
    """Watch the project's server for the block: its process every second, and its health endpoint.

    Prefect's client retries a vanished server for minutes (five retries per
    request, backing off up to 32 s, on every request), so a run whose server
    died would hang; this notices a dead process within a second, and a live
    one that stops answering within :data:`UNANSWERED_S`.
    """
    import httpx

    done = threading.Event()

    def watch() -> None:
        failing_since: float | None = None
        with httpx.Client(timeout=2.0) as client:
            while not done.wait(WATCH_INTERVAL_S):
                if process_alive(state.pid):
                    try:
                        answered = client.get(f"{state.api_url}/health").status_code == 200
                    except httpx.HTTPError:
                        answered = False
                    if answered:
                        failing_since = None
                        continue
                    failing_since = failing_since or time.monotonic()
                    if time.monotonic() - failing_since < UNANSWERED_S:
                        continue
                if not done.is_set():
                    _lost(state)
                return

    thread = threading.Thread(target=watch, name="bantin-server-watchdog", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
