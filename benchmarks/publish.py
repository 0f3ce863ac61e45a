"""Benchmark: ``bantin publish`` against the naive script, cold, warm and in batches of N bulletins.

Runs, side by side in one run and alternating (the order rotates every
repeat, so a load spike on this shared machine does not always hit one side):

- ``naive``: ``/work/shared/bench/naive-baseline.sh RAW OUTDIR`` (9 weasyprint CLI PDFs and one espeak-ng reading);
- ``cold``: ``bantin publish`` of the sample, same work (vi, en, km × a4, a5, large-print,
  ``--min-translated 0 --engine espeak``), outputs, speech cache and Prefect's result cache cleared;
- ``warm``: the same again, nothing changed;
- ``batch-N``: cold ``bantin publish`` of a folder of N copies of the sample under distinct ids (one flow run);
- ``distinct-N``: N copies of the sample under distinct ids *and dates* (the date is read aloud), so no two
  bulletins share a reading and every reading is mastered; against N × naive.  ``batch-N``'s copies read
  the same audio, which the speech cache masters once (its ``mastered/`` entries): this side shows the cost without that;
- ``mixed-N`` against ``naive-mixed-N``: the issue's batch, copies of the sample *and of the test bulletins*
  (the news pages and raw text under tests/data, ingested by ``bantin ingest`` before anything is measured)
  under distinct ids, published in one run, against the naive script run once on each of the same N bulletins.
  The test bulletins are shorter than the sample, so ``batch-N`` (the sample only) is the harder case.

Each command runs under ``/usr/bin/time -v``: wall time, CPU (user + system,
the waited-for descendants included) and peak RSS (the largest single
process of the tree).  A command handed to the project's warm process
(bantin.handoff) reports that process's CPU and peak RSS through
``BANTIN_USAGE_FILE``, and they are added in: nothing it does is left out.  Prints medians and the ratios the issue sets targets
for, and saves a PNG of time against N (needs the ``bench`` extra: matplotlib).

    .venv/bin/python benchmarks/publish.py [--repeat 3] [--sizes 10 50] [--out benchmarks/out]

Run by hand, not by pytest: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_ID = "2024-06-28-hoi-nghi-giao-ban-cong-tac-dan-van-cac-huyen-uy-thanh-uy-quy-ii-trien"
RAW = ROOT / "content" / "raw" / "dan-van-quy-ii-2024.txt"
LOCALES = ("vi", "en", "km")
WORK = [
    "--locale",
    "vi",
    "--locale",
    "en",
    "--locale",
    "km",
    "--min-translated",
    "0",
    "--engine",
    "espeak",
    "--profile",
    "a4",
    "--profile",
    "a5",
    "--profile",
    "large-print",
]


@dataclass(frozen=True)
class Sample:
    """One measured command."""

    side: str
    wall_s: float
    cpu_s: float
    rss_mib: float
    #: CPU of the whole machine while the command ran (/proc/stat): also the Prefect server's and orphaned children's
    machine_cpu_s: float = 0.0


def _naive_script() -> Path:
    """``../shared/bench/naive-baseline.sh`` from the project root (a git worktree may sit one folder deeper)."""
    for folder in ROOT.parents:
        candidate = folder / "shared" / "bench" / "naive-baseline.sh"
        if candidate.is_file():
            return candidate
    sys.exit("benchmarks/publish.py: ../shared/bench/naive-baseline.sh is missing. Put the naive script there")


def _machine_cpu_s() -> float:
    """User + nice + system CPU seconds of the whole machine since boot."""
    fields = Path("/proc/stat").read_text(encoding="ascii").splitlines()[0].split()[1:4]
    return sum(int(f) for f in fields) / os.sysconf("SC_CLK_TCK")


def _timed(side: str, command: list[str], env: dict[str, str], cwd: Path) -> Sample:
    """Run ``command`` under /usr/bin/time -v; its wall time, CPU time and peak RSS."""
    usage = Path(tempfile.mkdtemp(prefix="bantin-bench-usage-")) / "usage.json"
    machine_before = _machine_cpu_s()
    try:
        proc = subprocess.run(["/usr/bin/time", "-v", *command], env=env | {"BANTIN_USAGE_FILE": str(usage)}, cwd=cwd, capture_output=True, text=True)
        warm = json.loads(usage.read_text(encoding="utf-8")) if usage.is_file() else None
    finally:
        shutil.rmtree(usage.parent, ignore_errors=True)
    if proc.returncode != 0:
        sys.exit(f"{side}: exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    machine = _machine_cpu_s() - machine_before
    report = proc.stderr

    def field(name: str) -> str:
        match = re.search(rf"^\s*{re.escape(name)}: (.+)$", report, re.M)
        if not match:
            sys.exit(f"{side}: /usr/bin/time printed no {name!r}")
        return match.group(1).strip()

    parts = [float(p) for p in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")]
    wall = sum(p * 60**i for i, p in enumerate(reversed(parts)))
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    rss_kb = float(field("Maximum resident set size (kbytes)"))
    if warm is not None:  # the command ran in the project's warm process: add the CPU and memory it used there
        cpu += float(warm["cpu_s"])
        rss_kb = max(rss_kb, float(warm["max_rss_kb"]))
    return Sample(side, wall, cpu, rss_kb / 1024, machine)


def _project(base: Path) -> Path:
    """A throw-away project: bantin.toml, the sample and its catalogs (so runs never touch the repository's caches)."""
    project = base / "project"
    (project / "content").mkdir(parents=True)
    shutil.copy(ROOT / "bantin.toml", project / "bantin.toml")
    shutil.copy(ROOT / "content" / f"{SAMPLE_ID}.yaml", project / "content")
    shutil.copytree(ROOT / "locales", project / "locales")
    return project


def _copies(project: Path, n: int, dated: bool = False) -> Path:
    """A folder of ``n`` copies of the sample under distinct ids, each with its catalogs.

    ``dated``: each copy also gets its own date, which its readings say aloud, so no two readings are alike.
    """
    folder = project / f"{'distinct' if dated else 'batch'}-{n}"
    folder.mkdir()
    text = (project / "content" / f"{SAMPLE_ID}.yaml").read_text(encoding="utf-8")
    for i in range(n):
        if dated:
            day = f"2024-{5 + i // 28:02d}-{1 + i % 28:02d}"
            new_id = f"{day}{SAMPLE_ID[10:60].rstrip('-')}-d{n}-{i:02d}"
            copy = text.replace("date: 2024-06-28", f"date: {day}", 1)
        else:
            new_id, copy = f"{SAMPLE_ID[:60].rstrip('-')}-b{n}-{i:02d}", text
        (folder / f"{new_id}.yaml").write_text(copy.replace(f"id: {SAMPLE_ID}", f"id: {new_id}", 1), encoding="utf-8")
        for code in ("en", "km"):
            catalogs = project / "locales" / code / "LC_MESSAGES" / "bulletins"
            shutil.copy(catalogs / f"{SAMPLE_ID}.po", catalogs / f"{new_id}.po")
    return folder


def _test_bulletins(project: Path, bantin: Path, env: dict[str, str]) -> list[tuple[str, str]]:
    """The test bulletins as (YAML text, raw text for the naive script): every news page and raw text under tests/data that ingests.

    Pages that are not one article (a listing) and the sample's own page are left out.
    """
    folder = project.parent / "ingested"
    folder.mkdir()
    found: list[tuple[str, str]] = []
    sample_title = RAW.read_text(encoding="utf-8").splitlines()[1].strip()
    for page in sorted([*(ROOT / "tests" / "data" / "html").glob("*.html"), *(ROOT / "tests" / "data" / "raw").glob("*.txt")]):
        target = folder / f"{page.stem}.yaml"
        done = subprocess.run([str(bantin), "ingest", str(page), "--date", "2024-07-01", "-o", str(target)], env=env, cwd=project, capture_output=True)
        if done.returncode != 0:
            continue
        data = yaml.safe_load(target.read_text(encoding="utf-8"))
        if data["title"].strip() == sample_title:
            continue
        texts = [b["paragraph"] for b in data["body"] if "paragraph" in b] + [item for b in data["body"] if "list" in b for item in b["list"]]
        found.append((target.read_text(encoding="utf-8"), "\n".join(["(trang nguồn)", data["title"], *texts]) + "\n"))
    if not found:
        sys.exit("benchmarks/publish.py: no test bulletin under tests/data ingests")
    return found


def _mixed(project: Path, n: int, tests: list[tuple[str, str]]) -> tuple[Path, list[Path]]:
    """A folder of ``n`` bulletins, the sample and the test bulletins in turn, under distinct ids; and each one's raw text."""
    folder, raws = project / f"mixed-{n}", project.parent / f"raw-mixed-{n}"
    folder.mkdir()
    raws.mkdir()
    sample_yaml = (project / "content" / f"{SAMPLE_ID}.yaml").read_text(encoding="utf-8")
    pool = [(sample_yaml, RAW.read_text(encoding="utf-8")), *tests]
    paths = []
    for i in range(n):
        text, raw = pool[i % len(pool)]
        old_id = yaml.safe_load(text)["id"]
        new_id = f"{old_id[:60].rstrip('-')}-m{n}-{i:02d}"
        (folder / f"{new_id}.yaml").write_text(text.replace(f"id: {old_id}", f"id: {new_id}", 1), encoding="utf-8")
        if old_id == SAMPLE_ID:
            for code in ("en", "km"):
                catalogs = project / "locales" / code / "LC_MESSAGES" / "bulletins"
                shutil.copy(catalogs / f"{SAMPLE_ID}.po", catalogs / f"{new_id}.po")
        paths.append(raws / f"{i:02d}.txt")
        paths[-1].write_text(raw, encoding="utf-8")
    return folder, paths


def _clear(project: Path) -> None:
    """Cold: no outputs, no spoken chunks, no cached task results (the Prefect database stays: it is set-up, not work)."""
    for sub in ("outputs", ".cache", ".prefect/storage"):
        shutil.rmtree(project / sub, ignore_errors=True)


def report(samples: list[Sample], out: Path) -> None:
    """Medians, the ratios the issue sets targets for, and the plot of time against N."""
    sizes = sorted(int(s.side.split("-")[1]) for s in {s.side: s for s in samples}.values() if s.side.startswith("batch-"))
    distinct = sorted(int(s.side.split("-")[1]) for s in {s.side: s for s in samples}.values() if s.side.startswith("distinct-"))
    mixed = sorted(int(s.side.split("-")[1]) for s in {s.side: s for s in samples}.values() if s.side.startswith("mixed-"))
    repeat = max(sum(1 for s in samples if s.side == side) for side in {s.side for s in samples})
    names = (
        "naive",
        "cold",
        "warm",
        *(f"batch-{n}" for n in sizes),
        *(f"distinct-{n}" for n in distinct),
        *(f"{k}-{n}" for n in mixed for k in ("naive-mixed", "mixed")),
    )
    sides = [name for name in names if any(s.side == name for s in samples)]

    def med(side: str, attr: str) -> float:
        return statistics.median(getattr(s, attr) for s in samples if s.side == side)

    print("\nmedians of", repeat)
    print(f"{'side':<10} {'wall s':>8} {'CPU s':>8} {'machine':>8} {'CPU/wall':>9} {'RSS MiB':>8} {'vs naive':>9}")
    naive_wall = med("naive", "wall_s")
    for name in sides:
        wall, cpu, machine = med(name, "wall_s"), med(name, "cpu_s"), med(name, "machine_cpu_s")
        print(f"{name:<10} {wall:8.1f} {cpu:8.1f} {machine:8.1f} {machine / wall:9.2f} {med(name, 'rss_mib'):8.0f} {wall / naive_wall:9.2f}")
    print("(CPU s: the command's process tree, /usr/bin/time plus the warm process's report; machine: all CPU used while it ran,")
    print(" the Prefect server and render children included; CPU/wall is machine / wall)")
    print("\nratios against the issue's targets")
    print(f"  cold / naive                 {med('cold', 'wall_s') / naive_wall:6.2f}   (target ≤ 0.6)")
    print(f"  warm / naive                 {med('warm', 'wall_s') / naive_wall:6.2f}   (target ≤ 0.2)")
    for n in sizes:
        wall = med(f"batch-{n}", "wall_s")
        print(
            f"  batch-{n} / ({n} × naive)      {wall / (n * naive_wall):6.2f}   CPU/wall {med(f'batch-{n}', 'machine_cpu_s') / wall:.2f}"
            + ("   (targets ≤ 0.3, CPU/wall ≥ 1.6)" if n == 10 else "")
        )
    for n in distinct:
        wall = med(f"distinct-{n}", "wall_s")
        print(
            f"  distinct-{n} / ({n} × naive)   {wall / (n * naive_wall):6.2f}   CPU/wall {med(f'distinct-{n}', 'machine_cpu_s') / wall:.2f}"
            + "   (no two readings alike: every one mastered)"
        )
    for n in mixed:
        wall = med(f"mixed-{n}", "wall_s")
        print(
            f"  mixed-{n} / naive-mixed-{n}   {wall / med(f'naive-mixed-{n}', 'wall_s'):6.2f}   CPU/wall {med(f'mixed-{n}', 'machine_cpu_s') / wall:.2f}"
            + "   (the issue's batch: the sample and the test bulletins, against the naive script on each)"
        )
    if 10 in sizes and 50 in sizes:
        print(f"  batch-50 / batch-10          {med('batch-50', 'wall_s') / med('batch-10', 'wall_s'):6.2f}   (target ≤ 5.5)")
    print(f"  peak RSS, any side           {max(s.rss_mib for s in samples):6.0f} MiB (target ≤ 800 MB)")

    out.mkdir(parents=True, exist_ok=True)
    (out / "publish.json").write_text(json.dumps([asdict(s) for s in samples], indent=1), encoding="utf-8")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is missing (pip install -e '.[bench]'); no plot")
        return
    ns = [1, *sizes]
    walls = [med("cold", "wall_s"), *(med(f"batch-{n}", "wall_s") for n in sizes)]
    fig, ax = plt.subplots(figsize=(5, 3.5), dpi=120)
    ax.plot(ns, walls, "o-", label="bantin publish (cold, one run)")
    ax.plot(ns, [n * naive_wall for n in ns], "s--", label="naive script × N")
    if distinct:
        ax.plot(distinct, [med(f"distinct-{n}", "wall_s") for n in distinct], "D", label="bantin, copies with other dates")
    if mixed:
        ax.plot(mixed, [med(f"mixed-{n}", "wall_s") for n in mixed], "^", label="bantin, sample + test bulletins")
        ax.plot(mixed, [med(f"naive-mixed-{n}", "wall_s") for n in mixed], "v", label="naive script on the same")
    ax.set_xlabel("bulletins (N)")
    ax.set_ylabel("wall time (s)")
    ax.set_title(f"N bulletins, vi/en/km × 3 profiles, espeak (median of {repeat})", fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out / "publish.png")
    print(f"plot: {out / 'publish.png'}; samples: {out / 'publish.json'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each side (medians are reported).")
    parser.add_argument("--sizes", type=int, nargs="*", default=[10, 50], help="Batch sizes (N bulletins).")
    parser.add_argument("--distinct", type=int, nargs="*", default=[10], help="Sizes of the batch of copies with distinct dates (no shared reading).")
    parser.add_argument("--mixed", type=int, nargs="*", default=[10], help="Sizes of the batch of the sample and the test bulletins.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out", help="Where the PNG and the JSON of samples go.")
    parser.add_argument("--keep", action="store_true", help="Keep the throw-away project (outputs, Prefect database) to look at.")
    parser.add_argument("--report", type=Path, help="Only report on the samples saved in this JSON by an earlier run (e.g. one cut short).")
    args = parser.parse_args()
    if args.report:
        report([Sample(**row) for row in json.loads(args.report.read_text(encoding="utf-8"))], args.out)
        return
    args.out.mkdir(parents=True, exist_ok=True)

    naive = _naive_script()
    bantin = Path(sys.executable).with_name("bantin")
    weasyprint = Path(sys.executable).with_name("weasyprint")
    base = Path(tempfile.mkdtemp(prefix="bantin-bench-"))
    project = _project(base)
    folders = {n: _copies(project, n) for n in args.sizes}
    distinct_folders = {n: _copies(project, n, dated=True) for n in args.distinct}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANTIN_", "PREFECT_"))}
    env |= {"BANTIN_ROOT": str(project), "PYTHONUNBUFFERED": "1"}
    publish = [str(bantin), "publish"]
    tests = _test_bulletins(project, bantin, env) if args.mixed else []
    mixes = {n: _mixed(project, n, tests) for n in args.mixed}

    def naive_run() -> Sample:
        out = base / "naive"
        shutil.rmtree(out, ignore_errors=True)
        return _timed("naive", ["bash", str(naive), str(RAW), str(out), str(weasyprint)], env, project)

    def cold() -> Sample:
        _clear(project)
        return _timed("cold", [*publish, SAMPLE_ID, *WORK], env, project)

    def warm() -> Sample:
        return _timed("warm", [*publish, SAMPLE_ID, *WORK], env, project)

    def batch(n: int) -> Sample:
        _clear(project)
        return _timed(f"batch-{n}", [*publish, str(folders[n]), *WORK], env, project)

    def distinct_batch(n: int) -> Sample:
        _clear(project)
        return _timed(f"distinct-{n}", [*publish, str(distinct_folders[n]), *WORK], env, project)

    def naive_mixed(n: int) -> Sample:
        out = base / "naive"
        shutil.rmtree(out, ignore_errors=True)
        loop = 'for raw in "$@"; do bash "$0" "$raw" "$OUT/$(basename "$raw" .txt)" "$WP" || exit; done'
        return _timed(f"naive-mixed-{n}", ["bash", "-c", loop, str(naive), *map(str, mixes[n][1])], env | {"OUT": str(out), "WP": str(weasyprint)}, project)

    def mixed_batch(n: int) -> Sample:
        _clear(project)
        return _timed(f"mixed-{n}", [*publish, str(mixes[n][0]), *WORK], env, project)

    samples: list[Sample] = []
    try:
        # Set-up outside the measurements: the project's Prefect server is started (its database created and migrated)
        # and its warm process imports the flows, as on any machine after the first publish.
        print(f"project in {base}; first publish starts the project's Prefect server and warm process (not measured)…", flush=True)
        cold()
        deadline = time.monotonic() + 120
        while not (project / ".prefect" / "bantin-warm.json").is_file() and time.monotonic() < deadline:
            time.sleep(0.5)
        sides: list[tuple[str, Callable[[], Sample]]] = [("naive", naive_run), ("cold", cold), ("warm", warm)]
        sides += [(f"batch-{n}", lambda n=n: batch(n)) for n in args.sizes]
        sides += [(f"distinct-{n}", lambda n=n: distinct_batch(n)) for n in args.distinct]
        for n in args.mixed:
            sides += [(f"naive-mixed-{n}", lambda n=n: naive_mixed(n)), (f"mixed-{n}", lambda n=n: mixed_batch(n))]
        for rep in range(args.repeat):
            order = sides[rep % len(sides) :] + sides[: rep % len(sides)]
            if order[0][0] == "warm":  # warm needs a publish right before it: keep it after cold
                order = order[1:] + order[:1]
            for name, run in order:
                if name == "warm" and not (project / "outputs" / SAMPLE_ID / "manifest.json").is_file():
                    cold()  # unmeasured: warm measures "nothing changed" after a complete publish
                sample = run()
                samples.append(sample)
                (args.out / "publish.json").write_text(json.dumps([asdict(s) for s in samples], indent=1), encoding="utf-8")
                print(f"rep {rep + 1}: {name:<9} wall {sample.wall_s:7.1f} s  CPU {sample.cpu_s:7.1f} s  peak RSS {sample.rss_mib:6.0f} MiB", flush=True)
    finally:  # also when a side fails: leave no server behind, and no project unless asked to keep it
        subprocess.run([str(bantin), "server", "stop"], env=env, cwd=project, capture_output=True, check=False)
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    report(samples, args.out)


if __name__ == "__main__":
    main()
