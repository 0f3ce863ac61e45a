"""Task runners behind a registry, like the render profiles: ``thread`` (Prefect's default) and ``dask``.

``thread`` runs a flow's tasks in threads of this process; the heavy work
already leaves the process (renders in child processes, espeak-ng and ffmpeg
as subprocesses), so threads keep both cores busy on one machine.

``dask`` runs them on a Dask cluster through ``prefect-dask``'s
``DaskTaskRunner``: an existing one named by ``BANTIN_DASK_ADDRESS``
(``tcp://host:8786``), or a ``LocalCluster`` of ``workers`` processes.  Dask
workers are separate processes, so they must reach a real Prefect API (not
the in-process temporary server) and the same project files: :func:`runner_scope`
points them at the configured server, or at the project's own one
(:mod:`bantin.flows.server`), and hands them ``PREFECT_HOME`` and every
``BANTIN_*`` setting.  A render forks a child process, which a daemonic Dask
worker may not do, so local workers are started non-daemonic; an external
cluster's workers need ``DASK_DISTRIBUTED__WORKER__DAEMON=False`` (docs/scaling.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from bantin.errors import ConfigError
from bantin.settings import dask_address, forwarded_environment

__all__ = ["RUNNERS", "RunnerSpec", "choose_runner", "get_runner", "runner_scope", "worker_env"]

#: Threads per local Dask worker: one bulletin's localize, render and reading tasks overlap inside a worker.
THREADS_PER_WORKER = 4


@dataclass(frozen=True)
class RunnerSpec:
    """A named way to run a flow's tasks; ``make(workers)`` builds a fresh runner for one flow run."""

    name: str
    description: str
    make: Callable[[int | None], TaskRunner[Any]]
    #: Whether tasks leave this process (and so need a Prefect API and the environment handed over).
    remote: bool


def _thread(workers: int | None) -> TaskRunner[Any]:
    return ThreadPoolTaskRunner(max_workers=workers)


def worker_env() -> dict[str, str]:
    """What a Dask worker needs from this process's environment: the Prefect API and home, and bantin's settings."""
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    wanted = forwarded_environment()
    wanted["PREFECT_HOME"] = str(settings.home)
    if settings.api.url:
        wanted["PREFECT_API_URL"] = str(settings.api.url)
    return wanted


def _dask(workers: int | None) -> TaskRunner[Any]:
    import dask
    from prefect_dask.task_runners import DaskTaskRunner

    address = dask_address()
    if address and workers is None:
        return DaskTaskRunner(address=address)
    n = workers or 2
    dask.config.set({"distributed.worker.daemon": False})  # a render forks a child process
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={
            "n_workers": n,
            "threads_per_worker": THREADS_PER_WORKER,
            "processes": True,
            "dashboard_address": None,
            "env": worker_env(),
        },
    )


RUNNERS: dict[str, RunnerSpec] = {
    spec.name: spec
    for spec in (
        RunnerSpec("thread", "threads of this process (Prefect's ThreadPoolTaskRunner)", _thread, remote=False),
        RunnerSpec("dask", "a Dask cluster: BANTIN_DASK_ADDRESS, or a LocalCluster of --workers processes", _dask, remote=True),
    )
}


def choose_runner(workers: int | None = None) -> str:
    """``dask`` when ``--workers`` is given or ``BANTIN_DASK_ADDRESS`` is set, else ``thread``."""
    return "dask" if workers is not None or dask_address() else "thread"


def get_runner(name: str, workers: int | None = None) -> TaskRunner[Any]:
    """A fresh task runner of the named kind (``workers``: Dask worker processes, or threads)."""
    try:
        spec = RUNNERS[name]
    except KeyError:
        raise ConfigError(f"{name!r}: no such task runner. Choose one of {', '.join(RUNNERS)}") from None
    return spec.make(workers)


@contextmanager
def runner_scope(name: str, workers: int | None = None) -> Iterator[TaskRunner[Any]]:
    """The named runner, with a real Prefect API in effect when its tasks run in other processes.

    A server already configured (``PREFECT_API_URL``, or a test harness) wins;
    otherwise the project's own server is started or reused, because Dask
    workers cannot share this process's temporary server.
    """
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    if not RUNNERS.get(name, RUNNERS["thread"]).remote or get_current_settings().api.url:
        yield get_runner(name, workers)
        return
    from bantin.flows.server import ensure_server

    state = ensure_server()
    with temporary_settings(updates={PREFECT_API_URL: state.api_url}):
        yield get_runner(name, workers)
