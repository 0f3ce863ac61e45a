"""What a render is asked to do (:class:`RenderJob`) and what it reports (:class:`RenderResult`).

Both are plain picklable data: jobs cross into render child processes and
results come back.  Importing this module loads no renderer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bantin.i18n.localize import Variant

__all__ = ["RenderJob", "RenderResult"]


@dataclass(frozen=True)
class RenderResult:
    """A rendered PDF (and its page-1 preview) and the facts the manifest records about it."""

    path: Path
    locale: str
    profile: str
    pages: int
    bytes: int
    sha256: str
    refused_urls: tuple[str, ...] = ()
    preview: Path | None = None
    #: True when the PDF was already up to date (same content key) and rendering was skipped.
    cached: bool = False
    print_marks: bool = False


@dataclass(frozen=True)
class RenderJob:
    """Everything one render needs; plain picklable data, so it can cross into a worker process."""

    variant: Variant
    profile: str
    out_path: Path
    asset_dir: Path | None = None
    print_marks: bool = False
    public_url: str | None = None
    force: bool = False
    extra_css: str = ""
