"""Which bulletins the scheduled ``republish`` deployment publishes again, and why.

A bulletin under ``content/`` is due when its inputs (YAML, catalogs of the
configured locales, bantin's templates, its images: :func:`bantin.publish.keys.publish_inputs`)
differ from those its manifest recorded, when it was never published or its last
publish failed, or when its own republication window (``republish:`` in its YAML)
has a slot that passed since it was last republished.  Plain Python: no Prefect here.
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

__all__ = ["STATE_NAME", "Due", "mark_republished", "plan", "window_due"]

#: Hidden file in ``outputs/<id>/`` recording when ``republish`` last published the bulletin.
STATE_NAME = ".republished.json"


@dataclass(frozen=True)
class Due:
    """A bulletin the republish run publishes, with the reasons (empty ``reasons``: not due)."""

    path: Path
    id: str
    reasons: tuple[str, ...]
    error: str | None = None


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
    instants = [
        dt.datetime.combine(day, slot, tzinfo=now.tzinfo)
        for day in (now.date() - dt.timedelta(days=1), now.date())
        for slot in window.slots
    ]
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


def _record(out_dir: Path) -> Record | None:
    """The bulletin's record, or None when there is none or it cannot be read (it is then published anew)."""
    try:
        return read_record(out_dir)
    except RecordError:
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
        record = _record(out_dir)
        if record is None:
            reasons.append("never published")
        else:
            inputs = publish_inputs(path, bulletin, config.locales, config.profiles, config.engine)
            reasons += diff_inputs(record.inputs, inputs)
            if record.status == "failed":
                reasons.append("the last publish failed")
        slot = window_due(bulletin.republish, _last_republished(out_dir), local_now)
        if slot:
            reasons.append(slot)
        out.append(Due(path, bulletin.id, tuple(reasons)))
    return out
