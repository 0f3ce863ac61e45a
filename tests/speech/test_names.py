"""Vietnamese words inside a non-Vietnamese reading: which runs the Vietnamese voice reads."""

from __future__ import annotations

import pytest

from bantin.speech.names import fold, is_vietnamese_word, name_set, vietnamese_runs

SOURCE = (
    "Tham dự hội nghị có đồng chí K’Thanh - TUV, Bí thư huyện ủy, Chủ tịch HĐND huyện Đắk Song; "
    "Đồng chí Lê Sỹ Tuân - Phó trưởng Ban Thường trực Ban Dân vận Tỉnh ủy Đắk Nông chủ trì hội nghị."
)
NAMES = name_set([SOURCE])


@pytest.mark.parametrize(
    ("word", "vietnamese"),
    [
        ("Đắk", True),
        ("Nội", True),
        ("ủy", True),
        ("Sỹ", True),
        ("Ơn", True),
        ("Nông", False),
        ("café", False),
        ("René", False),
        ("Song", False),
        ("province", False),
    ],
)
def test_vietnamese_letters(word: str, vietnamese: bool) -> None:
    assert is_vietnamese_word(word) is vietnamese


def test_fold_matches_names_written_without_accents() -> None:
    assert fold("Đắk") == "dak" and fold("K’Thanh") == "k'thanh"
    assert {"dak", "song", "nong", "k'thanh", "tuan"} <= NAMES


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        (
            "The meeting was held in Dak Song district, Đắk Nông province.",
            ["Dak Song", "Đắk Nông"],
        ),
        ("Comrade K’Thanh chaired it.", ["K’Thanh"]),
        ("Comrade Le Sy Tuan spoke.", ["Le Sy Tuan"]),
        ("Song was sung in Paris.", []),  # a lone name-like word opening a sentence stays English
        ("The café in Paris, Hà Nội and Đắk-Nông.", ["Hà Nội", "Đắk-Nông"]),
        ("No Vietnamese here at all.", []),
    ],
)
def test_runs(text: str, runs: list[str]) -> None:
    cut = vietnamese_runs(text, NAMES)
    assert "".join(piece for piece, _ in cut) == text
    assert [piece for piece, vi in cut if vi] == runs
