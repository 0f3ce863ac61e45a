"""Vietnamese words inside a reading in another language, to be read with the Vietnamese voice.

An English reading of a provincial bulletin keeps place and person names
("Đắk Nông", "K’Thanh", "Dak Song"); an English voice spells or mangles
them.  :func:`vietnamese_runs` cuts a text into runs of the reading's own
language and runs of Vietnamese words, so the reading assembler can speak
each Vietnamese run with the Vietnamese voice of the same engine.

A word is Vietnamese when it has a letter only Vietnamese writes (đ, ă, ơ, ư,
or a vowel with a Vietnamese tone mark such as "ắ", "ộ", "ủ"), or when it is
capitalized and its accent-free form is one of the ``names`` (the
capitalized words of the Vietnamese text: "Dak" matches "Đắk").  A
capitalized word with any accent next to one of those joins the run ("Hà"
in "Hà Nội").  A run may hold the spaces and hyphens between its words.  A capitalized word
with no Vietnamese letter standing alone at the start of a sentence is left
to the reading's voice ("Song was ..." is English).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable

__all__ = ["fold", "is_vietnamese_word", "name_set", "vietnamese_runs"]

#: combining marks Vietnamese uses and the Latin-1 languages (en, fr) do not: hook above, dot below, horn, breve
_VI_MARKS = frozenset("\u0309\u0323\u031b\u0306")
#: precomposed letters that are Vietnamese only
_VI_LETTERS = frozenset("đĐ")
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_JOINER_RE = re.compile(r"[ \t]+|[ \t]*-[ \t]*")
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?:;]\s*|[“\"(]\s*)$")


def fold(word: str) -> str:
    """The word without accents, lower case, with one kind of apostrophe ("Đắk" → "dak", "K’Thanh" → "k'thanh")."""
    decomposed = unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "D").replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def is_vietnamese_word(word: str) -> bool:
    """True when the word has a letter only Vietnamese writes ("Đắk", "Sỹ"; "Nông" is not enough: ô is French too)."""
    if any(c in _VI_LETTERS or "\u1ea0" <= c <= "\u1ef9" for c in unicodedata.normalize("NFC", word)):
        return True  # đ, or a letter of the Vietnamese part of Latin Extended Additional (ạ … ỹ)
    decomposed = unicodedata.normalize("NFD", word)
    marks = [c for c in decomposed if unicodedata.combining(c)]
    if any(c in _VI_MARKS for c in marks):
        return True
    # two marks on one letter (circumflex + tone: "ộ", "ầ") is Vietnamese only
    return any(unicodedata.combining(a) and unicodedata.combining(b) for a, b in itertools.pairwise(decomposed))


def name_set(texts: Iterable[str]) -> frozenset[str]:
    """Folded capitalized words of Vietnamese ``texts`` (and every word with a Vietnamese letter), for matching names."""
    names: set[str] = set()
    for text in texts:
        for match in _WORD_RE.finditer(unicodedata.normalize("NFC", text)):
            word = match.group(0)
            if word[0].isupper() or is_vietnamese_word(word):
                names.add(fold(word))
    return frozenset(names)


def vietnamese_runs(text: str, names: frozenset[str] = frozenset()) -> list[tuple[str, bool]]:
    """Cut ``text`` into ``(piece, is_vietnamese)`` runs; joined, the pieces give ``text`` back."""
    words = list(_WORD_RE.finditer(text))
    strong = [is_vietnamese_word(m.group(0)) for m in words]
    named = [m.group(0)[0].isupper() and fold(m.group(0)) in names for m in words]
    # a capitalized word with any accent joins a neighbouring Vietnamese word ("Hà" in "Hà Nội")
    weak = [m.group(0)[0].isupper() and fold(m.group(0)) != m.group(0).lower() for m in words]
    member = [s or n or w for s, n, w in zip(strong, named, weak, strict=True)]
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(words):
        if not member[index]:
            index += 1
            continue
        first = index
        while index + 1 < len(words) and member[index + 1] and _JOINER_RE.fullmatch(text[words[index].end() : words[index + 1].start()]):
            index += 1
        start, end = words[first].start(), words[index].end()
        anchored = any(strong[first : index + 1]) or any(named[first : index + 1])
        lone = first == index and not strong[first]
        if anchored and not (lone and _SENTENCE_START_RE.search(text[:start])):
            spans.append((start, end))
        index += 1
    runs: list[tuple[str, bool]] = []
    position = 0
    for start, end in spans:
        if start > position:
            runs.append((text[position:start], False))
        runs.append((text[start:end], True))
        position = end
    if position < len(text):
        runs.append((text[position:], False))
    return runs
