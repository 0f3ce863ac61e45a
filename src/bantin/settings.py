"""bantin's settings: the one module that reads the environment and the project file.

Like Prefect's own ``settings`` package, everything else asks here and never
reads ``os.environ``.  Values are read on every call (they are cheap), so a test
or a long-running server that changes the environment sees the change.

Where a setting comes from, first match wins:

=========================  ===============================  =============================================
setting                    environment                      otherwise
=========================  ===============================  =============================================
project root               ``BANTIN_ROOT``                  nearest folder upwards holding ``bantin.toml``
locale data                ``BANTIN_LOCALES``               ``<root>/locales``
outputs                    ``BANTIN_OUTPUTS``               ``<root>/outputs``
speech cache               ``BANTIN_CACHE``                 ``<root>/.cache/speech``
deployments file           ``BANTIN_DEPLOYMENTS``           ``<root>/deployments.yaml``
public URL                 ``BANTIN_PUBLIC_URL``            ``[portal] public_url`` in bantin.toml
portal URL (UI links)      ``BANTIN_PORTAL_URL``            the public URL, else ``http://<[portal] host>:<port>``
portal's extra Host names  ``BANTIN_ALLOWED_HOSTS``         ``[portal] allowed_hosts`` (besides localhost and its own address)
desk data                  ``BANTIN_DESK_DIR``              ``<root>/desk`` (drafts, users, audit of the desk, previews)
desk address               (none)                           ``[desk] host`` / ``port`` (127.0.0.1:8090)
desk URL (artifact links)  ``BANTIN_DESK_URL``              ``http://<[desk] host>:<port>`` (``bantin up`` sets it to the desk it starts)
sources on the own network ``BANTIN_FETCH_ALLOW_HOSTS``     ``[fetch] allow_hosts`` (hosts exempt from the public-address rule)
healing attempts per day   ``BANTIN_HEAL_ATTEMPTS``         4 (republishes of a degraded reading a day)
centre name                ``BANTIN_CENTRE``                ``[project] centre`` in bantin.toml
feed author / image        ``BANTIN_FEED_AUTHOR`` / ``_IMAGE``  ``[portal] feed_author`` / ``feed_image``
render limits              ``BANTIN_RENDER_TIMEOUT``, ``BANTIN_RENDER_MEMORY_MB``, ``BANTIN_RENDER_WORKERS``
page fetch limits          ``BANTIN_FETCH_MAX_BYTES``, ``BANTIN_FETCH_TIMEOUT``, ``BANTIN_FETCH_MAX_REDIRECTS``  (5 MiB, 20 s, 5)
YAML file size cap         ``BANTIN_MAX_YAML_BYTES``        1 MB (1048576 bytes), checked before parsing
title length cap           ``BANTIN_MAX_TITLE_CHARS``       300 characters (also place, source, byline)
paragraph length cap       ``BANTIN_MAX_PARAGRAPH_CHARS``   10,000 characters (every body text)
publish lock wait          ``BANTIN_LOCK_TIMEOUT``          300 seconds (then a second publish of a bulletin fails)
reproducible dates         ``SOURCE_DATE_EPOCH``            the bulletin's own date
Dask scheduler             ``BANTIN_DASK_ADDRESS``          none: tasks run in threads (``--workers N``: a local cluster)
Prefect server of the CLI  ``BANTIN_SERVER``                ``auto``: the project's own, started on first use (``temporary``: one per command)
=========================  ===============================  =============================================
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bantin.errors import ConfigError, ProjectNotFoundError

__all__ = [
    "MARKER",
    "ProjectConfig",
    "adopt_environment",
    "dask_address",
    "desk_address",
    "desk_dir",
    "desk_url",
    "env",
    "environment",
    "fetch_allowed_hosts",
    "fetch_limits",
    "find_project",
    "forwarded_environment",
    "handoff_enabled",
    "heal_attempts_per_day",
    "lock_timeout",
    "portal_allowed_hosts",
    "portal_url",
    "prefect_environment",
    "prefect_home",
    "preview_dir",
    "project_config",
    "project_root",
    "public_url",
    "render_limits",
    "render_workers",
    "replace_environment",
    "runtime_dir",
    "server_mode",
    "set_environment_defaults",
    "source_date",
    "usage_report_path",
]

#: The file that marks a bantin project's root (as ``.git`` marks a repository).
MARKER = "bantin.toml"

#: Defaults of the render child process bounds (seconds, MiB).
RENDER_TIMEOUT_S = 120.0
RENDER_MEMORY_MB = 3072
#: How long a publish waits for another publish of the same bulletin (seconds).
LOCK_TIMEOUT_S = 300.0

#: Defaults of the bounds on fetching a news page (bytes, seconds, redirect hops).
FETCH_MAX_BYTES = 5 * 1024 * 1024
FETCH_TIMEOUT_S = 20.0
FETCH_MAX_REDIRECTS = 5

#: Default number of scheduled republishes a day that try again to replace a degraded (offline) reading.
HEAL_ATTEMPTS_PER_DAY = 4


def env(name: str) -> str | None:
    """A stripped environment variable, or None when unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or None


def _env_path(name: str) -> Path | None:
    value = env(name)
    return Path(value).expanduser().resolve() if value else None


def find_project(start: Path | None = None) -> Path | None:
    """The nearest folder from ``start`` (the working directory) upwards that holds ``bantin.toml``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return folder
    return None


def project_root() -> Path:
    """The project folder: ``BANTIN_ROOT``, else the nearest ``bantin.toml`` upwards, as git finds ``.git``."""
    root = _env_path("BANTIN_ROOT")
    if root is not None:
        if not root.is_dir():
            raise ProjectNotFoundError(f"BANTIN_ROOT={root}: no such folder. Point it at a bantin project, or unset it")
        return root
    found = find_project()
    if found is None:
        raise ProjectNotFoundError(
            f"{Path.cwd()}: not inside a bantin project (no {MARKER} here or in any parent folder). "
            "Run 'bantin init DIR' to make one, then cd into it (or set BANTIN_ROOT)"
        )
    return found


def locales_dir() -> Path:
    """The project's locale folder (``BANTIN_LOCALES`` moves it)."""
    return _env_path("BANTIN_LOCALES") or project_root() / "locales"


def outputs_dir() -> Path:
    """Where published files go (``BANTIN_OUTPUTS`` moves it)."""
    return _env_path("BANTIN_OUTPUTS") or project_root() / "outputs"


def speech_cache_dir() -> Path:
    """The content-addressed cache of spoken chunks (``BANTIN_CACHE`` moves it)."""
    return _env_path("BANTIN_CACHE") or project_root() / ".cache" / "speech"


def deployments_path() -> Path:
    """The schedules and defaults of the Prefect deployments (``BANTIN_DEPLOYMENTS`` moves it)."""
    return _env_path("BANTIN_DEPLOYMENTS") or project_root() / "deployments.yaml"


@dataclass(frozen=True)
class ProjectConfig:
    """What ``bantin.toml`` says about the centre that publishes."""

    centre: str = ""
    public_url: str | None = None
    feed_author: str = ""
    feed_image: str | None = None
    portal_host: str = "127.0.0.1"
    portal_port: int = 8080
    #: Host names the portal answers besides localhost and the address it listens on.
    allowed_hosts: tuple[str, ...] = ()
    desk_host: str = "127.0.0.1"
    desk_port: int = 8090
    #: Hosts on the centre's own network that sources may be fetched from (``[fetch] allow_hosts``).
    fetch_allow_hosts: tuple[str, ...] = ()


def _table(data: Mapping[str, Any], name: str, path: Path) -> Mapping[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [{name}] must be a table. Write it as a [{name}] section")
    return value


def _string(table: Mapping[str, Any], key: str, section: str, path: Path) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise ConfigError(f"{path}: field '{section}.{key}': expected a string, got {type(value).__name__}. Quote the value")
    return value.strip()


@lru_cache(maxsize=8)
def _read_config(path: Path, mtime_ns: int) -> ProjectConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc}). Check the file and its permissions") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}). Fix the syntax") from None
    project, portal = _table(data, "project", path), _table(data, "portal", path)
    desk, fetch = _table(data, "desk", path), _table(data, "fetch", path)
    port = _port(portal, "portal", 8080, path)
    hosts = _hosts(portal, "allowed_hosts", "portal", path)
    return ProjectConfig(
        centre=_string(project, "centre", "project", path),
        public_url=_string(portal, "public_url", "portal", path).rstrip("/") or None,
        feed_author=_string(portal, "feed_author", "portal", path),
        feed_image=_string(portal, "feed_image", "portal", path) or None,
        portal_host=_string(portal, "host", "portal", path) or "127.0.0.1",
        portal_port=port,
        allowed_hosts=hosts,
        desk_host=_string(desk, "host", "desk", path) or "127.0.0.1",
        desk_port=_port(desk, "desk", 8090, path),
        fetch_allow_hosts=_hosts(fetch, "allow_hosts", "fetch", path),
    )


def _port(table: Mapping[str, Any], section: str, default: int, path: Path) -> int:
    port = table.get("port", default)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise ConfigError(f"{path}: field '{section}.port': expected a port number from 1 to 65535, got {port!r}. Fix the value")
    return port


def _hosts(table: Mapping[str, Any], key: str, section: str, path: Path) -> tuple[str, ...]:
    hosts = table.get(key, [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise ConfigError(f"{path}: field '{section}.{key}': expected a list of host names, got {hosts!r}. Write it as [\"radio.example.org\"]")
    return tuple(h.strip().lower() for h in hosts if h.strip())


def project_config() -> ProjectConfig:
    """``bantin.toml`` of the current project; the defaults when the project has none (``BANTIN_ROOT`` elsewhere)."""
    path = project_root() / MARKER
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return ProjectConfig()
    return _read_config(path, mtime)


def public_url() -> str | None:
    """The public base URL of the portal, without a trailing slash; None when none is configured."""
    value = env("BANTIN_PUBLIC_URL")
    if value:
        return value.rstrip("/") or None
    try:
        return project_config().public_url
    except ProjectNotFoundError:
        return None


def portal_url() -> str:
    """Where the operator's portal answers, for links in the Prefect UI: always an address, never None.

    ``BANTIN_PORTAL_URL`` (``bantin up`` sets it to the portal it starts), else the
    public URL, else ``http://<host>:<port>`` from ``[portal]`` in bantin.toml.
    """
    value = env("BANTIN_PORTAL_URL") or public_url()
    if value:
        return value.rstrip("/")
    config = _config_or_default()
    host = "127.0.0.1" if config.portal_host in ("0.0.0.0", "::", "") else config.portal_host
    return f"http://{host}:{config.portal_port}"


def portal_allowed_hosts() -> tuple[str, ...]:
    """Host names the portal answers besides localhost and its own address: ``BANTIN_ALLOWED_HOSTS`` (comma-separated), else ``[portal] allowed_hosts``."""
    value = env("BANTIN_ALLOWED_HOSTS")
    if value is not None:
        return tuple(h.strip() for h in value.split(",") if h.strip())
    return _config_or_default().allowed_hosts


def desk_dir() -> Path:
    """The newsroom desk's own data: drafts, users, previews (``BANTIN_DESK_DIR`` moves it; default ``<project>/desk``)."""
    return _env_path("BANTIN_DESK_DIR") or project_root() / "desk"


def preview_dir() -> Path:
    """Where drafts are rendered for preview: an outputs root of its own, never served by the portal."""
    return desk_dir() / "previews"


def desk_address() -> tuple[str, int]:
    """Where ``bantin desk`` listens: ``[desk] host`` and ``port`` in bantin.toml (default 127.0.0.1:8090)."""
    config = _config_or_default()
    return config.desk_host, config.desk_port


def desk_url() -> str:
    """Where operators open the desk, for links in run artifacts: ``BANTIN_DESK_URL`` (``bantin up`` sets it), else ``[desk]``'s address."""
    value = env("BANTIN_DESK_URL")
    if value:
        return value.rstrip("/")
    host, port = desk_address()
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{port}"


def fetch_allowed_hosts() -> tuple[str, ...]:
    """Hosts on the centre's own network a source URL may name (``BANTIN_FETCH_ALLOW_HOSTS``, comma-separated, else ``[fetch] allow_hosts``)."""
    value = env("BANTIN_FETCH_ALLOW_HOSTS")
    if value is not None:
        return tuple(h.strip().lower() for h in value.split(",") if h.strip())
    return _config_or_default().fetch_allow_hosts


def heal_attempts_per_day() -> int:
    """How many scheduled republishes a day try again to replace a degraded reading (``BANTIN_HEAL_ATTEMPTS``; 0 turns healing off)."""
    raw = env("BANTIN_HEAL_ATTEMPTS")
    if raw is None:
        return HEAL_ATTEMPTS_PER_DAY
    if not raw.strip().isdigit():
        raise ConfigError(f"BANTIN_HEAL_ATTEMPTS={raw!r} must be a whole number (0 turns healing off). Set it to e.g. {HEAL_ATTEMPTS_PER_DAY}, or unset it")
    return int(raw)


def centre_name() -> str:
    """The publishing centre's name, for feeds and covers ("" when unknown)."""
    return env("BANTIN_CENTRE") or _config_or_default().centre


def feed_author() -> str:
    """The feed's author: ``BANTIN_FEED_AUTHOR``, the project config, the centre, else "bantin"."""
    config = _config_or_default()
    return env("BANTIN_FEED_AUTHOR") or config.feed_author or config.centre or "bantin"


def feed_image() -> str | None:
    """An absolute URL of the feed's cover image, if configured."""
    return env("BANTIN_FEED_IMAGE") or _config_or_default().feed_image


def _config_or_default() -> ProjectConfig:
    try:
        return project_config()
    except ProjectNotFoundError:
        return ProjectConfig()


def _number(name: str, default: float) -> float:
    raw = env(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number. Set it to e.g. {default:g}, or unset it") from None
    if value <= 0:
        raise ConfigError(f"{name}={raw!r} must be above 0. Set it to e.g. {default:g}, or unset it")
    return value


def render_limits() -> tuple[float, int]:
    """(timeout in seconds, memory bound in MiB) of one render child process."""
    return _number("BANTIN_RENDER_TIMEOUT", RENDER_TIMEOUT_S), int(_number("BANTIN_RENDER_MEMORY_MB", RENDER_MEMORY_MB))


def fetch_limits() -> tuple[int, float, int]:
    """(size cap in bytes, total time limit in seconds, redirect hops) of fetching one news page."""
    redirects = env("BANTIN_FETCH_MAX_REDIRECTS")
    if redirects is not None and not (redirects.isdigit() and int(redirects) <= 20):
        raise ConfigError(f"BANTIN_FETCH_MAX_REDIRECTS={redirects!r} must be a whole number from 0 to 20. Set it to e.g. {FETCH_MAX_REDIRECTS}, or unset it")
    return (
        int(_number("BANTIN_FETCH_MAX_BYTES", FETCH_MAX_BYTES)),
        _number("BANTIN_FETCH_TIMEOUT", FETCH_TIMEOUT_S),
        int(redirects) if redirects is not None else FETCH_MAX_REDIRECTS,
    )


def lock_timeout() -> float:
    """Seconds a publish waits for another publish of the same bulletin: ``BANTIN_LOCK_TIMEOUT``, else 300."""
    return _number("BANTIN_LOCK_TIMEOUT", LOCK_TIMEOUT_S)


def render_workers() -> int:
    """How many renders run at once: ``BANTIN_RENDER_WORKERS``, else the number of usable cores."""
    raw = env("BANTIN_RENDER_WORKERS")
    if raw and raw.isdigit() and int(raw) > 0:
        return int(raw)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def dask_address() -> str | None:
    """The Dask scheduler to run tasks on (``BANTIN_DASK_ADDRESS``, e.g. ``tcp://host:8786``), or None."""
    address = (env("BANTIN_DASK_ADDRESS") or "").strip()
    if not address:
        return None
    if "://" not in address:
        raise ConfigError(f"BANTIN_DASK_ADDRESS={address!r} names no protocol. Set it to e.g. tcp://host:8786, or unset it")
    return address


#: Where the CLI's runs go when ``PREFECT_API_URL`` is unset: see :func:`server_mode`.
SERVER_MODES = ("auto", "temporary")


def server_mode() -> str:
    """``BANTIN_SERVER``: ``auto`` (the project's own Prefect server, started on first use and reused: runs stay in
    the UI and no command pays for a start) or ``temporary`` (Prefect's temporary server for one command, then gone)."""
    mode = (env("BANTIN_SERVER") or "auto").lower()
    if mode not in SERVER_MODES:
        raise ConfigError(f"BANTIN_SERVER={mode!r} is not a server mode. Set it to {' or '.join(SERVER_MODES)}, or unset it")
    return mode


#: The environment as this process started, before bantin.flows.prefect_env adds Prefect's defaults to it.
_START_ENVIRONMENT = dict(os.environ)


def environment() -> dict[str, str]:
    """A copy of this process's whole environment (handed to the warm process with a command)."""
    return dict(os.environ)


def set_environment_defaults(values: Mapping[str, str]) -> None:
    """Give this process's environment each of ``values`` it lacks (Prefect's settings, set before Prefect is imported by an entry point)."""
    for key, value in values.items():
        os.environ.setdefault(key, value)


def replace_environment(new: Mapping[str, str]) -> None:
    """Make ``new`` this process's whole environment (a warm process's child taking its caller's)."""
    os.environ.clear()
    os.environ.update(new)


def prefect_home() -> Path:
    """Prefect's home for this project: ``PREFECT_HOME``, else ``<root>/.prefect`` (as bantin.flows.prefect_env sets it)."""
    home = _START_ENVIRONMENT.get("PREFECT_HOME", "").strip()
    return Path(home).expanduser() if home else project_root() / ".prefect"


def prefect_environment() -> dict[str, str]:
    """The ``PREFECT_*`` settings this process started with, its home included: a warm process must share them."""
    found = {k: v for k, v in _START_ENVIRONMENT.items() if k.startswith("PREFECT_")}
    found["PREFECT_HOME"] = str(prefect_home())
    return found


def handoff_enabled() -> bool:
    """Whether commands may run in the project's warm process: with ``BANTIN_SERVER=auto`` and not inside one already."""
    return env("BANTIN_WARM_CHILD") is None and env("BANTIN_WARM") != "0" and server_mode() == "auto"


def usage_report_path() -> Path | None:
    """``BANTIN_USAGE_FILE``: where a command handed to the warm process writes that process's CPU time and peak RSS."""
    return _env_path("BANTIN_USAGE_FILE")


def runtime_dir() -> Path:
    """Where this user's sockets go: ``XDG_RUNTIME_DIR``, else the system temp folder."""
    return Path(env("XDG_RUNTIME_DIR") or "/tmp")


_FORWARDED_PREFIXES = ("BANTIN_", "PREFECT_", "DASK_")
_FORWARDED_NAMES = ("SOURCE_DATE_EPOCH", "DO_NOT_TRACK")


def forwarded_environment() -> dict[str, str]:
    """What a worker process elsewhere needs of this one's environment: ``BANTIN_*``, ``PREFECT_*``, ``DASK_*``, ``SOURCE_DATE_EPOCH``."""
    return {k: v for k, v in os.environ.items() if k.startswith(_FORWARDED_PREFIXES) or k in _FORWARDED_NAMES}


def adopt_environment(forwarded: dict[str, str]) -> None:
    """Make this process's settings those of ``forwarded`` (another process's :func:`forwarded_environment`).

    A render child is forked from a forkserver started long before: without this
    it would see the environment of that moment, not the publishing process's now.
    """
    for name in [k for k in os.environ if k.startswith(_FORWARDED_PREFIXES) or k in _FORWARDED_NAMES]:
        if name not in forwarded:
            del os.environ[name]
    os.environ.update(forwarded)


def source_date() -> dt.datetime | None:
    """``SOURCE_DATE_EPOCH`` as a UTC datetime (reproducible builds), or None when it is unset or not a number."""
    epoch = env("SOURCE_DATE_EPOCH")
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch and epoch.isdigit() else None


def update_golden() -> bool:
    """Whether tests should rewrite their golden images (``BANTIN_UPDATE_GOLDEN=1``)."""
    return env("BANTIN_UPDATE_GOLDEN") == "1"


#: Defaults of the content limits: a bulletin YAML file's size, a title's and a paragraph's length.
MAX_YAML_BYTES = 1024 * 1024
MAX_TITLE_CHARS = 300
MAX_PARAGRAPH_CHARS = 10_000


def _count(name: str, default: int) -> int:
    """A positive whole number from the environment (``default`` when unset)."""
    raw = env(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise ConfigError(f"{name}={raw!r} must be a whole number above 0. Set it to e.g. {default}, or unset it")
    return int(raw)


def max_yaml_bytes() -> int:
    """The largest bulletin or data YAML file bantin parses (``BANTIN_MAX_YAML_BYTES``, default 1 MB)."""
    return _count("BANTIN_MAX_YAML_BYTES", MAX_YAML_BYTES)


def max_title_chars() -> int:
    """The longest title (and place, source, byline) a bulletin may have (``BANTIN_MAX_TITLE_CHARS``)."""
    return _count("BANTIN_MAX_TITLE_CHARS", MAX_TITLE_CHARS)


def max_paragraph_chars() -> int:
    """The longest paragraph (or list item, quote, caption, alt text) (``BANTIN_MAX_PARAGRAPH_CHARS``)."""
    return _count("BANTIN_MAX_PARAGRAPH_CHARS", MAX_PARAGRAPH_CHARS)
