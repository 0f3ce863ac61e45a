"""The production topology, started here with real parts (tests/flows/test_topology.py, benchmarks/topology.py).

PostgreSQL from Debian in a throw-away data directory on a free port, ``prefect
server start`` against it, the ``bantin`` process pool, the deployments of
``prefect.yaml`` (``prefect deploy --all``) and ``prefect worker start``
processes, all sharing one outputs folder: what docs/operations.md describes,
on one machine.  Every process started here is stopped by :meth:`Topology.close`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PUBLISH = "publish-bulletin/publish-bulletin"


def postgres_bin() -> Path | None:
    """Debian's PostgreSQL programs (``/usr/lib/postgresql/<version>/bin``), the newest, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    return found[-1].parent if found else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(proc: subprocess.Popen[Any], signum: int = signal.SIGTERM, grace_s: float = 20.0) -> None:
    """Stop a child started in its own session, and everything it started (its process group)."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signum)
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


@dataclass
class Postgres:
    """A PostgreSQL cluster in a temporary data directory, owned by an unprivileged user when we are root."""

    bin: Path
    folder: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://bantin@127.0.0.1:{self.port}/prefect"

    def _user(self) -> dict[str, Any]:
        # PostgreSQL refuses to run as root: as root, run it as the `postgres` user Debian's package creates.
        return {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}

    def start(self) -> None:
        data = self.folder / "data"
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        log = self.folder / "initdb.log"
        with log.open("wb") as out:
            done = subprocess.run(
                [str(self.bin / "initdb"), "-D", str(data), "-U", "bantin", "--auth=trust", "-E", "UTF8", "--no-sync"],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=_plain_env(),
                cwd=self.folder,
                **self._user(),
            )
        assert done.returncode == 0, log.read_text(errors="replace")[-2000:]
        self.proc = subprocess.Popen(
            [str(self.bin / "postgres"), "-D", str(data), "-p", str(self.port), "-k", str(self.folder), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
            stdout=(self.folder / "postgres.log").open("wb"),
            stderr=subprocess.STDOUT,
            env=_plain_env(),
            cwd=self.folder,
            start_new_session=True,
            **self._user(),
        )
        deadline = time.monotonic() + 60
        while subprocess.run([str(self.bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)], check=False).returncode != 0:
            assert self.proc.poll() is None, (self.folder / "postgres.log").read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "PostgreSQL did not accept connections within 60 s"
            time.sleep(0.2)
        subprocess.run([str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "bantin", "prefect"], check=True, env=_plain_env())

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc, signal.SIGINT)  # SIGINT: PostgreSQL's fast shutdown


def _plain_env() -> dict[str, str]:
    """This environment without Prefect's or bantin's settings (each process gets its own below)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "BANTIN_"))}


@dataclass
class Topology:
    """PostgreSQL, a Prefect server, the ``bantin`` pool, its deployments and workers, on one shared outputs folder."""

    scratch: Path
    project: Path
    outputs: Path
    postgres: Postgres
    port: int
    worker_query_s: float = 10.0
    server: subprocess.Popen[bytes] | None = None
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a Prefect command, the server or a worker: our settings, nothing inherited."""
        env = _plain_env() | {
            "PREFECT_HOME": str(self.scratch / "prefect-home"),
            "PREFECT_API_URL": self.api,
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_WORKER_QUERY_SECONDS": f"{self.worker_query_s:g}",
            "BANTIN_ROOT": str(self.project),
            "BANTIN_OUTPUTS": str(self.outputs),  # the shared folder (an NFS mount in production)
            "BANTIN_CACHE": str(self.scratch / "speech-cache"),
            "TMPDIR": str(self.scratch / "tmp"),
            "PYTHONUNBUFFERED": "1",
        }
        return env | extra

    def prefect(self, *args: str, timeout: float = 180) -> str:
        """Run a ``prefect`` command in the project folder; its output, or an assertion naming it."""
        done = subprocess.run(
            [str(BIN / "prefect"), "--no-prompt", *args], cwd=self.project, env=self.env(), capture_output=True, text=True, timeout=timeout, check=False
        )
        assert done.returncode == 0, f"prefect {' '.join(args)}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
        return done.stdout

    def start_server(self) -> None:
        env = self.env(
            PREFECT_API_DATABASE_CONNECTION_URL=self.postgres.url,
            PREFECT_UI_ENABLED="false",
            PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false",  # republish's crons are not under test
        )
        del env["PREFECT_API_URL"]  # the server is the API
        self.server = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=self.scratch,
            env=env,
            stdout=(self.scratch / "server.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 180
        while True:
            assert self.server.poll() is None, (self.scratch / "server.log").read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "prefect server start: no answer from /api/health within 180 s"
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.api}/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.5)

    def deploy(self) -> None:
        """The ``bantin`` process pool and the deployments of the repository's prefect.yaml, as docs/operations.md says."""
        self.prefect("work-pool", "create", "bantin", "--type", "process")
        shutil.copy(ROOT / "prefect.yaml", self.project / "prefect.yaml")
        self.prefect("deploy", "--all", timeout=300)

    def start_worker(self, name: str, limit: int) -> None:
        self.workers[name] = subprocess.Popen(
            [str(BIN / "prefect"), "worker", "start", "--pool", "bantin", "--name", name, "--limit", str(limit)],
            cwd=self.project,
            env=self.env(),
            stdout=self.worker_log(name).open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop_workers(self) -> None:
        for proc in self.workers.values():
            _stop(proc, signal.SIGINT)
        self.workers.clear()

    def worker_log(self, name: str) -> Path:
        return self.scratch / f"worker-{name}.log"

    def runs_of(self, name: str) -> set[str]:
        """The flow runs a worker ran: their processes, its children, write their "View at .../flow-run/<id>" line to its log.

        (Both workers may offer to submit a run; the one the server lets through runs it, the other aborts.)
        """
        text = self.worker_log(name).read_text(errors="replace")
        return set(re.findall(r"/runs/flow-run/([0-9a-f-]{36})", text))

    def close(self) -> None:
        """Stop the workers, the server and PostgreSQL, in that order, whatever happened before."""
        try:
            self.stop_workers()
        finally:
            try:
                if self.server is not None:
                    _stop(self.server, signal.SIGTERM)
            finally:
                self.postgres.stop()


@contextlib.contextmanager
def topology(worker_query_s: float = 10.0) -> Iterator[Topology]:
    """A running topology (PostgreSQL, server, pool, deployments; no worker yet) on a new bantin project; stopped and removed at the end."""
    bin_ = postgres_bin()
    assert bin_ is not None, "PostgreSQL is not installed (Debian package postgresql; make setup installs it)"
    # Under /tmp itself, not pytest's 0700 folder: the postgres user must reach its data directory.
    scratch = Path(tempfile.mkdtemp(prefix="bantin-topology-"))
    scratch.chmod(0o711)
    (scratch / "tmp").mkdir()
    pg_folder = scratch / "pg"
    pg_folder.mkdir()
    top = Topology(scratch, scratch / "project", scratch / "shared-outputs", Postgres(bin_, pg_folder, free_port()), free_port(), worker_query_s)
    try:
        from bantin.project import init_project

        init_project(top.project)
        top.outputs.mkdir()
        top.postgres.start()
        top.start_server()
        top.deploy()
        yield top
    finally:
        try:
            top.close()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def write_bulletins(project: Path, count: int, tag: str) -> list[str]:
    """``count`` distinct two-paragraph Vietnamese bulletins in the project's content/; their ids."""
    from bantin.content.bulletin_file import save_bulletin
    from bantin.content.model import Bulletin, Paragraph

    ids = []
    for n in range(count):
        bulletin_id = f"2024-07-{n % 28 + 1:02d}-{tag}-{n:02d}"
        bulletin = Bulletin(
            id=bulletin_id,
            title=f"Tiêm chủng mở rộng đợt {n + 1}",
            date=dt.date(2024, 7, n % 28 + 1),
            body=(
                Paragraph(f"Sáng nay, {n + 2} xã đã hoàn thành kế hoạch tiêm chủng đợt {n + 1}."),
                Paragraph(f"Người dân liên hệ trạm y tế xã số {n + 1} để được hướng dẫn."),
            ),
            source="Trung tâm Y tế huyện",
        )
        save_bulletin(bulletin, project / "content" / f"{bulletin_id}.yaml")
        ids.append(bulletin_id)
    return ids


#: What every test run publishes: Vietnamese only, one profile, the offline voice (no network).
SMALL_OPTIONS: Mapping[str, Any] = {"locales": ["vi"], "profiles": ["a4"], "engine": "espeak"}


def publish_parameters(schema: Mapping[str, Any], bulletin: str, options: Mapping[str, Any] = SMALL_OPTIONS) -> dict[str, Any]:
    """The parameters of one publish, shaped as the deployment's ``parameter_openapi_schema`` asks.

    Either the publish options are the flow's own parameters, or they are the
    fields of its one typed parameter (a pydantic model, e.g. a ``PublishRequest``).
    """
    values = {"bulletin": bulletin, **options}
    properties: Mapping[str, Any] = schema.get("properties", {})
    if "bulletin" in properties:
        return {k: v for k, v in values.items() if k in properties}
    definitions: Mapping[str, Any] = {**schema.get("definitions", {}), **schema.get("$defs", {})}
    for name, prop in properties.items():
        refs = [prop.get("$ref"), *(p.get("$ref") for p in prop.get("allOf", []) + prop.get("anyOf", []))]
        for ref in filter(None, refs):
            model = definitions.get(str(ref).rsplit("/", 1)[-1], {})
            fields = model.get("properties", {})
            if "bulletin" in fields:
                return {name: {k: v for k, v in values.items() if k in fields}}
    raise AssertionError(f"{PUBLISH}: no 'bulletin' field in its parameter schema: {schema}")


def trigger(api: str, bulletins: Sequence[str]) -> list[Any]:
    """Press "Run" through the API: one publish-bulletin run per bulletin id; the created flow runs."""
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api}), get_client(sync_client=True) as client:
        schema = client.read_deployment_by_name(PUBLISH).parameter_openapi_schema or {}
        return [run_deployment(PUBLISH, parameters=publish_parameters(schema, b), timeout=0) for b in bulletins]


def wait_for(api: str, run_ids: Sequence[Any], timeout_s: float) -> list[Any]:
    """Wait until every run is final (bounded); the flow runs as the API has them then."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.settings import PREFECT_API_URL, temporary_settings

    deadline = time.monotonic() + timeout_s
    with temporary_settings(updates={PREFECT_API_URL: api}), get_client(sync_client=True) as client:
        while True:
            runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=list(run_ids))), limit=len(run_ids))
            if all(r.state is not None and r.state.is_final() for r in runs) or time.monotonic() > deadline:
                return runs
            time.sleep(1)


def throughput(runs: Sequence[Any], first_wave: int) -> tuple[float, float]:
    """Bulletins per minute (from the first run created to the last one ended), and the median seconds from "Run" to Running
    of the ``first_wave`` runs created first (those a free worker slot took at once; the others also waited in the queue)."""
    start = min(r.created for r in runs)
    end = max(r.end_time for r in runs)
    wave = sorted(runs, key=lambda r: r.created)[:first_wave]
    latencies = sorted((r.start_time - r.created).total_seconds() for r in wave)
    return len(runs) / ((end - start).total_seconds() / 60), latencies[len(latencies) // 2]


def print_log_tail(path: Path, out: TextIO = sys.stderr, chars: int = 3000) -> None:
    """The end of a log, for a failing test's report."""
    with contextlib.suppress(OSError):
        out.write(f"--- {path.name}\n{path.read_text(errors='replace')[-chars:]}\n")
