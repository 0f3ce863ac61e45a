"""The run forms: Vietnamese labels on the built schema, the known bulletins newest first, the locales."""

from __future__ import annotations

import os
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


def test_bulletin_ids_newest_first_without_non_bulletins(project: Path) -> None:
    from bantin.flows.forms import bulletin_ids

    content = project / "content"
    for name in ("2023-01-02-old.yaml", "2025-03-04-new.yaml", "2024-05-06-mid.yaml", "noise.yaml", "schedules.yaml"):
        (content / name).write_text("x: 1\n", encoding="utf-8")
    same_day = content / "2025-03-04-later.yaml"
    same_day.write_text("x: 1\n", encoding="utf-8")
    os.utime(same_day, ns=(2_000_000_000_000_000_000, 2_000_000_000_000_000_000))
    assert bulletin_ids() == ["2025-03-04-later", "2025-03-04-new", "2024-05-06-mid", "2023-01-02-old"]


def test_built_publish_form_is_vietnamese_and_lists_the_known_bulletins(project: Path) -> None:
    from bantin.flows.deploy import build_deployments
    from bantin.flows.forms import ADD_LABELS, PUBLISH_LABELS
    from bantin.i18n.locales import known_locales

    shutil.copy(SAMPLE_YAML, project / "content" / SAMPLE_YAML.name)
    by_name = {d.name: d._parameter_openapi_schema.model_dump() for d in build_deployments()}
    props = by_name["publish-bulletin"]["properties"]
    assert list(props) == list(PUBLISH_LABELS)
    assert [p["position"] for p in props.values()] == list(range(len(props)))
    assert {name: p["title"] for name, p in props.items()} == {name: t for name, (t, _) in PUBLISH_LABELS.items()}
    assert props["bulletin"]["title"] == "Bản tin" and props["min_translated"]["title"] != "min_translated"
    known, free = props["bulletin"]["anyOf"]
    assert known["enum"] == [SAMPLE_YAML.stem] and "enum" not in free  # a path is still accepted
    assert props["locales"]["items"]["enum"] == known_locales() and "en" in known_locales()
    assert props["profiles"]["items"]["enum"] == ["a4", "a5", "large-print"]  # Prefect's own choices kept
    add = by_name["add-bulletin"]["properties"]
    assert list(add)[:4] == ["text", "html_file", "url", "date"] and add["text"]["title"] == ADD_LABELS["text"][0]
    assert by_name["add-bulletin"].get("required", []) == []


def test_form_problem_is_one_line_for_a_wrong_bulletin_or_locale(project: Path) -> None:
    from bantin.flows.forms import form_problem

    shutil.copy(SAMPLE_YAML, project / "content" / SAMPLE_YAML.name)
    assert form_problem(SAMPLE_YAML.stem, ["vi", "en"]) is None
    assert form_problem(str(project / "content" / SAMPLE_YAML.name), ["vi"]) is None
    state = form_problem("2024-no-such", ["vi"])
    assert state.is_failed() and "no such bulletin file or id" in state.message and "\n" not in state.message
    state = form_problem(SAMPLE_YAML.stem, ["vi", "xx"])
    assert state.is_failed() and state.message.startswith("locales: xx: no such locale")
