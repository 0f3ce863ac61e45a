"""The profile registry: each print profile is a stylesheet plus WeasyPrint options.

Like WeasyPrint's own ``pdf/pdfua.py`` VARIANTS, adding a profile is an entry
in :data:`PROFILES` plus a CSS file in ``assets/css``.  This module is imported
to validate configuration (deployments, CLI), so it stays light: it never
imports WeasyPrint, pikepdf, segno or Jinja.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bantin.errors import UnknownProfileError
from bantin.paths import ASSETS_DIR

__all__ = ["BASE_OPTIONS", "PROFILES", "Profile", "get_profile"]


@dataclass(frozen=True)
class Profile:
    """A named print profile: a stylesheet in ``assets/css`` plus WeasyPrint options."""

    name: str
    stylesheet: str
    description: str
    options: Mapping[str, Any] = field(default_factory=dict)
    #: "serif" sets running text in the locale's serif face; "sans" in its sans face (large print).
    body_face: str = "serif"
    #: When set, the body font size steps down (by ``fit_step_pt``) to this floor so a short
    #: bulletin fits on one page; a bulletin still too long at the floor flows onto more pages.
    fit_floor_pt: float | None = None
    fit_step_pt: float = 0.5

    @property
    def stylesheet_path(self) -> Path:
        """The profile's own stylesheet."""
        return ASSETS_DIR / "css" / self.stylesheet


#: WeasyPrint options every profile starts from; a profile's own options override them.
BASE_OPTIONS: Mapping[str, Any] = MappingProxyType(
    {
        # Tagged PDF/UA-1: structure tree, /Lang, DisplayDocTitle, XMP pdfuaid:part.
        "pdf_variant": "pdf/ua-1",
        # A stable /ID derived from the content, so identical input gives identical bytes.
        "pdf_identifier": False,
        # Subset fonts (full_fonts False) to keep files small; keep hinting off for print.
        "full_fonts": False,
        "hinting": False,
        # Use the document's <meta> title/author/keywords/dates.
        "custom_metadata": False,
    }
)

#: The profile registry.
PROFILES: dict[str, Profile] = {
    "a4": Profile("a4", "a4.css", "A4 standard print, for notice boards (print marks on request); a short bulletin fits one page", fit_floor_pt=10.0),
    "a5": Profile("a5", "a5.css", "A5 leaflet"),
    "large-print": Profile(
        "large-print",
        "large-print.css",
        "A4 large print after UKAAF guidance: 18 pt sans-serif, left-aligned",
        body_face="sans",
    ),
}


def get_profile(name: str) -> Profile:
    """The registered profile called ``name``."""
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownProfileError(name, list(PROFILES)) from None
