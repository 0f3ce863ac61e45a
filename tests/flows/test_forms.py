"""The run forms: the flows' typed parameter gives the Vietnamese form; a wrong bulletin fails the run in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from testing_utils import ROOT, SAMPLE_YAML


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "root"
    (root / "content").mkdir(parents=True)
    shutil.copy(ROOT / "deployments.yaml", root / "deployments.yaml")
    monkeypatch.setenv("BANTIN_ROOT", str(root))
    monkeypatch.setenv("BANTIN_LOCALES", str(ROOT / "locales"))
    return root


def _request_form(schema: dict, model: str) -> dict:
    """The request's fields as the UI draws them: the one parameter refers to the model's definition."""
    assert list(schema["properties"]) == ["request"] and schema["required"] == ["request"]
    assert schema["properties"]["request"]["$ref"] == f"#/definitions/{model}"
    return schema["definitions"][model]["properties"]


def test_built_publish_form_is_vietnamese_and_lists_the_known_bulletins(project: Path) -> None:
    from bantin.flows.deploy import build_deployments
    from bantin.i18n.locales import known_locales
    from bantin.publish.request import AddRequest, PublishRequest

    shutil.copy(SAMPLE_YAML, project / "content" / SAMPLE_YAML.name)
    by_name = {d.name: d._parameter_openapi_schema.model_dump() for d in build_deployments()}  # what serve registers
    props = _request_form(by_name["publish-bulletin"], "PublishRequest")
    assert next(iter(props)) == "bulletin" and set(props) == set(PublishRequest.model_fields)
    assert [p["position"] for p in props.values()] == list(range(len(props)))
    assert {name: p["title"] for name, p in props.items()} == {name: f.title for name, f in PublishRequest.model_fields.items()}
    assert props["bulletin"]["title"] == "Bản tin" and props["min_translated"]["title"] != "min_translated"
    known, free = props["bulletin"]["anyOf"]
    assert known["enum"] == [SAMPLE_YAML.stem] and "enum" not in free  # a path is still accepted
    assert props["locales"]["items"]["enum"] == known_locales() and "en" in known_locales()
    assert props["profiles"]["items"]["enum"] == ["a4", "a5", "large-print"]
    add = _request_form(by_name["add-bulletin"], "AddRequest")
    assert list(add)[:4] == ["text", "html_file", "url", "date"] and add["text"]["title"] == AddRequest.model_fields["text"].title
    assert "required" not in by_name["add-bulletin"]["definitions"]["AddRequest"]


def test_a_wrong_bulletin_is_one_line(project: Path) -> None:
    from bantin.flows.forms import bulletin_or_failure

    shutil.copy(SAMPLE_YAML, project / "content" / SAMPLE_YAML.name)
    assert bulletin_or_failure(SAMPLE_YAML.stem) == project / "content" / SAMPLE_YAML.name
    assert bulletin_or_failure(str(project / "content" / SAMPLE_YAML.name)) == project / "content" / SAMPLE_YAML.name
    state = bulletin_or_failure("2024-no-such")
    assert state.is_failed() and state.message.startswith("2024-no-such: no such bulletin file or id") and "\n" not in state.message
