"""The bulletin YAML: editor-friendly output and validation that names the field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bantin.content.bulletin_file import FIELD_ORDER, dump_bulletin, load_bulletin, save_bulletin
from bantin.content.ingest import read_bulletin
from bantin.errors import BulletinValidationError
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
    assert [next(iter(b)) for b in body].count("paragraph") == 4
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
        ("bad.impossible-date.yaml", "date", 3),
        ("bad.alias-bomb.yaml", "(syntax)", 1),
        ("bad.control-byte.yaml", "(text)", 5),
        ("bad.escaped-control.yaml", "body[1].paragraph", 6),
        ("bad.bidi.yaml", "(text)", 2),
        ("bad.zero-width-space.yaml", "(text)", 5),
        ("bad.duplicate-key.yaml", "title", 6),
        ("bad.tag.yaml", "(syntax)", 5),
        ("bad.deep.yaml", "(syntax)", 5),
        ("bad.big-number.yaml", "body[0].paragraph", 5),
        ("bad.long-title.yaml", "title", 2),
        ("bad.long-paragraph.yaml", "body[1].paragraph", 6),
    ],
)
@pytest.mark.parametrize("libyaml", [True, False], ids=["libyaml", "pure-python"])
def test_validation_errors_name_file_and_field(name: str, field: str, line: int | None, libyaml: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bantin.datafile._USE_LIBYAML", libyaml)
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
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "field 'date'" in proc.stderr and "YYYY-MM-DD" in proc.stderr


# --------------------------------------------------------------------------- bad input: one clear line, bounded cost


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "b.yaml"
    path.write_text(text, encoding="utf-8")
    return path


_HEAD = "id: 2024-06-28-x\ntitle: Tiêu đề\ndate: 2024-06-28\nbody:\n"


@pytest.mark.parametrize(
    ("date", "reason"),
    [
        ("2024-02-31", "February 2024 has 29 days"),
        ("2023-02-29", "February 2023 has 28 days"),
        ("2024-06-31", "June has 30 days"),
        ("2024-13-01", "there is no month 13"),
        ("'2024-04-31'", "April has 30 days"),
    ],
)
def test_impossible_date_is_refused_with_the_reason_never_rolled_over(tmp_path: Path, date: str, reason: str) -> None:
    path = _write(tmp_path, f"id: x\ntitle: T\ndate: {date}\nbody:\n  - paragraph: P.\n")
    with pytest.raises(BulletinValidationError) as info:
        load_bulletin(path)
    assert info.value.field == "date" and info.value.line == 3
    assert reason in str(info.value) and str(info.value).startswith(f"{path}:3: field 'date': ")


def test_republish_until_impossible_date(tmp_path: Path) -> None:
    path = _write(tmp_path, _HEAD + "  - paragraph: P.\nrepublish:\n  until: 2024-09-31\n")
    with pytest.raises(BulletinValidationError, match="September has 30 days") as info:
        load_bulletin(path)
    assert info.value.field == "republish.until" and info.value.line == 7


def test_lone_surrogate_escape_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, _HEAD + '  - paragraph: "Một \\ud800 đoạn"\n')
    with pytest.raises(BulletinValidationError) as info:
        load_bulletin(path)
    assert info.value.line == 5 and ("U+D800" in str(info.value) or "invalid Unicode character escape" in str(info.value))


def test_too_many_values_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, _HEAD + "  - paragraph: a\n" * 30_000)
    with pytest.raises(BulletinValidationError, match="more than 50000 values"):
        load_bulletin(path)


def test_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    """A 400-byte billion-laughs document: refused at the first anchor, fast, with a short message."""
    import time

    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    levels += [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
    path = _write(tmp_path, "\n".join(levels) + "\nid: x\ntitle: *i\n")
    assert path.stat().st_size < 500
    started = time.perf_counter()
    with pytest.raises(BulletinValidationError) as info:
        load_bulletin(path)
    assert time.perf_counter() - started < 1.0
    assert "anchors" in info.value.problem and len(str(info.value)) < 300


@pytest.mark.parametrize("document", ["title: &t T\n", "- *x\n", "a: !!python/object:os.system x\n", "<<: {a: 1}\n"])
def test_anchors_aliases_and_tags_are_refused(tmp_path: Path, document: str) -> None:
    path = _write(tmp_path, document)
    with pytest.raises(BulletinValidationError) as info:
        load_bulletin(path)
    assert "\n" not in str(info.value)


def test_size_cap_is_checked_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, _HEAD + "  - paragraph: " + "a" * 5000 + "\n")
    monkeypatch.setenv("BANTIN_MAX_YAML_BYTES", "4096")
    with pytest.raises(BulletinValidationError, match="larger than 4096 bytes") as info:
        load_bulletin(path)
    assert info.value.field == "(file)" and "BANTIN_MAX_YAML_BYTES" in str(info.value)
    monkeypatch.setenv("BANTIN_MAX_YAML_BYTES", "8192")
    assert load_bulletin(path).paragraphs[0].text == "a" * 5000


@pytest.mark.parametrize(
    ("escape", "code"),
    [("\\a", "U+0007"), ("\\e", "U+001B"), ("\\x7F", "U+007F"), ("\\x85", "U+0085"), ("\\u202E", "U+202E"), ("\\uFEFF", "U+FEFF"), ("\\x00", "U+0000")],
)
def test_escaped_controls_in_quoted_text_are_refused(tmp_path: Path, escape: str, code: str) -> None:
    path = _write(tmp_path, _HEAD + f'  - paragraph: "Một {escape} đoạn"\n')
    with pytest.raises(BulletinValidationError) as info:
        load_bulletin(path)
    assert code in str(info.value) and info.value.field == "body[0].paragraph" and info.value.line == 5


@pytest.mark.parametrize("char", ["\x01", "\x1b", "\x7f", "\x9b", "\u202e", "\u2066", "\u200b", "\u2060", "\ufeff", "\x0c"])
def test_raw_control_and_invisible_characters_are_refused_with_line_and_column(tmp_path: Path, char: str) -> None:
    path = _write(tmp_path, _HEAD + f"  - paragraph: Một{char} đoạn\n")
    with pytest.raises(BulletinValidationError) as info:
        load_bulletin(path)
    message = str(info.value)
    assert info.value.line == 5 and "column 19" in message and f"U+{ord(char):04X}" in message
    assert char not in message  # named, never printed


def test_zero_width_joiner_stays_where_khmer_needs_it(tmp_path: Path) -> None:
    path = _write(tmp_path, _HEAD.replace("Tiêu đề", "ព័ត៌មាន") + "  - paragraph: ស្រុក\u200dក និង\u200cខ\n")
    assert load_bulletin(path).paragraphs[0].text == "ស្រុក\u200dក និង\u200cខ"
    path = _write(tmp_path, _HEAD + "  - paragraph: Một\u200d đoạn\n")  # between Latin letters it joins nothing
    with pytest.raises(BulletinValidationError, match="U\\+200D"):
        load_bulletin(path)


def test_values_in_messages_are_escaped_and_cut(tmp_path: Path) -> None:
    path = _write(tmp_path, f'id: "x\\e]0;owned\\a{"y" * 100_000}"\ntitle: T\ndate: 2024-06-28\nbody:\n  - paragraph: P.\n')
    with pytest.raises(BulletinValidationError) as info:
        load_bulletin(path)
    assert "\x1b" not in str(info.value) and len(str(info.value)) < 300
    path = _write(tmp_path, f"id: {'Đ' * 100_000}\ntitle: T\ndate: 2024-06-28\nbody:\n  - paragraph: P.\n")
    with pytest.raises(BulletinValidationError) as info:
        load_bulletin(path)
    assert "(100000 characters)" in str(info.value) and len(str(info.value)) < len(str(path)) + 300


def test_length_limits_are_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, _HEAD.replace("Tiêu đề", "T" * 40) + "  - paragraph: " + "p" * 60 + "\n")
    assert load_bulletin(path).title == "T" * 40
    monkeypatch.setenv("BANTIN_MAX_TITLE_CHARS", "30")
    with pytest.raises(BulletinValidationError, match=r"40 characters is too long.*limit 30"):
        load_bulletin(path)
    monkeypatch.delenv("BANTIN_MAX_TITLE_CHARS")
    monkeypatch.setenv("BANTIN_MAX_PARAGRAPH_CHARS", "50")
    with pytest.raises(BulletinValidationError, match=r"60 characters is too long.*limit 50"):
        load_bulletin(path)


@pytest.mark.parametrize(
    "data",
    [b"id: x\ntitle: \xff\xfe\n", b"\xef\xbb\xbfid: [\n", b"\x00" * 10, b"- - - - -\n", b"? [a, b]\n: c\n", b"[" * 100_000, b"{a: 1, a: 2}"],
    ids=["not-utf8", "bom-unclosed", "nul", "nested-dashes", "complex-key", "deep-brackets", "duplicate-flow-key"],
)
def test_odd_documents_give_one_line(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "odd.yaml"
    path.write_bytes(data)
    with pytest.raises(BulletinValidationError) as info:
        load_bulletin(path)
    assert "\n" not in str(info.value) and len(str(info.value)) < 400


def test_cli_bad_yaml_classes_are_one_short_line(tmp_path: Path) -> None:
    """Through the real command: exit 2, one line under 2 KB, no traceback, nothing written."""
    for name in ("bad.alias-bomb.yaml", "bad.control-byte.yaml", "bad.impossible-date.yaml", "bad.escaped-control.yaml"):
        proc = subprocess.run(
            [sys.executable, "-m", "bantin.cli", "publish", str(DATA / "bulletins" / name)],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
            cwd=tmp_path,
            env=_env(tmp_path),
        )
        assert proc.returncode == 2, (name, proc.stderr)
        assert "Traceback" not in proc.stderr and len(proc.stderr.encode()) < 2048 and proc.stderr.count("\n") == 1, name
        assert "\x1b" not in proc.stderr
        assert not (tmp_path / "outputs").exists()


def _env(tmp_path: Path) -> dict[str, str]:
    import os

    from testing_utils import ROOT

    return {**os.environ, "BANTIN_ROOT": str(ROOT), "BANTIN_OUTPUTS": str(tmp_path / "outputs")}


def test_save_refuses_what_load_would_refuse(sample_bulletin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "b.yaml"
    monkeypatch.setenv("BANTIN_MAX_YAML_BYTES", "2000")
    with pytest.raises(BulletinValidationError, match=r"would be \d+ bytes, over the limit of 2000"):
        save_bulletin(sample_bulletin, path)
    assert not path.exists()


def test_mapping_given_directly_meets_the_same_character_rule() -> None:
    from bantin.content.bulletin_file import bulletin_from_mapping

    data = {"id": "2024-06-28-x", "title": "Tiêu\u202e đề", "date": "2024-06-28", "body": [{"paragraph": "P."}]}
    with pytest.raises(BulletinValidationError, match="U\\+202E RIGHT-TO-LEFT OVERRIDE") as info:
        bulletin_from_mapping(data)
    assert info.value.field == "title" and "\u202e" not in str(info.value)
