"""A content-addressed cache of spoken chunks.

The key is the engine, the voice and the normalized text, so republishing a
bulletin, or re-running after a crash, never asks an engine (or Google) for
speech it already produced.  Entries are mono 16-bit 44.1 kHz WAV files (the
reading is joined straight from them, without loading them all), written atomically: a crash leaves either the whole entry or none.  Each
engine has its own entries, so an espeak fallback made while gTTS was down is
never served in place of gTTS: ``auto`` asks gTTS first every time.

Mastered readings are kept too, under ``mastered/``: the untagged MP3 and its
measured loudness, named by :func:`~bantin.speech.audio.mastering_key` (the
joined audio, target, bitrate, code and ffmpeg).  A bulletin republished under
another id, or the same text in another bulletin, is then encoded once: the
MP3's bytes and measurement are those the same inputs gave before, checked
against the sha256 stored with them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from bantin.fsutil import atomic_path, sha256_file
from bantin.paths import speech_cache_dir
from bantin.speech.audio import Loudness, Pcm, is_reading_pcm, read_pcm, write_wav

__all__ = ["MASTERED", "SpeechCache", "cache_key"]

#: The cache's folder of mastered readings (beside the engines' folders; no engine has this name).
MASTERED = "mastered"


def cache_key(engine: str, voice: str, text: str) -> str:
    """sha256 of engine, voice and text (NUL-separated, so no two triples collide)."""
    return hashlib.sha256("\0".join((engine, voice, text)).encode("utf-8")).hexdigest()


class SpeechCache:
    """Spoken chunks on disk under ``root/<engine>/<key[:2]>/<key>.wav``."""

    def __init__(self, root: Path | None = None, masters: bool = True) -> None:
        self.root = root if root is not None else speech_cache_dir()
        #: whether mastered readings are looked up and kept (benchmarks of the mastering switch it off)
        self.masters = masters
        #: lookups answered from disk, and chunks stored, since creation (for logs and tests)
        self.hits = 0
        self.stores = 0
        #: mastered readings served from disk, and stored, since creation
        self.master_hits = 0
        self.master_stores = 0

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

    def _mastered_paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / MASTERED / key[:2]
        return folder / f"{key}.mp3", folder / f"{key}.json"

    @contextlib.contextmanager
    def mastering(self, key: str, wait_s: float = 600.0) -> Iterator[None]:
        """Hold the lock of the mastered reading ``key`` while it is looked up, made and stored.

        Bulletins of one batch often share a reading (copies under other ids);
        the first masters it, the others wait here and then find it.  A lock not
        had within ``wait_s`` (a very long reading), or not to be had at all (a
        full or read-only cache), is not waited for: the reading is mastered
        anyway, as it would be without the cache.
        """
        if not self.masters:
            yield
            return
        lock_path = self._mastered_paths(key)[0].with_suffix(".lock")
        lock = FileLock(str(lock_path))
        try:
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            lock.acquire(timeout=wait_s)
        except (Timeout, OSError):
            yield
            return
        try:
            yield
        finally:
            lock.release()

    def mastered(self, key: str) -> tuple[Path, Loudness] | None:
        """The mastered reading stored under ``key`` (untagged MP3) and its measurement, or None.

        An entry whose MP3 does not match the size and sha256 stored beside it
        (damaged, cut short) counts as missing.
        """
        if not self.masters:
            return None
        mp3, meta = self._mastered_paths(key)
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            if mp3.stat().st_size != info["bytes"] or sha256_file(mp3) != info["sha256"]:
                return None
            loudness = Loudness(float(info["integrated_lufs"]), float(info["true_peak_dbtp"]), float(info["lra_lu"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self.master_hits += 1
        return mp3, loudness

    def store_mastered(self, key: str, mp3: Path, loudness: Loudness) -> bool:
        """Keep a mastered reading (untagged) and its measurement; whether it was kept.

        The MP3 is written first, so a kept measurement always has its file.  A
        cache that cannot take it (full, read-only) keeps nothing: the reading
        itself is finished and is not failed for that.
        """
        if not self.masters:
            return False
        target, meta = self._mastered_paths(key)
        info = {
            "bytes": mp3.stat().st_size,
            "sha256": sha256_file(mp3),
            "integrated_lufs": loudness.integrated_lufs,
            "true_peak_dbtp": loudness.true_peak_dbtp,
            "lra_lu": loudness.lra_lu,
        }
        try:
            with atomic_path(target) as tmp:
                shutil.copyfile(mp3, tmp)
            with atomic_path(meta) as tmp:
                tmp.write_text(json.dumps(info, sort_keys=True) + "\n", encoding="utf-8")
        except OSError:
            return False
        self.master_stores += 1
        return True
