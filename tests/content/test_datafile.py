"""Hand-edited YAML data files: a missing file or a syntax error is one line that names the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bantin.datafile import read_data_file
from bantin.errors import ConfigError


def test_reads_mapping_and_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("lines: [Image banner]\n", encoding="utf-8")
    assert read_data_file(path, "unused") == {"lines": ["Image banner"]}
    path.write_text("", encoding="utf-8")
    assert read_data_file(path, "unused") == {}


def test_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no such file\. Restore it"):
        read_data_file(tmp_path / "gone.yaml", "Restore it")


def test_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("a: 1\nb: [unclosed\nc: 3\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        read_data_file(path, "unused")
    message = str(info.value)
    assert message.startswith(f"{path}:") and "YAML syntax error" in message and "\n" not in message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a: &x [1, 2]\nb: *x\n", "anchors (&name) are not allowed"),
        ("b: *x\n", "aliases (*name) are not allowed"),
        ("a: !!python/name:os.system x\n", "tags (!name) are not allowed"),
        ("a: 1\na: 2\n", "key 'a' appears twice"),
        ("a: b\x01c\n", "U+0001 is a control character"),
        ('a: "\\e[2J"\n', "U+001B is a control character"),
        ("a: x\u202ey\n", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("a: " + "[" * 50 + "\n", "nested more than 32 levels deep"),
        ("a: " + "1" * 100 + "\n", "a number of 100 characters"),
        ("a: 2024-02-30\n", "'2024-02-30' is not a date"),
    ],
)
def test_plain_yaml_rules(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        read_data_file(path, "unused")
    message = str(info.value)
    assert words in message and message.startswith(f"{path}:") and "\n" not in message
    assert "\x1b" not in message and "\u202e" not in message


def test_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("a: " + "x" * 2000 + "\n", encoding="utf-8")
    monkeypatch.setenv("BANTIN_MAX_YAML_BYTES", "1000")
    with pytest.raises(ConfigError, match="larger than 1000 bytes"):
        read_data_file(path, "unused")
    monkeypatch.setenv("BANTIN_MAX_YAML_BYTES", "lots")
    with pytest.raises(ConfigError, match="BANTIN_MAX_YAML_BYTES='lots' must be a whole number"):
        read_data_file(path, "unused")


def test_shipped_data_files_still_read() -> None:
    from testing_utils import ROOT

    files = sorted((ROOT / "src" / "bantin" / "data").rglob("*.yaml")) + sorted((ROOT / "locales").rglob("*.yaml"))
    assert files
    for path in files:
        assert read_data_file(path, "unused") is not None


def test_dates_and_numbers_keep_their_types(tmp_path: Path) -> None:
    import datetime as dt

    path = tmp_path / "d.yaml"
    path.write_text("day: 2024-06-28\nn: 3\nf: 1.5\nt: '05:30'\n", encoding="utf-8")
    assert read_data_file(path, "unused") == {"day": dt.date(2024, 6, 28), "n": 3, "f": 1.5, "t": "05:30"}
