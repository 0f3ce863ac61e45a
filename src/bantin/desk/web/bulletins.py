"""The bulletins: list, new, the draft form, preview, and the editorial moves (submit, publish, retract…)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from bantin.content.model import ID_PATTERN, Bulletin
from bantin.desk.web.core import Ctx, error_page, page
from bantin.desk.web.forms import FIELD_LABELS, NEW_FIELD_LABELS, bulletin_from_form, form_blocks, form_values
from bantin.errors import BantinError, BulletinValidationError, InputError

__all__ = ["explain", "routes"]

log = logging.getLogger("bantin.desk")

#: The largest uploaded source file.
MAX_UPLOAD = 10 * 1024 * 1024
_ID = "{bid:str}"
_CHARSET_RE = re.compile(r"charset=([\w.-]+)", re.IGNORECASE)


def explain(ctx: Ctx, exc: BaseException, labels: Mapping[str, str]) -> tuple[str | None, str]:
    """The form field an error belongs to (None: the whole form) and one Vietnamese sentence for the operator."""
    shown = {k: ctx.t(v) for k, v in labels.items()}
    try:
        from bantin.desk.messages import operator_message
    except ImportError:  # pragma: no cover - the ingest helper's module
        field, text = None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    else:
        field, text = operator_message(exc, shown)
    if isinstance(exc, BulletinValidationError):
        field = exc.field
        if field.startswith("body[") and field not in labels:
            field = field if "." in field else f"{field}.paragraph"
    return field, text


def _text(value: object, default: str) -> str:
    """A form value as text (``default`` when it is a file or missing)."""
    return value if isinstance(value, str) else default


def _errors(field: str | None, text: str) -> dict[str, str]:
    return {field or "_form": text}


# --------------------------------------------------------------------------- list


@page()
def list_page(ctx: Ctx) -> Response:
    """The bulletins, newest first, with search and paging."""
    from bantin.desk.states import Listing

    q = ctx.request.query_params.get("q", "").strip()[:200]
    try:
        number = max(1, int(ctx.request.query_params.get("page", "1")))
    except ValueError:
        number = 1
    listing = Listing(drafts=ctx.desk.drafts, outputs=ctx.desk.config.outputs, run_status=ctx.desk.publish_status)
    result = listing.page(q, number)
    return ctx.render("list.html.j2", page=result, q=q)


# --------------------------------------------------------------------------- new


def _day(value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _FieldError("date", "") from None


class _FieldError(Exception):
    def __init__(self, field: str, text: str) -> None:
        super().__init__(text)
        self.field = field
        self.text = text


def _ingest(ctx: Ctx) -> tuple[Bulletin, bytes, str]:
    """The bulletin, its source bytes and name, from exactly one of the pasted text, the upload and the URL."""
    text = ctx.form.get("text") if ctx.form is not None else None
    text = text if isinstance(text, str) else ""
    upload = ctx.form.get("upload") if ctx.form is not None else None
    url = ctx.field("url")
    has_file = isinstance(upload, UploadFile) and bool(upload.filename)
    given = [n for n, v in (("text", text.strip()), ("upload", has_file), ("url", url)) if v]
    if len(given) != 1:
        field = given[1] if len(given) > 1 else "text"
        raise _FieldError(field, ctx.t("Hãy đưa vào đúng một nguồn: dán nội dung, chọn một tệp, hoặc nhập địa chỉ trang tin."))
    try:
        day = _day(ctx.field("date"))
    except _FieldError:
        raise _FieldError("date", ctx.t("Ngày không đúng dạng: hãy ghi năm-tháng-ngày, ví dụ 2024-06-28, hoặc để trống.")) from None
    from bantin.content.upload import read_pasted, read_upload

    if text.strip():
        return read_pasted(text, date=day), text.encode("utf-8"), "pasted.html" if _looks_html(text) else "pasted.txt"
    if has_file:
        assert isinstance(upload, UploadFile)
        data = upload.file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise _FieldError("upload", ctx.t("Tệp lớn hơn %(mb)d MB. Hãy chọn tệp nhỏ hơn (bớt ảnh trong tài liệu).", mb=MAX_UPLOAD // 2**20))
        name = Path(upload.filename or "upload").name[:200]
        return read_upload(data, name, date=day), data, name
    if not re.match(r"^https?://", url, re.IGNORECASE):
        raise _FieldError("url", ctx.t("Địa chỉ phải bắt đầu bằng http:// hoặc https://, ví dụ https://baomoi.example/tin.html."))
    from bantin.content.fetch import fetch_page
    from bantin.content.html import parse_bulletin_html

    body, final_url, content_type = fetch_page(url)
    charset = _CHARSET_RE.search(content_type)
    bulletin = parse_bulletin_html(body, url, date=day, base_url=final_url, charset=charset.group(1) if charset else None)
    return bulletin, body, "page.html"


def _looks_html(text: str) -> bool:
    from bantin.content.upload import looks_like_html

    return looks_like_html(text)


@page("add")
def new_page(ctx: Ctx) -> Response:
    """A new bulletin from pasted text, an uploaded file or a URL; errors beside their field."""
    values = {"text": "", "url": "", "date": ""}
    if ctx.request.method == "GET":
        return ctx.render("new.html.j2", values=values, errors={}, labels=NEW_FIELD_LABELS)
    values = {k: _text(ctx.form.get(k), "") for k in values} if ctx.form else values
    assert ctx.user is not None
    try:
        bulletin, data, name = _ingest(ctx)
        draft = ctx.desk.drafts.create(bulletin, data, name, ctx.user.name)
    except _FieldError as exc:
        return ctx.render("new.html.j2", status=422, values=values, errors={exc.field: exc.text}, labels=NEW_FIELD_LABELS)
    except (BantinError, OSError) as exc:
        field, text = explain(ctx, exc, NEW_FIELD_LABELS)
        if field not in NEW_FIELD_LABELS:
            field = "_form"
        return ctx.render("new.html.j2", status=422, values=values, errors={field: text}, labels=NEW_FIELD_LABELS)
    return ctx.redirect(f"/b/{draft.id}/")


# --------------------------------------------------------------------------- one bulletin


@dataclass(frozen=True)
class OnAir:
    """What is on the portal now for a bulletin (its record in outputs/)."""

    state: str  # none | draft | published | retracted
    record: Any


def _record(root: Path, bid: str) -> Any:
    from bantin.publish.store import BulletinStore

    try:
        return BulletinStore(bid, root).record()
    except BantinError as exc:
        log.warning("%s", exc)
        return None


def _bulletin_context(ctx: Ctx, bid: str) -> dict[str, Any]:
    """Everything the bulletin page shows besides the form: draft meta, record, state, held readings, last runs."""
    from bantin.desk.states import desk_state
    from bantin.publish.editorial import editorial_state, held_readings

    drafts = ctx.desk.drafts
    meta = drafts.meta(bid)
    record = _record(ctx.desk.config.outputs, bid)
    publish_run = meta.runs.get("publish") if meta else None
    status = ctx.desk.publish_status(bid)
    state = desk_state(meta if meta and meta.state != "promoted" else None, record, status)
    held = held_readings(record) if record is not None else []
    return {
        "bid": bid,
        "meta": meta,
        "record": record,
        "on_air": editorial_state(record),
        "state": state,
        "held": held,
        "held_locales": sorted({e.locale for e in held}),
        "publish_run": publish_run,
        "preview_run": meta.runs.get("preview") if meta else None,
        "portal_url": ctx.desk.config.portal_url,
    }


def _draft_page(ctx: Ctx, bid: str, status: int = 200, errors: Mapping[str, str] | None = None, form: Mapping[str, Any] | None = None) -> Response:
    drafts = ctx.desk.drafts
    if not ID_PATTERN.match(bid):
        return error_page(ctx, 404, ctx.t("Không tìm thấy bản tin"), ctx.t("Không có bản tin %(id)s. Hãy quay lại danh sách.", id=bid[:80]))
    info = _bulletin_context(ctx, bid)
    draft = drafts.get(bid) if drafts.exists(bid) else None
    if draft is None and info["record"] is None and info["meta"] is None:
        return error_page(ctx, 404, ctx.t("Không tìm thấy bản tin"), ctx.t("Không có bản tin %(id)s. Hãy quay lại danh sách.", id=bid))
    values: dict[str, str] = {}
    blocks: list[Any] = []
    source_text = ""
    load_error = ""
    if draft is not None:
        try:
            bulletin = draft.bulletin()
        except BantinError as exc:
            load_error = explain(ctx, exc, FIELD_LABELS)[1]
            bulletin = None
        if bulletin is not None:
            values = form_values(bulletin)
            blocks = form_blocks(bulletin)
        raw = draft.source_bytes()
        if raw is not None:
            source_text = _source_text(raw, draft.meta.source_file or "")
    if form is not None:  # what the operator typed, kept when it did not validate
        values = {k: _text(form.get(k), v) for k, v in values.items()}
        blocks = [type(b)(b.index, b.kind, {n: _text(form.get(n), v) for n, v in b.fields.items()}) for b in blocks]
    return ctx.render(
        "draft.html.j2",
        status=status,
        draft=draft,
        values=values,
        blocks=blocks,
        errors=dict(errors or {}),
        labels=FIELD_LABELS,
        source_text=source_text,
        load_error=load_error,
        new_paragraph=(form or {}).get("new_paragraph", "") if form else "",
        request_saved=ctx.request.query_params.get("saved") == "1" and not errors,
        **info,
    )


def _source_text(raw: bytes, name: str) -> str:
    """The kept source as text for the side panel: a Word document's text, a page's text, or the text itself."""
    from bantin.content.upload import sniff

    try:
        kind = sniff(raw)
    except BantinError:
        return ""
    if kind == "docx":
        from bantin.content.docx import docx_to_html

        try:
            text = docx_to_html(raw, name)
        except (BantinError, ValueError, OSError):
            return ""
    else:
        text = raw[:400_000].decode("utf-8", errors="replace")
    if kind in ("html", "docx"):
        import lxml.html

        try:
            tree = lxml.html.fromstring(text)
            for bad in tree.xpath("//script|//style|//noscript"):
                bad.drop_tree()
            text = "\n".join(line.strip() for line in tree.text_content().splitlines() if line.strip())
        except (ValueError, TypeError):
            return ""
    return text[:200_000]


@page()
def bulletin_page(ctx: Ctx) -> Response:
    """The draft form beside its source (editors), the state and actions."""
    bid = ctx.request.path_params["bid"]
    if ctx.request.method == "GET":
        return _guard(ctx, bid, lambda: _draft_page(ctx, bid))
    if not ctx.can("edit"):
        return error_page(ctx, 403, ctx.t("Không có quyền"), ctx.t("Vai trò của bạn không được làm việc này. Hãy nhờ người duyệt hoặc quản trị."))
    assert ctx.user is not None and ctx.form is not None
    form = dict(ctx.form)
    if ctx.field("open_published"):
        return _guard(ctx, bid, lambda: (ctx.desk.drafts.open_published(bid, ctx.user.name), ctx.redirect(f"/b/{bid}/"))[1])

    def save() -> Response:
        draft = ctx.desk.drafts.get(bid)
        try:
            base = draft.bulletin()
            edited = bulletin_from_form(base, form, f"desk/drafts/{bid}.yaml")
        except BulletinValidationError as exc:
            field, text = explain(ctx, exc, FIELD_LABELS)
            return _draft_page(ctx, bid, status=422, errors=_errors(field, text), form=form)
        ctx.desk.drafts.save(bid, edited, ctx.user.name)  # type: ignore[union-attr]  # checked above, in the enclosing function
        return ctx.redirect(f"/b/{bid}/?saved=1")

    return _guard(ctx, bid, save)


def _guard(ctx: Ctx, bid: str, action: Any) -> Response:
    """Run ``action``; an error of the desk's library becomes the bulletin page (or a short page) with one Vietnamese sentence."""
    try:
        result: Response = action()
        return result
    except (InputError, BantinError) as exc:
        _field, text = explain(ctx, exc, FIELD_LABELS)
        try:
            return _draft_page(ctx, bid, status=409, errors={"_form": text})
        except BantinError:
            return error_page(ctx, 409, ctx.t("Không thực hiện được"), text)


def _moved(ctx: Ctx, bid: str, anchor: str = "") -> Response:
    return ctx.redirect(f"/b/{bid}/{anchor}")


@page("submit")
def submit(ctx: Ctx) -> Response:
    bid = ctx.request.path_params["bid"]
    assert ctx.user is not None
    return _guard(ctx, bid, lambda: (ctx.desk.drafts.submit(bid, ctx.user.name), _moved(ctx, bid))[1])


@page("approve")
def return_to_draft(ctx: Ctx) -> Response:
    bid = ctx.request.path_params["bid"]
    assert ctx.user is not None
    reason = ctx.field("return_reason")
    return _guard(ctx, bid, lambda: (ctx.desk.drafts.return_to_draft(bid, ctx.user.name, reason), _moved(ctx, bid))[1])


def _request(**fields: Any) -> Any:
    """A publish request with the project's publish options: the locales, profiles and engine of ``deployments.yaml``.

    The desk publishes what a scheduled republish would (one place says what a
    publish produces); without that file, the request's own defaults.
    """
    from bantin.errors import BantinError
    from bantin.publish.deployments import load_config
    from bantin.publish.request import PublishRequest

    try:
        config = load_config()
    except BantinError:
        return PublishRequest.model_validate(fields)
    return PublishRequest.model_validate({"locales": list(config.locales), "profiles": list(config.profiles), "engine": config.engine, **fields})


@page("preview")
def start_preview(ctx: Ctx) -> Response:
    """Render the draft for preview (``PublishRequest(draft=True)``): nothing goes on air."""
    from bantin.desk.runs import run_name

    bid = ctx.request.path_params["bid"]

    def go() -> Response:
        draft = ctx.desk.drafts.get(bid)
        bulletin = draft.bulletin()
        run_id = ctx.desk.runner.start(_request(bulletin=str(draft.path), draft=True), run_name(bulletin))
        ctx.desk.drafts.set_run(bid, "preview", run_id)
        return ctx.redirect(f"/b/{bid}/runs/{run_id}")

    return _guard(ctx, bid, go)


@page("publish")
def publish(ctx: Ctx) -> Response:
    """Approve and publish: the submitted draft becomes ``content/<id>.yaml``, then the publish run starts."""
    from bantin.desk.runs import run_name

    bid = ctx.request.path_params["bid"]
    assert ctx.user is not None
    user = ctx.user.name

    def go() -> Response:
        drafts = ctx.desk.drafts
        if drafts.exists(bid):
            bulletin = drafts.get(bid).bulletin()
            drafts.promote(bid, user)
        else:  # publish again what was approved (e.g. after a failed run)
            from bantin.content.bulletin_file import load_bulletin

            content = drafts.content / f"{bid}.yaml"
            if not content.is_file():
                raise InputError(ctx.t("Bản tin chưa được gửi duyệt nên chưa xuất bản được."))
            bulletin = load_bulletin(content)
        run_id = ctx.desk.runner.start(_request(bulletin=bid, approved_by=user), run_name(bulletin))
        drafts.set_run(bid, "publish", run_id)
        return ctx.redirect(f"/b/{bid}/runs/{run_id}")

    return _guard(ctx, bid, go)


@page("retract")
def retract(ctx: Ctx) -> Response:
    from bantin.publish.editorial import retract as do_retract

    bid = ctx.request.path_params["bid"]
    assert ctx.user is not None
    reason = ctx.field("reason")
    if not reason:
        return _draft_page(ctx, bid, status=422, errors={"reason": ctx.t("Hãy ghi lý do gỡ bỏ (ví dụ: thông tin sai, cần đính chính).")})
    return _guard(ctx, bid, lambda: (do_retract(bid, ctx.user.name, reason, root=ctx.desk.config.outputs), _moved(ctx, bid))[1])


@page("restore")
def restore(ctx: Ctx) -> Response:
    from bantin.publish.editorial import restore as do_restore

    bid = ctx.request.path_params["bid"]
    assert ctx.user is not None
    return _guard(ctx, bid, lambda: (do_restore(bid, ctx.user.name, root=ctx.desk.config.outputs), _moved(ctx, bid))[1])


@page("accept_reading")
def accept(ctx: Ctx) -> Response:
    from bantin.publish.editorial import accept_reading

    bid = ctx.request.path_params["bid"]
    assert ctx.user is not None
    locale = ctx.field("locale")
    return _guard(ctx, bid, lambda: (accept_reading(bid, locale, ctx.user.name, root=ctx.desk.config.outputs), _moved(ctx, bid))[1])


# --------------------------------------------------------------------------- preview


def _preview_record(ctx: Ctx, bid: str) -> tuple[Any, Path | None]:
    from bantin.publish.store import BulletinStore

    store = BulletinStore(bid, ctx.desk.config.previews)
    try:
        return store.record(), store.generation()
    except BantinError as exc:
        log.warning("%s", exc)
        return None, None


@page("preview")
def preview_page(ctx: Ctx) -> Response:
    """The draft's rendering: page previews per profile, the reading with its transcript, the variants and their status."""
    from bantin.fsutil import contained

    bid = ctx.request.path_params["bid"]
    record, folder = _preview_record(ctx, bid)
    info = _bulletin_context(ctx, bid)
    if record is None or folder is None:
        return ctx.render("preview.html.j2", status=200, **{**info, "record": None, "pages": [], "readings": [], "locales": []})
    pages = list(record.current(kind="preview"))
    readings = []
    for audio in record.current(kind="audio"):
        transcript = next((e for e in record.current(kind="transcript") if e.of == audio.path), None)
        captions = next((e for e in record.current(kind="captions") if e.of == audio.path), None)
        text = ""
        if transcript is not None and (path := contained(folder, transcript.path)) is not None:
            try:
                text = path.read_text(encoding="utf-8", errors="replace")[:100_000]
            except OSError:
                text = ""
        readings.append({"entry": audio, "transcript": text, "captions": captions})
    locales = sorted(record.locales.values(), key=lambda loc: (loc.code != record.bulletin.language, loc.code))
    return ctx.render("preview.html.j2", **{**info, "record": record, "pages": pages, "readings": readings, "locales": locales})


@page("preview")
def preview_file(ctx: Ctx) -> Response:
    """A file of the preview, only when the preview record lists it (never a path joined onto the disk)."""
    from bantin.fsutil import contained

    bid = ctx.request.path_params["bid"]
    rel = ctx.request.path_params["path"]
    record, folder = _preview_record(ctx, bid)
    entry = next((e for e in record.outputs if e.path == rel and not e.stale), None) if record is not None else None
    path = contained(folder, rel) if entry is not None and folder is not None else None
    if entry is None or path is None or not path.is_file():
        return error_page(ctx, 404, ctx.t("Không tìm thấy"), ctx.t("Tệp này không có trong bản xem trước. Hãy xem trước lại."))
    return FileResponse(path, media_type=entry.media_type, headers={"Cache-Control": "no-store"})


def routes() -> list[Route]:
    b = f"/b/{_ID}"
    return [
        Route("/", list_page, methods=["GET"]),
        Route("/new", new_page, methods=["GET", "POST"]),
        Route(f"{b}/", bulletin_page, methods=["GET", "POST"]),
        Route(f"{b}/submit", submit, methods=["POST"]),
        Route(f"{b}/return", return_to_draft, methods=["POST"]),
        Route(f"{b}/preview", start_preview, methods=["POST"]),
        Route(f"{b}/preview", preview_page, methods=["GET"]),
        Route(f"{b}/preview/{{path:path}}", preview_file, methods=["GET"]),
        Route(f"{b}/publish", publish, methods=["POST"]),
        Route(f"{b}/retract", retract, methods=["POST"]),
        Route(f"{b}/restore", restore, methods=["POST"]),
        Route(f"{b}/accept", accept, methods=["POST"]),
    ]
