"""Administration (admins only): users and their roles, and the republish times of day.

Schedules are times of day (HH:MM, Asia/Ho_Chi_Minh), never cron, kept in
``deployments.yaml`` (the one source of truth the deployments are built from,
so an edit survives every restart) through
:func:`bantin.publish.deployments.read_times` / :func:`write_times`.  Every
change is an audit event in the desk's log.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from bantin.desk.roles import ROLE_LABELS, Role
from bantin.desk.users import UserError
from bantin.desk.web.core import Ctx, page, record
from bantin.errors import BantinError

__all__ = ["routes"]

TIMEZONE = "Asia/Ho_Chi_Minh"


def _roles(ctx: Ctx) -> list[tuple[str, str]]:
    return [(r.value, ctx.t(ROLE_LABELS[r])) for r in Role]


def _users_page(ctx: Ctx, status: int = 200, errors: dict[str, str] | None = None, values: dict[str, str] | None = None, done: str = "") -> Response:
    return ctx.render(
        "users.html.j2",
        status=status,
        users=ctx.desk.users.list(),
        roles=_roles(ctx),
        role_labels={r.value: ctx.t(ROLE_LABELS[r]) for r in Role},
        errors=errors or {},
        values=values or {"name": "", "role": "editor"},
        done=done,
    )


@page("manage_users")
def users(ctx: Ctx) -> Response:
    """The users; POST adds one."""
    if ctx.request.method == "GET":
        return _users_page(ctx)
    assert ctx.user is not None
    name, role = ctx.field("name").lower(), ctx.field("role")
    password = ctx.form.get("password") if ctx.form is not None else ""
    again = ctx.form.get("password2") if ctx.form is not None else ""
    values = {"name": name, "role": role}
    if not isinstance(password, str) or password != again:
        return _users_page(ctx, 422, {"password2": ctx.t("Hai lần nhập mật khẩu không giống nhau. Hãy nhập lại.")}, values)
    try:
        user = ctx.desk.users.add(name, password, role)
    except UserError as exc:
        text = str(exc)
        field = "password" if "Mật khẩu" in text else ("role" if "Vai trò" in text else "name")
        return _users_page(ctx, 422, {field: text}, values)
    record("user_added", ctx.user.name, None, f"{user.name} ({user.role.value})", root=ctx.desk.config.project)
    return _users_page(ctx, done=ctx.t("Đã thêm người dùng %(name)s.", name=user.name))


@page("manage_users")
def change_user(ctx: Ctx) -> Response:
    """Change one user's role, lock or unlock them, or set a new password."""
    assert ctx.user is not None
    name = ctx.request.path_params["name"]
    what = ctx.field("change")
    try:
        if what == "role":
            user = ctx.desk.users.set_role(name, ctx.field("role"))
            detail = f"{name}: vai trò {user.role.value}"
        elif what == "disable":
            user = ctx.desk.users.disable(name, True)
            detail = f"{name}: khóa"
        elif what == "enable":
            user = ctx.desk.users.disable(name, False)
            detail = f"{name}: mở khóa"
        elif what == "password":
            password = ctx.form.get("password") if ctx.form is not None else ""
            user = ctx.desk.users.set_password(name, password if isinstance(password, str) else "")
            detail = f"{name}: đặt mật khẩu mới"
        else:
            return _users_page(ctx, 422, {"_form": ctx.t("Không rõ thay đổi nào. Hãy dùng các nút trên trang.")})
    except UserError as exc:
        return _users_page(ctx, 422, {"_form": str(exc)})
    record("user_changed", ctx.user.name, None, detail, root=ctx.desk.config.project)
    return _users_page(ctx, done=ctx.t("Đã lưu thay đổi của %(name)s.", name=user.name))


def _schedules_page(ctx: Ctx, status: int = 200, errors: dict[str, str] | None = None, times: list[str] | None = None, done: str = "") -> Response:
    from bantin.publish.deployments import read_times

    load_error = ""
    if times is None:
        try:
            times = read_times(ctx.desk.config.deployments)
        except (BantinError, OSError) as exc:
            load_error = ctx.t("Không đọc được tệp lịch %(path)s: %(problem)s", path=ctx.desk.config.deployments.name, problem=str(exc).splitlines()[0])
            times = []
    return ctx.render("schedules.html.j2", status=status, times=times, errors=errors or {}, timezone=TIMEZONE, done=done, load_error=load_error)


@page("manage_schedules")
def schedules(ctx: Ctx) -> Response:
    """The republish times of day; POST replaces them (each time a field, one more to add, a box to remove)."""
    from bantin.publish.deployments import parse_time, read_times, write_times

    if ctx.request.method == "GET":
        return _schedules_page(ctx)
    assert ctx.user is not None and ctx.form is not None
    given: list[tuple[str, str]] = []
    for key in sorted((k for k in ctx.form if k.startswith("time-")), key=lambda k: int(k[5:]) if k[5:].isdigit() else 0):
        if ctx.field(f"remove-{key[5:]}"):
            continue
        given.append((key, ctx.field(key)))
    if ctx.field("new_time"):
        given.append(("new_time", ctx.field("new_time")))
    errors: dict[str, str] = {}
    clean: list[str] = []
    for key, value in given:
        if not value:
            continue
        try:
            clean.append(parse_time(value))
        except ValueError:
            errors[key] = ctx.t("“%(value)s” không phải giờ trong ngày: hãy ghi giờ:phút từ 00:00 đến 23:59, ví dụ 16:30.", value=value[:20])
    if errors:
        return _schedules_page(ctx, 422, errors, [v for _, v in given if v])
    path = ctx.desk.config.deployments
    try:
        before = read_times(path)
        written = write_times(path, clean)
    except (BantinError, OSError) as exc:
        return _schedules_page(ctx, 422, {"_form": str(exc).splitlines()[0]})
    if written != before:
        detail = f"{', '.join(before) or '—'} → {', '.join(written) or '—'} ({TIMEZONE})"
        record("schedule_changed", ctx.user.name, None, detail, root=ctx.desk.config.project)
    return _schedules_page(ctx, times=list(written), done=ctx.t("Đã lưu lịch xuất bản lại."))


def routes() -> list[Route]:
    return [
        Route("/admin/users", users, methods=["GET", "POST"]),
        Route("/admin/users/{name:str}", change_user, methods=["POST"]),
        Route("/admin/schedules", schedules, methods=["GET", "POST"]),
    ]
