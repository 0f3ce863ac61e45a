"""Sentence splitting and chunking for engines with a length limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from bantin.speech.chunking import chunk, split_sentences
from bantin.speech.normalize import normalize

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "content" / "raw" / "dan-van-quy-ii-2024.txt"


def test_split_sentences() -> None:
    assert split_sentences("Một câu. Câu hai!  Câu ba? Câu bốn") == ["Một câu.", "Câu hai!", "Câu ba?", "Câu bốn"]
    assert split_sentences("") == []


def test_chunk_keeps_short_text_whole() -> None:
    assert chunk("Xin chào. Tạm biệt.") == ["Xin chào. Tạm biệt."]
    assert chunk("") == []


def test_chunk_prefers_sentence_then_clause_boundaries() -> None:
    text = "Một hai ba bốn năm sáu. Bảy tám chín mười, mười một mười hai; mười ba mười bốn."
    assert chunk(text, limit=40) == [
        "Một hai ba bốn năm sáu.",
        "Bảy tám chín mười, mười một mười hai;",
        "mười ba mười bốn.",
    ]


def test_chunk_splits_inside_a_clause_only_at_spaces() -> None:
    text = "aaaa bbbb cccc dddd eeee ffff gggg"
    assert chunk(text, limit=10) == ["aaaa bbbb", "cccc dddd", "eeee ffff", "gggg"]
    assert chunk("siêu-dài-không-cắt-được", limit=5) == ["siêu-dài-không-cắt-được"]  # a word is never cut


@pytest.mark.parametrize("limit", [100, 60, 25])
def test_chunks_of_the_sample_fit_and_lose_nothing(limit: int) -> None:
    if not SAMPLE.is_file():
        pytest.skip(f"{SAMPLE} is not in this checkout")
    spoken = normalize(SAMPLE.read_text(encoding="utf-8"))
    pieces = chunk(spoken, limit=limit)
    assert all(len(p) <= limit for p in pieces)
    assert " ".join(pieces).split() == spoken.split()


@pytest.mark.parametrize("limit", [0, -5, True, 2.5])
def test_chunk_rejects_bad_limits(limit: object) -> None:
    with pytest.raises(ValueError, match="positive int"):
        chunk("abc", limit=limit)  # type: ignore[arg-type]
