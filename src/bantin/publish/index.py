"""The index of published bulletins: one small summary per bulletin, derived from its record.

Readers that list the archive (the portal's index pages and feeds, the static
export) read these summaries instead of every record, so their cost does not
grow with the archive.  The records stay the truth: a summary holds only what
a listing shows (title, date, locales and their status, the current outputs
with size and hash, the record's state) and the stamp of the record it was
made from, and it is never trusted to serve a file.

Layout: ``outputs/.bantin/_index/<id>.json`` (``_`` cannot start a bulletin
id).  Each file is written atomically (temp file + rename), by
:meth:`~bantin.publish.store.BulletinStore.commit` right after the swap, so
several writers on several machines never share a file and a reader sees the
old summary or the new one.  A rename changes the folder's mtime: one ``stat``
tells a reader that something changed (:class:`IndexReader`).

:func:`reconcile` brings the index in line with the records cheaply (one
``stat`` per bulletin; only a record whose stamp differs is read again) and
:func:`rebuild` reads them all (``bantin index rebuild``).  :func:`check_index`
is ``bantin verify``'s check that a summary agrees with its record.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from bantin.errors import BantinError, RecordError
from bantin.fsutil import contained
from bantin.publish.record import MANIFEST_NAME, Record, parse_record

__all__ = [
    "INDEX_DIR",
    "IndexReader",
    "ReconcileReport",
    "Summary",
    "check_index",
    "index_dir",
    "locale_states",
    "read_index",
    "rebuild",
    "reconcile",
    "remove_summary",
    "summarize",
    "summary_for",
    "update_on_commit",
    "write_summary",
]

log = logging.getLogger("bantin.publish")

#: The index folder's name under ``outputs/.bantin/``; a bulletin id never starts with ``_``.
INDEX_DIR = "_index"
#: The summaries' format; a summary of another format is made again from its record.
INDEX_FORMAT = 2
#: A folder whose mtime is this close to the moment it was scanned may change again within the same tick: scan it again next time.
_RACY_S = 2.0

State = Literal["published", "unpublished", "unusable"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Stamp(_Model):
    """Which version of a record a summary was made from: its file's mtime, size and inode, and its bytes' sha256."""

    mtime_ns: int
    size: int
    ino: int
    sha256: str = ""

    def same_file(self, st: os.stat_result) -> bool:
        return (self.mtime_ns, self.size, self.ino) == (st.st_mtime_ns, st.st_size, st.st_ino)


class LocaleState(_Model):
    """One locale as a listing shows it: source, published, skipped, failed or outdated."""

    code: str
    status: str
    published: bool
    percent: float | None = None
    reason: str | None = None
    title: str | None = None
    date_text: str | None = None


class OutputSummary(_Model):
    """One current output, with what a feed item or a listing needs."""

    path: str
    kind: str
    locale: str
    profile: str | None = None
    media_type: str
    bytes: int | None = None
    mtime_ns: int | None = None
    sha256: str | None = None
    duration_s: float | None = None
    degraded: bool = False
    #: a degraded reading no approver accepted: kept out of every feed
    held: bool = False


class Summary(_Model):
    """What the index knows of one bulletin: enough to list it, never enough to serve a file."""

    format: int = INDEX_FORMAT
    id: str
    #: ``published`` (a locale has current files), ``unpublished`` (none has) or ``unusable`` (the record cannot be read)
    state: State
    reason: str | None = None
    title: str = ""
    date: dt.date | None = None
    language: str = "vi"
    generated_at: str = ""
    generation: str = ""
    #: ``complete`` or ``failed`` (the last publish's status)
    status: str = ""
    record: Stamp
    locales: tuple[LocaleState, ...] = ()
    outputs: tuple[OutputSummary, ...] = ()
    #: the record's editorial state: only ``published`` is listed, searched, served, packed, exported or in a feed
    editorial: str = "published"
    #: when the editorial state last changed (a retraction must move a feed's Last-Modified too)
    editorial_at: str = ""

    @property
    def listable(self) -> bool:
        """Whether listings, feeds and the export show this bulletin: it has current files and is editorially published."""
        return self.state == "published" and self.editorial == "published"

    @property
    def published_locales(self) -> list[str]:
        return [s.code for s in self.locales if s.published]

    def agrees_with(self, other: Summary) -> list[str]:
        """Fields (other than the file stamp) where this summary and ``other`` differ."""
        mine, theirs = self.model_dump(exclude={"record"}), other.model_dump(exclude={"record"})
        diff = [k for k in mine if mine[k] != theirs.get(k)]
        if self.record.sha256 != other.record.sha256:
            diff.append("record.sha256")
        return diff


# --------------------------------------------------------------------------- from the record


def locale_states(record: Record) -> tuple[LocaleState, ...]:
    """Each locale of the record: the source, published (with current files), skipped, failed or outdated; source first."""
    source = record.bulletin.language
    found: dict[str, LocaleState] = {}
    for code, loc in record.locales.items():
        published = record.published(code)
        if record.outdated(code):
            status = "outdated"
        elif published and code == source:
            status = "source"
        elif loc.status == "published" and not published:
            status = "failed"
        else:
            status = loc.status
        found[code] = LocaleState(
            code=code, status=status, published=published, percent=loc.percent, reason=loc.reason, title=loc.title, date_text=loc.date_text
        )
    for e in record.current():
        if e.locale and e.locale not in found:
            found[e.locale] = LocaleState(code=e.locale, status="source" if e.locale == source else "published", published=True)
    return tuple(sorted(found.values(), key=lambda s: (s.code != source, s.code)))


def summarize(record: Record, folder: Path, stamp: Stamp) -> Summary:
    """The summary of ``record``, whose generation is ``folder`` (an entry leading out of it is left out)."""
    held = {e.path for e in record.held_readings()}
    outputs = tuple(
        OutputSummary(
            path=e.path,
            kind=e.kind,
            locale=e.locale,
            profile=e.profile,
            media_type=e.media_type,
            bytes=e.bytes,
            mtime_ns=e.mtime_ns,
            sha256=e.sha256,
            duration_s=e.duration_s,
            degraded=e.degraded is True,
            held=e.path in held,
        )
        for e in record.current()
        if contained(folder, e.path) is not None
    )
    locales = locale_states(record)
    return Summary(
        id=record.id,
        state="published" if any(s.published for s in locales) else "unpublished",
        title=record.bulletin.title,
        date=record.bulletin.date,
        language=record.bulletin.language,
        generated_at=record.generated_at,
        generation=record.generation,
        status=record.status,
        record=stamp,
        locales=locales,
        outputs=outputs,
        editorial=record.editorial.state,
        editorial_at=record.editorial.changed_at or "",
    )


def _stamp(st: os.stat_result, raw: bytes) -> Stamp:
    return Stamp(mtime_ns=st.st_mtime_ns, size=st.st_size, ino=st.st_ino, sha256=hashlib.sha256(raw).hexdigest())


def summary_for(root: Path, bulletin_id: str) -> Summary | None:
    """The summary of ``outputs/<id>`` made from its record now; None when it has no record.

    An unreadable or unsafe record gives an ``unusable`` summary (with the
    reason), so it is not read again until it changes; nothing is logged here:
    the readers that serve it say what is wrong.
    """
    folder = root / bulletin_id
    path = folder / MANIFEST_NAME
    try:
        st = path.stat()
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return Summary(id=bulletin_id, state="unusable", reason=f"cannot be read ({exc})", record=Stamp(mtime_ns=0, size=0, ino=0))
    stamp = _stamp(st, raw)
    if contained(folder, MANIFEST_NAME) is None:
        return Summary(id=bulletin_id, state="unusable", reason="a link out of the bulletin's generation", record=stamp)
    try:
        record = parse_record(json.loads(raw.decode("utf-8")), str(path))
    except RecordError as exc:
        return Summary(id=bulletin_id, state="unusable", reason=str(exc), record=stamp)
    except ValueError as exc:  # JSON or UTF-8
        return Summary(id=bulletin_id, state="unusable", reason=f"{path}: not valid JSON ({exc})", record=stamp)
    if record.id != bulletin_id:
        return Summary(id=bulletin_id, state="unusable", reason=f"{path}: bulletin id {record.id!r} does not match its folder", record=stamp)
    return summarize(record, folder.resolve(), stamp)


# --------------------------------------------------------------------------- the files


def index_dir(root: Path) -> Path:
    """``outputs/.bantin/_index``."""
    from bantin.publish.store import STORE_DIR

    return root / STORE_DIR / INDEX_DIR


def _own_index_dir(root: Path) -> Path:
    """``outputs/.bantin/_index``, refused (UnsafeOutputError) when it or ``.bantin`` is a link: the index is written only there."""
    from bantin.errors import UnsafeOutputError
    from bantin.publish.store import STORE_DIR

    folder = index_dir(root)
    if folder.resolve() != root.resolve() / STORE_DIR / INDEX_DIR:
        raise UnsafeOutputError(f"{folder}: a link to {folder.resolve()}; bantin writes its index only in its own folder. Remove the link (rm, not rm -r)")
    return folder


def write_summary(root: Path, summary: Summary) -> Path:
    """Write one summary atomically (temp file in the same folder, then rename); returns its path."""
    folder = _own_index_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{summary.id}.json"
    fd, tmp = tempfile.mkstemp(prefix=f".{summary.id}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(summary.model_dump_json(exclude_defaults=False))
        os.chmod(tmp, 0o644)
        os.replace(tmp, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return final


def remove_summary(root: Path, bulletin_id: str) -> bool:
    """Remove a bulletin's summary (its record is gone); True if there was one."""
    try:
        (_own_index_dir(root) / f"{Path(bulletin_id).name}.json").unlink()
    except FileNotFoundError:
        return False
    return True


def update_on_commit(root: Path, generation: Path, record: Record) -> None:
    """The store's hook after a swap: write the summary of the record just committed.

    Never fails the publish: the index is derived, and an error here leaves a
    summary that :func:`reconcile` (run by every reader at start) makes again.
    """
    try:
        path = generation / MANIFEST_NAME
        raw = path.read_bytes()
        write_summary(root, summarize(record, generation.resolve(), _stamp(path.stat(), raw)))
    except (OSError, ValueError, BantinError) as exc:
        log.warning("%s: the index entry of %s could not be written (%s); it will be rebuilt. Run 'bantin index rebuild'", index_dir(root), record.id, exc)


def _load(path: Path) -> Summary | None:
    try:
        return Summary.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, ValueError):
        return None


def read_index(root: Path) -> dict[str, Summary]:
    """Every summary of the index, by bulletin id (unreadable ones left out)."""
    folder = index_dir(root)
    found: dict[str, Summary] = {}
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(folder):
            if entry.name.endswith(".json") and not entry.name.startswith("."):
                summary = _load(Path(entry.path))
                if summary is not None and summary.format == INDEX_FORMAT and f"{summary.id}.json" == entry.name:
                    found[summary.id] = summary
    return found


# --------------------------------------------------------------------------- keeping it true


def bulletin_ids(root: Path) -> list[str]:
    """Ids of every folder (or link to a generation) under ``root`` that may hold a record."""
    if not root.is_dir():
        return []
    return sorted(e.name for e in os.scandir(root) if not e.name.startswith((".", "_")) and e.is_dir())


@dataclass
class ReconcileReport:
    """What :func:`reconcile` did, id by id."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    #: the index could not be written (a read-only outputs folder): the summaries made are in ``summaries`` only
    read_only: bool = False
    summaries: dict[str, Summary] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


def _known_stamps(root: Path) -> dict[str, Stamp]:
    """The record stamp of every index entry, by bulletin id (each file parsed as plain JSON, no model kept)."""
    found: dict[str, Stamp] = {}
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(index_dir(root)):
            if not entry.name.endswith(".json") or entry.name.startswith("."):
                continue
            try:
                data = json.loads(Path(entry.path).read_bytes())
                stamp = Stamp.model_validate(data["record"])
            except (OSError, ValueError, KeyError, TypeError, ValidationError):
                stamp = Stamp(mtime_ns=-1, size=-1, ino=-1)  # unreadable: made again
            else:
                if data.get("format") != INDEX_FORMAT or data.get("id") != entry.name[: -len(".json")]:
                    stamp = Stamp(mtime_ns=-1, size=-1, ino=-1)
            found[entry.name[: -len(".json")]] = stamp
    return found


def reconcile(root: Path, force: bool = False, write: bool = True, collect: bool = True) -> ReconcileReport:
    """Bring the index in line with the records: one ``stat`` per bulletin, a record read only where its stamp differs.

    With ``force`` every record is read again (:func:`rebuild`).  Summaries of
    bulletins whose folder is gone are removed.  When the index folder cannot
    be written, the summaries are still returned (``read_only``), logged once.
    ``collect=False`` keeps only the summaries it made (a long-running reader
    reads the index itself, and need not hold every entry twice).
    """
    report = ReconcileReport()
    known = _known_stamps(root)
    ids = bulletin_ids(root)
    for bid in ids:
        stamp = known.get(bid)
        if stamp is not None and not force:
            try:
                st = (root / bid / MANIFEST_NAME).stat()
            except OSError:
                st = None
            if st is not None and stamp.same_file(st):
                report.unchanged += 1
                if collect and (old := _load(index_dir(root) / f"{bid}.json")) is not None:
                    report.summaries[bid] = old
                continue
        new = summary_for(root, bid)
        if new is None:  # a folder without a record
            if stamp is not None:
                report.removed.append(bid)
            continue
        report.summaries[bid] = new
        if stamp is not None and _load(index_dir(root) / f"{bid}.json") == new:
            report.unchanged += 1
            continue
        (report.updated if stamp is not None else report.created).append(bid)
    report.removed += [bid for bid in known if bid not in set(ids)]
    if write and report.changed:
        try:
            for bid in report.created + report.updated:
                write_summary(root, report.summaries[bid])
            for bid in report.removed:
                remove_summary(root, bid)
        except OSError as exc:
            report.read_only = True
            log.warning("%s: the index cannot be written (%s); the listing is kept in memory only", index_dir(root), exc)
    return report


def rebuild(root: Path) -> ReconcileReport:
    """Make every summary again from its record (``bantin index rebuild``)."""
    return reconcile(root, force=True)


def check_index(root: Path, bulletin_id: str) -> str | None:
    """Whether the index entry of ``bulletin_id`` agrees with its record: None when it does, else what differs, in words."""
    truth = summary_for(root, bulletin_id)
    entry = _load(index_dir(root) / f"{bulletin_id}.json")
    if truth is None:
        return "the index lists a bulletin that has no record; run 'bantin index rebuild'" if entry is not None else None
    if entry is None:
        return "no index entry for this record; run 'bantin index rebuild'"
    diff = truth.agrees_with(entry)
    if diff:
        return f"the index entry differs from the record in {', '.join(diff)}; run 'bantin index rebuild'"
    return None


# --------------------------------------------------------------------------- a reader that notices changes


class IndexReader:
    """The index as a long-running reader sees it, refreshed at most once per ``interval`` seconds.

    A refresh costs one ``stat`` of the index folder when nothing changed; when
    something did, a scan of the folder (one ``stat`` per summary) and a read
    of only the summaries whose file changed.  ``version`` changes exactly when
    the set of summaries does, so views built from them are built once per change.
    With ``static`` (an index that could not be written) the summaries given are
    kept as they are.
    """

    def __init__(self, root: Path, interval: float = 1.0, static: Iterable[Summary] | None = None, keep: Callable[[Summary], Summary] | None = None) -> None:
        self.root = root
        self.folder = index_dir(root)
        self.interval = interval
        self.static = static is not None
        #: what to keep of each summary read (a reader that lists only needs part of it)
        self.keep = keep or (lambda summary: summary)
        self.summaries: dict[str, Summary] = {s.id: self.keep(s) for s in static or ()}
        self.version = 0
        self._files: dict[str, tuple[int, int, int]] = {}
        self._dir_stamp: tuple[int, int] | None = None
        self._racy = True
        self._checked = float("-inf")

    def refresh(self, now: float | None = None) -> bool:
        """Look for changes if ``interval`` has passed; True when the summaries changed."""
        now = time.monotonic() if now is None else now
        if self.static or now - self._checked < self.interval:
            return False
        self._checked = now
        try:
            st = self.folder.stat()
            dir_stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_ino)
        except OSError:
            dir_stamp = None
        if dir_stamp == self._dir_stamp and not self._racy:
            return False
        self._dir_stamp = dir_stamp
        # A change within the same tick of a coarse clock would leave the mtime as it is: look again next time.
        self._racy = dir_stamp is not None and abs(time.time() - dir_stamp[0] / 1e9) < _RACY_S
        return self._scan()

    def _scan(self) -> bool:
        files: dict[str, tuple[int, int, int]] = {}
        summaries: dict[str, Summary] = {}
        changed = False
        with contextlib.suppress(FileNotFoundError):
            for entry in os.scandir(self.folder):
                if not entry.name.endswith(".json") or entry.name.startswith("."):
                    continue
                try:
                    st = entry.stat()
                except FileNotFoundError:
                    continue
                key = (st.st_mtime_ns, st.st_size, st.st_ino)
                files[entry.name] = key
                bid = entry.name[: -len(".json")]
                if self._files.get(entry.name) == key and bid in self.summaries:
                    summaries[bid] = self.summaries[bid]
                    continue
                summary = _load(Path(entry.path))
                if summary is not None and summary.format == INDEX_FORMAT and summary.id == bid:
                    summary = self.keep(summary)
                    summaries[bid] = summary
                    changed = changed or self.summaries.get(bid) != summary
        changed = changed or set(summaries) != set(self.summaries)
        self._files = files
        if changed:
            self.summaries = summaries
            self.version += 1
        return changed


def summary_dict(summary: Summary) -> dict[str, Any]:
    """The summary as plain JSON data (for tests and tools)."""
    data: dict[str, Any] = json.loads(summary.model_dump_json())
    return data
