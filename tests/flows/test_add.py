"""add-bulletin: one source from the form, saved as a desk draft and rendered for preview only: nothing reaches the air."""

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
    monkeypatch.delenv("BANTIN_DESK_DIR", raising=False)
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


def test_add_pasted_text_makes_a_draft_and_its_preview_never_a_publish(harness: None, project: Path) -> None:
    from bantin.content.bulletin_file import load_bulletin
    from bantin.flows.add import add_bulletin
    from bantin.publish.audit import events
    from bantin.publish.report import artifact_key
    from bantin.publish.request import AddRequest

    text = SAMPLE_RAW.read_text(encoding="utf-8")
    options = {"locales": ("vi",), "profiles": ("a5",), "engine": "espeak"}
    first = add_bulletin(AddRequest(text=text, **options))
    bid = first["id"]
    draft = project / "desk" / "drafts" / f"{bid}.yaml"
    assert first["change"] == "created" and Path(first["draft"]) == draft
    assert load_bulletin(draft).title == SAMPLE_TITLE
    # nothing on air: content/ holds approved bulletins only, outputs/ is untouched
    assert list((project / "content").iterdir()) == [] and not (project.parent / "outputs" / bid).exists()
    preview = json.loads((project / "desk" / "previews" / bid / "manifest.json").read_text(encoding="utf-8"))
    assert preview["editorial"]["state"] == "draft" and {o["kind"] for o in preview["outputs"]} >= {"pdf", "audio"}
    assert first["desk"].endswith(f"/b/{bid}/")
    note = _artifact(artifact_key(bid, "added"))
    assert f"`{bid}`" in note and "(created)" in note and f"/b/{bid}/" in note
    assert [e.action for e in events(bid, root=project)][-1] == "added"

    before = draft.stat().st_mtime_ns
    again = add_bulletin(AddRequest(text=text, **options))
    assert again["change"] == "unchanged" and draft.stat().st_mtime_ns == before

    edited = text.rstrip() + "\n\nĐoạn bổ sung: hội nghị kết thúc lúc 11 giờ cùng ngày.\n"
    third = add_bulletin(AddRequest(text=edited, **options))
    assert third["id"] == bid and third["change"] == "updated"
    assert "Đoạn bổ sung" in draft.read_text(encoding="utf-8")
    assert list((project / "content").iterdir()) == []


def test_pasted_html_is_read_as_a_page(project: Path) -> None:
    from bantin.flows.add import ingest_source

    body = "".join(
        f"<p>{p}</p>"
        for p in (
            "Sáng 28/6/2024, Ban Dân vận Tỉnh ủy tổ chức hội nghị giao ban công tác dân vận quý II năm 2024 với các huyện ủy, thành ủy.",
            "Các đại biểu đã thảo luận về kết quả công tác dân vận trong sáu tháng đầu năm và đề ra nhiệm vụ trọng tâm cho thời gian tới.",
        )
    )
    page = f"<!DOCTYPE html><html><head><title>x</title></head><body><article><h1>Hội nghị giao ban quý II</h1>{body}</article></body></html>"
    bulletin, source, name = ingest_source(text=page, date="2024-06-28")
    assert bulletin.title == "Hội nghị giao ban quý II" and name == "pasted.txt" and source == page.encode()


def test_no_source_fails_the_run_with_one_line(harness: None, project: Path) -> None:
    from bantin.flows.add import add_bulletin
    from bantin.publish.request import AddRequest

    state = add_bulletin(AddRequest(), return_state=True)
    assert state.is_failed() and state.message.startswith("add-bulletin: give exactly one source, got none.")
    assert list((project / "content").iterdir()) == []
