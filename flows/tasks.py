"""Prefect tasks: thin wrappers that give each stage a name, logs and a place in the UI.

All logic lives in the plain stage modules; a task only resolves paths, calls
the stage, and logs what it produced.

Stage tasks cache on content keys (:mod:`bantin.publish.keys`), never on run ids or
object identities, so an unchanged bulletin republished later is served from
the cache: results persist under ``PREFECT_HOME`` (``storage/``).  Each key is
prefixed by its task's name.  The flow bypasses the caches with
``refresh_cache`` when asked to force, and checks that a cached PDF or reading
is still on disk with its sha256 before trusting it.  Retries go only on I/O
(the online speech engine, the manifest write, the artifacts sent to the API).
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE
from prefect.context import TaskRunContext
from prefect.logging import get_run_logger
from prefect.tasks import exponential_backoff

from bantin.braille import BrailleResult, braille_table, brf_path, make_braille
from bantin.content.bulletin_file import load_bulletin, resolve_bulletin
from bantin.content.model import Bulletin
from bantin.defaults import DEFAULT_BITRATE_KBPS, DEFAULT_PAUSE_S
from bantin.epub import EpubResult, epub_path, make_epub
from bantin.errors import TransientSpeechError
from bantin.i18n.localize import Variant, localize
from bantin.paths import content_dir, pdf_path, reading_path
from bantin.publish import keys
from bantin.publish.plan import PublishPlan, RunResults, commit_publish
from bantin.publish.record import Record
from bantin.publish.request import PublishRequest
from bantin.publish.store import BulletinStore
from bantin.render.html import public_base_url
from bantin.render.isolation import render_isolated
from bantin.render.jobs import RenderJob, RenderResult
from bantin.speech.engines import get_engine
from bantin.speech.pipelines import speech_normalizer
from bantin.speech.reading import ReadingResult, synthesize_reading

__all__ = [
    "braille_task",
    "epub_task",
    "load_bulletin_task",
    "localize_task",
    "publish_artifacts_task",
    "publish_inputs_task",
    "render_pdf_task",
    "synthesize_audio_task",
    "write_record_task",
]

# Cached results are kept (pickled) in Prefect's local result storage under PREFECT_HOME
# (persist_result=True, cache_expiration=None on every stage task).


KeyFn = Callable[[TaskRunContext, dict[str, Any]], str]


def _never_raises(fn: KeyFn) -> Callable[[TaskRunContext, dict[str, Any]], str | None]:
    """A cache-key function that never raises: on bad input it returns None (no caching).

    The task then runs and fails with its own one-line message; an exception
    here would put Prefect's traceback in the run log instead.
    """

    @functools.wraps(fn)
    def key(context: TaskRunContext, parameters: dict[str, Any]) -> str | None:
        try:
            return fn(context, parameters)
        except Exception:
            return None

    return key


@_never_raises
def _load_key(context: TaskRunContext, p: dict[str, Any]) -> str:
    return "load_bulletin-" + keys.load_key(resolve_bulletin(p["source"]))


@_never_raises
def _localize_key(context: TaskRunContext, p: dict[str, Any]) -> str:
    return "localize-" + keys.localize_key(p["bulletin"], p["locale"], p.get("reading"))


@_never_raises
def _render_key(context: TaskRunContext, p: dict[str, Any]) -> str:
    return "render_pdf-" + keys.render_key(_render_job(p["variant"], p["profile"], p["out_dir"], p.get("print_marks", False)))


@_never_raises
def _reading_key(context: TaskRunContext, p: dict[str, Any]) -> str:
    v = p["variant"]
    out = reading_path(p["out_dir"], v.bulletin.id, v.locale.code)
    return "synthesize_audio-" + keys.reading_key(
        v, p["engine"], p.get("voice"), p.get("bitrate_kbps", DEFAULT_BITRATE_KBPS), p.get("pause", DEFAULT_PAUSE_S), out
    )


@_never_raises
def _braille_key(context: TaskRunContext, p: dict[str, Any]) -> str:
    v = p["variant"]
    table = braille_table(v.locale.code)
    return "braille-" + keys.braille_key(v, table.table if table else None, brf_path(p["out_dir"], v.bulletin.id, v.locale.code))


@_never_raises
def _epub_key(context: TaskRunContext, p: dict[str, Any]) -> str:
    v = p["variant"]
    return "epub-" + keys.epub_key(v, p.get("reading"), epub_path(p["out_dir"], v.bulletin.id, v.locale.code))


@task(name="load_bulletin", cache_key_fn=_load_key, persist_result=True, cache_expiration=None)
def load_bulletin_task(source: str) -> Bulletin:
    """Load and validate the bulletin YAML (``source``: a path, or an id under content/)."""
    bulletin = load_bulletin(resolve_bulletin(source))
    get_run_logger().info("loaded %s: %d blocks", bulletin.id, len(bulletin.body))
    return bulletin


@task(name="localize", task_run_name="localize-{locale}", cache_key_fn=_localize_key, persist_result=True, cache_expiration=None)
def localize_task(bulletin: Bulletin, locale: str, reading: str | None = None) -> Variant:
    """Build the variant for one locale (``reading``: the MP3 that will accompany it, if any)."""
    variant = localize(bulletin, locale, reading=reading)
    get_run_logger().info("variant %s: %s; %s", locale, variant.date_text, variant.coverage.describe())
    return variant


def _render_job(variant: Variant, profile: str, out_dir: Path, print_marks: bool = False, force: bool = False) -> RenderJob:
    b = variant.bulletin
    asset_dir = content_dir() / b.id
    return RenderJob(
        variant,
        profile,
        pdf_path(out_dir, b.id, variant.locale.code, profile),
        asset_dir if asset_dir.is_dir() else None,
        print_marks=print_marks,
        public_url=public_base_url(),
        force=force,
    )


@task(name="render_pdf", task_run_name="render_pdf-{variant.locale.code}-{profile}", cache_key_fn=_render_key, persist_result=True, cache_expiration=None)
def render_pdf_task(variant: Variant, profile: str, out_dir: Path, print_marks: bool = False, force: bool = False) -> RenderResult:
    """Render one locale × profile PDF (and its preview) in a bounded child process, so renders run on every core."""
    result = render_isolated(_render_job(variant, profile, out_dir, print_marks, force))
    logger = get_run_logger()
    for url in result.refused_urls:
        logger.warning("refused to fetch %s while rendering %s", url, result.path.name)
    state = "unchanged, not re-rendered" if result.cached else "rendered"
    logger.info("%s %s: %d pages, %d bytes", state, result.path.name, result.pages, result.bytes)
    return result


#: Name of the Prefect global concurrency limit that paces requests to Google's TTS endpoint.
GTTS_RATE_LIMIT = "bantin-gtts"
#: Requests per second allowed to gTTS across every flow run sharing the Prefect server.
GTTS_REQUESTS_PER_S = 2.0
_rate_limit_ready = False
_rate_limit_lock = threading.Lock()  # reading tasks run in threads: create the limit once, not once per locale


def _ensure_gtts_rate_limit() -> None:
    """Create the global rate limit once if it is missing (embedded mode starts with none).

    prefect 3.9.1's ``rate_limit(..., strict=False)`` only logs a warning and does
    not wait when the limit does not exist, so the limit is created here; an
    operator may retune it in the UI (Concurrency → Global) and it is left alone.
    """
    global _rate_limit_ready
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    with _rate_limit_lock:
        if _rate_limit_ready:
            return
        try:
            with get_client(sync_client=True) as client:
                try:
                    client.read_global_concurrency_limit_by_name(GTTS_RATE_LIMIT)
                except ObjectNotFound:
                    client.create_global_concurrency_limit(
                        GlobalConcurrencyLimitCreate(name=GTTS_RATE_LIMIT, limit=max(1, int(GTTS_REQUESTS_PER_S)), slot_decay_per_second=GTTS_REQUESTS_PER_S)
                    )
        except ObjectAlreadyExists:  # another process created it meanwhile
            pass
        except Exception as exc:
            get_run_logger().warning("could not create the %s rate limit (%s); gTTS requests are not paced", GTTS_RATE_LIMIT, exc)
        _rate_limit_ready = True


def gtts_rate_limit() -> None:
    """Hook run before each gTTS request: take a slot of the global rate limit.

    The limit lives on the Prefect server: when this process meets a new one (a
    fresh temporary server, a switched API URL) the strict acquisition fails and
    the limit is created there once more. Pacing is a courtesy to Google, never a
    reason to fail a reading: if the server still refuses, the request goes unpaced.
    """
    global _rate_limit_ready
    from prefect.concurrency.asyncio import ConcurrencySlotAcquisitionError  # public re-export; strict=True raises it for a missing limit
    from prefect.concurrency.sync import rate_limit
    from prefect.exceptions import ObjectNotFound

    _ensure_gtts_rate_limit()
    try:
        rate_limit(GTTS_RATE_LIMIT, occupy=1, strict=True)
        return
    except (ConcurrencySlotAcquisitionError, ObjectNotFound):
        with _rate_limit_lock:
            _rate_limit_ready = False
    _ensure_gtts_rate_limit()
    try:
        rate_limit(GTTS_RATE_LIMIT, occupy=1, strict=True)
    except (ConcurrencySlotAcquisitionError, ObjectNotFound) as exc:
        get_run_logger().warning("the %s rate limit is unavailable on this Prefect server (%s); gTTS requests are not paced", GTTS_RATE_LIMIT, exc)


def is_transient_speech_failure(task: Any, task_run: Any, state: Any) -> bool:
    """Retry only network hiccups and HTTP 429/5xx from an online engine, never bad input."""
    try:
        exc = state.result(raise_on_failure=False)
    except Exception:
        return False
    return isinstance(exc, TransientSpeechError)


@task(
    name="synthesize_audio",
    task_run_name="synthesize_audio-{variant.locale.code}-{engine}",
    cache_key_fn=_reading_key,
    persist_result=True,
    cache_expiration=None,
    retries=4,
    retry_delay_seconds=exponential_backoff(backoff_factor=10),  # 10, 20, 40, 80 s
    retry_jitter_factor=0.5,
    retry_condition_fn=is_transient_speech_failure,
)
def synthesize_audio_task(
    variant: Variant,
    engine: str,
    out_dir: Path,
    voice: str | None = None,
    bitrate_kbps: int = DEFAULT_BITRATE_KBPS,
    pause: float = DEFAULT_PAUSE_S,
    source_names: frozenset[str] = frozenset(),
) -> ReadingResult:
    """Read one locale aloud into an MP3 with its transcript and captions.

    ``source_names`` (the source bulletin's names) lets a non-Vietnamese
    reading speak Vietnamese names written without accents in the vi voice.

    Chunks already spoken are served from the speech cache, so a retry only
    requests what is still missing.
    """
    b = variant.bulletin
    speaker = get_engine(engine, voice=voice, before_request=gtts_rate_limit)
    # Each language has its speech normalization pipeline (vi, en; other languages: NFC and single spaces).
    prepare = speech_normalizer(variant.locale.code)
    result = synthesize_reading(
        variant,
        speaker,
        reading_path(out_dir, b.id, variant.locale.code),
        prepare=prepare,
        pause=pause,
        bitrate_kbps=bitrate_kbps,
        source_names=source_names,
    )
    logger = get_run_logger()
    if result.fallback_reason:
        logger.warning("%s: fell back to %s: %s", result.path.name, ", ".join(result.read_by), result.fallback_reason)
    loud = result.loudness
    logger.info(
        "read %s with %s: %.1f s, %s LUFS, %s dBTP%s%s",
        result.path.name,
        "+".join(result.read_by),
        result.duration_s,
        loud.integrated_lufs if loud else "?",
        loud.true_peak_dbtp if loud else "?",
        " (degraded)" if result.degraded else "",
        "; the same audio was mastered before: its MP3 came from the speech cache" if result.mastered_before else "",
    )
    return result


@task(name="braille", task_run_name="braille-{variant.locale.code}", cache_key_fn=_braille_key, persist_result=True, cache_expiration=None)
def braille_task(variant: Variant, out_dir: Path) -> BrailleResult:
    """Transcribe one published locale to BRF and PEF; a locale without a liblouis table is skipped, with the reason."""
    result = make_braille(variant, out_dir)
    logger = get_run_logger()
    if result.skipped:
        logger.info("braille %s skipped: %s", variant.locale.code, result.skipped)
    else:
        logger.info("braille %s (%s): %d pages, %d untranslated characters", variant.locale.code, result.table, result.pages, result.untranslated)
    return result


@task(name="epub", task_run_name="epub-{variant.locale.code}", cache_key_fn=_epub_key, persist_result=True, cache_expiration=None)
def epub_task(variant: Variant, reading: ReadingResult | None, out_dir: Path) -> EpubResult:
    """The locale's EPUB 3 read along with its reading (Media Overlays); no reading, no EPUB (skipped, with the reason)."""
    result = make_epub(variant, reading.path if reading is not None else None, out_dir, reading.captions if reading is not None else None)
    logger = get_run_logger()
    if result.skipped:
        logger.info("epub %s skipped: %s", variant.locale.code, result.skipped)
    else:
        logger.info("epub %s: %d synchronized cues, %.1f s, %d bytes", variant.locale.code, result.cues, result.duration_s, result.bytes)
    return result


@task(name="publish_inputs", cache_policy=NONE)
def publish_inputs_task(bulletin: Bulletin, source: Path, request: PublishRequest) -> dict[str, Any]:
    """What this publish depends on (recorded in the manifest; ``republish`` compares it)."""
    return keys.publish_inputs(source, bulletin, request.locales, request.profiles, request.engine)


@task(name="write_record", cache_policy=NONE)
def write_record_task(store: BulletinStore, plan: PublishPlan, results: RunResults) -> Record:
    """Fold this run's outputs, skips and failures into the bulletin's record and swap the new generation in."""
    logger = get_run_logger()
    record = commit_publish(store, plan, results, notify=logger.warning)
    stale = len(record.stale_entries())
    logger.info("record %s: %d current outputs, %d stale (generation %s)", store.live / "manifest.json", len(record.current()), stale, record.generation)
    return record


@task(name="publish_artifacts", cache_policy=NONE, retries=2, retry_delay_seconds=2)
def publish_artifacts_task(record: Record, manifest_path: Path, cached: Sequence[str] = ()) -> None:
    """The run's table of outputs (keyed ``bantin-<id>``) and its markdown summary, in the UI's Artifacts tab."""
    from bantin.publish.report import artifact_key, compact_rows, summary_markdown
    from bantin.settings import portal_url

    base = portal_url()  # links always point to a portal, the project's own when no public URL is set
    bid = record.id
    rows = compact_rows(record, base, cached)
    create_table_artifact(rows, key=artifact_key(bid), description=f"Outputs of {bid}: status, pages or duration, size, link ({base}/{bid}/)")
    create_markdown_artifact(
        summary_markdown(record, base),
        key=artifact_key(bid, "summary"),
        description=f"Translations, skips, degraded readings and refused URLs of {bid}",
    )


@task(name="plan_republish", cache_policy=NONE)
def plan_republish_task(now: dt.datetime) -> tuple[Any, list[Any]]:
    """deployments.yaml, and every bulletin in content/ with why it is due (or not)."""
    from bantin.publish.deployments import load_config
    from bantin.publish.republish import plan

    config = load_config()
    due = plan(config, now)
    logger = get_run_logger()
    for item in due:
        logger.info("%s: %s", item.id, item.error or ("; ".join(item.reasons) if item.reasons else "unchanged, not due"))
    return config, due


@task(name="mark_republished", cache_policy=NONE)
def mark_republished_task(bulletin_id: str, when: dt.datetime) -> None:
    """Remember when republish last published a bulletin, for its window's slots."""
    from bantin.publish.republish import mark_republished

    store = BulletinStore(bulletin_id)
    with store.locked(notify=get_run_logger().warning):
        folder = store.generation()
        if folder is not None:
            mark_republished(folder, when)
