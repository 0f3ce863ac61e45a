"""The desk in a real browser: Debian's Chromium under Playwright (never `playwright install`), axe-core on every page.

Screenshots land in ``test-artifacts/desk/`` (git-ignored).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from desk.conftest import FAST_HASHER, PASSWORD, RecordingRunner
from testing_utils import CHROMIUM, ROOT, assert_axe_clean, chromium, screenshot, served_in_thread

ARTIFACTS = ROOT / "test-artifacts" / "desk"
RAW = "Hội nghị giao ban công tác dân vận quý II\n\nSáng 28/6/2024, Ban Dân vận Tỉnh ủy tổ chức hội nghị giao ban.\n\nHội nghị đề ra phương hướng quý III.\n"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium; `make test` does it)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The desk served by uvicorn on a free port in a thread, on a fresh project with one user per role."""

    from bantin.desk.app import DeskConfig, create_app
    from bantin.desk.users import UserStore
    from bantin.project import init_project

    root = tmp_path_factory.mktemp("desk") / "proj"
    init_project(root)
    mp = pytest.MonkeyPatch()
    mp.setenv("BANTIN_ROOT", str(root))
    for name in ("BANTIN_OUTPUTS", "BANTIN_DESK_DIR", "BANTIN_DEPLOYMENTS", "BANTIN_LOCALES"):
        mp.delenv(name, raising=False)
    port = _free_port()
    config = DeskConfig(port=port)
    users = UserStore(config.desk_dir / "users.json", hasher=FAST_HASHER)
    users.add("bich", PASSWORD, "editor")
    users.add("quantri", PASSWORD, "admin")
    app = create_app(config, RecordingRunner(), users=users)
    try:
        with served_in_thread(app, port, "the desk") as url:
            yield url
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, live_desk: str):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


def _check(pg, name: str) -> None:
    assert pg.locator("html").get_attribute("lang") == "vi"
    screenshot(pg, ARTIFACTS, name)
    assert_axe_clean(pg)


def _login(pg, base: str, name: str) -> None:
    pg.goto(base + "/login")
    pg.fill("#name", name)
    pg.fill("#password", PASSWORD)
    pg.click("button[type=submit].primary")
    pg.wait_for_url(base + "/")


def test_every_desk_page_passes_axe_and_the_path_works_by_keyboard(page, live_desk: str) -> None:
    base = live_desk
    page.goto(base + "/")
    page.wait_for_url("**/login?next=/")
    _check(page, "login")
    page.fill("#name", "bich")
    page.fill("#password", "sai-mat-khau-123")
    page.click("button[type=submit].primary")
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in page.locator("#login-error").inner_text()
    assert page.evaluate("() => document.activeElement.id") == "name"  # focus on the field to fix
    _check(page, "login-failed")

    _login(page, base, "bich")
    _check(page, "list-empty")
    page.click("text=Thêm bản tin")
    page.wait_for_url(base + "/new")
    _check(page, "new")
    page.click("button[type=submit].primary")  # nothing given: the error beside the first field, focused
    assert page.locator("#f-text-error").is_visible()
    assert page.evaluate("() => document.activeElement.id") == "f-text"
    assert page.locator("#f-text").get_attribute("aria-describedby") == "f-text-hint f-text-error"
    _check(page, "new-error")
    page.fill("#f-text", RAW)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/b/*/")
    bid = page.url.rstrip("/").rsplit("/", 1)[-1]
    _check(page, "draft")
    page.fill("#f-title", "")
    page.click("form.draft button[type=submit]")
    assert page.evaluate("() => document.activeElement.id") == "f-title"
    _check(page, "draft-error")
    page.fill("#f-title", "Hội nghị giao ban dân vận quý II")
    page.click("form.draft button[type=submit]")
    page.wait_for_url(f"**/b/{bid}/?saved=1")
    page.click("button:has-text('Xem trước')")
    page.wait_for_url(f"**/b/{bid}/runs/*")
    assert page.locator("#run-state-label").inner_text() in ("Đã xong", "Đang chạy", "Đang chờ")
    _check(page, "run")
    page.goto(f"{base}/b/{bid}/preview")
    assert page.locator("img").first.evaluate("i => i.complete && i.naturalWidth > 0")
    _check(page, "preview")
    page.goto(f"{base}/b/{bid}/audit")
    _check(page, "audit")
    page.goto(base + "/")
    assert page.locator("table.bulletins th a").first.inner_text() == "Hội nghị giao ban dân vận quý II"
    _check(page, "list")


def test_admin_pages_pass_axe(page, live_desk: str) -> None:
    _login(page, live_desk, "quantri")
    page.click("text=Người dùng")
    page.wait_for_url(live_desk + "/admin/users")
    _check(page, "users")
    page.click("text=Lịch xuất bản lại")
    page.wait_for_url(live_desk + "/admin/schedules")
    _check(page, "schedules")
    page.fill("#f-new-time", "17:00")
    page.click("button[type=submit].primary")
    assert page.locator(".notice").inner_text() == "Đã lưu lịch xuất bản lại."
    _check(page, "schedules-saved")


def test_keyboard_skip_link_and_visible_focus(page, live_desk: str) -> None:
    _login(page, live_desk, "bich")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#main"
    assert page.evaluate("() => getComputedStyle(document.activeElement).top") != "-64px"
    for _ in range(6):
        page.keyboard.press("Tab")
        style = page.evaluate("() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
        assert style[0] != "none" and style[1] >= 2
