"""Atomic, idempotent file writes.

Every output a person may download is written to a temporary file in the same
folder and then renamed, so a crash never leaves a truncated PDF or MP3 under
its final name.  Unchanged content is not rewritten, so mtimes (and anything
keyed on them: rsync, HTTP caches) stay put.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bantin.settings import source_date

__all__ = [
    "atomic_path",
    "contained",
    "pid_alive",
    "sha256_file",
    "source_date",
    "unsafe_relpath",
    "write_bytes_if_changed",
    "write_text_if_changed",
]

_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def atomic_path(final: Path, keep_unchanged: bool = False) -> Iterator[Path]:
    """Yield a temp path beside ``final``; rename it over ``final`` only if the block succeeds.

    The temp name keeps the final suffix so tools that sniff extensions (ffmpeg) still work.
    With ``keep_unchanged`` (a file written in pieces), ``final`` is left untouched, its
    mtime too, when the new bytes equal its own.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=f".tmp{final.suffix}", dir=final.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        same = keep_unchanged and final.is_file() and final.stat().st_size == tmp.stat().st_size and filecmp.cmp(tmp, final, shallow=False)
        if not same:
            os.chmod(tmp, 0o644)
            os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_bytes_if_changed(path: Path, data: bytes) -> bool:
    """Atomically write ``data`` to ``path`` unless it already holds exactly that; True if written."""
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return True


def write_text_if_changed(path: Path, text: str) -> bool:
    """UTF-8 (no BOM, LF) variant of :func:`write_bytes_if_changed`."""
    return write_bytes_if_changed(path, text.encode("utf-8"))


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (ours or another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def unsafe_relpath(rel: str) -> str | None:
    """Why ``rel`` is not a plain relative path below a folder (absolute, ``..``, empty parts...), or None when it is.

    Record paths are written by bantin as POSIX paths relative to a generation;
    anything else was edited by hand and must never be followed.
    """
    if not rel:
        return "it is empty"
    if "\x00" in rel or "\\" in rel:
        return "it holds a NUL byte or a backslash"
    if rel.startswith("/"):
        return "it is absolute"
    parts = rel.split("/")
    if any(part == ".." for part in parts):
        return "it climbs out with '..'"
    if any(part in ("", ".") for part in parts):
        return "it has an empty or '.' part"
    return None


def contained(folder: Path, rel: str) -> Path | None:
    """``folder / rel`` when that path stays inside ``folder`` once every link is resolved, else None.

    The one test of "does this path leave its folder" for everything that
    reads, serves, hashes or removes a file a record names.
    """
    if unsafe_relpath(rel) is not None:
        return None
    path = folder / rel
    try:
        if not path.resolve().is_relative_to(folder.resolve()):
            return None
    except (OSError, RuntimeError):  # a link loop
        return None
    return path
