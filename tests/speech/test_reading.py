"""Readings: a real espeak-ng voice, joined as PCM and encoded to MP3 by ffmpeg."""

from __future__ import annotations

import array
import json
import math
import subprocess
from pathlib import Path

import pytest

from flows.speech.audio import read_pcm
from flows.speech.engines import EspeakEngine, get_engine
from flows.speech.normalize import normalize
from flows.speech.reading import DEFAULT_PAUSE_S, build_script, synthesize_reading


@pytest.fixture(scope="module")
def reading(sample_variant, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("reading") / "sample.vi.mp3"
    return synthesize_reading(sample_variant, get_engine("espeak"), out, prepare=normalize)


def test_mp3_format(reading) -> None:
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(reading.path)], capture_output=True, text=True, check=True
    )
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
    again = synthesize_reading(sample_variant, get_engine("espeak"), tmp_path / "again.mp3", prepare=normalize)
    assert again.sha256 == reading.sha256


def test_missing_espeak_is_a_clear_error(tmp_path: Path) -> None:
    engine = EspeakEngine()
    engine.binary = None
    with pytest.raises(Exception, match="apt-get install espeak-ng"):
        engine.synthesize("xin chào", "vi", tmp_path / "x.wav")
