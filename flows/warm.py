"""The project's warm process: Prefect and the flows imported once, a forked child per command.

``bantin publish`` hands its command here (:mod:`bantin.handoff`) when this
process runs, so a warm publish costs the work and not 1.5 s of imports.  Each
command gets a child forked from this process: the child takes the caller's
terminal, folder and environment, runs the very command through
the CLI's entry point (given by :func:`bantin.cli.warm_process`, which starts
this loop: the flows never import the CLI), and sends back its exit status.  This process itself
never runs a flow or starts a thread, so forking it is safe.

It is started beside the project's Prefect server (:func:`start_warm_process`),
stopped with it (``bantin server stop``), and leaves by itself after
:data:`IDLE_EXIT_S` without a command.  Only the user who started it may
connect (the socket's folder is private and the peer's uid is checked).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from bantin.flows.server import STATE_NAME as SERVER_STATE  # without the project's server, nothing to be warm for
from bantin.handoff import WarmState, code_stamp, read_state, receive_message, send_message, socket_path, state_path, write_state
from bantin.settings import environment, prefect_environment, prefect_home, replace_environment

__all__ = ["IDLE_EXIT_S", "serve", "start_warm_process", "stop_warm_process"]

#: A warm process with no command for this long leaves (the next command starts another).
IDLE_EXIT_S = 3600.0


def start_warm_process() -> None:
    """Start the warm process in the background if none of this code and these settings runs; never waits for it."""
    home = prefect_home()
    state = read_state(home)
    if state is not None and _alive(state.pid):
        if state.stamp == code_stamp() and state.prefect_env == prefect_environment() and state.python == sys.prefix:
            return
        stop_warm_process()  # made from other code or settings: replace it
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in environment().items() if not k.startswith("PREFECT_")} | prefect_environment()
    log = (home / "warm.log").open("ab")
    subprocess.Popen(
        # -c, not -m: a render child forked later must not re-import this module as its __main__
        [sys.executable, "-c", "from bantin.cli import warm_process; warm_process()"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        start_new_session=True,
        cwd=os.getcwd(),
    )


def stop_warm_process() -> int | None:
    """Stop the project's warm process (its running commands finish); its pid, or None when none ran."""
    home = prefect_home()
    state = read_state(home)
    state_path(home).unlink(missing_ok=True)
    if state is None or not _alive(state.pid):
        return None
    with contextlib.suppress(ProcessLookupError):
        os.kill(state.pid, signal.SIGTERM)
    return state.pid


def _alive(pid: int) -> bool:
    from bantin.fsutil import pid_alive

    return pid_alive(pid)


def serve(run: Callable[[list[str]], None], before_exit: list[Callable[[int], None]]) -> None:
    """Import the flows, listen on the project's socket, fork a child per command; leave when idle or told to.

    ``run`` is the command line's entry point (``bantin.cli.main``, passed in by
    ``bantin.cli.warm_process``, so this module never imports the CLI) and
    ``before_exit`` the list it calls with the status before a signal ends a command.
    """
    home = prefect_home()
    stamp, prefect_env = code_stamp(), prefect_environment()  # before importing the flows adds Prefect's defaults
    import bantin.flows.batch
    import bantin.flows.batch_cli
    import bantin.flows.flow
    import bantin.flows.server
    import bantin.render.pdf
    import bantin.speech.loudness  # noqa: F401  (numpy and scipy, 0.8 s, for the first reading)
    from bantin.render.html import warm_up

    warm_up()  # the bulletin template compiled once here, not in every command's child (render cache keys need it)

    path = socket_path(home)
    path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    os.chmod(path, 0o600)
    listener.listen(16)
    listener.settimeout(1.0)
    if not (home / SERVER_STATE).is_file():  # the server was stopped while this process was starting
        listener.close()
        path.unlink(missing_ok=True)
        return
    write_state(home, WarmState(os.getpid(), str(path), stamp, sys.prefix, prefect_env))
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    children: set[int] = set()
    last = time.monotonic()
    try:
        while not stopping and (children or time.monotonic() - last < IDLE_EXIT_S):
            _reap(children)
            current = read_state(home)
            if current is None or current.pid != os.getpid() or not (home / SERVER_STATE).is_file():
                break  # replaced, stopped, or its Prefect server was stopped: leave
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            last = time.monotonic()
            if not _same_user(conn):
                conn.close()
                continue
            pid = os.fork()
            if pid == 0:  # the child: never returns
                listener.close()
                _child(conn, run, before_exit)
            children.add(pid)
            conn.close()
    finally:
        listener.close()
        current = read_state(home)
        if current is None or current.pid == os.getpid():  # not replaced by a newer warm process (which owns the socket now)
            if current is not None:
                state_path(home).unlink(missing_ok=True)
            path.unlink(missing_ok=True)
        while children:  # let running commands finish
            _reap(children)
            time.sleep(0.2)


def _reap(children: set[int]) -> None:
    for pid in list(children):
        with contextlib.suppress(ChildProcessError):
            done, _ = os.waitpid(pid, os.WNOHANG)
            if not done:
                continue
        children.discard(pid)


def _same_user(conn: socket.socket) -> bool:
    import struct

    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _, uid, _ = struct.unpack("3i", creds)
    return bool(uid == os.getuid())


def _child(conn: socket.socket, run: Callable[[list[str]], None], before_exit: list[Callable[[int], None]]) -> None:
    """Take over the caller's terminal, folder and environment, run its command, send the exit status back."""
    code = 1
    finished = threading.Event()
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        request, fds = receive_message(conn, max_fds=3)
        if request is None or len(fds) != 3:
            os._exit(1)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(str(request["cwd"]))
        caller_env = request["env"]
        assert isinstance(caller_env, dict)
        replace_environment({str(k): str(v) for k, v in caller_env.items()} | {"BANTIN_WARM_CHILD": "1"})
        _take_streams(str(request.get("encoding") or "utf-8"))
        send_message(conn, {"pid": os.getpid()})
        threading.Thread(target=_watch_caller, args=(conn, finished), daemon=True).start()
        args = request["argv"]
        assert isinstance(args, list)
        argv = [str(a) for a in args]
        sys.argv = ["bantin", *argv]
        before_exit.append(lambda status: send_message(conn, {"exit": status, **_usage()}))

        try:
            run(argv)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException as exc:  # anything else: the caller gets a status, never a hang
        code = 1
        with contextlib.suppress(Exception):
            print(f"bantin: error: the warm process could not run the command ({type(exc).__name__}: {exc}). Run it again", file=sys.stderr)
    finally:
        finished.set()
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        with contextlib.suppress(OSError):
            send_message(conn, {"exit": code, **_usage()})
        os._exit(code)


def _usage() -> dict[str, float]:
    """CPU seconds and peak RSS of this command (the child and the processes it waited for), for the caller to report."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"cpu_s": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime, "max_rss_kb": float(max(me.ru_maxrss, kids.ru_maxrss))}


def _take_streams(encoding: str) -> None:
    """New text streams on the caller's descriptors (a terminal is line-buffered), and every log handler moved onto them."""
    import logging

    old = {id(sys.stdout): "stdout", id(sys.stderr): "stderr"}
    sys.stdout = open(1, "w", encoding=encoding, errors="replace", buffering=1 if os.isatty(1) else -1, closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding=encoding, errors="backslashreplace", buffering=1, closefd=False)  # noqa: SIM115
    new = {"stdout": sys.stdout, "stderr": sys.stderr}
    loggers = [logging.getLogger(), *(lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger))]
    for logger in loggers:
        for handler in logger.handlers:
            stream = getattr(handler, "stream", None)
            if isinstance(handler, logging.StreamHandler) and id(stream) in old:
                handler.setStream(new[old[id(stream)]])
            console = getattr(handler, "console", None)
            if console is not None and id(getattr(console, "file", None)) in old:
                console.file = new[old[id(console.file)]]


def _watch_caller(conn: socket.socket, finished: threading.Event) -> None:
    """If the caller goes away (killed), stop this command as SIGTERM would: staging dropped, the record kept true."""
    with contextlib.suppress(OSError):
        while conn.recv(1):
            pass
    if not finished.is_set():
        os.kill(os.getpid(), signal.SIGTERM)
