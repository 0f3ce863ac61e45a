"""The production topology with real parts: PostgreSQL, ``prefect server start``, the ``bantin`` pool, two workers.

What docs/operations.md tells an operator to run, started here on one machine
(tests/flows/topology_utils.py): a batch triggered through the API runs across
both workers into one shared outputs folder, every record verifies, and two
publishes of one bulletin never hold its slot (a Prefect global concurrency
limit, :mod:`bantin.flows.exclusion`) at the same time.
"""

from __future__ import annotations

import contextvars
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from topology_utils import (
    BIN,
    Topology,
    postgres_bin,
    throughput,
    topology,
    trigger,
    wait_for,
    write_bulletins,
)

#: The tests that start the topology.
topology_test = pytest.mark.skipif(postgres_bin() is None, reason="PostgreSQL is not installed (Debian package postgresql; make setup installs it)")

#: Two workers of two runs each: four publishes at a time on this machine's cores.
WORKER_LIMIT = 2


@pytest.fixture(scope="module")
def top() -> Iterator[Topology]:
    with topology(worker_query_s=2) as started:  # workers poll every 2 s (10 by default) to keep the test short
        yield started


def _logs(top: Topology) -> str:
    """The tails of the server's and workers' logs, for a failing assertion."""
    names = [top.scratch / "server.log", *(top.worker_log(n) for n in ("w1", "w2"))]
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-2500:]}" for p in names if p.exists())


def _slot_window(client: Any, run_id: Any) -> tuple[float, float]:
    """When a publish worked under its bulletin's slot: its first to its last stage task that ran (load and artifacts are outside)."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    outside = ("load_bulletin", "publish_inputs", "publish_artifacts")
    tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])))
    inside = [t for t in tasks if not t.name.startswith(outside) and t.start_time is not None and t.end_time is not None]
    assert inside, f"flow run {run_id}: no stage task ran"
    return min(t.start_time.timestamp() for t in inside), max(t.end_time.timestamp() for t in inside)


def _slot_events(api: str, limit_id: Any) -> list[dict[str, Any]]:
    """The acquired/released events of one concurrency limit, oldest first (the server persists them within seconds)."""
    body = {"filter": {"resource": {"id": [f"prefect.concurrency-limit.{limit_id}"]}}, "limit": 50}
    events: list[dict[str, Any]] = []
    for _ in range(30):
        events = httpx.post(f"{api}/events/filter", json=body, timeout=10).json()["events"]
        if len(events) >= 4:
            break
        time.sleep(1)
    return sorted(events, key=lambda e: e["occurred"])


@pytest.mark.slow
@topology_test
def test_a_batch_runs_across_two_workers_into_shared_outputs_one_publish_per_bulletin_at_a_time(top: Topology) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    ids = write_bulletins(top.project, 19, "lo")
    twice = ids[0]
    top.start_worker("w1", WORKER_LIMIT)
    top.start_worker("w2", WORKER_LIMIT)
    runs = trigger(top.api, [twice, twice, *ids[1:]])  # 20 runs; the first two, of one bulletin, are picked up together
    done = wait_for(top.api, [r.id for r in runs], timeout_s=420)

    states = {str(r.id): r.state.name for r in done if r.state is not None}
    # espeak (offline) readings: a machine reading ends a completed run "Degraded", never a plain green Completed
    assert len(done) == 20 and set(states.values()) <= {"Completed", "Degraded"}, f"{states}\n{_logs(top)}"
    by_worker = {name: top.runs_of(name) for name in ("w1", "w2")}
    assert all(by_worker.values()), f"a worker ran nothing: {by_worker}"  # each did work
    assert by_worker["w1"] | by_worker["w2"] == set(states) and not by_worker["w1"] & by_worker["w2"]

    verify = subprocess.run([str(BIN / "bantin"), "verify", "--all"], cwd=top.project, env=top.env(), capture_output=True, text=True, check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "19 bulletin(s)" in verify.stdout and " 0 missing, 0 changed, 0 unlisted" in verify.stdout, verify.stdout
    assert sorted(p.name for p in top.outputs.iterdir() if (p / "manifest.json").is_file()) == sorted(ids)
    assert not any((top.project / "outputs" / i).exists() for i in ids)  # all in the shared folder, none in the checkout's

    with temporary_settings(updates={PREFECT_API_URL: top.api}), get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name(f"bantin-bulletin-{twice}")
        assert (limit.limit, limit.active, limit.active_slots) == (1, True, 0)
        first, second = sorted((_slot_window(client, r.id) for r in runs[:2]), key=lambda w: w[0])
    assert first[1] <= second[0], f"two publishes of {twice} overlapped: {first} and {second}"
    # The slot itself: each run took it and gave it back before the other took it.
    phases = [(e["event"].rsplit(".", 1)[-1], {r["prefect.resource.id"] for r in e.get("related", [])}) for e in _slot_events(top.api, limit.id)]
    phases = [(p, related) for p, related in phases if p in ("acquired", "released")]  # not its "created"
    assert [p for p, _ in phases] == ["acquired", "released", "acquired", "released"], phases
    holders = [next(r for r in related if r.startswith("prefect.flow-run.")) for _, related in phases]
    assert holders[0] == holders[1] != holders[2] == holders[3]
    assert {h.removeprefix("prefect.flow-run.") for h in holders} == {str(r.id) for r in runs[:2]}

    per_minute, latency = throughput(done, 2 * WORKER_LIMIT)
    print(f"\n2 workers (limit {WORKER_LIMIT} each): {per_minute:.1f} bulletins/min; median {latency:.1f} s from Run to Running")


@pytest.mark.slow
@topology_test
def test_a_second_publish_of_a_bulletin_waits_for_its_slot_then_fails_with_one_line(top: Topology) -> None:
    """Two flow runs on the same server, no shared file lock: the second gets PublishBusyError after its timeout."""
    from prefect import flow
    from prefect.settings import PREFECT_API_URL, PREFECT_LOGGING_TO_API_ENABLED, temporary_settings

    from bantin.errors import PublishBusyError
    from bantin.flows.exclusion import bulletin_slot

    held, release = threading.Event(), threading.Event()

    @flow(name="hold-slot")
    def hold() -> None:
        with bulletin_slot("2024-07-01-busy"):
            held.set()
            release.wait(60)

    @flow(name="contend-slot")
    def contend() -> str:
        with bulletin_slot("2024-07-01-busy", timeout=3):
            return "got it"

    # These two flows' logs stay here: sent to the API, they would be flushed (and retried) after the server stops.
    with temporary_settings(updates={PREFECT_API_URL: top.api, PREFECT_LOGGING_TO_API_ENABLED: False}):
        holder = threading.Thread(target=contextvars.copy_context().run, args=(hold,))
        holder.start()
        try:
            assert held.wait(60), "the first flow never took the slot"
            state = contend(return_state=True)
            error = state.result(raise_on_failure=False)
            assert isinstance(error, PublishBusyError), error
            assert str(error).startswith("bantin-bulletin-2024-07-01-busy: another publish of 2024-07-01-busy still holds") and "\n" not in str(error)
        finally:
            release.set()
            holder.join(60)
        assert contend() == "got it"  # released when the holder ended


def test_outside_a_flow_run_the_slot_asks_no_api() -> None:
    """Tests calling a flow's ``.fn()`` have no API: the slot is then a no-op (an unreachable API would fail it)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from bantin.flows.exclusion import bulletin_slot, slot_name

    entered = []
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:9/api"}), bulletin_slot("2024-07-01-x", timeout=1):
        entered.append(True)
    assert entered == [True]
    assert slot_name("2024-07-01-x") == "bantin-bulletin-2024-07-01-x"


@pytest.mark.slow
@topology_test
def test_the_project_server_keeps_its_state_in_postgresql_when_given_a_database(top: Topology, tmp_path: Path) -> None:
    """``bantin up --database`` / ``ensure_server(database=…)``: the project's own server runs ``prefect server start`` on PostgreSQL."""
    import subprocess as sp

    from bantin.flows.server import database_url

    sp.run([str(top.postgres.bin / "createdb"), "-h", "127.0.0.1", "-p", str(top.postgres.port), "-U", "bantin", "upserver"], check=True)
    url = f"postgresql://bantin@127.0.0.1:{top.postgres.port}/upserver"
    assert database_url(url) == f"postgresql+asyncpg://bantin@127.0.0.1:{top.postgres.port}/upserver"
    project = tmp_path / "proj"
    from bantin.project import init_project

    init_project(project)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "BANTIN_"))} | {"BANTIN_ROOT": str(project)}
    script = "from bantin.flows.server import ensure_server; import sys; print(ensure_server(database=sys.argv[1]).api_url)"
    started = sp.run([sys.executable, "-c", script, url], env=env, cwd=project, capture_output=True, text=True, timeout=240)
    try:
        assert started.returncode == 0, started.stderr[-2000:]
        api = started.stdout.strip().splitlines()[-1]
        flow = httpx.post(f"{api}/flows/", json={"name": "kept-in-postgresql"}, timeout=10)
        log = project / ".prefect" / "server.log"
        assert flow.status_code in (200, 201), (flow.text, log.read_text(errors="replace")[-3000:] if log.is_file() else "")
        tables = sp.run(
            [str(top.postgres.bin / "psql"), "-h", "127.0.0.1", "-p", str(top.postgres.port), "-U", "bantin", "-d", "upserver", "-tAc",
             "select name from flow where name = 'kept-in-postgresql'"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert tables.stdout.strip() == "kept-in-postgresql"
        assert not (project / ".prefect" / "prefect.db").exists()  # no SQLite state
    finally:
        sp.run([sys.executable, "-m", "bantin.cli", "server", "stop"], env=env, cwd=project, capture_output=True, timeout=120, check=False)
    bad = sp.run([sys.executable, "-m", "bantin.cli", "up", "--database", "mysql://x@h/db"], env=env, cwd=project, capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "not a PostgreSQL URL" in bad.stderr and "Traceback" not in bad.stderr
