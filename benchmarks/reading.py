"""Benchmark: a reading's post-processing time against the audio's duration, and the process's peak memory.

Reads the sample bulletin and a synthetic long one (the sample's body repeated)
with espeak-ng, twice each, in the same run: the first run speaks every chunk
(fresh cache), the second finds them all in the cache.  For each run it prints
the audio's duration, the post-processing time (join + loudness meter, then
gain + limiter + MP3 encode + ebur128 measurement + tags) and their ratio
(target ≤ 0.01), and the loudness measured on the MP3.  With ``--legacy`` the
previous five-pass ffmpeg chain (loudnorm at 192 kHz, 4×-oversampled limiter,
second loudnorm measure and pass, ebur128) runs on the same joined audio, for
comparison.  The last line is this process's peak RSS (target ≤ 800 MB).

    .venv/bin/python benchmarks/reading.py [--repeat-body 8] [--legacy]

Run by hand, not by pytest: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bantin.content.bulletin_file import load_bulletin  # noqa: E402
from bantin.i18n.localize import localize  # noqa: E402
from bantin.speech.audio import SAMPLE_RATE, ffmpeg_binary  # noqa: E402
from bantin.speech.cache import SpeechCache  # noqa: E402
from bantin.speech.engines import get_engine  # noqa: E402
from bantin.speech.normalize import normalize  # noqa: E402
from bantin.speech.reading import ReadingResult, synthesize_reading  # noqa: E402
from testing_utils import SAMPLE_YAML  # noqa: E402


def children_cpu() -> float:
    """CPU seconds (user + system) used by finished child processes (ffmpeg, espeak-ng) so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def legacy_post(wav: Path, folder: Path) -> float:
    """The previous chain on ``wav``: loudnorm measure, limiter at 4×, re-measure, loudnorm pass while encoding, ebur128."""
    ffmpeg = ffmpeg_binary()
    base = "loudnorm=I=-16.0:TP=-2.0:LRA=11.0"
    started = time.perf_counter()

    def measure(source: Path, meter: str = f"{base}:print_format=json") -> str:
        return subprocess.run(
            [ffmpeg, "-hide_banner", "-nostats", "-i", str(source), "-af", meter, "-f", "null", "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stderr

    measure(wav)
    limited = folder / "legacy.limited.wav"
    subprocess.run(
        [
            ffmpeg,
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(wav),
            "-af",
            f"volume=6dB,aresample={SAMPLE_RATE * 4},alimiter=limit=0.6310:attack=1:release=50:level=false,aresample={SAMPLE_RATE}",
            "-c:a",
            "pcm_s16le",
            str(limited),
        ],
        check=True,
    )
    measure(limited)
    mp3 = folder / "legacy.mp3"
    subprocess.run(
        [
            ffmpeg,
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(limited),
            "-af",
            f"{base}:linear=true,aresample={SAMPLE_RATE}",
            "-ac",
            "1",
            "-ar",
            str(SAMPLE_RATE),
            "-c:a",
            "libmp3lame",
            "-b:a",
            "96k",
            str(mp3),
        ],
        check=True,
    )
    measure(mp3, "ebur128=peak=true")  # the old chain's final check
    return time.perf_counter() - started


def report(label: str, result: ReadingResult, wall: float, cpu: float) -> None:
    """One line: the audio's duration, the phases, and the post-processing ratio."""
    phases = dict(result.timings)
    post = phases["meter"] + phases["master"]
    loud = result.loudness
    assert loud is not None
    print(
        f"{label:<30} audio {result.duration_s:7.1f} s | total {wall:6.2f} s (speak+join {phases['speak']:5.2f}, "
        f"meter {phases['meter']:4.2f}, master {phases['master']:4.2f}) | post/audio {post / result.duration_s:.4f} | "
        f"total/audio {wall / result.duration_s:.4f} | child CPU/audio {cpu / result.duration_s:.4f} | "
        f"{loud.integrated_lufs} LUFS, {loud.true_peak_dbtp} dBTP",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat-body", type=int, default=8, help="how many times the long bulletin repeats the sample's body")
    parser.add_argument("--legacy", action="store_true", help="also time the previous ffmpeg chain on the same audio")
    args = parser.parse_args()

    sample = load_bulletin(SAMPLE_YAML)
    long = dataclasses.replace(sample, id=f"{sample.id}-x{args.repeat_body}", body=sample.body * args.repeat_body)
    engine = get_engine("espeak")
    with tempfile.TemporaryDirectory(prefix="bantin-bench-reading-") as tmp:
        folder = Path(tmp)
        cache = SpeechCache(folder / "cache", masters=False)  # the second run measures the mastering again
        for label, bulletin in (("sample", sample), (f"sample x{args.repeat_body}", long)):
            variant = localize(bulletin, "vi")
            out = folder / f"{bulletin.id}.vi.mp3"
            for run in ("first (speaks)", "second (cached)"):
                cpu, started = children_cpu(), time.perf_counter()
                result = synthesize_reading(variant, engine, out, prepare=normalize, cache=cache)
                report(f"{label} {run}", result, time.perf_counter() - started, children_cpu() - cpu)
            if args.legacy:
                wav = folder / "joined.wav"
                subprocess.run([ffmpeg_binary(), "-loglevel", "error", "-y", "-i", str(out), "-ac", "1", "-ar", str(SAMPLE_RATE), str(wav)], check=True)
                legacy = legacy_post(wav, folder)
                print(f"{'  previous chain, same audio':<30} post {legacy:5.2f} s | post/audio {legacy / result.duration_s:.4f}", flush=True)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"peak RSS of this process: {peak_kib / 1024:.0f} MB; of its largest child process (ffmpeg, espeak-ng): {child_kib / 1024:.0f} MB")


if __name__ == "__main__":
    main()
