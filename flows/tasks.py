"""Prefect tasks: thin wrappers that give each stage a name, logs and a place in the UI.

All logic lives in the plain stage modules; a task only resolves paths, calls
the stage, and logs what it produced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from prefect import task
from prefect.cache_policies import NONE
from prefect.logging import get_run_logger

from .bulletin_file import load_bulletin
from .localize import Variant, localize
from .manifest import Failure, Manifest, Skipped, build_manifest, write_manifest
from .model import Bulletin
from .paths import content_dir, pdf_path, reading_path
from .render import RenderJob, RenderResult, public_base_url, render_isolated
from .speech.engines import get_engine
from .speech.normalize import normalize
from .speech.reading import ReadingResult, synthesize_reading
from .textutil import to_nfc

__all__ = ["load_bulletin_task", "localize_task", "render_pdf_task", "synthesize_audio_task", "write_manifest_task"]


@task(name="load_bulletin", cache_policy=NONE)
def load_bulletin_task(source: str) -> Bulletin:
    """Load and validate the bulletin YAML."""
    bulletin = load_bulletin(Path(source))
    get_run_logger().info("loaded %s: %d blocks", bulletin.id, len(bulletin.body))
    return bulletin


@task(name="localize", task_run_name="localize-{locale}", cache_policy=NONE)
def localize_task(bulletin: Bulletin, locale: str, reading: str | None = None) -> Variant:
    """Build the variant for one locale (``reading``: the MP3 that will accompany it, if any)."""
    variant = localize(bulletin, locale, reading=reading)
    get_run_logger().info("variant %s: %s; %s", locale, variant.date_text, variant.coverage.describe())
    return variant


@task(name="render_pdf", task_run_name="render_pdf-{variant.locale.code}-{profile}", cache_policy=NONE)
def render_pdf_task(variant: Variant, profile: str, out_dir: Path, print_marks: bool = False, force: bool = False) -> RenderResult:
    """Render one locale × profile PDF (and its preview) in a bounded child process, so renders run on every core."""
    b = variant.bulletin
    asset_dir = content_dir() / b.id
    job = RenderJob(
        variant, profile, pdf_path(out_dir, b.id, variant.locale.code, profile), asset_dir if asset_dir.is_dir() else None,
        print_marks=print_marks, public_url=public_base_url(), force=force,
    )
    result = render_isolated(job)
    logger = get_run_logger()
    for url in result.refused_urls:
        logger.warning("refused to fetch %s while rendering %s", url, result.path.name)
    state = "unchanged, not re-rendered" if result.cached else "rendered"
    logger.info("%s %s: %d pages, %d bytes", state, result.path.name, result.pages, result.bytes)
    return result


@task(name="synthesize_audio", task_run_name="synthesize_audio-{variant.locale.code}-{engine}", cache_policy=NONE)
def synthesize_audio_task(variant: Variant, engine: str, out_dir: Path) -> ReadingResult:
    """Read one locale aloud into an MP3."""
    b = variant.bulletin
    # The speech normalizer speaks Vietnamese; other locales go to the engine as written (NFC).
    prepare = normalize if variant.locale.code == "vi" else to_nfc
    result = synthesize_reading(variant, get_engine(engine), reading_path(out_dir, b.id, variant.locale.code), prepare=prepare)
    get_run_logger().info("read %s with %s: %.1f s%s", result.path.name, result.engine, result.duration_s, " (degraded)" if result.degraded else "")
    return result


@task(name="write_manifest", cache_policy=NONE)
def write_manifest_task(
    bulletin: Bulletin,
    source: str,
    out_dir: Path,
    pdfs: Sequence[RenderResult],
    readings: Sequence[ReadingResult],
    failures: Sequence[Failure],
    locales: Sequence[str],
    skipped: Sequence[Skipped] = (),
    translations: Mapping[str, Mapping[str, float | int]] | None = None,
) -> Manifest:
    """Write outputs/<id>/manifest.json listing every output, every failure and every skip."""
    data = build_manifest(bulletin, Path(source), out_dir, pdfs, readings, failures, locales, skipped, translations)
    manifest = write_manifest(data, out_dir)
    get_run_logger().info("manifest %s: %d outputs (%s)", manifest.path, len(data["outputs"]), "written" if manifest.written else "unchanged")
    return manifest
