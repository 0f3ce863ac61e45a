"""``bantin up``: everything an operator needs, in one command, stopped by one Ctrl-C.

It starts (or reuses) the project's Prefect server with its UI, then the
deployments' runner (``bantin serve``), the download portal (``bantin
portal``) and the newsroom desk (``bantin desk serve``, which starts its
publishes as runs of the ``publish-bulletin`` deployment) as child processes
pointed at that server, prints the addresses, and waits.  When
``deployments.yaml`` changes (the desk's schedule page writes it) the runner is
restarted, so the deployments are registered again from that one file.
Ctrl-C, SIGTERM, or any child that stops ends all of them; the server is
stopped too when this command started it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from bantin.flows.server import ensure_server, server_status, stop_server
from bantin.settings import deployments_path, desk_address, desk_dir, env, environment, outputs_dir

__all__ = ["run_up"]


def _child(args: list[str], api_url: str, portal_url: str, desk_url: str) -> subprocess.Popen[bytes]:
    # BANTIN_PORTAL_URL, BANTIN_DESK_URL: the artifacts' links point to the portal and desk started here, whatever their ports.
    variables = {
        **environment(),
        "PREFECT_API_URL": api_url,
        "BANTIN_PORTAL_URL": env("BANTIN_PORTAL_URL") or portal_url,
        "BANTIN_DESK_URL": env("BANTIN_DESK_URL") or desk_url,
    }
    return subprocess.Popen([sys.executable, "-m", "bantin.cli", *args], env=variables, start_new_session=True)


def _mtime(path: object) -> int:
    try:
        return os.stat(str(path)).st_mtime_ns
    except OSError:
        return 0


def _stop(children: list[subprocess.Popen[bytes]], grace_s: float = 10.0) -> None:
    for child in children:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def run_up(
    ui_port: int | None,
    portal_host: str,
    portal_port: int,
    say: Callable[[str], None] = print,
    database: str | None = None,
    desk_port: int | None = None,
) -> int:
    """Start the server (on ``database``, a PostgreSQL URL, else SQLite), the runner, the portal and the desk; block until Ctrl-C or a child stops."""
    outputs_dir().mkdir(parents=True, exist_ok=True)  # a new project's portal starts empty rather than refusing
    was_running = server_status()[1]
    state = ensure_server(port=ui_port, database=database)
    portal = f"http://{'127.0.0.1' if portal_host in ('0.0.0.0', '::') else portal_host}:{portal_port}"
    desk_host, default_desk_port = desk_address()
    desk_port = desk_port or default_desk_port
    desk = f"http://{'127.0.0.1' if desk_host in ('0.0.0.0', '::') else desk_host}:{desk_port}"
    names = ["the runner", "the portal", "the desk"]
    children = [
        _child(["serve"], state.api_url, portal, desk),
        _child(["portal", "--host", portal_host, "--port", str(portal_port)], state.api_url, portal, desk),
        _child(
            ["desk", "serve", "--host", desk_host, "--port", str(desk_port), "--runner", "prefect", "--prefect-ui", state.ui_url], state.api_url, portal, desk
        ),
    ]
    say(f"Prefect UI:  {state.ui_url}{'  (already running)' if was_running else ''}")
    say(f"Prefect API: {state.api_url}")
    say(f"portal:      http://{portal_host}:{portal_port}/")
    say(f"desk:        http://{desk_host}:{desk_port}/  (bàn biên tập)")
    if not (desk_dir() / "users.json").is_file():
        say("             no desk user yet: create the first admin with  bantin desk user add NAME --role admin")
    say("runner:      bantin serve (publish-bulletin, add-bulletin, republish). Ctrl-C stops everything.")
    schedule = deployments_path()
    seen = _mtime(schedule)
    stopping = False

    def _terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _terminate)
    status = 0
    try:
        while not stopping:
            if _mtime(schedule) != seen:  # the schedules changed (the desk): register the deployments again from the file
                seen = _mtime(schedule)
                say(f"bantin up: {schedule.name} changed; restarting the runner so the deployments follow it")
                _stop(children[:1])
                children[0] = _child(["serve"], state.api_url, portal, desk)
            for name, child in zip(names, children, strict=True):
                if child.poll() is not None:
                    say(f"bantin up: {name} stopped (exit {child.returncode}); stopping the rest")
                    status, stopping = 1, True
            time.sleep(0.5)
    except KeyboardInterrupt:
        say("bantin up: stopping")
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop(children)
        if not was_running:
            stop_server()
    return status
