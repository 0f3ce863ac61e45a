"""Reading audio: streaming to disk, batch conversion, the loudness meter and one-pass mastering, checked with ffmpeg."""

from __future__ import annotations

import array
import math
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from bantin.errors import SpeechError
from bantin.speech.audio import (
    LOUDNESS,
    SAMPLE_RATE,
    LoudnessMeter,
    MeterReading,
    ReadingWriter,
    convert_to_pcm,
    is_reading_pcm,
    master_mp3,
    meter_wav,
    plan_mastering,
    read_pcm,
    silence,
)
from bantin.speech.engines import EspeakEngine
from testing_utils import ebur128


def scaled(frames: bytes, db: float) -> bytes:
    """PCM scaled by ``db`` (no clipping for negative values)."""
    samples = array.array("h", frames)
    factor = 10 ** (db / 20)
    return array.array("h", (round(s * factor) for s in samples)).tobytes()


def join(folder: Path, frames: bytes, repeat: int = 3) -> tuple[Path, MeterReading]:
    """Join ``frames`` a few times with pauses and measure the joined file, as a reading does."""
    wav = folder / "joined.wav"
    with ReadingWriter(wav) as writer:
        for _ in range(repeat):
            writer.append(frames)
            writer.append_silence(0.8)
    return wav, meter_wav(wav)


@pytest.mark.parametrize("level_db", [0.0, -12.0])
def test_peaky_speech_lands_on_the_target_in_one_encode(speech: bytes, level_db: float, tmp_path: Path) -> None:
    wav, metered = join(tmp_path, scaled(speech, level_db))
    plan = plan_mastering(metered)
    assert plan.ceiling_dbfs == LOUDNESS.ceiling_dbfs  # espeak's peak-to-loudness ratio needs the limiter
    mp3 = tmp_path / "reading.mp3"
    reported = master_mp3(wav, mp3, metered)
    integrated, true_peak, _ = ebur128(mp3)
    assert -17.0 <= integrated <= -15.0 and true_peak <= -1.5
    # Two meters (ours, ffmpeg's), each rounded to 0.1: a value on a rounding edge may print one step apart.
    assert abs(reported.integrated_lufs - integrated) <= 0.11 and abs(reported.true_peak_dbtp - true_peak) <= 0.11


def test_a_low_crest_signal_needs_gain_only(tmp_path: Path) -> None:
    tone = array.array("h", (round(300 * math.sin(2 * math.pi * 440 * n / SAMPLE_RATE)) for n in range(SAMPLE_RATE * 3)))
    wav, metered = join(tmp_path, tone.tobytes())
    plan = plan_mastering(metered)
    assert plan.ceiling_dbfs is None and plan.gain_db > 20
    mp3 = tmp_path / "tone.mp3"
    master_mp3(wav, mp3, metered)
    integrated, true_peak, _ = ebur128(mp3)
    assert -17.0 <= integrated <= -15.0 and true_peak <= -1.5


def test_mastering_is_byte_reproducible(speech: bytes, tmp_path: Path) -> None:
    wav, metered = join(tmp_path, speech)
    master_mp3(wav, tmp_path / "a.mp3", metered)
    master_mp3(wav, tmp_path / "b.mp3", metered)
    data = (tmp_path / "a.mp3").read_bytes()
    assert data == (tmp_path / "b.mp3").read_bytes()
    assert b"Lavf" not in data and b"Lavc" not in data and not data.startswith(b"ID3")  # no version strings, no tag yet


def test_plan_interpolates_the_limiter_cost() -> None:
    metered = MeterReading(-19.0, 0.0, ((-4.0, -20.0), (-9.0, -22.0), (-15.0, -26.0)))
    plan = plan_mastering(metered)
    # ratios I(θ) − θ: 0 → −19, −4 → −16, −9 → −13, −15 → −11; the aim −15.6 − (−3) = −12.6 lies at θ = −10.2
    assert plan.ceiling_dbfs == -3.0 and plan.gain_db == pytest.approx(-3.0 + 10.2, abs=0.01)
    # peak under every measured threshold: speech's usual slope (0.6 dB per dB) is assumed, θ = −12 − 10 × 6.5 / 6
    low = plan_mastering(MeterReading(-31.1, -12.0, ()))
    assert low.ceiling_dbfs == -3.0 and low.gain_db == pytest.approx(-3.0 + 12.0 + 10 * 6.5 / 6, abs=0.01)
    quiet = MeterReading(-30.0, -25.0, ())
    assert plan_mastering(quiet).ceiling_dbfs is None and plan_mastering(quiet).gain_db == pytest.approx(14.4)


def test_silence_is_refused(tmp_path: Path) -> None:
    with ReadingWriter(tmp_path / "quiet.wav") as writer:
        writer.append_silence(3.0)
    with pytest.raises(SpeechError, match="silent"):
        meter_wav(tmp_path / "quiet.wav")


def test_writer_streams_to_disk_and_counts_exactly(tmp_path: Path) -> None:
    path = tmp_path / "joined.wav"
    with ReadingWriter(path) as writer:
        writer.append(silence(1.0).frames)
        size_after_one = path.stat().st_size
        assert writer.append_silence(0.25) == 0.25 and writer.frames == SAMPLE_RATE + SAMPLE_RATE // 4
        assert path.stat().st_size > size_after_one >= 2 * SAMPLE_RATE  # on disk as it goes
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (1, 2, SAMPLE_RATE, writer.frames)


def test_joining_a_long_reading_keeps_memory_flat(tmp_path: Path) -> None:
    # 20 minutes of PCM (106 MB) through the writer in a fresh interpreter: its peak RSS must not grow with it.
    script = f"""
import resource
from pathlib import Path
from bantin.speech.audio import ReadingWriter, silence
chunk = silence(3.0).frames
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with ReadingWriter(Path({str(tmp_path / "long.wav")!r})) as writer:
    for _ in range(400):
        writer.append(chunk)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""
    grown_kib = int(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout)
    assert (tmp_path / "long.wav").stat().st_size > 100_000_000
    assert grown_kib < 20_000


def test_batch_conversion_matches_one_file_at_a_time(tmp_path: Path) -> None:
    engine = EspeakEngine()
    pairs = []
    for n, text in enumerate(["xin chào", "bản tin", "tạm biệt"]):
        source = tmp_path / f"{n}.wav"
        engine.synthesize(text, "vi", source)
        pairs.append((source, tmp_path / f"{n}.pcm.wav"))
    convert_to_pcm(pairs)
    for source, target in pairs:
        assert is_reading_pcm(target) and not is_reading_pcm(source)  # espeak-ng speaks at 22.05 kHz
        assert read_pcm(target).frames == read_pcm(source).frames


def test_a_truncated_wav_is_not_reading_pcm(tmp_path: Path) -> None:
    path = tmp_path / "chunk.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(silence(0.5).frames)
    assert is_reading_pcm(path)
    path.write_bytes(path.read_bytes()[:1000])
    assert not is_reading_pcm(path)


def test_espeak_chunks_are_upsampled_in_process_as_ffmpeg_would(tmp_path: Path) -> None:
    """22.05 kHz WAV (espeak-ng) is upsampled here: same length, and within −55 dB of ffmpeg's resampler."""
    import numpy as np

    source = tmp_path / "chunk.wav"
    EspeakEngine().synthesize("Hội nghị giao ban công tác dân vận quý hai năm hai nghìn không trăm hai mươi tư", "vi", source)
    target = tmp_path / "chunk.pcm.wav"
    convert_to_pcm([(source, target)])
    ours = np.frombuffer(read_pcm(target).frames, dtype="<i2").astype(np.float64)
    theirs_wav = tmp_path / "ffmpeg.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(source), "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le", str(theirs_wav)], check=True)
    with wave.open(str(theirs_wav), "rb") as w:
        theirs = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    assert ours.size == theirs.size
    error_db = 10 * np.log10(np.mean((ours - theirs) ** 2) / np.mean(theirs**2))
    assert error_db < -55


def test_upsampling_keeps_the_speech_band_and_removes_the_images(tmp_path: Path) -> None:
    """A 9 kHz tone at 22.05 kHz comes out at 9 kHz, full level; its image at 13.05 kHz stays below −75 dB."""
    import numpy as np

    rate = SAMPLE_RATE // 2
    t = np.arange(rate * 2) / rate
    tone = np.rint(16000 * np.sin(2 * np.pi * 9000 * t)).astype("<i2")
    source = tmp_path / "tone.wav"
    with wave.open(str(source), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(tone.tobytes())
    target = tmp_path / "tone.pcm.wav"
    convert_to_pcm([(source, target)])
    y = np.frombuffer(read_pcm(target).frames, dtype="<i2").astype(np.float64)[SAMPLE_RATE // 2 : -SAMPLE_RATE // 2]
    spectrum = np.abs(np.fft.rfft(y * np.hanning(y.size)))
    freqs = np.fft.rfftfreq(y.size, 1 / SAMPLE_RATE)
    level = spectrum[np.abs(freqs - 9000).argmin()]
    image = spectrum[np.abs(freqs - (rate - 9000)).argmin()]
    assert 20 * np.log10(level / (16000 * y.size / 4)) > -0.5  # the Hann window's coherent gain is 1/2
    assert 20 * np.log10(image / level) < -75


def test_metering_the_joined_file_measures_what_metering_while_joining_does(speech: bytes, tmp_path: Path) -> None:
    _, from_file = join(tmp_path, speech, repeat=4)
    alongside = LoudnessMeter()  # fed the pieces as they were appended
    for _ in range(4):
        alongside.feed(speech)
        alongside.feed(silence(0.8).frames)
    assert from_file == alongside.finish()
