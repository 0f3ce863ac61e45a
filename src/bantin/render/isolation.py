"""Rendering in bounded child processes: one render per child, several at once.

Rendering is CPU-bound and holds the GIL, so :func:`render_isolated` runs one
render in a child process (forked from a forkserver that has imported
WeasyPrint once) with a time and an address-space bound, as WeasyPrint advises
for untrusted input, and :func:`render_many` keeps every core busy.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext, SpawnContext

from bantin.errors import ConfigError, RenderError
from bantin.render.cache import assets_digest, set_assets_digest
from bantin.render.jobs import RenderJob, RenderResult
from bantin.settings import adopt_environment, forwarded_environment, render_limits, render_workers

__all__ = ["PRELOAD", "render_isolated", "render_many", "worker_count"]

#: What the forkserver imports once, so each child starts with WeasyPrint loaded and warmed up (bantin.render.warmup).
PRELOAD = ["bantin.render.warmup"]


def _limits() -> tuple[float, int]:
    """(timeout in seconds, memory bound in MiB), from the settings."""
    try:
        return render_limits()
    except ConfigError as exc:
        raise RenderError(str(exc)) from None


def worker_count() -> int:
    """How many renders run at once (``BANTIN_RENDER_WORKERS``, else the usable cores)."""
    return render_workers()


_SLOTS_LOCK = threading.Lock()
_SLOTS: dict[int, threading.BoundedSemaphore] = {}


def _slots() -> threading.BoundedSemaphore:
    """A process-wide cap on concurrent render children, so many Prefect threads never oversubscribe the cores."""
    n = worker_count()
    with _SLOTS_LOCK:
        return _SLOTS.setdefault(n, threading.BoundedSemaphore(n))


@lru_cache(maxsize=1)
def _context() -> ForkServerContext | SpawnContext:
    """A forkserver that has imported WeasyPrint once, so each render child starts in milliseconds."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


class _ListHandler(logging.Handler):
    """Keeps the child's warnings so the parent can log them again."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def _child(job: RenderJob, memory_mb: int, digest: str, environment: dict[str, str], cwd: str, conn: Connection) -> None:
    """Child-process body: take the parent's settings, bound the address space, render, send back the result or the error."""
    import resource

    from bantin.render.pdf import render_job

    adopt_environment(environment)  # the forkserver's environment and folder are those of its start, not the parent's now
    os.chdir(cwd)
    set_assets_digest(digest)
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    handler = _ListHandler()
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.WARNING)
    result: RenderResult | str | None
    try:
        result = render_job(job)
        status = "ok"
    except MemoryError:
        status, result = "memory", None
    except BaseException as exc:  # everything is reported to the parent
        status, result = "error", f"{type(exc).__name__}: {exc}" if not isinstance(exc, RenderError) else str(exc)
    try:
        conn.send((status, result, handler.records))
    except MemoryError:
        conn.send(("memory", None, []))
    conn.close()


def render_isolated(job: RenderJob, timeout_s: float | None = None, memory_mb: int | None = None) -> RenderResult:
    """Render ``job`` in a child process bounded in time and memory.

    The child is killed when it runs past ``timeout_s``; it cannot grow beyond
    ``memory_mb`` of address space.  Either raises :class:`RenderError` with the
    reason.  Warnings the child logged are re-logged here.
    """
    default_timeout, default_memory = _limits()
    timeout_s = default_timeout if timeout_s is None else timeout_s
    memory_mb = default_memory if memory_mb is None else memory_mb
    name = job.out_path.name
    with _slots():
        ctx = _context()
        receiver, sender = ctx.Pipe(duplex=False)
        args = (job, memory_mb, assets_digest(), forwarded_environment(), os.getcwd(), sender)
        proc = ctx.Process(target=_child, args=args, name=f"bantin-render-{name}", daemon=True)
        proc.start()
        sender.close()
        message: tuple[str, RenderResult | str | None, list[tuple[str, int, str]]] | None = None
        ready = False
        try:
            ready = receiver.poll(timeout_s)
            message = receiver.recv() if ready else None
        except EOFError:
            message = None
        finally:
            if proc.is_alive() and message is None:
                proc.kill()
            proc.join(5)
            receiver.close()
    if message is None and not ready:
        raise RenderError(f"{name}: rendering took longer than {timeout_s:g} s and was stopped. Shorten the bulletin or raise BANTIN_RENDER_TIMEOUT")
    if message is None:
        raise RenderError(
            f"{name}: the render process died (exit code {proc.exitcode}), probably by growing beyond {memory_mb} MiB. "
            "Check the bulletin's images or raise BANTIN_RENDER_MEMORY_MB"
        )
    status, result, records = message
    for logger_name, level, text in records:
        logging.getLogger(logger_name).log(level, "%s", text)
    if status == "memory":
        raise RenderError(f"{name}: rendering needed more than {memory_mb} MiB and was stopped. Check the bulletin's images or raise BANTIN_RENDER_MEMORY_MB")
    if status != "ok" or not isinstance(result, RenderResult):
        raise RenderError(str(result))
    return result


def render_many(jobs: Iterable[RenderJob], workers: int | None = None) -> list[RenderResult | RenderError]:
    """Render several jobs in parallel child processes; one result (or the RenderError) per job, in order."""
    job_list = list(jobs)

    def one(job: RenderJob) -> RenderResult | RenderError:
        try:
            return render_isolated(job)
        except RenderError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=workers or worker_count(), thread_name_prefix="bantin-render") as pool:
        return list(pool.map(one, job_list))
