"""Benchmark: bulletins per minute with one worker and with two, and the time from "Run" to Running.

The production topology of docs/operations.md on this machine, with real parts
(tests/flows/topology_utils.py): PostgreSQL, ``prefect server start``, the
``bantin`` process pool, the deployments of prefect.yaml, then ``prefect worker
start`` processes sharing one outputs folder.  Each pass publishes its own new
small bulletins (two paragraphs, vi, a4, espeak), triggered through the API all
at once.  Throughput counts from the first run created to the last one ended;
latency is each run's ``start_time`` (Running) minus its ``created``.
Run by hand: .venv/bin/python benchmarks/topology.py [--bulletins 10] [--limit 2] [--query-seconds 10]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "flows"))
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="bantin-bench-prefect-")  # this process's client only
os.environ.pop("PREFECT_API_URL", None)

from topology_utils import throughput, topology, trigger, wait_for, write_bulletins  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bulletins", type=int, default=10, help="bulletins per pass")
    parser.add_argument("--limit", type=int, default=2, help="concurrent runs per worker (prefect worker start --limit)")
    parser.add_argument("--query-seconds", type=float, default=10, help="PREFECT_WORKER_QUERY_SECONDS (Prefect's default: 10)")
    args = parser.parse_args()
    started = time.monotonic()
    with topology(worker_query_s=args.query_seconds) as top:
        print(f"topology up in {time.monotonic() - started:.0f} s (PostgreSQL, server, pool, deploy)", flush=True)
        for workers, tag in ((1, "one"), (2, "two")):
            for n in range(workers):
                top.start_worker(f"w{n + 1}", args.limit)
            ids = write_bulletins(top.project, args.bulletins, tag)
            runs = wait_for(top.api, [r.id for r in trigger(top.api, ids)], timeout_s=1800)
            states = sorted({r.state.name for r in runs if r.state is not None})
            per_minute, latency = throughput(runs, workers * args.limit)
            durations = sorted((r.end_time - r.start_time).total_seconds() for r in runs)
            print(
                f"{workers} worker(s), --limit {args.limit}: {per_minute:.1f} bulletins/min over {len(runs)} runs ({', '.join(states)}); "
                f"Run -> Running median {latency:.1f} s (first wave); run median {durations[len(durations) // 2]:.1f} s",
                flush=True,
            )
            top.stop_workers()
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
