"""Benchmark: the portal at archive scale, against Debian's nginx serving the static export of the same archive.

Publishes the sample once (``bantin publish``, engine espeak, into a scratch
project), then grows an archive from its real outputs: each bulletin is a
generation of hard links to the published files under a new id and date
(three bulletins a day), with its own record, indexed as a commit indexes it.
At each size (10, 100, 1,000 by default) it starts ``bantin portal`` on the
archive, exports the archive (incrementally) for nginx (docs/nginx/bantin-static.conf)
and starts the portal behind nginx with X-Accel-Redirect (docs/nginx/bantin.conf);
then, with ``wrk`` at 10 connections (50 for the MP3), alternating portal and
nginx, it measures the index, the Vietnamese feed, the newest bulletin's page
and the MP3, and keeps the median of ``--repeat`` runs.  It also times an
incremental export after one new bulletin, and reads the portal's peak memory.

Prints a table, writes it as JSON and draws req/s against archive size per
route (SVG, no plotting library needed) into docs/.  Run by hand (not a test):

    .venv/bin/python benchmarks/portal.py [--sizes 10 100 1000] [--repeat 3] [--memory-at 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "content" / "2024-06-28-hoi-nghi-giao-ban-cong-tac-dan-van-cac-huyen-uy-thanh-uy-quy-ii-trien.yaml"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tests" / "portal"))

from nginx_run import free_port, nginx, site_config  # noqa: E402


def publish_sample(project: Path) -> Path:
    """Publish the sample once into ``project`` (its own outputs, cache and temporary Prefect server); returns the generation."""
    project.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "BANTIN_OUTPUTS": str(project / "outputs"),
        "BANTIN_CACHE": str(project / "cache"),
        "BANTIN_SERVER": "temporary",
        "PREFECT_HOME": str(project / "prefect"),
    }
    env.pop("PREFECT_API_URL", None)
    done = subprocess.run([str(BIN / "bantin"), "publish", str(SAMPLE), "--engine", "espeak"], env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"bantin publish failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    (live,) = [p for p in (project / "outputs").iterdir() if not p.name.startswith(".") and p.is_dir()]
    return live.resolve()


def bulletin_day(n: int) -> dt.date:
    return dt.date(2020, 1, 1) + dt.timedelta(days=n // 3)  # three bulletins a day


def clone(root: Path, source: Path, n: int, index: bool) -> str:
    """Bulletin ``n``: a generation of hard links to ``source``'s files, with its own record (indexed as a commit does when ``index``)."""
    from bantin.publish.index import update_on_commit
    from bantin.publish.record import dumps, read_record
    from bantin.publish.store import STORE_DIR

    record = read_record(source)
    assert record is not None
    day = bulletin_day(n)
    bid = f"{day.isoformat()}-ban-tin-{n:05d}"
    gen = root / STORE_DIR / bid / f"g{n:06d}-bench"
    shutil.copytree(source, gen, copy_function=os.link, ignore=shutil.ignore_patterns("manifest.json", ".republished.json"))
    head = record.bulletin.model_copy(update={"id": bid, "title": f"{record.bulletin.title} (số {n})", "date": day})
    mine = record.model_copy(update={"bulletin": head, "generated_at": f"{day.isoformat()}T0{n % 3}:00:00Z", "generation": gen.name})
    (gen / "manifest.json").write_text(dumps(mine), encoding="utf-8")
    os.symlink(os.path.relpath(gen, root), root / bid)
    if index:
        update_on_commit(root, gen, mine)
    return bid


def wrk(url: str, connections: int, seconds: int, host: str = "localhost") -> tuple[float, float]:
    """(requests/s, bytes/s) of ``wrk`` on ``url``."""
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-H", f"Host: {host}", url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    size = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", out)
    assert size is not None
    scale = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[size.group(2)]
    return rps, float(size.group(1)) * scale


@contextmanager
def portal(root: Path, port: int, *extra: str) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "BANTIN_OUTPUTS": str(root)}
    env.pop("BANTIN_PUBLIC_URL", None)
    proc = subprocess.Popen([str(BIN / "bantin"), "portal", "--port", str(port), "--outputs", str(root), *extra], env=env, stderr=subprocess.DEVNULL)
    try:
        import httpx

        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=60).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the portal did not start")
            time.sleep(0.2)
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def memory_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process, MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]
    hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]
    return rss, hwm


def measure(size: int, root: Path, site: Path, scratch: Path, repeat: int, seconds: int) -> dict[str, object]:
    from bantin.publish.index import read_index

    newest = max(read_index(root).values(), key=lambda s: (s.date, s.generated_at, s.id))
    mp3 = next(o.path for o in newest.outputs if o.kind == "audio" and o.locale == "vi")
    routes = {"index": "/", "feed": "/feed/vi.xml", "bulletin": f"/{newest.id}/vi/", "mp3": f"/{newest.id}/{mp3}"}
    p_port, n_port, a_port, x_port = free_port(), free_port(), free_port(), free_port()
    static = site_config("bantin-static.conf", {"listen 80;": f"listen 127.0.0.1:{n_port};", "root /srv/bantin/site;": f"root {site};"})
    accel = site_config(
        "bantin.conf",
        {
            "listen 80;": f"listen 127.0.0.1:{x_port};",
            "server 127.0.0.1:8080;": f"server 127.0.0.1:{a_port};",
            "/srv/bantin/outputs/": f"{root.resolve()}/",
            "/var/cache/nginx/bantin": str(scratch / f"cache-{size}"),
        },
    )
    result: dict[str, object] = {"size": size}
    with (
        portal(root, p_port) as proc,
        portal(root, a_port, "--accel-prefix", "/_outputs/") as _,
        nginx(scratch / f"nginx-static-{size}", static, n_port, workers=2),
        nginx(scratch / f"nginx-accel-{size}", accel, x_port, workers=2),
    ):
        import httpx

        for path in routes.values():  # warm: each page rendered once, the record read once
            for port in (p_port, n_port, x_port):
                assert httpx.get(f"http://127.0.0.1:{port}{path}", headers={"Host": "localhost"}, timeout=60).status_code == 200, (port, path)
        for name, path in routes.items():
            conns = 50 if name == "mp3" else 10
            sides: dict[str, list[tuple[float, float]]] = {"portal": [], "nginx": []}
            if name == "mp3":
                sides["accel"] = []
            for _ in range(repeat):  # alternating
                sides["portal"].append(wrk(f"http://127.0.0.1:{p_port}{path}", conns, seconds))
                sides["nginx"].append(wrk(f"http://127.0.0.1:{n_port}{path}", conns, seconds))
                if name == "mp3":
                    sides["accel"].append(wrk(f"http://127.0.0.1:{x_port}{path}", conns, seconds))
            for side, runs in sides.items():
                result[f"{name}.{side}.rps"] = statistics.median(r for r, _ in runs)
                result[f"{name}.{side}.Bps"] = statistics.median(b for _, b in runs)
            print(f"  {size:>6} {name:<9} " + "  ".join(f"{s} {result[f'{name}.{s}.rps']:.0f} req/s" for s in sides), flush=True)
        result["index.bytes"] = len(httpx.get(f"http://127.0.0.1:{p_port}/", timeout=60).content)
        result["feed.bytes"] = len(httpx.get(f"http://127.0.0.1:{p_port}/feed/vi.xml", timeout=60).content)
        result["rss_mb"], result["peak_mb"] = memory_mb(proc.pid)
    return result


def timed_export(root: Path, site: Path) -> tuple[float, int, int]:
    from bantin.portal import export_site

    t0 = time.perf_counter()
    report = export_site(root, site, public_url="https://radio.example.org/")
    return time.perf_counter() - t0, len(report.written), len(report.bulletins_read)


def memory_only(size: int, root: Path, source: Path, have: int) -> dict[str, float]:
    """Grow the archive to ``size`` and read the portal's memory after serving every route once (no nginx, no wrk)."""
    import httpx

    for n in range(have, size):
        clone(root, source, n, index=True)
    port = free_port()
    t0 = time.perf_counter()
    with portal(root, port) as proc:
        start = time.perf_counter() - t0
        for path in ("/", "/page/2/", "/archive/", "/feed/vi.xml", "/search/?q=dan+van"):
            httpx.get(f"http://127.0.0.1:{port}{path}", timeout=120)
        rss, peak = memory_mb(proc.pid)
    return {"size": size, "rss_mb": rss, "peak_mb": peak, "start_s": start}


ROUTES = ("index", "feed", "bulletin", "mp3")


def svg_plot(results: list[dict[str, object]], path: Path) -> None:
    """req/s against archive size (log-log), one colour per route, solid for the portal, dashed for nginx."""
    import math

    width, height, left, bottom, top, right = 760, 440, 70, 50, 30, 170
    sizes = [int(r["size"]) for r in results]  # type: ignore[call-overload]
    values = [float(r[f"{route}.{side}.rps"]) for r in results for route in ROUTES for side in ("portal", "nginx")]  # type: ignore[arg-type]
    y_lo, y_hi = math.floor(math.log10(max(1e-1, min(values)))), math.ceil(math.log10(max(values)))
    x_lo, x_hi = math.log10(min(sizes)), math.log10(max(sizes)) if max(sizes) > min(sizes) else math.log10(min(sizes)) + 1

    def x(v: float) -> float:
        return left + (math.log10(v) - x_lo) / (x_hi - x_lo) * (width - left - right)

    def y(v: float) -> float:
        return height - bottom - (math.log10(max(v, 10**y_lo)) - y_lo) / (y_hi - y_lo) * (height - bottom - top)

    colours = {"index": "#0a4a8c", "feed": "#b34400", "bulletin": "#2e7d32", "mp3": "#6a1b9a"}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12" role="img">',
        "<title>bantin portal and nginx: requests per second against archive size</title>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    for e in range(y_lo, y_hi + 1):
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(10**e):.1f}" y2="{y(10**e):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 8}" y="{y(10**e) + 4:.1f}" text-anchor="end">{10**e:g}</text>')
    for s in sizes:
        out.append(f'<text x="{x(s):.1f}" y="{height - bottom + 18}" text-anchor="middle">{s:,}</text>')
    out.append(f'<text x="{(left + width - right) / 2}" y="{height - 12}" text-anchor="middle">bulletins in the archive</text>')
    mid = (top + height - bottom) / 2
    out.append(f'<text x="16" y="{mid}" transform="rotate(-90 16 {mid})" text-anchor="middle">requests/s (wrk)</text>')
    legend_y = top
    for route in ROUTES:
        for side, dash in (("portal", ""), ("nginx", ' stroke-dasharray="6 4"')):
            pts = " ".join(f"{x(int(r['size'])):.1f},{y(float(r[f'{route}.{side}.rps'])):.1f}" for r in results)  # type: ignore[call-overload,arg-type]
            out.append(f'<polyline points="{pts}" fill="none" stroke="{colours[route]}" stroke-width="2"{dash}/>')
            x0 = width - right + 12
            out.append(f'<line x1="{x0}" x2="{x0 + 28}" y1="{legend_y}" y2="{legend_y}" stroke="{colours[route]}" stroke-width="2"{dash}/>')
            out.append(f'<text x="{width - right + 46}" y="{legend_y + 4}">{route}, {side}</text>')
            legend_y += 18
    out.append("</svg>")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--memory-at", type=int, default=0, help="Also grow the archive to this size and read the portal's memory (no wrk).")
    parser.add_argument("--source", type=Path, help="A generation already published (skips the publish).")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "scaling-portal")
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(f"{tool} is not installed: apt-get install {tool} (make setup does)")
    scratch = Path(tempfile.mkdtemp(prefix="bantin-bench-portal-"))
    try:
        source = args.source.resolve() if args.source else publish_sample(scratch / "project")
        print(f"source generation: {source} ({sum(1 for p in source.rglob('*') if p.is_file())} files)", flush=True)
        root, site = scratch / "archive" / "outputs", scratch / "site"
        root.mkdir(parents=True)
        have = 0
        results: list[dict[str, object]] = []
        for size in sorted(args.sizes):
            for n in range(have, size):
                clone(root, source, n, index=True)
            have = size
            full_s, written, read = timed_export(root, site)
            bid = clone(root, source, have, index=True)  # one new bulletin, committed: the incremental export
            inc_s, inc_written, inc_read = timed_export(root, site)
            have += 1
            print(f"{size}: export {full_s:.1f} s ({written} written, {read} read); one new bulletin: {inc_s:.2f} s ({inc_written} written, {inc_read} read)")
            row = measure(size, root, site, scratch, args.repeat, args.seconds)
            row.update({"export_s": full_s, "export_written": written, "incremental_s": inc_s, "incremental_written": inc_written, "new": bid})
            results.append(row)
        memory = memory_only(args.memory_at, root, source, have) if args.memory_at else None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print()
    print(f"{'route':<10}" + "".join(f"{r['size']:>22,}" for r in results))
    for route in ROUTES:
        for side in ("portal", "nginx", "accel") if route == "mp3" else ("portal", "nginx"):
            unit, key, scale = ("MB/s", "Bps", 1e6) if route == "mp3" else ("req/s", "rps", 1)
            cells = "".join(f"{float(r[f'{route}.{side}.{key}']) / scale:>16.0f} {unit:<5}" for r in results)  # type: ignore[arg-type]
            print(f"{route + ' ' + side:<16}{cells}")
    for r in results:
        print(
            f"{r['size']}: index {r['index.bytes']} B, feed {r['feed.bytes']} B, portal RSS {float(r['rss_mb']):.0f} MB (peak {float(r['peak_mb']):.0f}), "  # type: ignore[arg-type]
            f"export {float(r['export_s']):.1f} s, incremental {float(r['incremental_s']):.2f} s"  # type: ignore[arg-type]
        )
    if memory:
        print(f"{memory['size']}: portal RSS {memory['rss_mb']:.0f} MB (peak {memory['peak_mb']:.0f}), ready in {memory['start_s']:.1f} s")
    args.out.with_suffix(".json").write_text(json.dumps({"results": results, "memory": memory}, indent=2, default=str) + "\n", encoding="utf-8")
    svg_plot(results, args.out.with_suffix(".svg"))
    print(f"wrote {args.out.with_suffix('.json')} and {args.out.with_suffix('.svg')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
