"""Benchmark: republishing an unchanged bulletin against a cold publish, in the same mode.

Both sides run here, in one process, under Prefect's embedded server with a
throw-away PREFECT_HOME, outputs folder and speech cache, engine espeak (no
network).  "Cold" starts from empty caches and outputs; "republish" runs the
same flow again.  Target: republish <= 0.15 x cold, with no render and no
speech synthesis.  Run by hand: .venv/bin/python benchmarks/republish.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "content" / "2024-06-28-hoi-nghi-giao-ban-cong-tac-dan-van-cac-huyen-uy-thanh-uy-quy-ii-trien.yaml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--locale", action="append", default=None)
    args = parser.parse_args()
    locales = args.locale or ["vi", "en"]
    scratch = Path(tempfile.mkdtemp(prefix="bantin-bench-"))
    os.environ["PREFECT_HOME"] = str(scratch / "prefect")
    os.environ.pop("PREFECT_API_URL", None)
    from prefect.testing.utilities import prefect_test_harness

    from bantin.flows.flow import publish_bulletin
    from bantin.publish.request import PublishRequest

    cold, warm = [], []
    with prefect_test_harness(server_startup_timeout=120):
        warm_up = PublishRequest(bulletin=str(SAMPLE), locales=("vi",), profiles=("a4",), engine="espeak")
        publish_bulletin(warm_up)  # warm up imports and the server, not measured
        for i in range(args.repeat):
            for name in ("outputs", "speech", "prefect/storage"):
                shutil.rmtree(scratch / name, ignore_errors=True)
            os.environ["BANTIN_OUTPUTS"] = str(scratch / "outputs")
            os.environ["BANTIN_CACHE"] = str(scratch / "speech")
            t0 = time.perf_counter()
            first = publish_bulletin(PublishRequest(bulletin=str(SAMPLE), locales=tuple(locales), engine="espeak"))
            t1 = time.perf_counter()
            again = publish_bulletin(PublishRequest(bulletin=str(SAMPLE), locales=tuple(locales), engine="espeak"))
            t2 = time.perf_counter()
            assert not any(s["state"] == "Cached" for s in first["stages"]), first["stages"]
            worked = [s for s in again["stages"] if s["state"] != "Cached" or s["rendered"]]
            assert not worked, f"the republish rendered or read: {worked}"
            cold.append(t1 - t0)
            warm.append(t2 - t1)
            print(f"run {i + 1}: cold {cold[-1]:.2f} s, republish {warm[-1]:.2f} s, ratio {warm[-1] / cold[-1]:.3f}", flush=True)
    ratio = statistics.median(warm) / statistics.median(cold)
    print(
        f"locales {', '.join(locales)}, 3 profiles, espeak; median cold {statistics.median(cold):.2f} s, "
        f"median republish {statistics.median(warm):.2f} s: ratio {ratio:.3f} (target <= 0.15)"
    )
    shutil.rmtree(scratch, ignore_errors=True)
    return 0 if ratio <= 0.15 else 1


if __name__ == "__main__":
    sys.exit(main())
