"""The Prefect flows ``publish-bulletin`` and ``republish``: they only wire the stage tasks together.

load → localize (per locale) → plan (publish policy, engine probe:
:func:`bantin.publish.plan.plan_publish`) → render_pdf (per published locale ×
profile), braille (per published locale) and synthesize_audio (per reading) →
epub (per published locale, after its reading) → write_record
(:func:`bantin.publish.plan.commit_publish`) → artifacts, under the bulletin's
lock, into a staging copy swapped in whole (:mod:`bantin.publish.store`).  A
failed output does not stop the others; the record lists what succeeded and
what failed, and the run then ends Failed so operators notice.

The flow's one parameter is a :class:`bantin.publish.request.PublishRequest`:
Prefect builds the UI's form from its JSON schema (Vietnamese titles,
descriptions, the registries' choices), the same for ``bantin serve`` and for
``prefect deploy``'s work-pool deployments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bantin.flows.prefect_env import quiet_expected_failures

quiet_expected_failures()  # logging only: Prefect's settings are the entry point's (bantin's CLI sets them, or a worker's own)

from prefect import flow  # noqa: E402  (Prefect reads its settings at import)
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.futures import PrefectFuture  # noqa: E402
from prefect.logging import get_run_logger  # noqa: E402
from prefect.states import Completed  # noqa: E402
from prefect.tasks import Task  # noqa: E402

from bantin.errors import BantinError, StageError  # noqa: E402
from bantin.flows.exclusion import bulletin_slot  # noqa: E402
from bantin.flows.forms import bulletin_or_failure  # noqa: E402
from bantin.flows.progress import stage_settled  # noqa: E402
from bantin.flows.tasks import (  # noqa: E402
    braille_task,
    epub_task,
    load_bulletin_task,
    localize_task,
    mark_republished_task,
    plan_republish_task,
    publish_artifacts_task,
    publish_inputs_task,
    render_pdf_task,
    synthesize_audio_task,
    write_record_task,
)
from bantin.i18n.localize import Variant  # noqa: E402
from bantin.paths import bulletin_output_dir  # noqa: E402
from bantin.publish.manifest import Failure, RunSource  # noqa: E402
from bantin.publish.plan import PublishPlan, RunResults, Settled, StageJob, plan_publish, reading_names  # noqa: E402
from bantin.publish.report import republish_markdown  # noqa: E402
from bantin.publish.republish import heal_outcome, note_heal_attempt  # noqa: E402
from bantin.publish.request import PublishOptions, PublishRequest  # noqa: E402
from bantin.publish.store import BulletinStore, run_tempdir  # noqa: E402
from bantin.settings import outputs_dir, portal_url  # noqa: E402

__all__ = ["PublishFailed", "RepublishFailed", "publish_bulletin", "republish"]

#: The task of each output stage (a job of the plan names its stage).
STAGE_TASKS: dict[str, Task[..., Any]] = {
    "render_pdf": render_pdf_task,
    "synthesize_audio": synthesize_audio_task,
    "braille": braille_task,
    "epub": epub_task,
}


class PublishFailed(StageError):
    """Some outputs failed; the manifest was still written with everything that succeeded."""

    stage = "publish"

    def __init__(self, failures: Sequence[Failure], manifest_path: Path) -> None:
        self.failures = tuple(failures)
        self.manifest_path = manifest_path
        super().__init__("; ".join(f.describe() for f in failures) + f" (manifest: {manifest_path})")


def _outcome(future: PrefectFuture[Any], stage: str, locale: str, profile: str | None = None) -> Settled:
    """The future's result, or the Failure that explains why there is none."""
    state = future.wait() or future.state
    name = future.state.name or ""
    if state.is_completed():
        return Settled(future.result(), None, name)
    exc = future.state.result(raise_on_failure=False)
    reason = str(exc) if isinstance(exc, BaseException) else (state.message or state.name or "failed")
    if isinstance(exc, BaseException) and not isinstance(exc, BantinError):
        reason = f"{type(exc).__name__}: {exc}"
    error = exc if isinstance(exc, BaseException) else None
    return Settled(None, Failure(stage=stage, reason=reason, locale=locale, profile=profile), name, error)


def _run_job(job: StageJob, force: bool) -> Settled:
    """Submit one job as its stage's task and wait for it; a cache hit whose files are gone is run again."""
    task = STAGE_TASKS[job.stage].with_options(refresh_cache=True) if force else STAGE_TASKS[job.stage]
    settled = _outcome(task.submit(*job.args), job.stage, job.locale, job.profile)
    if settled.result is not None and settled.state == "Cached" and not job.intact(settled.result):
        settled = _outcome(task.with_options(refresh_cache=True).submit(*job.args), job.stage, job.locale, job.profile)
    return settled


def _run_jobs(jobs: Sequence[StageJob], force: bool, results: RunResults) -> None:
    """Submit every job at once (they are independent), then file each outcome as it is awaited."""
    task_of = {stage: (task.with_options(refresh_cache=True) if force else task) for stage, task in STAGE_TASKS.items()}
    submitted = [(job, task_of[job.stage].submit(*job.args)) for job in jobs]
    for job, future in submitted:
        settled = _outcome(future, job.stage, job.locale, job.profile)
        if settled.result is not None and settled.state == "Cached" and not job.intact(settled.result):
            settled = _run_job(job, True)
        results.file(job, settled)
        stage_settled(job.stage, job.locale)


def _localize(loaded: Any, names: Mapping[str, str | None], force: bool) -> tuple[dict[str, Variant], list[Failure]]:
    """Localize each locale (``names``: locale -> the MP3 its variant points to), concurrently; variants and failures."""
    localize = localize_task.with_options(refresh_cache=True) if force else localize_task
    futures = {code: localize.submit(loaded, code, name) for code, name in names.items()}
    settled = {code: _outcome(future, "localize", code) for code, future in futures.items()}
    return {code: s.result for code, s in settled.items() if s.result is not None}, [s.failure for s in settled.values() if s.failure]


def _run_name() -> str:
    """The run's name in Prefect: ``<date> <short title>`` of the bulletin its request names (a plain name when it cannot be read)."""
    from prefect.runtime import flow_run

    from bantin.desk.runs import run_name

    raw = flow_run.parameters.get("request")
    ref = raw.get("bulletin") if isinstance(raw, Mapping) else getattr(raw, "bulletin", None)
    source = bulletin_or_failure(str(ref or ""))
    if not isinstance(source, Path):
        return f"xuất bản {str(ref or '')[:60]}".strip()
    from bantin.content.bulletin_file import load_bulletin

    try:
        return run_name(load_bulletin(source))
    except BantinError:
        return f"xuất bản {source.stem[:60]}"


@flow(name="publish-bulletin", flow_run_name=_run_name, log_prints=False, validate_parameters=True)
def publish_bulletin(request: PublishRequest) -> Any:
    """Publish one bulletin as localized PDFs, loudspeaker readings, braille and read-along EPUBs, and write its record.

    A target locale is published only when at least ``min_translated`` percent of
    the bulletin's blocks are translated (not fuzzy); otherwise it is skipped,
    and the record says why.  Skips never fail the run.

    Args:
        request: The bulletin and the publish options (the form: bulletin, locales, print profiles, speech engine...).
    """
    source = bulletin_or_failure(request.bulletin)  # resolved once, here; a wrong one: one line in the run's state
    if not isinstance(source, Path):
        get_run_logger().error("%s", source.message)
        return source
    load = load_bulletin_task.with_options(refresh_cache=True) if request.force else load_bulletin_task
    loaded = load(str(source))
    inputs = publish_inputs_task(loaded, source, request)
    store = BulletinStore(loaded.id, request.outputs_root())  # a draft renders into the desk's previews, never outputs/
    # One writer per bulletin; the stages write into a staging copy that is swapped in whole (bantin.publish.store).
    with bulletin_slot(loaded.id), store.locked(notify=get_run_logger().warning), run_tempdir():
        out_dir = store.begin()
        try:
            record, results = _publish_stages(request, RunSource(loaded, source, out_dir, inputs=inputs), store)
        finally:
            store.abort()  # no-op after a commit; drops the staging copy after a failure
    manifest_path = store.live / "manifest.json"
    publish_artifacts_task(record, manifest_path, results.cached)
    if results.failures:
        raise PublishFailed(results.failures, manifest_path)
    summary = {
        "manifest": str(manifest_path),
        "outputs": [e.model_dump(mode="json", exclude_none=True) for e in record.current()],
        "skipped": record.skipped,
        "stages": results.stages,
    }
    machine = sorted({e.locale for e in record.current() if e.kind == "audio" and e.degraded})
    if machine:
        # Not a plain green "Completed": a machine (offline) reading is held from the feeds until replaced or accepted.
        return Completed(data=summary, name="Degraded", message=f"Bản đọc máy ({', '.join(machine)}): chờ bản đọc trực tuyến hoặc người duyệt chấp nhận")
    return summary


def _publish_stages(request: PublishRequest, source: RunSource, store: BulletinStore) -> tuple[Any, RunResults]:
    """Localize, plan, run the output stages into the staging folder, then commit the record."""
    force = request.force
    localized, failures = _localize(source.bulletin, reading_names(request, source.bulletin.id, source.out_dir), force)

    def again(codes: Sequence[str]) -> dict[str, Variant]:  # localized again without a reading (no engine speaks it now)
        return _localize(source.bulletin, dict.fromkeys(codes), force)[0]

    plan: PublishPlan = plan_publish(request, source, localized, again)
    results = plan.results()
    results.failures += failures
    _run_jobs(plan.jobs, force, results)
    # The read-along EPUB follows each locale's reading; no reading, no EPUB (recorded as skipped).
    _run_jobs(plan.epub_jobs(results.readings()), force, results)
    return write_record_task(store, plan, results), results


class RepublishFailed(StageError):
    """Some bulletins could not be republished; the others were."""

    stage = "republish"


@flow(name="republish", log_prints=False, validate_parameters=True)
def republish(force: bool = False) -> dict[str, Any]:
    """Republish every bulletin in content/ whose content, translations or templates changed, or whose window is due.

    Schedules, locales, profiles and engine come from deployments.yaml; a
    bulletin's own ``republish:`` window (until, slots) adds its slots.

    Args:
        force: Ignore every cache and republish every bulletin that is due from scratch.
    """
    from prefect.runtime import flow_run

    scheduled = flow_run.scheduled_start_time
    now = scheduled if isinstance(scheduled, dt.datetime) else dt.datetime.now(dt.UTC)
    from bantin.flows.batch import in_flight, publish_all  # the batch path: due bulletins publish concurrently

    config, due = plan_republish_task(now)
    failures = [f"{item.path.name}: {item.error}" for item in due if item.error]
    todo = [item for item in due if not item.error and item.reasons]
    for item in todo:
        if item.heal:  # an attempt counts even when the publish fails
            note_heal_attempt(bulletin_output_dir(item.id), now.astimezone(config.tz).date())
    options = PublishOptions.build({"locales": config.locales, "profiles": config.profiles, "engine": config.engine, "force": force})  # deployments.yaml's
    done: list[dict[str, Any]] = []
    for item, outcome in zip(todo, publish_all([str(item.path) for item in todo], options, limit=in_flight()), strict=True):
        if outcome["ok"]:
            mark_republished_task(item.id, now)
            done.append({"id": item.id, "reasons": list(item.reasons)} | ({"heal": heal_outcome(bulletin_output_dir(item.id))} if item.heal else {}))
        else:
            failures.append(f"{item.id}: {'; '.join(outcome['failures'])}")
    unchanged = [d.id + (f" ({d.note})" if d.note else "") for d in due if not d.reasons and not d.error]
    summary = republish_markdown(done, unchanged, failures, portal_url(), outputs_dir())
    get_run_logger().info("%s", summary)
    create_markdown_artifact(summary, key="bantin-republish", description="What was republished and why, fallbacks, skips, failures")
    if failures:
        raise RepublishFailed("; ".join(failures))
    return {"republished": done, "unchanged": [d.id for d in due if not d.reasons and not d.error]}
