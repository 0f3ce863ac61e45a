"""Progress of publishing, told to listeners in this process (the CLI's progress bars).

A listener gets ``("start", source, None)`` and ``("done", source, outcome)`` for
each bulletin of a batch, and ``("stage", source, {"stage", "locale"})`` as each
of its output stages settles (a PDF, a reading, braille, an EPUB), so the bar of
stages moves while a bulletin is still publishing.  Stages that run on Dask
workers elsewhere are not told one by one; the bulletin's ``done`` carries them.
``("stop", "", None)`` says the command is being stopped (a signal, a lost
server): a progress bar gives the terminal back before the last lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = ["Listener", "current_source", "listening", "stage_settled", "tell"]

Listener = Callable[[str, str, "dict[str, Any] | None"], None]
_listeners: list[Listener] = []
#: The bulletin source the current thread publishes (set by the batch around each bulletin's subflow).
current_source: ContextVar[str | None] = ContextVar("bantin_current_source", default=None)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Call ``listener`` with the progress of publishing while the block runs."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def tell(event: str, source: str, outcome: dict[str, Any] | None = None) -> None:
    """Tell every listener; a listener's failure never stops publishing."""
    for listener in list(_listeners):
        try:
            listener(event, source, outcome)
        except Exception:  # a progress bar must not fail a publish
            continue


def stage_settled(stage: str, locale: str) -> None:
    """One output stage of the current bulletin has settled (done, reused, failed or skipped)."""
    source = current_source.get()
    if source is not None and _listeners:
        tell("stage", source, {"stage": stage, "locale": locale})
