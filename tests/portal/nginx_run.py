"""Debian's nginx with one of docs/nginx/'s configurations, on a free port, in the foreground, everything in a temp folder.

Used by tests/portal/test_nginx.py and benchmarks/portal.py.  The configuration
file is the one in docs/, with only its ``CHANGE`` lines pointed at the temp
folder, the port and the portal (each replacement must apply exactly once, so
the docs cannot drift away from what is tested).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "nginx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def site_config(name: str, replacements: Mapping[str, str]) -> str:
    """docs/nginx/<name> with each ``old -> new`` applied; ValueError when one does not occur exactly once."""
    text = (DOCS / name).read_text(encoding="utf-8")
    for old, new in replacements.items():
        if text.count(old) != 1:
            raise ValueError(f"docs/nginx/{name}: {old!r} occurs {text.count(old)} times, not once; update the test's replacements")
        text = text.replace(old, new)
    return text


@contextmanager
def nginx(folder: Path, site: str, port: int, workers: int = 1) -> Iterator[Path]:
    """Run nginx (not as a daemon) with ``site`` inside a minimal ``http {}`` until the block ends; yields the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for sub in ("logs", "tmp"):
        (folder / sub).mkdir(exist_ok=True)
    (folder / "site.conf").write_text(site, encoding="utf-8")
    user = "user root root;\n" if os.geteuid() == 0 else ""  # the temp folders are private to us
    (folder / "nginx.conf").write_text(
        f"""{user}daemon off;
worker_processes {workers};
pid {folder}/nginx.pid;
error_log {folder}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    keepalive_requests 100000;
    client_body_temp_path {folder}/tmp/body;
    proxy_temp_path {folder}/tmp/proxy;
    fastcgi_temp_path {folder}/tmp/fastcgi;
    uwsgi_temp_path {folder}/tmp/uwsgi;
    scgi_temp_path {folder}/tmp/scgi;
    include {folder}/site.conf;
}}
""",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(folder / "logs" / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (folder / "logs" / "error.log").read_text(encoding="utf-8", errors="replace") if (folder / "logs" / "error.log").exists() else ""
                    raise RuntimeError(f"nginx did not start: {log[-2000:]}") from None
                time.sleep(0.05)
        yield folder
    finally:
        proc.terminate()  # SIGTERM: fast shutdown
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
