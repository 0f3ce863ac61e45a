"""The bulletin page tells the truth about languages: title, transcript, captions, and why a locale has no reading or braille.

The outputs tree is written by hand: a schema 2 record whose English reading
has parts in two languages (an untranslated Vietnamese paragraph, a
Vietnamese name read inside an English sentence), as the reading writes
them, and the transcript and WebVTT files that go with it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml.html import HtmlElement, fromstring
from portal_names import LOCAL

from bantin.fsutil import sha256_file
from bantin.portal.langs import Cue, cue_langs, main_spoken, parse_vtt, transcript_paragraphs
from bantin.publish.record import Entry, Part
from testing_utils import CHROMIUM, SHIPPED_LOCALES, chromium

MIXED = "2024-06-28-ngon-ngu"  # English title translated; an English reading with Vietnamese in it
UNTRANSLATED = "2024-06-29-chua-dich"  # English title untranslated; the English reading mostly Vietnamese
VI_TITLE = "Hội nghị giao ban công tác dân vận"
EN_TITLE = "Mass mobilization briefing"

EN_TRANSCRIPT = "Mass mobilization briefing.\n\nHội nghị triển khai nhiệm vụ quý III.\n\nDelegates met Nguyễn Văn An today. Tỉnh ủy Quảng Trị chủ trì.\n"
EN_VTT = """WEBVTT

1
00:00:00.000 --> 00:00:02.000
Mass mobilization briefing.

2
00:00:02.000 --> 00:00:04.000
Hội nghị triển khai nhiệm vụ quý III.

3
00:00:04.000 --> 00:00:06.000
Delegates met Nguyễn Văn An today.

4
00:00:06.000 --> 00:00:07.000
Tỉnh ủy Quảng Trị chủ trì.
"""
#: parts as the reading records them: cue 3 is one English sentence with a Vietnamese name read by the vi voice
EN_PARTS = [
    {"start_s": 0.0, "end_s": 2.0, "engine": "gtts", "voice": "gtts:en", "lang": "en"},
    {"start_s": 2.0, "end_s": 4.0, "engine": "gtts", "voice": "gtts:vi", "lang": "vi"},
    {"start_s": 4.0, "end_s": 4.9, "engine": "gtts", "voice": "gtts:en", "lang": "en"},
    {"start_s": 4.9, "end_s": 5.4, "engine": "gtts", "voice": "gtts:vi", "lang": "vi"},
    {"start_s": 5.4, "end_s": 6.0, "engine": "gtts", "voice": "gtts:en", "lang": "en"},
    {"start_s": 6.0, "end_s": 7.0, "engine": "gtts", "voice": "gtts:vi", "lang": "vi"},
]


def _write(folder: Path, rel: str, data: str | bytes) -> None:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)


def _entry(folder: Path, rel: str, kind: str, locale: str, media_type: str, **extra: object) -> dict[str, object]:
    path = folder / rel
    st = path.stat()
    return {"path": rel, "kind": kind, "locale": locale, "media_type": media_type, "bytes": st.st_size, "sha256": sha256_file(path), **extra}


def _bulletin(root: Path, bulletin_id: str, en_title: str, parts: list[dict[str, object]], languages: list[str]) -> None:
    """A bulletin with a Vietnamese reading, an English one (``parts``, ``languages``) and Khmer with neither reading nor braille."""
    a = root / bulletin_id
    _write(a, f"vi/{bulletin_id}.vi.mp3", b"ID3 vi reading")
    _write(a, f"vi/{bulletin_id}.vi.txt", "Hội nghị giao ban.\n\nHội nghị triển khai nhiệm vụ quý III.\n")
    _write(a, f"en/{bulletin_id}.en.mp3", b"ID3 en reading")
    _write(a, f"en/{bulletin_id}.en.txt", EN_TRANSCRIPT)
    _write(a, f"en/{bulletin_id}.en.vtt", EN_VTT)
    _write(a, f"km/{bulletin_id}.km.a4.pdf", b"%PDF-1.7 km")
    vi_parts = [{"start_s": 0.0, "end_s": 3.0, "engine": "gtts", "voice": "gtts:vi", "lang": "vi"}]
    outputs = [
        _entry(a, f"vi/{bulletin_id}.vi.mp3", "audio", "vi", "audio/mpeg", duration_s=3.0, parts=vi_parts, languages=["vie"]),
        _entry(a, f"vi/{bulletin_id}.vi.txt", "transcript", "vi", "text/plain; charset=utf-8"),
        _entry(a, f"en/{bulletin_id}.en.mp3", "audio", "en", "audio/mpeg", duration_s=7.0, parts=parts, languages=languages),
        _entry(a, f"en/{bulletin_id}.en.txt", "transcript", "en", "text/plain; charset=utf-8"),
        _entry(a, f"en/{bulletin_id}.en.vtt", "captions", "en", "text/vtt"),
        _entry(a, f"km/{bulletin_id}.km.a4.pdf", "pdf", "km", "application/pdf", profile="a4", pages=1),
    ]
    record = {
        "schema": 2,
        "bulletin": {"id": bulletin_id, "title": VI_TITLE, "date": "2024-06-28", "language": "vi"},
        "generated_at": "2024-06-28T09:30:00Z",
        "locales": {
            "vi": {"code": "vi", "status": "published", "title": VI_TITLE, "reading": outputs[0]["path"]},
            "en": {"code": "en", "status": "published", "title": en_title, "reading": outputs[2]["path"], "no_braille": "no braille: bantin exploded"},
            "km": {
                "code": "km",
                "status": "published",
                "title": VI_TITLE,
                "no_reading": "no reading: no speech engine has a km voice",
                "no_braille": "no braille: no braille table is registered for km",
            },
        },
        "outputs": sorted(outputs, key=lambda o: str(o["path"])),
    }
    (a / "manifest.json").write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("langs") / "outputs"
    _bulletin(root, MIXED, EN_TITLE, EN_PARTS, ["eng", "vie"])
    mostly_vi = [{**p, "lang": "vi"} for p in EN_PARTS[:-2]] + EN_PARTS[-2:-1]
    _bulletin(root, UNTRANSLATED, VI_TITLE, mostly_vi, ["vie", "eng"])
    return root


@pytest.fixture
def client(outputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    from starlette.testclient import TestClient

    from bantin.portal import PortalConfig, create_app

    monkeypatch.setenv("BANTIN_LOCALES", str(SHIPPED_LOCALES))  # the shipped chrome catalogs, English included
    (tmp_path / "packs").mkdir()
    with TestClient(create_app(PortalConfig(outputs=outputs, cache_dir=tmp_path / "packs")), base_url=LOCAL) as c:
        yield c


def _page(client: object, path: str) -> HtmlElement:
    response = client.get(path)  # type: ignore[attr-defined]
    assert response.status_code == 200, path
    return fromstring(response.text)


def _one(page: HtmlElement, path: str) -> HtmlElement:
    found = page.xpath(path)
    assert len(found) == 1, path
    return found[0]


def test_h1_lang_is_the_language_the_title_is_written_in(client: object) -> None:
    translated = _one(_page(client, f"/en/{MIXED}/en/"), "//h1")
    assert translated.text_content() == EN_TITLE and translated.get("lang") == "en"
    untranslated = _one(_page(client, f"/en/{UNTRANSLATED}/en/"), "//h1")
    assert untranslated.text_content() == VI_TITLE and untranslated.get("lang") == "vi"
    assert _one(_page(client, f"/{MIXED}/km/"), "//h1").get("lang") == "vi"  # the Khmer locale kept the source title


def test_transcript_paragraphs_and_cues_carry_their_language(client: object) -> None:
    box = _one(_page(client, f"/en/{MIXED}/en/"), '//*[@id="readalong-text"]')
    assert box.get("lang") == "en"
    english, vietnamese, mixed = box.xpath("p")
    assert english.text_content() == "Mass mobilization briefing." and english.get("lang") is None
    assert vietnamese.text_content() == "Hội nghị triển khai nhiệm vụ quý III." and vietnamese.get("lang") == "vi"
    # an English sentence with a Vietnamese name stays English (the name is a part of its cue); the next cue is Vietnamese
    assert mixed.text_content() == "Delegates met Nguyễn Văn An today. Tỉnh ủy Quảng Trị chủ trì."
    assert mixed.get("lang") is None
    assert [(s.text_content(), s.get("lang")) for s in mixed.xpath(".//span")] == [("Tỉnh ủy Quảng Trị chủ trì.", "vi")]
    # a reading in one language: no lang to add
    vi_box = _one(_page(client, f"/en/{MIXED}/vi/"), '//div[@class="transcript"]')
    assert vi_box.get("lang") == "vi" and not any(p.get("lang") or p.xpath(".//span") for p in vi_box.xpath("p"))


def test_caption_track_srclang_is_the_main_spoken_language(client: object) -> None:
    assert _one(_page(client, f"/en/{MIXED}/en/"), "//track").get("srclang") == "en"
    page = _page(client, f"/en/{UNTRANSLATED}/en/")
    assert _one(page, "//track").get("srclang") == "vi"
    box = _one(page, '//*[@id="readalong-text"]')
    assert box.get("lang") == "en"  # the transcript is the English edition's ...
    assert [p.get("lang") for p in box.xpath("p")] == ["vi", "vi", "vi"]  # ... read mostly in Vietnamese


def test_why_no_reading_or_braille_in_the_page_language(client: object) -> None:
    en = _page(client, f"/en/{MIXED}/km/")
    assert "No voice can read this language yet." in _one(en, '//section[@aria-labelledby="h-audio"]').text_content()
    assert "No braille table exists for this language yet." in _one(en, '//section[@aria-labelledby="h-formats"]').text_content()
    vi = _page(client, f"/{MIXED}/km/")
    assert "Chưa có giọng đọc cho ngôn ngữ này." in _one(vi, '//section[@aria-labelledby="h-audio"]').text_content()
    assert "Chưa có bảng chữ nổi cho ngôn ngữ này." in _one(vi, '//section[@aria-labelledby="h-formats"]').text_content()
    # a reason of no known class: said in the page's language, then bantin's own words, marked English
    unknown = _one(_page(client, f"/{MIXED}/en/"), '//section[@aria-labelledby="h-formats"]/p')
    assert unknown.text_content() == "Chưa có chữ nổi cho ngôn ngữ này. (bantin exploded)"
    assert [(s.get("lang"), s.text_content()) for s in unknown.xpath(".//span")] == [("en", "(bantin exploded)")]


def test_cue_languages_and_alignment_from_parts() -> None:
    cues = parse_vtt(EN_VTT.replace("Delegates", "&lt;b&gt; <i>Delegates</i>"))
    assert [c.text for c in cues][2] == "<b> Delegates met Nguyễn Văn An today."
    parts = [Part.model_validate(p) for p in EN_PARTS]
    assert cue_langs(cues, parts, "en") == ["en", "vi", "en", "vi"]
    assert cue_langs([Cue(9.0, 10.0, "late")], parts, "en") == ["en"]  # no part overlaps: the locale's
    # a transcript line-wrapped differently from the cues still aligns; an unfound cue is left out
    paragraphs = transcript_paragraphs(
        "A b.\n\nC\n d. E f.", [Cue(0, 1, "A b."), Cue(1, 2, "zzz"), Cue(2, 3, "C d."), Cue(3, 4, "E f.")], ["vi", "en", "en", "vi"], "en", str
    )
    assert [(p.lang, [(r.text, r.lang) for r in p.runs]) for p in paragraphs] == [("vi", [("A b.", None)]), (None, [("C\n d. ", None), ("E f.", "vi")])]


def test_main_spoken_language() -> None:
    entry = Entry(path="a.mp3", kind="audio", locale="en", media_type="audio/mpeg", languages=["vie", "eng"])
    assert main_spoken(entry, "en") == "vi"
    by_parts = entry.model_copy(update={"languages": None, "parts": [Part.model_validate(p) for p in EN_PARTS]})
    assert main_spoken(by_parts, "en") == "en"  # 3.5 s of each: the locale wins a tie
    assert main_spoken(by_parts.model_copy(update={"parts": [p for p in by_parts.parts or () if p.start_s != 5.4]}), "en") == "vi"
    assert main_spoken(None, "km") == "km"


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium; `make test` does it)")
def test_mixed_language_page_is_axe_clean(client: object) -> None:
    from axe_playwright_python.sync_playwright import Axe

    html = client.get(f"/en/{MIXED}/en/").text  # type: ignore[attr-defined]
    with chromium() as browser:
        page = browser.new_page()
        page.set_content(html)
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})
        assert results.violations_count == 0, results.generate_report()
