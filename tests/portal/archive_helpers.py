"""Archives of many small bulletins, committed through the real store (so the index is written as a publish writes it)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from bantin.fsutil import sha256_file
from bantin.publish.record import BulletinHead, Entry, LocaleRecord, Record
from bantin.publish.store import BulletinStore

#: Titles the search tests look for: every seventh bulletin is about vaccination.
TOPICS = ("Hội nghị giao ban công tác dân vận", "Phòng chống thiên tai mùa mưa", "Tiêm chủng mở rộng cho trẻ em")


def bulletin_id(n: int) -> str:
    return f"{day(n).isoformat()}-ban-tin-{n:04d}"


def day(n: int) -> dt.date:
    """Bulletin ``n``'s date: one a day from 1 May 2024 (so 45 bulletins span May and June)."""
    return dt.date(2024, 5, 1) + dt.timedelta(days=n)


def title(n: int) -> str:
    return f"{TOPICS[2] if n % 7 == 0 else TOPICS[n % 2]}, số {n}"


def commit(root: Path, n: int, audio: bytes | None = None, title_text: str | None = None) -> Record:
    """Publish bulletin ``n`` (a PDF and a Vietnamese reading) through :class:`BulletinStore`."""
    bid = bulletin_id(n)
    store = BulletinStore(bid, root)
    with store.locked():
        stage = store.begin()
        files = {f"vi/{bid}.vi.a4.pdf": ("pdf", "application/pdf", b"%PDF-1.7 " + bid.encode()), f"vi/{bid}.vi.mp3": ("audio", "audio/mpeg", audio)}
        entries = []
        for rel, (kind, media, data) in files.items():
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if data is None:
                data = b"ID3" + bid.encode() * 20
            path.write_bytes(data)
            entries.append(
                Entry(
                    path=rel,
                    kind=kind,
                    locale="vi",
                    profile="a4" if kind == "pdf" else None,
                    media_type=media,
                    bytes=len(data),
                    sha256=sha256_file(path),
                    mtime_ns=path.stat().st_mtime_ns,
                    duration_s=12.0 if kind == "audio" else None,
                    pages=1 if kind == "pdf" else None,
                )
            )
        head = BulletinHead(id=bid, title=title_text or title(n), date=day(n))
        record = Record(
            bulletin=head,
            generated_at=f"{day(n).isoformat()}T01:00:00Z",
            outputs=sorted(entries, key=lambda e: e.path),
            locales={"vi": LocaleRecord(code="vi", status="published", reading=f"vi/{bid}.vi.mp3")},
        )
        return store.commit(record)


def build_archive(root: Path, count: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        commit(root, n)
    return root


def unpublish(root: Path, n: int) -> None:
    """Remove bulletin ``n`` by hand: its live link and its store folder."""
    bid = bulletin_id(n)
    (root / bid).unlink()
    shutil.rmtree(root / ".bantin" / bid)
