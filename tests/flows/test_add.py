"""add-bulletin: one source from the form, saved to content/, published as a subflow, reported with portal links."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing_utils import ROOT, SAMPLE_RAW, SAMPLE_TITLE


@pytest.fixture(scope="module")
def harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "root"
    (root / "content").mkdir(parents=True)
    shutil.copy(ROOT / "deployments.yaml", root / "deployments.yaml")
    monkeypatch.setenv("BANTIN_ROOT", str(root))
    monkeypatch.setenv("BANTIN_LOCALES", str(ROOT / "locales"))
    monkeypatch.setenv("BANTIN_OUTPUTS", str(tmp_path / "outputs"))
    monkeypatch.setenv("BANTIN_CACHE", str(tmp_path / "speech-cache"))
    monkeypatch.delenv("BANTIN_PUBLIC_URL", raising=False)
    monkeypatch.setenv("BANTIN_PORTAL_URL", "http://127.0.0.1:18080")
    return root


@pytest.mark.parametrize("given", [{}, {"text": "a", "url": "https://example.org/x"}, {"text": " ", "html_file": "\n"}])
def test_exactly_one_source_or_one_clear_message(given: dict[str, str]) -> None:
    from bantin.errors import InputError
    from bantin.flows.add import ingest_source

    with pytest.raises(InputError, match=r"^add-bulletin: give exactly one source, got (none|text and url)\. Paste"):
        ingest_source(**given)


def _artifact(key: str) -> str:
    from prefect.client.orchestration import get_client

    async def read() -> str:
        async with get_client() as client:
            found = await client.read_latest_artifacts()
            return next(a.data for a in found if a.key == key)

    return asyncio.run(read())


def test_add_pasted_text_publishes_then_updates_or_changes_nothing(harness: None, project: Path) -> None:
    from bantin.content.bulletin_file import load_bulletin
    from bantin.flows.add import add_bulletin
    from bantin.publish.report import artifact_key

    text = SAMPLE_RAW.read_text(encoding="utf-8")
    from bantin.publish.request import AddRequest

    options = {"locales": ("vi",), "profiles": ("a5",), "engine": "espeak"}
    first = add_bulletin(AddRequest(text=text, **options))
    bid = first["id"]
    saved = project / "content" / f"{bid}.yaml"
    assert first["change"] == "created" and Path(first["file"]) == saved
    assert load_bulletin(saved).title == SAMPLE_TITLE
    assert first["portal"] == {"vi": f"http://127.0.0.1:18080/{bid}/vi/"}
    manifest = json.loads((project.parent / "outputs" / bid / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete" and {o["kind"] for o in manifest["outputs"]} >= {"pdf", "audio"}
    note = _artifact(artifact_key(bid, "added"))
    assert f"`{bid}`" in note and "(created)" in note and f"(http://127.0.0.1:18080/{bid}/vi/)" in note

    before = saved.stat().st_mtime_ns
    again = add_bulletin(AddRequest(text=text, **options))
    assert again["change"] == "unchanged" and saved.stat().st_mtime_ns == before
    assert "(unchanged)" in _artifact(artifact_key(bid, "added"))

    edited = text.rstrip() + "\n\nĐoạn bổ sung: hội nghị kết thúc lúc 11 giờ cùng ngày.\n"
    third = add_bulletin(AddRequest(text=edited, **options))
    assert third["id"] == bid and third["change"] == "updated"
    assert "Đoạn bổ sung" in saved.read_text(encoding="utf-8")
    assert "(updated)" in _artifact(artifact_key(bid, "added"))


def test_no_source_fails_the_run_with_one_line(harness: None, project: Path) -> None:
    from bantin.flows.add import add_bulletin
    from bantin.publish.request import AddRequest

    state = add_bulletin(AddRequest(), return_state=True)
    assert state.is_failed() and state.message.startswith("add-bulletin: give exactly one source, got none.")
    assert list((project / "content").iterdir()) == []
