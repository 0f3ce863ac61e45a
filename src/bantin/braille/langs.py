"""Which language each part of a braille block is in, down to Vietnamese names inside other languages.

A block is a tuple of :class:`Segment` s, each in one language: the model knows
the language of every text unit (:meth:`bantin.i18n.localize.Variant.lang_of`),
of the chrome (``chrome_lang``) and of the date (``date_lang``).  Inside a
segment in another language, :func:`split_names` finds the words written in
Vietnamese letters ("Đắk Song", "Lê Sỹ Tuân"): translations keep the
Vietnamese names of people and places, and the English braille table has no
letters for most of them (it writes ``'\\x1eaf'`` escapes, or stacks UEB
modifiers on the wrong letter), so they are transcribed as Vietnamese.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Segment", "is_vietnamese_word", "merge", "split_names"]

#: The five tone marks of Vietnamese (grave, acute, tilde, hook above, dot below), on any vowel.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
#: The letter-shaping marks and the letters they go on: â ê ô, ă, ơ ư.
_SHAPES = {"\u0302": "aeo", "\u0306": "a", "\u031b": "ou"}
_VOWELS = "aeiouy"
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class Segment:
    """A part of a braille block in one language: its text and BCP 47 tag."""

    text: str
    lang: str


def is_vietnamese_word(word: str) -> bool:
    """Whether ``word`` is spelled in Vietnamese letters only, at least one beyond a–z (đ, ă, â, ê, ô, ơ, ư or a tone mark).

    >>> [is_vietnamese_word(w) for w in ("Đắk", "Đức", "Nguyễn", "café", "Song", "Zürich", "señor")]
    [True, True, True, True, False, False, False]
    """
    beyond, base, shaped, toned = False, "", False, False
    for ch in unicodedata.normalize("NFD", word):
        low = ch.lower()
        if low in _ASCII_LETTERS or low == "đ":
            base, shaped, toned = low, False, False
            beyond = beyond or low == "đ"
        elif ch in _SHAPES and base in _SHAPES[ch] and not shaped:
            beyond = shaped = True
        elif ch in _TONES and base in _VOWELS and not toned:
            beyond = toned = True
        else:
            return False
    return beyond


def _words(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each word of ``text``: a run of letters and the marks on them."""
    start = None
    for i, ch in enumerate(text):
        inside = ch.isalpha() or unicodedata.combining(ch) > 0
        if inside and start is None:
            start = i
        elif not inside and start is not None:
            yield start, i
            start = None
    if start is not None:
        yield start, len(text)


def split_names(segment: Segment, name_lang: str = "vi") -> list[Segment]:
    """``segment`` cut around its runs of Vietnamese-lettered words, which become ``name_lang`` segments.

    A run is such words separated by spaces only; a capitalised a–z word between
    two of them belongs to the run ("Buôn Ma Thuột").  A segment already in
    Vietnamese is returned whole.

    >>> [(s.text, s.lang) for s in split_names(Segment("at the Đắk Song District, in Buôn Ma Thuột.", "en"))]
    [('at the ', 'en'), ('Đắk', 'vi'), (' Song District, in ', 'en'), ('Buôn Ma Thuột', 'vi'), ('.', 'en')]
    """
    if segment.lang.split("-")[0].lower() == name_lang.split("-")[0].lower():
        return [segment]
    text = segment.text
    words = list(_words(text))
    marked = [is_vietnamese_word(text[s:e]) for s, e in words]
    for i in range(1, len(words) - 1):
        s, e = words[i]
        if (
            not marked[i]
            and marked[i - 1]
            and marked[i + 1]
            and text[s].isupper()
            and text[s:e].isascii()
            and text[words[i - 1][1] : s] == " " == text[e : words[i + 1][0]]
        ):
            marked[i] = True
    runs: list[list[int]] = []  # [start, end] of each run of marked words
    for (s, e), vi in zip(words, marked, strict=True):
        if not vi:
            continue
        if runs and not text[runs[-1][1] : s].strip():
            runs[-1][1] = e
        else:
            runs.append([s, e])
    if not runs:
        return [segment]
    out: list[Segment] = []
    at = 0
    for s, e in runs:
        if s > at:
            out.append(Segment(text[at:s], segment.lang))
        out.append(Segment(text[s:e], name_lang))
        at = e
    if at < len(text):
        out.append(Segment(text[at:], segment.lang))
    return out


def merge(segments: list[Segment]) -> list[Segment]:
    """Neighbouring segments in the same language joined into one (so liblouis sees them together), empty ones dropped."""
    out: list[Segment] = []
    for seg in segments:
        if not seg.text:
            continue
        if out and out[-1].lang == seg.lang:
            out[-1] = Segment(out[-1].text + seg.text, seg.lang)
        else:
            out.append(seg)
    return out
