"""The run forms the Prefect UI draws: Vietnamese labels, a list of known bulletins, a choice of locales.

Prefect 3.9 titles each field with its parameter name when it builds a
deployment's ``parameter_openapi_schema``, and its server drops
``definitions`` from a stored schema, so everything here is set directly on
the fields of the built schema (:func:`apply_forms`).  The list of bulletins
comes from ``content/*.yaml`` (newest first); ``bantin serve`` re-applies it
whenever that folder changes (:func:`keep_forms_current`).  ``bulletin``
stays free text too (``anyOf``: a known id, or any path to a YAML file).

A wrong value ends the run Failed with one line in its state and no traceback
in its log (:func:`form_problem` returns the Failed state the flow returns).
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bantin.errors import BantinError, InputError
from bantin.paths import content_dir

__all__ = [
    "ADD_LABELS",
    "PUBLISH_LABELS",
    "add_form",
    "apply_forms",
    "bulletin_ids",
    "form_problem",
    "install_quiet_failures",
    "keep_forms_current",
    "publish_form",
    "refresh_publish_form",
]

#: Files in content/ that are not bulletins.
NOT_BULLETINS = frozenset({"schedules.yaml", "noise.yaml"})

#: The publish options, in the form's order: (title, description) in Vietnamese, the operators' language.
PUBLISH_LABELS: dict[str, tuple[str, str]] = {
    "bulletin": ("Bản tin", "Chọn một bản tin trong content/ (mới nhất trước), hoặc chọn «Đường dẫn» và nhập đường dẫn tới tệp YAML của nó."),
    "locales": ("Ngôn ngữ", "Các ngôn ngữ cần xuất bản. Ngôn ngữ có bản dịch chưa đủ sẽ được bỏ qua, không báo lỗi."),
    "profiles": ("Khổ in", "Khổ PDF: a4 (bảng tin), a5 (tờ rơi), large-print (chữ lớn 18 pt)."),
    "engine": ("Giọng đọc", "auto: giọng Google, espeak khi mất mạng; gtts: trực tuyến; espeak: ngoại tuyến, chất lượng thấp; piper: cần tệp giọng."),
    "force": ("Làm lại từ đầu", "Bỏ qua mọi bộ nhớ đệm: tải, dịch, dàn trang và đọc lại dù không có gì thay đổi."),
    "min_translated": ("Tỉ lệ dịch tối thiểu (%)", "Chỉ xuất bản một ngôn ngữ dịch khi ít nhất tỉ lệ này của bản tin đã được dịch (bản dịch mờ không tính)."),
    "print_marks": ("Dấu xén cho nhà in", "Thêm lề xén 3 mm cùng dấu cắt và dấu chữ thập vào PDF A4, dành cho nhà in."),
    "voice": ("Tệp giọng Piper", "Tệp giọng .onnx (kèm tệp .onnx.json bên cạnh) khi chọn piper; để trống nếu không."),
    "bitrate_kbps": ("Tốc độ bit MP3 (kb/s)", "Bộ giải mã của loa IP nhận từ 32 đến 192 kb/s."),
    "pause": ("Khoảng nghỉ (giây)", "Khoảng nghỉ sau tiêu đề và giữa các đoạn, tính bằng giây."),
}

#: The add-bulletin form: one of three sources, then the publish options.
ADD_LABELS: dict[str, tuple[str, str]] = {
    "text": ("Nội dung bản tin", "Dán toàn bộ nội dung bản tin (tiêu đề ở dòng đầu). Chỉ điền MỘT trong ba ô: nội dung, tệp trang web, địa chỉ trang tin."),
    "html_file": (
        "Tệp trang web đã lưu (.html)",
        "Đường dẫn tới trang tin đã lưu dưới dạng .html trên máy chạy bantin. Để trống nếu đã dán nội dung hoặc nhập địa chỉ.",
    ),
    "url": ("Địa chỉ trang tin (URL)", "Địa chỉ http(s):// của trang tin. Để trống nếu đã dán nội dung hoặc chọn tệp."),
    "date": ("Ngày bản tin", "Ngày của bản tin (YYYY-MM-DD) khi nội dung không ghi ngày; để trống nếu có."),
    **{k: v for k, v in PUBLISH_LABELS.items() if k != "bulletin"},
}


def bulletin_ids(folder: Path | None = None) -> list[str]:
    """Ids of the bulletins in ``content/``, newest first (ids start with their date; ties by file time)."""
    folder = folder or content_dir()
    paths = [p for p in folder.glob("*.yaml") if p.name not in NOT_BULLETINS]
    paths.sort(key=lambda p: (p.stem[:10], p.stat().st_mtime_ns, p.stem), reverse=True)
    return [p.stem for p in paths]


def _labelled(schema: Mapping[str, Any], labels: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    """A copy of ``schema`` with Vietnamese titles and descriptions, its fields in the labels' order."""
    out = copy.deepcopy(dict(schema))
    props = out.get("properties", {})
    order = [name for name in labels if name in props] + [name for name in props if name not in labels]
    out["properties"] = {name: props[name] for name in order}
    for position, name in enumerate(order):
        field = out["properties"][name]
        if name in labels:
            field["title"], field["description"] = labels[name]
        field["position"] = position
    out.pop("definitions", None)
    return out


def _locales_choice(field: dict[str, Any], locales: Sequence[str]) -> None:
    if locales:
        field["items"] = {"type": "string", "enum": list(locales)}
        field["uniqueItems"] = True


def publish_form(schema: Mapping[str, Any], ids: Sequence[str], locales: Sequence[str]) -> dict[str, Any]:
    """``publish-bulletin``'s schema as the UI should draw it: labels, the known bulletins, the locales."""
    out = _labelled(schema, PUBLISH_LABELS)
    field = out["properties"]["bulletin"]
    field.pop("enum", None)
    field["anyOf"] = [
        {"title": "Bản tin đã có", "type": "string", "enum": list(ids)} if ids else {"title": "Bản tin đã có", "type": "string"},
        {"title": "Đường dẫn", "type": "string"},
    ]
    if ids:
        field["examples"] = list(ids[:3])
    _locales_choice(out["properties"]["locales"], locales)
    return out


def add_form(schema: Mapping[str, Any], locales: Sequence[str]) -> dict[str, Any]:
    """``add-bulletin``'s schema as the UI should draw it."""
    out = _labelled(schema, ADD_LABELS)
    _locales_choice(out["properties"]["locales"], locales)
    return out


def _known_locales() -> list[str]:
    from bantin.i18n.locales import known_locales

    try:
        return known_locales()
    except BantinError:
        return []


def _ids_or_none() -> list[str]:
    try:
        return bulletin_ids()
    except (BantinError, OSError):
        return []


def apply_forms(deployments: Sequence[Any]) -> None:
    """Set the forms on built RunnerDeployments (``publish-bulletin``, ``add-bulletin``), in place."""
    from prefect.utilities.callables import ParameterSchema

    locales = _known_locales()
    for deployment in deployments:
        schema = deployment._parameter_openapi_schema.model_dump(exclude_none=True)
        if deployment.name == "publish-bulletin":
            form = publish_form(schema, _ids_or_none(), locales)
        elif deployment.name == "add-bulletin":
            form = add_form(schema, locales)
        else:
            form = _labelled(schema, {})
        deployment._parameter_openapi_schema = ParameterSchema(**form)


def refresh_publish_form(flow_deployment: str = "publish-bulletin/publish-bulletin") -> bool:
    """Re-apply ``publish-bulletin``'s form on the server (the known bulletins changed); True when it changed."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import DeploymentUpdate

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(flow_deployment)
        current = dict(deployment.parameter_openapi_schema or {})
        form = publish_form(current, _ids_or_none(), _known_locales())
        if form == current:
            return False
        client.update_deployment(deployment.id, DeploymentUpdate(parameter_openapi_schema=form))
        return True


def keep_forms_current(stop: threading.Event, every_s: float = 5.0, say: Callable[[str], None] = print) -> threading.Thread:
    """Start a daemon thread that re-applies the publish form whenever ``content/`` changes, until ``stop``."""

    def watch() -> None:
        seen: list[str] | None = None
        while not stop.wait(every_s):
            ids = _ids_or_none()
            if ids == seen:
                continue
            try:
                if refresh_publish_form():
                    say(f"bantin serve: publish-bulletin form now lists {len(ids)} bulletins")
                seen = ids
            except Exception as exc:  # not registered yet, server busy: try again next round
                say(f"bantin serve: could not refresh the publish form yet ({type(exc).__name__}); trying again")

    thread = threading.Thread(target=watch, name="bantin-forms", daemon=True)
    thread.start()
    return thread


def form_problem(bulletin: str | None = None, locales: Sequence[str] = ()) -> Any:
    """A Failed state saying what is wrong with the form's values (one line, no traceback), or None when they are usable."""
    from prefect.states import Failed

    from bantin.content.bulletin_file import resolve_bulletin

    try:
        if bulletin is not None:
            resolve_bulletin(bulletin)
        known = _known_locales()
        unknown = [code for code in locales if known and code not in known]
        if unknown:
            raise InputError(f"locales: {', '.join(unknown)}: no such locale. Pick from {', '.join(known)}")
    except BantinError as exc:
        return Failed(message=str(exc))
    return None


class _QuietFailures(logging.Filter):
    """Drop the engine's traceback for a run that failed on purpose with a one-line reason.

    When a flow returns a Failed state (a wrong form value, :func:`form_problem`)
    or raises a :class:`BantinError`, the reason is already in the run's state
    and its log; Prefect's engine would add "Engine execution exited with
    unexpected exception" with a traceback, which only hides it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if "exited with unexpected exception" not in str(record.msg) or not record.exc_info:
            return True
        from prefect.exceptions import FailedRun

        exc = record.exc_info[1]
        return not isinstance(exc, (FailedRun, BantinError))


_QUIET = _QuietFailures()


def install_quiet_failures() -> None:
    """Install the filter on the flow-run and engine loggers (idempotent); flows import this module, so runs get it."""
    for name in ("prefect.flow_runs", "prefect.engine"):
        logger = logging.getLogger(name)
        if _QUIET not in logger.filters:
            logger.addFilter(_QUIET)


install_quiet_failures()
