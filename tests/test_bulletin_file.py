"""The bulletin YAML: editor-friendly output and validation that names the field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bantin.content.bulletin_file import FIELD_ORDER, dump_bulletin, load_bulletin, save_bulletin
from bantin.errors import BulletinValidationError
from bantin.content.ingest import read_bulletin

from testing_utils import DATA


def test_shipped_sample_matches_ingest(sample_raw: Path, sample_yaml: Path) -> None:
    assert load_bulletin(sample_yaml) == read_bulletin(sample_raw)


def test_yaml_is_editor_friendly(sample_bulletin) -> None:
    text = dump_bulletin(sample_bulletin)
    assert "\\u" not in text and "Đắk Song" in text  # real UTF-8
    assert "{" not in text.split("body:")[0]  # block style
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith((" ", "-"))]
    assert keys == [k for k in FIELD_ORDER if k in keys]
    body = yaml.safe_load(text)["body"]
    assert [list(b)[0] for b in body].count("paragraph") == 4
    assert all("\n" not in b["paragraph"] for b in body if "paragraph" in b)  # one paragraph per item


def test_round_trip_and_idempotent_save(sample_bulletin, tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    assert save_bulletin(sample_bulletin, path) is True
    mtime = path.stat().st_mtime_ns
    assert save_bulletin(sample_bulletin, path) is False
    assert path.stat().st_mtime_ns == mtime
    assert load_bulletin(path) == sample_bulletin


@pytest.mark.parametrize(
    ("name", "field", "line"),
    [
        ("bad.missing-title.yaml", "title", None),
        ("bad.date.yaml", "date", 3),
        ("bad.block-kind.yaml", "body[1]", 6),
        ("bad.image-alt.yaml", "body[1].image.alt", None),
        ("bad.id.yaml", "id", 1),
        ("bad.unknown-field.yaml", "autor", 4),
        ("bad.syntax.yaml", "(syntax)", 2),
        ("bad.paragraph-type.yaml", "body[1].paragraph", 6),
        ("bad.republish-slot.yaml", "republish.slots[0]", 6),
        ("bad.republish-until.yaml", "republish.until", 5),
    ],
)
def test_validation_errors_name_file_and_field(name: str, field: str, line: int | None) -> None:
    path = DATA / "bulletins" / name
    with pytest.raises(BulletinValidationError) as info:
        load_bulletin(path)
    err = info.value
    message = str(err)
    assert err.field == field
    assert f"field '{field}'" in message and str(path) in message
    assert "\n" not in message and message.endswith(".")
    assert err.problem in message and err.hint.rstrip(".") in message  # what is wrong, then what to do
    if line is not None:
        assert err.line == line


def test_republish_window_round_trips(sample_bulletin, tmp_path: Path) -> None:
    """The optional window is written after the byline, slots as quoted HH:MM, and read back unchanged."""
    import dataclasses
    import datetime as dt

    from bantin.content.model import Republish

    windowed = dataclasses.replace(sample_bulletin, republish=Republish(dt.date(2024, 7, 15), (dt.time(5, 30), dt.time(16, 30))))
    path = tmp_path / "w.yaml"
    save_bulletin(windowed, path)
    text = path.read_text(encoding="utf-8")
    assert "republish:\n  until: 2024-07-15\n  slots:\n  - 05:30\n  - 16:30\nbody:" in text.replace("'", "")
    assert load_bulletin(path) == windowed
    assert yaml.safe_load(text)["republish"]["slots"] == ["05:30", "16:30"]  # strings, not YAML 1.1 sexagesimal numbers
    assert "republish" not in dump_bulletin(sample_bulletin)


def test_slot_read_as_a_number_says_to_quote_it() -> None:
    with pytest.raises(BulletinValidationError) as info:
        load_bulletin(DATA / "bulletins" / "bad.republish-slot.yaml")
    assert "5:30 read as the number 330" in str(info.value) and 'quoted "HH:MM"' in str(info.value)


def test_cli_validation_error_has_no_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bantin.cli", "publish", str(DATA / "bulletins" / "bad.date.yaml")],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "field 'date'" in proc.stderr and "YYYY-MM-DD" in proc.stderr
