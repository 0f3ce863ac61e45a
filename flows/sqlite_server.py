"""The project's Prefect server: ``prefect server start``, with SQLite write transactions begun IMMEDIATE.

Why: Prefect begins a write transaction DEFERRED unless it locks rows.  On
SQLite in WAL mode, such a transaction that reads and then writes fails at
once with "database is locked" when another connection (the task run recorder,
the event persister) committed in between; busy waiting cannot help, the
snapshot is stale.  The API answers 503, and Prefect's client sleeps 2 s before
it retries.  A batch's subflows hit this as they start (each creates its
tracking task run through the API while the recorder writes): 2-second stalls
with idle cores, as many as the bulletins.  ``BEGIN IMMEDIATE`` takes the
write lock first, so writers queue in SQLite's busy handler for milliseconds
instead.  SQLite serializes writers anyway; a read-only session is unchanged.

Run as ``python -m bantin.flows.sqlite_server --host H --port P`` (the
arguments of ``prefect server start``).  A server on PostgreSQL (set in
``PREFECT_API_DATABASE_CONNECTION_URL``) is not changed.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

__all__ = ["immediate_sqlite_writes", "main"]


def immediate_sqlite_writes() -> None:
    """Make every transaction Prefect's server begins on SQLite an IMMEDIATE one (this process only)."""
    from prefect.server.database import configurations

    @asynccontextmanager
    async def begin_transaction(self: Any, session: Any, with_for_update: bool = False) -> AsyncGenerator[Any, None]:
        token = configurations.SQLITE_BEGIN_MODE.set("IMMEDIATE")
        try:
            async with session.begin() as transaction:
                yield transaction
        finally:
            configurations.SQLITE_BEGIN_MODE.reset(token)

    configurations.AioSqliteConfiguration.begin_transaction = begin_transaction  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> None:
    """``prefect server start`` with :func:`immediate_sqlite_writes` (one worker: the app runs in this process)."""
    immediate_sqlite_writes()
    from prefect.cli import app

    sys.argv = ["prefect", "server", "start", *(sys.argv[1:] if argv is None else argv)]
    app()


if __name__ == "__main__":
    main()
