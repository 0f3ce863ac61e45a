"""Which bulletins the scheduled ``republish`` deployment publishes again, and why.

A bulletin under ``content/`` is due when its inputs (YAML, catalogs of the
configured locales, bantin's templates, its images: :func:`bantin.publish.keys.publish_inputs`)
differ from those its manifest recorded, when its last publish failed, or when its own republication window (``republish:`` in its YAML)
has a slot that passed since it was last republished.  A bulletin whose current
reading is degraded (an offline fallback while the configured engine is online)
is due at every scheduled run until an online reading replaces it, at most
``BANTIN_HEAL_ATTEMPTS`` times a day (:func:`heal_due`, recorded in ``.heal.json``).
Only a bulletin whose record is editorially ``published`` (approved) is ever
due: a YAML with no record was never approved ("chưa được duyệt"), and a draft
or a retracted bulletin is left alone, whatever changed.
Plain Python: no Prefect here.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from bantin.content.bulletin_file import load_bulletin
from bantin.content.model import Republish
from bantin.errors import BantinError, RecordError
from bantin.fsutil import write_text_if_changed
from bantin.paths import bulletin_output_dir, content_dir
from bantin.publish.deployments import DeploymentsConfig
from bantin.publish.keys import diff_inputs, publish_inputs
from bantin.publish.record import Record, read_record
from bantin.settings import heal_attempts_per_day

__all__ = ["HEAL_NAME", "NOT_APPROVED", "STATE_NAME", "Due", "heal_due", "heal_outcome", "mark_republished", "note_heal_attempt", "plan", "window_due"]

#: Hidden file in ``outputs/<id>/`` recording when ``republish`` last published the bulletin.
STATE_NAME = ".republished.json"

#: Hidden file in ``outputs/<id>/`` counting today's attempts to replace a degraded reading.
HEAL_NAME = ".heal.json"

#: Engines that read online: only their fallback readings can heal.
ONLINE_ENGINES = ("auto", "gtts")


@dataclass(frozen=True)
class Due:
    """A bulletin the republish run publishes, with the reasons (empty ``reasons``: not due)."""

    path: Path
    id: str
    reasons: tuple[str, ...]
    error: str | None = None
    heal: bool = False
    note: str | None = None


def window_due(window: Republish | None, last: dt.datetime | None, now: dt.datetime) -> str | None:
    """Why the window makes the bulletin due at ``now`` (aware, local time), or None.

    Open while ``now``'s date is on or before ``until``.  Without slots every
    scheduled run republishes; with slots, the latest slot at or before ``now``
    (today or yesterday) must have passed since the last republish.
    """
    if window is None or now.date() > window.until:
        return None
    if not window.slots:
        return f"republication window open until {window.until.isoformat()}"
    instants = [dt.datetime.combine(day, slot, tzinfo=now.tzinfo) for day in (now.date() - dt.timedelta(days=1), now.date()) for slot in window.slots]
    passed = [t for t in instants if t <= now and t.date() <= window.until]
    if not passed:
        return None
    slot = max(passed)
    if last is not None and last >= slot:
        return None
    return f"republication slot {slot.strftime('%H:%M')} (window until {window.until.isoformat()})"


def _last_republished(out_dir: Path) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(json.loads((out_dir / STATE_NAME).read_text(encoding="utf-8"))["published_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def mark_republished(out_dir: Path, when: dt.datetime) -> None:
    """Record that ``republish`` published the bulletin at ``when`` (for its window's slots)."""
    write_text_if_changed(out_dir / STATE_NAME, json.dumps({"published_at": when.isoformat()}) + "\n")


def _heal_attempts(out_dir: Path, day: dt.date) -> int:
    try:
        data = json.loads((out_dir / HEAL_NAME).read_text(encoding="utf-8"))
        return int(data["attempts"]) if data.get("day") == day.isoformat() else 0
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return 0


def note_heal_attempt(out_dir: Path, day: dt.date) -> int:
    """Count one more attempt today to replace a degraded reading; today's count."""
    attempts = _heal_attempts(out_dir, day) + 1
    write_text_if_changed(out_dir / HEAL_NAME, json.dumps({"day": day.isoformat(), "attempts": attempts}) + "\n")
    return attempts


def _degraded(record: Record) -> list[str]:
    return sorted({e.locale for e in record.current(kind="audio") if e.degraded})


def heal_due(record: Record, engine: str, out_dir: Path, day: dt.date) -> tuple[str | None, str | None]:
    """(reason the bulletin is due to heal a degraded reading, note when today's attempts are used up)."""
    locales = _degraded(record)
    if not locales or engine not in ONLINE_ENGINES:
        return None, None
    limit, used = heal_attempts_per_day(), _heal_attempts(out_dir, day)
    what = f"degraded reading ({', '.join(locales)})"
    if used >= limit:
        return None, f"{what}: {used} of {limit} attempts today used; tries again tomorrow"
    return f"{what}: trying an online reading again (attempt {used + 1} of {limit} today)", None


def heal_outcome(out_dir: Path) -> str:
    """How the last attempt to heal went, from the record the publish just wrote."""
    record = _record(out_dir)
    still = _degraded(record) if record is not None else []
    if not still or record is None:
        return "healed: an online reading replaced the degraded one"
    reasons = sorted({e.fallback_reason or "offline voice" for e in record.current(kind="audio") if e.degraded})
    return f"still degraded ({', '.join(still)}): {'; '.join(reasons)}"


def _record(out_dir: Path) -> Record | None:
    """The bulletin's record, or None when there is none or it cannot be read (it is then published anew)."""
    try:
        return read_record(out_dir)
    except RecordError:
        return None


#: Why a bulletin with no approved record is never republished (shown in the republish report).
NOT_APPROVED = "chưa được duyệt"


def _not_due(record: Record | None) -> str | None:
    """Why a schedule never publishes this bulletin (no record: never approved; a draft; retracted), or None."""
    if record is None:
        return f"{NOT_APPROVED}: chưa có bản xuất bản nào được duyệt"
    if record.editorial.state == "draft":
        return f"{NOT_APPROVED}: bản nháp"
    if record.editorial.state == "retracted":
        return f"đã gỡ bỏ ({record.editorial.reason or 'không rõ lý do'}): không xuất bản lại"
    return None


def plan(config: DeploymentsConfig, now: dt.datetime, content: Path | None = None) -> list[Due]:
    """Every bulletin YAML under ``content/``, with why it is due (or an empty tuple), sorted by file name.

    A YAML that does not load is reported with its error rather than stopping the others.
    """
    folder = content or content_dir()
    local_now = now.astimezone(config.tz)
    out: list[Due] = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "schedules.yaml":
            continue
        try:
            bulletin = load_bulletin(path)
        except BantinError as exc:
            out.append(Due(path, path.stem, (), error=str(exc)))
            continue
        out_dir = bulletin_output_dir(bulletin.id)
        reasons: list[str] = []
        heal, note = None, None
        try:
            record = read_record(out_dir)
        except RecordError as exc:
            out.append(Due(path, bulletin.id, (), note=f"{NOT_APPROVED}: hồ sơ xuất bản không đọc được ({exc})"))
            continue
        held = _not_due(record)
        if held is not None:
            out.append(Due(path, bulletin.id, (), note=held))
            continue
        if record is not None:
            inputs = publish_inputs(path, bulletin, config.locales, config.profiles, config.engine)
            reasons += diff_inputs(record.inputs, inputs)
            if record.status == "failed":
                reasons.append("the last publish failed")
            heal, note = heal_due(record, config.engine, out_dir, local_now.date())
        slot = window_due(bulletin.republish, _last_republished(out_dir), local_now)
        if slot:
            reasons.append(slot)
        if heal:
            reasons.append(heal)
        out.append(Due(path, bulletin.id, tuple(reasons), heal=heal is not None, note=note))
    return out
