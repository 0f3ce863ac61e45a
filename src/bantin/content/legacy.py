"""Legacy Vietnamese 8-bit font encodings, TCVN3 (ABC) and VNI-Windows: tables, detection and decoding.

Before Unicode, Vietnamese text was typed in fonts whose glyphs sat on the
upper half of Windows-1252: TCVN3 (``.VnTime``) puts each accented letter on one
byte; VNI (``VNI-Times``) writes a base letter followed by one mark byte
(``aù`` is á).  Both tables below are data, one entry per letter.  They agree
with the corpus-checked tables of the viparse project (TCVN3 74 of 74 entries;
VNI 126 of its 132, the rest being its guessed ``iø``/``yï`` forms, kept here as
extra decode-only entries, and its missing ẳ).

:func:`detect_and_decode` reads bytes that are not UTF-8 as each of
Windows-1258, TCVN3 and VNI, and keeps the reading whose accented words are
Vietnamese syllables; when none is, the text is refused as mojibake.
:func:`mojibake_problem` spots UTF-8 text that is itself mojibake (UTF-8 read
as Windows-1252 and saved again, or TCVN3/VNI glyphs saved as Windows
characters).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

__all__ = ["ENCODINGS", "TCVN3", "VNI", "detect_and_decode", "encode_legacy", "mojibake_problem", "vietnamese_ratio"]

#: TCVN3 (ABC, TCVN 5712:1993 VN3): byte -> letter.  It has no upper-case toned letters
#: (the ``.VnTimeH`` fonts draw the lower-case bytes in capitals).
TCVN3: dict[int, str] = {
    0xA1: "Ă",
    0xA2: "Â",
    0xA3: "Ê",
    0xA4: "Ô",
    0xA5: "Ơ",
    0xA6: "Ư",
    0xA7: "Đ",
    0xA8: "ă",
    0xA9: "â",
    0xAA: "ê",
    0xAB: "ô",
    0xAC: "ơ",
    0xAD: "ư",
    0xAE: "đ",
    0xB5: "à",
    0xB6: "ả",
    0xB7: "ã",
    0xB8: "á",
    0xB9: "ạ",
    0xBB: "ằ",
    0xBC: "ẳ",
    0xBD: "ẵ",
    0xBE: "ắ",
    0xC6: "ặ",
    0xC7: "ầ",
    0xC8: "ẩ",
    0xC9: "ẫ",
    0xCA: "ấ",
    0xCB: "ậ",
    0xCC: "è",
    0xCE: "ẻ",
    0xCF: "ẽ",
    0xD0: "é",
    0xD1: "ẹ",
    0xD2: "ề",
    0xD3: "ể",
    0xD4: "ễ",
    0xD5: "ế",
    0xD6: "ệ",
    0xD7: "ì",
    0xD8: "ỉ",
    0xDC: "ĩ",
    0xDD: "í",
    0xDE: "ị",
    0xDF: "ò",
    0xE1: "ỏ",
    0xE2: "õ",
    0xE3: "ó",
    0xE4: "ọ",
    0xE5: "ồ",
    0xE6: "ổ",
    0xE7: "ỗ",
    0xE8: "ố",
    0xE9: "ộ",
    0xEA: "ờ",
    0xEB: "ở",
    0xEC: "ỡ",
    0xED: "ớ",
    0xEE: "ợ",
    0xEF: "ù",
    0xF1: "ủ",
    0xF2: "ũ",
    0xF3: "ú",
    0xF4: "ụ",
    0xF5: "ừ",
    0xF6: "ử",
    0xF7: "ữ",
    0xF8: "ứ",
    0xF9: "ự",
    0xFA: "ỳ",
    0xFB: "ỷ",
    0xFC: "ỹ",
    0xFD: "ý",
    0xFE: "ỵ",
}

#: VNI-Windows: the letters as their bytes read in Windows-1252 -> letter.  A toned vowel is the
#: base letter and a mark byte (upper-case base, upper-case mark); i-family letters, đ, ơ, ư and ỵ
#: are single bytes.
VNI: dict[str, str] = {
    "aù": "á",
    "aø": "à",
    "aû": "ả",
    "aõ": "ã",
    "aï": "ạ",
    "eù": "é",
    "eø": "è",
    "eû": "ẻ",
    "eõ": "ẽ",
    "eï": "ẹ",
    "où": "ó",
    "oø": "ò",
    "oû": "ỏ",
    "oõ": "õ",
    "oï": "ọ",
    "uù": "ú",
    "uø": "ù",
    "uû": "ủ",
    "uõ": "ũ",
    "uï": "ụ",
    "yù": "ý",
    "yø": "ỳ",
    "yû": "ỷ",
    "yõ": "ỹ",
    "aâ": "â",
    "aá": "ấ",
    "aà": "ầ",
    "aå": "ẩ",
    "aã": "ẫ",
    "aä": "ậ",
    "eâ": "ê",
    "eá": "ế",
    "eà": "ề",
    "eå": "ể",
    "eã": "ễ",
    "eä": "ệ",
    "oâ": "ô",
    "oá": "ố",
    "oà": "ồ",
    "oå": "ổ",
    "oã": "ỗ",
    "oä": "ộ",
    "aê": "ă",
    "aé": "ắ",
    "aè": "ằ",
    "aú": "ẳ",
    "aü": "ẵ",
    "aë": "ặ",
    "ô": "ơ",
    "ö": "ư",
    "ôù": "ớ",
    "öù": "ứ",
    "ôø": "ờ",
    "öø": "ừ",
    "ôû": "ở",
    "öû": "ử",
    "ôõ": "ỡ",
    "öõ": "ữ",
    "ôï": "ợ",
    "öï": "ự",
    "ñ": "đ",
    "æ": "ỉ",
    "ó": "ĩ",
    "ò": "ị",
    "î": "ỵ",
    "AÙ": "Á",
    "AØ": "À",
    "AÛ": "Ả",
    "AÕ": "Ã",
    "AÏ": "Ạ",
    "EÙ": "É",
    "EØ": "È",
    "EÛ": "Ẻ",
    "EÕ": "Ẽ",
    "EÏ": "Ẹ",
    "OÙ": "Ó",
    "OØ": "Ò",
    "OÛ": "Ỏ",
    "OÕ": "Õ",
    "OÏ": "Ọ",
    "UÙ": "Ú",
    "UØ": "Ù",
    "UÛ": "Ủ",
    "UÕ": "Ũ",
    "UÏ": "Ụ",
    "YÙ": "Ý",
    "YØ": "Ỳ",
    "YÛ": "Ỷ",
    "YÕ": "Ỹ",
    "AÂ": "Â",
    "AÁ": "Ấ",
    "AÀ": "Ầ",
    "AÅ": "Ẩ",
    "AÃ": "Ẫ",
    "AÄ": "Ậ",
    "EÂ": "Ê",
    "EÁ": "Ế",
    "EÀ": "Ề",
    "EÅ": "Ể",
    "EÃ": "Ễ",
    "EÄ": "Ệ",
    "OÂ": "Ô",
    "OÁ": "Ố",
    "OÀ": "Ồ",
    "OÅ": "Ổ",
    "OÃ": "Ỗ",
    "OÄ": "Ộ",
    "AÊ": "Ă",
    "AÉ": "Ắ",
    "AÈ": "Ằ",
    "AÚ": "Ẳ",
    "AÜ": "Ẵ",
    "AË": "Ặ",
    "Ô": "Ơ",
    "Ö": "Ư",
    "ÔÙ": "Ớ",
    "ÖÙ": "Ứ",
    "ÔØ": "Ờ",
    "ÖØ": "Ừ",
    "ÔÛ": "Ở",
    "ÖÛ": "Ử",
    "ÔÕ": "Ỡ",
    "ÖÕ": "Ữ",
    "ÔÏ": "Ợ",
    "ÖÏ": "Ự",
    "Ñ": "Đ",
    "Æ": "Ỉ",
    "Ó": "Ĩ",
    "Ò": "Ị",
    "Î": "Ỵ",
}

#: Decode-only VNI forms some converters wrote (base letter + tone mark on i and y).
_VNI_EXTRA = {"iø": "ì", "iù": "í", "IØ": "Ì", "IÙ": "Í", "yï": "ỵ", "YÏ": "Ỵ"}

_TCVN3_SURFACE = {ord(bytes([b]).decode("cp1252")): letter for b, letter in TCVN3.items()}
_VNI_ALL = {**_VNI_EXTRA, **VNI}
_VNI_RE = re.compile("|".join(re.escape(seq) for seq in sorted(_VNI_ALL, key=len, reverse=True)))

#: Names as the messages say them.
ENCODINGS = {"cp1258": "Windows-1258", "tcvn3": "TCVN3 (ABC)", "vni": "VNI-Windows"}

# --------------------------------------------------------------------------- decoding


def _surface(raw: bytes) -> str:
    """The bytes as Windows-1252 characters (what a legacy font's text is, seen without the font)."""
    return raw.decode("cp1252")


def _decode_cp1258(raw: bytes) -> str:
    return unicodedata.normalize("NFC", raw.decode("cp1258"))


def _decode_tcvn3(raw: bytes) -> str:
    return unicodedata.normalize("NFC", _surface(raw).translate(_TCVN3_SURFACE))


def _decode_vni(raw: bytes) -> str:
    return unicodedata.normalize("NFC", _VNI_RE.sub(lambda m: _VNI_ALL[m.group(0)], _surface(raw)))


_DECODERS: dict[str, Callable[[bytes], str]] = {"cp1258": _decode_cp1258, "tcvn3": _decode_tcvn3, "vni": _decode_vni}


def encode_legacy(text: str, encoding: str) -> bytes:
    """``text`` in TCVN3 or VNI bytes (the inverse of the tables); letters an encoding lacks raise ValueError."""
    if encoding == "tcvn3":
        inverse = {letter: bytes([b]) for b, letter in TCVN3.items()}
    elif encoding == "vni":
        inverse = {letter: seq.encode("cp1252") for seq, letter in VNI.items()}
    else:
        raise ValueError(f"unknown legacy encoding {encoding!r}")
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch in inverse:
            out += inverse[ch]
        else:
            out += ch.encode("cp1252")  # ASCII and Windows punctuation; a letter the encoding lacks raises
    return bytes(out)


# --------------------------------------------------------------------------- recognising Vietnamese

_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_INITIAL = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
_NUCLEUS = (
    "iêu|oai|oay|oeo|uây|uôi|uya|uyê|uyu|ươi|ươu|yêu|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|ôi|ơi|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ưu|ươ|yê|"
    "a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
)
_SYLLABLE_RE = re.compile(rf"{_INITIAL}(?:{_NUCLEUS})(?:ch|ng|nh|[cmnptk])?")  # k: Đắk, Krông (place names)
_WORD_RE = re.compile(r"[^\W\d_]+")
#: How much text is looked at to recognise an encoding.
_SAMPLE_CHARS = 65536


def _is_syllable(word: str) -> bool:
    """Whether ``word`` (NFC) is one Vietnamese syllable: an initial, a vowel nucleus, a final, at most one tone."""
    parts = unicodedata.normalize("NFD", word.lower())
    if sum(c in _TONES for c in parts) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
    return _SYLLABLE_RE.fullmatch(bare) is not None


def vietnamese_ratio(text: str) -> tuple[int, int]:
    """(Vietnamese syllables, words) among the words of ``text`` that hold a non-ASCII character.

    Only accented words count: ASCII words ("ipv6", names) say nothing about the encoding.
    """
    good = total = 0
    for word in _WORD_RE.findall(unicodedata.normalize("NFC", text[:_SAMPLE_CHARS])):
        if word.isascii():
            continue
        total += 1
        good += _is_syllable(word)
    return good, total


#: Share of accented words that must be Vietnamese syllables for a reading to be accepted.
ACCEPT = 0.9


#: How many bytes are read to recognise the encoding; the chosen decoder then reads everything.
_SAMPLE_BYTES = 65536


def detect_and_decode(raw: bytes) -> tuple[str, str] | tuple[None, str]:
    """Read non-UTF-8 bytes as Windows-1258, TCVN3 or VNI: (text, encoding), or (None, why none fits).

    Every reading of the first 64 KB is scored by the share of its accented
    words that are Vietnamese syllables; the best one wins when it reaches
    :data:`ACCEPT` (on a tie the order above) and then decodes the whole text.
    Text with no accented word in any reading is Windows-1258, as before legacy
    fonts were recognised.
    """
    cut = raw.rfind(b"\n", 0, _SAMPLE_BYTES) if len(raw) > _SAMPLE_BYTES else len(raw)
    sample = raw[: cut if cut > 0 else _SAMPLE_BYTES]
    scores: list[tuple[float, int, str]] = []
    for rank, (name, decode) in enumerate(_DECODERS.items()):
        try:
            text = decode(sample)
        except UnicodeDecodeError:
            continue
        good, total = vietnamese_ratio(text)
        scores.append((good / total if total else -1.0, -rank, name))
    if not scores:
        return None, "has bytes that none of these encodings uses"
    ratio, _, name = max(scores)
    if ratio < 0:  # no accented words at all: punctuation only
        name = "cp1258"
    elif ratio < ACCEPT:
        return None, f"reads as mojibake in every Vietnamese encoding (at best {ratio:.0%} of its accented words are Vietnamese, as {ENCODINGS[name]})"
    try:
        return _DECODERS[name](raw), name
    except UnicodeDecodeError:
        return None, f"has bytes that {ENCODINGS[name]} does not use"


def _cp1252_bytes(text: str) -> bytes:
    """``text`` back to the bytes it was when it was wrongly read as Windows-1252 ("?" where it cannot be)."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            out.append(ord(ch) if ord(ch) < 256 else 0x3F)  # Windows-1252's five undefined bytes pass as themselves
    return bytes(out)


def _in_cp1252(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def mojibake_problem(text: str) -> str | None:
    """Why UTF-8 ``text`` looks like mojibake, or None.

    Two known kinds: UTF-8 that was read as Windows-1252 and saved again
    ("Há»™i" for "Hội"), and TCVN3/VNI glyphs saved as Windows characters
    ("Héi nghÞ" for "Hội nghị").  Text in another language is left alone:
    only a reading that turns it into Vietnamese counts.
    """
    sample = text[:_SAMPLE_CHARS]
    good, total = vietnamese_ratio(sample)
    if total == 0 or good / total >= ACCEPT:
        return None
    # Mojibake of either kind is made of Windows-1252 characters only (and U+FFFD where a byte was lost);
    # text with letters beyond them (ŏ, ƀ in Ê Đê, any script) is some other language, not mojibake.
    beyond = sum(1 for ch in sample if ord(ch) > 0xFF and ch != "\ufffd" and not _in_cp1252(ch))
    if beyond > 0.02 * sum(1 for ch in sample if ord(ch) > 0x7F):
        return None
    raw = _cp1252_bytes(sample)
    again = raw.decode("utf-8", errors="replace")
    if again != sample:
        fixed_good, fixed_total = vietnamese_ratio(again)
        if fixed_total and fixed_good / fixed_total >= ACCEPT:
            return "is mojibake: UTF-8 text that was read as Windows-1252 and saved again"
    for name in ("tcvn3", "vni"):
        try:
            converted = _DECODERS[name](raw)
        except UnicodeDecodeError:
            continue
        fixed_good, fixed_total = vietnamese_ratio(converted)
        if fixed_total and fixed_good / fixed_total >= ACCEPT:
            return f"is mojibake: {ENCODINGS[name]} font text saved as Windows characters"
    return None
