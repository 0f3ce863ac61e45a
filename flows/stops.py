"""Stopping a publish at once: on Ctrl-C, on SIGTERM, or when the Prefect server it reports to goes away.

Prefect's flow engine answers SIGTERM with a handler of its own, which first
waits for every running task and subflow to end: a batch's bulletins went on
to commit new generations after the command had said it stopped.  So a
command runs its flow off the main thread (:func:`call_off_main_thread`),
where Prefect installs no handler, and every stop goes through one function,
:func:`stop_publishing`:

1. staging folders are dropped (:func:`bantin.publish.store.abort_active`);
2. the processes below this one (renders, readers, Dask workers) are frozen,
   so none writes or finishes a stage meanwhile, then the temporary server is
   stopped and the frozen processes killed;
3. one line per bulletin says which record it has (kept, or published before
   the stop);
4. ``os._exit``, which ends every thread of the run before any can commit.

The project's own Prefect server and warm process run in sessions of their
own and are left running.  This module imports no Prefect.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

__all__ = ["call_off_main_thread", "stop_publishing", "watch_bulletins"]

T = TypeVar("T")

#: Longest wait for a temporary server to stop before it is killed (seconds).
SERVER_GRACE_S = 3.0

_STOPPING = threading.Lock()
#: The thread that is stopping the command (a signal landing in its own handler must not wait for itself).
_STOPPER: list[int] = []
#: The bulletins the command publishes, with the generation folder each had when it started (None: never published).
_WATCHED: dict[str, Path | None] = {}


def call_off_main_thread(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function(*args, **kwargs)`` in a helper thread (with this context's settings), waited for here.

    Prefect installs its SIGTERM handler only on the main thread; a flow run
    elsewhere leaves SIGINT and SIGTERM to bantin's handler, which the main
    thread runs at once while it waits.
    """
    context = contextvars.copy_context()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = context.run(function, *args, **kwargs)
        except BaseException as exc:  # handed to the caller, as if called here
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="bantin-flow", daemon=True)
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


def _generation(bulletin_id: str) -> Path | None:
    from bantin.publish.store import BulletinStore

    try:
        return BulletinStore(bulletin_id).generation()
    except Exception:  # an unsafe or unreadable store says so when it is published; here it is only watched
        return None


def watch_bulletins(ids: Sequence[str]) -> None:
    """Remember the generation each bulletin has now, so a stop can tell a record kept from one just published."""
    _WATCHED.clear()
    _WATCHED.update({bulletin_id: _generation(bulletin_id) for bulletin_id in ids})


def _record_line(bulletin_id: str) -> tuple[bool, str]:
    """(whether this command published the bulletin, a few words on the record it has now)."""
    from bantin.publish.store import BulletinStore

    now = _generation(bulletin_id)
    try:
        record = BulletinStore(bulletin_id).record()
    except Exception:
        record = None
    when = f"the record generated at {record.generated_at}" if record is not None else "no record (never published)"
    published = now is not None and now != _WATCHED.get(bulletin_id)
    return published, f"{bulletin_id}: {'published' if published else 'kept'} {when}"


def _drop_staging(ids: Sequence[str]) -> list[str]:
    """Drop this process's staging folders, and those of the watched bulletins no other publish holds (Dask workers'); what was kept."""
    from bantin.errors import BantinError
    from bantin.publish.store import BulletinStore, abort_active

    kept = abort_active()
    for bulletin_id in ids:
        store = BulletinStore(bulletin_id)
        if store.held:
            continue
        with contextlib.suppress(BantinError, OSError), store.locked(timeout=0):
            store.abort()
    return kept


def _halt_processes() -> None:
    """Freeze every process below this one, stop this command's temporary server, then kill the frozen ones."""
    from bantin.flows.prefect_env import descendants, signal_all, stop_temporary_server

    below = descendants()  # the temporary server runs in a session of its own: not among them
    signal_all(below, signal.SIGSTOP)
    stop_temporary_server(SERVER_GRACE_S)
    signal_all(descendants() + below, signal.SIGKILL)


def stop_publishing(
    reason: str,
    status: int,
    say: Callable[[str], None],
    before_exit: Sequence[Callable[[int], None]] = (),
    *,
    summary: bool = False,
) -> None:
    """Stop the command now: staging dropped, processes below stopped, one line per bulletin, exit ``status``.

    ``reason`` starts each line ("stopped by SIGTERM"); with ``summary`` one
    line says what was published (none: "nothing was published; run again").
    Called from a signal handler or from the server watchdog's thread; a later
    call in another thread waits for the first, which ends the process, and
    one in the stopping thread itself (a second signal) returns at once.
    """
    if not _STOPPING.acquire(blocking=False):
        if threading.get_ident() in _STOPPER:
            return
        while True:
            time.sleep(60)
    _STOPPER.append(threading.get_ident())
    _stop(reason, status, say, before_exit, summary)


def _stop(reason: str, status: int, say: Callable[[str], None], before_exit: Sequence[Callable[[int], None]], summary: bool) -> NoReturn:
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
    # Log lines still queued for the server fail once it stops; Prefect reports that on stderr
    # ("--- Error logging to API ---") unless logging's own errors are switched off, as here.
    logging.raiseExceptions = False
    logging.disable(logging.CRITICAL)
    from bantin.flows.progress import tell

    tell("stop", "")  # a progress bar gives the terminal back before the lines below
    ids = list(_WATCHED)
    kept = _drop_staging(ids)
    with contextlib.suppress(Exception):  # stopping anyway
        _halt_processes()
    _drop_staging(ids)  # what a thread wrote into a staging folder meanwhile
    if ids:
        lines = [_record_line(bulletin_id) for bulletin_id in ids]
        if summary:
            done = [line.split(":", 1)[0] for published, line in lines if published]
            say(f"bantin: {reason}; " + (f"published {', '.join(done)} before that; nothing else was" if done else "nothing was published") + "; run again")
        else:
            for _, line in lines:
                say(f"bantin: {reason}; {line}")
    else:
        say(f"bantin: {reason}; " + ("; ".join(kept) if kept else "no record was touched"))
    with contextlib.suppress(Exception):
        sys.stderr.flush()
        sys.stdout.flush()
    for hook in before_exit:
        with contextlib.suppress(Exception):
            hook(status)
    os._exit(status)
