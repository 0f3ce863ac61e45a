"""BS.1770 measurement in numpy (bantin.speech.loudness), checked against ffmpeg's ebur128 and alimiter on the same audio."""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from bantin.speech.audio import SAMPLE_RATE, Pcm, write_wav
from bantin.speech.loudness import LoudnessStats, k_weighting
from testing_utils import ebur128


def samples_of(frames: bytes) -> np.ndarray:
    return np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768.0


def measured(x: np.ndarray, block: int = SAMPLE_RATE, *, envelope: bool = False) -> LoudnessStats:
    stats = LoudnessStats(SAMPLE_RATE, true_peak=True, envelope=envelope)
    for start in range(0, x.size, block):
        stats.feed(x[start : start + block])
    stats.finish()
    return stats


def wav_of(x: np.ndarray, path: Path) -> Path:
    write_wav(Pcm(np.round(np.clip(x, -1, 32767 / 32768) * 32768).astype("<i2").tobytes()), path)
    return path


def test_k_weighting_at_48_khz_is_the_standards_table() -> None:
    shelf, highpass = k_weighting(48000)
    # ITU-R BS.1770-4, tables 1 and 2
    assert shelf == pytest.approx([1.53512485958697, -2.69169618940638, 1.19839281085285, 1.0, -1.69065929318241, 0.73248077421585], abs=1e-9)
    assert highpass == pytest.approx([1.0, -2.0, 1.0, 1.0, -1.99004745483398, 0.99007225036621], abs=1e-9)


@pytest.mark.parametrize("level_db", [0.0, -9.0, -20.0])
def test_speech_measures_as_ffmpeg_measures_it(speech: bytes, level_db: float, tmp_path: Path) -> None:
    x = np.tile(samples_of(speech), 2) * 10 ** (level_db / 20)
    ours = measured(x)
    integrated, true_peak, lra = ebur128(wav_of(x, tmp_path / "speech.wav"))
    assert ours.integrated_lufs() == pytest.approx(integrated, abs=0.1)
    assert ours.true_peak_dbtp() == pytest.approx(true_peak, abs=0.15)
    assert ours.loudness_range_lu() == pytest.approx(lra, abs=0.3)


def test_an_inter_sample_peak_is_found(tmp_path: Path) -> None:
    # a quarter-rate sine sampled 45° off its crests: every sample at 0.707 of the peak, 3 dB under it
    n = np.arange(SAMPLE_RATE * 3)
    x = 0.5 * np.sin(np.pi / 2 * n + np.pi / 4)
    ours = measured(x)
    assert ours.sample_peak_dbfs() == pytest.approx(20 * math.log10(0.5 * math.sqrt(0.5)), abs=0.01)
    assert ours.true_peak_dbtp() == pytest.approx(20 * math.log10(0.5), abs=0.1)
    # ffmpeg reads this 11 kHz tone high (−5.4 dBTP): it resamples to 48 kHz before oversampling. It never reads lower.
    assert ebur128(wav_of(x, tmp_path / "tone.wav"))[1] >= ours.true_peak_dbtp() - 0.05


def test_silence_has_no_loudness() -> None:
    stats = measured(np.zeros(SAMPLE_RATE * 2))
    assert stats.integrated_lufs() == -math.inf and stats.true_peak_dbtp() == -math.inf


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cuts=st.lists(st.integers(1, SAMPLE_RATE), min_size=1, max_size=12))
def test_how_the_stream_is_cut_changes_nothing(seed: int, cuts: list[int]) -> None:
    rng = np.random.default_rng(seed)
    # Band-limited like speech and MP3 (low-passed at 16 kHz): the true peak's candidate rule is exact there.
    # White noise can hide an inter-sample peak more than 4 dB above its samples, which a cut may or may not find.
    white = rng.normal(0, 0.2, SAMPLE_RATE * 3) * np.repeat(rng.uniform(0, 1, 30), SAMPLE_RATE // 10)
    bursts = signal.sosfilt(signal.butter(8, 16000, fs=SAMPLE_RATE, output="sos"), white)
    whole = measured(bursts, block=bursts.size, envelope=True)
    pieces = LoudnessStats(SAMPLE_RATE, true_peak=True, envelope=True)
    start = 0
    for cut in cuts:
        pieces.feed(bursts[start : start + cut])
        start += cut
    pieces.feed(bursts[start:])
    pieces.finish()
    assert pieces.integrated_lufs() == pytest.approx(whole.integrated_lufs(), abs=1e-9)
    assert pieces.true_peak == pytest.approx(whole.true_peak, abs=1e-12)
    assert pieces.sample_peak == whole.sample_peak
    assert pieces.limited(-12.0, 0.03, 0.005) == pytest.approx(whole.limited(-12.0, 0.03, 0.005), abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cuts=st.lists(st.integers(1, SAMPLE_RATE // 2), min_size=1, max_size=12))
def test_pcm16_and_float32_feeds_measure_what_float_samples_measure(seed: int, cuts: list[int]) -> None:
    # bursts of noise as int16 with one sample at −32768 (its magnitude must not wrap), fed in pieces of any length
    rng = np.random.default_rng(seed)
    pcm = np.round(rng.normal(0, 6000, SAMPLE_RATE * 2) * np.repeat(rng.uniform(0, 1, 20), SAMPLE_RATE // 10)).clip(-32767, 32767).astype("<i2")
    pcm[rng.integers(0, pcm.size)] = -32768
    x = pcm.astype(np.float64) / 32768.0
    reference = measured(x, block=x.size, envelope=True)
    for feed, data in (("feed_pcm16", pcm.tobytes()), ("feed_float32", x.astype("<f4").tobytes())):
        width = 2 if feed == "feed_pcm16" else 4
        stats = LoudnessStats(SAMPLE_RATE, true_peak=True, envelope=True)
        start = 0
        for cut in [*cuts, pcm.size]:
            getattr(stats, feed)(data[start * width : (start + cut) * width])
            start = min(start + cut, pcm.size)
        stats.finish()
        assert stats.sample_peak == reference.sample_peak == 1.0
        assert stats.true_peak == pytest.approx(reference.true_peak, rel=1e-6)
        assert stats.integrated_lufs() == pytest.approx(reference.integrated_lufs(), abs=1e-6)
        assert stats.limited(-9.0, 0.03, 0.005) == pytest.approx(reference.limited(-9.0, 0.03, 0.005), abs=1e-6)


@pytest.mark.parametrize("threshold_db", [-6.0, -12.0])
def test_the_limiter_model_predicts_ffmpegs_limiter(speech: bytes, threshold_db: float, tmp_path: Path) -> None:
    from bantin.speech.audio import _LIMITER, _LIMITER_ATTACK_S, _LIMITER_RELEASE_S

    x = np.tile(samples_of(speech), 2)
    predicted = measured(x, envelope=True).limited(threshold_db, _LIMITER_RELEASE_S, _LIMITER_ATTACK_S)
    wav = wav_of(x, tmp_path / "speech.wav")
    limiter = _LIMITER.format(limit=10 ** (threshold_db / 20))
    probe = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", str(wav), "-af", f"{limiter},ebur128", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    actual = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", probe.stderr)[-1])
    assert predicted == pytest.approx(actual, abs=0.3)


def test_memory_grows_by_kilobytes_a_minute() -> None:
    stats = LoudnessStats(SAMPLE_RATE, true_peak=True, envelope=True)
    minute = np.random.default_rng(1).normal(0, 0.1, SAMPLE_RATE * 60)
    stats.feed(minute)
    kept = sum(a.nbytes for a in stats._energies) + sum(a.nbytes for a in stats._peaks)
    assert kept * 50 < minute.nbytes  # 5 ms envelope: 2 × 12,600 floats (202 kB), against 21 MB of samples


def test_the_limiter_model_in_segments_equals_it_whole(speech: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    import bantin.speech.loudness as loudness

    stats = measured(np.tile(samples_of(speech), 2), envelope=True)
    whole = [stats.limited(threshold, 0.03, 0.005) for threshold in (-6.0, -12.0, -18.0)]
    monkeypatch.setattr(loudness, "_SEGMENT_SUBS", 3)  # 300 ms segments: the release and look-ahead cross many boundaries
    assert [stats.limited(threshold, 0.03, 0.005) for threshold in (-6.0, -12.0, -18.0)] == pytest.approx(whole, abs=1e-6)
