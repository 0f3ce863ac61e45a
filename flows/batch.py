"""The Prefect flow ``publish-batch``: N bulletins in one flow run, concurrently.

Each bulletin runs as a ``publish-bulletin`` subflow inside a ``publish_one``
task, so the batch fans out through whatever task runner the batch flow has
(:mod:`bantin.flows.runners`): threads of this process by default, or Dask
worker processes.  Inside a bulletin, its renders already run in child
processes and its readings in espeak-ng/ffmpeg subprocesses, so a few
bulletins in flight keep every core busy.  At most :func:`in_flight` bulletins
run at once on threads, which bounds memory whatever the batch's size; a Dask
cluster schedules its own.

Progress goes to listeners (:func:`listening`), called in the flow's thread as
each bulletin starts and ends; the CLI draws its progress bar from them, and
the UI gets a table artifact (``bantin-batch``) of every bulletin's outcome.
``republish`` uses :func:`publish_all` for its due bulletins.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bantin.flows.prefect_env import quiet_expected_failures

quiet_expected_failures()  # logging only: Prefect's settings are the entry point's (bantin's CLI sets them, or a worker's own)

from prefect import flow, task  # noqa: E402  (Prefect reads its settings at import)
from prefect.artifacts import create_table_artifact  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402
from prefect.futures import PrefectFuture, as_completed  # noqa: E402
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings  # noqa: E402

from bantin.errors import BantinError, StageError  # noqa: E402
from bantin.flows.progress import Listener, listening, tell  # noqa: E402
from bantin.publish.request import PublishOptions, PublishRequest  # noqa: E402
from bantin.settings import render_workers  # noqa: E402

__all__ = ["BatchFailed", "Listener", "in_flight", "listening", "publish_all", "publish_batch", "publish_one_task"]


def in_flight() -> int:
    """Bulletins published at once on threads: one more than the cores, so a core never waits on a reading's I/O."""
    return render_workers() + 1


class BatchFailed(StageError):
    """Some bulletins of a batch failed; the others were published."""

    stage = "publish-batch"


@functools.cache
def _publish_subflow() -> Any:
    """``publish_bulletin`` without Prefect's per-call parameter validation.

    The batch's options were validated once, by the batch flow or the CLI;
    validating them again builds a pydantic model per bulletin (0.1 s of CPU each).
    """
    from bantin.flows.flow import publish_bulletin

    return publish_bulletin.with_options(validate_parameters=False)


@task(name="publish_one", task_run_name="publish_one-{request.bulletin}", cache_policy=NONE)
def publish_one_task(request: PublishRequest) -> dict[str, Any]:
    """Publish one bulletin as a ``publish-bulletin`` subflow; a plain, picklable outcome (Dask ships it back)."""
    # Imported here: a Dask worker unpickles this task's function by value, and the flow must come from its module.
    from bantin.flows.flow import PublishFailed
    from bantin.flows.progress import current_source

    source = request.bulletin
    started = time.perf_counter()
    token = current_source.set(source)  # its stages tell the progress bar as they settle
    outcome: dict[str, Any] = {"source": source, "ok": False, "manifest": None, "outputs": 0, "stages": [], "failures": [], "skipped": 0}
    try:
        # No heartbeat thread of its own: the batch flow's heartbeat covers this process, and joining a subflow's
        # heartbeat thread at its end waits up to a second (Prefect polls its stop flag once a second).
        with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            summary = _publish_subflow()(request)
    except PublishFailed as exc:
        outcome.update(manifest=str(exc.manifest_path), failures=[f.describe() for f in exc.failures])
    except BantinError as exc:
        outcome.update(failures=[str(exc)])
    else:
        outcome.update(ok=True, manifest=summary["manifest"], outputs=len(summary["outputs"]), stages=summary["stages"], skipped=len(summary["skipped"]))
    finally:
        current_source.reset(token)
    outcome["seconds"] = round(time.perf_counter() - started, 3)
    return outcome


def _settle(source: str, future: PrefectFuture[dict[str, Any]]) -> dict[str, Any]:
    """The outcome a future carries, or one that says why the task itself failed."""
    state = future.wait() or future.state
    if state.is_completed():
        outcome: dict[str, Any] = future.result()
    else:
        exc = future.state.result(raise_on_failure=False)
        reason = f"{type(exc).__name__}: {exc}" if isinstance(exc, BaseException) else (state.message or state.name)
        outcome = {"source": source, "ok": False, "manifest": None, "outputs": 0, "stages": [], "failures": [reason], "skipped": 0, "seconds": None}
    tell("done", source, outcome)
    return outcome


def publish_all(sources: Sequence[str], options: PublishOptions, limit: int | None = None) -> list[dict[str, Any]]:
    """Publish every bulletin through the current flow's task runner, at most ``limit`` at once; outcomes in input order.

    Must run inside a flow (``publish-batch``, ``republish``); every bulletin gets the same ``options``.
    """
    pending: dict[PrefectFuture[dict[str, Any]], str] = {}
    outcomes: dict[str, dict[str, Any]] = {}
    for source in sources:
        if limit is not None and len(pending) >= limit:
            done = next(as_completed(list(pending)))
            finished = pending.pop(done)
            outcomes[finished] = _settle(finished, done)
        tell("start", source)
        pending[publish_one_task.submit(options.for_bulletin(source))] = source
    for future in as_completed(list(pending)):
        outcomes[pending[future]] = _settle(pending[future], future)
    return [outcomes[source] for source in sources]


def _is_remote() -> bool:
    """Whether the running flow's tasks leave this process (a Dask runner schedules its own)."""
    from prefect.context import FlowRunContext
    from prefect.task_runners import ThreadPoolTaskRunner

    context = FlowRunContext.get()
    return context is not None and not isinstance(context.task_runner, ThreadPoolTaskRunner)


def _default_runner() -> Any:
    """Dask when ``BANTIN_DASK_ADDRESS`` names a cluster (a deployment's worker machine), else threads."""
    from bantin.flows.runners import choose_runner, get_runner

    return get_runner(choose_runner())


@flow(name="publish-batch", log_prints=False, validate_parameters=True, task_runner=_default_runner())
def publish_batch(bulletins: list[str], options: PublishOptions) -> dict[str, Any]:
    """Publish several bulletins in one run, concurrently; each is a publish-bulletin subflow with its own record.

    Args:
        bulletins: The bulletins: ids from content/ or paths to their YAML files.
        options: The publish options every bulletin gets (locales, print profiles, speech engine...).
    """
    outcomes = publish_all(bulletins, options, limit=None if _is_remote() else in_flight())
    rows = [
        {
            "bulletin": Path(o["source"]).stem,
            "status": "published" if o["ok"] else "failed",
            "outputs": o["outputs"],
            "seconds": o["seconds"],
            "manifest": o["manifest"] or "",
            "failures": "; ".join(o["failures"]),
        }
        for o in outcomes
    ]
    create_table_artifact(rows, key="bantin-batch", description=f"Outcome of each of the {len(rows)} bulletins of this batch")
    failed = [o for o in outcomes if not o["ok"]]
    if failed:
        reasons = "; ".join(f"{Path(o['source']).stem}: {o['failures'][0]}" for o in failed)
        raise BatchFailed(f"{len(failed)} of {len(outcomes)} bulletins failed: {reasons}")
    return {"bulletins": outcomes}
