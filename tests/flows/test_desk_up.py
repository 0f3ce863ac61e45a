"""The newsroom end to end, as operators meet it: ``bantin up`` (Prefect server, runner, portal, desk), Chromium, two roles.

An editor adds a bulletin in the desk and previews it; nothing is on the
portal or in the feed.  She cannot publish it.  The approver publishes it: a
run of the ``publish-bulletin`` deployment (named after the bulletin, in the
Prefect UI too); only then is it on the portal.  Its reading is a machine
(espeak) reading, held out of the feed until the approver accepts it.  A
retraction takes it off the portal, the feed and the pack at once, keeping
its files.  A schedule edited in the desk survives a restart of ``bantin up``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from testing_utils import CHROMIUM, ROOT, SAMPLE_RAW, chromium, wait_until

PASSWORD = "mat-khau-du-dai-1"
ARTIFACTS = ROOT / "test-artifacts" / "desk-up"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium; `make test` does it)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Up:
    """One ``bantin up`` of a project, with its addresses; stopped (and its server with it) by :meth:`stop`."""

    def __init__(self, root: Path, env: dict[str, str], ports: tuple[int, int, int]) -> None:
        self.root, self.env, (self.ui_port, self.portal_port, self.desk_port) = root, env, ports
        self.log = root / f"up-{len(list(root.glob('up-*.log')))}.log"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bantin.cli",
                "up",
                "--ui-port",
                str(self.ui_port),
                "--portal-port",
                str(self.portal_port),
                "--desk-port",
                str(self.desk_port),
            ],
            cwd=root,
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.api = f"http://127.0.0.1:{self.ui_port}/api"
        self.portal = f"http://127.0.0.1:{self.portal_port}"
        self.desk = f"http://127.0.0.1:{self.desk_port}"

        def desk_up() -> bool:
            assert self.process.poll() is None, self.log.read_text(errors="replace")[-3000:]
            return httpx.get(f"{self.desk}/login", timeout=2).status_code == 200

        wait_until(desk_up, 180, "the desk", self.log)
        wait_until(lambda: httpx.get(f"{self.portal}/", timeout=2).status_code == 200, 60, "the portal", self.log)
        deployment = f"{self.api}/deployments/name/publish-bulletin/publish-bulletin"
        wait_until(lambda: httpx.get(deployment, timeout=2).status_code == 200, 180, "the publish-bulletin deployment", self.log)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    root = tmp_path_factory.mktemp("newsroom") / "centre"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANTIN_", "PREFECT_"))}
    env |= {
        "PREFECT_HOME": str(root / ".prefect"),
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "BANTIN_CACHE": os.environ["BANTIN_CACHE"],
    }
    run = lambda *args: subprocess.run([sys.executable, "-m", "bantin.cli", *args], cwd=root, env=env, capture_output=True, text=True, timeout=120, check=True)  # noqa: E731
    root.mkdir(parents=True)
    subprocess.run(
        [sys.executable, "-m", "bantin.cli", "init", str(root), "--centre", "Trung tâm Truyền thông huyện"],
        env=env,
        capture_output=True,
        check=True,
        timeout=120,
    )
    # What a publish makes: one locale, one profile, the offline voice (no internet here: a machine reading)
    deployments = root / "deployments.yaml"
    text = deployments.read_text(encoding="utf-8")
    text = text.replace("locales: [vi, en, km, cmo, rad]", "locales: [vi]").replace("profiles: [a4, a5, large-print]", "profiles: [a5]")
    deployments.write_text(text.replace("engine: auto", "engine: espeak"), encoding="utf-8")
    run("desk", "user", "add", "bich", "--role", "editor", "--password", PASSWORD)
    run("desk", "user", "add", "duyet", "--role", "approver", "--password", PASSWORD)
    yield root, env


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def _login(browser: object, base: str, name: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="vi-VN", viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(base + "/")
    return page


def _wait_run(page, up: Up, what: str) -> None:  # type: ignore[no-untyped-def]
    """Follow the run page until the run ends; it must end done."""
    page.wait_for_url("**/runs/*")
    ended = ("Đã xong", "Lỗi", "Đã huỷ", "Dừng giữa chừng")

    def done() -> bool:
        page.reload()
        return page.locator("#run-state-label").inner_text() in ended

    wait_until(done, 300, what, up.log, interval=2)

    assert page.locator("#run-state-label").inner_text() == "Đã xong", page.locator("#run-message").inner_text()


def _feed_has(up: Up, bid: str) -> bool:
    return bid in httpx.get(f"{up.portal}/feed/vi.xml", timeout=10).text


def test_draft_approve_publish_degraded_retract_and_schedule(project: tuple[Path, dict[str, str]], browser: object) -> None:
    root, env = project
    ports = (_free_port(), _free_port(), _free_port())
    up = Up(root, env, ports)
    try:
        editor = _login(browser, up.desk, "bich")
        editor.click("text=Thêm bản tin")
        editor.fill("#f-text", SAMPLE_RAW.read_text(encoding="utf-8"))
        editor.click("button[type=submit].primary")
        editor.wait_for_url("**/b/*/")
        bid = editor.url.rstrip("/").rsplit("/", 1)[-1]
        editor.click("button:has-text('Xem trước')")
        _wait_run(editor, up, "the preview run")
        editor.goto(f"{up.desk}/b/{bid}/preview")
        assert editor.locator("img").first.evaluate("i => i.complete && i.naturalWidth > 0")
        assert httpx.get(f"{up.portal}/{bid}/vi/", timeout=10).status_code == 404  # a draft is not on the portal
        editor.goto(f"{up.desk}/b/{bid}/")
        editor.click("button:has-text('Gửi duyệt')")
        assert editor.locator("button:has-text('Duyệt và xuất bản')").count() == 0  # not offered to an editor...
        csrf = editor.locator("input[name=csrf]").first.get_attribute("value")
        refused = editor.request.post(f"{up.desk}/b/{bid}/publish", form={"csrf": csrf or ""})
        assert refused.status == 403  # ...and refused by the server when forged

        approver = _login(browser, up.desk, "duyet")
        approver.goto(f"{up.desk}/b/{bid}/")
        approver.click("button:has-text('Duyệt và xuất bản')")
        _wait_run(approver, up, "the publish run")
        # The run is in Prefect, named after the bulletin
        runs = httpx.post(f"{up.api}/flow_runs/filter", json={"limit": 200}, timeout=10).json()
        assert any(r["name"].startswith("2024-06-28 Hội nghị giao ban") for r in runs), [r["name"] for r in runs]
        assert httpx.get(f"{up.portal}/{bid}/vi/", timeout=10).status_code == 200
        assert not _feed_has(up, bid)  # a machine reading stays out of the feed...
        approver.goto(f"{up.desk}/b/{bid}/")
        approver.click("button:has-text('Chấp nhận bản đọc máy')")
        wait_until(lambda: _feed_has(up, bid), 20, "the accepted reading in the feed", up.log)  # ...until accepted
        assert httpx.get(f"{up.portal}/packs/{bid}.zip", timeout=30).status_code == 200

        approver.goto(f"{up.desk}/b/{bid}/")
        approver.fill("#f-reason", "Thông tin cần đính chính")
        approver.click("button:has-text('Gỡ bỏ bản tin')")
        # at once: the desk answers after the record is rewritten; the portal looks at the index ten times a second
        assert httpx.get(f"{up.portal}/{bid}/vi/", timeout=10).status_code == 410
        wait_until(lambda: not _feed_has(up, bid), 1, "the retracted bulletin gone from the feed", up.log, interval=0.1)
        assert httpx.get(f"{up.portal}/packs/{bid}.zip", timeout=10).status_code in (404, 410)
        assert (root / "outputs" / bid / "manifest.json").is_file()  # files and record kept

        admin_page = approver  # schedules are an admin's: the approver is refused
        assert admin_page.request.get(f"{up.desk}/admin/schedules").status == 403
    finally:
        up.stop()

    # A schedule edit survives a restart: the desk writes deployments.yaml, which the deployments are built from.
    run = lambda *args: subprocess.run([sys.executable, "-m", "bantin.cli", *args], cwd=root, env=env, capture_output=True, text=True, timeout=120, check=True)  # noqa: E731
    run("desk", "user", "add", "quantri", "--role", "admin", "--password", PASSWORD)
    up = Up(root, env, (_free_port(), _free_port(), _free_port()))
    try:
        admin = _login(browser, up.desk, "quantri")
        admin.goto(f"{up.desk}/admin/schedules")
        admin.fill("#f-new-time", "17:05")
        admin.click("button[type=submit].primary")
        assert admin.locator(".notice").inner_text() == "Đã lưu lịch xuất bản lại."
    finally:
        up.stop()
    up = Up(root, env, (_free_port(), _free_port(), _free_port()))
    try:
        assert "17:05" in (root / "deployments.yaml").read_text(encoding="utf-8")  # the one source of truth

        def crons() -> list[str]:
            deployment = httpx.get(f"{up.api}/deployments/name/republish/republish", timeout=10).json()
            return sorted(s["schedule"]["cron"] for s in deployment["schedules"])

        # the server keeps the old registration until the restarted runner registers the deployments from the file
        wait_until(lambda: "5 17 * * *" in crons(), 120, "the republish schedule registered again from deployments.yaml", up.log)
        admin = _login(browser, up.desk, "quantri")
        admin.goto(f"{up.desk}/admin/schedules")
        assert "17:05" in admin.content()
    finally:
        up.stop()
