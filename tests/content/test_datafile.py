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
