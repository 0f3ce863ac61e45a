"""The EPUB container (OCF): a ZIP whose bytes depend only on its contents.

``mimetype`` comes first and stored (uncompressed, no extra field), as OCF
requires; every other entry follows in sorted order, deflated at a fixed
level (MP3 stored), with one fixed timestamp and fixed permissions, so building the same
book twice gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

__all__ = ["CONTAINER_XML", "EPUB_MIMETYPE", "ocf_zip", "write_ocf"]

EPUB_MIMETYPE = "application/epub+zip"
CONTAINER_XML = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="{opf}" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""
_ZIP_EPOCH = dt.datetime(1980, 1, 1)
#: Entries that are compressed already (deflating them again gains nothing).
_COMPRESSED = (".mp3",)


def _entry(name: str, when: dt.datetime, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(when.year, when.month, when.day, when.hour, when.minute, when.second))
    info.compress_type = compress
    info.create_system = 3  # unix, whatever the build machine
    info.external_attr = 0o100644 << 16
    return info


def write_ocf(target: BinaryIO, files: Mapping[str, bytes | Path], opf_path: str, when: dt.datetime) -> None:
    """Write the EPUB for ``files`` (path in the container → bytes, or a file streamed from disk) to ``target``.

    A reading of hours is a MP3 of a hundred megabytes: it is copied from its
    file in blocks, never held in memory.
    """
    stamp = max(when.replace(tzinfo=None), _ZIP_EPOCH)
    entries: dict[str, bytes | Path] = dict(files)
    entries["META-INF/container.xml"] = CONTAINER_XML.format(opf=opf_path).encode("utf-8")
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr(_entry("mimetype", stamp, zipfile.ZIP_STORED), EPUB_MIMETYPE.encode("ascii"))
        for name in sorted(entries):
            method = zipfile.ZIP_STORED if name.endswith(_COMPRESSED) else zipfile.ZIP_DEFLATED
            info, content = _entry(name, stamp, method), entries[name]
            if isinstance(content, Path):
                setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", 9)  # as writestr sets it
                with content.open("rb") as source, zf.open(info, "w", force_zip64=content.stat().st_size >= 2**31 - 1) as dest:
                    shutil.copyfileobj(source, dest, 1 << 20)
            else:
                zf.writestr(info, content, compresslevel=9)


def ocf_zip(files: Mapping[str, bytes | Path], opf_path: str, when: dt.datetime) -> bytes:
    """The EPUB bytes for ``files``, with META-INF/container.xml pointing at ``opf_path`` (small books, tests)."""
    buffer = io.BytesIO()
    write_ocf(buffer, files, opf_path, when)
    return buffer.getvalue()
