"""The deployments' configuration file: schedules and what the ``republish`` deployment publishes.

One YAML file (``deployments.yaml`` at the project root, or ``BANTIN_DEPLOYMENTS``)
declares when the ``republish`` deployment runs, with its timezone, and the
locales, profiles and engine it republishes with.  Times are written as times
of day (``times: ["05:30", "16:30"]``, what the desk's schedule page edits);
``schedules:`` still takes cron expressions for anything else.  It is the one
source of truth: ``bantin serve`` registers the deployments from it at every
start, and :func:`write_times` updates ``prefect.yaml`` beside it for work
pools (a test keeps the two in step).  Plain Python: no Prefect here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bantin.datafile import read_data_file
from bantin.errors import InputError
from bantin.settings import deployments_path

__all__ = ["DEFAULT_TIMEZONE", "DeploymentsConfig", "config_path", "load_config", "parse_time", "read_times", "time_cron", "write_times"]

#: Vietnam's timezone: loudspeaker slots are local wall-clock times.
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
_KEYS = ("timezone", "republish")
_REPUBLISH_KEYS = ("times", "schedules", "locales", "profiles", "engine")
_TIME_RE = re.compile(r"^([01]?\d|2[0-3])[:hH]([0-5]\d)$")
_DAILY_RE = re.compile(r"^(\d{1,2}) (\d{1,2}) \* \* \*$")


@dataclass(frozen=True)
class DeploymentsConfig:
    """What ``deployments.yaml`` says, validated."""

    path: Path
    timezone: str
    #: cron expressions (five fields) of the ``republish`` deployment, in ``timezone``: its times of day first
    schedules: tuple[str, ...]
    locales: tuple[str, ...]
    profiles: tuple[str, ...]
    engine: str

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def config_path() -> Path:
    """``BANTIN_DEPLOYMENTS``, else ``<root>/deployments.yaml``."""
    return deployments_path()


def _fail(path: Path, field: str, problem: str, hint: str) -> InputError:
    return InputError(f"{path}: field '{field}': {problem}. {hint}")


def _names(path: Path, field: str, value: Any, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return default
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(path, field, f"expected a non-empty list of names, got {value!r}", f"Write e.g. {field.split('.')[-1]}: [{', '.join(default)}]")
    return tuple(v.strip() for v in value)


def parse_time(value: str) -> str:
    """``"5:30"``, ``"05h30"`` or ``"05:30"`` as ``"05:30"``; ValueError for anything that is not a time of day."""
    match = _TIME_RE.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a time of day (HH:MM, 00:00 to 23:59)")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def time_cron(time: str) -> str:
    """The daily cron expression of a time of day: ``"05:30"`` -> ``"30 5 * * *"``."""
    hour, minute = parse_time(time).split(":")
    return f"{int(minute)} {int(hour)} * * *"


def _cron_time(cron: str) -> str | None:
    match = _DAILY_RE.match(cron.strip())
    if not match or int(match.group(2)) > 23 or int(match.group(1)) > 59:
        return None
    return f"{int(match.group(2)):02d}:{int(match.group(1)):02d}"


def read_times(path: Path | None = None) -> list[str]:
    """The republish times of day the file gives (its ``times``, and its cron schedules that are plain daily times), sorted."""
    config = load_config(path)
    return sorted({t for t in (_cron_time(c) for c in config.schedules) if t})


def _replace_atomically(path: Path, text: str, check: Callable[[Path], DeploymentsConfig] | None = None) -> DeploymentsConfig | None:
    """Write ``text`` to a new private temporary file beside ``path`` (``check`` it there first), then rename it over ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        checked = check(Path(tmp)) if check is not None else None
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
        return checked
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _block_end(lines: list[str], start: int, indent: int) -> int:
    """The index after the YAML block that starts at ``start`` (a key at ``indent``): its list items and deeper lines."""
    end = start + 1
    while end < len(lines):
        line = lines[end]
        stripped = line.strip()
        depth = len(line) - len(line.lstrip())
        if stripped and depth <= indent and (stripped.startswith("#") or not stripped.startswith("- ")):
            break
        if stripped.startswith("- ") and depth < indent:
            break
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def _flow_list(items: Sequence[str]) -> str:
    return json.dumps(list(items), ensure_ascii=False).replace('","', '", "')


def write_times(path: Path | None, times: Sequence[str]) -> list[str]:
    """Make ``times`` (times of day) the republish schedule; other cron schedules are kept.  Returns the times written.

    Only the ``times:``/``schedules:`` lines under ``republish:`` change (comments and
    the rest stay as written); the result is validated before it replaces the file,
    and ``prefect.yaml`` beside it, when there is one, gets the same schedules.
    """
    path = path or config_path()
    config = load_config(path)
    clean = sorted({parse_time(t) for t in times})
    keep = [c for c in config.schedules if _cron_time(c) is None]
    lines = path.read_text(encoding="utf-8").splitlines()
    try:
        rep = next(i for i, line in enumerate(lines) if re.match(r"^republish:\s*(#.*)?$", line))
    except StopIteration:
        lines += ["republish:"]
        rep = len(lines) - 1
    rep_end = _block_end(lines, rep, 0)
    body = lines[rep + 1 : rep_end]
    out: list[str] = []
    i = 0
    inserted = False
    while i < len(body):
        match = re.match(r"^(\s+)(times|schedules):", body[i])
        if match:
            end = _block_end(body, i, len(match.group(1)))
            if not inserted:
                out.append(f"{match.group(1)}times: {_flow_list(clean)}")
                if keep:
                    out.append(f"{match.group(1)}schedules: {_flow_list(keep)}")
                inserted = True
            i = end
            continue
        out.append(body[i])
        i += 1
    if not inserted:
        out.insert(0, f"  times: {_flow_list(clean)}")
        if keep:
            out.insert(1, f"  schedules: {_flow_list(keep)}")
    text = "\n".join(lines[: rep + 1] + out + lines[rep_end:]) + "\n"
    new = _replace_atomically(path, text, check=lambda written: load_config(written))  # validated before it replaces the file
    assert new is not None
    _write_prefect_yaml(path.parent / "prefect.yaml", new)
    return clean


def _write_prefect_yaml(path: Path, config: DeploymentsConfig) -> None:
    """The ``republish`` schedules of ``prefect.yaml`` (work pools) made equal to ``config``'s; nothing when there is no such file."""
    if not path.is_file():
        return
    lines = path.read_text(encoding="utf-8").splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if re.match(r"^\s*- name: republish\s*$", line))
        sched = next(i for i in range(start + 1, len(lines)) if re.match(r"^\s+schedules:", lines[i]))
    except StopIteration:
        return
    indent = len(lines[sched]) - len(lines[sched].lstrip())
    end = _block_end(lines, sched, indent)
    pad = " " * indent
    new = [f"{pad}schedules:"] + [line for cron in config.schedules for line in (f'{pad}  - cron: "{cron}"', f"{pad}    timezone: {config.timezone}")]
    if not config.schedules:
        new = [f"{pad}schedules: []"]
    text = "\n".join(lines[:sched] + new + lines[end:]) + "\n"
    if text != path.read_text(encoding="utf-8"):
        _replace_atomically(path, text)


def load_config(path: Path | None = None) -> DeploymentsConfig:
    """Read and validate the deployments file; errors name the file and the field."""
    from cronsim import CronSim, CronSimError

    from bantin.render.profiles import PROFILES
    from bantin.speech.engines import ENGINES

    path = path or config_path()
    data = read_data_file(path, "Create it (copy deployments.yaml from bantin's repository) or set BANTIN_DEPLOYMENTS")
    if not isinstance(data, Mapping):
        raise _fail(path, "(top)", "expected a mapping", "Start the file with 'timezone:' and 'republish:'")
    for key in data:
        if key not in _KEYS:
            raise _fail(path, str(key), "unknown field", f"Allowed fields: {', '.join(_KEYS)}")
    timezone = str(data.get("timezone") or DEFAULT_TIMEZONE)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(path, "timezone", f"'{timezone}' is not an IANA timezone", f"Write e.g. timezone: {DEFAULT_TIMEZONE}") from None
    rep = data.get("republish") or {}
    if not isinstance(rep, Mapping):
        raise _fail(path, "republish", "expected a mapping", "Write 'schedules:', 'locales:', 'profiles:' and 'engine:' under it")
    for key in rep:
        if key not in _REPUBLISH_KEYS:
            raise _fail(path, f"republish.{key}", "unknown field", f"Allowed fields: {', '.join(_REPUBLISH_KEYS)}")
    times = rep.get("times") or []
    if not isinstance(times, list) or not all(isinstance(t, str) for t in times):
        raise _fail(path, "republish.times", "expected a list of quoted times of day", 'Write e.g. times: ["05:30", "16:30"]')
    crons: list[str] = []
    for i, time in enumerate(times):
        try:
            crons.append(time_cron(time))
        except ValueError as exc:
            raise _fail(path, f"republish.times[{i}]", str(exc), 'Write hours and minutes, e.g. "05:30" or "16:30"') from None
    schedules = rep.get("schedules") or []
    if not isinstance(schedules, list) or not all(isinstance(s, str) for s in schedules):
        raise _fail(path, "republish.schedules", "expected a list of quoted cron expressions", 'Write e.g. schedules: ["30 5 * * *", "30 16 * * *"]')
    for i, cron in enumerate(schedules):
        try:
            if len(cron.split()) != 5:
                raise CronSimError("five fields expected")
            CronSim(cron, dt.datetime(2024, 1, 1))
        except CronSimError as exc:
            raise _fail(
                path,
                f"republish.schedules[{i}]",
                f"'{cron}' is not a cron expression ({exc})",
                'Write minute hour day month weekday, e.g. "30 5 * * *" for 05:30',
            ) from None
    profiles = _names(path, "republish.profiles", rep.get("profiles"), tuple(PROFILES))
    unknown = [p for p in profiles if p not in PROFILES]
    if unknown:
        raise _fail(path, "republish.profiles", f"unknown profile '{unknown[0]}'", f"Use some of: {', '.join(PROFILES)}")
    engine = str(rep.get("engine") or "auto")
    if engine not in ENGINES:
        raise _fail(path, "republish.engine", f"unknown engine '{engine}'", f"Use one of: {', '.join(ENGINES)}")
    return DeploymentsConfig(
        path=path,
        timezone=timezone,
        schedules=tuple(dict.fromkeys([*crons, *(s.strip() for s in schedules)])),
        locales=_names(path, "republish.locales", rep.get("locales"), ("vi",)),
        profiles=profiles,
        engine=engine,
    )
