"""Speech engines: gTTS replayed from recorded HTTP exchanges, auto's fallback, the chunk cache, piper."""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path

import pytest
import requests
import responses

from bantin.errors import EngineUnavailableError, SpeechError, TransientSpeechError
from bantin.speech.audio import read_pcm
from bantin.speech.cache import SpeechCache
from bantin.speech.engines import GTTS_MAX_CHARS, EspeakEngine, GttsEngine, PiperEngine, can_read, check_voice, get_engine
from bantin.speech.normalize import normalize
from bantin.speech.reading import synthesize_reading, unavailable_reason
from testing_utils import BATCHEXECUTE
from testing_utils import GTTS_OK_BODY as OK_BODY
from testing_utils import GTTS_TOO_MANY as TOO_MANY


def _sent(call: responses.Call) -> tuple[str, str]:
    """The chunk and language gTTS put in a recorded request's ``f.req`` body."""
    freq = urllib.parse.parse_qs(call.request.body)["f.req"][0]
    text, lang, *_ = json.loads(json.loads(freq)[0][0][1])
    return text, lang


def _sent_text(call: responses.Call) -> str:
    return _sent(call)[0]


@responses.activate
def test_gtts_success_sends_whole_clauses_under_the_limit(tmp_path: Path) -> None:
    responses.add(responses.POST, BATCHEXECUTE, body=OK_BODY, status=200)
    text = normalize("Sáng 28/6/2024, UBND tỉnh tổ chức hội nghị giao ban quý II, triển khai nhiệm vụ quý III cho các huyện, thành phố.")
    assert len(text) > GTTS_MAX_CHARS
    engine = GttsEngine(timeout=3)
    engine.synthesize(text, "vi", tmp_path / "out.wav")
    sent = [_sent_text(c) for c in responses.calls]
    assert len(sent) >= 2 and all(len(s) <= GTTS_MAX_CHARS for s in sent)
    assert " ".join(sent).split() == text.split()  # nothing lost, no word cut
    assert all(not s.endswith(" ") and s.split()[-1] in text.split() for s in sent)
    assert {_sent(c)[1] for c in responses.calls} == {"vi"}

    assert abs(read_pcm(tmp_path / "out.wav").seconds - len(sent) * _fixture_seconds(tmp_path)) < 0.05


def _fixture_seconds(tmp_path: Path) -> float:
    import base64

    b64 = re.search(r'jQ1olc","\[\\"(.*)\\"]', OK_BODY).group(1)
    mp3 = tmp_path / "fixture.mp3"
    mp3.write_bytes(base64.b64decode(b64))
    return read_pcm(mp3).seconds


@responses.activate
def test_gtts_429_is_transient_then_success(tmp_path: Path) -> None:
    responses.add(responses.POST, BATCHEXECUTE, body=TOO_MANY, status=429, content_type="text/html")
    responses.add(responses.POST, BATCHEXECUTE, body=OK_BODY, status=200)
    engine = GttsEngine(timeout=3)
    with pytest.raises(TransientSpeechError, match="HTTP 429"):
        engine.synthesize("xin chào bà con", "vi", tmp_path / "a.wav")
    engine.synthesize("xin chào bà con", "vi", tmp_path / "a.wav")
    assert read_pcm(tmp_path / "a.wav").seconds > 0.3


@responses.activate
def test_gtts_lasting_failure_is_a_clear_error(tmp_path: Path) -> None:
    responses.add(responses.POST, BATCHEXECUTE, body=requests.exceptions.ConnectionError("no route to host"))
    with pytest.raises(TransientSpeechError, match=r"gTTS did not answer.*--engine auto"):
        GttsEngine(timeout=3).synthesize("xin chào", "vi", tmp_path / "a.wav")
    responses.replace(responses.POST, BATCHEXECUTE, body="forbidden", status=403)
    with pytest.raises(SpeechError, match="refused") as info:
        GttsEngine(timeout=3).synthesize("xin chào", "vi", tmp_path / "a.wav")
    assert not isinstance(info.value, TransientSpeechError)  # not retried: retrying a 403 cannot help


@responses.activate
def test_gtts_hook_runs_before_every_request(tmp_path: Path) -> None:
    responses.add(responses.POST, BATCHEXECUTE, body=OK_BODY, status=200)
    seen: list[int] = []
    engine = GttsEngine(timeout=3, before_request=lambda: seen.append(len(responses.calls)))
    engine.synthesize("một, hai, ba. " * 12, "vi", tmp_path / "a.wav")
    assert seen == list(range(len(responses.calls))) and len(seen) >= 2


@responses.activate
def test_auto_falls_back_to_espeak_then_gtts_takes_over_at_the_next_publish(small_variant, tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path / "cache")
    responses.add(responses.POST, BATCHEXECUTE, body=requests.exceptions.ConnectionError("offline"))
    first = synthesize_reading(small_variant, get_engine("auto"), tmp_path / "a.mp3", prepare=normalize, cache=cache)
    assert first.read_by == ("espeak",) and first.degraded is True
    assert "gTTS did not answer" in (first.fallback_reason or "")
    assert len(responses.calls) == 1  # once gTTS failed, the rest of the reading went straight to espeak

    # Next publish, Google answers: the cached espeak chunks are not reused, gTTS reads everything.
    responses.replace(responses.POST, BATCHEXECUTE, body=OK_BODY, status=200)
    second = synthesize_reading(small_variant, get_engine("auto"), tmp_path / "a.mp3", prepare=normalize, cache=cache)
    assert second.read_by == ("gtts",) and second.degraded is False and second.fallback_reason is None
    assert {s.engine for s in second.segments} == {"gtts"}
    requests_made = len(responses.calls)

    # Republishing asks nothing again: every chunk comes from the cache, even with Google gone.
    responses.replace(responses.POST, BATCHEXECUTE, body=requests.exceptions.ConnectionError("offline"))
    third = synthesize_reading(small_variant, get_engine("auto"), tmp_path / "a.mp3", prepare=normalize, cache=cache)
    assert len(responses.calls) == requests_made and third.sha256 == second.sha256 and third.read_by == ("gtts",)


@responses.activate
def test_gtts_only_reading_fails_clearly_when_google_is_gone(small_variant, tmp_path: Path) -> None:
    responses.add(responses.POST, BATCHEXECUTE, body=requests.exceptions.ConnectionError("offline"))
    with pytest.raises(TransientSpeechError, match="gTTS did not answer"):
        synthesize_reading(small_variant, get_engine("gtts"), tmp_path / "a.mp3", prepare=normalize, cache=SpeechCache(tmp_path / "c"))
    assert not (tmp_path / "a.mp3").exists()


def test_cache_writes_are_atomic_and_keyed_by_engine_voice_text(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    from bantin.speech.audio import silence

    cache.put("espeak", "v1", "xin chào", silence(0.1))
    assert cache.get("espeak", "v1", "xin chào") is not None
    assert cache.get("gtts", "v1", "xin chào") is None and cache.get("espeak", "v2", "xin chào") is None
    assert cache.get("espeak", "v1", "xin chào.") is None
    assert [p.name for p in tmp_path.rglob("*") if ".tmp" in p.name] == []
    cache.path("espeak", "v1", "hỏng").parent.mkdir(parents=True, exist_ok=True)
    cache.path("espeak", "v1", "hỏng").write_bytes(b"RIFF")  # a damaged entry counts as missing
    assert cache.get("espeak", "v1", "hỏng") is None


def test_piper_without_a_voice_is_a_clear_error(tmp_path: Path) -> None:
    engine = PiperEngine(voice=tmp_path / "vi_VN-x.onnx")
    with pytest.raises(EngineUnavailableError, match=r"vi_VN-x.onnx or its config vi_VN-x.onnx.json is missing"):
        engine.synthesize("xin chào", "vi", tmp_path / "a.wav")
    with pytest.raises(EngineUnavailableError, match="--voice"):
        PiperEngine(voice=None).synthesize("xin chào", "vi", tmp_path / "a.wav")
    with pytest.raises(EngineUnavailableError, match=r"package 'no-such-voice' is not installed.*pip install no-such-voice"):
        PiperEngine().check_voice("package:no-such-voice")


def test_engine_registry_and_locale_configs() -> None:
    assert can_read("auto", ("gtts", "espeak")) and can_read("auto", ("gtts",)) and can_read("auto", ("piper",))
    assert not can_read("espeak", ("gtts",)) and not can_read("gtts", ())
    with pytest.raises(SpeechError, match="Known engines: auto, espeak, gtts, piper"):
        get_engine("festival")


# --- is a voice available right now? ---------------------------------------------------------


def test_espeak_knows_which_voices_it_has() -> None:
    engine = EspeakEngine()
    engine.check_voice("vi")
    engine.check_voice("vi+f3")  # a voice with a variant
    with pytest.raises(EngineUnavailableError, match="espeak-ng has no 'km' voice") as caught:
        check_voice(engine, "km")
    assert not isinstance(caught.value, TransientSpeechError)  # no voice is not worth a retry
    engine.binary = None
    with pytest.raises(EngineUnavailableError, match="apt-get install espeak-ng"):
        check_voice(engine, "vi")


def test_gtts_voice_check_knows_its_languages_and_probes_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    probed: list[tuple[str, int]] = []

    def offline(address: tuple[str, int], timeout: float) -> None:
        probed.append(address)
        raise OSError(101, "Network is unreachable")

    monkeypatch.setattr("socket.create_connection", offline)
    engine = GttsEngine()
    check_voice(engine, "km")  # offline check: the language only, no connection
    assert probed == []
    with pytest.raises(EngineUnavailableError, match="gTTS has no 'xx' voice"):
        check_voice(engine, "xx")
    with pytest.raises(TransientSpeechError, match=r"gTTS is not reachable .*Network is unreachable"):
        check_voice(engine, "km", online=True)
    assert probed and probed[0][1] == 443
    with pytest.raises(EngineUnavailableError, match="no voice configured"):
        check_voice(engine, None)


def _khmer(variant, **audio):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(variant, locale=replace(variant.locale, code="km", **audio))


def test_khmer_offline_has_a_reason_to_skip(small_variant, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("socket.create_connection", lambda address, timeout: (_ for _ in ()).throw(OSError(101, "unreachable")))
    km = _khmer(small_variant, audio_engines=("gtts",), gtts_lang="km", espeak_voice=None)
    assert "gTTS is not reachable" in str(unavailable_reason(km, get_engine("auto")))
    assert unavailable_reason(km, get_engine("auto"), online=False) is None  # gTTS has a Khmer voice
    assert "has no voice for engine 'espeak'" in str(unavailable_reason(km, get_engine("espeak")))
    # a config naming an espeak voice that is not installed, with gTTS offline: every reason is given
    both = _khmer(small_variant, audio_engines=("gtts", "espeak"), gtts_lang="km", espeak_voice="km")
    reason = str(unavailable_reason(both, get_engine("auto")))
    assert "espeak-ng has no 'km' voice" in reason and "gTTS is not reachable" in reason
    assert unavailable_reason(small_variant, get_engine("espeak")) is None


@responses.activate
def test_a_reading_with_no_available_voice_fails_cleanly_before_speaking(small_variant, tmp_path: Path) -> None:
    responses.add(responses.POST, BATCHEXECUTE, body=requests.exceptions.ConnectionError("offline"))
    both = _khmer(small_variant, audio_engines=("gtts", "espeak"), gtts_lang="km", espeak_voice="km")
    with pytest.raises(TransientSpeechError, match=r"no engine can read locale 'km' right now \(espeak: espeak-ng has no 'km' voice") as caught:
        synthesize_reading(both, get_engine("auto"), tmp_path / "km.mp3", prepare=str, cache=SpeechCache(tmp_path / "c"))
    assert "gtts: gTTS did not answer" in str(caught.value)
    assert len(responses.calls) == 1 and not (tmp_path / "km.mp3").exists()
    with pytest.raises(EngineUnavailableError, match="espeak-ng has no 'km' voice") as caught:
        synthesize_reading(both, get_engine("espeak"), tmp_path / "km.mp3", prepare=str, cache=SpeechCache(tmp_path / "c"))
    assert not isinstance(caught.value, TransientSpeechError)
