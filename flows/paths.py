"""Where bantin finds its data and writes its outputs.

The project root holds ``content/``, ``locales/`` and ``outputs/``.  It defaults
to the repository that contains this package and can be moved with
``BANTIN_ROOT`` (for example to run bantin over another centre's content);
``BANTIN_LOCALES`` moves only the locale data.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "ASSETS_DIR",
    "bulletin_output_dir",
    "content_dir",
    "locales_dir",
    "outputs_dir",
    "pdf_path",
    "project_root",
    "reading_path",
]

PACKAGE_DIR = Path(__file__).resolve().parent
#: bantin's own templates, stylesheets and fonts: the only files the URL fetcher serves besides a bulletin's assets.
ASSETS_DIR = PACKAGE_DIR / "assets"


def project_root() -> Path:
    """The folder holding content/, locales/ and outputs/."""
    env = os.environ.get("BANTIN_ROOT")
    return Path(env).resolve() if env else PACKAGE_DIR.parent


def locales_dir() -> Path:
    """Locale configs, chrome and bulletin catalogs, and Vietnamese data lists."""
    env = os.environ.get("BANTIN_LOCALES")
    return Path(env).resolve() if env else project_root() / "locales"


def content_dir() -> Path:
    """Ingested bulletins (``<id>.yaml``) and their raw sources."""
    return project_root() / "content"


def outputs_dir() -> Path:
    """Generated files, one folder per bulletin (git-ignored)."""
    env = os.environ.get("BANTIN_OUTPUTS")
    return Path(env).resolve() if env else project_root() / "outputs"


def bulletin_output_dir(bulletin_id: str, root: Path | None = None) -> Path:
    """``outputs/<id>``: every file of one bulletin, plus its manifest."""
    return (root or outputs_dir()) / bulletin_id


def pdf_path(out_dir: Path, bulletin_id: str, locale: str, profile: str) -> Path:
    """``<out>/<locale>/<id>.<locale>.<profile>.pdf``."""
    return out_dir / locale / f"{bulletin_id}.{locale}.{profile}.pdf"


def reading_path(out_dir: Path, bulletin_id: str, locale: str) -> Path:
    """``<out>/<locale>/<id>.<locale>.mp3``."""
    return out_dir / locale / f"{bulletin_id}.{locale}.mp3"


def speech_cache_dir() -> Path:
    """Content-addressed cache of synthesized speech chunks (``BANTIN_CACHE``, default ``.cache/speech``; git-ignored)."""
    env = os.environ.get("BANTIN_CACHE")
    return Path(env).resolve() if env else project_root() / ".cache" / "speech"
