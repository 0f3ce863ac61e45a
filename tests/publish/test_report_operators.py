"""Artifacts operators can use: portal links by default, a compact table, the republish summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bantin.publish.record import parse_record
from bantin.publish.report import added_markdown, compact_rows, portal_links, republish_markdown

BID = "2024-06-28-hoi-nghi-giao-ban-cong-tac-dan-van-cac-huyen-uy-thanh-uy-quy-ii-trien"
MANIFEST = {
    "bulletin": {"id": BID, "title": "T", "date": "2024-06-28"},
    "status": "complete",
    "outputs": [
        {"kind": "pdf", "locale": "vi", "profile": "a4", "path": f"vi/{BID}.vi.a4.pdf", "pages": 2, "bytes": 204800},
        {
            "kind": "audio",
            "locale": "vi",
            "path": f"vi/{BID}.vi.mp3",
            "duration_s": 61.25,
            "bytes": 3 * 1_048_576,
            "degraded": True,
            "engine": "auto",
            "read_by": ["espeak"],
            "fallback_reason": "gTTS: no network",
        },
    ],
    "failures": [{"stage": "render_pdf", "locale": "en", "profile": "a5", "reason": "boom"}],
    "skipped": [{"locale": "km", "what": "variant", "reason": "40% translated"}],
}


def test_compact_rows_link_to_the_portal_and_never_repeat_the_id() -> None:
    rows = compact_rows(parse_record(MANIFEST), "http://127.0.0.1:8080/", cached=[f"vi/{BID}.vi.mp3"])
    assert [list(r) for r in rows] == [["locale", "output", "status", "pages or duration", "size", "link"]] * 4
    assert rows[0] == {
        "locale": "vi",
        "output": "pdf a4",
        "status": "published",
        "pages or duration": "2 pages",
        "size": "200 KB",
        "link": f"[PDF](http://127.0.0.1:8080/{BID}/vi/{BID}.vi.a4.pdf)",
    }
    assert rows[1]["status"] == "cached" and rows[1]["pages or duration"] == "61.2 s (degraded)" and rows[1]["link"].startswith("[MP3](")
    assert (rows[2]["status"], rows[2]["link"]) == ("failed", "boom") and (rows[3]["status"], rows[3]["link"]) == ("skipped", "40% translated")
    assert all(BID not in "".join(v for k, v in r.items() if k != "link") for r in rows)
    assert all(len(r["link"].split("](")[0]) <= 4 for r in rows[:2])  # short link text: the row fits a 1366 px screen


def test_portal_url_defaults_to_the_projects_own_portal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bantin.settings import portal_url

    monkeypatch.delenv("BANTIN_PUBLIC_URL", raising=False)
    monkeypatch.delenv("BANTIN_PORTAL_URL", raising=False)
    (tmp_path / "bantin.toml").write_text('[portal]\nhost = "0.0.0.0"\nport = 8123\n', encoding="utf-8")
    monkeypatch.setenv("BANTIN_ROOT", str(tmp_path))
    assert portal_url() == "http://127.0.0.1:8123"
    monkeypatch.setenv("BANTIN_PUBLIC_URL", "https://tin.example.vn/")
    assert portal_url() == "https://tin.example.vn"
    monkeypatch.setenv("BANTIN_PORTAL_URL", "http://127.0.0.1:9000/")
    assert portal_url() == "http://127.0.0.1:9000"
    assert portal_links("http://h:1/", "x", ["vi", "en"]) == {"vi": "http://h:1/x/vi/", "en": "http://h:1/x/en/"}


def test_added_markdown_says_what_happened() -> None:
    text = added_markdown(BID, "T", "updated", f"desk/drafts/{BID}.yaml", {"desk": f"http://h/b/{BID}/"}, True)
    assert f"`{BID}`" in text and "(updated)" in text and f"[desk: http://h/b/{BID}/](http://h/b/{BID}/)" in text
    assert "chưa lên sóng" in text and "đã tạo (rendered)" in text  # a draft: nothing went on air
    failed = added_markdown(BID, "T", "unchanged", "f", {}, False, "render failed")
    assert "(unchanged)" in failed and "**thất bại (failed)**: render failed" in failed


def test_republish_summary_lists_reasons_fallbacks_skips_failures(tmp_path: Path) -> None:
    (tmp_path / BID).mkdir()
    (tmp_path / BID / "manifest.json").write_text(json.dumps(MANIFEST), encoding="utf-8")
    done = [{"id": BID, "reasons": ["the en catalogs changed"], "heal": "still degraded (vi): gTTS: no network"}]
    text = republish_markdown(
        done, ["other (degraded reading (vi): 4 of 4 attempts today used; tries again tomorrow)"], ["bad.yaml: title missing"], "http://h:8080", tmp_path
    )
    assert "1 republished, 1 unchanged, 1 failed" in text
    assert f"- [{BID}](http://h:8080/{BID}/): the en catalogs changed" in text and "  - still degraded (vi): gTTS: no network" in text
    assert f"- {BID} [vi]: read by espeak (gTTS: no network)" in text
    assert f"- {BID} [km] variant: 40% translated" in text and "- bad.yaml: title missing" in text and "4 of 4 attempts today used" in text
    assert "## Republished\n\nnone" in republish_markdown([], [], [], "http://h", tmp_path)
