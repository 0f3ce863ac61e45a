"""Republish times as times of day in deployments.yaml: the one source the deployments are built from."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bantin.errors import InputError
from bantin.publish.deployments import load_config, parse_time, read_times, time_cron, write_times
from testing_utils import ROOT


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "deployments.yaml", tmp_path / "deployments.yaml")
    shutil.copy(ROOT / "prefect.yaml", tmp_path / "prefect.yaml")
    return tmp_path


def test_times_of_day_become_daily_crons_in_the_timezone(project: Path) -> None:
    config = load_config(project / "deployments.yaml")
    assert read_times(project / "deployments.yaml") == ["05:30", "16:30"]
    assert config.schedules == ("30 5 * * *", "30 16 * * *") and config.timezone == "Asia/Ho_Chi_Minh"


def test_write_times_changes_only_the_schedule_and_keeps_comments(project: Path) -> None:
    path = project / "deployments.yaml"
    before = path.read_text(encoding="utf-8")
    assert write_times(path, ["17:00", "6:15", "17:00"]) == ["06:15", "17:00"]
    after = path.read_text(encoding="utf-8")
    assert read_times(path) == ["06:15", "17:00"]
    assert [line for line in before.splitlines() if line.lstrip().startswith("#")] == [line for line in after.splitlines() if line.lstrip().startswith("#")]
    assert load_config(path).locales == ("vi", "en", "km", "cmo", "rad")
    # prefect.yaml (work pools) follows: the same crons, the same timezone
    declared = yaml.safe_load((project / "prefect.yaml").read_text(encoding="utf-8"))
    republish = next(d for d in declared["deployments"] if d["name"] == "republish")
    assert [(s["cron"], s["timezone"]) for s in republish["schedules"]] == [("15 6 * * *", "Asia/Ho_Chi_Minh"), ("0 17 * * *", "Asia/Ho_Chi_Minh")]
    # unchanged input: the file stays byte for byte
    write_times(path, ["06:15", "17:00"])
    assert path.read_text(encoding="utf-8") == after


def test_other_cron_schedules_are_kept(project: Path) -> None:
    path = project / "deployments.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('times: ["05:30", "16:30"]', 'schedules: ["30 5 * * *", "0 12 * * 1"]'), encoding="utf-8")
    assert read_times(path) == ["05:30"]
    write_times(path, ["07:00"])
    assert load_config(path).schedules == ("0 7 * * *", "0 12 * * 1")
    write_times(path, [])
    assert load_config(path).schedules == ("0 12 * * 1",) and read_times(path) == []


def test_a_bad_time_is_refused_and_the_file_is_untouched(project: Path) -> None:
    path = project / "deployments.yaml"
    before = path.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="not a time of day"):
        write_times(path, ["25:00"])
    assert path.read_text(encoding="utf-8") == before
    path.write_text(before.replace('"16:30"', '"16:61"'), encoding="utf-8")
    with pytest.raises(InputError, match=r"republish\.times\[1\]"):
        load_config(path)


@given(st.integers(0, 23), st.integers(0, 59))
def test_parse_time_and_cron_agree(hour: int, minute: int) -> None:
    assert parse_time(f"{hour}:{minute:02d}") == f"{hour:02d}:{minute:02d}"
    assert time_cron(f"{hour:02d}h{minute:02d}") == f"{minute} {hour} * * *"
