"""The content key of a render and the sidecar that lets an unchanged PDF be skipped.

A PDF depends on the variant (as HTML and page CSS), the profile and its
options, bantin's shipped assets, the bulletin's asset folder and the versions
of bantin and WeasyPrint.  Their hash is stored beside each PDF
(``.<pdf name>.key.json``); a render whose key matches the sidecar, and whose
PDF still has the recorded hash, is skipped.  Importing this module loads no
renderer (the HTML is built with Jinja, in milliseconds).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bantin import __version__
from bantin.fsutil import sha256_file, write_text_if_changed
from bantin.paths import ASSETS_DIR
from bantin.render.html import build_html, page_css
from bantin.render.jobs import RenderJob, RenderResult
from bantin.render.preview import preview_path
from bantin.render.profiles import BASE_OPTIONS, Profile, get_profile

__all__ = [
    "RENDER_RULES",
    "Prepared",
    "assets_digest",
    "cached_result",
    "content_key",
    "folder_digest",
    "job_key",
    "key_path",
    "prepare",
    "write_sidecar",
]

#: Bumped when bantin's render code changes what a PDF looks like (or whether it is made) for the same input.
#: 4: the A4 poster is always one page (type scale down to 9 pt, else an error); no added hyphen in the text layer.
RENDER_RULES = 4

_ASSETS_DIGEST: list[str] = []


def _hash_tree(folder: Path) -> str:
    """Hash of every file under ``folder``: relative names and contents."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def assets_digest() -> str:
    """Hash of every stylesheet, template, font and image bantin ships (once per process; children are handed it)."""
    if not _ASSETS_DIGEST:
        _ASSETS_DIGEST.append(_hash_tree(ASSETS_DIR))
    return _ASSETS_DIGEST[0]


def set_assets_digest(digest: str) -> None:
    """Adopt a digest the parent process already computed (render children start with it)."""
    _ASSETS_DIGEST[:] = [digest]


def folder_digest(folder: Path | None) -> str:
    """Hash of a bulletin's asset folder (names and contents); empty when there is none."""
    if folder is None or not folder.is_dir():
        return ""
    return _hash_tree(folder)


@lru_cache(maxsize=1)
def _weasyprint_version() -> str:
    """WeasyPrint's version from its distribution metadata (importing WeasyPrint itself takes a second)."""
    return version("weasyprint")


def key_path(pdf_path: Path) -> Path:
    """The hidden sidecar that remembers which content key produced a PDF."""
    return pdf_path.with_name(f".{pdf_path.name}.key.json")


def content_key(job: RenderJob, html: str, css: str, options: Mapping[str, Any], profile: Profile | None = None) -> str:
    """What a PDF depends on: the variant (as HTML and page CSS), profile, options, assets, versions.

    A poster's type scale is part of it: the step a bulletin is set at is chosen
    from the scale by layout, so the same scale and input always give the same
    step, and a changed scale renders again.
    """
    profile = profile or get_profile(job.profile)
    parts = {
        "html": hashlib.sha256(html.encode()).hexdigest(),
        "css": hashlib.sha256((css + "\0" + job.extra_css).encode()).hexdigest(),
        "profile": job.profile,
        "fit_scale": [(step.body_pt, step.line_height) for step in profile.fit_scale],
        "options": sorted((k, repr(v)) for k, v in options.items()),
        "assets": assets_digest(),
        "bulletin_assets": folder_digest(job.asset_dir),
        "bantin": __version__,
        "weasyprint": _weasyprint_version(),
        "rules": RENDER_RULES,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Prepared:
    """Everything a render of a job feeds WeasyPrint, and the content key it hashes to."""

    profile: Profile
    options: dict[str, Any]
    html: str
    css: str
    key: str


def prepare(job: RenderJob) -> Prepared:
    """Build the HTML, page CSS and options of ``job`` and hash them to its content key."""
    profile = get_profile(job.profile)
    options = {**BASE_OPTIONS, **profile.options}
    html_text = build_html(job.variant, job.asset_dir, job.public_url)
    css = page_css(job.variant, profile, job.print_marks)
    return Prepared(profile, options, html_text, css, content_key(job, html_text, css, options, profile))


def job_key(job: RenderJob) -> str:
    """The content key of ``job`` without rendering it (HTML and page CSS are built, in milliseconds)."""
    return prepare(job).key


def cached_result(job: RenderJob, key: str) -> RenderResult | None:
    """The stored result when the PDF and its preview exist and were made from the same key."""
    sidecar, pdf, png = key_path(job.out_path), job.out_path, preview_path(job.out_path)
    if not (sidecar.is_file() and pdf.is_file() and png.is_file()):
        return None
    try:
        stored = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != key or stored.get("sha256") != sha256_file(pdf):
        return None
    return RenderResult(
        path=pdf,
        locale=job.variant.locale.code,
        profile=job.profile,
        pages=int(stored["pages"]),
        bytes=pdf.stat().st_size,
        sha256=str(stored["sha256"]),
        refused_urls=tuple(stored.get("refused_urls", ())),
        preview=png,
        cached=True,
        print_marks=job.print_marks,
    )


def write_sidecar(result: RenderResult, key: str) -> None:
    """Remember that ``result``'s PDF was made from ``key`` (atomically, only if changed)."""
    sidecar = {"key": key, "sha256": result.sha256, "pages": result.pages, "refused_urls": list(result.refused_urls)}
    write_text_if_changed(key_path(result.path), json.dumps(sidecar, indent=1) + "\n")
