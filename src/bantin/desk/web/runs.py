"""A run's progress, stage by stage in Vietnamese: a page (refreshed by a small script, or by meta refresh without it) and its JSON."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bantin.desk.web.core import Ctx, error_page, page

__all__ = ["routes"]


def N_(message: str) -> str:
    return message


_RUN_STATES = {
    "scheduled": N_("Đã xếp lịch"),
    "pending": N_("Đang chờ"),
    "running": N_("Đang chạy"),
    "completed": N_("Đã xong"),
    "failed": N_("Lỗi"),
    "crashed": N_("Dừng đột ngột"),
    "cancelled": N_("Đã hủy"),
}


_STAGE_STATES = {"pending": N_("chờ"), "running": N_("đang chạy"), "completed": N_("xong"), "failed": N_("lỗi")}


def _known(ctx: Ctx, bid: str, run_id: str) -> bool:
    """The run is one the desk started for this bulletin (its meta remembers it)."""
    meta = ctx.desk.drafts.meta(bid)
    return meta is not None and run_id in meta.runs.values()


def _payload(ctx: Ctx, bid: str, run_id: str) -> dict[str, object] | None:
    status = ctx.desk.status(run_id)
    if status is None:
        return None
    meta = ctx.desk.drafts.meta(bid)
    kind = next((k for k, v in (meta.runs.items() if meta else ()) if v == run_id), "publish")
    return {
        "run_id": status.run_id,
        "kind": kind,
        "state": status.state,
        "state_label": ctx.t(_RUN_STATES.get(status.state, status.state)),
        "finished": status.finished,
        "degraded": status.degraded,
        "message": status.message,
        "url": status.url,
        "stages": [{"name": s.name, "label": s.label, "state": s.state, "state_label": ctx.t(_STAGE_STATES.get(s.state, s.state))} for s in status.stages],
    }


@page("preview")
def run_page(ctx: Ctx) -> Response:
    bid, run_id = ctx.request.path_params["bid"], ctx.request.path_params["run_id"]
    data = _payload(ctx, bid, run_id) if _known(ctx, bid, run_id) else None
    if data is None:
        text = ctx.t("Lần chạy này không có hoặc máy chủ xuất bản chưa trả lời. Hãy tải lại trang sau ít phút.")
        return error_page(ctx, 404, ctx.t("Không tìm thấy lần chạy"), text)
    return ctx.render("run.html.j2", bid=bid, run=data)


@page("preview")
def run_json(ctx: Ctx) -> Response:
    bid, run_id = ctx.request.path_params["bid"], ctx.request.path_params["run_id"]
    data = _payload(ctx, bid, run_id) if _known(ctx, bid, run_id) else None
    if data is None:
        return JSONResponse({"error": ctx.t("Không tìm thấy lần chạy")}, status_code=404)
    return JSONResponse(data)


def routes() -> list[Route]:
    return [
        Route("/b/{bid:str}/runs/{run_id:str}.json", run_json, methods=["GET"]),
        Route("/b/{bid:str}/runs/{run_id:str}", run_page, methods=["GET"]),
    ]
