"""Content keys: what each stage's output depends on, as stable hashes.

Prefect's task cache (``flows/tasks.py``) and the ``republish`` planner
(``flows/republish.py``) both key on these, so there is one answer to "what does
this PDF or reading depend on":

- load: the YAML file's bytes;
- localize: the bulletin's blocks, the locale's config, chrome and bulletin catalogs;
- render: :func:`bantin.render.cache.job_key` (the variant as HTML and page CSS, the profile,
  its options, bantin's stylesheets/templates/fonts, the bulletin's assets, the bantin
  and WeasyPrint versions), plus where the PDF goes;
- read: the variant, the engine, voice, bitrate and pause, the locale's speech data;
- braille: the variant and the locale's liblouis table;
- epub: the variant and the reading's MP3 and captions (their sha256);

every key also names the bantin version.  Keys never contain run ids or object
identities, so they hit across runs and processes.  A cached result is trusted
only while its files are still on disk with the recorded sha256
(:func:`render_intact`, :func:`reading_intact`).  Plain Python: no Prefect here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bantin import __version__
from bantin.content.model import Bulletin
from bantin.fsutil import sha256_file
from bantin.i18n.catalogs import bulletin_po_path, chrome_po_path
from bantin.paths import content_dir, locales_dir

__all__ = [
    "braille_intact",
    "braille_key",
    "diff_inputs",
    "digest",
    "epub_intact",
    "epub_key",
    "file_digest",
    "load_key",
    "locale_digest",
    "localize_key",
    "publish_inputs",
    "reading_intact",
    "reading_key",
    "render_intact",
    "render_key",
    "run_inputs",
]


def _plain(obj: Any) -> Any:
    """A JSON-able, order-stable form of dataclasses, tuples, paths and dates (with type names)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {"__type__": type(obj).__name__, **{f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}}
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted(_plain(v) for v in obj)
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, (dt.date, dt.time)):
        return obj.isoformat()
    if isinstance(obj, enum.Enum):
        return obj.value
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return repr(obj)


def digest(*parts: Any) -> str:
    """sha256 of the canonical JSON of ``parts``."""
    return hashlib.sha256(json.dumps(_plain(list(parts)), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, or ``absent``."""
    return sha256_file(path) if path.is_file() else "absent"


def locale_digest(code: str, bulletin_id: str | None = None, root: Path | None = None) -> str:
    """A locale's inputs: its data files (``locale.yaml``, speech lists), chrome catalog and the bulletin's catalog."""
    root = root or locales_dir()
    files = [*sorted((root / code).glob("*.yaml")), chrome_po_path(code, root)]
    if bulletin_id:
        files.append(bulletin_po_path(code, bulletin_id, root))
    return digest([(p.name, file_digest(p)) for p in files])


def load_key(source: Path) -> str:
    """Loading depends on the YAML's bytes and path (the id it names may be resolved from the path)."""
    return digest("load", str(source.resolve()), file_digest(source), __version__)


def localize_key(bulletin: Bulletin, code: str, reading: str | None) -> str:
    """The blocks, the locale's catalogs and config, and the reading's name."""
    return digest("localize", bulletin, code, locale_digest(code, bulletin.id), reading, str(locales_dir()), __version__)


def render_key(job: Any) -> str:
    """The render's content key (:func:`bantin.render.cache.job_key`) and the PDF's path."""
    from bantin.render.cache import job_key

    return digest("render", job_key(job), str(job.out_path), job.print_marks, __version__)


def reading_key(variant: Any, engine: str, voice: str | None, bitrate_kbps: int, pause: float, out_path: Path) -> str:
    """The variant (text, chrome, date, locale), engine and voice, MP3 settings, speech data, path."""
    speech_data = locale_digest(variant.locale.code)
    return digest("read", variant, engine, voice or "", bitrate_kbps, pause, speech_data, str(out_path), __version__)


def braille_key(variant: Any, table: str | None, out_path: Path) -> str:
    """The variant (text, chrome, date, locale), the liblouis table, where the BRF goes."""
    return digest("braille", variant, table or "", str(out_path), __version__)


def epub_key(variant: Any, reading: Any, out_path: Path) -> str:
    """The variant, the reading's MP3 and captions (sha256; None: no reading), where the EPUB goes."""
    sound = None if reading is None else (reading.sha256, file_digest(reading.captions) if reading.captions else "absent")
    return digest("epub", variant, sound, str(out_path), __version__)


def braille_intact(result: Any) -> bool:
    """The BRF and PEF are still there with the recorded sha256 (a skip has nothing to check)."""
    return all(p is None or (p.is_file() and sha256_file(p) == sha) for p, sha in ((result.brf, result.brf_sha256), (result.pef, result.pef_sha256)))


def epub_intact(result: Any) -> bool:
    """The EPUB is still there with the recorded sha256 (a skip has nothing to check)."""
    return result.path is None or (result.path.is_file() and sha256_file(result.path) == result.sha256)


def render_intact(result: Any) -> bool:
    """The PDF is still there with the recorded sha256, and so is its preview."""
    return result.path.is_file() and sha256_file(result.path) == result.sha256 and (result.preview is None or result.preview.is_file())


def reading_intact(result: Any) -> bool:
    """The MP3 is still there with the recorded sha256, and so are its transcript and captions."""
    return result.path.is_file() and sha256_file(result.path) == result.sha256 and all(p is None or p.is_file() for p in (result.transcript, result.captions))


def reading_reusable(result: Any, engine: str) -> bool:
    """A cached reading can stand: intact, and not an espeak fallback that ``auto`` should try to replace."""
    return reading_intact(result) and not (engine == "auto" and result.degraded)


def publish_inputs(source: Path, bulletin: Bulletin, locales: Sequence[str], profiles: Sequence[str], engine: str) -> dict[str, Any]:
    """Everything a publish of ``bulletin`` depends on, for the manifest's ``inputs``; ``key`` sums it up.

    ``republish`` compares it with a fresh one to find bulletins whose content,
    translations or templates changed since their last publish.
    """
    from bantin.render.cache import assets_digest, folder_digest

    parts: dict[str, Any] = {
        "source": file_digest(source),
        "catalogs": {code: locale_digest(code, bulletin.id) for code in sorted(set(locales))},
        "templates": assets_digest(),
        "bulletin_assets": folder_digest(content_dir() / bulletin.id),
        "request": {"locales": sorted(set(locales)), "profiles": sorted(set(profiles)), "engine": engine},
        "bantin": __version__,
    }
    return {"key": digest(parts), **parts}


def run_inputs(source: Path, bulletin: Bulletin, locales: Sequence[str]) -> Any:
    """The current parts of every output's inputs key (:class:`bantin.publish.manifest.RunInputs`), for ``locales``."""
    from bantin.publish.manifest import RunInputs
    from bantin.render.cache import assets_digest, folder_digest

    return RunInputs(
        source=file_digest(source),
        templates=assets_digest(),
        bulletin_assets=folder_digest(content_dir() / bulletin.id),
        bantin=__version__,
        catalogs={code: locale_digest(code, bulletin.id) for code in sorted(set(locales))},
    )


def diff_inputs(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[str]:
    """What changed between two :func:`publish_inputs`, in words (empty when nothing did)."""
    if not old or "key" not in old:
        return ["no record of the last publish's inputs"]
    if old.get("key") == new["key"]:
        return []
    changes = []
    if old.get("source") != new["source"]:
        changes.append("the bulletin's YAML changed")
    old_catalogs = old.get("catalogs") or {}
    for code, value in new["catalogs"].items():
        if code in old_catalogs and old_catalogs[code] != value:
            changes.append(f"the {code} catalogs changed")
    if old.get("templates") != new["templates"]:
        changes.append("bantin's templates, stylesheets or fonts changed")
    if old.get("bulletin_assets") != new["bulletin_assets"]:
        changes.append("the bulletin's images changed")
    if old.get("request") != new["request"]:
        changes.append("locales, profiles or engine differ from the last publish")
    if old.get("bantin") != new["bantin"]:
        changes.append(f"bantin {old.get('bantin')} -> {new['bantin']}")
    return changes or ["inputs changed"]
