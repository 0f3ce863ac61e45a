"""Degraded readings heal: due at every scheduled republish until an online reading replaces them, a bounded number of times a day."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bantin.content.bulletin_file import load_bulletin
from bantin.publish.deployments import load_config
from bantin.publish.keys import publish_inputs
from bantin.publish.republish import heal_outcome, note_heal_attempt, plan
from testing_utils import ROOT, SAMPLE_YAML

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _published(out_dir: Path, source: Path, config: Any, degraded: bool) -> None:
    bulletin = load_bulletin(source)
    inputs = publish_inputs(source, bulletin, config.locales, config.profiles, config.engine)
    audio = {
        "kind": "audio",
        "locale": "vi",
        "path": "vi/x.mp3",
        "degraded": degraded,
        "engine": "auto",
        "read_by": ["espeak"] if degraded else ["gtts"],
        "fallback_reason": "gTTS: no network" if degraded else None,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    head = {"id": bulletin.id, "title": bulletin.title, "date": bulletin.date.isoformat()}
    record = {"status": "complete", "inputs": inputs, "outputs": [audio], "bulletin": head}  # schema 1, migrated on read
    (out_dir / "manifest.json").write_text(json.dumps(record), encoding="utf-8")


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Any]:
    content, outputs = tmp_path / "content", tmp_path / "outputs"
    content.mkdir()
    monkeypatch.setenv("BANTIN_OUTPUTS", str(outputs))
    monkeypatch.setenv("BANTIN_HEAL_ATTEMPTS", "2")
    source = content / SAMPLE_YAML.name
    shutil.copy(SAMPLE_YAML, source)
    config = dataclasses.replace(load_config(ROOT / "deployments.yaml"), engine="auto")
    return content, outputs / SAMPLE_YAML.stem, config


def test_degraded_reading_is_due_until_the_attempts_of_the_day_are_used(setup: tuple[Path, Path, Any]) -> None:
    content, out_dir, config = setup
    _published(out_dir, content / SAMPLE_YAML.name, config, degraded=True)
    now = dt.datetime(2024, 7, 10, 5, 30, tzinfo=HCM)
    (item,) = plan(config, now, content)
    assert item.heal and item.reasons == ("degraded reading (vi): trying an online reading again (attempt 1 of 2 today)",)
    assert note_heal_attempt(out_dir, now.date()) == 1
    assert plan(config, now, content)[0].reasons[0].endswith("(attempt 2 of 2 today)")
    assert note_heal_attempt(out_dir, now.date()) == 2
    (spent,) = plan(config, now, content)
    assert spent.reasons == () and not spent.heal and spent.note == "degraded reading (vi): 2 of 2 attempts today used; tries again tomorrow"
    tomorrow = plan(config, now + dt.timedelta(days=1), content)[0]
    assert tomorrow.heal and tomorrow.reasons[0].endswith("(attempt 1 of 2 today)")
    assert heal_outcome(out_dir) == "still degraded (vi): gTTS: no network"


def test_online_reading_or_offline_engine_is_not_due(setup: tuple[Path, Path, Any]) -> None:
    content, out_dir, config = setup
    now = dt.datetime(2024, 7, 10, 5, 30, tzinfo=HCM)
    _published(out_dir, content / SAMPLE_YAML.name, config, degraded=False)
    assert plan(config, now, content)[0].reasons == ()
    assert heal_outcome(out_dir) == "healed: an online reading replaced the degraded one"
    espeak = dataclasses.replace(config, engine="espeak")
    _published(out_dir, content / SAMPLE_YAML.name, espeak, degraded=True)
    assert plan(espeak, now, content)[0].reasons == ()  # espeak chosen on purpose: nothing to heal


def test_heal_attempts_setting_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from bantin.errors import ConfigError
    from bantin.settings import heal_attempts_per_day

    monkeypatch.setenv("BANTIN_HEAL_ATTEMPTS", "many")
    with pytest.raises(ConfigError, match="BANTIN_HEAL_ATTEMPTS='many' must be a whole number"):
        heal_attempts_per_day()
    monkeypatch.delenv("BANTIN_HEAL_ATTEMPTS")
    assert heal_attempts_per_day() == 4
