"""The publish plan: complete variants are published, incomplete ones and voiceless readings are skipped."""

from __future__ import annotations

import dataclasses

from bantin.i18n.coverage import Coverage
from bantin.i18n.locales import load_locale
from bantin.publish.plan import plan_variants, reading_skip_reason, reading_skips
from bantin.speech.engines import ENGINES


def test_policy_skips_incomplete_variants_and_voiceless_readings(sample_variant) -> None:
    full = dataclasses.replace(sample_variant, locale=load_locale("en"), coverage=Coverage(9, 0, 0))
    partial = dataclasses.replace(sample_variant, locale=load_locale("km"), coverage=Coverage(1, 0, 8))
    no_reading = {"vi": None, "en": "no reading: engine espeak has no en voice", "km": None}
    plan = plan_variants({"vi": sample_variant, "en": full, "km": partial}, 100, no_reading)
    assert list(plan.variants) == ["vi", "en"] and plan.readings == ("vi",)
    assert [(s.locale, s.what) for s in plan.skipped] == [("en", "reading"), ("km", "variant")]
    assert plan.translations["km"]["status"] == "skipped" and plan.translations["vi"]["status"] == "published"
    assert plan_variants({"km": partial}, 10, {"km": None}).readings == ("km",)  # a lower threshold publishes it


def test_reading_skips_follow_locale_configs() -> None:
    skips = reading_skips(["vi", "km", "cmo"], "espeak")
    assert skips["vi"] is None
    assert skips["km"] == "no reading: engine espeak has no km voice"
    assert skips["cmo"] and "no speech engine" in skips["cmo"]


def test_readings_only_where_the_engine_has_a_voice() -> None:
    assert reading_skip_reason(load_locale("km"), "espeak", ENGINES) == "no reading: engine espeak has no km voice"
    assert reading_skip_reason(load_locale("cmo"), "espeak", ENGINES) == "no reading: no speech engine has a cmo voice"
    assert reading_skip_reason(load_locale("en"), "espeak", ENGINES) is None
    assert load_locale("en").voice_for("espeak") == "en-gb"
    # An engine that is not registered is left to fail loudly in synthesize_audio.
    assert reading_skip_reason(load_locale("vi"), "no-such-engine", ENGINES) is None


def test_readings_no_engine_can_speak_now_are_skipped(small_variant, monkeypatch) -> None:
    """gTTS unreachable: with auto, km (gTTS only) has no reading, with the reason; vi still has espeak; piper's voice file is the operator's."""
    import gtts.utils

    from bantin.errors import EngineUnavailableError, SpeechError, TransientSpeechError
    from bantin.publish.plan import drop_readings, skips_reading, unheard_readings

    monkeypatch.setattr(gtts.utils, "_translate_url", lambda tld="com", path="": f"https://127.0.0.1:9/{path}")
    km = dataclasses.replace(small_variant, locale=load_locale("km"))
    unheard = unheard_readings({"vi": small_variant, "km": km}, "auto")
    assert list(unheard) == ["km"] and "gTTS is not reachable" in unheard["km"] and unheard["km"].startswith("no reading: ")
    assert unheard_readings({"vi": small_variant}, "piper", "/no/such/voice.onnx") == {}  # left to fail in synthesize_audio
    plan = plan_variants({"vi": small_variant, "km": km}, 0, {"vi": None, "km": None})
    assert plan.readings == ("vi", "km")
    dropped = drop_readings(plan, unheard)
    assert dropped.readings == ("vi",) and list(dropped.variants) == ["vi", "km"]
    assert [(s.locale, s.what, s.reason) for s in dropped.skipped] == [("km", "reading", unheard["km"])]
    assert skips_reading("auto", TransientSpeechError("gTTS did not answer")) and skips_reading("gtts", EngineUnavailableError("no voice"))
    assert not skips_reading("auto", SpeechError("gTTS refused the request")) and not skips_reading("piper", EngineUnavailableError("no file"))
