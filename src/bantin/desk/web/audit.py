"""The audit log of one bulletin: who did what and when, newest first."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from bantin.desk.web.core import Ctx, page

__all__ = ["ACTION_LABELS", "routes"]


def N_(message: str) -> str:
    return message


#: How each audit action reads at the desk.
ACTION_LABELS = {
    "added": N_("thêm bản tin"),
    "edited": N_("sửa"),
    "submitted": N_("gửi duyệt"),
    "returned": N_("trả lại để sửa"),
    "approved": N_("duyệt"),
    "published": N_("xuất bản"),
    "publish_failed": N_("xuất bản lỗi"),
    "previewed": N_("xem trước"),
    "retracted": N_("gỡ bỏ"),
    "restored": N_("khôi phục"),
    "accepted_reading": N_("chấp nhận bản đọc máy"),
    "schedule_changed": N_("đổi lịch xuất bản lại"),
    "user_added": N_("thêm người dùng"),
    "user_changed": N_("đổi người dùng"),
    "login_failed": N_("đăng nhập sai"),
}


@page()
def audit_page(ctx: Ctx) -> Response:
    from bantin.publish.audit import events

    bid = ctx.request.path_params["bid"]
    rows = events(bid, root=ctx.desk.config.project, limit=500)
    return ctx.render("audit.html.j2", bid=bid, rows=rows, labels=ACTION_LABELS)


def routes() -> list[Route]:
    return [Route("/b/{bid:str}/audit", audit_page, methods=["GET"])]
