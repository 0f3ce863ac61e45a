"""Smoke test that a reading is speech: an offline Vietnamese recognizer (viet-asr, model inside the wheel) hears words.

Controls keep the recognizer honest: silence and noise must give an empty
transcript (so "non-empty" means something), and a clip of a known sentence
must give back some of its words (so a broken recognizer cannot pass).  No
clip of human or Google speech can be stored offline, so the positive
control is espeak-ng itself; the recognizer gets about a quarter of its words
right, which is why espeak readings are marked degraded.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import vietasr  # pinned test dependency: never skipped, so a missing recognizer fails loudly

CONTROL_SENTENCE = "Hôm nay là thứ hai. Bà con đến trạm y tế xã."


@pytest.fixture(scope="module")
def recognizer():
    return vietasr.Pipeline.preset("transcribe")


def _to_16k(src: Path | str, out: Path, *args: str, seconds: float | None = None) -> Path:
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args, "-i", str(src)]
    cmd += ["-t", str(seconds)] if seconds else []
    subprocess.run([*cmd, "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", str(out)], check=True)
    return out


def _words(text: str) -> set[str]:
    return set(text.lower().replace(".", " ").split())


def test_negative_controls_give_nothing(recognizer, tmp_path: Path) -> None:
    silence = _to_16k("anullsrc=r=16000:cl=mono", tmp_path / "silence.wav", "-f", "lavfi", seconds=3)
    noise = _to_16k("anoisesrc=r=16000:a=0.1:seed=1", tmp_path / "noise.wav", "-f", "lavfi", seconds=3)
    assert recognizer.transcribe(str(silence)).text.strip() == ""
    assert recognizer.transcribe(str(noise)).text.strip() == ""


def test_positive_control_gives_back_words_of_a_known_sentence(recognizer, tmp_path: Path) -> None:
    wav = tmp_path / "control.wav"
    subprocess.run(["espeak-ng", "-v", "vi", "-s", "140", "-w", str(wav), CONTROL_SENTENCE], check=True)
    heard = recognizer.transcribe(str(_to_16k(wav, tmp_path / "control16.wav"))).text
    assert len(_words(heard) & _words(CONTROL_SENTENCE)) >= 2, heard


def test_the_reading_is_heard_as_vietnamese_speech(recognizer, small_variant, tmp_path: Path) -> None:
    from bantin.speech.engines import get_engine
    from bantin.speech.normalize import normalize
    from bantin.speech.reading import synthesize_reading

    reading = synthesize_reading(small_variant, get_engine("espeak"), tmp_path / "r.mp3", prepare=normalize)
    heard = recognizer.transcribe(str(_to_16k(reading.path, tmp_path / "r16.wav", seconds=20))).text
    assert len(heard.split()) >= 5, heard
    spoken = set(" ".join(s.spoken for s in reading.segments).lower().split())
    assert _words(heard) & spoken, heard  # some recognized words are words the engine was asked to read
