"""Small text helpers shared by ingest, the model and the renderers."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold_ascii", "normalize_space", "slugify", "to_nfc"]

# Spaces that scrapers leave behind (NBSP, thin and figure spaces, ideographic space).
_SPACE_RE = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
# Invisible characters that carry no meaning in a bulletin (ZWSP, ZWJ/ZWNJ, word joiner, BOM, soft hyphen).
_INVISIBLE_RE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_NON_SLUG_RE = re.compile(r"[^a-z0-9]+")


def to_nfc(text: str) -> str:
    """Compose Vietnamese tone marks (NFD or cp1258 input) into NFC."""
    return unicodedata.normalize("NFC", text)


def normalize_space(text: str) -> str:
    """NFC, invisible characters dropped, runs of spaces folded to one, ends stripped.

    Typographic quotes and apostrophes (“ ” ’) are kept exactly as typed.
    """
    text = _INVISIBLE_RE.sub("", to_nfc(text))
    return _SPACE_RE.sub(" ", text).strip()


def fold_ascii(text: str) -> str:
    """Drop diacritics: 'Đắk Nông' -> 'Dak Nong' (đ has no decomposition, so it is mapped by hand)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).encode("ascii", "ignore").decode()


def slugify(text: str, max_length: int = 80) -> str:
    """Stable lowercase ASCII slug, cut at a word boundary so it stays at most ``max_length`` long."""
    slug = _NON_SLUG_RE.sub("-", fold_ascii(text).lower()).strip("-")
    if len(slug) <= max_length:
        return slug
    cut = slug[: max_length + 1]
    cut = cut[: cut.rfind("-")] if "-" in cut else cut[:max_length]
    return cut.strip("-")
