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

__all__ = ["A4_POSTER_SCALE", "BASE_OPTIONS", "PROFILES", "Profile", "TypeStep", "get_profile"]


@dataclass(frozen=True)
class TypeStep:
    """One step of a poster's type scale: the body font size and line height set on ``html``."""

    body_pt: float
    line_height: float

    @property
    def css(self) -> str:
        """The rule that sets this step (appended after every stylesheet, so it wins)."""
        return f"html {{ font-size: {self.body_pt:g}pt; line-height: {self.line_height:g}; }}\n"


@dataclass(frozen=True)
class Profile:
    """A named print profile: a stylesheet in ``assets/css`` plus WeasyPrint options."""

    name: str
    stylesheet: str
    description: str
    options: Mapping[str, Any] = field(default_factory=dict)
    #: "serif" sets running text in the locale's serif face; "sans" in its sans face (large print).
    body_face: str = "serif"
    #: A one-page poster's type scale, largest first (the first step is the stylesheet's own type).
    #: The bulletin is set at the largest step that fits one page; one that does not fit at the last
    #: step fails with a RenderError (shorten it, or print it with another profile).  Empty: the
    #: profile keeps its type and flows onto as many pages as it needs.
    fit_scale: tuple[TypeStep, ...] = ()
    #: Whether words may be hyphenated at line ends (in locales with a hyphenation dictionary).
    #: Addresses and file names never are, in any profile (``.url`` in base.css).
    hyphenate: bool = True

    @property
    def stylesheet_path(self) -> Path:
        """The profile's own stylesheet."""
        return ASSETS_DIR / "css" / self.stylesheet

    @property
    def floor_pt(self) -> float | None:
        """The smallest body size a poster is set in (the last step of its scale); None for flowing profiles."""
        return self.fit_scale[-1].body_pt if self.fit_scale else None


#: The A4 poster's type scale: a4.css's 11 pt, then half-point steps, line spacing tightening a little
#: on the way, down to 9 pt: still legible on a notice board at reading distance.
A4_POSTER_SCALE = (
    TypeStep(11.0, 1.45),
    TypeStep(10.5, 1.45),
    TypeStep(10.0, 1.4),
    TypeStep(9.5, 1.4),
    TypeStep(9.0, 1.35),
)


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
    "a4": Profile("a4", "a4.css", "A4 poster for notice boards, always one page (print marks on request)", fit_scale=A4_POSTER_SCALE),
    "a5": Profile("a5", "a5.css", "A5 leaflet"),
    "large-print": Profile(
        "large-print",
        "large-print.css",
        "A4 large print after UKAAF guidance: 18 pt sans-serif, left-aligned",
        body_face="sans",
        hyphenate=False,
    ),
}


def get_profile(name: str) -> Profile:
    """The registered profile called ``name``."""
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownProfileError(name, list(PROFILES)) from None
