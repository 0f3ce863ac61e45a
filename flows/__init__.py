"""bantin: publish one source bulletin as localized, accessible PDFs and loudspeaker readings.

The package is named ``flows`` (the project's fixed layout); the distribution is ``bantin``.
Stage modules (ingest, model, localize, render, speech, manifest) are plain
Python; :mod:`flows.tasks` and :mod:`flows.flow` wrap them for Prefect.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bantin")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
