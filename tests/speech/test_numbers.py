"""Vietnamese number words: what an announcer says for a number."""

from __future__ import annotations

import pytest

from bantin.speech.numbers import read_number

Y2024 = "hai nghìn không trăm hai mươi tư"


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "không"),
        (5, "năm"),
        (15, "mười lăm"),
        (20, "hai mươi"),
        (34, "ba mươi tư"),
        (41, "bốn mươi mốt"),
        (101, "một trăm lẻ một"),
        (1010, "một nghìn không trăm mười"),
        (2024, Y2024),
        (1_050_000, "một triệu không trăm năm mươi nghìn"),
        (1_000_000_005, "một tỷ không trăm lẻ năm"),
    ],
)
def test_read_number(n: int, words: str) -> None:
    assert read_number(n) == words


def test_read_number_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        read_number(-1)
    with pytest.raises(TypeError):
        read_number(True)
    with pytest.raises(TypeError):
        read_number("12")  # type: ignore[arg-type]
