"""EPUBs shared by the EPUB tests: one real espeak reading, the rest timed tones (readings are slow)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from babel.messages import Catalog

from bantin.epub.book import EpubResult, make_epub
from bantin.i18n.localize import Variant
from bantin.speech.reading import ReadingResult, TimedSegment, build_script, captions_vtt
from testing_utils import make_variant


def tone_reading(variant: Variant, out: Path, gap: float = 0.4, per_segment: bool = False) -> Path:
    """A reading of ``variant`` that is a tone: its MP3 and ``.vtt`` under ``out``, cues cut as a reading cuts them.

    Each cue lasts 0.6 s and is followed by a pause of ``gap`` (the cue ends are not the next cue's start).
    ``per_segment`` gives one cue per script segment instead (scripts the Vietnamese normalizer does not know).
    """
    from bantin.speech.normalize import normalize
    from bantin.speech.reading import speech_chunks

    script = build_script(variant)
    texts = [s.text for s in script] if per_segment else [w for s in script for w, _ in speech_chunks(s.text, normalize)]
    segments = [TimedSegment(n * (0.6 + gap), n * (0.6 + gap) + 0.6, text, text) for n, text in enumerate(texts)]
    mp3 = out / variant.locale.code / f"{variant.bulletin.id}.{variant.locale.code}.mp3"
    mp3.parent.mkdir(parents=True, exist_ok=True)
    length = len(texts) * (0.6 + gap)
    tone = f"sine=frequency=440:duration={length:.3f}"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", tone, "-ac", "1", "-b:a", "32k", str(mp3)], check=True, timeout=60)
    mp3.with_suffix(".vtt").write_text(captions_vtt(segments), encoding="utf-8")
    return mp3


@pytest.fixture(scope="session")
def vi(small_variant, tmp_path_factory: pytest.TempPathFactory) -> tuple[EpubResult, Path, ReadingResult]:
    """The small bulletin read by espeak-ng (a real reading), its MP3 and the reading; and its EPUB."""
    from bantin.speech.engines import get_engine
    from bantin.speech.normalize import normalize
    from bantin.speech.reading import synthesize_reading

    out = tmp_path_factory.mktemp("epub")
    mp3 = out / "vi" / f"{small_variant.bulletin.id}.vi.mp3"
    reading = synthesize_reading(small_variant, get_engine("espeak"), mp3, prepare=normalize)
    return make_epub(small_variant, mp3, out), mp3, reading


@pytest.fixture(scope="session")
def km(small_variant, tmp_path_factory: pytest.TempPathFactory) -> EpubResult:
    """A Khmer variant with a tone as its audio and one cue per script segment (no offline engine reads Khmer)."""
    variant = make_variant(small_variant.bulletin, "km")
    out = tmp_path_factory.mktemp("epub-km")
    return make_epub(variant, tone_reading(variant, out, per_segment=True), out)


@pytest.fixture(scope="session")
def sample_vi(sample_variant, tmp_path_factory: pytest.TempPathFactory) -> EpubResult:
    """The sample bulletin's Vietnamese EPUB (a photo lost by the scrape, a place): a tone read as the real reading cuts it."""
    out = tmp_path_factory.mktemp("epub-sample")
    return make_epub(sample_variant, tone_reading(sample_variant, out), out)


#: The English variant's bulletin: every kind of block, some translated, some not.
MIXED_UNITS = {
    # key: (Vietnamese source, English translation or None when untranslated)
    "title": ("Tiêm chủng mở rộng quý II", None),
    "place": ("Đắk Song", "Dak Song district"),
    "body.1.paragraph": ("Sáng 28/6, các xã đã hoàn thành kế hoạch tiêm chủng.", "On 28 June the communes completed the vaccination plan."),
    "body.2.paragraph": ("Người dân liên hệ trạm y tế xã để được hướng dẫn.", None),
    "body.3.list.1": ("Trẻ em dưới một tuổi.", "Children under one year old."),
    "body.3.list.2": ("Phụ nữ có thai.", None),
    "body.4.quote": ("Tiêm chủng là cách bảo vệ tốt nhất.", None),
    "body.4.quote.attribution": ("Bác sĩ Lan", "Doctor Lan"),
    "body.5.image.caption": ("Tiêm chủng tại trạm y tế", None),
    "body.5.image.alt": ("Ảnh một y tá tiêm cho trẻ", "A nurse vaccinating a child"),
    "source": ("Trung tâm Y tế huyện", None),
    "byline": ("Thu Hà", "Thu Ha"),
}
#: The English chrome: "Nội dung" and "Ảnh không có sẵn" left untranslated (they print in Vietnamese).
MIXED_CHROME = {
    "Bản tin": "Bulletin",
    "Nguồn": "Source",
    "Tin, ảnh": "Text and photos",
    "Mục lục": "Contents",
}


@pytest.fixture(scope="session")
def mixed_variant(tmp_path_factory: pytest.TempPathFactory) -> Variant:
    """An English variant from small catalogs: translated and untranslated blocks, list items, chrome."""
    from bantin.content.model import Bulletin, BulletList, Paragraph, Photo, Quote
    from bantin.epub.package import SUMMARY
    from bantin.i18n.catalogs import bulletin_po_path, chrome_po_path, write_catalog
    from bantin.i18n.localize import localize

    u = {key: source for key, (source, _) in MIXED_UNITS.items()}
    bulletin = Bulletin(
        id="2024-06-28-tiem-chung-mixed",
        title=u["title"],
        date=dt.date(2024, 6, 28),
        place=u["place"],
        body=(
            Paragraph(u["body.1.paragraph"]),
            Paragraph(u["body.2.paragraph"]),
            BulletList((u["body.3.list.1"], u["body.3.list.2"])),
            Quote(u["body.4.quote"], u["body.4.quote.attribution"]),
            Photo(u["body.5.image.caption"], u["body.5.image.alt"], None),
        ),
        source=u["source"],
        byline=u["byline"],
    )
    root = tmp_path_factory.mktemp("locales")
    catalog = Catalog(locale="en", fuzzy=False, charset="utf-8")
    for key, (source, english) in MIXED_UNITS.items():
        if english:
            catalog.add(source, english, context=key)
    write_catalog(bulletin_po_path("en", bulletin.id, root), catalog, sort=False)
    chrome = Catalog(locale="en", fuzzy=False, charset="utf-8")
    for msgid, msgstr in {**MIXED_CHROME, SUMMARY: "A bulletin as text read along with its audio."}.items():
        chrome.add(msgid, msgstr)
    # Its own file under root (chrome_po_path would name bantin's shipped catalog, the first layer that has one).
    write_catalog(root / "en" / "LC_MESSAGES" / "chrome.po", chrome, sort=True)
    assert chrome_po_path("en", root).is_relative_to(root)
    return localize(bulletin, "en", root=root)


@pytest.fixture(scope="session")
def mixed(mixed_variant, tmp_path_factory: pytest.TempPathFactory) -> tuple[EpubResult, Path]:
    """The mixed English variant's EPUB and its (tone) reading."""
    out = tmp_path_factory.mktemp("epub-mixed")
    mp3 = tone_reading(mixed_variant, out)
    return make_epub(mixed_variant, mp3, out), mp3
