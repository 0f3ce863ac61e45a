"""PCM plumbing for readings: read/convert WAV chunks, join them with pauses, encode MP3 with ffmpeg."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

from bantin.errors import SpeechError

__all__ = [
    "LOUDNESS",
    "Loudness",
    "LoudnessTarget",
    "Pcm",
    "encode_mp3",
    "ffmpeg_binary",
    "loudnorm_filters",
    "measure_loudness",
    "read_pcm",
    "silence",
    "write_wav",
]

#: Sample rate of every reading (44.1 kHz, what loudspeaker decoders expect).
SAMPLE_RATE = 44100


@dataclass(frozen=True)
class Pcm:
    """Mono signed 16-bit PCM at :data:`SAMPLE_RATE`."""

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


def _run(args: list[str], what: str) -> None:
    proc = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0:
        raise SpeechError(f"ffmpeg failed to {what}: {proc.stderr.strip().splitlines()[-1:] or proc.returncode}")


def read_pcm(path: Path) -> Pcm:
    """Any audio file as mono 16-bit PCM at 44.1 kHz (converted with ffmpeg unless it already is)."""
    try:
        with wave.open(str(path), "rb") as w:
            if (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, SAMPLE_RATE):
                return Pcm(w.readframes(w.getnframes()))
    except (wave.Error, EOFError):
        pass
    proc = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(SAMPLE_RATE), "-"],
        capture_output=True, timeout=600, check=False,
    )
    if proc.returncode != 0:
        raise SpeechError(f"ffmpeg could not decode {path.name}: {proc.stderr.decode(errors='replace').strip()[-200:]}")
    return Pcm(proc.stdout)


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


def encode_mp3(wav: Path, mp3: Path, bitrate_kbps: int = 96, filters: tuple[str, ...] = ()) -> None:
    """Encode a WAV to mono 44.1 kHz CBR MP3, bit-exact (no encoder version strings), optional audio filters."""
    if not 32 <= bitrate_kbps <= 192:
        raise SpeechError(f"MP3 bitrate {bitrate_kbps} kb/s is outside 32–192 kb/s, which IP loudspeaker decoders accept. Pick e.g. 96")
    args = [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(wav)]
    if filters:
        args += ["-af", ",".join(filters)]
    args += [
        "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k",
        "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact", "-id3v2_version", "0",
        str(mp3),
    ]
    _run(args, f"encode {mp3.name}")


@dataclass(frozen=True)
class LoudnessTarget:
    """Broadcast loudness for loudspeaker readings (EBU R128-style, the podcast level).

    ``filter_true_peak`` sits below ``max_true_peak`` because MP3 encoding adds
    inter-sample peaks: aiming at −2.0 dBTP lands the encoded file at or below −1.5.
    """

    #: integrated loudness every reading is brought to, in LUFS
    integrated: float = -16.0
    #: allowed deviation of the measured integrated loudness, in LU
    tolerance: float = 1.0
    #: ceiling the finished MP3 must respect, in dBTP
    max_true_peak: float = -1.5
    #: true-peak target given to loudnorm, in dBTP
    filter_true_peak: float = -2.0
    #: loudness range target given to loudnorm, in LU
    lra: float = 11.0


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


def _stderr_of(args: list[str], what: str) -> str:
    proc = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0:
        raise SpeechError(f"ffmpeg failed to {what}: {proc.stderr.strip().splitlines()[-1:] or proc.returncode}")
    return proc.stderr


def _loudnorm_measure(wav: Path, target: LoudnessTarget) -> dict[str, str]:
    """loudnorm's first pass over ``wav``: its JSON measurement."""
    err = _stderr_of(
        [ffmpeg_binary(), "-hide_banner", "-nostats", "-i", str(wav), "-af", f"{_loudnorm_base(target)}:print_format=json", "-f", "null", "-"],
        f"measure the loudness of {wav.name}",
    )
    found = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", err)
    if not found:
        raise SpeechError(f"ffmpeg loudnorm printed no measurement for {wav.name}")
    measured: dict[str, str] = json.loads(found.group(0))
    if not re.fullmatch(r"-?\d+(\.\d+)?", measured["input_i"]):
        raise SpeechError(f"{wav.name} is silent (integrated loudness {measured['input_i']}): the engine produced no speech")
    return measured


def _loudnorm_base(target: LoudnessTarget) -> str:
    return f"loudnorm=I={target.integrated}:TP={target.filter_true_peak}:LRA={target.lra}"


def loudnorm_filters(wav: Path, work_dir: Path, target: LoudnessTarget = LOUDNESS) -> tuple[Path, tuple[str, ...]]:
    """Prepare two-pass linear loudnorm: the WAV to encode and the second pass's filters.

    Linear loudnorm is a plain gain, so it only works when the speech's
    peak-to-loudness ratio fits under the true-peak ceiling.  espeak-ng (and
    some gTTS answers) peak at 0 dBFS, so when the gain would push the true
    peak over the ceiling, the peaks are first limited (``alimiter`` at 4×
    oversampling, so inter-sample peaks are caught) a little below it, and the
    gain re-measured: a few passes converge.  The second loudnorm pass then
    runs with ``measured_*`` and ``linear=true`` and lands on the target.
    """
    source = wav
    pre_gain = 0.0
    ceiling = 10 ** ((target.filter_true_peak - 1.0) / 20)
    measured = _loudnorm_measure(source, target)
    for attempt in range(5):
        gain = target.integrated - float(measured["input_i"])
        if float(measured["input_tp"]) + gain <= target.filter_true_peak:
            break
        pre_gain += gain
        source = work_dir / f"{wav.stem}.limited{attempt}.wav"
        _run(
            [
                ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(wav), "-af",
                f"volume={pre_gain:.2f}dB,aresample={SAMPLE_RATE * 4},"
                f"alimiter=limit={ceiling:.4f}:attack=1:release=50:level=false,aresample={SAMPLE_RATE}",
                "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le", "-fflags", "+bitexact", "-flags:a", "+bitexact", str(source),
            ],
            f"limit the peaks of {wav.name}",
        )
        measured = _loudnorm_measure(source, target)
    m = measured
    second = (
        f"{_loudnorm_base(target)}:measured_I={m['input_i']}:measured_TP={m['input_tp']}:measured_LRA={m['input_lra']}"
        f":measured_thresh={m['input_thresh']}:offset={m['target_offset']}:linear=true"
    )
    # loudnorm works at 192 kHz; bring it back to 44.1 kHz before the encoder.
    return source, (second, f"aresample={SAMPLE_RATE}")


def measure_loudness(path: Path) -> Loudness:
    """Integrated loudness (LUFS), true peak (dBTP) and loudness range (LU) with ffmpeg ``ebur128=peak=true``."""
    err = _stderr_of(
        [ffmpeg_binary(), "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"],
        f"measure the loudness of {path.name}",
    )
    summary = err[err.rfind("Summary:"):]

    def value(pattern: str) -> float:
        found = re.search(pattern, summary)
        if not found:
            raise SpeechError(f"ffmpeg ebur128 printed no '{pattern}' for {path.name}")
        return float(found.group(1))

    return Loudness(
        integrated_lufs=value(r"I:\s+(-?[\d.]+|-inf) LUFS"),
        true_peak_dbtp=value(r"Peak:\s+(-?[\d.]+|-inf) dBFS"),
        lra_lu=value(r"LRA:\s+(-?[\d.]+) LU"),
    )
