"""Hand a CLI command to the project's warm process, so it skips seconds of imports.

``bantin publish`` spends about 1.5 s importing Prefect and the flows before any
work, more than a warm publish takes.  The project's warm process
(:mod:`bantin.flows.warm`, started beside the project's Prefect server) has
imported them once; for each command it forks a child that takes over this
terminal (its stdin, stdout and stderr are passed over a Unix socket), runs the
very same command there, and sends back the exit status.  The run is a real
Prefect run, on the project's server, as in-process.

This side never imports Prefect.  It hands off only when the warm process was
made from the same code and the same Prefect settings as this process would
use; otherwise the command runs here, as before.  Signals (Ctrl-C, SIGTERM)
are passed on to the child; if this process dies, the child stops itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import signal
import socket
import struct
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from types import FrameType

from bantin import __version__
from bantin.settings import environment, handoff_enabled, prefect_environment, prefect_home, runtime_dir, usage_report_path

__all__ = ["WarmState", "code_stamp", "hand_off", "read_state", "socket_path", "state_path"]

STATE_NAME = "bantin-warm.json"


@dataclass(frozen=True)
class WarmState:
    """What ``bantin-warm.json`` records about the warm process: who it is and what it was made from."""

    pid: int
    socket: str
    stamp: str
    python: str  # sys.prefix: the environment (venv) it runs in
    prefect_env: dict[str, str]


def state_path(home: Path) -> Path:
    return home / STATE_NAME


def socket_path(home: Path) -> Path:
    """A short socket path (Unix sockets allow ~100 bytes) in a folder only this user may enter."""
    folder = runtime_dir() / f"bantin-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder / f"{hashlib.sha256(str(home.resolve()).encode()).hexdigest()[:20]}.sock"


def code_stamp() -> str:
    """bantin's version and the newest modification time of its modules: a warm process of older code is not used."""
    package = Path(__file__).resolve().parent
    newest = 0
    for folder in (package, *(p for p in package.iterdir() if p.is_dir() and (p / "__init__.py").is_file())):
        for module in folder.glob("*.py"):
            newest = max(newest, module.stat().st_mtime_ns)
    spec = importlib.util.find_spec("bantin.flows")  # the Prefect layer's modules, found without importing them
    if spec is not None and spec.origin:
        newest = max([newest, *(p.stat().st_mtime_ns for p in Path(spec.origin).parent.glob("*.py"))])
    return f"{__version__}:{package}:{newest}"


def read_state(home: Path) -> WarmState | None:
    try:
        data = json.loads(state_path(home).read_text(encoding="utf-8"))
        return WarmState(int(data["pid"]), str(data["socket"]), str(data["stamp"]), str(data["python"]), dict(data["prefect_env"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_state(home: Path, state: WarmState) -> None:
    tmp = home / f".{STATE_NAME}.tmp"
    tmp.write_text(json.dumps(asdict(state)), encoding="utf-8")
    os.replace(tmp, state_path(home))


def send_message(sock: socket.socket, message: dict[str, object], fds: list[int] | None = None) -> None:
    """One length-prefixed JSON message, with file descriptors riding along when given."""
    data = json.dumps(message).encode()
    frame = struct.pack("!I", len(data)) + data
    if fds:
        socket.send_fds(sock, [frame], fds)
    else:
        sock.sendall(frame)


def receive_message(sock: socket.socket, max_fds: int = 0) -> tuple[dict[str, object] | None, list[int]]:
    """The next message (None at end of stream) and the file descriptors that came with it."""
    fds: list[int] = []
    head = b""
    while len(head) < 4:
        if max_fds and not head:
            chunk, got, _, _ = socket.recv_fds(sock, 4, max_fds)
            fds += got
        else:
            chunk = sock.recv(4 - len(head))
        if not chunk:
            return None, fds
        head += chunk
    (size,) = struct.unpack("!I", head[:4])
    body = head[4:]
    while len(body) < size:
        chunk = sock.recv(size - len(body))
        if not chunk:
            return None, fds
        body += chunk
    return json.loads(body), fds


def hand_off(argv: list[str]) -> int | None:
    """Run ``bantin <argv>`` in the project's warm process; its exit status, or None to run it here instead."""
    if not handoff_enabled():
        return None
    try:
        home = prefect_home()
    except Exception:
        return None
    state = read_state(home)
    if state is None or state.python != sys.prefix or state.prefect_env != prefect_environment() or state.stamp != code_stamp():
        return None
    try:  # a closed or replaced standard stream (no file descriptor) cannot be handed over: run here
        fds = [stream.fileno() for stream in (sys.stdin, sys.stdout, sys.stderr) if stream is not None]
    except (AttributeError, ValueError, OSError):
        return None
    if len(fds) != 3:
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(state.socket)
        request = {"argv": argv, "cwd": os.getcwd(), "env": environment(), "encoding": sys.stdout.encoding or "utf-8"}
        send_message(sock, request, fds)
        hello, _ = receive_message(sock)
    except OSError:
        sock.close()
        return None
    if hello is None or not isinstance(hello.get("pid"), int):
        sock.close()
        return None  # the warm process declined (another version, shutting down): run here
    child = int(hello["pid"])  # type: ignore[call-overload]

    forwarded: list[int] = []

    def forward(signum: int, frame: FrameType | None) -> None:
        forwarded.append(signum)
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    try:
        done, _ = receive_message(sock)
    except OSError:
        done = None
    finally:
        sock.close()
    if done is None and forwarded:
        return 128 + forwarded[-1]  # stopped by the signal passed on, as it would have stopped a command run here
    if done is None:
        print("bantin: error: the warm publishing process ended without a status. Run the command again", file=sys.stderr)
        return 1
    usage_file = usage_report_path()
    if usage_file is not None:  # benchmarks: the work was done in the warm process, so /usr/bin/time here does not see it
        usage_file.write_text(json.dumps({k: done.get(k) for k in ("cpu_s", "max_rss_kb")}), encoding="utf-8")
    code = done.get("exit")
    return code if isinstance(code, int) else 1
