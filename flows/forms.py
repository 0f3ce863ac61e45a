"""The run forms' failures: a wrong value ends the run Failed with one line, and no traceback in its log.

The forms themselves come from the flows' one typed parameter
(:class:`bantin.publish.request.PublishRequest`, :class:`~bantin.publish.request.AddRequest`):
Prefect builds them from its JSON schema, Vietnamese titles and the
registries' choices included, when the deployments are (re)registered.  The
list of known bulletins is the one of that moment: restart ``bantin serve``
(or run ``prefect deploy`` again) to see a bulletin added since.

Prefect validates the request before the flow starts (one line per wrong
field, :func:`bantin.publish.request.describe_errors`'s words); the bulletin is
resolved by the flow itself, on the machine that publishes
(:func:`bulletin_or_failure`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from bantin.errors import BantinError

__all__ = ["bulletin_or_failure", "install_quiet_failures"]


def bulletin_or_failure(bulletin: str) -> Path | Any:
    """The bulletin's YAML file (an id in content/ or a path), or a Failed state saying in one line why there is none."""
    from prefect.states import Failed

    from bantin.content.bulletin_file import resolve_bulletin

    try:
        return resolve_bulletin(bulletin)
    except BantinError as exc:
        return Failed(message=str(exc))


class _QuietFailures(logging.Filter):
    """Drop the engine's traceback for a run that failed on purpose with a one-line reason.

    When a flow returns a Failed state (a wrong form value,
    :func:`bulletin_or_failure`) or raises a :class:`BantinError`, the reason is
    already in the run's state and its log; Prefect's engine would add "Engine
    execution exited with unexpected exception" with a traceback, which only hides it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if "exited with unexpected exception" not in str(record.msg) or not record.exc_info:
            return True
        from prefect.exceptions import FailedRun

        exc = record.exc_info[1]
        return not isinstance(exc, (FailedRun, BantinError))


_QUIET = _QuietFailures()


def install_quiet_failures() -> None:
    """Install the filter on the flow-run and engine loggers (idempotent); flows import this module, so runs get it."""
    for name in ("prefect.flow_runs", "prefect.engine"):
        logger = logging.getLogger(name)
        if _QUIET not in logger.filters:
            logger.addFilter(_QUIET)


install_quiet_failures()
