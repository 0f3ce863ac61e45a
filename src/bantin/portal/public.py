"""The public copy of a record: what ``/<id>/manifest.json`` and the pack show, without the server's paths.

The record on disk is bantin's state and may name files by their place on
the server: a refused image's ``file:///srv/.../content/<id>/assets/x.png``,
an error message quoting a path.  The copy the portal serves keeps every
field but rewrites each absolute path (plain or as a ``file:`` URL) found in
any string, key or value: relative to the project (or the outputs folder,
or the generation) when it lies inside one, else only its last part after
``.../``.  Entries whose own path leaves the generation are left out.  The
on-disk record is never changed.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from bantin.fsutil import unsafe_relpath

__all__ = ["public_record", "scrub_paths"]

#: An absolute path: as a ``file:`` URL, or a ``/`` that starts a word (not the ``//`` of ``https://``, not ``a/b``).
_ABSOLUTE = re.compile(r"file:(?://[^/\s]*)?(/[^\s\"'<>]*)|(?<![\w.:/~%-])(/[^\s\"'<>,;)\]]+)")


def _shorten(path: str, roots: tuple[PurePosixPath, ...]) -> str:
    p = PurePosixPath(path)
    for root in roots:  # deepest first; a root itself is named from the next one up
        if p != root and p.is_relative_to(root):
            return p.relative_to(root).as_posix()
    return f".../{p.name}" if p.name else "..."


def scrub_paths(text: str, roots: Iterable[Path] = ()) -> str:
    """``text`` with every absolute path made relative to the first of ``roots`` holding it, else cut to its last part."""
    ordered = tuple(sorted({PurePosixPath(str(r)) for r in roots if str(r).startswith("/") and str(r) != "/"}, key=lambda r: -len(r.parts)))

    def replace(match: re.Match[str]) -> str:
        url_path, plain = match.group(1), match.group(2)
        return _shorten(unquote(url_path) if url_path is not None else plain, ordered)

    return _ABSOLUTE.sub(replace, text)


def _scrub(value: Any, roots: tuple[Path, ...]) -> Any:
    if isinstance(value, str):
        return scrub_paths(value, roots)
    if isinstance(value, list):
        return [_scrub(v, roots) for v in value]
    if isinstance(value, dict):
        return {scrub_paths(k, roots): _scrub(v, roots) for k, v in value.items()}
    return value


def _keeps(entry: object) -> bool:
    """An output entry the public copy lists: its path (and preview) stay inside the generation."""
    if not isinstance(entry, dict):
        return False
    for key in ("path", "preview", "preview_of", "of"):
        value = entry.get(key)
        if value is not None and (not isinstance(value, str) or unsafe_relpath(value) is not None):
            return False
    return True


def public_record(raw: bytes, roots: Iterable[Path]) -> bytes:
    """The served copy of a record's bytes: server paths rewritten (``roots``: project, outputs, generation).

    A record with nothing to rewrite keeps its exact bytes.
    """
    data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict):
        return raw
    expanded: list[Path] = []
    for root in roots:
        expanded.append(root.absolute())
        with contextlib.suppress(OSError, RuntimeError):
            expanded.append(root.resolve())
    clean = dict(data)
    if isinstance(clean.get("outputs"), list):
        clean["outputs"] = [e for e in clean["outputs"] if _keeps(e)]
    clean = _scrub(clean, tuple(expanded))
    if clean == data:
        return raw
    return (json.dumps(clean, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
