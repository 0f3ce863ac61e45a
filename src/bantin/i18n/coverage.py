"""Coverage: how much of a catalog, or of a bulletin's current text, is translated and usable."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from babel.messages import Catalog

from bantin.content.model import Bulletin
from bantin.i18n.catalogs import bulletin_po_path, read_catalog
from bantin.i18n.templates import translatable_units

__all__ = ["Coverage", "bulletin_coverage", "catalog_coverage"]


@dataclass(frozen=True)
class Coverage:
    """How much of a catalog is usable: translated (non-fuzzy), fuzzy and untranslated messages."""

    translated: int
    fuzzy: int
    untranslated: int

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        """Share of messages translated and not fuzzy; an empty catalog is complete."""
        return 100.0 if self.total == 0 else 100.0 * self.translated / self.total

    def describe(self) -> str:
        """One line for logs and skip reasons."""
        return f"{self.translated} of {self.total} messages translated ({self.percent:.0f}%), {self.fuzzy} fuzzy, {self.untranslated} untranslated"

    def as_dict(self) -> dict[str, float | int]:
        """The counts and the percent (one decimal), as the manifest records them."""
        return {
            "translated": self.translated,
            "fuzzy": self.fuzzy,
            "untranslated": self.untranslated,
            "total": self.total,
            "percent": round(self.percent, 1),
        }


def bulletin_coverage(bulletin: Bulletin, code: str, root: Path | None = None) -> Coverage:
    """Coverage of the bulletin's *current* text by its catalog in ``code``.

    Counted against the bulletin itself, not the catalog, so a stale catalog (the
    text changed, ``update`` not run yet) never counts as complete.
    """
    path = bulletin_po_path(code, bulletin.id, root)
    catalog = read_catalog(path, code) if path.is_file() else None
    translated = fuzzy = untranslated = 0
    fuzzy_contexts = {m.context for m in catalog if m.fuzzy and m.id} if catalog else set()
    for unit in translatable_units(bulletin):
        message = catalog.get(unit.text, context=unit.key) if catalog else None
        if message is not None and message.string and not message.fuzzy:
            translated += 1
        elif unit.key in fuzzy_contexts:
            fuzzy += 1
        else:
            untranslated += 1
    return Coverage(translated, fuzzy, untranslated)


def catalog_coverage(catalog: Catalog) -> Coverage:
    """Coverage of a catalog by its own messages (the chrome: no bulletin to count against)."""
    translated = fuzzy = untranslated = 0
    for m in catalog:
        if not m.id:
            continue
        if m.fuzzy:
            fuzzy += 1
        elif m.string if isinstance(m.string, str) else all(m.string or ()):
            translated += 1
        else:
            untranslated += 1
    return Coverage(translated, fuzzy, untranslated)
