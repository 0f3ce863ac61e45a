"""Which speech normalization a reading's language gets: a registry of ``str -> str`` pipelines.

Each language with rules of its own has a tuple of plain steps (gTTS's
``pre_processors`` style): Vietnamese :data:`bantin.speech.normalize.DEFAULT_PIPELINE`
(with the editable lexicon bound in), English
:data:`bantin.speech.normalize_en.PIPELINE`.  Any other language (Khmer) gets
:data:`PLAIN`: NFC and single spaces, the text read as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bantin.speech.normalize import DEFAULT_PIPELINE, Step, clean_text, normalize
from bantin.speech.normalize_en import PIPELINE as ENGLISH_PIPELINE

__all__ = ["PIPELINES", "PLAIN", "pipeline_for", "speech_normalizer"]


def collapse_spaces(text: str) -> str:
    """Every run of white space → one space, trimmed."""
    return re.sub(r"\s+", " ", text).strip()


#: A language without rules of its own: Unicode NFC, zero-width characters dropped, single spaces.
PLAIN: tuple[Step, ...] = (clean_text, collapse_spaces)

#: Speech normalization per language (the primary subtag of the locale code).
PIPELINES: dict[str, tuple[Step, ...]] = {
    "vi": DEFAULT_PIPELINE,
    "en": ENGLISH_PIPELINE,
}


def pipeline_for(lang: str) -> tuple[Step, ...]:
    """The steps that prepare text in ``lang`` ("en", "en-GB", "vi") for a voice; :data:`PLAIN` for other languages."""
    return PIPELINES.get(lang.split("-")[0].split("_")[0].lower(), PLAIN)


def _run(text: str, steps: Sequence[Step]) -> str:
    for step in steps:
        text = step(text)
    return text


def speech_normalizer(lang: str) -> Callable[[str], str]:
    """A function that turns written ``lang`` text into what a voice reads (the reading's ``prepare``).

    Vietnamese goes through :func:`bantin.speech.normalize.normalize`, which binds the lexicon.
    """
    steps = pipeline_for(lang)
    if steps is DEFAULT_PIPELINE:
        return normalize

    def prepare(text: str) -> str:
        return _run(text, steps)

    prepare.__name__ = prepare.__qualname__ = f"normalize_{lang.split('-')[0].lower()}"
    prepare.__doc__ = f"Speech normalization for {lang!r} ({len(steps)} steps)."
    return prepare
