"""Fixtures of the desk web app: a fresh project, a recording runner that writes real records, clients logged in per role."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from bantin.desk.runs import RunStatus, StageProgress

PASSWORD = "mat-khau-rat-dai-1"
#: Cheap argon2 parameters: the tests check the flow, not the hash's cost.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def tiny_png() -> bytes:
    """A real 2x2 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\xff\xff" * 2 for _ in range(2))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


class RecordingRunner:
    """A :class:`bantin.desk.runs.Runner` that records each request and writes the record a publish would (real model, real store layout).

    ``script`` gives the states its runs report, in order (the last repeats); ``degraded`` makes the reading a machine one.
    """

    def __init__(self) -> None:
        self.requests: list[tuple[object, str]] = []
        self.script: list[str] = ["completed"]
        self.degraded = True
        self.url = "http://127.0.0.1:4200/runs/flow-run/{run_id}"
        self._seen: dict[str, int] = {}
        self._ids = itertools.count(1)

    def start(self, request, run_name: str) -> str:
        self.requests.append((request, run_name))
        run_id = f"run-{next(self._ids)}"
        if "failed" not in self.script:
            write_record(request, self.degraded)
        return run_id

    def status(self, run_id: str) -> RunStatus:
        n = self._seen.get(run_id, 0)
        self._seen[run_id] = n + 1
        state = self.script[min(n, len(self.script) - 1)]
        stage_state = {"running": "running", "completed": "completed", "failed": "failed"}.get(state, "pending")
        stages = (
            StageProgress("render_pdf-vi-a4", "Dàn trang PDF (vi, a4)", "completed" if state != "pending" else "pending"),
            StageProgress("synthesize_audio-vi", "Đọc (vi)", stage_state),
        )
        message = {"running": "Đang xuất bản…", "completed": "Đã xuất bản xong.", "failed": "Xuất bản không thành công."}.get(state, "Đang chờ bắt đầu.")
        return RunStatus(run_id=run_id, state=state, degraded=self.degraded, stages=stages, message=message, url=self.url.format(run_id=run_id))


def write_record(request, degraded: bool) -> Path:
    """A generation with a page preview, a reading and its transcript, and the record listing them, in ``request.outputs_root()``."""
    from bantin.content.bulletin_file import load_bulletin, resolve_bulletin
    from bantin.publish.record import Record, dumps
    from bantin.publish.store import STORE_DIR

    path = Path(request.bulletin) if request.bulletin.endswith(".yaml") else resolve_bulletin(request.bulletin)
    bulletin = load_bulletin(path)
    root = request.outputs_root()
    home = root / STORE_DIR / bulletin.id
    gen = home / f"g{dt.datetime.now().strftime('%H%M%S%f')}"
    gen.mkdir(parents=True)
    files = {
        "vi/a4-page1.png": tiny_png(),
        "vi/reading.mp3": b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 64,
        "vi/reading.txt": f"{bulletin.title}\n{bulletin.paragraphs[0].text if bulletin.paragraphs else ''}\n".encode(),
    }
    for rel, data in files.items():
        (gen / rel).parent.mkdir(parents=True, exist_ok=True)
        (gen / rel).write_bytes(data)

    def entry(rel: str, kind: str, media: str, **extra: object) -> dict[str, object]:
        data = files[rel]
        return {"path": rel, "kind": kind, "locale": "vi", "media_type": media, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), **extra}

    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    editorial = {"state": "draft"} if request.draft else {"state": "published", "approved_by": request.approved_by or None, "approved_at": now}
    record = Record.model_validate(
        {
            "schema": 2,
            "bulletin": {"id": bulletin.id, "title": bulletin.title, "date": bulletin.date.isoformat()},
            "generated_at": now,
            "generation": gen.name,
            "locales": {"vi": {"code": "vi", "status": "published", "reading": "vi/reading.mp3", "percent": 100.0}},
            "outputs": [
                entry("vi/a4-page1.png", "preview", "image/png", profile="a4"),
                entry("vi/reading.mp3", "audio", "audio/mpeg", degraded=degraded, engine="espeak-ng" if degraded else "gtts", duration_s=1.0),
                entry("vi/reading.txt", "transcript", "text/plain", of="vi/reading.mp3"),
            ],
            "editorial": editorial,
        }
    )
    (gen / "manifest.json").write_text(dumps(record), encoding="utf-8")
    live = root / bulletin.id
    tmp = root / f".{bulletin.id}.tmp-link"
    tmp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(gen, root), tmp)
    os.replace(tmp, live)
    return gen


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from bantin.project import init_project

    root = tmp_path / "proj"
    init_project(root)
    monkeypatch.setenv("BANTIN_ROOT", str(root))
    for name in ("BANTIN_OUTPUTS", "BANTIN_DESK_DIR", "BANTIN_DEPLOYMENTS", "BANTIN_LOCALES", "BANTIN_ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    return root


@pytest.fixture
def runner() -> RecordingRunner:
    return RecordingRunner()


@pytest.fixture
def make_app(project: Path, runner: RecordingRunner) -> Callable[..., object]:
    """A desk app on the project, with the users editor ``bich``, approver ``duyet`` and admin ``quantri``."""
    from bantin.desk.app import DeskConfig, create_app
    from bantin.desk.users import UserStore

    def make(**kwargs: object) -> object:
        config = DeskConfig(allowed_hosts=("testserver",), **kwargs)  # type: ignore[arg-type]
        users = UserStore(config.desk_dir / "users.json", hasher=FAST_HASHER)
        if not users.list():
            users.add("bich", PASSWORD, "editor")
            users.add("duyet", PASSWORD, "approver")
            users.add("quantri", PASSWORD, "admin")
        return create_app(config, runner, users=users)

    return make


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


class Browser:
    """A TestClient that logs in and posts forms with the page's CSRF token, as a browser would."""

    def __init__(self, client) -> None:
        self.client = client
        self.token = ""

    def get(self, url: str, **kw: object):
        response = self.client.get(url, **kw)
        if 'name="csrf"' in response.text:
            self.token = csrf_of(response.text)
        return response

    def post(self, url: str, data: dict[str, object] | None = None, **kw: object):
        if not self.token:
            self.get("/login")
        response = self.client.post(url, data={"csrf": self.token, **(data or {})}, follow_redirects=False, **kw)
        if 'name="csrf"' in response.text:
            self.token = csrf_of(response.text)
        return response

    def login(self, name: str, password: str = PASSWORD):
        self.get("/login")
        response = self.post("/login", {"name": name, "password": password, "next": "/"})
        self.get("/") if response.status_code == 303 else None
        return response


@pytest.fixture
def browser_for(make_app) -> Iterator[Callable[[str | None], Browser]]:
    from starlette.testclient import TestClient

    app = make_app()
    clients: list[TestClient] = []

    def make(user: str | None = None) -> Browser:
        client = TestClient(app)
        clients.append(client)
        b = Browser(client)
        if user:
            assert b.login(user).status_code == 303
        return b

    yield make
    for c in clients:
        c.close()


def audit_actions(project: Path, bulletin: str | None) -> list[str]:
    from bantin.publish.audit import events

    return [e.action for e in events(bulletin, root=project)]


__all__ = ["PASSWORD", "Browser", "RecordingRunner", "audit_actions", "csrf_of", "json", "tiny_png", "write_record"]
