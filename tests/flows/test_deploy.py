"""Operating from the Prefect UI, checked from outside as an operator would.

A real ``prefect server start`` (SQLite in a temporary PREFECT_HOME, a free
loopback port, never 4200) and ``bantin serve`` run as background processes for
the whole module; runs are created through the REST API exactly as the UI's Run
button does (``POST /deployments/{id}/create_flow_run``).  Outputs go to
temporary folders, so the repository's outputs/ is untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from bantin.fsutil import sha256_file
from testing_utils import ROOT, SAMPLE_ID, SAMPLE_YAML, wait_until

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return port if port != 4200 else _free_port()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a background process and everything it started (its own process group)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A throw-away bantin root (content + deployments.yaml), outputs, speech cache and PREFECT_HOME."""
    base = tmp_path_factory.mktemp("ui")
    root = base / "root"
    (root / "content").mkdir(parents=True)
    shutil.copy(SAMPLE_YAML, root / "content" / SAMPLE_YAML.name)
    shutil.copy(ROOT / "deployments.yaml", root / "deployments.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        {
            "PREFECT_HOME": str(base / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_UI_ENABLED": "false",
            "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{base / 'prefect' / 'prefect.db'}",
            "BANTIN_ROOT": str(root),
            "BANTIN_LOCALES": str(ROOT / "locales"),
            "BANTIN_OUTPUTS": str(base / "outputs"),
            "BANTIN_CACHE": str(base / "speech-cache"),
        }
    )
    return {"base": base, "root": root, "outputs": base / "outputs", "env": env}


@pytest.fixture(scope="module")
def server(site: dict[str, Any]) -> Iterator[str]:
    port = _free_port()
    log = site["base"] / "server.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
        env=site["env"],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        api = f"http://127.0.0.1:{port}/api"
        wait_until(lambda: proc.poll() is None and httpx.get(f"{api}/health", timeout=2).status_code == 200, 120, "the Prefect server", log)
        yield api
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def served(site: dict[str, Any], server: str) -> Iterator[dict[str, dict[str, Any]]]:
    """``bantin serve`` against the test server; the two deployments, as the API returns them."""
    env = {**site["env"], "PREFECT_API_URL": server, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    log = site["base"] / "serve.log"
    proc = subprocess.Popen(
        [str(BIN / "bantin"), "serve"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:

        def deployments() -> dict[str, dict[str, Any]] | None:
            assert proc.poll() is None, log.read_text(errors="replace")
            found = httpx.post(f"{server}/deployments/filter", json={}, timeout=5).json()
            by_name = {d["name"]: d for d in found}
            return by_name if {"publish-bulletin", "republish", "add-bulletin"} <= set(by_name) else None

        yield wait_until(deployments, 90, "bantin serve to register its deployments", log)
    finally:
        _stop(proc)


def _run(api: str, deployment: dict[str, Any], parameters: dict[str, Any], log: Path) -> dict[str, Any]:
    """Press Run: create a flow run from the deployment, then wait for a final state."""
    for _ in range(20):  # SQLite answers 503 while another writer holds the database; the UI retries too
        created = httpx.post(f"{api}/deployments/{deployment['id']}/create_flow_run", json={"parameters": parameters}, timeout=10)
        if created.status_code != 503:
            break
        print("503:", created.text[:300])
        time.sleep(0.5)
    created.raise_for_status()
    run_id = created.json()["id"]

    def final() -> dict[str, Any] | None:
        run = httpx.get(f"{api}/flow_runs/{run_id}", timeout=5).json()
        return run if (run.get("state") or {}).get("type") in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

    return wait_until(final, 240, f"flow run {run_id}", log)


def _task_states(api: str, run_id: str) -> dict[str, str]:
    """Final state name of each task run (recorded from events, so shortly after the flow run ends)."""

    def final() -> dict[str, str] | None:
        runs = httpx.post(f"{api}/task_runs/filter", json={"flow_runs": {"id": {"any_": [run_id]}}}, timeout=5).json()
        if not runs or any(r.get("state") is None for r in runs):  # a task run is recorded before its first state
            return None
        states = {("load_bulletin" if r["name"].startswith("load_bulletin") else r["name"]): r["state"]["name"] for r in runs}
        return states if all(r["state"]["type"] not in ("RUNNING", "PENDING", "SCHEDULED") for r in runs) else None

    return wait_until(final, 30, "the task runs' final states")


REQUEST = {"bulletin": SAMPLE_ID, "locales": ["vi", "en"], "profiles": ["a4"], "engine": "espeak"}
PARAMS = {"request": REQUEST}  # the flow's one parameter, as the UI's form sends it


def test_form_schema_is_typed_and_described(served: dict[str, dict[str, Any]]) -> None:
    from bantin.i18n.locales import known_locales
    from bantin.publish.request import PublishRequest

    schema = served["publish-bulletin"]["parameter_openapi_schema"]  # as the server hands it back to the UI
    assert schema["required"] == ["request"] and schema["properties"]["request"]["$ref"] == "#/definitions/PublishRequest"
    model = schema["definitions"]["PublishRequest"]
    props = model["properties"]
    assert model["required"] == ["bulletin"]
    assert props["bulletin"]["type"] == "string" and "content/" in props["bulletin"]["description"]
    assert {name: p["title"] for name, p in props.items()} == {name: f.title for name, f in PublishRequest.model_fields.items()}
    assert props["min_translated"]["title"] == "Tỉ lệ dịch tối thiểu (%)" and props["force"]["title"] == "Làm lại từ đầu"
    assert sorted(props, key=lambda n: props[n]["position"])[0] == "bulletin"
    known, free = props["bulletin"]["anyOf"]
    assert known["enum"] == [SAMPLE_ID] and free == {"title": "Đường dẫn", "type": "string"}
    assert props["locales"] == {**props["locales"], "type": "array", "items": {"type": "string", "enum": known_locales()}, "default": ["vi"]}
    assert props["profiles"]["items"] == {"type": "string", "enum": ["a4", "a5", "large-print"]}
    assert props["profiles"]["default"] == ["a4", "a5", "large-print"]
    assert props["engine"]["enum"] == ["auto", "espeak", "gtts", "piper"] and props["engine"]["default"] == "auto"
    assert props["force"] == {**props["force"], "type": "boolean", "default": False}
    assert props["voice"]["type"] == "string" and props["voice"]["default"] == ""  # no Optional: no anyOf/null in the form
    assert all(p.get("description") for p in props.values())
    assert not any("anyOf" in p or "allOf" in p for name, p in props.items() if name != "bulletin")
    assert served["publish-bulletin"]["entrypoint"] == "bantin.flows.flow.publish_bulletin"


def test_republish_schedules_come_from_the_config_file(site: dict[str, Any], served: dict[str, dict[str, Any]]) -> None:
    config = yaml.safe_load((site["root"] / "deployments.yaml").read_text(encoding="utf-8"))
    schedules = [s["schedule"] for s in served["republish"]["schedules"]]
    assert config["republish"]["times"] == ["05:30", "16:30"]  # times of day in the file, daily crons in Prefect
    assert sorted(s["cron"] for s in schedules) == ["30 16 * * *", "30 5 * * *"]
    assert {s["timezone"] for s in schedules} == {"Asia/Ho_Chi_Minh"}
    assert all(s["active"] for s in served["republish"]["schedules"])
    assert served["publish-bulletin"]["schedules"] == []


def test_run_from_the_ui_publishes_then_hits_the_caches(site: dict[str, Any], server: str, served: dict[str, dict[str, Any]]) -> None:
    log = site["base"] / "serve.log"
    first = _run(server, served["publish-bulletin"], PARAMS, log)
    assert first["state"]["type"] == "COMPLETED", (first["state"], log.read_text(errors="replace")[-3000:])

    out_dir = site["outputs"] / SAMPLE_ID
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete" and manifest["inputs"]["key"]
    pdfs = sorted(o["path"] for o in manifest["outputs"] if o["kind"] == "pdf")
    assert pdfs == [f"en/{SAMPLE_ID}.en.a4.pdf", f"vi/{SAMPLE_ID}.vi.a4.pdf"]
    assert sorted(o["locale"] for o in manifest["outputs"] if o["kind"] == "audio") == ["en", "vi"]
    for out in manifest["outputs"]:
        assert sha256_file(out_dir / out["path"]) == out["sha256"]
    assert not (ROOT / "outputs" / SAMPLE_ID / ".republished.json").exists()

    artifacts = httpx.post(f"{server}/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [first["id"]]}}}, timeout=5).json()
    by_key = {a["key"]: a for a in artifacts}
    table = by_key[f"bantin-{SAMPLE_ID}"]
    assert table["type"] == "table"
    rows = json.loads(table["data"]) if isinstance(table["data"], str) else table["data"]
    assert {(r["locale"], r["output"]) for r in rows} >= {("vi", "pdf a4"), ("en", "pdf a4"), ("vi", "audio"), ("en", "audio")}
    pdf_row = next(r for r in rows if r["locale"] == "en" and r["output"] == "pdf a4")
    portal = "http://127.0.0.1:8080"  # no public URL set: the project's own portal (bantin.toml's defaults)
    assert pdf_row["status"] == "published" and pdf_row["pages or duration"].endswith("pages")
    assert pdf_row["link"] == f"[PDF]({portal}/{SAMPLE_ID}/{pdfs[0]})" and "bulletin" not in pdf_row
    audio_row = next(r for r in rows if r["locale"] == "vi" and r["output"] == "audio")
    assert audio_row["pages or duration"].endswith("s (degraded)")
    summary = by_key[f"bantin-{SAMPLE_ID}-summary"]
    assert summary["type"] == "markdown" and "## Degraded readings" in summary["data"] and "| en | published |" in summary["data"]

    states = _task_states(server, first["id"])
    assert states["render_pdf-en-a4"] == "Completed" and states["synthesize_audio-vi-espeak"] == "Completed"

    second = _run(server, served["publish-bulletin"], PARAMS, log)
    assert second["state"]["type"] == "COMPLETED"
    states = _task_states(server, second["id"])
    stage_tasks = {n: s for n, s in states.items() if n.startswith(("load_bulletin", "localize", "render_pdf", "synthesize_audio"))}
    assert stage_tasks == {
        "load_bulletin": "Cached",
        "localize-vi": "Cached",
        "localize-en": "Cached",
        "render_pdf-vi-a4": "Cached",
        "render_pdf-en-a4": "Cached",
        "synthesize_audio-vi-espeak": "Cached",
        "synthesize_audio-en-espeak": "Cached",
    }, stage_tasks

    # Outputs deleted behind the cache's back: the cached results are not trusted, the files come back.
    shutil.rmtree(out_dir / "en")
    third = _run(server, served["publish-bulletin"], {"request": {**REQUEST, "locales": ["en"]}}, log)
    assert third["state"]["type"] == "COMPLETED"
    again = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    for out in again["outputs"]:
        assert sha256_file(out_dir / out["path"]) == out["sha256"]


def _logs(api: str, run_id: str) -> list[dict[str, Any]]:
    def found() -> list[dict[str, Any]] | None:
        logs = httpx.post(f"{api}/logs/filter", json={"logs": {"flow_run_id": {"any_": [run_id]}}}, timeout=5).json()
        return logs if any("Finished in state" in entry["message"] for entry in logs) else None

    return wait_until(found, 30, "the run's final log entry")


def test_bad_parameters_fail_the_run_with_the_reason(server: str, served: dict[str, dict[str, Any]], site: dict[str, Any]) -> None:
    run = _run(server, served["publish-bulletin"], {"request": {**REQUEST, "bulletin": "no-such-bulletin"}}, site["base"] / "serve.log")
    message = run["state"]["message"] or ""
    assert run["state"]["type"] == "FAILED" and message.startswith("no-such-bulletin: no such bulletin file or id.") and "\n" not in message
    logs = _logs(server, run["id"])
    errors = [entry["message"] for entry in logs if entry["level"] >= 40]
    assert not [e for e in logs if "Traceback" in e["message"]], [(e["level"], e["message"][:1500]) for e in logs if "Traceback" in e["message"]]
    assert len([e for e in errors if "no such bulletin file or id" in e]) <= 2, errors  # the reason, and the final state


def test_serve_without_a_server_says_what_to_do(site: dict[str, Any]) -> None:
    env = {k: v for k, v in site["env"].items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(site["base"] / "empty-home")
    done = subprocess.run([str(BIN / "bantin"), "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1  # an environment fault (no server), not bad input
    assert "make ui" in done.stderr and "export PREFECT_API_URL=http://127.0.0.1:4200/api" in done.stderr


RAW_BULLETIN = (ROOT / "content" / "raw" / "dan-van-quy-ii-2024.txt").read_text(encoding="utf-8")


def test_add_bulletin_from_pasted_text_through_the_api(site: dict[str, Any], server: str, served: dict[str, dict[str, Any]]) -> None:
    from bantin.publish.request import AddRequest

    props = served["add-bulletin"]["parameter_openapi_schema"]["definitions"]["AddRequest"]["properties"]
    assert props["text"]["title"] == AddRequest.model_fields["text"].title == "Nội dung bản tin" and props["url"]["title"] == "Địa chỉ trang tin (URL)"
    assert served["add-bulletin"]["entrypoint"] == "bantin.flows.add.add_bulletin"
    log = site["base"] / "serve.log"
    text = (
        "Tiêm chủng mở rộng cho trẻ em vùng sâu\n\n"
        "Sáng 3/7/2024, Trung tâm Y tế huyện tổ chức đợt tiêm chủng mở rộng tại các xã vùng sâu, vùng xa.\n\n"
        "Gần 500 trẻ em được tiêm đủ mũi trong đợt này; cán bộ y tế đến tận thôn, bon để vận động gia đình đưa trẻ đi tiêm.\n"
    )
    before = sorted(p.name for p in (site["root"] / "content").iterdir())
    run = _run(server, served["add-bulletin"], {"request": {"text": text, "locales": ["vi"], "profiles": ["a5"], "engine": "espeak"}}, log)
    assert run["state"]["type"] == "COMPLETED", (run["state"], log.read_text(errors="replace")[-3000:])
    drafts = sorted((site["root"] / "desk" / "drafts").glob("*.yaml"))
    assert len(drafts) == 1 and drafts[0].name.startswith("2024-07-03-")
    bid = drafts[0].stem
    # a draft: nothing in content/ or outputs/, its preview in the desk's previews
    assert sorted(p.name for p in (site["root"] / "content").iterdir()) == before and not (site["outputs"] / bid).exists()
    preview = json.loads((site["root"] / "desk" / "previews" / bid / "manifest.json").read_text(encoding="utf-8"))
    assert preview["editorial"]["state"] == "draft" and any(o["path"] == f"vi/{bid}.vi.a5.pdf" for o in preview["outputs"])
    artifacts = httpx.post(f"{server}/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [run["id"]]}}}, timeout=5).json()
    note = next(a["data"] for a in artifacts if a["key"].endswith("-added"))
    assert f"`{bid}`" in note and "(created)" in note and f"/b/{bid}/" in note

    refused = _run(server, served["add-bulletin"], {"request": {"text": RAW_BULLETIN, "url": "https://example.org/"}}, log)
    assert refused["state"]["type"] == "FAILED" and refused["state"]["message"].startswith("add-bulletin: give exactly one source, got text and url.")


def test_a_wrong_option_fails_the_run_naming_the_field(server: str, served: dict[str, dict[str, Any]], site: dict[str, Any]) -> None:
    """A value the form's choices do not hold: refused by the API before any run, or failed by the flow's validation."""
    created = httpx.post(
        f"{server}/deployments/{served['publish-bulletin']['id']}/create_flow_run", json={"parameters": {"request": {**REQUEST, "engine": "say"}}}, timeout=10
    )
    assert created.status_code == 409 and "engine" in created.text  # the enum from the registry, enforced by the server


def test_publish_form_lists_the_bulletins_known_at_registration(
    site: dict[str, Any], server: str, served: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No polling: a bulletin added later shows after bantin serve is restarted (the desk, next, is the operators' way in)."""
    from prefect.utilities.callables import parameter_schema

    from bantin.flows.flow import publish_bulletin

    found = httpx.get(f"{server}/deployments/{served['publish-bulletin']['id']}", timeout=5).json()
    assert found["parameter_openapi_schema"]["definitions"]["PublishRequest"]["properties"]["bulletin"]["anyOf"][0]["enum"] == [SAMPLE_ID]
    extra = site["root"] / "content" / "2099-01-01-ban-tin-moi.yaml"
    shutil.copy(SAMPLE_YAML, extra)
    try:
        monkeypatch.setenv("BANTIN_ROOT", str(site["root"]))
        monkeypatch.setenv("BANTIN_LOCALES", str(ROOT / "locales"))
        again = parameter_schema(publish_bulletin).model_dump()  # what a restarted serve (or prefect deploy) registers
        assert again["definitions"]["PublishRequest"]["properties"]["bulletin"]["anyOf"][0]["enum"] == [extra.stem, SAMPLE_ID]
    finally:
        extra.unlink()
