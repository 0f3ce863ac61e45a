"""Small text helpers shared by ingest, the model and the renderers.

Also the one character policy of bantin's inputs (raw ingest and bulletin YAML
alike): control characters other than tab and newline, bidi embeddings and
overrides and other invisible format characters are *refused*, never silently
dropped and never printed; the zero-width (non-)joiner stays where a script
needs it (Khmer, Devanagari...).  :func:`shown` quotes a value for an error
message: escaped, and cut to a readable length.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["bad_character", "describe_character", "escape_text", "fold_ascii", "line_and_column", "normalize_space", "shown", "slugify", "to_nfc"]

# Spaces that scrapers leave behind (NBSP, thin and figure spaces, ideographic space).
_SPACE_RE = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
# Invisible characters that carry no meaning in a Latin-script bulletin (ZWSP, word joiner, BOM, soft hyphen).
# The zero-width joiner and non-joiner are kept: Khmer and other scripts need them.
_INVISIBLE_RE = re.compile(r"[\u200b\u2060\ufeff\u00ad]")
_NON_SLUG_RE = re.compile(r"[^a-z0-9]+")

#: Characters that may stand in a text besides printable ones.
_ALLOWED_CONTROLS = frozenset("\t\n")
_JOINERS = frozenset("\u200c\u200d")
# Latin blocks: a joiner between Latin letters (Vietnamese included) joins nothing.
_LATIN_RANGES = ((0x0000, 0x036F), (0x1E00, 0x1EFF), (0x2C60, 0x2C7F), (0xA720, 0xA7FF), (0xAB30, 0xAB6F))
#: How many characters of a value an error message shows.
SHOWN_CHARS = 80


def to_nfc(text: str) -> str:
    """Compose Vietnamese tone marks (NFD or cp1258 input) into NFC."""
    return unicodedata.normalize("NFC", text)


def normalize_space(text: str) -> str:
    """NFC, invisible characters dropped, runs of spaces folded to one, ends stripped.

    Typographic quotes and apostrophes (“ ” ’) are kept exactly as typed, and so
    are the zero-width joiner and non-joiner (Khmer needs them).
    """
    text = _INVISIBLE_RE.sub("", to_nfc(text))
    return _SPACE_RE.sub(" ", text).strip()


def _script_letter(ch: str) -> bool:
    """A letter or mark of a script that uses joiners (not Latin, not punctuation or digits)."""
    if not unicodedata.category(ch).startswith(("L", "M")):
        return False
    code = ord(ch)
    return not any(lo <= code <= hi for lo, hi in _LATIN_RANGES)


def describe_character(ch: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: a character named without printing it."""
    return f"U+{ord(ch):04X} {unicodedata.name(ch, '')}".rstrip()


#: Every character :func:`bad_character` may refuse (Unicode 14): controls but tab and newline, format
#: characters (Cf), surrogates and noncharacters.  ``test_textutil`` checks it against ``unicodedata``.
_REFUSED_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufdd0-\ufdef\ufeff\ufff9-\ufffb\ufffe-\uffff"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f" + "".join(f"{chr(plane << 16 | 0xFFFE)}-{chr(plane << 16 | 0xFFFF)}" for plane in range(0x01, 0x11)) + "]"
)


def bad_character(text: str) -> tuple[int, str] | None:
    """The first character bantin refuses in ``text``: (index, reason), or None when all are fine.

    Refused: C0 and C1 controls other than tab and newline (and DEL), invisible
    format characters (bidi embeddings, overrides and isolates, zero-width space,
    word joiner, a byte-order mark inside the text, soft hyphen...), lone
    surrogates and noncharacters.  A zero-width joiner or non-joiner is allowed
    next to a letter of a script that needs it.  One regular-expression scan:
    a 5 MB text costs milliseconds.
    """
    for match in _REFUSED_RE.finditer(text):
        index, ch = match.start(), match.group()
        if ch in _JOINERS:
            before = text[index - 1] if index else ""
            after = text[index + 1] if index + 1 < len(text) else ""
            if (before and _script_letter(before)) or (after and _script_letter(after)):
                continue
        category = unicodedata.category(ch)
        if category == "Cc":
            return index, f"{describe_character(ch)} is a control character"
        if category == "Cf":
            return index, f"{describe_character(ch)} is an invisible format character"
        if category == "Cs":
            return index, f"U+{ord(ch):04X} is a lone surrogate, not a character"
        return index, f"U+{ord(ch):04X} is a noncharacter"
    return None


def line_and_column(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of ``index`` in ``text``; lines end at newline."""
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def shown(value: object, limit: int = SHOWN_CHARS) -> str:
    """A value quoted for an error message: one line, escaped, at most about ``limit`` characters."""
    return "'" + escape_text(value if isinstance(value, str) else _short_repr(value, limit), limit) + "'"


def escape_text(text: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` safe to print on one line: escaped and cut to about ``limit`` characters.

    Control and format characters (terminal escape sequences, bidi overrides,
    newlines) are written as ``\\x1b`` / ``\\u202e`` so they never reach a
    terminal; a long text is cut with an ellipsis and its full length.
    """
    out = []
    for ch in text[:limit]:
        if ch.isprintable() and ch not in _JOINERS:
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    cut = f"… ({len(text)} characters)" if len(text) > limit else ""
    return "".join(out) + cut


def _short_repr(value: object, limit: int) -> str:
    """A bounded repr: containers are summarized, never expanded (an alias bomb must not print megabytes)."""
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} items"
    if isinstance(value, dict):
        return f"a mapping of {len(value)} keys"
    if isinstance(value, (set, frozenset)):
        return f"a set of {len(value)} items"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * limit:
        return f"a number of about {int(value.bit_length() * 0.30103)} digits"
    return str(value)


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
