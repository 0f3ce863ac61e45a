"""The rows and summary of a run's artifacts, from the record (here a schema 1 manifest, migrated)."""

from __future__ import annotations

from pathlib import Path

from bantin.publish.record import parse_record
from bantin.publish.report import artifact_key, output_rows, summary_markdown

MANIFEST = {
    "bulletin": {"id": "2024-06-28-x", "title": "Tiêu đề", "date": "2024-06-28", "language": "vi"},
    "status": "failed",
    "outputs": [
        {"path": "vi/2024-06-28-x.vi.a4.pdf", "kind": "pdf", "locale": "vi", "profile": "a4", "bytes": 52_000, "pages": 2},
        {
            "path": "vi/2024-06-28-x.vi.mp3",
            "kind": "audio",
            "locale": "vi",
            "profile": None,
            "bytes": 2_000_000,
            "duration_s": 61.25,
            "degraded": True,
            "engine": "auto",
            "read_by": ["gtts", "espeak"],
            "fallback_reason": "HTTP 503",
        },
    ],
    "failures": [{"stage": "render_pdf", "locale": "en", "profile": "a5", "reason": "WeasyPrint failed"}],
    "skipped": [{"locale": "km", "what": "variant", "reason": "translation incomplete"}],
    "translations": {"en": {"status": "published", "translated": 9, "fuzzy": 0, "untranslated": 0, "percent": 100.0}},
    "refused_urls": {"count": 1, "urls": ["http://tracker.invalid/x.png"]},
}
MANIFEST["outputs"][0]["refused_urls"] = ["http://tracker.invalid/x.png"]  # type: ignore[index]
RECORD = parse_record(MANIFEST)


def test_artifact_key_is_lowercase_letters_digits_dashes() -> None:
    assert artifact_key("2024-06-28-Hội_nghị") == "bantin-2024-06-28-h-i-ngh"
    assert artifact_key("2024-06-28-x", "summary") == "bantin-2024-06-28-x-summary"


def test_rows_link_to_the_portal_or_the_file(tmp_path: Path) -> None:
    rows = output_rows(RECORD, tmp_path, "https://tin.example.org/ban-tin/", cached={"vi/2024-06-28-x.vi.a4.pdf"})
    pdf, mp3, failed, skipped = rows
    assert pdf == {
        "bulletin": "2024-06-28-x",
        "locale": "vi",
        "output": "pdf a4",
        "status": "cached",
        "pages or duration": "2 pages",
        "size": "51 KB",
        "link": "[2024-06-28-x.vi.a4.pdf](https://tin.example.org/ban-tin/2024-06-28-x/vi/2024-06-28-x.vi.a4.pdf)",
    }
    assert (mp3["status"], mp3["pages or duration"], mp3["size"]) == ("published", "61.2 s (degraded)", "1.9 MB")
    assert (failed["status"], failed["output"], failed["link"]) == ("failed", "render_pdf a5", "WeasyPrint failed")
    assert (skipped["status"], skipped["locale"]) == ("skipped", "km")
    assert output_rows(RECORD, tmp_path)[0]["link"] == str(tmp_path / "vi/2024-06-28-x.vi.a4.pdf")


def test_summary_lists_translations_skips_degraded_refused_failures() -> None:
    text = summary_markdown(RECORD)
    assert "| en | failed | 9 | 0 | 0 | 100.0 |" in text  # its only output failed
    assert "| km | skipped |" in text
    assert "- variant [km]: translation incomplete" in text
    assert "- vi/2024-06-28-x.vi.mp3: read by gtts+espeak (HTTP 503)" in text
    assert "## Refused URLs (1)" in text and "http://tracker.invalid/x.png" in text
    assert "- render_pdf [en/a5]: WeasyPrint failed" in text
