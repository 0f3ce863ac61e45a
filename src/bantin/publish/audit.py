"""The audit log: who did what to which bulletin, and when, kept in the project.

Append-only JSON lines: ``<project>/audit/<id>.jsonl`` per bulletin, and
``<project>/audit/_desk.jsonl`` for what belongs to no bulletin (users,
schedules, logins).  Each append takes the file's own lock (:mod:`filelock`,
``<file>.lock``), writes one line and ``fsync``\\ s it, so several processes
(the desk, a flow's commit, the CLI) never interleave a line.  A line torn by
a kill (no newline, not JSON) is skipped when read, and the next append starts
on a fresh line, so one torn event never spoils the next.

It lives in the publish layer so that the commit of a publish
(:func:`bantin.publish.plan.commit_publish`) writes its events too; the desk
(``bantin.desk``) writes the rest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from filelock import FileLock

from bantin.errors import InputError

__all__ = ["ACTIONS", "AUDIT_DIR", "DESK_LOG", "SCHEDULE_ACTOR", "AuditEvent", "audit_dir", "audit_root_for", "events", "record_event"]

log = logging.getLogger("bantin.publish")

#: The audit folder's name under the project root.
AUDIT_DIR = "audit"
#: The file (without ``.jsonl``) of events that belong to no bulletin.
DESK_LOG = "_desk"
#: The actor of a publish nobody approved just now: a scheduled republish of an approved bulletin.
SCHEDULE_ACTOR = "lịch tự động"

#: Every action an event may name.
ACTIONS = frozenset(
    {
        "added",
        "edited",
        "submitted",
        "returned",
        "approved",
        "published",
        "publish_failed",
        "previewed",
        "retracted",
        "restored",
        "accepted_reading",
        "schedule_changed",
        "user_added",
        "user_changed",
        "login_failed",
    }
)

#: What a bulletin id may be (as the portal and the store allow); ``_`` never starts one.
_ID_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,199}$")


@dataclass(frozen=True)
class AuditEvent:
    """One thing someone did: when (ISO 8601, UTC), who, what, to which bulletin (None: the desk itself), and details."""

    at: str
    actor: str
    action: str
    bulletin: str | None
    detail: str = ""


def audit_dir(root: Path | None = None) -> Path:
    """``<project>/audit`` (``root``: the project root, default :func:`bantin.settings.project_root`)."""
    if root is None:
        from bantin.settings import project_root

        root = project_root()
    return root / AUDIT_DIR


def _log_path(bulletin: str | None, root: Path | None) -> Path:
    if bulletin is not None and (not _ID_RE.match(bulletin) or ".." in bulletin):
        raise InputError(f"audit: {bulletin!r} is not a bulletin id (letters, digits, '.', '_', '-'; not starting with '_'). Give the bulletin's id")
    return audit_dir(root) / f"{bulletin if bulletin is not None else DESK_LOG}.jsonl"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def record_event(action: str, actor: str, bulletin: str | None, detail: str = "", root: Path | None = None) -> AuditEvent:
    """Append one event to the bulletin's log (or the desk's) and return it; durable when this returns.

    :class:`InputError` for an action not in :data:`ACTIONS`, an empty actor or a bad bulletin id.
    """
    if action not in ACTIONS:
        raise InputError(f"audit: {action!r} is not an audit action. Use one of {', '.join(sorted(ACTIONS))}")
    if not actor.strip():
        raise InputError("audit: the actor is empty. Say who did it (a user name, or the system user for the command line)")
    path = _log_path(bulletin, root)
    event = AuditEvent(at=_now(), actor=actor.strip(), action=action, bulletin=bulletin, detail=" ".join(detail.split()))
    line = (json.dumps(asdict(event), ensure_ascii=False) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock", thread_local=False):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            size = os.fstat(fd).st_size
            if size and not _ends_with_newline(path, size):
                line = b"\n" + line  # a torn line left by a kill stays alone on its line (and is skipped when read)
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    return event


def _ends_with_newline(path: Path, size: int) -> bool:
    with path.open("rb") as fh:
        fh.seek(size - 1)
        return fh.read(1) == b"\n"


def _read(path: Path) -> list[AuditEvent]:
    """The events of one log file, oldest first; a torn or unreadable line is skipped."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    found: list[AuditEvent] = []
    lines = raw.split(b"\n")
    for number, chunk in enumerate(lines, 1):
        if not chunk.strip():
            continue
        try:
            data = json.loads(chunk.decode("utf-8"))
            event = AuditEvent(
                at=str(data["at"]),
                actor=str(data["actor"]),
                action=str(data["action"]),
                bulletin=data.get("bulletin") if isinstance(data.get("bulletin"), str) else None,
                detail=str(data.get("detail") or ""),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            if number != len(lines):  # the last line without a newline is a kill's torn write: expected, not logged
                log.warning("%s: line %d is not an audit event; skipped", path, number)
            continue
        found.append(event)
    return found


def events(bulletin: str | None = None, root: Path | None = None, limit: int | None = None) -> list[AuditEvent]:
    """The events of one bulletin, or (``bulletin=None``) of every bulletin and the desk, newest first.

    The desk's own events (users, schedules, logins) are those whose ``bulletin`` is None.
    """
    if bulletin is not None:
        files = [_log_path(bulletin, root)]
    else:
        folder = audit_dir(root)
        files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    rows: list[tuple[str, int, AuditEvent]] = []
    for path in files:
        with contextlib.suppress(OSError):
            rows += [(e.at, n, e) for n, e in enumerate(_read(path))]
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    out = [e for _, _, e in rows]
    return out[:limit] if limit is not None else out


def audit_root_for(outputs_root: Path) -> Path:
    """The project whose audit log a publish into ``outputs_root`` writes to: the project's, wherever its outputs are.

    Outputs may live outside the project (``BANTIN_OUTPUTS`` on a shared volume
    in production); the audit log stays in ``<project>/audit``, where the desk
    reads it.  Only outside any project does it go beside the outputs folder.
    """
    from bantin.errors import BantinError
    from bantin.settings import project_root

    try:
        return project_root().absolute()
    except BantinError:
        return outputs_root.absolute().parent
