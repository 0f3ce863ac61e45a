"""The Prefect flow ``publish-bulletin``: it only wires the stage tasks together.

load → localize (per locale) → publish policy → render_pdf (per published
locale × profile) and synthesize_audio (per reading) → write_manifest.  A failed output does not
stop the others; the manifest lists what succeeded and what failed, and the
run then ends Failed so operators notice.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .prefect_env import configure_prefect

configure_prefect()

from prefect import flow  # noqa: E402  (Prefect reads its settings at import)
from prefect.futures import PrefectFuture  # noqa: E402

from .errors import BantinError, StageError  # noqa: E402
from .locales import load_locale  # noqa: E402
from .localize import DEFAULT_MIN_TRANSLATED, reading_skip_reason, skip_reason  # noqa: E402
from .manifest import Failure, Skipped  # noqa: E402
from .paths import bulletin_output_dir, reading_path  # noqa: E402
from .speech.engines import ENGINES  # noqa: E402
from .render import PROFILES  # noqa: E402
from .speech.reading import DEFAULT_PAUSE_S  # noqa: E402
from .tasks import (  # noqa: E402
    load_bulletin_task,
    localize_task,
    render_pdf_task,
    synthesize_audio_task,
    write_manifest_task,
)

__all__ = ["PublishFailed", "publish_bulletin"]


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


@flow(name="publish-bulletin", log_prints=False, validate_parameters=True)
def publish_bulletin(
    bulletin: str,
    locales: Sequence[str] = ("vi",),
    profiles: Sequence[str] = tuple(PROFILES),
    engine: str = "auto",
    min_translated: float = DEFAULT_MIN_TRANSLATED,
    print_marks: bool = False,
    force: bool = False,
    voice: str | None = None,
    bitrate_kbps: int = 96,
    pause: float = DEFAULT_PAUSE_S,
) -> dict[str, Any]:
    """Publish one bulletin YAML as PDFs and readings, and write its manifest.

    A target locale is published only when at least ``min_translated`` percent of
    the bulletin's blocks are translated (not fuzzy); otherwise it is skipped,
    and the manifest says why.  Skips never fail the run.
    """
    loaded = load_bulletin_task(bulletin)
    out_dir = bulletin_output_dir(loaded.id)
    no_reading = {code: reading_skip_reason(load_locale(code), engine, ENGINES) for code in locales}
    futures = {
        code: localize_task.submit(loaded, code, None if no_reading[code] else reading_path(out_dir, loaded.id, code).name)
        for code in locales
    }
    failures: list[Failure] = []
    skipped: list[Skipped] = []
    variants, translations = {}, {}
    for code, future in futures.items():
        variant, failure = _outcome(future, "localize", code)
        failures += [failure] if failure else []
        if variant is None:
            continue
        reason = skip_reason(variant, min_translated)
        translations[code] = {"status": "skipped" if reason else "published", **variant.coverage.as_dict()}
        if reason:
            skipped.append(Skipped(code, "variant", reason, variant.coverage.as_dict()))
            continue
        variants[code] = variant
        if no_reading[code]:
            skipped.append(Skipped(code, "reading", no_reading[code]))
    renders = [
        (code, p, render_pdf_task.submit(v, p, out_dir, print_marks, force))
        for code, v in variants.items()
        for p in profiles
    ]
    readings = [
        (code, synthesize_audio_task.submit(v, engine, out_dir, voice, bitrate_kbps, pause))
        for code, v in variants.items()
        if not no_reading[code]
    ]
    pdfs, mp3s = [], []
    for code, profile, future in renders:
        result, failure = _outcome(future, "render_pdf", code, profile)
        pdfs += [result] if result else []
        failures += [failure] if failure and not any(f.locale == code and f.stage == "localize" for f in failures) else []
    for code, future in readings:
        result, failure = _outcome(future, "synthesize_audio", code)
        mp3s += [result] if result else []
        failures += [failure] if failure and not any(f.locale == code and f.stage == "localize" for f in failures) else []
    manifest = write_manifest_task(loaded, bulletin, out_dir, pdfs, mp3s, failures, list(locales), skipped, translations)
    if failures:
        raise PublishFailed(failures, manifest.path)
    return {"manifest": str(manifest.path), "outputs": manifest.outputs, "skipped": manifest.data["skipped"]}
