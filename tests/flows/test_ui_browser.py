"""An operator adds a bulletin in the Prefect UI, in Debian's Chromium driven by Playwright.

``bantin up`` on free ports (a throw-away project, PREFECT_HOME and outputs)
starts the server with its UI, the runner and the portal.  The browser opens
add-bulletin, pastes a raw bulletin into the form, runs it, waits for
Completed (a desk draft and its preview: nothing on air), and opens the run
artifact's link to the draft in the desk.  Never downloads a
browser; screenshots land in ``test-artifacts/ui/`` (git-ignored).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from testing_utils import CHROMIUM, ROOT, SAMPLE_YAML, chromium, wait_until

ARTIFACTS = ROOT / "test-artifacts" / "ui"
BIN = Path(sys.executable).parent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium; `make test` does it)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port if port not in (4200, 8080) else _free_port()


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``bantin up`` in a throw-away project; stopped with Ctrl-C (SIGINT) as an operator would."""
    base = tmp_path_factory.mktemp("ui-browser")
    root = base / "root"
    (root / "content").mkdir(parents=True)
    # The publish form's bulletin list is built when the deployments are registered: the bulletin is there before.
    shutil.copy(SAMPLE_YAML, root / "content" / SAMPLE_YAML.name)
    shutil.copy(ROOT / "deployments.yaml", root / "deployments.yaml")
    (base / "outputs").mkdir()  # bantin portal refuses a missing outputs folder
    ui_port, portal_port, desk_port = _free_port(), _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "BANTIN_"))}
    env.update(
        {
            "PREFECT_HOME": str(base / "prefect"),
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "BANTIN_ROOT": str(root),
            "BANTIN_LOCALES": str(ROOT / "locales"),
            "BANTIN_OUTPUTS": str(base / "outputs"),
            "BANTIN_CACHE": str(base / "speech-cache"),
        }
    )
    log = base / "up.log"
    proc = subprocess.Popen(
        [str(BIN / "bantin"), "up", "--ui-port", str(ui_port), "--portal-port", str(portal_port), "--desk-port", str(desk_port)],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    api = f"http://127.0.0.1:{ui_port}/api"
    try:

        def registered() -> dict[str, Any] | None:
            assert proc.poll() is None, log.read_text(errors="replace")
            found = {d["name"]: d for d in httpx.post(f"{api}/deployments/filter", json={}, timeout=5).json()}
            return found.get("add-bulletin")

        deployment = wait_until(registered, 180, "bantin up: the server and the add-bulletin deployment", log)
        wait_until(lambda: httpx.get(f"http://127.0.0.1:{portal_port}/", timeout=5).status_code == 200, 60, "the portal", log)
        yield {"ui": f"http://127.0.0.1:{ui_port}", "api": api, "deployment": deployment, "log": log, "root": root}
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGINT)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


NEW_BULLETIN = (
    "Tiêm chủng mở rộng cho trẻ em vùng sâu\n\n"
    "Sáng 3/7/2024, Trung tâm Y tế huyện tổ chức đợt tiêm chủng mở rộng tại các xã vùng sâu, vùng xa.\n\n"
    "Gần 500 trẻ em được tiêm đủ mũi trong đợt này; cán bộ y tế đến tận thôn, bon để vận động gia đình đưa trẻ đi tiêm.\n"
)


def test_operator_adds_a_pasted_bulletin_and_opens_its_draft_in_the_desk(up: dict[str, Any], browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    deployment = up["deployment"]

    page.goto(f"{up['ui']}/deployments")
    page.get_by_text("add-bulletin", exact=True).first.click()
    page.wait_for_url(f"**/deployments/deployment/{deployment['id']}**")
    run_button = page.get_by_role("button", name=re.compile(r"^\s*Run\b"))
    run_button.first.wait_for()
    page.wait_for_load_state("networkidle")
    _shot(page, "1-add-bulletin")
    run_button.first.click()
    try:
        page.get_by_text("Custom run").first.click(timeout=15_000)
    finally:
        _shot(page, "1b-run-menu")
    page.wait_for_url("**/run**")
    text_box = page.locator("textarea").first
    text_box.wait_for()
    assert page.get_by_text("Nội dung bản tin").first.is_visible()  # the Vietnamese label, not "text"
    text_box.fill(NEW_BULLETIN)
    _shot(page, "2-form-filled")
    page.get_by_role("button", name="Submit").click()

    def finished() -> dict[str, Any] | None:
        runs = httpx.post(f"{up['api']}/flow_runs/filter", json={"deployments": {"id": {"any_": [deployment["id"]]}}}, timeout=5).json()
        final = [r for r in runs if (r.get("state") or {}).get("type") in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")]
        return final[0] if final else None

    run = wait_until(finished, 480, "the add-bulletin run to finish", up["log"])
    assert run["state"]["type"] == "COMPLETED", run["state"]
    page.goto(f"{up['ui']}/runs/flow-run/{run['id']}")
    page.get_by_text("Completed").first.wait_for()
    _shot(page, "3-run-completed")

    page.get_by_text("Artifacts", exact=True).first.click()
    page.wait_for_load_state("networkidle")
    _shot(page, "4a-artifacts-tab")
    artifacts = httpx.post(f"{up['api']}/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [run["id"]]}}}, timeout=5).json()
    added = next(a for a in artifacts if a["key"] and a["key"].endswith("-added"))
    page.goto(f"{up['ui']}/artifacts/artifact/{added['id']}")
    link = page.locator("a[href*='/b/']").filter(has_text=re.compile(r"^desk: http")).first
    link.wait_for()
    _shot(page, "4-artifact")
    href = link.get_attribute("href")
    assert href and href.startswith("http://127.0.0.1:") and "/b/2024-07-03-" in href
    drafts = list((up["root"] / "desk" / "drafts").glob("2024-07-03-*.yaml"))
    assert len(drafts) == 1 and not (up["root"] / "content" / drafts[0].name).exists()  # a draft, not on air
    operator = browser.new_context(locale="vi-VN")  # an operator's browser, in Vietnamese
    desk = operator.new_page()
    response = desk.goto(href)
    assert response is not None and response.status == 200
    assert desk.locator("h1").inner_text() == "Đăng nhập bàn biên tập"  # the desk asks who is there first
    _shot(desk, "5-desk-login")
    operator.close()
    context.close()


def test_publish_form_offers_the_added_bulletin(up: dict[str, Any], browser: Any) -> None:
    """After the add (the test above), the publish form lists the bulletin by id, under Vietnamese labels."""
    from testing_utils import SAMPLE_ID

    api = up["api"]
    deployment = next(d for d in httpx.post(f"{api}/deployments/filter", json={}, timeout=5).json() if d["name"] == "publish-bulletin")
    schema = deployment["parameter_openapi_schema"]
    assert list(schema["properties"]) == ["request"]  # one typed parameter
    request = next(d for d in (schema.get("definitions") or schema.get("$defs") or {}).values() if "bulletin" in d.get("properties", {}))
    assert SAMPLE_ID in request["properties"]["bulletin"]["anyOf"][0].get("enum", [])  # listed when the deployments were registered
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{up['ui']}/deployments/deployment/{deployment['id']}/run")
    page.get_by_text("Bản tin", exact=True).first.wait_for()
    page.wait_for_load_state("networkidle")
    for label in ("Ngôn ngữ", "Khổ in", "Giọng đọc", "Làm lại từ đầu"):
        assert page.get_by_text(label, exact=True).first.is_visible() or page.get_by_text(re.compile(f"^{re.escape(label)}")).first.is_visible()
    _shot(page, "6-publish-form")
    page.locator(".p-select-button").first.click()  # the known bulletins, in a list
    if not page.locator(".p-select-option").count():
        page.keyboard.press("ArrowDown")
    option = page.get_by_text(SAMPLE_ID, exact=True).first
    try:
        option.wait_for(timeout=15_000)
    finally:
        _shot(page, "7-publish-form-bulletins")
    option.click()
    context.close()
