"""The typed publish request: defaults from bantin.defaults, choices from the registries, Vietnamese form, one-line errors."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from bantin import defaults
from bantin.errors import InputError
from bantin.publish.request import AddRequest, PublishOptions, PublishRequest, bulletin_ids, describe_errors
from bantin.render.profiles import PROFILES
from bantin.speech.engines import ENGINES
from testing_utils import ROOT, SAMPLE_YAML


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "root"
    (root / "content").mkdir(parents=True)
    shutil.copy(ROOT / "deployments.yaml", root / "deployments.yaml")
    monkeypatch.setenv("BANTIN_ROOT", str(root))
    monkeypatch.setenv("BANTIN_LOCALES", str(ROOT / "locales"))
    return root


def test_defaults_and_ranges_are_bantin_defaults() -> None:
    request = PublishRequest(bulletin="x")
    assert request.locales == defaults.DEFAULT_LOCALES and request.profiles == tuple(PROFILES)
    assert request.engine == defaults.DEFAULT_ENGINE and request.bitrate_kbps == defaults.DEFAULT_BITRATE_KBPS
    assert request.pause == defaults.DEFAULT_PAUSE_S and request.min_translated == defaults.DEFAULT_MIN_TRANSLATED
    assert (request.force, request.print_marks, request.voice) == (False, False, "")
    props = PublishRequest.model_json_schema()["properties"]
    assert (props["bitrate_kbps"]["minimum"], props["bitrate_kbps"]["maximum"]) == defaults.BITRATE_RANGE_KBPS
    assert (props["pause"]["minimum"], props["pause"]["maximum"]) == defaults.PAUSE_RANGE_S
    with pytest.raises(ValidationError):
        request.model_copy(update={}).__setattr__("engine", "gtts")  # frozen


def test_schema_choices_are_the_registries_and_every_field_is_vietnamese(project: Path) -> None:
    from bantin.i18n.locales import known_locales

    shutil.copy(SAMPLE_YAML, project / "content" / SAMPLE_YAML.name)
    newer = project / "content" / "2099-01-01-moi.yaml"
    shutil.copy(SAMPLE_YAML, newer)
    schema = PublishRequest.model_json_schema()
    props = schema["properties"]
    assert next(iter(props)) == "bulletin" and [p["position"] for p in props.values()] == list(range(len(props)))
    assert props["profiles"]["items"]["enum"] == list(PROFILES) and props["engine"]["enum"] == list(ENGINES)
    assert props["locales"]["items"]["enum"] == known_locales() and "en" in known_locales()
    known, free = props["bulletin"]["anyOf"]
    assert known["enum"] == [newer.stem, SAMPLE_YAML.stem] and free == {"title": "Đường dẫn", "type": "string"}
    assert props["bulletin"]["title"] == "Bản tin" and props["min_translated"]["title"] == "Tỉ lệ dịch tối thiểu (%)"
    for name, field in PublishRequest.model_fields.items():
        assert field.title and field.description and props[name]["title"] == field.title, name
        assert field.title != name
    newer.unlink()  # the enum is computed each time the schema is built (at deployment registration)
    assert PublishRequest.model_json_schema()["properties"]["bulletin"]["anyOf"][0]["enum"] == [SAMPLE_YAML.stem]


def test_add_request_composes_the_options_and_leads_with_its_source() -> None:
    props = AddRequest.model_json_schema()["properties"]
    assert list(props)[:4] == ["text", "html_file", "url", "date"] and props["text"]["title"] == "Nội dung bản tin"
    assert set(props) == {"text", "html_file", "url", "date"} | set(PublishOptions.model_fields)
    assert "required" not in AddRequest.model_json_schema()
    add = AddRequest(text="Tiêu đề\n\nNội dung.", locales=("vi",), profiles=("a5",), engine="espeak")
    request = add.for_bulletin("content/x.yaml")
    assert isinstance(request, PublishRequest) and request.bulletin == "content/x.yaml"
    assert request.options() == add.options() == PublishOptions(locales=("vi",), profiles=("a5",), engine="espeak")


def test_wrong_values_are_one_line_per_field_naming_the_form_field(project: Path) -> None:
    with pytest.raises(InputError) as info:
        PublishRequest.build({"bulletin": "x", "locales": ["vi", "xx"], "engine": "say", "profiles": ["a3"], "bitrate_kbps": 999})
    message = str(info.value)
    assert "\n" not in message
    lines = message.split("; ")
    assert lines[0].startswith("«Ngôn ngữ» locales: xx: no such locale. Pick from ") and "vi" in lines[0]
    assert lines[1] == "«Khổ in» profiles: a3: no such print profile. Pick from a4, a5, large-print"
    assert lines[2] == f"«Giọng đọc» engine: 'say' is not a speech engine. Pick from {', '.join(ENGINES)}"
    assert lines[3] == "«Tốc độ bit MP3 (kb/s)» bitrate_kbps: Input should be less than or equal to 192"
    with pytest.raises(ValidationError) as raw:
        PublishRequest.model_validate({"locales": ["vi"], "colour": "red"})
    assert sorted(describe_errors(raw.value)) == [
        "colour: not an option of this form. Use locales, profiles, engine, force, min_translated, print_marks, voice, bitrate_kbps, pause, "
        "draft, approved_by, bulletin",
        "«Bản tin» bulletin: missing. Fill it in",
    ]


def test_bulletin_ids_newest_first_without_non_bulletins(project: Path) -> None:
    content = project / "content"
    for name in ("2023-01-02-old.yaml", "2025-03-04-new.yaml", "2024-05-06-mid.yaml", "noise.yaml", "schedules.yaml"):
        (content / name).write_text("x: 1\n", encoding="utf-8")
    same_day = content / "2025-03-04-later.yaml"
    same_day.write_text("x: 1\n", encoding="utf-8")
    os.utime(same_day, ns=(2_000_000_000_000_000_000, 2_000_000_000_000_000_000))
    assert bulletin_ids() == ["2025-03-04-later", "2025-03-04-new", "2024-05-06-mid", "2023-01-02-old"]
