"""Where bantin finds its data and writes its outputs.

A project (see :mod:`bantin.settings`) holds ``content/``, ``locales/`` and
``outputs/``.  Data that ships with bantin stays in the package: templates, CSS
and fonts (``assets/``), and the default locale configs, chrome catalogs,
Vietnamese lexicon and noise list (``data/locales/``).  A project overrides
any of those by putting a file at the same place under its own ``locales/``.
"""

from __future__ import annotations

from pathlib import Path

from bantin import settings

__all__ = [
    "ASSETS_DIR",
    "DATA_DIR",
    "PACKAGE_DIR",
    "SHIPPED_LOCALES",
    "bulletin_output_dir",
    "content_dir",
    "locale_data",
    "locale_layers",
    "locales_dir",
    "outputs_dir",
    "pdf_path",
    "project_root",
    "reading_path",
    "speech_cache_dir",
]

PACKAGE_DIR = Path(__file__).resolve().parent
#: bantin's own templates, stylesheets and fonts: the only files the URL fetcher serves besides a bulletin's assets.
ASSETS_DIR = PACKAGE_DIR / "assets"
#: Data shipped with the package: default locale data and the skeleton of a new project.
DATA_DIR = PACKAGE_DIR / "data"
SHIPPED_LOCALES = DATA_DIR / "locales"

project_root = settings.project_root
locales_dir = settings.locales_dir
outputs_dir = settings.outputs_dir
speech_cache_dir = settings.speech_cache_dir


def content_dir() -> Path:
    """Ingested bulletins (``<id>.yaml``) and their raw sources."""
    return project_root() / "content"


def locale_layers(root: Path | None = None) -> tuple[Path, ...]:
    """Where locale data is looked up, first match wins: the project's ``locales/``, then bantin's own."""
    project = root or locales_dir()
    return (project,) if project.resolve() == SHIPPED_LOCALES else (project, SHIPPED_LOCALES)


def locale_data(relative: str, root: Path | None = None) -> Path:
    """The file ``relative`` under the first layer that has it; the project's path when none has it (to create it there)."""
    layers = locale_layers(root)
    for layer in layers:
        candidate = layer / relative
        if candidate.exists():
            return candidate
    return layers[0] / relative


def bulletin_output_dir(bulletin_id: str, root: Path | None = None) -> Path:
    """``outputs/<id>``: every file of one bulletin, plus its manifest."""
    return (root or outputs_dir()) / bulletin_id


def pdf_path(out_dir: Path, bulletin_id: str, locale: str, profile: str) -> Path:
    """``<out>/<locale>/<id>.<locale>.<profile>.pdf``."""
    return out_dir / locale / f"{bulletin_id}.{locale}.{profile}.pdf"


def reading_path(out_dir: Path, bulletin_id: str, locale: str) -> Path:
    """``<out>/<locale>/<id>.<locale>.mp3``."""
    return out_dir / locale / f"{bulletin_id}.{locale}.mp3"
