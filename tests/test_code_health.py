"""The project's own static checks, run by `make test` (and so by CI): ruff and mypy --strict."""

from __future__ import annotations

import subprocess
import sys

from testing_utils import ROOT


def test_ruff_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "src", "flows", "tests", "benchmarks", "tools"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_mypy_strict_is_clean() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "typecheck.py")], cwd=ROOT, capture_output=True, text=True, check=False, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
