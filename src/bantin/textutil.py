"""Small text helpers shared by ingest, the model and the renderers.

Also the one character policy of bantin's inputs (raw ingest and bulletin YAML
alike): control characters other than tab and newline, bidi embeddings and
overrides and other invisible format characters are *refused*, never silently
dropped and never printed; the zero-width (non-)joiner stays where a script
needs it (Khmer, Devanagari...) and the zero-width joiner inside an emoji ZWJ
sequence (👨‍👩‍👧).  :func:`shown` quotes a value for an error
message: escaped, and cut to a readable length.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "bad_character",
    "describe_character",
    "escape_text",
    "fold_ascii",
    "is_pictographic",
    "line_and_column",
    "normalize_space",
    "shown",
    "slugify",
    "to_nfc",
]

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
#: Extended_Pictographic (UTS #51 emoji-data, as the ``regex`` module knows it; ``test_textutil`` checks the two agree):
#: the characters an emoji ZWJ sequence joins.
_PICTOGRAPHIC_RE = re.compile(
    "["
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9-\u21aa\u231a-\u231b\u2328\u23cf\u23e9-\u23f3\u23f8-\u23fa"
    "\u24c2\u25aa-\u25ab\u25b6\u25c0\u25fb-\u25fe\u2600-\u2604\u260e\u2611\u2614-\u2615\u2618\u261d\u2620\u2622-\u2623"
    "\u2626\u262a\u262e-\u262f\u2638-\u263a\u2640\u2642\u2648-\u2653\u265f-\u2660\u2663\u2665-\u2666\u2668\u267b"
    "\u267e-\u267f\u2692-\u2697\u2699\u269b-\u269c\u26a0-\u26a1\u26a7\u26aa-\u26ab\u26b0-\u26b1\u26bd-\u26be\u26c4-\u26c5"
    "\u26c8\u26ce-\u26cf\u26d1\u26d3-\u26d4\u26e9-\u26ea\u26f0-\u26f5\u26f7-\u26fa\u26fd\u2702\u2705\u2708-\u270d\u270f"
    "\u2712\u2714\u2716\u271d\u2721\u2728\u2733-\u2734\u2744\u2747\u274c\u274e\u2753-\u2755\u2757\u2763-\u2764\u2795-\u2797"
    "\u27a1\u27b0\u27bf\u2934-\u2935\u2b05-\u2b07\u2b1b-\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299\U0001f004"
    "\U0001f02c-\U0001f02f\U0001f094-\U0001f09f\U0001f0af-\U0001f0b0\U0001f0c0\U0001f0cf-\U0001f0d0\U0001f0f6-\U0001f0ff"
    "\U0001f170-\U0001f171\U0001f17e-\U0001f17f\U0001f18e\U0001f191-\U0001f19a\U0001f1af-\U0001f1e5\U0001f201-\U0001f20f"
    "\U0001f21a\U0001f22f\U0001f232-\U0001f23a\U0001f23c-\U0001f23f\U0001f249-\U0001f25f\U0001f266-\U0001f321"
    "\U0001f324-\U0001f393\U0001f396-\U0001f397\U0001f399-\U0001f39b\U0001f39e-\U0001f3f0\U0001f3f3-\U0001f3f5"
    "\U0001f3f7-\U0001f3fa\U0001f400-\U0001f4fd\U0001f4ff-\U0001f53d\U0001f549-\U0001f54e\U0001f550-\U0001f567"
    "\U0001f56f-\U0001f570\U0001f573-\U0001f57a\U0001f587\U0001f58a-\U0001f58d\U0001f590\U0001f595-\U0001f596"
    "\U0001f5a4-\U0001f5a5\U0001f5a8\U0001f5b1-\U0001f5b2\U0001f5bc\U0001f5c2-\U0001f5c4\U0001f5d1-\U0001f5d3"
    "\U0001f5dc-\U0001f5de\U0001f5e1\U0001f5e3\U0001f5e8\U0001f5ef\U0001f5f3\U0001f5fa-\U0001f64f\U0001f680-\U0001f6c5"
    "\U0001f6cb-\U0001f6d2\U0001f6d5-\U0001f6e5\U0001f6e9\U0001f6eb-\U0001f6f0\U0001f6f3-\U0001f6ff\U0001f7dc-\U0001f7f0"
    "\U0001f80c-\U0001f80f\U0001f848-\U0001f84f\U0001f85a-\U0001f85f\U0001f888-\U0001f88f\U0001f8ae-\U0001f8af"
    "\U0001f8bc-\U0001f8bf\U0001f8c2-\U0001f8cf\U0001f8d9-\U0001f8ff\U0001f90c-\U0001f93a\U0001f93c-\U0001f945"
    "\U0001f947-\U0001f9ff\U0001fa58-\U0001fa5f\U0001fa6e-\U0001faff\U0001fc00-\U0001fffd"
    "]"
)
#: Emoji modifiers (skin tones) and the emoji presentation selector, which may stand between a pictograph and a joiner.
_EMOJI_TRAILERS = frozenset("\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff")
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


def is_pictographic(ch: str) -> bool:
    """Whether ``ch`` is an emoji or other pictograph (Unicode's Extended_Pictographic)."""
    return bool(_PICTOGRAPHIC_RE.match(ch))


def _in_emoji_sequence(text: str, index: int) -> bool:
    """Whether the joiner at ``index`` joins two pictographs: 👨‍👩‍👧, ❤️‍🔥 (U+FE0F) or 👩🏽‍💻 (a skin tone) before it."""
    before = index - 1
    while before >= 0 and text[before] in _EMOJI_TRAILERS:
        before -= 1
    return before >= 0 and index + 1 < len(text) and is_pictographic(text[before]) and is_pictographic(text[index + 1])


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
    next to a letter of a script that needs it, and a zero-width joiner between
    two pictographs (an emoji ZWJ sequence such as 👨‍👩‍👧).  One regular-expression scan:
    a 5 MB text costs milliseconds.
    """
    for match in _REFUSED_RE.finditer(text):
        index, ch = match.start(), match.group()
        if ch in _JOINERS:
            before = text[index - 1] if index else ""
            after = text[index + 1] if index + 1 < len(text) else ""
            if (before and _script_letter(before)) or (after and _script_letter(after)):
                continue
            if ch == "\u200d" and _in_emoji_sequence(text, index):
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
