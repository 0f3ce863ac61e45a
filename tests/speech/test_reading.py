"""Readings: a real espeak-ng voice, joined as PCM and encoded to MP3 by ffmpeg."""

from __future__ import annotations

import array
import itertools
import json
import math
import re
import subprocess
from pathlib import Path

import pytest

from bantin.defaults import DEFAULT_PAUSE_S
from bantin.errors import SpeechError
from bantin.speech.audio import read_pcm
from bantin.speech.cache import SpeechCache
from bantin.speech.engines import EspeakEngine, get_engine
from bantin.speech.normalize import normalize
from bantin.speech.reading import build_script, synthesize_reading
from testing_utils import ebur128


@pytest.fixture(scope="module")
def reading(sample_variant, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("reading") / "sample.vi.mp3"
    return synthesize_reading(sample_variant, get_engine("espeak"), out, prepare=normalize)


def test_mp3_format(reading) -> None:
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(reading.path)], capture_output=True, text=True, check=True)
    stream = json.loads(probe.stdout)["streams"][0]
    assert stream["codec_name"] == "mp3" and stream["channels"] == 1 and stream["sample_rate"] == "44100"
    assert reading.engine == "espeak" and reading.degraded is True


def test_duration_is_plausible_for_the_text(reading, sample_variant) -> None:
    script = build_script(sample_variant)
    words = sum(len(normalize(s.text).split()) for s in script)
    pauses = sum(s.pause_after for s in script)
    # espeak-ng reads Vietnamese at about 150 syllables a minute; allow a broad band.
    assert words / 5 + pauses < reading.duration_s < words / 1.2 + pauses
    timeline_end = reading.segments[-1].end
    assert abs(reading.duration_s - (timeline_end + DEFAULT_PAUSE_S)) < 0.5


def test_reading_is_not_silence(reading) -> None:
    samples = array.array("h", read_pcm(reading.path).frames)
    window = 4410  # 0.1 s
    loud = 0
    total = 0
    for i in range(0, len(samples) - window, window):
        chunk = samples[i : i + window]
        rms = math.sqrt(sum(s * s for s in chunk[::10]) / len(chunk[::10]))
        total += 1
        loud += rms > 300
    assert total > 100 and loud / total > 0.5


def test_reading_is_reproducible(reading, sample_variant, tmp_path: Path) -> None:
    # Mastered afresh (not taken from the cache's mastered readings): the mastering itself must reproduce the bytes.
    again = synthesize_reading(sample_variant, get_engine("espeak"), tmp_path / "again.mp3", prepare=normalize, cache=SpeechCache(masters=False))
    assert again.sha256 == reading.sha256 and not again.mastered_before


def test_missing_espeak_is_a_clear_error(tmp_path: Path) -> None:
    engine = EspeakEngine()
    engine.binary = None
    with pytest.raises(Exception, match="apt-get install espeak-ng"):
        engine.synthesize("xin chào", "vi", tmp_path / "x.wav")


def test_duration_is_the_chunks_plus_the_pauses(reading) -> None:
    spoken = sum(s.end - s.start for s in reading.segments)
    expected = spoken + reading.pauses_s
    assert abs(reading.duration_s - expected) <= 0.05 * expected
    assert all(s.engine == "espeak" and s.voice.startswith("espeak-ng:vi") for s in reading.segments)
    assert all(len(s.spoken) > 0 for s in reading.segments)


def test_loudness_measured_independently_is_on_target(reading) -> None:
    # ffmpeg's ebur128 on the finished MP3, not the value the reading reported.
    integrated, true_peak, _ = ebur128(reading.path)
    assert -17.0 <= integrated <= -15.0 and true_peak <= -1.5
    # Two meters, each rounded to 0.1: a value on a rounding edge may print one step apart.
    assert abs(reading.loudness.integrated_lufs - integrated) <= 0.11 and abs(reading.loudness.true_peak_dbtp - true_peak) <= 0.11


def test_id3v24_tags_read_back(reading, sample_variant) -> None:
    from mutagen.id3 import ID3

    tags = ID3(str(reading.path))
    b = sample_variant.bulletin
    assert tags.version[:2] == (2, 4)
    assert str(tags["TIT2"]) == b.title and str(tags["TPE1"]) == b.source
    assert str(tags["TDRC"]) == "2024-06-28" and str(tags["TLAN"]) == "vie"
    comment = tags.getall("COMM")[0]
    assert comment.lang == "vie" and "espeak" in comment.text[0] and "degraded" in comment.text[0]
    assert not [k for k in tags if k.startswith(("TDEN", "TDTG", "TSSE", "TENC"))]  # nothing that varies per run


def test_vtt_cues_are_monotonic_and_cover_the_audio(reading) -> None:
    text = reading.captions.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT\n\n") and reading.captions == reading.path.with_suffix(".vtt")

    def secs(stamp: str) -> float:
        h, m, s = stamp.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)

    cues = [(secs(a), secs(b)) for a, b in re.findall(r"^(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})$", text, re.M)]
    assert len(cues) == len(reading.segments) > 10
    assert cues[0][0] == 0.0
    assert all(a < b for a, b in cues) and all(prev[1] <= cur[0] for prev, cur in itertools.pairwise(cues))
    assert reading.duration_s - DEFAULT_PAUSE_S - 0.3 <= cues[-1][1] <= reading.duration_s
    silent = sum(b[0] - a[1] for a, b in itertools.pairwise(cues))
    assert silent <= reading.pauses_s + 0.01  # gaps between cues are only the pauses
    assert "28/6/2024." in text and "hai mươi tám" not in text  # captions keep the written wording


def test_transcript_is_the_original_wording(reading, sample_variant) -> None:
    text = reading.transcript.read_text(encoding="utf-8")
    b = sample_variant.bulletin
    assert text.startswith(f"Bản tin.\n\n{b.title}.\n\n28/6/2024.\n\n")
    for paragraph in b.paragraphs:
        assert paragraph.text in text
    assert text.rstrip().endswith(f"Nguồn: {b.source}.")
    assert "hai nghìn không trăm" not in text  # not the normalized form


def test_bitrate_and_pause_are_configurable(small_variant, tmp_path: Path) -> None:
    quick = synthesize_reading(small_variant, get_engine("espeak"), tmp_path / "a.mp3", prepare=normalize, pause=0.3, bitrate_kbps=64)
    slow = synthesize_reading(small_variant, get_engine("espeak"), tmp_path / "b.mp3", prepare=normalize, pause=1.5, bitrate_kbps=128)
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(quick.path)], capture_output=True, text=True, check=True)
    assert json.loads(probe.stdout)["streams"][0]["bit_rate"] == "64000"
    assert slow.pauses_s > quick.pauses_s and slow.duration_s - quick.duration_s == pytest.approx(slow.pauses_s - quick.pauses_s, abs=0.1)
    with pytest.raises(SpeechError, match="32–192"):
        synthesize_reading(small_variant, get_engine("espeak"), tmp_path / "c.mp3", prepare=normalize, bitrate_kbps=256)


def test_a_locale_without_a_voice_for_the_engine_is_refused(small_variant, tmp_path: Path) -> None:
    from dataclasses import replace

    # Khmer's config: gTTS reads it, espeak-ng has no voice.
    km = replace(small_variant, locale=replace(small_variant.locale, code="km", audio_engines=("gtts",), espeak_voice=None))
    with pytest.raises(SpeechError, match="locale 'km' has no voice for engine 'espeak'"):
        synthesize_reading(km, get_engine("espeak"), tmp_path / "km.mp3", prepare=normalize)


def test_parts_are_timed_from_the_exact_chunk_lengths(reading) -> None:
    import wave

    from bantin.speech.audio import SAMPLE_RATE
    from bantin.speech.cache import SpeechCache

    cache = SpeechCache()  # the reading fixture used the default cache
    position = 0.0
    for part in reading.segments:
        entry = cache.lookup(part.engine, part.voice, part.spoken)
        assert entry is not None
        with wave.open(str(entry), "rb") as w:
            assert part.end - part.start == pytest.approx(w.getnframes() / SAMPLE_RATE, abs=1e-9)
        assert part.start >= position  # in order, pauses between
        position = part.end
    assert reading.timings and {phase for phase, _ in reading.timings} == {"speak", "meter", "master"}


def test_a_non_vietnamese_reading_says_the_date_in_its_own_language(sample_bulletin) -> None:
    from bantin.i18n.localize import localize

    script = build_script(localize(sample_bulletin, "en"))
    intro = " ".join(s.text for s in script[:3])
    assert "Friday, June 28, 2024." in intro and "28/6/2024" not in intro


# --- Vietnamese names in a non-Vietnamese reading ---------------------------------------------


@pytest.fixture(scope="module")
def english_reading(tmp_path_factory: pytest.TempPathFactory):
    """An en variant built by hand: names kept in Vietnamese, and one block left untranslated."""
    import datetime as dt

    from babel.dates import format_date

    from bantin.content.model import Bulletin, Paragraph
    from bantin.i18n.locales import load_locale
    from bantin.i18n.localize import Variant
    from bantin.speech.names import name_set

    source = Bulletin(
        id="2024-06-28-giao-ban",
        title="Giao ban công tác dân vận tại Đắk Nông",
        date=dt.date(2024, 6, 28),
        body=(
            Paragraph("Hội nghị diễn ra tại huyện Đắk Song, tỉnh Đắk Nông; đồng chí K’Thanh chủ trì."),
            Paragraph("Sáng 28/6, 6/6 xã đã hoàn thành kế hoạch."),
        ),
        source="Trung tâm Văn hóa - Thể thao",
    )
    english = {
        "title": "Mass mobilization meeting in Đắk Nông",
        "body.1.paragraph": "The meeting was held in Dak Song district, Đắk Nông province; comrade K’Thanh chaired it.",
    }
    translated = source.replace_text(lambda unit: english.get(unit.key, unit.text), "en")
    locale = load_locale("en")
    variant = Variant(
        locale=locale,
        bulletin=translated,
        date_text=format_date(source.date, format="full", locale=locale.babel_locale),
        unit_langs=tuple((u.key, "en" if u.key in english else "vi") for u in source.text_units()),
    )
    out = tmp_path_factory.mktemp("reading-en") / "giao-ban.en.mp3"
    names = name_set(u.text for u in source.text_units())
    return synthesize_reading(variant, get_engine("espeak"), out, source_names=names)  # prepare: the English pipeline


VI_VOICE = EspeakEngine().voice_id("vi")
EN_VOICE = EspeakEngine().voice_id("en-gb")


def test_vietnamese_names_are_read_with_the_vietnamese_voice(english_reading) -> None:
    parts = english_reading.segments
    vi_parts = [p.text for p in parts if p.voice == VI_VOICE]
    assert {"Đắk Nông", "Dak Song", "K’Thanh"} <= set(vi_parts)
    assert any(p.voice == EN_VOICE and "district" in p.text for p in parts)
    # the names are read as words, never letter by letter
    for part in parts:
        tokens = part.spoken.split()
        assert sum(len(t.strip(".,;")) == 1 for t in tokens) <= 1, part
    name = next(p for p in parts if p.text == "Đắk Nông" and p.voice == VI_VOICE)
    assert name.spoken == "Đắk Nông" and name.end - name.start < 1.5


def test_the_tags_list_every_language_heard(english_reading) -> None:
    from mutagen.id3 import ID3

    heard = {lang: sum(p.end - p.start for p in english_reading.segments if p.lang == lang) for lang in ("en", "vi")}
    assert heard["en"] > 0 and heard["vi"] > 0 and set(english_reading.languages) == {"eng", "vie"}
    main = "eng" if heard["en"] >= heard["vi"] else "vie"  # the language heard longest comes first
    assert english_reading.languages[0] == main
    assert ID3(str(english_reading.path))["TLAN"].text == list(english_reading.languages)


def test_untranslated_block_is_read_in_vietnamese(english_reading) -> None:
    # no en chrome catalog in this variant: "Bản tin." and "Nguồn: …" are Vietnamese lines, read whole by the vi voice
    first, last = english_reading.segments[0], english_reading.segments[-1]
    assert (first.text, first.voice, first.cue) == ("Bản tin.", VI_VOICE, -1)
    assert last.text.startswith("Nguồn: Trung tâm") and last.voice == VI_VOICE
    assert "thể thao" in last.spoken.lower()
    block = [p for p in english_reading.segments if p.text.startswith("Sáng 28/6")]
    assert block and all(p.voice == VI_VOICE for p in block)
    assert "hai mươi tám tháng sáu" in block[0].spoken and "sáu trên sáu xã" in block[0].spoken


def test_voice_parts_of_a_chunk_make_one_caption_cue(english_reading) -> None:
    vtt = english_reading.captions.read_text(encoding="utf-8")
    assert "The meeting was held in Dak Song district, Đắk Nông province;" in vtt
    assert "\nĐắk Nông\n" not in vtt
    cues = vtt.count(" --> ")
    assert cues < len(english_reading.segments)


def test_voice_parts_give_the_chunk_back() -> None:
    from bantin.speech.names import name_set
    from bantin.speech.reading import voice_parts

    names = name_set(["Huyện Đắk Song, đồng chí K’Thanh"])
    for written in (
        "Held in (Đắk Nông), with Dak Song - and K’Thanh.",
        "“Đắk Nông” province",
        "No names at all.",
    ):
        parts = voice_parts(written, str.strip, names)
        assert "".join(w for w, _, _ in parts) == written
        assert all(spoken.strip() and any(c.isalnum() for c in spoken) for _, spoken, _ in parts)
    parts = voice_parts("Held in (Đắk Nông), with Dak Song - and K’Thanh.", str.strip, names)
    assert [spoken for _, spoken, vi in parts if vi] == ["Đắk Nông", "Dak Song", "K’Thanh"]
