"""A bulletin's editorial life in its record: draft, published, retracted; accepted machine readings.

The record (:class:`~bantin.publish.record.Editorial`) is the one truth the
portal, the feeds, the packs, the export and republish ask: only a
``published`` bulletin is served, and a degraded (offline-engine) reading is
kept out of the feeds until an online reading replaces it or an approver
accepts it (:func:`held_readings`).

:func:`retract`, :func:`restore` and :func:`accept_reading` change the
record of the current generation in place: under the bulletin's lock, by
temp file + ``os.replace`` in that generation's folder (a reader sees the old
record or the new one), then the derived index is written again (the portal
sees the change within its one-second look at the index) and the act goes in
the audit log (:mod:`bantin.publish.audit`).  :func:`stamp_commit` is the
publish's side: what a commit makes of the editorial state.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from bantin.errors import InputError
from bantin.publish.audit import SCHEDULE_ACTOR, audit_root_for, record_event
from bantin.publish.index import update_on_commit
from bantin.publish.record import MANIFEST_NAME, Acceptance, Editorial, Entry, Record, dumps, read_record
from bantin.publish.request import PublishRequest
from bantin.publish.store import BulletinStore

__all__ = [
    "PREVIEW_ACTOR",
    "EditorialError",
    "EditorialStateError",
    "NoRecordError",
    "accept_reading",
    "editorial_state",
    "held_readings",
    "restore",
    "retract",
    "stamp_commit",
    "valid_acceptances",
]

#: The actor of a draft render nobody named.
PREVIEW_ACTOR = "bàn biên tập"


class EditorialError(InputError):
    """An editorial act that cannot be done: no record, or the bulletin is not in a state that allows it."""


class NoRecordError(EditorialError):
    """The bulletin has no record in this outputs folder (never published there)."""


class EditorialStateError(EditorialError):
    """The bulletin's state does not allow the act (already retracted, not retracted, no degraded reading...)."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def editorial_state(record: Record | None) -> str:
    """``none`` (no record), ``draft``, ``published`` or ``retracted``."""
    return "none" if record is None else record.editorial.state


def held_readings(record: Record) -> list[Entry]:
    """Current degraded readings no approver (validly) accepted: kept out of every feed (:meth:`Record.held_readings`)."""
    return record.held_readings()


def valid_acceptances(record: Record) -> dict[str, Acceptance]:
    """The acceptances that still hold: their entry is current and its sha256 is the one accepted."""
    current = {e.path: e for e in record.current(kind="audio")}
    return {path: a for path, a in record.editorial.accepted.items() if path in current and current[path].sha256 == a.sha256}


def stamp_commit(old: Record | None, new: Record, request: PublishRequest) -> tuple[Record, tuple[str, str, str] | None]:
    """``new`` (a publish's merged record) with its editorial state, and the audit event to write (action, actor, detail).

    A draft render is a ``draft``.  A publish with an approver is ``published``
    with that approval, even of a retracted bulletin (the approver's explicit
    act).  A publish without one (a scheduled republish) keeps the previous
    state and approval: it never publishes a draft or a retracted bulletin
    (no event then: nothing went on air).  Acceptances whose reading changed
    are dropped.
    """
    now = new.generated_at or _now()  # the record's own time (SOURCE_DATE_EPOCH when set): a publish stays reproducible
    previous = old.editorial if old is not None else Editorial()
    accepted = valid_acceptances(new.model_copy(update={"editorial": previous}))
    approver = request.approved_by.strip()
    event: tuple[str, str, str] | None
    if request.draft:
        editorial = Editorial(state="draft", approved_by=approver or None, approved_at=now if approver else None, accepted=accepted, changed_at=now)
        event = ("previewed", approver or PREVIEW_ACTOR, "bản xem trước")
    elif approver:
        editorial = Editorial(state="published", approved_by=approver, approved_at=now, accepted=accepted, changed_at=now)
        again = " (bản tin đã gỡ nay được đăng lại)" if previous.state == "retracted" else ""
        event = ("published", approver, f"xuất bản theo duyệt{again}")
    elif old is None or previous.state == "published":
        changed = previous.changed_at if old is not None else now
        editorial = previous.model_copy(update={"state": "published", "accepted": accepted, "changed_at": changed})
        event = ("published", SCHEDULE_ACTOR, "xuất bản lại bản đã duyệt" if old is not None else "xuất bản")
    else:  # a draft or a retracted bulletin stays as it is: only an approver puts it on air
        editorial = previous.model_copy(update={"accepted": accepted})
        event = None
    return new.model_copy(update={"editorial": editorial}), event


# --------------------------------------------------------------------------- acts on the current record


def _change(
    bulletin_id: str,
    root: Path | None,
    change: Callable[[Record], tuple[Record, str, str]],
    by: str,
) -> Record:
    """Under the bulletin's lock: read the current record, ``change`` it, write it back atomically, index and audit it."""
    if not by.strip():
        raise EditorialError(f"{bulletin_id}: không rõ ai thực hiện. Hãy ghi tên người thực hiện")
    store = BulletinStore(bulletin_id, root)
    store.check()  # a link in or around the bulletin's generations: refused before anything is written
    with store.locked():
        folder = store.generation()
        record = read_record(folder) if folder is not None else None
        if folder is None or record is None:
            raise NoRecordError(f"{store.live}: bản tin {bulletin_id} chưa có hồ sơ xuất bản ở đây. Hãy xuất bản bản tin trước")
        new, action, detail = change(record)
        new = new.model_copy(update={"editorial": new.editorial.model_copy(update={"changed_at": _now()})})
        _write_record(folder, new)
        update_on_commit(store.root, folder, new)
    record_event(action, by.strip(), bulletin_id, detail, root=audit_root_for(store.root))
    return new


def _write_record(folder: Path, record: Record) -> None:
    """Replace ``folder/manifest.json`` in one rename (temp file in the same folder, fsync'd)."""
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".{MANIFEST_NAME}.", suffix=".tmp")  # a new file: never through a planted link
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(dumps(record))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, folder / MANIFEST_NAME)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def retract(bulletin_id: str, by: str, reason: str, root: Path | None = None) -> Record:
    """Take a published bulletin off the portal, feeds and packs at once; its files and record are kept, saying who and why."""
    why = " ".join(reason.split())
    if not why:
        raise EditorialError(f"{bulletin_id}: chưa ghi lý do gỡ bỏ. Hãy ghi lý do (ví dụ: thông tin sai, cần đính chính)")

    def change(record: Record) -> tuple[Record, str, str]:
        state = record.editorial.state
        if state == "retracted":
            raise EditorialStateError(f"{bulletin_id}: bản tin đã được gỡ bỏ rồi (bởi {record.editorial.retracted_by}). Dùng «khôi phục» nếu muốn đăng lại")
        if state == "draft":
            raise EditorialStateError(f"{bulletin_id}: đây là bản nháp, chưa xuất bản nên không cần gỡ")
        editorial = record.editorial.model_copy(update={"state": "retracted", "retracted_by": by.strip(), "retracted_at": _now(), "reason": why})
        return record.model_copy(update={"editorial": editorial}), "retracted", why

    return _change(bulletin_id, root, change, by)


def restore(bulletin_id: str, by: str, root: Path | None = None) -> Record:
    """Put a retracted bulletin back on the portal, feeds and packs (the retraction is kept in the audit log)."""

    def change(record: Record) -> tuple[Record, str, str]:
        if record.editorial.state != "retracted":
            raise EditorialStateError(f"{bulletin_id}: bản tin không ở trạng thái đã gỡ nên không cần khôi phục")
        was = record.editorial.reason or ""
        editorial = record.editorial.model_copy(update={"state": "published", "retracted_by": None, "retracted_at": None, "reason": None})
        return record.model_copy(update={"editorial": editorial}), "restored", f"lý do gỡ trước đó: {was}" if was else ""

    return _change(bulletin_id, root, change, by)


def accept_reading(bulletin_id: str, locale: str, by: str, root: Path | None = None) -> Record:
    """Accept the degraded (machine) reading(s) of ``locale`` for broadcast: they go into the feed until the reading changes."""

    def change(record: Record) -> tuple[Record, str, str]:
        degraded = [e for e in record.current(locale=locale, kind="audio") if e.degraded]
        if not degraded:
            raise EditorialStateError(f"{bulletin_id}: ngôn ngữ {locale} không có bản đọc máy nào cần chấp nhận")
        accepted = dict(record.editorial.accepted)
        for e in degraded:
            accepted[e.path] = Acceptance(by=by.strip(), at=_now(), sha256=e.sha256)
        editorial = record.editorial.model_copy(update={"accepted": accepted})
        names = ", ".join(e.name for e in degraded)
        return record.model_copy(update={"editorial": editorial}), "accepted_reading", f"{locale}: {names}"

    return _change(bulletin_id, root, change, by)
