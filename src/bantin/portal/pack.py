"""The broadcast pack: one ZIP per bulletin for stations without steady internet.

It holds the manifest (its public copy, without server paths) and every file
it lists except the page previews (MP3s, transcripts, captions, PDFs) under
``<id>/``, exactly as in ``outputs/``; a record path that leaves the
generation is never packed (:meth:`Bulletin.file_path` refuses it).  The
ZIP is deterministic: entries sorted, every timestamp the manifest's
generation time, fixed permissions, already-compressed media stored rather
than deflated, so the same manifest always gives the same bytes (and ETag).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import shutil
import zipfile
from pathlib import Path

from bantin import __version__
from bantin.fsutil import atomic_path
from bantin.portal.library import Bulletin
from bantin.publish.manifest import MANIFEST_NAME

__all__ = ["PACK_KINDS_EXCLUDED", "build_pack", "cached_pack", "pack_entries", "pack_etag", "pack_name"]

log = logging.getLogger("bantin.portal")

#: Kinds left out of the pack: previews only help people choosing on the web page.
PACK_KINDS_EXCLUDED = frozenset({"preview"})
_STORED_SUFFIXES = (".mp3", ".pdf", ".png", ".jpg", ".ogg", ".opus", ".m4a", ".zip", ".epub")


def pack_name(bulletin: Bulletin) -> str:
    return f"{bulletin.id}.zip"


def pack_etag(bulletin: Bulletin) -> str:
    """Validator of the pack: it depends only on the manifest's bytes (as on disk and as served) and the pack format (bantin version)."""
    return hashlib.sha256(f"pack:{__version__}:{bulletin.manifest_sha256}:{bulletin.public_sha256}".encode()).hexdigest()


def pack_entries(bulletin: Bulletin) -> list[tuple[str, Path | bytes]]:
    """(name in the ZIP, file on disk or bytes) for the public manifest and each packed file, sorted by name."""
    entries: list[tuple[str, Path | bytes]] = [(f"{bulletin.id}/{MANIFEST_NAME}", bulletin.public_manifest)]
    for f in bulletin.files.values():
        if f.kind in PACK_KINDS_EXCLUDED:
            continue
        path = bulletin.file_path(f.path)
        if path is None:
            log.warning("%s: listed file %s is missing; left out of the pack", bulletin.id, f.path)
            continue
        entries.append((f"{bulletin.id}/{f.path}", path))
    return sorted(entries, key=lambda e: e[0])


def _zip_time(when: dt.datetime) -> tuple[int, int, int, int, int, int]:
    utc = when.astimezone(dt.UTC)
    if utc.year < 1980:  # the ZIP format starts in 1980
        return (1980, 1, 1, 0, 0, 0)
    return (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second - utc.second % 2)


def build_pack(bulletin: Bulletin, target: Path) -> Path:
    """Write the bulletin's pack to ``target`` atomically."""
    stamp = _zip_time(bulletin.generated_at)
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w") as zf:
        for name, source in pack_entries(bulletin):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3  # unix, so the permission bits below are honoured
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_STORED if name.endswith(_STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
            if isinstance(source, bytes):  # the public manifest
                info.file_size = len(source)
                zf.writestr(info, source)
                continue
            info.file_size = source.stat().st_size
            with source.open("rb") as src, zf.open(info, "w", force_zip64=info.file_size > 0x7FFF0000) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    return target


def cached_pack(bulletin: Bulletin, cache_dir: Path) -> Path:
    """The pack of ``bulletin`` in ``cache_dir``, built once per manifest version."""
    target = cache_dir / f"{bulletin.id}.{pack_etag(bulletin)[:20]}.zip"
    if not target.is_file():
        for old in cache_dir.glob(f"{bulletin.id}.*.zip"):
            old.unlink(missing_ok=True)
        build_pack(bulletin, target)
    return target
