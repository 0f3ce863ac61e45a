"""Prefect's embedded default, set up before Prefect is imported.

bantin runs Prefect in local mode: no server to start by hand, state in a
project-local SQLite under ``PREFECT_HOME`` (``<root>/.prefect``, git-ignored),
telemetry off.  Anything already set in the environment wins, so
``PREFECT_API_URL`` still points bantin at a shared server.
"""

from __future__ import annotations

import os

from bantin.errors import ProjectNotFoundError
from bantin.paths import project_root

__all__ = ["configure_prefect"]

DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # The ephemeral server's first start migrates a new SQLite database; give slow machines time.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
}


def configure_prefect() -> None:
    """Point Prefect at the project-local home and switch telemetry off (idempotent)."""
    try:
        os.environ.setdefault("PREFECT_HOME", str(project_root() / ".prefect"))
    except ProjectNotFoundError:
        pass  # imported outside a project (a worker, a tool): Prefect's own default home

    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
