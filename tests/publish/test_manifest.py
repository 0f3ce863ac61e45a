"""This run's part of the record: entries that match their files, inputs keys, locale statuses."""

from __future__ import annotations

from pathlib import Path

from bantin.fsutil import atomic_path, sha256_file
from bantin.publish.keys import run_inputs
from bantin.publish.manifest import Failure, RunOutputs, RunSource, Skipped, build_run_record
from bantin.publish.request import PublishRequest
from bantin.render.pdf import render_pdf


def test_run_record_hashes_match_and_locales_say_why(sample_variant, sample_yaml: Path, tmp_path: Path) -> None:
    b = sample_variant.bulletin
    pdf = render_pdf(sample_variant, "a4", tmp_path / "vi" / f"{b.id}.vi.a4.pdf")
    current = run_inputs(sample_yaml, b, ["vi", "km"])
    request = PublishRequest(bulletin=str(sample_yaml), locales=("vi", "km"), profiles=("a4",), engine="espeak")
    outputs = RunOutputs(
        locales=request.locales,
        pdfs=[pdf],
        failures=[Failure(stage="synthesize_audio", reason="no voice", locale="vi")],
        skipped=[Skipped("km", "variant", "translation 11% < 100%", {"translated": 1, "fuzzy": 0, "untranslated": 8, "percent": 11.1})],
        variants={"vi": sample_variant},
    )
    record = build_run_record(RunSource(b, sample_yaml, tmp_path, current), outputs, request)
    assert record.source is not None and record.source.sha256 == sha256_file(sample_yaml)
    assert record.status == "failed" and record.failures[0].stage == "synthesize_audio"
    for out in record.outputs:
        path = tmp_path / out.path
        assert sha256_file(path) == out.sha256 and path.stat().st_size == out.bytes and path.stat().st_mtime_ns == out.mtime_ns
        assert out.inputs is not None and out.inputs.shared() == current.shared("vi")
        assert out.inputs.options == {"kind": "pdf", "profile": "a4", "print_marks": False}
    kinds = {o.kind: o for o in record.outputs}
    assert sorted(kinds) == ["pdf", "preview"]
    assert kinds["pdf"].media_type == "application/pdf" and kinds["pdf"].pages == pdf.pages
    assert kinds["preview"].media_type == "image/png" and kinds["preview"].preview_of == kinds["pdf"].path
    vi, km = record.locales["vi"], record.locales["km"]
    assert (vi.status, vi.title, vi.date_text, vi.reading, vi.no_reading) == ("published", b.title, sample_variant.date_text, None, "no voice")
    assert (km.status, km.reason, km.percent) == ("skipped", "translation 11% < 100%", 11.1)
    assert record.published("vi") and not record.published("km")
    assert record.request == request.model_dump(mode="json") and record.request["engine"] == "espeak"  # the record keeps the request


def test_a_record_without_a_request_still_reads(sample_variant, sample_yaml: Path, tmp_path: Path) -> None:
    """Records written before the request was stored read as before, with ``request`` None."""
    import json

    from bantin.publish.record import dumps, read_record

    request = PublishRequest(bulletin=str(sample_yaml))
    record = build_run_record(RunSource(sample_variant.bulletin, sample_yaml, tmp_path), RunOutputs(locales=("vi",), variants={"vi": sample_variant}), request)
    data = json.loads(dumps(record))
    assert data["request"]["bulletin"] == str(sample_yaml)
    data.pop("request")
    (tmp_path / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    again = read_record(tmp_path)
    assert again is not None and again.request is None and again.bulletin.id == sample_variant.bulletin.id


def test_atomic_path_leaves_nothing_on_crash(tmp_path: Path) -> None:
    final = tmp_path / "out.pdf"
    try:
        with atomic_path(final) as tmp:
            tmp.write_bytes(b"%PDF-partial")
            raise RuntimeError("crash mid-write")
    except RuntimeError:
        pass
    assert list(tmp_path.iterdir()) == []


def test_braille_and_epub_become_entries_or_skips(small_variant, sample_yaml: Path, tmp_path: Path) -> None:
    """BRF, PEF and EPUB are ordinary entries (hash, media type, inputs with the table); a skipped one is the locale's reason."""
    import dataclasses

    from bantin.braille import make_braille
    from bantin.epub import EpubResult
    from bantin.i18n.locales import load_locale

    b = small_variant.bulletin
    km = dataclasses.replace(small_variant, locale=load_locale("km"))
    braille = [make_braille(small_variant, tmp_path), make_braille(km, tmp_path)]
    epubs = [EpubResult("vi", None, skipped="no EPUB: vi has no reading to synchronize")]
    current = run_inputs(sample_yaml, b, ["vi", "km"])
    outputs = RunOutputs(locales=("vi", "km"), braille=braille, epubs=epubs, variants={"vi": small_variant, "km": km})
    record = build_run_record(RunSource(b, sample_yaml, tmp_path, current), outputs)
    kinds = {(o.kind, o.media_type) for o in record.outputs}
    assert kinds == {("braille-brf", "application/x-brf"), ("braille-pef", "application/x-pef+xml")}
    for out in record.outputs:
        assert sha256_file(tmp_path / out.path) == out.sha256 and out.locale == "vi" and out.pages == braille[0].pages
        assert out.inputs is not None and out.inputs.options == {"kind": "braille", "table": "vi-vn-g1.ctb"}
    vi = record.locales["vi"]
    assert vi.no_braille is None and vi.no_epub == "no EPUB: vi has no reading to synchronize"
    assert braille[1].skipped and braille[1].brf is None  # km: no liblouis table
    assert {(s["locale"], s["what"]) for s in record.skipped} == {("vi", "reading"), ("vi", "epub")}
