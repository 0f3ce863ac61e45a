"""The project's Prefect server begins its SQLite writes IMMEDIATE: concurrent writers queue instead of getting 503s.

Stock Prefect answers a burst of concurrent run creations on SQLite with 503
("database is locked": a read-then-write transaction whose snapshot went stale)
and its client sleeps 2 s before retrying; a batch's subflows stalled on it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from bantin.flows.prefect_env import SERVER_DEFAULTS
from bantin.flows.sqlite_server import immediate_sqlite_writes


def test_every_transaction_begins_immediate(monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.server.database import configurations

    monkeypatch.setattr(configurations.AioSqliteConfiguration, "begin_transaction", configurations.AioSqliteConfiguration.begin_transaction)
    immediate_sqlite_writes()
    seen: list[str | None] = []

    class Session:
        @asynccontextmanager
        async def begin(self) -> AsyncIterator[str]:
            seen.append(configurations.SQLITE_BEGIN_MODE.get())
            yield "transaction"

    async def run(with_for_update: bool) -> None:
        config = configurations.AioSqliteConfiguration(connection_url="sqlite+aiosqlite:///:memory:")
        async with config.begin_transaction(Session(), with_for_update=with_for_update) as transaction:  # type: ignore[arg-type]
            assert transaction == "transaction"

    asyncio.run(run(False))
    asyncio.run(run(True))
    assert seen == ["IMMEDIATE", "IMMEDIATE"]
    assert configurations.SQLITE_BEGIN_MODE.get() is None  # reset after the transaction


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("prefect-home")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | SERVER_DEFAULTS | {"PREFECT_HOME": str(home)}
    log = (Path(home) / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "bantin.flows.sqlite_server", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert process.poll() is None, (Path(home) / "server.log").read_text(errors="replace")[-3000:]
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.mark.slow
def test_a_burst_of_run_creations_gets_no_503(server: str) -> None:
    with httpx.Client(base_url=server, timeout=60) as client:
        flow = client.post("/flows/", json={"name": "burst"}).json()["id"]
        runs = [client.post("/flow_runs/", json={"flow_id": flow, "name": f"run-{i}"}).json()["id"] for i in range(4)]

    def creations(i: int) -> list[int]:
        # A subflow's start: its flow run, then task runs (each reads the flow run's labels, then inserts).
        with httpx.Client(base_url=server, timeout=60) as client:
            codes = [client.post("/flow_runs/", json={"flow_id": flow, "name": f"sub-{i}"}).status_code]
            payload: dict[str, Any] = {"name": "stage", "task_key": f"key-{i}", "flow_run_id": runs[i % 4]}
            codes += [client.post("/task_runs/", json=payload | {"dynamic_key": str(j)}).status_code for j in range(5)]
            return codes

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        codes = [code for batch in pool.map(creations, range(32)) for code in batch]
    assert codes == [201] * 192
