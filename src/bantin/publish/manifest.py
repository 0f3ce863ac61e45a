"""Publish: the manifest that lists every output of a bulletin.

``outputs/<id>/manifest.json`` is what operators, the portal and the feed read:
every file with its kind, locale, profile, media type, size and sha256, pages
or duration, and the engine that read it; plus the source's sha256, the
bantin version, the generation time, skipped locales and stage failures.
It is rewritten only when something other than the generation time changed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bantin import __version__
from bantin.fsutil import sha256_file, source_date, write_text_if_changed
from bantin.content.model import Bulletin
from bantin.render.jobs import RenderResult
from bantin.speech.reading import ReadingResult

__all__ = ["MANIFEST_NAME", "Failure", "Manifest", "Skipped", "build_manifest", "write_manifest"]

MANIFEST_NAME = "manifest.json"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Failure:
    """A stage that did not produce its output, and why."""

    stage: str
    reason: str
    locale: str | None = None
    profile: str | None = None

    def describe(self) -> str:
        where = "/".join(x for x in (self.locale, self.profile) if x)
        return f"{self.stage}{f' [{where}]' if where else ''}: {self.reason}"


@dataclass(frozen=True)
class Skipped:
    """An output left out on purpose (publish policy, no voice): not a failure.

    ``what`` is ``variant`` (the locale's PDFs and reading) or ``reading``;
    ``coverage`` holds the bulletin catalog's counts when known.
    """

    locale: str
    what: str
    reason: str
    coverage: Mapping[str, float | int] | None = None

    def describe(self) -> str:
        return f"{self.what} [{self.locale}]: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"locale": self.locale, "what": self.what, "reason": self.reason, **dict(self.coverage or {})}


@dataclass(frozen=True)
class Manifest:
    """The manifest's content, and where it was written."""

    path: Path
    data: dict[str, Any]
    written: bool
    failures: tuple[Failure, ...] = field(default=())

    @property
    def outputs(self) -> list[dict[str, Any]]:
        return list(self.data["outputs"])


def generation_time() -> str:
    """UTC time of generation, or SOURCE_DATE_EPOCH when set (reproducible builds)."""
    now = source_date() or dt.datetime.now(dt.timezone.utc)
    return now.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _pdf_entry(r: RenderResult, root: Path) -> dict[str, Any]:
    return {
        "path": r.path.relative_to(root).as_posix(),
        "kind": "pdf",
        "locale": r.locale,
        "profile": r.profile,
        "media_type": "application/pdf",
        "bytes": r.bytes,
        "sha256": r.sha256,
        "pages": r.pages,
        "print_marks": r.print_marks,
        "refused_urls": list(r.refused_urls),
    }


def _preview_entry(r: RenderResult, root: Path) -> dict[str, Any]:
    """The PNG of a PDF's page 1, for the portal and Prefect artifacts."""
    return {
        "path": r.preview.relative_to(root).as_posix(),
        "kind": "preview",
        "locale": r.locale,
        "profile": r.profile,
        "media_type": "image/png",
        "bytes": r.preview.stat().st_size,
        "sha256": sha256_file(r.preview),
        "preview_of": r.path.relative_to(root).as_posix(),
    }


def _audio_entry(r: ReadingResult, root: Path) -> dict[str, Any]:
    loud = r.loudness
    return {
        "path": r.path.relative_to(root).as_posix(),
        "kind": "audio",
        "locale": r.locale,
        "profile": None,
        "media_type": "audio/mpeg",
        "bytes": r.bytes,
        "sha256": r.sha256,
        "duration_s": r.duration_s,
        "bitrate_kbps": r.bitrate_kbps,
        "engine": r.engine,
        "read_by": list(r.read_by),
        "voice": r.voice,
        "degraded": r.degraded,
        "fallback_reason": r.fallback_reason,
        "loudness": {
            "integrated_lufs": loud.integrated_lufs,
            "true_peak_dbtp": loud.true_peak_dbtp,
            "lra_lu": loud.lra_lu,
            "measured_with": "ffmpeg ebur128=peak=true",
        } if loud else None,
        "parts": [
            {"start_s": round(s.start, 3), "end_s": round(s.end, 3), "engine": s.engine, "voice": s.voice}
            for s in r.segments
        ],
    }


def _companion_entries(r: ReadingResult, root: Path) -> list[dict[str, Any]]:
    """The transcript (.txt) and captions (.vtt) written beside a reading."""
    entries = []
    for path, kind, media_type in ((r.transcript, "transcript", "text/plain; charset=utf-8"), (r.captions, "captions", "text/vtt")):
        if path is None or not path.is_file():
            continue
        entries.append({
            "path": path.relative_to(root).as_posix(),
            "kind": kind,
            "locale": r.locale,
            "profile": None,
            "media_type": media_type,
            "bytes": path.stat().st_size,
            "sha256": sha256_file(path),
            "of": r.path.relative_to(root).as_posix(),
        })
    return entries


def build_manifest(
    bulletin: Bulletin,
    source_path: Path,
    out_dir: Path,
    pdfs: Iterable[RenderResult],
    readings: Iterable[ReadingResult],
    failures: Sequence[Failure] = (),
    locales: Sequence[str] = (),
    skipped: Sequence[Skipped] = (),
    translations: Mapping[str, Mapping[str, float | int]] | None = None,
    inputs: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The manifest mapping, outputs sorted by path so the file is stable.

    ``translations`` maps each locale to its bulletin catalog's counts; ``skipped``
    lists what was left out on purpose (it never makes the status ``failed``);
    ``inputs`` (:func:`bantin.publish.keys.publish_inputs`) records what the publish depended on.
    """
    pdf_list, readings = list(pdfs), list(readings)
    outputs = [_pdf_entry(r, out_dir) for r in pdf_list] + [_audio_entry(r, out_dir) for r in readings]
    outputs += [_preview_entry(r, out_dir) for r in pdf_list if r.preview is not None]
    outputs += [entry for r in readings for entry in _companion_entries(r, out_dir)]
    outputs.sort(key=lambda o: o["path"])
    refused = sorted({u for o in outputs for u in o.get("refused_urls", [])})
    return {
        "schema": SCHEMA_VERSION,
        "bulletin": {
            "id": bulletin.id,
            "title": bulletin.title,
            "date": bulletin.date.isoformat(),
            "language": bulletin.language,
        },
        "source": {"path": source_path.name, "sha256": sha256_file(source_path)},
        "bantin_version": __version__,
        "generated_at": generation_time(),
        "locales": list(locales),
        "translations": {code: dict(counts) for code, counts in sorted((translations or {}).items())},
        "skipped": [s.as_dict() for s in sorted(skipped, key=lambda s: (s.locale, s.what))],
        "outputs": outputs,
        "refused_urls": {"count": len(refused), "urls": refused},
        "failures": [
            {"stage": f.stage, "locale": f.locale, "profile": f.profile, "reason": f.reason} for f in failures
        ],
        "status": "failed" if failures else "complete",
        **({"inputs": dict(inputs)} if inputs else {}),
    }


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def write_manifest(data: dict[str, Any], out_dir: Path) -> Manifest:
    """Write ``manifest.json`` atomically; keep the old file if only ``generated_at`` differs."""
    path = out_dir / MANIFEST_NAME
    if path.is_file():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = None
        if isinstance(old, dict) and {**old, "generated_at": None} == {**data, "generated_at": None}:
            return Manifest(path, old, written=False)
    written = write_text_if_changed(path, _dumps(data))
    failures = tuple(Failure(f["stage"], f["reason"], f["locale"], f["profile"]) for f in data["failures"])
    return Manifest(path, data, written=written, failures=failures)
