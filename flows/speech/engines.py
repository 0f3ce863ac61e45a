"""Speech engines behind one small protocol, with a registry of named implementations.

An engine turns one chunk of normalized text into a WAV file.  The registry maps
names (``espeak``, later ``gtts``, ``auto``, ``piper``) to factories so the CLI,
the flow and the Prefect form all pick engines by name.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..errors import EngineUnavailableError, SpeechError

__all__ = ["ENGINES", "EspeakEngine", "SpeechEngine", "get_engine"]


@runtime_checkable
class SpeechEngine(Protocol):
    """What the reading assembler needs from an engine."""

    #: registry name, recorded in the manifest
    name: str
    #: True when the engine is an emergency fallback, not broadcast quality
    degraded: bool

    def voice_id(self, lang: str) -> str:
        """A stable identifier of the voice used for ``lang`` (part of cache keys)."""
        ...

    def synthesize(self, text: str, lang: str, out_wav: Path) -> None:
        """Speak ``text`` in ``lang`` into a WAV file at ``out_wav``."""
        ...


class EspeakEngine:
    """espeak-ng, offline.  Intelligible but robotic: an emergency fallback, marked degraded."""

    name = "espeak"
    degraded = True

    def __init__(self, binary: str | None = None, words_per_minute: int = 150) -> None:
        self.binary = binary or shutil.which("espeak-ng") or shutil.which("espeak")
        self.words_per_minute = words_per_minute

    def voice_id(self, lang: str) -> str:
        return f"espeak-ng:{lang}:{self.words_per_minute}wpm"

    def synthesize(self, text: str, lang: str, out_wav: Path) -> None:
        if not self.binary:
            raise EngineUnavailableError("espeak-ng is not installed. Install it with 'apt-get install espeak-ng' (make publish does this)")
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as fh:
            fh.write(text)
            text_file = Path(fh.name)
        try:
            proc = subprocess.run(
                [self.binary, "-v", lang, "-b", "1", "-s", str(self.words_per_minute), "-f", str(text_file), "-w", str(out_wav)],
                capture_output=True, text=True, timeout=120, check=False,
            )
        finally:
            text_file.unlink(missing_ok=True)
        if proc.returncode != 0 or not out_wav.is_file() or out_wav.stat().st_size <= 44:
            raise SpeechError(f"espeak-ng failed for voice '{lang}' (exit {proc.returncode}): {proc.stderr.strip()[:200]}")


#: Engine registry: name -> factory.
ENGINES: dict[str, Callable[[], SpeechEngine]] = {
    "espeak": EspeakEngine,
}


def get_engine(name: str) -> SpeechEngine:
    """A new engine by registry name."""
    try:
        factory = ENGINES[name]
    except KeyError:
        raise SpeechError(f"unknown speech engine '{name}'. Known engines: {', '.join(sorted(ENGINES))}") from None
    return factory()
