"""``bantin up``: everything an operator needs, in one command, stopped by one Ctrl-C.

It starts (or reuses) the project's Prefect server with its UI, then the
deployments' runner (``bantin serve``) and the download portal (``bantin
portal``) as child processes pointed at that server, prints the addresses,
and waits.  Ctrl-C, SIGTERM, or any child that stops ends all of them; the
server is stopped too when this command started it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from bantin.flows.server import ensure_server, server_status, stop_server
from bantin.settings import outputs_dir

__all__ = ["run_up"]


def _child(args: list[str], api_url: str, portal_url: str) -> subprocess.Popen[bytes]:
    # BANTIN_PORTAL_URL: the artifacts' links point to the portal started here, whatever its port.
    env = {**os.environ, "PREFECT_API_URL": api_url, "BANTIN_PORTAL_URL": os.environ.get("BANTIN_PORTAL_URL") or portal_url}
    return subprocess.Popen([sys.executable, "-m", "bantin.cli", *args], env=env, start_new_session=True)


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


def run_up(ui_port: int | None, portal_host: str, portal_port: int, say: Callable[[str], None] = print, database: str | None = None) -> int:
    """Start the server (on ``database``, a PostgreSQL URL, else SQLite), the runner and the portal; block until Ctrl-C or a child stops."""
    outputs_dir().mkdir(parents=True, exist_ok=True)  # a new project's portal starts empty rather than refusing
    was_running = server_status()[1]
    state = ensure_server(port=ui_port, database=database)
    portal = f"http://{'127.0.0.1' if portal_host in ('0.0.0.0', '::') else portal_host}:{portal_port}"
    children = [_child(["serve"], state.api_url, portal), _child(["portal", "--host", portal_host, "--port", str(portal_port)], state.api_url, portal)]
    say(f"Prefect UI:  {state.ui_url}{'  (already running)' if was_running else ''}")
    say(f"Prefect API: {state.api_url}")
    say(f"portal:      http://{portal_host}:{portal_port}/")
    say("runner:      bantin serve (publish-bulletin, add-bulletin, republish). Ctrl-C stops everything.")
    stopping = False

    def _terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _terminate)
    status = 0
    try:
        while not stopping:
            for child in children:
                if child.poll() is not None:
                    say(f"bantin up: {'the runner' if child is children[0] else 'the portal'} stopped (exit {child.returncode}); stopping the rest")
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
