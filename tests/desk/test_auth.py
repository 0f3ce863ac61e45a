"""Logins, sessions, CSRF and roles of the desk, through the whole ASGI app."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from bantin.desk.ratelimit import LoginLimiter
from bantin.desk.roles import Role, can
from bantin.desk.web.security import COOKIE
from desk.conftest import PASSWORD, audit_actions


def test_login_ok_sets_a_strict_http_only_cookie_and_logout_ends_it(browser_for) -> None:
    b = browser_for()
    page = b.get("/")
    assert page.url.path == "/login" and page.status_code == 200
    assert '<html lang="vi">' in page.text and "Đăng nhập bàn biên tập" in page.text
    response = b.login("bich")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here; https gets Secure (below)
    listing = b.get("/")
    assert listing.status_code == 200 and "Các bản tin" in listing.text and "bich" in listing.text
    old_cookie = b.client.cookies.get(COOKIE)
    assert b.post("/logout").headers["location"] == "/login"
    assert b.get("/").url.path == "/login"
    # the old cookie, replayed after logout, is refused
    replay = TestClient(b.client.app)
    replay.cookies.set(COOKIE, old_cookie)
    assert replay.get("/", follow_redirects=False).status_code == 303


def test_cookie_is_secure_over_https(make_app) -> None:
    client = TestClient(make_app(), base_url="https://testserver")
    page = client.get("/login")
    assert "Secure" in page.headers["set-cookie"]


def test_failed_login_is_audited_and_says_nothing_about_the_user(browser_for, project: Path) -> None:
    b = browser_for()
    wrong = b.login("bich", "sai-mat-khau-123")
    nobody = b.login("khong-co-ai", "sai-mat-khau-123")
    assert wrong.status_code == nobody.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in wrong.text and "Tên đăng nhập hoặc mật khẩu không đúng" in nobody.text
    assert audit_actions(project, None).count("login_failed") == 2
    assert b.get("/").url.path == "/login"


def test_logins_are_rate_limited_per_user_and_per_address(make_app) -> None:
    clock = [1000.0]
    limiter = LoginLimiter(max_failures=3, window=900, base_delay=60, clock=lambda: clock[0])
    from bantin.desk.app import create_app

    app = make_app()
    app = create_app(app.state.desk.config, app.state.desk.runner, limiter=limiter, users=app.state.desk.users)
    from desk.conftest import Browser

    b = Browser(TestClient(app))
    for _ in range(2):
        assert b.login("bich", "sai-mat-khau-123").status_code == 401
    third = b.login("bich", "sai-mat-khau-123")
    assert third.status_code == 401 and "Hãy thử lại sau 1 phút" in third.text
    refused = b.login("bich", PASSWORD)  # even the right password is not checked now
    assert refused.status_code == 429 and "Đăng nhập sai quá nhiều lần. Hãy thử lại sau 1 phút." in refused.text
    assert int(refused.headers["retry-after"]) >= 60
    assert b.login("duyet", PASSWORD).status_code == 429  # the address is locked out too
    clock[0] += 61
    assert b.login("bich", "sai-mat-khau-123").status_code == 401  # one more failure locks again, for longer
    again = b.login("bich", PASSWORD)
    assert again.status_code == 429 and "2 phút" in again.text
    clock[0] += 121
    assert b.login("bich", PASSWORD).status_code == 303


def test_limiter_unit_growing_delay_and_reset_on_success() -> None:
    now = [0.0]
    lim = LoginLimiter(max_failures=2, window=100, base_delay=10, max_delay=25, clock=lambda: now[0])
    assert lim.failed("a", "1.1.1.1") is None
    first = lim.failed("a", "1.1.1.1")
    assert first is not None and first.retry_after == 10
    assert lim.check("a", "2.2.2.2") is not None and lim.check("b", "1.1.1.1") is not None and lim.check("b", "2.2.2.2") is None
    now[0] = 11
    assert lim.failed("a", "3.3.3.3").retry_after == 20  # type: ignore[union-attr]
    now[0] = 40
    assert lim.failed("a", "4.4.4.4").retry_after == 25  # capped
    now[0] = 70
    lim.succeeded("a", "4.4.4.4")
    assert lim.check("a", "5.5.5.5") is None


def _post_routes(app) -> list[tuple[str, str | None]]:
    out = []
    for route in app.routes:
        if isinstance(route, Route) and "POST" in (route.methods or set()):
            url = route.path.replace("{bid:str}", "2024-06-28-tin").replace("{run_id:str}", "run-1").replace("{name:str}", "bich")
            out.append((url, getattr(route.endpoint, "desk_action", None)))
    return out


def test_every_post_without_or_with_a_forged_csrf_token_is_403(browser_for) -> None:
    b = browser_for("quantri")
    routes = _post_routes(b.client.app)
    assert len(routes) >= 12
    for url, _action in routes:
        missing = b.client.post(url, data={"name": "x"}, follow_redirects=False)
        assert missing.status_code == 403, url
        assert "Biểu mẫu không hợp lệ" in missing.text, url
        forged = b.client.post(url, data={"csrf": b.token[:-4] + "AAAA", "name": "x"}, follow_redirects=False)
        assert forged.status_code == 403, url
    # a token of another session is refused too
    other = browser_for("bich")
    stolen = b.client.post("/b/2024-06-28-tin/submit", data={"csrf": other.token}, follow_redirects=False)
    assert stolen.status_code == 403


def test_an_editor_gets_403_on_every_approver_and_admin_route(browser_for) -> None:
    b = browser_for("bich")
    routes = [(u, a) for u, a in _post_routes(b.client.app) if a and not can(Role.editor, a)]
    assert {a for _, a in routes} >= {"approve", "publish", "retract", "restore", "accept_reading", "manage_users", "manage_schedules"}
    for url, _action in routes:
        response = b.post(url, {"reason": "thử", "locale": "vi", "role": "admin", "change": "role", "name": "x"})
        assert response.status_code == 403, url
        assert "Không có quyền" in response.text
    for url in ("/admin/users", "/admin/schedules"):
        assert b.get(url).status_code == 403
    # an approver cannot manage users either
    assert browser_for("duyet").post("/admin/users", {"name": "moi", "role": "admin", "password": PASSWORD, "password2": PASSWORD}).status_code == 403


def test_a_session_expires_when_idle(make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    from bantin.desk.app import create_app
    from desk.conftest import Browser

    base = make_app()
    config = base.state.desk.config.__class__(**{**base.state.desk.config.__dict__, "idle_seconds": 60})
    app = create_app(config, base.state.desk.runner, users=base.state.desk.users)
    b = Browser(TestClient(app))
    assert b.login("bich").status_code == 303
    assert b.get("/").url.path == "/"
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 120)
    assert b.get("/").url.path == "/login"


def test_security_headers_and_hosts(browser_for, make_app) -> None:
    b = browser_for()
    page = b.get("/login")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-frame-options"] == "DENY" and page.headers["referrer-policy"] == "same-origin"
    assert page.headers["x-content-type-options"] == "nosniff"
    evil = TestClient(make_app(), base_url="http://evil.example")
    assert evil.get("/login").status_code == 400


def test_roles_are_nested() -> None:
    for action in ("add", "edit", "preview", "submit"):
        assert can("editor", action) and can("approver", action) and can("admin", action)
    for action in ("approve", "publish", "retract", "restore", "accept_reading"):
        assert not can("editor", action) and can("approver", action) and can("admin", action)
    for action in ("manage_users", "manage_schedules", "manage_sources"):
        assert not can("approver", action) and can("admin", action)
    assert not can("nobody", "add") and not can("admin", "fly")
    assert Role.editor.label == "biên tập viên"
