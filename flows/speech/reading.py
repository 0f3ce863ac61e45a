"""Readings: a variant spoken aloud for commune loudspeakers.

The script is the chrome's "Bản tin", the title and the date (intro), the body
and the source (outro), with pauses between.  Each segment is normalized for
speech, synthesized by an engine, joined as PCM and encoded to MP3 once, so the
timing of every segment is known exactly (for captions) and nothing is
re-encoded twice.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mutagen.mp3 import MP3

from ..errors import SpeechError
from ..fsutil import atomic_path, sha256_file
from ..localize import Variant
from ..model import BulletList, Paragraph, Quote
from .audio import Pcm, encode_mp3, read_pcm, silence, write_wav
from .engines import SpeechEngine

__all__ = ["ReadingResult", "Segment", "TimedSegment", "build_script", "synthesize_reading"]

#: Pause after the title and between paragraphs, in seconds.
DEFAULT_PAUSE_S = 0.8


@dataclass(frozen=True)
class Segment:
    """One stretch of the reading: the text as written, and the pause that follows it."""

    text: str
    pause_after: float
    role: str  # intro | body | outro


@dataclass(frozen=True)
class TimedSegment:
    """A segment placed on the timeline of the finished reading."""

    start: float
    end: float
    text: str
    spoken: str


@dataclass(frozen=True)
class ReadingResult:
    """A finished MP3 reading and the facts the manifest records."""

    path: Path
    locale: str
    engine: str
    voice: str
    degraded: bool
    duration_s: float
    bytes: int
    sha256: str
    segments: tuple[TimedSegment, ...]


def build_script(variant: Variant, pause: float = DEFAULT_PAUSE_S) -> list[Segment]:
    """What is read, in order: intro (chrome + title + date), body blocks, outro (source)."""
    b, _ = variant.bulletin, variant.gettext
    # Chrome lookups stay outside f-strings so Babel's extractor finds them.
    intro, source_label = _("Bản tin"), _("Nguồn")
    script = [
        Segment(f"{intro}.", pause / 2, "intro"),
        Segment(f"{b.title}.", pause, "intro"),
        Segment(f"{b.date.day}/{b.date.month}/{b.date.year}.", pause, "intro"),
    ]
    for block in b.body:
        if isinstance(block, Paragraph):
            script.append(Segment(block.text, pause, "body"))
        elif isinstance(block, BulletList):
            script.extend(Segment(item, pause / 2, "body") for item in block.items)
        elif isinstance(block, Quote):
            script.append(Segment(block.text, pause, "body"))
    if b.source:
        script.append(Segment(f"{source_label}: {b.source}.", pause, "outro"))
    return script


def synthesize_reading(
    variant: Variant,
    engine: SpeechEngine,
    out_path: Path,
    prepare: Callable[[str], str],
    pause: float = DEFAULT_PAUSE_S,
    bitrate_kbps: int = 96,
) -> ReadingResult:
    """Speak the variant with ``engine`` into an MP3 at ``out_path`` (atomic; unchanged bytes not rewritten).

    ``prepare`` turns written text into what the engine reads (speech normalization).
    """
    lang = variant.locale.espeak_voice if engine.name == "espeak" else variant.locale.gtts_lang
    if not lang:
        raise SpeechError(f"locale '{variant.locale.code}' has no voice for engine '{engine.name}'. Set audio.* in locales/{variant.locale.code}/locale.yaml")
    timeline: list[TimedSegment] = []
    pcm = bytearray()
    with tempfile.TemporaryDirectory(prefix="bantin-reading-") as tmp:
        for n, segment in enumerate(build_script(variant, pause)):
            spoken = prepare(segment.text)
            if not spoken.strip():
                continue
            wav = Path(tmp) / f"{n:04d}.wav"
            engine.synthesize(spoken, lang, wav)
            chunk = read_pcm(wav)
            start = len(pcm) / 2 / 44100
            pcm += chunk.frames
            timeline.append(TimedSegment(start, start + chunk.seconds, segment.text, spoken))
            pcm += silence(segment.pause_after).frames
        if not timeline:
            raise SpeechError(f"nothing to read for locale '{variant.locale.code}': every segment was empty")
        joined = Path(tmp) / "reading.wav"
        write_wav(Pcm(bytes(pcm)), joined)
        encoded = Path(tmp) / "reading.mp3"
        encode_mp3(joined, encoded, bitrate_kbps)
        data = encoded.read_bytes()
    if not (out_path.is_file() and out_path.read_bytes() == data):
        with atomic_path(out_path) as tmp_out:
            tmp_out.write_bytes(data)
    duration = MP3(str(out_path)).info.length
    return ReadingResult(
        path=out_path,
        locale=variant.locale.code,
        engine=engine.name,
        voice=engine.voice_id(lang),
        degraded=engine.degraded,
        duration_s=round(duration, 3),
        bytes=out_path.stat().st_size,
        sha256=sha256_file(out_path),
        segments=tuple(timeline),
    )
