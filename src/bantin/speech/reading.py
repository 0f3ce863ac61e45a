"""Readings: a variant spoken aloud for commune loudspeakers.

The script is the chrome's "Bản tin", the title and the date (intro), the body
and the source (outro), with pauses between.  Each segment is cut into chunks
at sentence and clause boundaries (at most 100 characters once normalized, the
gTTS limit), each chunk is normalized and spoken by the first engine of the
chain that can (through the content-addressed cache; new chunks are brought
to 44.1 kHz a batch at a time).  Chunks and pauses are appended to a WAV file
on disk, hashed on the way, so the reading is never held in memory.  If the
speech cache holds that audio mastered (the same reading in another bulletin),
its MP3 is taken; otherwise the reading is measured (loudness, peaks, a
limiter model), and one gain and one limiter bring it to −16 LUFS / ≤ −1.5
dBTP in the pass that encodes the MP3, whose stream is measured (BS.1770) as
it is written (see :mod:`bantin.speech.audio`).  The MP3 is tagged (ID3v2.4).
A transcript (``.txt``, the original wording) and WebVTT captions (``.vtt``,
one cue per chunk, timed from the real chunk lengths) are written beside it.

In a non-Vietnamese reading, Vietnamese names are read by the engine's
Vietnamese voice as separate parts of their chunk (:mod:`bantin.speech.names`),
and untranslated blocks are read whole in Vietnamese; the parts record their
voice, and the parts of one chunk still make one caption cue.

A locale no engine of the chain can speak right now (no voice configured,
engine not installed, voice missing, gTTS offline) raises one
:class:`~bantin.errors.EngineUnavailableError` with every reason;
:func:`unavailable_reason` asks the same question before a reading is tried.
"""

from __future__ import annotations

import filecmp
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mutagen.id3 import COMM, ID3, TDRC, TIT2, TLAN, TPE1
from mutagen.mp3 import MP3

from bantin.content.model import BulletList, Paragraph, Quote
from bantin.defaults import DEFAULT_BITRATE_KBPS, DEFAULT_PAUSE_S, PAUSE_RANGE_S
from bantin.errors import BantinError, EngineUnavailableError, SpeechError, TransientSpeechError
from bantin.fsutil import atomic_path, sha256_file, write_text_if_changed
from bantin.i18n.locales import ISO639_2, LocaleConfig, load_locale
from bantin.i18n.localize import Variant
from bantin.speech.audio import (
    CONVERT_BATCH,
    LOUDNESS,
    Loudness,
    LoudnessTarget,
    ReadingWriter,
    check_bitrate,
    convert_to_pcm,
    is_reading_pcm,
    master_mp3,
    mastering_key,
    meter_wav,
)
from bantin.speech.cache import SpeechCache
from bantin.speech.chunking import split_sentences
from bantin.speech.engines import GTTS_MAX_CHARS, SpeechEngine, check_voice, engine_chain
from bantin.speech.names import is_vietnamese_word, name_set, vietnamese_runs
from bantin.speech.normalize import normalize
from bantin.speech.pipelines import speech_normalizer

__all__ = [
    "ISO639_2",
    "ReadingResult",
    "Segment",
    "TimedSegment",
    "build_script",
    "captions_vtt",
    "speech_chunks",
    "spoken_languages",
    "synthesize_reading",
    "transcript_text",
    "unavailable_reason",
    "voice_parts",
]

#: Pause after the title and between paragraphs, in seconds.
#: Longest normalized chunk sent to an engine (gTTS's per-request limit).
CHUNK_CHARS = GTTS_MAX_CHARS
#: ID3 TLAN / COMM language codes (ISO 639-2) of the locales that have readings.
_CLAUSE_RE = re.compile(r"(?<=[;:,])\s+")


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
    #: the original wording (caption text)
    text: str
    #: what the engine read (normalized)
    spoken: str
    #: engine that read this chunk, and its voice
    engine: str = ""
    voice: str = ""
    #: chunks cut into parts by voice (a Vietnamese name in an English sentence) share one caption cue;
    #: parts of one chunk carry the same number, -1 is a chunk on its own
    cue: int = -1
    #: the language of the voice that read it (a locale code: "en", "vi")
    lang: str = ""


@dataclass(frozen=True)
class ReadingResult:
    """A finished MP3 reading and the facts the manifest records."""

    path: Path
    locale: str
    #: the engine asked for (``auto``, ``gtts``, ...)
    engine: str
    #: the voice of the first chunk (every voice is in ``segments``)
    voice: str
    #: True when any chunk was read by a degraded engine (espeak)
    degraded: bool
    duration_s: float
    bytes: int
    sha256: str
    #: one entry per chunk, on the timeline of the MP3
    segments: tuple[TimedSegment, ...]
    #: engines that actually read chunks, in order of first use
    read_by: tuple[str, ...] = ()
    #: loudness of the finished MP3, measured with ffmpeg ebur128
    loudness: Loudness | None = None
    #: transcript (.txt) and captions (.vtt) written beside the MP3
    transcript: Path | None = None
    captions: Path | None = None
    #: total of the pauses placed between chunks, in seconds
    pauses_s: float = 0.0
    #: why a fallback engine was used, when one was
    fallback_reason: str | None = None
    bitrate_kbps: int = DEFAULT_BITRATE_KBPS
    #: wall-clock seconds per phase: speak (engines, cache, conversion, appending to the reading on disk),
    #: meter (measuring the joined reading), master (gain + limiter + encode + measure + tag)
    timings: tuple[tuple[str, float], ...] = field(default=(), compare=False)
    #: True when the mastered MP3 came from the speech cache (the same audio was mastered before)
    mastered_before: bool = field(default=False, compare=False)
    #: every language heard, as ISO 639-2 codes, the one heard longest first (the ID3 TLAN frame)
    languages: tuple[str, ...] = ()


def build_script(variant: Variant, pause: float = DEFAULT_PAUSE_S) -> list[Segment]:
    """What is read, in order: intro (chrome + title + date), body blocks, outro (source)."""
    b, _ = variant.bulletin, variant.gettext
    # Chrome lookups stay outside f-strings so Babel's extractor finds them.
    intro, source_label = _("Bản tin"), _("Nguồn")
    script = [
        Segment(f"{intro}.", pause / 2, "intro"),
        Segment(f"{b.title}.", pause, "intro"),
        # Vietnamese: d/m/yyyy, which the normalizer reads as words; other locales: CLDR's full date ("Friday, June 28, 2024").
        Segment(f"{b.date.day}/{b.date.month}/{b.date.year}." if variant.locale.source else f"{variant.date_text}.", pause, "intro"),
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


def speech_chunks(text: str, prepare: Callable[[str], str], limit: int = CHUNK_CHARS) -> list[tuple[str, str]]:
    """Cut written ``text`` into (written, spoken) chunks whose spoken form fits in ``limit`` characters.

    The cut is made in the written text, at sentence ends and then after
    ``, ; :`` followed by a space (never inside "1,2" or "15 - 20%"), so each
    caption shows the original words of what is heard.  A single clause whose
    normalized form is still too long stays one chunk; engines with a limit
    (gTTS) split its spoken text further at word boundaries.
    """
    result: list[tuple[str, str]] = []
    for sentence in split_sentences(text):
        current: list[str] = []
        for clause in (c for c in _CLAUSE_RE.split(sentence) if c.strip()):
            candidate = " ".join([*current, clause])
            if current and len(prepare(candidate)) > limit:
                written = " ".join(current)
                result.append((written, prepare(written)))
                current = [clause]
            else:
                current.append(clause)
        if current:
            written = " ".join(current)
            result.append((written, prepare(written)))
    return [(w, sp) for w, sp in result if sp.strip()]


def _voice_for(engine: SpeechEngine, config: LocaleConfig) -> str | None:
    """The voice an engine reads a locale with: its own choice (piper: the operator's voice), else the config's field."""
    pick = getattr(engine, "voice_for", None)
    if callable(pick):
        voice = pick(config)
        return str(voice) if voice else None
    field_name = getattr(engine, "locale_field", None)
    return getattr(config, field_name, None) if field_name else config.code


def _lang_for(engine: SpeechEngine, variant: Variant) -> str | None:
    """The voice of ``engine`` for the variant's locale, or None when it has none."""
    return _voice_for(engine, variant.locale)


@dataclass(frozen=True)
class _Spoken:
    """One chunk's speech: where its audio is, and who spoke it."""

    #: the cache entry (mono 16-bit 44.1 kHz WAV), or the engine's own output until it is converted
    path: Path
    engine: SpeechEngine
    voice: str
    #: the spoken text (the cache key, with engine and voice)
    text: str
    #: True when the engine just produced it (it still needs converting and storing)
    fresh: bool
    #: the language of the voice (a locale code)
    lang: str = ""


def _reading_chain(variant: Variant, engine: SpeechEngine) -> tuple[SpeechEngine, ...]:
    """The engines of ``engine``'s chain that have a voice for the locale, in the order its config prefers.

    ``audio.engines`` lists the locale's engines best first (en: piper, gtts,
    espeak); an operator's Piper voice counts for the locale it speaks even
    when the config does not list piper.  EngineUnavailableError when none is left.
    """
    readable = variant.locale.audio_engines
    order = {name: n for n, name in enumerate(readable)}
    usable = [e for e in engine_chain(engine) if (e.name in readable or e.name == "piper") and _lang_for(e, variant) is not None]
    chain = tuple(sorted(usable, key=lambda e: order.get(e.name, len(order))))
    if not chain:
        raise EngineUnavailableError(
            f"locale '{variant.locale.code}' has no voice for engine '{engine.name}'. "
            f"Its engines are {list(variant.locale.audio_engines)}; set audio.* in locales/{variant.locale.code}/locale.yaml"
        )
    return chain


def _voice_problems(chain: tuple[SpeechEngine, ...], variant: Variant, online: bool) -> dict[str, EngineUnavailableError]:
    """The engines of ``chain`` that cannot speak the variant's locale now, and why."""
    problems: dict[str, EngineUnavailableError] = {}
    for engine in chain:
        try:
            check_voice(engine, _lang_for(engine, variant), online=online)
        except EngineUnavailableError as exc:
            problems[engine.name] = exc
    return problems


def _unavailable(locale: str, errors: dict[str, EngineUnavailableError]) -> EngineUnavailableError:
    """One error for "no engine can speak": the engine's own when there is one, else every reason.

    It is a :class:`TransientSpeechError` (retry later) when some engine is only unreachable.
    """
    if len(errors) == 1:
        return next(iter(errors.values()))
    reasons = "; ".join(f"{name}: {exc}" for name, exc in errors.items())
    transient = any(isinstance(exc, TransientSpeechError) for exc in errors.values())
    kind = TransientSpeechError if transient else EngineUnavailableError
    return kind(f"no engine can read locale '{locale}' right now ({reasons})")


def unavailable_reason(variant: Variant, engine: SpeechEngine, online: bool = True) -> str | None:
    """Why no reading of the variant can be made with ``engine`` right now, or None when one can.

    For the publish layer to record a skipped reading instead of a failed
    run: the locale's config names no voice for the engine, no engine of the
    chain is installed or has the voice (espeak-ng and Khmer), or, with
    ``online``, the only engines with a voice are unreachable (gTTS offline).
    Chunks already in the speech cache are not considered.
    """
    try:
        chain = _reading_chain(variant, engine)
    except EngineUnavailableError as exc:
        return str(exc)
    problems = _voice_problems(chain, variant, online)
    if len(problems) < len(chain):
        return None
    return str(_unavailable(variant.locale.code, problems))


def _source_langs(chain: tuple[SpeechEngine, ...], variant: Variant) -> dict[str, str]:
    """Each engine's voice for the variant's source language (vi), for the engines that have one installed."""
    try:
        config = load_locale(variant.source_lang)
    except BantinError:
        return {}
    langs: dict[str, str] = {}
    for engine in chain:
        lang = _voice_for(engine, config) if getattr(engine, "locale_field", None) else None
        if not lang:
            continue
        try:
            check_voice(engine, lang, online=False)
        except EngineUnavailableError:
            continue
        langs[engine.name] = lang
    return langs


def _reading_names(variant: Variant, source_names: frozenset[str]) -> frozenset[str]:
    """Names to read with the Vietnamese voice: ``source_names``, capitalized words of untranslated units, accented words."""
    fallback = set(variant.fallback_keys)
    units = list(variant.bulletin.text_units())
    untranslated = [u.text for u in units if u.key in fallback]
    accented = [w for u in units for w in u.text.split() if is_vietnamese_word(w)]
    return source_names | name_set(untranslated) | name_set(accented)


def _untranslated_chrome_lines(variant: Variant, fallback_texts: set[str]) -> set[str]:
    """Script lines wholly in the source language because the chrome is untranslated: "Bản tin", "Nguồn: …"."""
    if variant.locale.source:
        return set()
    lines: set[str] = set()
    if variant.chrome_lang("Bản tin") != variant.lang:
        lines.add("Bản tin")
    source = variant.bulletin.source
    if source and variant.chrome_lang("Nguồn") != variant.lang and source.strip().rstrip(".") in fallback_texts:
        lines.add(f"Nguồn: {source.strip().rstrip('.')}")
    return lines


def voice_parts(written: str, prepare: Callable[[str], str], names: frozenset[str]) -> list[tuple[str, str, bool]]:
    """Cut one chunk into ``(written, spoken, vietnamese)`` parts: Vietnamese runs are read as written by the vi voice.

    A chunk with no Vietnamese word is one part.  The written pieces keep
    their spaces, and a piece without a letter or digit (punctuation between
    runs) is not spoken but joins the part before it, so the parts' written
    texts put end to end give the chunk back (its caption).
    """
    runs = vietnamese_runs(written, names)
    if not any(vi for _, vi in runs):
        return [(written, prepare(written), False)]
    parts: list[tuple[str, str, bool]] = []
    carry = ""
    for piece, vi in runs:
        spoken = (normalize(piece) if vi else prepare(piece.strip())) if any(c.isalnum() for c in piece) else ""
        if not spoken.strip():
            if parts:
                last_written, last_spoken, last_vi = parts[-1]
                parts[-1] = (last_written + piece, last_spoken, last_vi)
            else:
                carry += piece
            continue
        parts.append((carry + piece, spoken, vi))
        carry = ""
    if carry and parts:
        last_written, last_spoken, last_vi = parts[-1]
        parts[-1] = (last_written + carry, last_spoken, last_vi)
    return parts or [(written, prepare(written), False)]


class _Speaker:
    """Speaks chunks with the first engine of a chain that answers, through the cache."""

    def __init__(self, chain: tuple[SpeechEngine, ...], variant: Variant, cache: SpeechCache, work: Path) -> None:
        self.chain = chain
        self.locale = variant.locale.code
        self.langs = {e.name: _lang_for(e, variant) for e in chain}
        self.locale_lang = variant.locale.code.split("-")[0]
        self.source_lang = variant.source_lang
        #: each engine's voice for the source language (Vietnamese names and untranslated blocks), when it has one
        self.source_langs = {} if variant.locale.source else _source_langs(chain, variant)
        self.cache = cache
        self.work = work
        # Engines that cannot speak in this reading, and why: no voice (checked up front) or a failed request.
        # They still serve chunks from the cache.
        self.errors: dict[str, EngineUnavailableError] = _voice_problems(chain, variant, online=False)
        self.down: dict[str, str] = {name: str(exc) for name, exc in self.errors.items()}
        self.count = 0
        self._spoken: dict[tuple[str, str, str], _Spoken] = {}  # a text repeated in one reading is spoken once

    def speak(self, text: str, source: bool = False) -> _Spoken:
        """The chunk from the cache, or freshly spoken by the first engine that answers.

        ``source``: the text is Vietnamese; the engines with a Vietnamese voice
        read it first (an English Piper voice does not read a Vietnamese name
        while espeak or gTTS has the Vietnamese voice), then, as a last resort,
        the locale's own voices.
        """
        candidates = [(e, self.source_langs[e.name], self.source_lang) for e in self.chain if source and e.name in self.source_langs]
        candidates += [(e, self.langs[e.name] or "", self.locale_lang) for e in self.chain]
        for engine, lang, spoken_lang in candidates:
            voice = engine.voice_id(lang)
            key = (engine.name, voice, text)
            if key in self._spoken:
                return self._spoken[key]
            cached = self.cache.lookup(engine.name, voice, text)
            if cached is not None:
                self._spoken[key] = _Spoken(cached, engine, voice, text, fresh=False, lang=spoken_lang)
                return self._spoken[key]
            if engine.name in self.down:
                continue
            self.count += 1
            wav = self.work / f"chunk{self.count:04d}.wav"
            try:
                engine.synthesize(text, lang, wav)
            except EngineUnavailableError as exc:
                # gTTS did not answer: the rest of this reading goes to the next engine.
                self.down[engine.name] = str(exc)
                self.errors[engine.name] = exc
                continue
            self._spoken[key] = _Spoken(wav, engine, voice, text, fresh=True, lang=spoken_lang)
            return self._spoken[key]
        raise _unavailable(self.locale, self.errors)

    def store(self, spoken: list[_Spoken]) -> list[_Spoken]:
        """Convert the fresh chunks to 44.1 kHz PCM (one ffmpeg for the batch), put them in the cache, drop the work files."""
        fresh = list(dict.fromkeys(s for s in spoken if s.fresh))
        converted = {s: s.path.with_suffix(".pcm.wav") for s in fresh if not is_reading_pcm(s.path)}
        convert_to_pcm([(s.path, target) for s, target in converted.items()])
        for s in fresh:
            pcm = converted.get(s, s.path)
            entry = _Spoken(self.cache.store(s.engine.name, s.voice, s.text, pcm), s.engine, s.voice, s.text, fresh=False, lang=s.lang)
            self._spoken[(s.engine.name, s.voice, s.text)] = entry
            s.path.unlink(missing_ok=True)
            pcm.unlink(missing_ok=True)
        return [self._spoken[(s.engine.name, s.voice, s.text)] if s.fresh else s for s in spoken]


def transcript_text(variant: Variant, pause: float = DEFAULT_PAUSE_S) -> str:
    """The reading in its original wording, one script segment per paragraph (WCAG 2.2 SC 1.2.1)."""
    return "\n\n".join(seg.text.strip() for seg in build_script(variant, pause) if seg.text.strip()) + "\n"


def _vtt_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def captions_vtt(segments: tuple[TimedSegment, ...] | list[TimedSegment]) -> str:
    """WebVTT with one cue per chunk, in the original wording (the voice parts of a chunk make one cue)."""
    cues: list[tuple[float, float, str]] = []
    previous = -1
    for seg in segments:
        if seg.cue >= 0 and seg.cue == previous and cues:
            start, _, text = cues[-1]
            cues[-1] = (start, seg.end, text + seg.text)
        else:
            cues.append((seg.start, seg.end, seg.text))
        previous = seg.cue
    lines = ["WEBVTT", ""]
    for n, (start, end, raw) in enumerate(cues, 1):
        text = raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        lines += [str(n), f"{_vtt_time(start)} --> {_vtt_time(end)}", text.strip(), ""]
    return "\n".join(lines)


def spoken_languages(segments: tuple[TimedSegment, ...] | list[TimedSegment], main: str) -> tuple[str, ...]:
    """Every language heard, as ISO 639-2 codes, the one heard longest first (``main``, the locale, wins a tie).

    An English reading with a few Vietnamese names is ``("eng", "vie")``; an
    "English" reading that is mostly untranslated Vietnamese is ``("vie", "eng")``.
    """
    heard: dict[str, float] = {}
    for seg in segments:
        lang = seg.lang or main
        heard[lang] = heard.get(lang, 0.0) + (seg.end - seg.start)
    ranked = sorted(heard, key=lambda lang: (-round(heard[lang], 3), lang != main))
    return tuple(dict.fromkeys(ISO639_2.get(lang.split("-")[0], "und") for lang in ranked)) or (ISO639_2.get(main, "und"),)


def _tag(mp3: Path, variant: Variant, read_by: tuple[str, ...], degraded: bool, languages: tuple[str, ...]) -> None:
    """ID3v2.4: title, artist (= source), date, languages, comment; nothing that changes between runs.

    TLAN lists every language heard, main first; ID3v2.4 separates the codes with a null byte ("eng\\x00vie").
    """
    b = variant.bulletin
    lang = languages[0] if languages else ISO639_2.get(variant.locale.code.split("-")[0], "und")
    tags = ID3()  # type: ignore[no-untyped-call]
    tags.add(TIT2(encoding=3, text=[b.title]))  # type: ignore[no-untyped-call]
    if b.source:
        tags.add(TPE1(encoding=3, text=[b.source]))  # type: ignore[no-untyped-call]
    tags.add(TDRC(encoding=3, text=[b.date.isoformat()]))  # type: ignore[no-untyped-call]
    tags.add(TLAN(encoding=3, text=list(languages) or [lang]))  # type: ignore[no-untyped-call]
    note = f"Read by {', '.join(read_by)}" + ("; degraded: offline fallback voice, not broadcast quality" if degraded else "")
    tags.add(COMM(encoding=3, lang=lang, desc="", text=[note]))  # type: ignore[no-untyped-call]
    tags.save(str(mp3), v2_version=4, padding=lambda info: 0)


def synthesize_reading(
    variant: Variant,
    engine: SpeechEngine,
    out_path: Path,
    prepare: Callable[[str], str] | None = None,
    pause: float = DEFAULT_PAUSE_S,
    bitrate_kbps: int = DEFAULT_BITRATE_KBPS,
    cache: SpeechCache | None = None,
    loudness: LoudnessTarget = LOUDNESS,
    source_names: frozenset[str] = frozenset(),
) -> ReadingResult:
    """Speak the variant with ``engine`` into an MP3 at ``out_path``, with its ``.txt`` and ``.vtt`` beside it.

    ``prepare`` turns written text into what the engine reads (speech
    normalization); by default the pipeline of the locale's language
    (:func:`bantin.speech.pipelines.speech_normalizer`).  In a non-Vietnamese reading, Vietnamese names (words
    with Vietnamese letters, capitalized words of untranslated units, and
    ``source_names``: :func:`bantin.speech.names.name_set` of the source
    bulletin) are read as separate parts with the engine's Vietnamese voice,
    and untranslated blocks are normalized and read whole by that voice (the
    listener hears the source text rather than a gap, as the PDF prints it).  Files are written atomically and left untouched when
    their bytes did not change.
    """
    if not PAUSE_RANGE_S[0] <= pause <= PAUSE_RANGE_S[1]:
        raise SpeechError(f"pause {pause} s is outside {PAUSE_RANGE_S[0]:g}–{PAUSE_RANGE_S[1]:g} s. Pick e.g. {DEFAULT_PAUSE_S}")
    chain = _reading_chain(variant, engine)
    check_bitrate(bitrate_kbps)
    prepare = prepare or speech_normalizer(variant.locale.code)
    cache = cache if cache is not None else SpeechCache()
    timeline: list[TimedSegment] = []
    pauses = 0.0
    clock = [time.perf_counter()]
    with tempfile.TemporaryDirectory(prefix="bantin-reading-") as tmp:
        work = Path(tmp)
        speaker = _Speaker(chain, variant, cache, work)
        names = frozenset() if variant.locale.source else _reading_names(variant, source_names)
        fallback = set(variant.fallback_keys)
        fallback_texts = {u.text.strip().rstrip(".") for u in variant.bulletin.text_units() if u.key in fallback}
        fallback_texts |= _untranslated_chrome_lines(variant, fallback_texts)
        # Speak the chunks in order (cache entries are used in place), convert the new ones a batch at a
        # time, and append them to the reading on disk (hashed on the way: the key of its mastered MP3).
        joined = work / "reading.wav"
        with ReadingWriter(joined) as writer:
            pending: list[tuple[str, float, _Spoken, int]] = []  # (written, pause after, speech, cue)

            def flush() -> None:
                nonlocal pauses
                stored = speaker.store([chunk for _, _, chunk, _ in pending])
                for (written, gap, _, cue), chunk in zip(pending, stored, strict=True):
                    start = writer.seconds
                    length = writer.append_file(chunk.path)
                    timeline.append(TimedSegment(start, start + length, written, chunk.text, chunk.engine.name, chunk.voice, cue, chunk.lang))
                    pauses += writer.append_silence(gap)
                pending.clear()

            cues = 0
            for segment in build_script(variant, pause):
                untranslated = not variant.locale.source and segment.text.strip().rstrip(".") in fallback_texts
                pieces = speech_chunks(segment.text, normalize if untranslated and speaker.source_langs else prepare)
                for n, (written, text) in enumerate(pieces):
                    gap = segment.pause_after if n == len(pieces) - 1 else min(0.25, segment.pause_after)
                    if variant.locale.source or untranslated or not speaker.source_langs:
                        parts = [(written, text, untranslated)]
                    else:
                        parts = voice_parts(written, prepare, names)
                    cue = cues if len(parts) > 1 else -1
                    cues += 1
                    for k, (part_written, part_text, vi) in enumerate(parts):
                        pending.append((part_written, gap if k == len(parts) - 1 else 0.0, speaker.speak(part_text, source=vi), cue))
                    if sum(chunk.fresh for _, _, chunk, _ in pending) >= CONVERT_BATCH or len(pending) >= 4 * CONVERT_BATCH:
                        flush()
            flush()
        clock.append(time.perf_counter())
        if not timeline:
            raise SpeechError(f"nothing to read for locale '{variant.locale.code}': every segment was empty")
        # 3. One gain and one limiter, applied while encoding; the encoded stream is measured as it is written.
        # The same audio mastered before (another bulletin, another id) is taken from the cache, bytes and measurement.
        encoded = work / "reading.mp3"
        key = mastering_key(writer.pcm_sha256, loudness, bitrate_kbps)
        with cache.mastering(key):  # a bulletin of the same batch mastering this audio is waited for
            kept = cache.mastered(key)
            if kept is not None:
                shutil.copyfile(kept[0], encoded)
                measured = kept[1]
                clock.append(time.perf_counter())
            else:
                metered = meter_wav(joined)
                clock.append(time.perf_counter())
                measured = master_mp3(joined, encoded, metered, loudness, bitrate_kbps)
            if not measured.within(loudness):
                raise SpeechError(
                    f"{out_path.name} measures {measured.integrated_lufs} LUFS, true peak {measured.true_peak_dbtp} dBTP, "
                    f"outside {loudness.integrated}±{loudness.tolerance} LUFS / ≤ {loudness.max_true_peak} dBTP"
                )
            if kept is None:
                cache.store_mastered(key, encoded, measured)
        read_by = tuple(dict.fromkeys(t.engine for t in timeline))
        degraded_names = {e.name for e in chain if e.degraded}
        degraded = any(name in degraded_names for name in read_by)
        languages = spoken_languages(timeline, variant.locale.code.split("-")[0])
        _tag(encoded, variant, read_by, degraded, languages)
        if not (out_path.is_file() and filecmp.cmp(encoded, out_path, shallow=False)):
            with atomic_path(out_path) as tmp_out:
                shutil.copyfile(encoded, tmp_out)
        clock.append(time.perf_counter())
    transcript = out_path.with_suffix(".txt")
    captions = out_path.with_suffix(".vtt")
    write_text_if_changed(transcript, transcript_text(variant, pause))
    write_text_if_changed(captions, captions_vtt(timeline))
    audio: Any = MP3(str(out_path))  # type: ignore[no-untyped-call]
    duration = float(audio.info.length)
    return ReadingResult(
        path=out_path,
        locale=variant.locale.code,
        engine=engine.name,
        voice=timeline[0].voice,
        degraded=degraded,
        duration_s=round(duration, 3),
        bytes=out_path.stat().st_size,
        sha256=sha256_file(out_path),
        segments=tuple(timeline),
        read_by=read_by,
        loudness=measured,
        transcript=transcript,
        captions=captions,
        pauses_s=round(pauses, 3),
        fallback_reason=next((speaker.down[e.name] for e in chain if e.name in speaker.down), None) if read_by != (chain[0].name,) else None,
        bitrate_kbps=bitrate_kbps,
        timings=tuple((phase, round(b - a, 3)) for phase, a, b in zip(("speak", "meter", "master"), clock[:-1], clock[1:], strict=True)),
        mastered_before=kept is not None,
        languages=languages,
    )
