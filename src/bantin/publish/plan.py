"""The publish plan: which variants are published and read, and why the others are not; then the commit.

Plain decisions the flow applies between localize and the output stages: a
variant below the translation threshold is skipped (never failed), and a
locale no engine can read gets no reading (also a skip, not a failure): no
engine lists a voice for it, or, probed just before the readings
(:func:`unheard_readings`), no engine of the chain can speak it right now
(gTTS unreachable and espeak without a Khmer voice).

:func:`plan_publish` turns a :class:`~bantin.publish.request.PublishRequest`
and its localized variants into a :class:`PublishPlan`: the output-stage jobs
as plain data (stage, locale, profile, arguments, how to check a cached result
is intact).  The Prefect flow submits each job as its stage's task and files
each outcome in :class:`RunResults`; :func:`commit_publish` folds them into the
bulletin's record and swaps the new generation in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from bantin.errors import EngineUnavailableError, SpeechError
from bantin.i18n.locales import LocaleConfig, load_locale
from bantin.i18n.localize import Variant, skip_reason
from bantin.paths import reading_path
from bantin.publish.editorial import stamp_commit
from bantin.publish.keys import braille_intact, epub_intact, reading_reusable, render_intact, run_inputs
from bantin.publish.manifest import Failure, RunOutputs, RunSource, Skipped, build_run_record
from bantin.publish.record import Record, merge
from bantin.publish.request import PublishRequest
from bantin.publish.store import BulletinStore
from bantin.speech.engines import ENGINES, can_read, get_engine
from bantin.speech.names import name_set
from bantin.speech.reading import ReadingResult, unavailable_reason

__all__ = [
    "OPERATOR_ENGINES",
    "PublishPlan",
    "RunResults",
    "Settled",
    "StageJob",
    "VariantPlan",
    "commit_publish",
    "drop_readings",
    "plan_publish",
    "plan_variants",
    "reading_names",
    "reading_skip_reason",
    "reading_skips",
    "skips_reading",
    "unheard_readings",
]

log = logging.getLogger("bantin.publish")

#: Engines whose missing voice is the operator's configuration error (a voice file not found): a failure, not a skip.
OPERATOR_ENGINES = frozenset({"piper"})


def reading_skip_reason(config: LocaleConfig, engine: str, registered: Collection[str] = ENGINES) -> str | None:
    """Why no reading is made for this locale with ``engine``, or None to make one.

    A locale no engine reads (cmo, rad), or a registered engine without a voice
    for it (espeak and km), is not a failure.  An engine that is not registered
    at all is left to fail in synthesize_audio, so the typo is reported.
    """
    if not config.audio_engines:
        return f"no reading: no speech engine has a {config.code} voice"
    if engine in registered and not can_read(engine, config.audio_engines):
        return f"no reading: engine {engine} has no {config.code} voice"
    return None


def reading_skips(locales: Sequence[str], engine: str) -> dict[str, str | None]:
    """For each locale, why ``engine`` makes no reading of it (None: it reads it)."""
    return {code: reading_skip_reason(load_locale(code), engine, ENGINES) for code in locales}


@dataclass(frozen=True)
class VariantPlan:
    """What the output stages get: variants to render, locales to read, and what was left out."""

    variants: dict[str, Variant]
    readings: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    #: locale -> {"status": published|skipped, translated, fuzzy, untranslated, percent}
    translations: dict[str, dict[str, Any]]


def plan_variants(localized: Mapping[str, Variant], min_translated: float, no_reading: Mapping[str, str | None]) -> VariantPlan:
    """Apply the publish policy to the variants that localized successfully, in their given order."""
    variants: dict[str, Variant] = {}
    skipped: list[Skipped] = []
    translations: dict[str, dict[str, Any]] = {}
    for code, variant in localized.items():
        reason = skip_reason(variant, min_translated)
        translations[code] = {"status": "skipped" if reason else "published", **variant.coverage.as_dict()}
        if reason:
            skipped.append(Skipped(code, "variant", reason, variant.coverage.as_dict()))
            continue
        variants[code] = variant
        if no_reading.get(code):
            skipped.append(Skipped(code, "reading", str(no_reading[code])))
    readings = tuple(code for code in variants if not no_reading.get(code))
    return VariantPlan(variants, readings, tuple(skipped), translations)


def skips_reading(engine: str, exc: BaseException | None) -> bool:
    """Whether a reading that ended in ``exc`` is a skipped reading (no engine can speak now), not a failed one.

    :class:`EngineUnavailableError` (gTTS unreachable once retries ran out, no
    voice) is a skip; any other speech error, and a piper voice file the
    operator named but is not usable, stay failures.
    """
    return isinstance(exc, EngineUnavailableError) and engine not in OPERATOR_ENGINES


def unheard_readings(variants: Mapping[str, Variant], engine: str, voice: str | None = None, online: bool = True) -> dict[str, str]:
    """For each variant no engine of ``engine``'s chain can read right now, why (probed before the readings are scheduled)."""
    if engine in OPERATOR_ENGINES or not variants:
        return {}
    try:
        speaker = get_engine(engine, voice=voice)
    except SpeechError:
        return {}  # an unknown engine is left to fail in synthesize_audio, so the typo is reported
    reasons = {code: unavailable_reason(v, speaker, online=online) for code, v in variants.items()}
    return {code: f"no reading: {reason}" for code, reason in reasons.items() if reason}


def drop_readings(plan: VariantPlan, reasons: Mapping[str, str], variants: Mapping[str, Variant] | None = None) -> VariantPlan:
    """``plan`` without the readings of ``reasons``' locales, each recorded as a skipped reading.

    ``variants`` replace the plan's variants of those locales (localized again
    without a reading, so their PDFs do not point to an MP3 that will not exist).
    """
    if not reasons:
        return plan
    updated = {code: (variants or {}).get(code, v) for code, v in plan.variants.items()}
    return replace(
        plan,
        variants=updated,
        readings=tuple(code for code in plan.readings if code not in reasons),
        skipped=plan.skipped + tuple(Skipped(code, "reading", reason) for code, reason in reasons.items() if code in plan.variants),
    )


# --------------------------------------------------------------------------- one publish: plan, results, commit


@dataclass(frozen=True)
class StageJob:
    """One output-stage call: the stage, what it makes, its arguments, and how to tell a cached result is intact."""

    stage: str
    locale: str
    profile: str | None
    args: tuple[Any, ...]
    intact: Callable[[Any], bool]


@dataclass(frozen=True)
class PublishPlan:
    """What a publish will make: the request, its source, the policy's decisions and the output-stage jobs."""

    request: PublishRequest
    source: RunSource
    decided: VariantPlan
    #: every locale that localized, published or skipped (their titles and counts go in the record)
    variants: Mapping[str, Variant]
    #: the source bulletin's names, which a non-vi reading speaks in the vi voice
    names: frozenset[str]
    #: render_pdf (per locale × profile), synthesize_audio (per reading), braille (per locale): all independent
    jobs: tuple[StageJob, ...]

    def epub_jobs(self, readings: Mapping[str, ReadingResult]) -> list[StageJob]:
        """The read-along EPUB of each published locale, once its reading is made (none: skipped, with the reason)."""
        out = self.source.out_dir
        return [StageJob("epub", code, None, (v, readings.get(code), out), epub_intact) for code, v in self.decided.variants.items()]

    def results(self) -> RunResults:
        """An empty collector for this plan's outcomes."""
        return RunResults(self.request.engine, self.source.out_dir, skipped=list(self.decided.skipped))


def reading_names(request: PublishRequest, bulletin_id: str, out_dir: Path) -> dict[str, str | None]:
    """For each locale, the MP3 its variant will point to (None: no engine reads it, so no reading)."""
    no_reading = reading_skips(request.locales, request.engine)
    return {code: None if no_reading[code] else reading_path(out_dir, bulletin_id, code).name for code in request.locales}


def plan_publish(
    request: PublishRequest,
    source: RunSource,
    localized: Mapping[str, Variant],
    localize_again: Callable[[Sequence[str]], Mapping[str, Variant]],
) -> PublishPlan:
    """Apply the publish policy to the ``localized`` variants, probe the engines, and list the output-stage jobs.

    A locale no engine can speak right now gets a skipped reading, and is
    localized again without one (``localize_again``), so its PDFs do not point
    to an MP3 that will not exist.
    """
    decided = plan_variants(localized, request.min_translated, reading_skips(request.locales, request.engine))
    unheard = unheard_readings({code: decided.variants[code] for code in decided.readings}, request.engine, request.voice or None)
    decided = drop_readings(decided, unheard, localize_again(list(unheard)) if unheard else {})
    out, r = source.out_dir, request
    names = name_set(u.text for u in source.bulletin.text_units())
    jobs = (
        [
            StageJob("render_pdf", code, profile, (v, profile, out, r.print_marks, r.force), render_intact)
            for code, v in decided.variants.items()
            for profile in r.profiles
        ]
        + [
            # A cached fallback reading is made again: as soon as Google answers, it becomes a broadcast one.
            StageJob(
                "synthesize_audio",
                code,
                None,
                (decided.variants[code], r.engine, out, r.voice or None, r.bitrate_kbps, r.pause, names),
                partial(reading_reusable, engine=r.engine),
            )
            for code in decided.readings
        ]
        + [StageJob("braille", code, None, (v, out), braille_intact) for code, v in decided.variants.items()]
    )
    return PublishPlan(request, source, decided, {**localized, **decided.variants}, names, tuple(jobs))


@dataclass(frozen=True)
class Settled:
    """How one job ended: its result or failure, its task state's name, and the exception it raised, if any."""

    result: Any
    failure: Failure | None
    state: str = ""
    error: BaseException | None = None


@dataclass
class RunResults:
    """The outcomes of a publish's stages, filed as they settle: results by stage, failures, skips, one row per stage."""

    engine: str
    out_dir: Path
    results: dict[str, list[Any]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    #: one row per stage: stage, locale, profile, state, and whether a PDF was rendered (not reused)
    stages: list[dict[str, Any]] = field(default_factory=list)
    #: files served from a cache, relative to the output folder
    cached: list[str] = field(default_factory=list)

    def file(self, job: StageJob, settled: Settled) -> None:
        """File one job's outcome; a reading no engine could speak is a skip, not a failure."""
        failure = settled.failure
        if failure is not None and job.stage == "synthesize_audio" and skips_reading(self.engine, settled.error):
            self.skipped.append(Skipped(job.locale, "reading", f"no reading: {failure.reason}"))
            failure = None
        self.failures += [failure] if failure else []
        result = settled.result
        reused = result is not None and (settled.state == "Cached" or getattr(result, "cached", False))
        rendered = job.stage == "render_pdf" and result is not None and not reused
        self.stages.append({"stage": job.stage, "locale": job.locale, "profile": job.profile, "state": settled.state, "rendered": rendered})
        if result is not None:
            self.results.setdefault(job.stage, []).append(result)
            self.cached += [p.relative_to(self.out_dir).as_posix() for p in _result_paths(result)] if reused else []

    def readings(self) -> dict[str, ReadingResult]:
        """The readings made, by locale."""
        return {r.locale: r for r in self.results.get("synthesize_audio", [])}

    def outputs(self, plan: PublishPlan) -> RunOutputs:
        """Everything this run made, skipped and failed, for the record."""
        return RunOutputs(
            locales=plan.request.locales,
            pdfs=self.results.get("render_pdf", []),
            readings=list(self.readings().values()),
            braille=self.results.get("braille", []),
            epubs=self.results.get("epub", []),
            failures=self.failures,
            skipped=self.skipped,
            variants=plan.variants,
        )


def _result_paths(result: Any) -> list[Path]:
    """The files a stage result names (a PDF or MP3; a BRF and PEF; an EPUB, or none when skipped)."""
    named = [getattr(result, attr, None) for attr in ("path", "brf", "pef")]
    return [p for p in named if isinstance(p, Path)]


def commit_publish(store: BulletinStore, plan: PublishPlan, results: RunResults, notify: Callable[[str], None] | None = None) -> Record:
    """Fold this run's outputs, skips and failures into the bulletin's record and swap the new generation in.

    An unreadable old record is replaced by a new one (``notify`` says so).
    Entries outside the request's locales × profiles are kept (stale when their
    inputs changed), and a failed stage keeps the last good edition.
    The record's editorial state is stamped (:func:`bantin.publish.editorial.stamp_commit`:
    a draft, an approver's publish, or a scheduled republish keeping the earlier
    approval and never putting a retracted bulletin back), and the audit log
    gets ``published`` / ``previewed`` and ``publish_failed`` when stages failed.
    """
    from bantin.errors import RecordError

    try:
        old = store.record()
    except RecordError as exc:
        if notify is not None:
            notify(f"{exc}; starting a new record")
        old = None
    request, source = plan.request, plan.source
    codes = sorted(set(request.locales) | ({e.locale for e in old.outputs} if old else set()))
    current = run_inputs(source.path, source.bulletin, codes)
    run = build_run_record(replace(source, out_dir=store.staging, run_inputs=current), results.outputs(plan), request)
    merged = merge(old, run, request.locales, request.profiles, {code: current.shared(code) for code in codes})
    stamped, event = stamp_commit(old, merged, request)
    if event is None and notify is not None:
        notify(f"{store.live}: the bulletin is {stamped.editorial.state}; its files were updated, but only an approver's publish puts it on air")
    record = store.commit(stamped)
    _audit(store, record, event, results, notify)
    return record


def _audit(store: BulletinStore, record: Record, event: tuple[str, str, str] | None, results: RunResults, notify: Callable[[str], None] | None) -> None:
    """The commit's audit events: published (or previewed), and publish_failed when stages failed; never fails the publish."""
    from bantin.errors import BantinError
    from bantin.publish.audit import SCHEDULE_ACTOR, audit_root_for, record_event

    root = audit_root_for(store.root)
    try:
        if event is not None:
            record_event(event[0], event[1], record.id, event[2], root=root)
        if results.failures:
            actor = event[1] if event is not None else SCHEDULE_ACTOR
            record_event("publish_failed", actor, record.id, "; ".join(f.describe() for f in record.failures)[:2000], root=root)
    except (OSError, BantinError) as exc:
        (notify or log.warning)(f"{root / 'audit'}: the audit event of {record.id} could not be written ({exc}); the publish itself is kept")
