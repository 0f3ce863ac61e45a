"""The newsroom desk (bàn biên tập): a Starlette app where operators draft, preview, approve, publish and retract.

URLs (every page needs a login except ``/login`` and ``/static/``)::

    /login, /logout                      sign in (rate-limited per user and address), sign out (POST)
    /                                     the bulletins, newest first: ?q= search, ?page= paging
    /new                                  a new bulletin: paste text (HTML recognised), upload .txt/.html/.docx, or a URL
    /b/<id>/                              the draft form beside its source; on-air state and actions
    /b/<id>/preview (POST)                start a draft render;  GET: the preview's pages, reading, variants
    /b/<id>/preview/<path>                a preview file, only as the preview record lists it
    /b/<id>/submit, /return, /publish     editorial moves (publish: approver)
    /b/<id>/retract, /restore, /accept    approver acts on the record
    /b/<id>/audit                         who did what to the bulletin
    /b/<id>/runs/<run id>[.json]          a run, stage by stage
    /admin/users, /admin/schedules        admins: users and roles, republish times of day

Roles are checked on the server for every route (:func:`bantin.desk.web.core.page`);
every POST carries the session's CSRF token; hosts are checked as the portal does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Route

from bantin import settings
from bantin.desk.ratelimit import LoginLimiter
from bantin.desk.runs import Runner, RunStatus
from bantin.desk.users import UserStore
from bantin.desk.web import admin, audit, auth, bulletins, runs, static
from bantin.desk.web.security import IDLE_SECONDS, SecurityHeaders, SessionSigner, load_secret

__all__ = ["Desk", "DeskConfig", "create_app", "routes"]

log = logging.getLogger("bantin.desk")

LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def _host_form(host: str) -> str:
    host = host.strip().lower()
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


@dataclass(frozen=True)
class DeskConfig:
    """Where the desk keeps its data, where bulletins are published and previewed, where it listens."""

    project: Path = field(default_factory=settings.project_root)
    desk_dir: Path = field(default_factory=settings.desk_dir)
    outputs: Path = field(default_factory=settings.outputs_dir)
    previews: Path = field(default_factory=settings.preview_dir)
    content: Path | None = None
    deployments: Path = field(default_factory=settings.deployments_path)
    locales: Path | None = None
    host: str = field(default_factory=lambda: settings.desk_address()[0])
    port: int = field(default_factory=lambda: settings.desk_address()[1])
    allowed_hosts: tuple[str, ...] = field(default_factory=settings.portal_allowed_hosts)
    #: the portal's address, linked from a published bulletin
    portal_url: str = field(default_factory=settings.portal_url)
    idle_seconds: int = IDLE_SECONDS

    def trusted_hosts(self) -> list[str]:
        """Hosts the desk answers: localhost, its own address and the configured ones (as the portal)."""
        hosts = list(LOCAL_HOSTS)
        if self.host.strip().lower() not in ("0.0.0.0", "::", "[::]", ""):
            hosts.append(_host_form(self.host))
        hosts += [_host_form(h) for h in self.allowed_hosts]
        return list(dict.fromkeys(hosts))


class Desk:
    """What every request shares: the configuration, the runner, the users, the limiter, the signer, the drafts."""

    def __init__(self, config: DeskConfig, runner: Runner, limiter: LoginLimiter | None = None, users: UserStore | None = None) -> None:
        from bantin.desk.drafts import DraftStore

        self.config = config
        self.runner = runner
        self.users = users or UserStore(config.desk_dir / "users.json")
        self.limiter = limiter or LoginLimiter()
        self.signer = SessionSigner(load_secret(config.desk_dir), idle_seconds=config.idle_seconds)
        self.drafts = DraftStore(config.desk_dir, content=config.content, project=config.project)
        self._finished: dict[str, RunStatus] = {}

    def status(self, run_id: str) -> RunStatus | None:
        """How a run stands (None when the runner cannot say); ended runs are remembered, not asked again."""
        if run_id in self._finished:
            return self._finished[run_id]
        try:
            status = self.runner.status(run_id)
        except Exception as exc:
            log.warning("run %s: its status cannot be read (%s)", run_id, exc)
            return None
        if status.finished:
            self._finished[run_id] = status
        return status

    def publish_status(self, bulletin_id: str) -> RunStatus | None:
        """The bulletin's last publish run, or None."""
        from bantin.errors import BantinError

        try:
            meta = self.drafts.meta(bulletin_id)
        except BantinError:
            return None
        run_id = meta.runs.get("publish") if meta is not None else None
        return self.status(run_id) if run_id else None


def routes() -> list[Route]:
    """Every route of the desk (the tests walk them)."""
    return [
        *static.routes(),
        *auth.routes(),
        *bulletins.routes(),
        *runs.routes(),
        *audit.routes(),
        *admin.routes(),
    ]


def create_app(config: DeskConfig, runner: Runner, *, limiter: LoginLimiter | None = None, users: UserStore | None = None) -> Starlette:
    """The desk app; ``runner`` starts and follows publish runs (:class:`bantin.desk.runs.Runner`)."""
    app = Starlette(
        routes=routes(),
        middleware=[Middleware(SecurityHeaders), Middleware(TrustedHostMiddleware, allowed_hosts=config.trusted_hosts())],
    )
    app.state.desk = Desk(config, runner, limiter=limiter, users=users)
    return app
