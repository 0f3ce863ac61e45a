"""The one gate every desk route goes through, and how pages are rendered.

:func:`page` wraps a handler: it reads the session (making an anonymous one
for a new visitor), refuses a POST whose CSRF token is missing or not this
session's (403) *before* anything else, then requires a logged-in, active
user (else the login page) and the route's action for the user's role
(:func:`bantin.desk.roles.can`; else 403).  Handlers are plain synchronous
functions of a :class:`Ctx` (run in Starlette's thread pool: they read and
write files, start runs).  A test walks every POST route of the app and
checks each refuses a missing token and an editor where an approver is needed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bantin.desk.roles import ROLE_LABELS, Role, can
from bantin.desk.users import User
from bantin.desk.web.forms import dom_id
from bantin.desk.web.i18n import desk_ui, template_env
from bantin.desk.web.security import Session
from bantin.portal.ui import UI

if TYPE_CHECKING:
    from bantin.desk.app import Desk

__all__ = ["MAX_BODY", "Ctx", "Handler", "error_page", "page", "record"]

log = logging.getLogger("bantin.desk")

#: The largest request body taken (an uploaded source file and the form around it).
MAX_BODY = 12 * 1024 * 1024
#: The largest non-file field (pasted text).
MAX_FIELD = 6 * 1024 * 1024


@dataclass
class Ctx:
    """One request as a handler sees it: who asks, in which language, with which form."""

    request: Request
    desk: Desk
    session: Session
    user: User | None
    ui: UI
    form: FormData | None = None
    #: a new session a handler made (login, logout): its cookie is set on the answer
    new_session: Session | None = None
    clear_session: bool = False
    extra_cookies: list[Callable[[Response], None]] = field(default_factory=list)

    def t(self, message: str, **variables: object) -> str:
        """A desk message, translated and %-formatted, as plain text."""
        text = self.ui.text(message)
        try:
            return text % variables if variables else text
        except (KeyError, ValueError, TypeError):
            return message % variables

    def field(self, name: str) -> str:
        value = self.form.get(name) if self.form is not None else None
        return value.strip() if isinstance(value, str) else ""

    def can(self, action: str) -> bool:
        return self.user is not None and can(self.user.role, action)

    def render(self, template: str, status: int = 200, **variables: Any) -> HTMLResponse:
        """A page in the UI language, with what every page needs (user, CSRF token, navigation)."""
        session = self.new_session or self.session
        env = template_env(self.ui)
        html = env.get_template(template).render(
            lang=self.ui.lang,
            user=self.user,
            role_label=(self.ui.text(ROLE_LABELS[self.user.role]) if self.user else ""),
            csrf=self.desk.signer.csrf_token(session),
            can=self.can,
            path=self.request.url.path,
            title_suffix=self.ui.text("Bàn biên tập"),
            fmt_date=self.ui.date,
            locale_name=self.ui.locale_name,
            state_labels=STATE_LABELS,
            locale_status_labels=LOCALE_STATUS_LABELS,
            dom_id=dom_id,
            **variables,
        )
        return HTMLResponse(html, status_code=status)

    def redirect(self, url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)


Handler = Callable[[Ctx], Response]


def N_(message: str) -> str:
    """Mark a string for the desk catalog."""
    return message


#: The desk states (:class:`bantin.desk.states.DeskState`) as the desk catalog knows them.
STATE_LABELS: Mapping[str, str] = {
    "draft": N_("nháp"),
    "submitted": N_("chờ duyệt"),
    "publishing": N_("đang xuất bản"),
    "published": N_("đã xuất bản"),
    "degraded": N_("bản đọc máy"),
    "failed": N_("lỗi"),
    "retracted": N_("đã gỡ"),
}
#: A locale's status in a record.
LOCALE_STATUS_LABELS: Mapping[str, str] = {
    "published": N_("Đã dựng"),
    "skipped": N_("Chưa dựng (dịch chưa đủ)"),
    "failed": N_("Lỗi"),
}


def error_page(ctx: Ctx, status: int, heading: str, message: str) -> HTMLResponse:
    """A short page in Vietnamese saying what went wrong and what to do."""
    return ctx.render("error.html.j2", status=status, heading=heading, message=message)


def record(action: str, actor: str, bulletin: str | None, detail: str = "", root: Path | None = None) -> None:
    """Append an audit event (:mod:`bantin.publish.audit`)."""
    from bantin.publish.audit import record_event

    record_event(action, actor, bulletin, detail, root=root)


async def _read_form(request: Request) -> FormData:
    return await request.form(max_files=2, max_fields=2000, max_part_size=MAX_FIELD)


def page(action: str | None = None, *, login: bool = True) -> Callable[[Handler], Callable[[Request], Any]]:
    """Make ``handler`` a route: CSRF on POST first, then login, then the role's ``action`` (all on the server)."""

    def decorate(handler: Handler) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            desk: Desk = request.app.state.desk
            session = desk.signer.read(request)
            anonymous_new = session is None
            current = session or desk.signer.new()
            ui = desk_ui(request.headers.get("accept-language"), desk.config.locales)
            ctx = Ctx(request=request, desk=desk, session=current, user=None, ui=ui)
            if request.method == "POST":
                length = request.headers.get("content-length")
                if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
                    return error_page(ctx, 413, ctx.t("Tệp quá lớn"), ctx.t("Yêu cầu lớn hơn %(mb)d MB. Hãy gửi tệp nhỏ hơn.", mb=MAX_BODY // 2**20))
                try:
                    ctx.form = await _read_form(request)
                except Exception:
                    return error_page(ctx, 400, ctx.t("Biểu mẫu không đọc được"), ctx.t("Hãy tải lại trang và gửi lại biểu mẫu."))
                if not desk.signer.csrf_ok(session, ctx.form.get("csrf")):
                    return error_page(
                        ctx,
                        403,
                        ctx.t("Biểu mẫu không hợp lệ"),
                        ctx.t("Biểu mẫu này đã hết hạn hoặc không được gửi từ bàn biên tập. Hãy tải lại trang rồi thử lại."),
                    )
            if session is not None and session.user:
                user = await run_in_threadpool(desk.users.get, session.user)
                ctx.user = user if user is not None and not user.disabled else None
            if login and ctx.user is None:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                response: Response = ctx.redirect(f"/login?next={quote(target, safe='/')}")
            elif action is not None and not ctx.can(action):
                response = error_page(ctx, 403, ctx.t("Không có quyền"), ctx.t("Vai trò của bạn không được làm việc này. Hãy nhờ người duyệt hoặc quản trị."))
            else:
                response = await run_in_threadpool(handler, ctx)
            if ctx.clear_session:
                desk.signer.clear_cookie(response, request)
            elif ctx.new_session is not None:
                desk.signer.set_cookie(response, request, ctx.new_session)
            elif anonymous_new or current.stale:
                desk.signer.set_cookie(response, request, current if anonymous_new else current_refreshed(current))
            return response

        endpoint.__name__ = handler.__name__
        endpoint.__doc__ = handler.__doc__
        endpoint.desk_action = action  # type: ignore[attr-defined]  # read by the tests that walk every route
        endpoint.desk_login = login  # type: ignore[attr-defined]
        return endpoint

    return decorate


def current_refreshed(session: Session) -> Session:
    """The same session (user and nonce: its forms' tokens stay valid), signed again now."""
    import time

    return Session(user=session.user, nonce=session.nonce, signed_at=time.time())


def role_choices(ui: UI) -> Mapping[str, str]:
    """The roles as (value, label) for a select."""
    return {r.value: ui.text(ROLE_LABELS[r]) for r in Role}
