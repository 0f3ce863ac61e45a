"""Benchmark: peak memory of publishing a big bulletin (200 KB of YAML, hours of reading).

Builds a bulletin from the sample's paragraphs repeated until its file holds
``--kb`` kilobytes, publishes it with ``bantin publish`` (vi, the three
profiles, espeak) in a throw-away project, and polls every process started
while the command runs (the warm process's child, the render forkserver and
its children, espeak-ng, ffmpeg) for its resident memory.  /usr/bin/time only
sees the processes a command waits for; this sees them all.  Prints the wall
time, the largest RSS of any one process and the largest sum at one instant
(target: ≤ 800 MB).

    .venv/bin/python benchmarks/memory.py [--kb 200]

Run by hand, not by pytest: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "content" / "2024-06-28-hoi-nghi-giao-ban-cong-tac-dan-van-cac-huyen-uy-thanh-uy-quy-ii-trien.yaml"
BIG_ID = "2024-06-28-ban-tin-dai"


def _big_bulletin(folder: Path, kb: int) -> Path:
    """The sample's body repeated until the YAML file holds ``kb`` kilobytes."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    paragraphs = [block for block in data["body"] if "paragraph" in block]
    data["id"] = BIG_ID
    data["body"] = []
    path = folder / f"{BIG_ID}.yaml"
    n = 0
    while True:
        data["body"] += [{"paragraph": f"({n + 1}) {p['paragraph']}"} for p in paragraphs]
        n += 1
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        if len(text.encode()) >= kb * 1000:
            path.write_text(text, encoding="utf-8")
            return path


def _start_ticks(pid: str) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])


def _boot_ticks_now() -> int:
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return int(uptime * os.sysconf("SC_CLK_TCK"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", type=int, default=200, help="Size of the bulletin's YAML file, in kilobytes.")
    parser.add_argument("--keep", action="store_true", help="Keep the throw-away project to look at.")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bantin-bench-memory-"))
    project = base / "project"
    (project / "content").mkdir(parents=True)
    shutil.copy(ROOT / "bantin.toml", project)
    source = _big_bulletin(project / "content", args.kb)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANTIN_", "PREFECT_"))} | {"BANTIN_ROOT": str(project)}
    bantin = str(Path(sys.executable).with_name("bantin"))
    command = [bantin, "publish", BIG_ID, "--locale", "vi", "--engine", "espeak", "--profile", "a4", "--profile", "a5", "--profile", "large-print"]
    print(f"{source.name}: {source.stat().st_size / 1000:.0f} kB; project in {base}", flush=True)
    # The project's server is started first (set-up, as on any machine after its first publish): not in the figures.
    subprocess.run([bantin, "server", "start"], env=env, cwd=project, check=True, capture_output=True)
    since = _boot_ticks_now()
    started = time.monotonic()
    proc = subprocess.Popen(command, env=env, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak_one, peak_sum, who = 0, 0, ""
    page = os.sysconf("SC_PAGE_SIZE")
    while proc.poll() is None:
        total = 0
        for pid in (p for p in os.listdir("/proc") if p.isdigit()):
            try:
                if _start_ticks(pid) < since:
                    continue
                rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
                name = Path(f"/proc/{pid}/comm").read_text().strip()
            except (OSError, ValueError, IndexError):
                continue
            total += rss
            if rss > peak_one:
                peak_one, who = rss, name
        peak_sum = max(peak_sum, total)
        time.sleep(0.1)
    wall = time.monotonic() - started
    out = proc.stdout.read() if proc.stdout else ""
    subprocess.run([bantin, "server", "stop"], env=env, cwd=project, check=False, capture_output=True)
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)  # a 130 MB reading and its chunks
    if proc.returncode != 0:
        sys.exit(f"publish failed (exit {proc.returncode}):\n{out[-3000:]}")
    audio = [line for line in out.splitlines() if ".mp3" in line]
    print(f"published in {wall:.1f} s; {audio[0].strip() if audio else 'no reading'}")
    print(f"largest process: {peak_one / 2**20:.0f} MiB ({who}); largest sum at one instant: {peak_sum / 2**20:.0f} MiB (target ≤ 800 MB)")


if __name__ == "__main__":
    main()
