"""Run ``mypy --strict`` (configured in pyproject.toml) on the library and the Prefect layer together.

The top-level ``flows/`` folder is installed as ``bantin.flows`` (setuptools'
``package-dir``), which mypy cannot see from the source tree, so this script
lays out the package as installed, with symlinks, in a temporary folder and
checks that.  Paths in mypy's report are mapped back to the source tree.

    python tools/typecheck.py        # exit status is mypy's
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bantin-typecheck-") as tmp:
        package = Path(tmp) / "bantin"
        package.mkdir()
        for entry in (ROOT / "src" / "bantin").iterdir():
            if entry.name != "__pycache__":
                (package / entry.name).symlink_to(entry)
        (package / "flows").symlink_to(ROOT / "flows")
        env = {**os.environ, "MYPYPATH": tmp}
        cache = ROOT / ".mypy_cache"  # one per work tree
        result = subprocess.run(
            [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(cache), str(package)],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        report = re.sub(r"^bantin/(flows/)?", lambda m: "flows/" if m.group(1) else "src/bantin/", result.stdout + result.stderr, flags=re.M)
        sys.stdout.write(report)
        return result.returncode


if __name__ == "__main__":
    sys.exit(main())
