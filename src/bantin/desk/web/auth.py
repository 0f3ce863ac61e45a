"""Login and logout.

A login is refused without checking the password while the user name or the
client address is locked out (:class:`bantin.desk.ratelimit.LoginLimiter`); a
failed one is counted for both and written to the desk's audit log
(``login_failed``).  The answer never says whether the name exists.  A good
login gets a new session (new nonce: a session fixed before login is void).
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from bantin.desk.web.core import Ctx, page, record

__all__ = ["routes", "safe_next"]


def safe_next(target: str) -> str:
    """Where to go after login: a path on this desk only (never ``//host`` or a full URL)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target or target.startswith("/login"):
        return "/"
    return target


def _address(ctx: Ctx) -> str:
    return ctx.request.client.host if ctx.request.client else "?"


@page(login=False)
def login(ctx: Ctx) -> Response:
    target = safe_next(ctx.request.query_params.get("next", "/"))
    if ctx.request.method == "GET":
        if ctx.user is not None:
            return ctx.redirect(target)
        return ctx.render("login.html.j2", next=target, name="", error="")
    target = safe_next(ctx.field("next") or "/")
    name = ctx.field("name").lower()[:64]
    password = ctx.form.get("password") if ctx.form is not None else ""
    password = password if isinstance(password, str) else ""
    address = _address(ctx)
    refusal = ctx.desk.limiter.check(name, address)
    if refusal is not None:
        minutes = max(1, -(-int(refusal.retry_after) // 60))
        text = ctx.t("Đăng nhập sai quá nhiều lần. Hãy thử lại sau %(minutes)d phút.", minutes=minutes)
        response = ctx.render("login.html.j2", status=429, next=target, name=name, error=text)
        response.headers["Retry-After"] = str(int(refusal.retry_after) + 1)
        return response
    user = ctx.desk.users.verify(name, password) if name and password else None
    if user is None:
        refusal = ctx.desk.limiter.failed(name, address)
        record("login_failed", name or "?", None, f"từ {address}", root=ctx.desk.config.project)
        text = ctx.t("Tên đăng nhập hoặc mật khẩu không đúng. Hãy thử lại.")
        if refusal is not None:
            minutes = max(1, -(-int(refusal.retry_after) // 60))
            text += " " + ctx.t("Đăng nhập sai quá nhiều lần. Hãy thử lại sau %(minutes)d phút.", minutes=minutes)
        return ctx.render("login.html.j2", status=401, next=target, name=name, error=text)
    ctx.desk.limiter.succeeded(name, address)
    ctx.desk.signer.revoke(ctx.session)
    ctx.new_session = ctx.desk.signer.new(user.name)
    return ctx.redirect(target)


@page(login=False)
def logout(ctx: Ctx) -> Response:
    ctx.desk.signer.revoke(ctx.session)
    ctx.clear_session = True
    return ctx.redirect("/login")


def routes() -> list[Route]:
    return [Route("/login", login, methods=["GET", "POST"]), Route("/logout", logout, methods=["POST"])]
