"""The Prefect flow ``publish-bulletin``: it only wires the stage tasks together.

load → localize (per locale) → render_pdf (per locale × profile) and
synthesize_audio (per reading) → write_manifest.  A failed output does not
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
from .manifest import Failure  # noqa: E402
from .paths import bulletin_output_dir  # noqa: E402
from .speech.engines import can_read  # noqa: E402
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
    profiles: Sequence[str] = ("a4",),
    engine: str = "auto",
    voice: str | None = None,
    bitrate_kbps: int = 96,
    pause: float = 0.8,
) -> dict[str, Any]:
    """Publish one bulletin YAML as PDFs and readings, and write its manifest."""
    loaded = load_bulletin_task(bulletin)
    out_dir = bulletin_output_dir(loaded.id)
    variants = {code: localize_task.submit(loaded, code) for code in locales}
    renders = [(code, p, render_pdf_task.submit(variants[code], p, out_dir)) for code in locales for p in profiles]
    readings = [
        (code, synthesize_audio_task.submit(variants[code], engine, out_dir, voice, bitrate_kbps, pause))
        for code in locales
        if can_read(engine, load_locale(code).audio_engines)
    ]
    failures: list[Failure] = []
    pdfs, mp3s = [], []
    for code, future in variants.items():
        _, failure = _outcome(future, "localize", code)
        failures += [failure] if failure else []
    for code, profile, future in renders:
        result, failure = _outcome(future, "render_pdf", code, profile)
        pdfs += [result] if result else []
        failures += [failure] if failure and not any(f.locale == code and f.stage == "localize" for f in failures) else []
    for code, future in readings:
        result, failure = _outcome(future, "synthesize_audio", code)
        mp3s += [result] if result else []
        failures += [failure] if failure and not any(f.locale == code and f.stage == "localize" for f in failures) else []
    manifest = write_manifest_task(loaded, bulletin, out_dir, pdfs, mp3s, failures, list(locales))
    if failures:
        raise PublishFailed(failures, manifest.path)
    return {"manifest": str(manifest.path), "outputs": manifest.outputs}
