"""The record model: schema 1 migration, merging a publish into the record, stale entries, round trips."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bantin.errors import RecordError
from bantin.publish.record import (
    SCHEMA_VERSION,
    BulletinHead,
    Entry,
    EntryInputs,
    LocaleRecord,
    Record,
    dumps,
    merge,
    parse_record,
)

SHA = "0" * 64
PARTS = {"source": "s1", "catalog": "c", "templates": "t", "bulletin_assets": "a", "bantin": "0.1.0"}


def entry(path: str, kind: str, locale: str, profile: str | None = None, source: str = "s1") -> Entry:
    inputs = EntryInputs(key=f"k-{source}", **{**PARTS, "source": source})
    return Entry(path=path, kind=kind, locale=locale, profile=profile, media_type="x/y", bytes=1, sha256=SHA, inputs=inputs)


def record(outputs: list[Entry], locales: dict[str, LocaleRecord]) -> Record:
    head = BulletinHead(id="2024-06-28-x", title="Tiêu đề", date=dt.date(2024, 6, 28))
    return Record(bulletin=head, outputs=outputs, locales=locales)


def published(code: str, title: str, reading: str | None = None) -> LocaleRecord:
    return LocaleRecord(code=code, status="published", title=title, reading=reading, percent=100.0)


def wide() -> Record:
    return record(
        [
            entry("vi/x.vi.a4.pdf", "pdf", "vi", "a4"),
            entry("vi/x.vi.a5.pdf", "pdf", "vi", "a5"),
            entry("vi/x.vi.mp3", "audio", "vi"),
            entry("en/x.en.a4.pdf", "pdf", "en", "a4"),
            entry("en/x.en.mp3", "audio", "en"),
        ],
        {"vi": published("vi", "Tiêu đề", "vi/x.vi.mp3"), "en": published("en", "Title", "en/x.en.mp3")},
    )


def shared(source: str = "s1") -> tuple[str, str, str, str, str]:
    return (source, PARTS["catalog"], PARTS["templates"], PARTS["bulletin_assets"], PARTS["bantin"])


def test_a_narrower_publish_keeps_the_other_locales_and_profiles() -> None:
    run = record([entry("vi/x.vi.a4.pdf", "pdf", "vi", "a4"), entry("vi/x.vi.mp3", "audio", "vi")], {"vi": published("vi", "Tiêu đề", "vi/x.vi.mp3")})
    merged = merge(wide(), run, ["vi"], ["a4"], {"vi": shared(), "en": shared()})
    assert [e.path for e in merged.current()] == ["en/x.en.a4.pdf", "en/x.en.mp3", "vi/x.vi.a4.pdf", "vi/x.vi.a5.pdf", "vi/x.vi.mp3"]
    assert merged.published("en") and merged.title_in("en") == "Title" and merged.stale_entries() == []


def test_entries_of_the_scope_that_were_not_produced_are_dropped() -> None:
    skipped = {"en": LocaleRecord(code="en", status="skipped", reason="translation 40% < 100%", percent=40.0, no_reading="the locale is not published")}
    merged = merge(wide(), record([], skipped), ["en"], ["a4"], {"vi": shared(), "en": shared()})
    assert not merged.current("en") and not merged.published("en")
    assert merged.skipped == [{"locale": "en", "what": "variant", "reason": "translation 40% < 100%", "percent": 40.0}]
    assert len(merged.current("vi")) == 3


def test_kept_entries_whose_inputs_changed_are_stale() -> None:
    run = record([entry("vi/x.vi.a4.pdf", "pdf", "vi", "a4", source="s2")], {"vi": published("vi", "Tiêu đề mới")})
    merged = merge(wide(), run, ["vi"], ["a4"], {"vi": shared("s2"), "en": shared("s2")})
    stale = sorted(e.path for e in merged.stale_entries())
    assert stale == ["en/x.en.a4.pdf", "en/x.en.mp3", "vi/x.vi.a5.pdf"]  # the a5 profile and English were made from s1
    assert [e.path for e in merged.current()] == ["vi/x.vi.a4.pdf"]
    assert merged.outdated("en") and not merged.published("en")


def test_round_trip_and_schema_check() -> None:
    rec = wide()
    text = dumps(rec)
    data = json.loads(text)
    assert data["schema"] == SCHEMA_VERSION and next(iter(data)) == "schema" and data["status"] == "complete"
    assert parse_record(data) == rec
    with pytest.raises(RecordError, match="schema 9"):
        parse_record({**data, "schema": 9})
    with pytest.raises(RecordError, match="field bulletin"):
        parse_record({"schema": 2, "outputs": []})


def test_schema_1_is_migrated() -> None:
    v1 = {
        "schema": 1,
        "bulletin": {"id": "2024-06-28-x", "title": "Tiêu đề", "date": "2024-06-28", "language": "vi"},
        "status": "failed",
        "locales": ["vi", "en", "km", "cmo"],
        "outputs": [
            {"path": "vi/x.vi.a4.pdf", "kind": "pdf", "locale": "vi", "profile": "a4", "media_type": "application/pdf", "bytes": 5, "sha256": SHA},
            {"path": "vi/x.vi.mp3", "kind": "audio", "locale": "vi", "profile": None, "media_type": "audio/mpeg", "bytes": 5, "sha256": SHA},
            {"path": "en/x.en.a4.pdf", "kind": "pdf", "locale": "en", "profile": "a4", "media_type": "application/pdf", "bytes": 5, "sha256": SHA},
        ],
        "failures": [{"stage": "render_pdf", "locale": "cmo", "profile": "a4", "reason": "WeasyPrint failed"}],
        "skipped": [
            {"locale": "km", "what": "variant", "reason": "translation 11% < 100%", "translated": 1, "fuzzy": 0, "untranslated": 8, "percent": 11.1},
            {"locale": "en", "what": "reading", "reason": "no voice"},
        ],
        "translations": {"km": {"status": "skipped", "translated": 1, "fuzzy": 0, "untranslated": 8, "percent": 11.1}},
        "inputs": {"key": "k"},
    }
    rec = parse_record(v1)
    assert rec.schema_version == SCHEMA_VERSION and rec.status == "failed" and rec.inputs == {"key": "k"}
    assert {c: loc.status for c, loc in rec.locales.items()} == {"vi": "published", "en": "published", "km": "skipped", "cmo": "failed"}
    assert rec.locales["km"].percent == 11.1 and rec.locales["km"].reason == "translation 11% < 100%"
    assert rec.locales["vi"].reading == "vi/x.vi.mp3" and rec.locales["en"].no_reading == "no voice"
    assert not rec.published("km") and not rec.published("cmo") and rec.published("en")
    # Migrated entries carry no inputs: kept by a later publish, they are stale (their inputs are unknown).
    later = merge(rec, record([], {}), ["vi"], ["a4"], {"en": shared()})
    assert [e.path for e in later.stale_entries()] == ["en/x.en.a4.pdf"]


def _failed_run(outputs: list[Entry], locales: dict[str, LocaleRecord], *failures: tuple[str, str, str | None]) -> Record:
    from bantin.publish.record import FailureNote

    notes = [FailureNote(stage=stage, reason="it broke", locale=code, profile=profile) for stage, code, profile in failures]
    return record(outputs, locales).model_copy(update={"failures": notes, "generated_at": "2026-12-07T10:00:00Z"})


def test_a_failed_localize_keeps_the_last_good_locale_published() -> None:
    """A broken English catalog fails localize [en]: the English of the last good publish stays current, marked, with its reading."""
    failed = {"en": LocaleRecord(code="en", status="failed", reason="localize [en]: it broke", no_reading="no reading was made")}
    run = _failed_run([entry("vi/x.vi.a4.pdf", "pdf", "vi", "a4", source="s2")], {"vi": published("vi", "Tiêu đề"), **failed}, ("localize", "en", None))
    merged = merge(wide(), run, ["vi", "en"], ["a4"], {"vi": shared("s2"), "en": shared("s2")})
    assert [e.path for e in merged.current("en")] == ["en/x.en.a4.pdf", "en/x.en.mp3"]
    assert all(e.last_good is not None and e.last_good.reason == "localize [en]: it broke" for e in merged.current("en"))
    assert {e.last_good.failed_at for e in merged.current("en") if e.last_good} == {"2026-12-07T10:00:00Z"}
    en = merged.locale("en")
    assert en is not None and en.status == "published" and en.title == "Title" and en.reading == "en/x.en.mp3" and en.no_reading is None
    assert en.last_good is not None and en.last_good.reason == "localize [en]: it broke"
    assert merged.published("en") and merged.status == "failed"
    # The vi a5 PDF (out of scope) is stale as before; the vi a4 was replaced; nothing of vi is "last good".
    assert [e.path for e in merged.stale_entries()] == ["vi/x.vi.a5.pdf"] and not any(e.last_good for e in merged.current("vi"))
    # A later publish of vi alone leaves the last good English as it is (still served, not stale).
    again = merge(merged, record([entry("vi/x.vi.a4.pdf", "pdf", "vi", "a4", source="s3")], {"vi": published("vi", "Tiêu đề")}), ["vi"], ["a4"],
                  {"vi": shared("s3"), "en": shared("s3")})  # fmt: skip
    assert [e.path for e in again.current("en")] == ["en/x.en.a4.pdf", "en/x.en.mp3"] and again.locale("en") == en
    # A publish of English that succeeds replaces the last good edition: no note left.
    fixed = record([entry("en/x.en.a4.pdf", "pdf", "en", "a4", source="s3")], {"en": published("en", "Title")})
    done = merge(again, fixed, ["en"], ["a4"], {"vi": shared("s3"), "en": shared("s3")})
    assert [e.path for e in done.current("en")] == ["en/x.en.a4.pdf"] and done.current("en")[0].last_good is None
    assert done.locale("en") is not None and done.locale("en").last_good is None  # type: ignore[union-attr]


def test_a_failed_stage_keeps_only_its_own_outputs() -> None:
    """A failed a4 render keeps the old a4 PDF; a failed reading keeps the MP3 (and the EPUB that follows it); the rest is replaced or dropped."""
    old = record(
        [
            entry("vi/x.vi.a4.pdf", "pdf", "vi", "a4"),
            entry("vi/x.vi.a4.png", "preview", "vi", "a4"),
            entry("vi/x.vi.a5.pdf", "pdf", "vi", "a5"),
            entry("vi/x.vi.mp3", "audio", "vi"),
            entry("vi/x.vi.vtt", "captions", "vi"),
            entry("vi/x.vi.epub", "epub", "vi"),
            entry("vi/x.vi.brf", "braille-brf", "vi"),
        ],
        {"vi": published("vi", "Tiêu đề", "vi/x.vi.mp3")},
    )
    new_vi = LocaleRecord(code="vi", status="published", title="Tiêu đề", no_reading="synthesize_audio failed", no_epub="no reading")
    run = _failed_run(
        [entry("vi/x.vi.a5.pdf", "pdf", "vi", "a5", source="s2")],
        {"vi": new_vi},
        ("render_pdf", "vi", "a4"),
        ("synthesize_audio", "vi", None),
    )
    merged = merge(old, run, ["vi"], ["a4", "a5"], {"vi": shared("s2")})
    kept = {e.path for e in merged.current() if e.last_good}
    assert kept == {"vi/x.vi.a4.pdf", "vi/x.vi.a4.png", "vi/x.vi.mp3", "vi/x.vi.vtt", "vi/x.vi.epub"}
    assert [e.path for e in merged.outputs] == sorted(kept | {"vi/x.vi.a5.pdf"})  # braille made nothing, failed nothing: dropped
    vi = merged.locale("vi")
    assert vi is not None and vi.reading == "vi/x.vi.mp3" and vi.no_reading is None and vi.no_epub is None
    assert vi.last_good is not None and "render_pdf [vi/a4]" in vi.last_good.reason and "synthesize_audio [vi]" in vi.last_good.reason


def test_a_record_path_that_leads_out_is_refused_as_unsafe() -> None:
    from bantin.errors import UnsafeOutputError

    data = json.loads(dumps(wide()))
    for bad in ("/etc/passwd", "../../x", "vi/../../x", "vi//x", "C:\\x"):
        data["outputs"][1]["path"] = bad
        with pytest.raises(UnsafeOutputError, match=r"outputs\.1\.path") as caught:
            parse_record(data, "outputs/x/manifest.json")
        assert "\n" not in str(caught.value) and "Correct that entry" in str(caught.value)
