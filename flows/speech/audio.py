"""PCM plumbing for readings: read/convert WAV chunks, join them with pauses, encode MP3 with ffmpeg."""

from __future__ import annotations

import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

from ..errors import SpeechError

__all__ = ["Pcm", "encode_mp3", "ffmpeg_binary", "read_pcm", "silence", "write_wav"]

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
