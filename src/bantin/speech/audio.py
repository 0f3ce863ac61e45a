"""PCM plumbing for readings: convert chunks, stream them to disk, bring the reading to broadcast loudness, encode MP3.

A reading never sits in memory as a whole.  Chunks are appended to a WAV file
on disk (:class:`ReadingWriter`), which is then measured a block at a time by a
:class:`LoudnessMeter` (:func:`meter_wav`; numpy, :mod:`bantin.speech.loudness`): the integrated
loudness and sample peak of the reading, and the loudness it would keep after
peak limiting at several thresholds.  From those figures
:func:`plan_mastering` computes one linear gain and one limiter ceiling, and
:func:`encode_verified` applies them in the one ffmpeg pass that encodes the
MP3, while a second ffmpeg decodes the encoded bytes and this process
measures them (integrated loudness, 4×-oversampled true peak).  If the
measurement misses the target (rare: the limiter's loudness cost is
predicted), the encode is redone once with a correction.

:func:`mastering_key` names a mastered reading by what decides its bytes:
the joined PCM (its sha256, taken by :class:`ReadingWriter` as it writes),
the target, the bitrate, this code and the ffmpeg binary.  The speech cache
keeps mastered readings under that key, so the same audio is never mastered twice.
"""

from __future__ import annotations

import functools
import hashlib
import math
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from bantin.defaults import BITRATE_RANGE_KBPS, DEFAULT_BITRATE_KBPS
from bantin.errors import SpeechError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = [
    "CONVERT_BATCH",
    "LIMIT_GRID_DBFS",
    "LOUDNESS",
    "SAMPLE_RATE",
    "Loudness",
    "LoudnessMeter",
    "LoudnessTarget",
    "Mastering",
    "MeterReading",
    "Pcm",
    "ReadingWriter",
    "check_bitrate",
    "convert_to_pcm",
    "encode_verified",
    "ffmpeg_binary",
    "is_reading_pcm",
    "mastering_key",
    "meter_wav",
    "plan_mastering",
    "read_pcm",
    "silence",
    "write_wav",
]

#: Sample rate of every reading (44.1 kHz, what loudspeaker decoders expect).
SAMPLE_RATE = 44100
#: Limiter thresholds (dBFS, on the joined reading) at which the meter predicts the loudness left after limiting.
LIMIT_GRID_DBFS = (-3.0, -6.0, -9.0, -12.0, -15.0, -18.0, -24.0)
#: Inputs converted by one ffmpeg process (each has its own resampler, so the batch size changes no byte).
CONVERT_BATCH = 48
#: ffmpeg options that keep encoder and muxer version strings out of the output.
_BITEXACT = ("-fflags", "+bitexact", "-flags:a", "+bitexact")
#: How fast limiting raises the loudness-to-peak ratio of speech, in dB per dB of threshold (about 0.6 for espeak-ng);
#: used only when the peak lies under every threshold the meter measured.
_LIMIT_SLOPE = 0.6
#: LAME's -q (0 best/slowest … 9): 7 encodes 96 kb/s mono speech without audible loss at half the CPU of the default 3.
_LAME_QUALITY = 7
#: alimiter at the native rate: 5 ms look-ahead, 50 ms release, no automatic make-up gain.
_LIMITER = "alimiter=attack=5:release=50:level=false:limit={limit:.6f}"
#: The look-ahead and release of the meter's limiter model, fitted to that alimiter on espeak-ng readings
#: (ffmpeg's release curve is faster than an exponential of 50 ms: 30 ms predicts its loudness within 0.1 LU).
_LIMITER_ATTACK_S = 0.005
_LIMITER_RELEASE_S = 0.03
#: Bytes of decoded float samples read from the measuring ffmpeg at a time (1.5 s of audio).
_DECODE_READ = 4 * SAMPLE_RATE * 3 // 2


@dataclass(frozen=True)
class Pcm:
    """Mono signed 16-bit PCM at :data:`SAMPLE_RATE` (one chunk; a whole reading is streamed instead)."""

    frames: bytes

    @property
    def seconds(self) -> float:
        return len(self.frames) / 2 / SAMPLE_RATE


def ffmpeg_binary() -> str:
    """Path of ffmpeg, or a SpeechError saying how to install it."""
    binary = shutil.which("ffmpeg")
    if not binary:
        raise SpeechError("ffmpeg is not installed. Install it with 'apt-get install ffmpeg' (make publish does this)")
    return binary


def _last_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    return lines[-1] if lines else "no message"


def _run(args: list[str], what: str) -> None:
    proc = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0:
        raise SpeechError(f"ffmpeg failed to {what}: {_last_line(proc.stderr)}")


def is_reading_pcm(path: Path) -> bool:
    """True if ``path`` is a non-empty mono 16-bit 44.1 kHz WAV (what readings are joined from)."""
    try:
        with wave.open(str(path), "rb") as w:
            shape = (w.getnchannels(), w.getsampwidth(), w.getframerate())
            frames = w.getnframes()
        whole = path.stat().st_size >= 44 + 2 * frames  # a truncated file promises more frames than it holds
    except (OSError, wave.Error, EOFError):
        return False
    return shape == (1, 2, SAMPLE_RATE) and frames > 0 and whole


def read_pcm(path: Path) -> Pcm:
    """Any audio file as mono 16-bit PCM at 44.1 kHz (converted as :func:`convert_to_pcm` does unless it already is)."""
    try:
        with wave.open(str(path), "rb") as w:
            if (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, SAMPLE_RATE):
                return Pcm(w.readframes(w.getnframes()))
    except (wave.Error, EOFError):
        pass
    upsampled = _upsampled_half_rate(path)
    if upsampled is not None:
        return Pcm(upsampled)
    proc = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(SAMPLE_RATE), "-"],
        capture_output=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise SpeechError(f"ffmpeg could not decode {path.name}: {proc.stderr.decode(errors='replace').strip()[-200:]}")
    return Pcm(proc.stdout)


#: Taps of the 2× interpolator for 22.05 kHz speech (espeak-ng): a half-band FIR, 129 taps, Kaiser β = 9.
#: Flat to 10 kHz (−0.4 dB at 10.5 kHz), −6 dB at 11.025 kHz, below −80 dB from 12 kHz: the images of the upsampling are gone.
_HALFBAND_TAPS = 129
_HALFBAND_BETA = 9.0


@functools.cache
def _halfband_odd_taps() -> NDArray[np.float32]:
    """The odd-phase taps of the half-band interpolator (the even phase is the input itself: every other tap is zero)."""
    import numpy as np

    n = np.arange(_HALFBAND_TAPS) - _HALFBAND_TAPS // 2
    taps = 0.5 * np.sinc(0.5 * n) * np.kaiser(_HALFBAND_TAPS, _HALFBAND_BETA)
    return np.asarray(2.0 * taps[1::2] / taps.sum(), dtype=np.float32)


def _upsampled_half_rate(source: Path) -> bytes | None:
    """``source`` at 44.1 kHz if it is a mono 16-bit WAV at 22.05 kHz (espeak-ng's chunks), else None.

    An ffmpeg process per batch of chunks costs more in starting and opening
    inputs (about 5 ms per chunk) than the filtering itself; this is one
    convolution (about 0.5 ms per second of speech), and its audio differs from
    ffmpeg's resampler by less than −60 dB.
    """
    try:
        with wave.open(str(source), "rb") as w:
            if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, SAMPLE_RATE // 2):
                return None
            frames = w.readframes(w.getnframes())
    except (OSError, wave.Error, EOFError):
        return None
    import numpy as np  # here, not at the top: importing this module stays cheap

    x = np.frombuffer(frames, dtype="<i2")
    if not x.size:
        return None
    odd = _halfband_odd_taps()
    half = odd.size // 2
    padded = np.zeros(x.size + 2 * half, dtype=np.float32)
    padded[half:-half] = x
    between = np.convolve(padded, odd, mode="valid")[1:]
    np.rint(between, out=between)
    np.clip(between, -32768, 32767, out=between)
    y = np.empty(2 * x.size, dtype="<i2")
    y[0::2] = x  # every other sample is the input's own
    y[1::2] = between
    return y.tobytes()


def convert_to_pcm(pairs: Sequence[tuple[Path, Path]]) -> None:
    """Convert each ``(source, target)`` audio file to a mono 16-bit 44.1 kHz WAV.

    Engines speak at their own rates (espeak-ng 22.05 kHz, gTTS 24 kHz MP3).
    espeak-ng's WAV chunks are upsampled here (:func:`_upsampled_half_rate`); the
    others go to ffmpeg, one process for a whole batch of chunks.
    """
    rest = []
    for source, target in pairs:
        frames = _upsampled_half_rate(source)
        if frames is None:
            rest.append((source, target))
        else:
            write_wav(Pcm(frames), target)
    pairs = rest
    for start in range(0, len(pairs), CONVERT_BATCH):
        batch = pairs[start : start + CONVERT_BATCH]
        args = [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y"]
        for source, _ in batch:
            args += ["-i", str(source)]
        for n, (_, target) in enumerate(batch):
            args += ["-map", f"{n}:a:0", "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le", *_BITEXACT, str(target)]
        _run(args, f"convert {len(batch)} spoken chunks to 44.1 kHz PCM")
    for source, target in pairs:
        if not is_reading_pcm(target):
            raise SpeechError(f"the engine produced no audio in {source.name}: ffmpeg decoded nothing")


def silence(seconds: float) -> Pcm:
    """A pause of ``seconds``."""
    return Pcm(b"\x00\x00" * round(seconds * SAMPLE_RATE))


def write_wav(pcm: Pcm, path: Path) -> None:
    """Write PCM as a WAV file."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm.frames)


@dataclass(frozen=True)
class LoudnessTarget:
    """Broadcast loudness for loudspeaker readings (EBU R128-style, the podcast level).

    ``ceiling_dbfs`` is the limiter's sample-peak ceiling at the native rate;
    it sits below ``max_true_peak`` because inter-sample peaks and MP3 encoding
    add up to about 1.5 dB.
    """

    #: integrated loudness every reading is brought to, in LUFS
    integrated: float = -16.0
    #: allowed deviation of the measured integrated loudness, in LU
    tolerance: float = 1.0
    #: ceiling the finished MP3 must respect, in dBTP
    max_true_peak: float = -1.5
    #: sample-peak ceiling of the limiter, in dBFS
    ceiling_dbfs: float = -3.0
    #: loudness MP3 encoding at 64–128 kb/s takes from speech (0.3–0.5 LU measured on espeak-ng readings), in LU;
    #: the mastering aims this much above ``integrated``
    codec_loss: float = 0.4


#: The default target: −16 LUFS ±1 LU, true peak ≤ −1.5 dBTP.
LOUDNESS = LoudnessTarget()


@dataclass(frozen=True)
class Loudness:
    """Loudness of a file as measured by ffmpeg's ebur128 filter."""

    integrated_lufs: float
    true_peak_dbtp: float
    lra_lu: float

    def within(self, target: LoudnessTarget = LOUDNESS) -> bool:
        return abs(self.integrated_lufs - target.integrated) <= target.tolerance and self.true_peak_dbtp <= target.max_true_peak


# ---------------------------------------------------------------------------
# Streaming the reading to disk, measured on the way
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MeterReading:
    """What the meter measured on the joined reading."""

    #: integrated loudness (LUFS) and sample peak (dBFS) of the joined reading
    integrated_lufs: float
    peak_dbfs: float
    #: (limiter threshold in dBFS, integrated loudness in LUFS after limiting there), below the peak only
    limited: tuple[tuple[float, float], ...]


class LoudnessMeter:
    """Measures a reading fed a block at a time (in this process, numpy): loudness, sample peak and a limiter envelope.

    :meth:`finish` also predicts the loudness a peak limiter would leave at
    each threshold of ``grid`` under the peak (see
    :meth:`bantin.speech.loudness.LoudnessStats.limited`), which
    :func:`plan_mastering` interpolates.
    """

    def __init__(self, grid: Sequence[float] = LIMIT_GRID_DBFS) -> None:
        from bantin.speech.loudness import LoudnessStats  # numpy and scipy: loaded by readings, not by the record or the portal

        self.grid = tuple(grid)
        self._stats = LoudnessStats(SAMPLE_RATE, envelope=True)

    def feed(self, frames: bytes) -> None:
        """Measure more of the reading (16-bit mono PCM)."""
        self._stats.feed_pcm16(frames)

    def finish(self) -> MeterReading:
        """The measurements of everything fed."""
        from bantin.speech.loudness import ABSOLUTE_GATE_LUFS

        integrated = self._stats.integrated_lufs()
        if not math.isfinite(integrated) or integrated <= ABSOLUTE_GATE_LUFS:  # nothing passed the absolute gate
            shown = round(integrated, 1) if math.isfinite(integrated) else "-inf"
            raise SpeechError(f"the reading is silent (integrated loudness {shown} LUFS): the engine produced no speech")
        peak = self._stats.sample_peak_dbfs()
        limited = tuple(
            (threshold, round(self._stats.limited(threshold, _LIMITER_RELEASE_S, _LIMITER_ATTACK_S), 2)) for threshold in self.grid if threshold < peak
        )
        return MeterReading(round(integrated, 2), round(peak, 2), limited)


#: Frames of a joined reading read at a time when it is measured (about 12 s of audio, 1 MiB).
_METER_READ_FRAMES = 1 << 19


def meter_wav(path: Path, grid: Sequence[float] = LIMIT_GRID_DBFS) -> MeterReading:
    """Measure a joined reading (mono 16-bit 44.1 kHz WAV) a block at a time, as :class:`LoudnessMeter` does while joining.

    The reading is measured after it is joined, not during, so a reading the
    speech cache already holds mastered is never measured; the file was just
    written, so this pass reads it from the page cache, and memory stays flat.
    """
    meter = LoudnessMeter(grid)
    with wave.open(str(path), "rb") as w:
        while frames := w.readframes(_METER_READ_FRAMES):
            meter.feed(frames)
    return meter.finish()


class ReadingWriter:
    """Appends chunks and pauses to a WAV file on disk, keeping only the count and a digest in memory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.frames = 0
        self._digest = hashlib.sha256()
        self._wav = wave.open(str(path), "wb")  # noqa: SIM115  (closed by close()/__exit__)
        self._wav.setnchannels(1)
        self._wav.setsampwidth(2)
        self._wav.setframerate(SAMPLE_RATE)

    @property
    def seconds(self) -> float:
        """Length of what was written so far."""
        return self.frames / SAMPLE_RATE

    @property
    def pcm_sha256(self) -> str:
        """sha256 of the frames written so far (the reading's audio, without the WAV header)."""
        return self._digest.hexdigest()

    def append(self, frames: bytes) -> float:
        """Append 16-bit mono frames; returns their duration in seconds."""
        self._wav.writeframesraw(frames)
        self._digest.update(frames)
        count = len(frames) // 2
        self.frames += count
        return count / SAMPLE_RATE

    def append_file(self, wav: Path) -> float:
        """Append a mono 16-bit 44.1 kHz WAV (one chunk); returns its duration in seconds."""
        with wave.open(str(wav), "rb") as w:
            return self.append(w.readframes(w.getnframes()))

    def append_silence(self, seconds: float) -> float:
        """Append a pause; returns its exact duration in seconds."""
        return self.append(silence(seconds).frames)

    def close(self) -> None:
        self._wav.close()

    def __enter__(self) -> ReadingWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


# ---------------------------------------------------------------------------
# Mastering: one gain, one limiter, applied while encoding
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Mastering:
    """One linear gain and, when the peaks need it, a limiter ceiling after the gain."""

    gain_db: float
    #: limiter ceiling in dBFS after the gain; None when the gain alone keeps the peaks under the ceiling
    ceiling_dbfs: float | None

    def filters(self) -> str:
        """The ffmpeg filter chain (gain in float, so nothing clips before the limiter)."""
        chain = f"volume={self.gain_db:.3f}dB:precision=double"
        if self.ceiling_dbfs is not None:
            chain += "," + _LIMITER.format(limit=10 ** (self.ceiling_dbfs / 20))
        return chain


def _interpolate(points: Sequence[tuple[float, float]], x: float) -> float:
    """Piecewise-linear y(x) through ``points`` (sorted by x), extended linearly past both ends."""
    if len(points) == 1:
        return points[0][1]
    index = 0
    while index < len(points) - 2 and x > points[index + 1][0]:
        index += 1
    (x0, y0), (x1, y1) = points[index], points[index + 1]
    return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def plan_mastering(meter: MeterReading, target: LoudnessTarget = LOUDNESS, ceiling_dbfs: float | None = None, aim: float | None = None) -> Mastering:
    """The gain and limiter ceiling that bring the reading to ``aim`` (default: the target plus the codec's loss).

    Limiting at a threshold θ below the peak and then raising by ``C − θ``
    puts the peaks at the ceiling C; the meter measured the loudness left
    after limiting at a few θ, so the θ that lands on the target is
    interpolated from the peak-to-loudness ratios ``I(θ) − θ``.
    """
    ceiling = target.ceiling_dbfs if ceiling_dbfs is None else ceiling_dbfs
    aim = target.integrated + target.codec_loss if aim is None else aim
    plain_gain = aim - meter.integrated_lufs
    if meter.peak_dbfs + plain_gain <= ceiling:
        return Mastering(round(plain_gain, 3), None)
    # ratio r(θ) = I(θ) − θ grows as θ falls; find θ with r(θ) = aim − ceiling
    ratios = [(meter.integrated_lufs - meter.peak_dbfs, meter.peak_dbfs)]
    ratios += [(loudness - threshold, threshold) for threshold, loudness in meter.limited]
    if len(ratios) == 1:  # the peak lies under every measured threshold: assume speech's usual slope
        ratios.append((ratios[0][0] + _LIMIT_SLOPE * 10.0, meter.peak_dbfs - 10.0))
    ratios.sort()
    threshold = _interpolate(ratios, aim - ceiling)
    threshold = min(threshold, meter.peak_dbfs)
    return Mastering(round(ceiling - threshold, 3), ceiling)


def check_bitrate(bitrate_kbps: int) -> None:
    """Refuse an MP3 bitrate that IP loudspeaker decoders do not accept."""
    low, high = BITRATE_RANGE_KBPS
    if not low <= bitrate_kbps <= high:
        raise SpeechError(
            f"MP3 bitrate {bitrate_kbps} kb/s is outside {low}–{high} kb/s, which IP loudspeaker decoders accept. Pick e.g. {DEFAULT_BITRATE_KBPS}"
        )


def encode_verified(wav: Path, mp3: Path, mastering: Mastering, bitrate_kbps: int = DEFAULT_BITRATE_KBPS) -> Loudness:
    """Apply ``mastering`` while encoding ``wav`` to a mono 44.1 kHz CBR MP3; returns the MP3's measured loudness.

    The encoder writes the MP3 file and, through ffmpeg's tee muxer, the same
    bytes to a pipe read by a second ffmpeg that decodes them to float samples,
    measured here (BS.1770: integrated loudness, 4×-oversampled true peak,
    loudness range): the measurement is of the file's audio, and the processes run at once.
    No ID3 tag and no Xing header are written, so the file and the piped
    stream are byte for byte the same (the caller tags the file afterwards).
    """
    from bantin.speech.loudness import LoudnessStats

    check_bitrate(bitrate_kbps)
    ffmpeg = ffmpeg_binary()
    slave = "f=mp3:id3v2_version=0:write_xing=0"
    target = str(mp3).replace("\\", "\\\\").replace(":", "\\:").replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")
    encode_args = [
        ffmpeg,
        "-hide_banner",
        "-nostats",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(wav),
        "-map",
        "0:a",
        "-af",
        mastering.filters(),
        "-ac",
        "1",
        "-ar",
        str(SAMPLE_RATE),
        "-c:a",
        "libmp3lame",
        "-b:a",
        f"{bitrate_kbps}k",
        "-compression_level",
        str(_LAME_QUALITY),
        "-map_metadata",
        "-1",
        *_BITEXACT,
        "-f",
        "tee",
        f"[{slave}]{target}|[{slave}]pipe\\:1",
    ]
    decode_args = [ffmpeg, "-hide_banner", "-nostats", "-loglevel", "error", "-f", "mp3", "-i", "pipe:0", "-ac", "1", "-f", "f32le", "pipe:1"]
    stats = LoudnessStats(SAMPLE_RATE, true_peak=True)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as enc_err, tempfile.TemporaryFile("w+", encoding="utf-8") as dec_err:
        encoder = subprocess.Popen(encode_args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=enc_err)
        try:
            decoder = subprocess.Popen(decode_args, stdin=encoder.stdout, stdout=subprocess.PIPE, stderr=dec_err)
        finally:
            assert encoder.stdout is not None
            encoder.stdout.close()  # the decoder holds the pipe now
        assert decoder.stdout is not None
        with decoder.stdout:
            pending = b""
            while block := decoder.stdout.read(_DECODE_READ):
                pending += block
                whole = len(pending) // 4 * 4
                stats.feed_float32(pending[:whole])
                pending = pending[whole:]
        stats.finish()
        encoded = encoder.wait(timeout=600)
        decoded = decoder.wait(timeout=600)
        enc_err.seek(0)
        dec_err.seek(0)
        if encoded != 0:
            raise SpeechError(f"ffmpeg failed to encode {mp3.name}: {_last_line(enc_err.read())}")
        if decoded != 0:
            raise SpeechError(f"ffmpeg failed to decode {mp3.name} to measure its loudness: {_last_line(dec_err.read())}")
    integrated = stats.integrated_lufs()
    if not math.isfinite(integrated):
        raise SpeechError(f"{mp3.name} is silent once encoded: ffmpeg decoded no loud audio from it")
    return Loudness(round(integrated, 1), round(stats.true_peak_dbtp(), 1), round(stats.loudness_range_lu(), 1))


@functools.cache
def _mastering_code() -> str:
    """sha256 of the code that decides a mastered reading's bytes (this module and the loudness measurement)."""
    from bantin.speech import loudness

    digest = hashlib.sha256()
    for source in (__file__, loudness.__file__):
        digest.update(Path(source).read_bytes())
    return digest.hexdigest()


def mastering_key(pcm_sha256: str, target: LoudnessTarget = LOUDNESS, bitrate_kbps: int = DEFAULT_BITRATE_KBPS) -> str:
    """The name of the MP3 :func:`master_mp3` makes from this audio: its digest, the target, bitrate, code and ffmpeg.

    The ffmpeg binary counts by path, size and modification time, so an upgraded
    ffmpeg (another LAME) masters afresh; so does a change to the mastering code.
    """
    ffmpeg = Path(ffmpeg_binary()).resolve()
    stat = ffmpeg.stat()
    parts = (pcm_sha256, repr(target), str(bitrate_kbps), _mastering_code(), f"{ffmpeg}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def master_mp3(wav: Path, mp3: Path, meter: MeterReading, target: LoudnessTarget = LOUDNESS, bitrate_kbps: int = DEFAULT_BITRATE_KBPS) -> Loudness:
    """Encode the joined reading at the target loudness; one corrective encode if the measurement misses it."""
    ceiling = target.ceiling_dbfs
    aim = target.integrated + target.codec_loss
    loudness = encode_verified(wav, mp3, plan_mastering(meter, target), bitrate_kbps)
    for _ in range(2):
        if loudness.within(target):
            break
        # Miss the target (the limiter's cost was interpolated): aim off by the error, lower the ceiling by the overshoot.
        aim += target.integrated - loudness.integrated_lufs
        ceiling -= max(0.0, loudness.true_peak_dbtp - target.max_true_peak + 0.3)
        loudness = encode_verified(wav, mp3, plan_mastering(meter, target, ceiling, aim), bitrate_kbps)
    return loudness
