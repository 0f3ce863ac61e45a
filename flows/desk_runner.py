"""The desk's runner on Prefect: it starts the ``publish-bulletin`` deployment through the API and reads back its progress.

Every run the desk starts is an ordinary deployment run, so it is in the
Prefect UI for engineers, named ``<date> <short title>``, and runs wherever the
deployment is served (``bantin serve`` under ``bantin up``, or a work pool's
workers).  Progress is the run's state and its task runs grouped by stage
(``render_pdf-vi-a4`` is the stage ``render_pdf``), in the desk's Vietnamese
labels.  Only public Prefect names: :func:`prefect.deployments.run_deployment`
and the client of :func:`prefect.client.orchestration.get_client`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from bantin.desk.runs import RUNNERS, STAGE_LABELS, RunStatus, StageProgress
from bantin.errors import ServerUnavailableError
from bantin.publish.request import PublishRequest

__all__ = ["DEPLOYMENT", "PrefectRunner", "stage_progress"]

#: The deployment the desk runs: ``<flow name>/<deployment name>``.
DEPLOYMENT = "publish-bulletin/publish-bulletin"

#: Prefect state types, as the desk names them.
_STATES = {
    "SCHEDULED": "scheduled",
    "PENDING": "pending",
    "RUNNING": "running",
    "COMPLETED": "completed",
    "FAILED": "failed",
    "CRASHED": "crashed",
    "CANCELLED": "cancelled",
    "CANCELLING": "cancelled",
    "PAUSED": "pending",
}

_MESSAGES = {
    "scheduled": "Đang chờ máy xuất bản nhận việc.",
    "pending": "Đang chuẩn bị.",
    "running": "Đang xuất bản.",
    "completed": "Đã xong.",
    "failed": "Không xuất bản được: xem các bước bị lỗi bên dưới, sửa bản tin rồi thử lại.",
    "crashed": "Máy xuất bản dừng giữa chừng: bản đã phát trước đó vẫn giữ nguyên. Hãy thử lại.",
    "cancelled": "Lần xuất bản này đã bị huỷ.",
}


def stage_progress(task_runs: Iterable[tuple[str, str]]) -> tuple[StageProgress, ...]:
    """``(task run name, state type)`` pairs grouped by stage, in the order stages first appear: running beats failed beats completed."""
    grouped: dict[str, list[str]] = {}
    for name, state in task_runs:
        stage = name.split("-", 1)[0]
        if stage in STAGE_LABELS:
            grouped.setdefault(stage, []).append(_STATES.get(state.upper(), "pending"))
    out = []
    for stage, states in grouped.items():
        if any(s in ("running", "pending", "scheduled") for s in states):
            state = "running"
        elif any(s in ("failed", "crashed", "cancelled") for s in states):
            state = "failed"
        else:
            state = "completed"
        out.append(StageProgress(name=stage, label=STAGE_LABELS[stage], state=state))
    return tuple(out)


class PrefectRunner:
    """Runs publishes as runs of the ``publish-bulletin`` deployment on the Prefect API the environment points at."""

    def __init__(self, ui_url: str | None = None) -> None:
        if ui_url is None:
            from prefect.settings import get_current_settings

            ui_url = get_current_settings().ui_url
        self.ui_url = ui_url.rstrip("/") if ui_url else None

    def start(self, request: PublishRequest, run_name: str) -> str:
        """Create the run (without waiting for it) and return its id."""
        from prefect.deployments import run_deployment

        try:
            run: Any = run_deployment(DEPLOYMENT, parameters={"request": request.model_dump(mode="json")}, timeout=0, flow_run_name=run_name)
        except Exception as exc:  # the API is down, or the deployment is not registered: one line for the operator
            raise ServerUnavailableError(
                f"{DEPLOYMENT}: the run could not be started ({type(exc).__name__}: {exc}). Start the server and runner with 'bantin up'"
            ) from None
        return str(run.id)

    def status(self, run_id: str) -> RunStatus:
        """The run's state and its stages, read from the API."""
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

        ident = uuid.UUID(run_id)
        try:
            with get_client(sync_client=True) as client:
                run = client.read_flow_run(ident)
                tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[ident])))
        except Exception as exc:
            raise ServerUnavailableError(f"flow run {run_id}: cannot be read ({type(exc).__name__}: {exc}). Start the server with 'bantin up'") from None
        state_type = run.state.type.value if run.state else "PENDING"
        state = _STATES.get(state_type, "pending")
        degraded = bool(run.state and run.state.name == "Degraded")
        message = _MESSAGES[state]
        if degraded:
            message = "Đã xuất bản với bản đọc máy: bản đọc chưa lên bản tin phát thanh cho đến khi có bản đọc trực tuyến hoặc người duyệt chấp nhận."
        ordered = sorted(tasks, key=lambda t: t.created.timestamp() if t.created else 0.0)
        stages = stage_progress((t.name, t.state.type.value if t.state else "PENDING") for t in ordered)
        url = f"{self.ui_url}/runs/flow-run/{run_id}" if self.ui_url else None
        return RunStatus(run_id=run_id, state=state, degraded=degraded, stages=stages, message=message, url=url)


RUNNERS["prefect"] = PrefectRunner
