"""A content-addressed cache of spoken chunks.

The key is the engine, the voice and the normalized text, so republishing a
bulletin, or re-running after a crash, never asks an engine (or Google) for
speech it already produced.  Entries are mono 16-bit 44.1 kHz WAV files (the
reading is joined straight from them, without loading them all), written atomically: a crash leaves either the whole entry or none.  Each
engine has its own entries, so an espeak fallback made while gTTS was down is
never served in place of gTTS: ``auto`` asks gTTS first every time.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from bantin.fsutil import atomic_path
from bantin.paths import speech_cache_dir
from bantin.speech.audio import Pcm, is_reading_pcm, read_pcm, write_wav

__all__ = ["SpeechCache", "cache_key"]


def cache_key(engine: str, voice: str, text: str) -> str:
    """sha256 of engine, voice and text (NUL-separated, so no two triples collide)."""
    return hashlib.sha256("\0".join((engine, voice, text)).encode("utf-8")).hexdigest()


class SpeechCache:
    """Spoken chunks on disk under ``root/<engine>/<key[:2]>/<key>.wav``."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else speech_cache_dir()
        #: lookups answered from disk, and chunks stored, since creation (for logs and tests)
        self.hits = 0
        self.stores = 0

    def path(self, engine: str, voice: str, text: str) -> Path:
        key = cache_key(engine, voice, text)
        return self.root / engine / key[:2] / f"{key}.wav"

    def get(self, engine: str, voice: str, text: str) -> Pcm | None:
        """The cached speech, or None (a damaged entry counts as missing)."""
        path = self.path(engine, voice, text)
        if not path.is_file():
            return None
        try:
            pcm = read_pcm(path)
        except Exception:  # a truncated entry is re-synthesized, never fatal
            return None
        if not pcm.frames:
            return None
        self.hits += 1
        return pcm

    def put(self, engine: str, voice: str, text: str, pcm: Pcm) -> None:
        """Store speech atomically."""
        path = self.path(engine, voice, text)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            write_wav(pcm, tmp)
        self.stores += 1

    def lookup(self, engine: str, voice: str, text: str) -> Path | None:
        """The cached entry's path, or None (a damaged or truncated entry counts as missing)."""
        path = self.path(engine, voice, text)
        if not is_reading_pcm(path):
            return None
        self.hits += 1
        return path

    def store(self, engine: str, voice: str, text: str, wav: Path) -> Path:
        """Store a mono 16-bit 44.1 kHz WAV file atomically (copied: it may sit on another file system)."""
        path = self.path(engine, voice, text)
        with atomic_path(path) as tmp:
            shutil.copyfile(wav, tmp)
        self.stores += 1
        return path
