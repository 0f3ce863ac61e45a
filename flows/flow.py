"""The Prefect flows ``publish-bulletin`` and ``republish``: they only wire the stage tasks together.

load → localize (per locale) → publish policy → render_pdf (per published
locale × profile), braille (per published locale) and synthesize_audio (per
reading, once a probe finds a voice for it) → epub (per published locale,
after its reading) → write_record →
artifacts, under the bulletin's lock, into a staging copy swapped in whole
(:mod:`bantin.publish.store`).  A failed output does not stop the others; the
record lists what succeeded and what failed, and the run then ends Failed so
operators notice.

Parameters are typed for the Prefect UI's form (``flows/deploy.py`` serves
them): lists of Literals with several values (a one-value Literal draws a JSON
box), no Optional defaults (they come out wrong), descriptions from the
docstring's ``Args:`` section (what Prefect 3.9 reads for ``parameter_schema``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Literal

from bantin.flows.prefect_env import configure_prefect

configure_prefect()

from prefect import flow  # noqa: E402  (Prefect reads its settings at import)
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.futures import PrefectFuture  # noqa: E402
from prefect.logging import get_run_logger  # noqa: E402
from prefect.tasks import Task  # noqa: E402
from pydantic import Field  # noqa: E402

from bantin.defaults import (  # noqa: E402
    BITRATE_RANGE_KBPS,
    DEFAULT_BITRATE_KBPS,
    DEFAULT_ENGINE,
    DEFAULT_LOCALES,
    DEFAULT_MIN_TRANSLATED,
    DEFAULT_PAUSE_S,
    PAUSE_RANGE_S,
)
from bantin.errors import BantinError, StageError  # noqa: E402
from bantin.flows.forms import form_problem  # noqa: E402
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
from bantin.paths import bulletin_output_dir, reading_path  # noqa: E402
from bantin.publish.keys import braille_intact, epub_intact, reading_reusable, render_intact  # noqa: E402
from bantin.publish.manifest import Failure, Skipped  # noqa: E402
from bantin.publish.plan import drop_readings, plan_variants, reading_skips, skips_reading, unheard_readings  # noqa: E402
from bantin.publish.report import republish_markdown  # noqa: E402
from bantin.publish.republish import heal_outcome, note_heal_attempt  # noqa: E402
from bantin.publish.store import BulletinStore, run_tempdir  # noqa: E402
from bantin.settings import outputs_dir, portal_url  # noqa: E402
from bantin.speech.names import name_set  # noqa: E402

__all__ = ["EngineName", "ProfileName", "PublishFailed", "RepublishFailed", "publish_bulletin", "republish"]

#: The form's choices; tests check they match the registries (bantin.render.profiles.PROFILES, bantin.speech.engines.ENGINES).
ProfileName = Literal["a4", "a5", "large-print"]
EngineName = Literal["auto", "gtts", "espeak", "piper"]
#: The form's number fields, shared by every flow that publishes (publish-bulletin, add-bulletin, publish-batch).
Percent = Annotated[float, Field(ge=0, le=100)]
BitrateKbps = Annotated[int, Field(ge=BITRATE_RANGE_KBPS[0], le=BITRATE_RANGE_KBPS[1])]
PauseS = Annotated[float, Field(ge=PAUSE_RANGE_S[0], le=PAUSE_RANGE_S[1])]


class PublishFailed(StageError):
    """Some outputs failed; the manifest was still written with everything that succeeded."""

    stage = "publish"

    def __init__(self, failures: Sequence[Failure], manifest_path: Path) -> None:
        self.failures = tuple(failures)
        self.manifest_path = manifest_path
        super().__init__("; ".join(f.describe() for f in failures) + f" (manifest: {manifest_path})")


def _outcome(future: PrefectFuture[Any], stage: str, locale: str, profile: str | None = None) -> tuple[Any, Failure | None]:
    """The future's result, or the Failure that explains why there is none."""
    state = future.wait() or future.state
    if state.is_completed():
        return future.result(), None
    exc = future.state.result(raise_on_failure=False)
    reason = str(exc) if isinstance(exc, BaseException) else (state.message or state.name or "failed")
    if isinstance(exc, BaseException) and not isinstance(exc, BantinError):
        reason = f"{type(exc).__name__}: {exc}"
    return None, Failure(stage=stage, reason=reason, locale=locale, profile=profile)


@dataclass(frozen=True)
class _Job:
    """One output-stage task call: what to submit, and how to tell a cache hit is still intact."""

    stage: str
    locale: str
    profile: str | None
    task: Task[..., Any]
    args: tuple[Any, ...]
    intact: Callable[[Any], bool]


def _settled(job: _Job, future: PrefectFuture[Any]) -> tuple[Any, Failure | None, str]:
    """The outcome of a cached stage, and its state name; a cache hit whose files are gone is run again."""
    result, failure = _outcome(future, job.stage, job.locale, job.profile)
    state = future.state.name or ""
    if result is not None and state == "Cached" and not job.intact(result):
        future = job.task.with_options(refresh_cache=True).submit(*job.args)
        result, failure = _outcome(future, job.stage, job.locale, job.profile)
        state = future.state.name or ""
    return result, failure, state


@flow(name="publish-bulletin", log_prints=False, validate_parameters=True)
def publish_bulletin(
    bulletin: str,
    locales: Sequence[str] = DEFAULT_LOCALES,
    profiles: Sequence[ProfileName] = ("a4", "a5", "large-print"),
    engine: EngineName = DEFAULT_ENGINE,
    force: bool = False,
    min_translated: Percent = DEFAULT_MIN_TRANSLATED,
    print_marks: bool = False,
    voice: str = "",
    bitrate_kbps: BitrateKbps = DEFAULT_BITRATE_KBPS,
    pause: PauseS = DEFAULT_PAUSE_S,
) -> Any:
    """Publish one bulletin as localized PDFs and loudspeaker readings, and write its manifest.

    A target locale is published only when at least ``min_translated`` percent of
    the bulletin's blocks are translated (not fuzzy); otherwise it is skipped,
    and the manifest says why.  Skips never fail the run.

    Args:
        bulletin: The bulletin: an id from content/ (e.g. 2024-06-28-hoi-nghi-giao-ban-...) or a path to its YAML file.
        locales: Locale codes to publish, e.g. vi, en, km, cmo, rad. A translated locale is skipped (not failed) while its catalog is incomplete.
        profiles: PDF print profiles: a4 (notice boards), a5 (leaflet), large-print (18 pt, UKAAF guidance).
        engine: Speech engine for the readings: auto (Google's voice, espeak when offline), gtts (online), espeak (offline, degraded), piper (voice file).
        force: Ignore every cache: load, translate, render and read again even when nothing changed.
        min_translated: Publish a translated locale only when at least this percent of the bulletin is translated (fuzzy counts as not).
        print_marks: Add a 3 mm bleed with crop and cross marks to A4 PDFs, for print shops.
        voice: Piper voice file (.onnx with its .onnx.json beside it) for engine piper; leave empty otherwise.
        bitrate_kbps: MP3 bitrate in kb/s (IP loudspeaker decoders accept 32 to 192).
        pause: Pause after the title and between paragraphs, in seconds.
    """
    problem = form_problem(bulletin, list(locales))  # a wrong value: one line in the run's state, no traceback
    if problem is not None:
        get_run_logger().error("%s", problem.message)
        return problem
    locales, profiles = list(locales), list(profiles)
    load = load_bulletin_task.with_options(refresh_cache=True) if force else load_bulletin_task
    localize_ = localize_task.with_options(refresh_cache=True) if force else localize_task
    render = render_pdf_task.with_options(refresh_cache=True) if force else render_pdf_task
    read = synthesize_audio_task.with_options(refresh_cache=True) if force else synthesize_audio_task
    loaded = load(bulletin)
    inputs = publish_inputs_task(loaded, bulletin, locales, profiles, engine)
    store = BulletinStore(loaded.id)
    # One writer per bulletin; the stages write into a staging copy that is swapped in whole (bantin.publish.store).
    with store.locked(notify=get_run_logger().warning), run_tempdir():
        out_dir = store.begin()
        try:
            record, stages, cached, failures = _publish_stages(
                loaded,
                bulletin,
                store,
                out_dir,
                locales,
                profiles,
                engine,
                force,
                min_translated,
                print_marks,
                voice,
                bitrate_kbps,
                pause,
                inputs,
                (load, localize_, render, read),
            )
        finally:
            store.abort()  # no-op after a commit; drops the staging copy after a failure
    manifest_path = store.live / "manifest.json"
    publish_artifacts_task(record, manifest_path, cached)
    if failures:
        raise PublishFailed(failures, manifest_path)
    return {
        "manifest": str(manifest_path),
        "outputs": [e.model_dump(mode="json", exclude_none=True) for e in record.current()],
        "skipped": record.skipped,
        "stages": stages,
    }


def _publish_stages(
    loaded: Any,
    bulletin: str,
    store: BulletinStore,
    out_dir: Path,
    locales: Sequence[str],
    profiles: Sequence[str],
    engine: str,
    force: bool,
    min_translated: float,
    print_marks: bool,
    voice: str,
    bitrate_kbps: int,
    pause: float,
    inputs: dict[str, Any],
    tasks: tuple[Task[..., Any], ...],
) -> tuple[Any, list[dict[str, Any]], list[str], list[Failure]]:
    """Localize, apply the publish policy, render and read into ``out_dir``, then commit the record."""
    _, localize_, render, read = tasks
    no_reading = reading_skips(locales, engine)
    futures = {code: localize_.submit(loaded, code, None if no_reading[code] else reading_path(out_dir, loaded.id, code).name) for code in locales}
    localized = {code: _outcome(future, "localize", code) for code, future in futures.items()}
    failures = [failure for _, failure in localized.values() if failure]
    variants = {code: v for code, (v, _) in localized.items() if v is not None}
    plan = plan_variants(variants, min_translated, no_reading)
    # No engine can speak it right now (gTTS offline, no offline voice): a skipped reading, localized again without one.
    unheard = unheard_readings({code: plan.variants[code] for code in plan.readings}, engine, voice or None)
    again = {code: _outcome(localize_.submit(loaded, code, None), "localize", code)[0] for code in unheard}
    plan = drop_readings(plan, unheard, {code: v for code, v in again.items() if v is not None})
    variants.update(plan.variants)
    braille = braille_task.with_options(refresh_cache=True) if force else braille_task
    names = name_set(u.text for u in loaded.text_units())  # Vietnamese names a non-vi reading speaks in the vi voice
    epub = epub_task.with_options(refresh_cache=True) if force else epub_task
    jobs = (
        [
            _Job("render_pdf", code, profile, render, (v, profile, out_dir, print_marks, force), render_intact)
            for code, v in plan.variants.items()
            for profile in profiles
        ]
        + [
            # A cached fallback reading is made again: as soon as Google answers, it becomes a broadcast one.
            _Job(
                "synthesize_audio",
                code,
                None,
                read,
                (plan.variants[code], engine, out_dir, voice or None, bitrate_kbps, pause, names),
                partial(reading_reusable, engine=engine),
            )
            for code in plan.readings
        ]
        + [_Job("braille", code, None, braille, (v, out_dir), braille_intact) for code, v in plan.variants.items()]
    )
    results: dict[str, list[Any]] = {}
    stages: list[dict[str, Any]] = []
    cached: list[str] = []
    skipped = list(plan.skipped)
    for job, future in [(job, job.task.submit(*job.args)) for job in jobs]:
        _settle(job, future, out_dir, results, stages, cached, failures, skipped, engine)
    # The read-along EPUB follows each locale's reading; no reading, no EPUB (recorded as skipped).
    readings = {r.locale: r for r in results.get("synthesize_audio", [])}
    epub_jobs = [_Job("epub", code, None, epub, (v, readings.get(code), out_dir), epub_intact) for code, v in plan.variants.items()]
    for job, future in [(job, job.task.submit(*job.args)) for job in epub_jobs]:
        _settle(job, future, out_dir, results, stages, cached, failures, skipped, engine)
    record = write_record_task(
        store,
        loaded,
        bulletin,
        results.get("render_pdf", []),
        list(readings.values()),
        failures,
        locales,
        profiles,
        skipped,
        variants,
        inputs,
        {"print_marks": print_marks},
        {"engine": engine, "voice": voice, "bitrate_kbps": bitrate_kbps, "pause": pause},
        results.get("braille", []),
        results.get("epub", []),
    )
    return record, stages, cached, failures


def _result_paths(result: Any) -> list[Path]:
    """The files a stage result names (a PDF or MP3; a BRF and PEF; an EPUB, or none when skipped)."""
    named = [getattr(result, attr, None) for attr in ("path", "brf", "pef")]
    return [p for p in named if isinstance(p, Path)]


def _settle(
    job: _Job,
    future: PrefectFuture[Any],
    out_dir: Path,
    results: dict[str, list[Any]],
    stages: list[dict[str, Any]],
    cached: list[str],
    failures: list[Failure],
    skipped: list[Skipped],
    engine: str,
) -> None:
    """Wait for one job and file its result, failure or skip; a reading no engine could speak is a skip, not a failure."""
    result, failure, state = _settled(job, future)
    if failure is not None and job.stage == "synthesize_audio" and skips_reading(engine, future.state.result(raise_on_failure=False)):
        skipped.append(Skipped(job.locale, "reading", f"no reading: {failure.reason}"))
        failure = None
    failures += [failure] if failure else []
    reused = result is not None and (state == "Cached" or getattr(result, "cached", False))
    stages.append(
        {
            "stage": job.stage,
            "locale": job.locale,
            "profile": job.profile,
            "state": state,
            "rendered": job.stage == "render_pdf" and result is not None and not reused,
        }
    )
    stage_settled(job.stage, job.locale)
    if result is not None:
        results.setdefault(job.stage, []).append(result)
        cached += [p.relative_to(out_dir).as_posix() for p in _result_paths(result)] if reused else []


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
    options = {"locales": list(config.locales), "profiles": list(config.profiles), "engine": config.engine, "force": force}
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
