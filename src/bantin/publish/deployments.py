"""The deployments' configuration file: schedules and what the ``republish`` deployment publishes.

One YAML file (``deployments.yaml`` at the project root, or ``BANTIN_DEPLOYMENTS``)
declares the cron schedules of the ``republish`` deployment with their timezone,
and the locales, profiles and engine it republishes with.  ``bantin serve`` reads
it; ``prefect.yaml`` mirrors it for work pools (a test keeps the two in step).
Plain Python: no Prefect here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bantin.datafile import read_data_file
from bantin.errors import InputError
from bantin.settings import deployments_path

__all__ = ["DEFAULT_TIMEZONE", "DeploymentsConfig", "config_path", "load_config"]

#: Vietnam's timezone: loudspeaker slots are local wall-clock times.
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
_KEYS = ("timezone", "republish")
_REPUBLISH_KEYS = ("schedules", "locales", "profiles", "engine")


@dataclass(frozen=True)
class DeploymentsConfig:
    """What ``deployments.yaml`` says, validated."""

    path: Path
    timezone: str
    #: cron expressions (five fields) of the ``republish`` deployment, in ``timezone``
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
    schedules = rep.get("schedules") or []
    if not isinstance(schedules, list) or not all(isinstance(s, str) for s in schedules):
        raise _fail(path, "republish.schedules", "expected a list of quoted cron expressions", 'Write e.g. schedules: ["30 5 * * *", "30 16 * * *"]')
    for i, cron in enumerate(schedules):
        try:
            import datetime as dt

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
        schedules=tuple(s.strip() for s in schedules),
        locales=_names(path, "republish.locales", rep.get("locales"), ("vi",)),
        profiles=profiles,
        engine=engine,
    )
