"""TCVN3 and VNI: the tables are complete and invertible, and detection picks the right reading."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from bantin.content.legacy import TCVN3, VNI, detect_and_decode, encode_legacy, mojibake_problem, vietnamese_ratio

_BASES = "aăâeêioôơuưy"
_TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
#: Every lower-case Vietnamese letter: 12 vowels with 6 tones each, and đ.
LOWER = sorted({unicodedata.normalize("NFC", unicodedata.normalize("NFD", v) + t) for v in _BASES for t in _TONES} | {"đ"})


def test_tables_cover_every_vietnamese_letter() -> None:
    assert len(LOWER) == 73
    plain = set("aeiouy")
    tcvn3 = set(TCVN3.values())
    assert all(letter in tcvn3 or letter in plain for letter in LOWER)
    assert {"Ă", "Â", "Ê", "Ô", "Ơ", "Ư", "Đ"} <= tcvn3  # TCVN3 has no upper-case toned letters
    vni = set(VNI.values())
    upper = [letter.upper() for letter in LOWER]
    assert all(letter in vni or letter in plain or letter in {"í", "ì"} for letter in LOWER)
    assert all(letter in vni or letter in {"A", "E", "I", "O", "U", "Y", "Í", "Ì"} for letter in upper)


def test_tables_are_one_to_one() -> None:
    assert len(set(TCVN3.values())) == len(TCVN3)
    assert len(set(VNI.values())) == len(VNI)
    assert all(0xA1 <= b <= 0xFE for b in TCVN3)


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_every_letter_round_trips(encoding: str) -> None:
    letters = LOWER + ([] if encoding == "tcvn3" else [letter.upper() for letter in LOWER])
    text = " ".join(letters)
    data = encode_legacy(text, encoding)
    from bantin.content import legacy

    decode = {"tcvn3": legacy._decode_tcvn3, "vni": legacy._decode_vni}[encoding]
    assert decode(data) == text


def test_tcvn3_has_no_upper_case_toned_letters() -> None:
    with pytest.raises(ValueError):
        encode_legacy("Ủy", "tcvn3")


def test_detection_picks_the_encoding_of_the_sample(sample_raw: Path) -> None:
    text = sample_raw.read_text(encoding="utf-8")
    good, total = vietnamese_ratio(text)
    assert total > 400 and good / total > 0.98
    for encoding in ("tcvn3", "vni"):
        assert detect_and_decode(encode_legacy(text, encoding)) == (text, encoding)


def test_foreign_text_in_utf8_is_not_called_mojibake() -> None:
    assert mojibake_problem("Ông Y Blang Niê nói với H’Hen Niê: Ơ Mí, ăn cơm. Français: élève, naïve, Müller, España.") is None
    assert mojibake_problem("Kruŏ ih dôk hlăm sang, ƀuôn sang") is None  # Ê Đê
