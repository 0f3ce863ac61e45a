"""The editable speech lexicon: the shipped file, one-line errors for bad files, project overrides."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from pathlib import Path

import pytest

from bantin.errors import ConfigError
from bantin.speech.lexicon import default_lexicon, default_lexicon_path, load_lexicon
from bantin.speech.normalize import normalize

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"


def test_shipped_lexicon_loads_and_is_rich_enough() -> None:
    lex = load_lexicon()
    assert lex.path == REPO / "src" / "bantin" / "data" / "locales" / "vi" / "lexicon.yaml"  # shipped, no project override
    assert len(lex.abbreviations) >= 40
    assert lex.abbreviations["UBND"] == "ủy ban nhân dân"
    assert lex.abbreviations["KT-XH"] == "kinh tế - xã hội"
    assert {"xã", "huyện", "hộ", "người", "đơn vị", "thôn", "buôn", "bon", "tổ", "trường"} <= set(lex.count_nouns)
    assert {"quý", "khóa", "khoá", "lần thứ", "Đại hội", "kỳ", "thế kỷ", "Chương", "Phần", "Điều"} <= set(lex.roman_keywords)
    assert lex.units["km/h"] == "ki lô mét trên giờ"
    assert lex.currencies["$"] == "đô la Mỹ"
    assert all(len(k) == 1 for k in lex.letter_names)
    assert isinstance(lex.patterns.abbreviation, re.Pattern)  # compiled once, at load


def test_default_lexicon_is_cached() -> None:
    assert default_lexicon() is default_lexicon()


BAD_LEXICONS = [
    (
        "bad.value.yaml",
        "tests/speech/data/bad.value.yaml: abbreviations.UBND: value must be a non-empty string, got 3. Write the spoken form, e.g. 'ủy ban nhân dân'.",
    ),
    ("bad.blank.yaml", "tests/speech/data/bad.blank.yaml: abbreviations.UBND: value must be a non-empty string"),
    ("bad.section.yaml", "tests/speech/data/bad.section.yaml: abbrevations: unknown section."),
    ("bad.syntax.yaml", "tests/speech/data/bad.syntax.yaml: not valid YAML at line 3:"),
    ("bad.list.yaml", "tests/speech/data/bad.list.yaml: count_nouns: must be a list of words, got dict."),
    ("bad.item.yaml", "tests/speech/data/bad.item.yaml: count_nouns[1]: item must be a non-empty string, got None."),
    ("bad.duplicate.yaml", "tests/speech/data/bad.duplicate.yaml: line 4: duplicate entry 'UBND'."),
    ("bad.key.yaml", "tests/speech/data/bad.key.yaml: abbreviations.True: key must be non-empty text, got True"),
    ("bad.letter.yaml", "tests/speech/data/bad.letter.yaml: letter_names.AB: key must be one capital letter"),
    ("bad.toplevel.yaml", "tests/speech/data/bad.toplevel.yaml: top level must be a mapping of sections, got list."),
    ("bad.empty.yaml", "tests/speech/data/bad.empty.yaml: the lexicon is empty."),
]


@pytest.mark.parametrize(("name", "message"), BAD_LEXICONS, ids=[b[0] for b in BAD_LEXICONS])
def test_bad_lexicon_gives_one_line_config_error(name: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_lexicon(DATA / name)
    text = str(caught.value)
    assert text.startswith(message)
    assert "\n" not in text
    assert text.endswith(".")  # ends with what to do


def test_missing_lexicon_names_the_file_and_the_fix(tmp_path: Path) -> None:
    missing = tmp_path / "vi" / "lexicon.yaml"
    with pytest.raises(ConfigError, match=r"lexicon\.yaml: lexicon file not found\. .*remove the project override"):
        load_lexicon(missing)


def test_bantin_locales_overrides_the_default_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "vi").mkdir()
    (tmp_path / "vi" / "lexicon.yaml").write_text("abbreviations:\n  UBND: ủy ban\ncount_nouns:\n  - ấp\n", encoding="utf-8")
    monkeypatch.setenv("BANTIN_LOCALES", str(tmp_path))
    assert default_lexicon_path() == tmp_path / "vi" / "lexicon.yaml"
    assert load_lexicon().abbreviations == {"UBND": "ủy ban"}
    # sections left out are empty: no spelling, no units, but the rules still run
    assert normalize("UBND xã, 3/4 ấp, WTO") == "ủy ban xã, ba trên bốn ấp, WTO"


def test_bad_project_lexicon_surfaces_in_normalize(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "vi").mkdir()
    (tmp_path / "vi" / "lexicon.yaml").write_text("abbreviations: [UBND]\n", encoding="utf-8")
    monkeypatch.setenv("BANTIN_LOCALES", str(tmp_path))
    with pytest.raises(ConfigError, match=r"lexicon\.yaml"):
        normalize("UBND")


def test_without_a_project_override_the_shipped_lexicon_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANTIN_LOCALES", str(tmp_path))
    assert normalize("UBND") == "ủy ban nhân dân"


def test_lexicon_entries_are_nfc(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    decomposed = unicodedata.normalize("NFD", "HĐND: hội  đồng nhân dân\n")
    path.write_text("abbreviations:\n  " + decomposed, encoding="utf-8")
    lex = load_lexicon(path)
    assert lex.abbreviations == {"HĐND": "hội đồng nhân dân"}
    assert normalize("HĐND huyện", lexicon=lex) == "hội đồng nhân dân huyện"


def test_operator_can_extend_the_lexicon() -> None:
    lex = load_lexicon()
    extended = dataclasses.replace(
        lex,
        abbreviations={**lex.abbreviations, "ĐSND": "đường sắt nhân dân"},
        count_nouns=(*lex.count_nouns, "ấp"),
    )
    assert normalize("ĐSND, 3/4 ấp", lexicon=extended) == "đường sắt nhân dân, ba trên bốn ấp"
    assert normalize("ĐSND, 3/4 ấp", lexicon=lex) == "đê ét xì en nờ dê, ba tháng tư ấp"
