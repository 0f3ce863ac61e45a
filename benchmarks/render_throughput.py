"""Benchmark: bantin's parallel render path against one ``weasyprint`` CLI call per PDF.

Renders the same 9 PDFs (vi, en, km × a4, a5, large-print) both ways in the
same run, several times, and prints the median ratio bantin / CLI (target ≤ 0.5).
The CLI side gets exactly the same HTML and stylesheets, written to disk.

    .venv/bin/python benchmarks/render_throughput.py [--repeat 3] [--workers N]

Run by hand, not by pytest: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bantin.content.bulletin_file import load_bulletin  # noqa: E402
from bantin.i18n.localize import localize  # noqa: E402
from bantin.paths import ASSETS_DIR  # noqa: E402
from bantin.render.html import build_html, page_css  # noqa: E402
from bantin.render.isolation import render_many, worker_count  # noqa: E402
from bantin.render.jobs import RenderJob  # noqa: E402
from bantin.render.profiles import BASE_OPTIONS, PROFILES, get_profile  # noqa: E402
from testing_utils import SAMPLE_YAML, make_variant  # noqa: E402


def jobs(out: Path) -> list[RenderJob]:
    bulletin = load_bulletin(SAMPLE_YAML)
    # km is only partly translated in the shipped catalog: its variant is built from the test fixture.
    variants = [localize(bulletin, "vi"), localize(bulletin, "en"), make_variant(bulletin, "km")]
    return [RenderJob(v, name, out / f"{bulletin.id}.{v.locale.code}.{name}.pdf", force=True) for v in variants for name in PROFILES]


def cli_inputs(job_list: list[RenderJob], folder: Path) -> list[list[str]]:
    """One weasyprint command line per job, on the same HTML and CSS bantin renders."""
    script = Path(sys.executable).with_name("weasyprint")
    weasyprint = [str(script)] if script.is_file() else [sys.executable, "-m", "weasyprint"]  # a venv without console scripts
    commands = []
    for n, job in enumerate(job_list):
        profile = get_profile(job.profile)
        html = folder / f"{n}.html"
        css = folder / f"{n}.css"
        html.write_text(build_html(job.variant, job.asset_dir, job.public_url), encoding="utf-8")
        css.write_text(page_css(job.variant, profile, job.print_marks), encoding="utf-8")
        sheets = [ASSETS_DIR / "css" / "fonts.css", ASSETS_DIR / "css" / "base.css", profile.stylesheet_path, css]
        command = [*weasyprint, "--pdf-variant", str(BASE_OPTIONS["pdf_variant"]), "--quiet"]
        for sheet in sheets:
            command += ["-s", str(sheet)]
        commands.append([*command, str(html), str(folder / f"{n}.pdf")])
    return commands


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    ratios = []
    with tempfile.TemporaryDirectory(prefix="bantin-bench-") as tmp:
        root = Path(tmp)
        print(f"workers: {args.workers or worker_count()}; 9 PDFs per side; {args.repeat} repetitions")
        for rep in range(1, args.repeat + 1):
            job_list = jobs(root / f"bantin-{rep}")
            (root / f"cli-{rep}").mkdir()
            commands = cli_inputs(job_list, root / f"cli-{rep}")
            t0 = time.perf_counter()
            results = render_many(job_list, workers=args.workers)
            bantin_s = time.perf_counter() - t0
            failed = [r for r in results if isinstance(r, Exception)]
            if failed:
                raise SystemExit(f"bantin render failed: {failed[0]}")
            t0 = time.perf_counter()
            for command in commands:
                subprocess.run(command, check=True)
            cli_s = time.perf_counter() - t0
            ratios.append(bantin_s / cli_s)
            print(f"rep {rep}: bantin {bantin_s:.2f} s, weasyprint CLI {cli_s:.2f} s, ratio {bantin_s / cli_s:.2f}")
    print(f"median ratio bantin / CLI: {statistics.median(ratios):.2f} (target <= 0.5)")


if __name__ == "__main__":
    main()
