"""The Prefect flows ``publish-bulletin`` and ``republish``: they only wire the stage tasks together.

load → localize (per locale) → publish policy → render_pdf (per published
locale × profile) and synthesize_audio (per reading) → write_manifest →
artifacts.  A failed output does not stop the others; the manifest lists what
succeeded and what failed, and the run then ends Failed so operators notice.

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
from prefect.futures import PrefectFuture  # noqa: E402
from prefect.tasks import Task  # noqa: E402
from pydantic import Field  # noqa: E402

from bantin.errors import BantinError, StageError  # noqa: E402
from bantin.publish.keys import reading_reusable, render_intact  # noqa: E402
from bantin.i18n.localize import DEFAULT_MIN_TRANSLATED  # noqa: E402
from bantin.publish.manifest import Failure  # noqa: E402
from bantin.publish.plan import plan_variants, reading_skips  # noqa: E402
from bantin.paths import bulletin_output_dir, reading_path  # noqa: E402
from bantin.speech.reading import DEFAULT_PAUSE_S  # noqa: E402
from bantin.flows.tasks import (  # noqa: E402
    load_bulletin_task,
    localize_task,
    mark_republished_task,
    plan_republish_task,
    publish_artifacts_task,
    publish_inputs_task,
    render_pdf_task,
    synthesize_audio_task,
    write_manifest_task,
)

__all__ = ["EngineName", "ProfileName", "PublishFailed", "RepublishFailed", "publish_bulletin", "republish"]

#: The form's choices; tests check they match the registries (bantin.render.profiles.PROFILES, bantin.speech.engines.ENGINES).
ProfileName = Literal["a4", "a5", "large-print"]
EngineName = Literal["auto", "gtts", "espeak", "piper"]


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
    reason = str(exc) if isinstance(exc, BaseException) else (state.message or state.name)
    if isinstance(exc, BaseException) and not isinstance(exc, BantinError):
        reason = f"{type(exc).__name__}: {exc}"
    return None, Failure(stage, reason, locale, profile)


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
    state = future.state.name
    if result is not None and state == "Cached" and not job.intact(result):
        future = job.task.with_options(refresh_cache=True).submit(*job.args)
        result, failure = _outcome(future, job.stage, job.locale, job.profile)
        state = future.state.name
    return result, failure, state


@flow(name="publish-bulletin", log_prints=False, validate_parameters=True)
def publish_bulletin(
    bulletin: str,
    locales: Sequence[str] = ("vi",),
    profiles: Sequence[ProfileName] = ("a4", "a5", "large-print"),
    engine: EngineName = "auto",
    force: bool = False,
    min_translated: Annotated[float, Field(ge=0, le=100)] = DEFAULT_MIN_TRANSLATED,
    print_marks: bool = False,
    voice: str = "",
    bitrate_kbps: Annotated[int, Field(ge=32, le=192)] = 96,
    pause: Annotated[float, Field(ge=0, le=10)] = DEFAULT_PAUSE_S,
) -> dict[str, Any]:
    """Publish one bulletin as localized PDFs and loudspeaker readings, and write its manifest.

    A target locale is published only when at least ``min_translated`` percent of
    the bulletin's blocks are translated (not fuzzy); otherwise it is skipped,
    and the manifest says why.  Skips never fail the run.

    Args:
        bulletin: The bulletin: an id from content/ (e.g. 2024-06-28-hoi-nghi-giao-ban-...) or a path to its YAML file.
        locales: Locale codes to publish, e.g. vi, en, km, cmo, rad. A translated locale is skipped (not failed) while its catalog is incomplete.
        profiles: PDF print profiles: a4 (notice boards), a5 (leaflet), large-print (18 pt, UKAAF guidance).
        engine: Speech engine for the readings: auto (Google's voice, espeak when offline), gtts (online), espeak (offline, degraded), piper (needs a voice file).
        force: Ignore every cache: load, translate, render and read again even when nothing changed.
        min_translated: Publish a translated locale only when at least this percent of the bulletin is translated (fuzzy counts as not).
        print_marks: Add a 3 mm bleed with crop and cross marks to A4 PDFs, for print shops.
        voice: Piper voice file (.onnx with its .onnx.json beside it) for engine piper; leave empty otherwise.
        bitrate_kbps: MP3 bitrate in kb/s (IP loudspeaker decoders accept 32 to 192).
        pause: Pause after the title and between paragraphs, in seconds.
    """
    locales, profiles = list(locales), list(profiles)
    fresh = {"refresh_cache": True} if force else {}
    load, localize_, render, read = (
        t.with_options(**fresh) for t in (load_bulletin_task, localize_task, render_pdf_task, synthesize_audio_task)
    )
    loaded = load(bulletin)
    inputs = publish_inputs_task(loaded, bulletin, locales, profiles, engine)
    out_dir = bulletin_output_dir(loaded.id)
    no_reading = reading_skips(locales, engine)
    futures = {code: localize_.submit(loaded, code, None if no_reading[code] else reading_path(out_dir, loaded.id, code).name) for code in locales}
    localized = {code: _outcome(future, "localize", code) for code, future in futures.items()}
    failures = [failure for _, failure in localized.values() if failure]
    plan = plan_variants({code: v for code, (v, _) in localized.items() if v is not None}, min_translated, no_reading)
    jobs = [
        _Job("render_pdf", code, profile, render, (v, profile, out_dir, print_marks, force), render_intact)
        for code, v in plan.variants.items()
        for profile in profiles
    ] + [
        # A cached fallback reading is made again: as soon as Google answers, it becomes a broadcast one.
        _Job("synthesize_audio", code, None, read, (plan.variants[code], engine, out_dir, voice or None, bitrate_kbps, pause),
             partial(reading_reusable, engine=engine))
        for code in plan.readings
    ]
    pdfs, mp3s, stages, cached = [], [], [], []
    for job, future in [(job, job.task.submit(*job.args)) for job in jobs]:
        result, failure, state = _settled(job, future)
        failures += [failure] if failure else []
        reused = result is not None and (state == "Cached" or getattr(result, "cached", False))
        stages.append({"stage": job.stage, "locale": job.locale, "profile": job.profile, "state": state,
                       "rendered": job.stage == "render_pdf" and result is not None and not reused})
        if result is not None:
            (pdfs if job.stage == "render_pdf" else mp3s).append(result)
            cached += [result.path.relative_to(out_dir).as_posix()] if reused else []
    manifest = write_manifest_task(
        loaded, bulletin, out_dir, pdfs, mp3s, failures, locales, list(plan.skipped), plan.translations, inputs
    )
    publish_artifacts_task(manifest, cached)
    if failures:
        raise PublishFailed(failures, manifest.path)
    return {"manifest": str(manifest.path), "outputs": manifest.outputs, "skipped": manifest.data["skipped"], "stages": stages}


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
    now = scheduled if isinstance(scheduled, dt.datetime) else dt.datetime.now(dt.timezone.utc)
    from bantin.flows.batch import in_flight, publish_all  # the batch path: due bulletins publish concurrently

    config, due = plan_republish_task(now)
    failures = [f"{item.path.name}: {item.error}" for item in due if item.error]
    todo = [item for item in due if not item.error and item.reasons]
    options = {"locales": list(config.locales), "profiles": list(config.profiles), "engine": config.engine, "force": force}
    done = []
    for item, outcome in zip(todo, publish_all([str(item.path) for item in todo], options, limit=in_flight()), strict=True):
        if outcome["ok"]:
            mark_republished_task(item.id, now)
            done.append({"id": item.id, "reasons": list(item.reasons)})
        else:
            failures.append(f"{item.id}: {'; '.join(outcome['failures'])}")
    if failures:
        raise RepublishFailed("; ".join(failures))
    return {"republished": done, "unchanged": [d.id for d in due if not d.reasons and not d.error]}
