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
