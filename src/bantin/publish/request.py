"""One typed publish request: every publish option, once, with its Vietnamese form label.

:class:`PublishOptions` holds the options a publish takes (locales, profiles,
engine, force, translation threshold, print marks, voice, bitrate, pause);
:class:`PublishRequest` adds the bulletin; :class:`AddRequest` adds the source
of a new bulletin instead (pasted text, a saved page or a URL).  The CLI builds
one from its options, the Prefect flows take one as their only parameter, and
the record stores it (``Record.request``).

Choices come from the registries, never from a hand-written list: profiles
from :data:`bantin.render.profiles.PROFILES`, engines from
:data:`bantin.speech.engines.ENGINES`, locales from the configured ones
(:func:`bantin.i18n.locales.known_locales`).  The JSON schema (what the Prefect
UI draws as the run form) gets its ``enum`` lists when it is built, through
pydantic's documented ``json_schema_extra`` hook: so the list of bulletins in
``content/`` is the one of the moment the deployments are (re)registered
(``bantin serve``, ``prefect deploy``).

A wrong value is one line per field, naming the form's field in Vietnamese
(:func:`describe_errors`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bantin.defaults import (
    BITRATE_RANGE_KBPS,
    DEFAULT_BITRATE_KBPS,
    DEFAULT_ENGINE,
    DEFAULT_LOCALES,
    DEFAULT_MIN_TRANSLATED,
    DEFAULT_PAUSE_S,
    PAUSE_RANGE_S,
)
from bantin.errors import BantinError, InputError
from bantin.render.profiles import PROFILES
from bantin.speech.engines import ENGINES

__all__ = [
    "NOT_BULLETINS",
    "AddRequest",
    "PublishOptions",
    "PublishRequest",
    "bulletin_ids",
    "configured_locales",
    "describe_errors",
    "engine_names",
    "profile_names",
]

#: Files in content/ that are not bulletins.
NOT_BULLETINS = frozenset({"schedules.yaml", "noise.yaml"})


def profile_names() -> list[str]:
    """The print profiles, in the registry's order."""
    return list(PROFILES)


def engine_names() -> list[str]:
    """The speech engines, in the registry's order."""
    return list(ENGINES)


def configured_locales() -> list[str]:
    """The locales configured for this project (its locales/ and bantin's), sorted; empty outside a project."""
    from bantin.i18n.locales import known_locales

    try:
        return known_locales()
    except (BantinError, OSError):
        return []


def bulletin_ids(folder: Path | None = None) -> list[str]:
    """Ids of the bulletins in ``content/``, newest first (ids start with their date; ties by file time)."""
    from bantin.paths import content_dir

    folder = folder or content_dir()
    paths = [p for p in folder.glob("*.yaml") if p.name not in NOT_BULLETINS]
    paths.sort(key=lambda p: (p.stem[:10], p.stat().st_mtime_ns, p.stem), reverse=True)
    return [p.stem for p in paths]


def _known_bulletins() -> list[str]:
    try:
        return bulletin_ids()
    except (BantinError, OSError):
        return []


def _form_schema(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    """Put the registries' choices, computed now, on the form's fields, and the class's lead fields first."""
    props: dict[str, Any] = schema.get("properties", {})
    if "profiles" in props:
        props["profiles"]["items"] = {"type": "string", "enum": profile_names()}
        props["profiles"]["uniqueItems"] = True
    if "engine" in props:
        props["engine"]["enum"] = engine_names()
    locales = configured_locales()
    if "locales" in props and locales:
        props["locales"]["items"] = {"type": "string", "enum": locales}
        props["locales"]["uniqueItems"] = True
    if "bulletin" in props:
        ids = _known_bulletins()
        known: dict[str, Any] = {"title": "Bản tin đã có", "type": "string"} | ({"enum": ids} if ids else {})
        props["bulletin"]["anyOf"] = [known, {"title": "Đường dẫn", "type": "string"}]
        if ids:
            props["bulletin"]["examples"] = ids[:3]
    lead: tuple[str, ...] = getattr(cls, "FORM_LEAD", ())
    order = [name for name in lead if name in props] + [name for name in props if name not in lead]
    schema["properties"] = {name: props[name] for name in order}
    for position, name in enumerate(order):
        schema["properties"][name]["position"] = position


def _problem(field: str, message: str) -> str:
    """One line naming the form's field (its Vietnamese title and its name), then what is wrong and what to do."""
    return message if message.startswith(f"{field}:") else f"{field}: {message}"


class PublishOptions(BaseModel):
    """Every option of a publish but the bulletin: what a batch of bulletins shares."""

    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=_form_schema)

    #: Fields the form shows first (its own fields: the bulletin, or the source of a new one).
    FORM_LEAD: ClassVar[tuple[str, ...]] = ()

    locales: tuple[str, ...] = Field(
        default=DEFAULT_LOCALES,
        min_length=1,
        title="Ngôn ngữ",
        description="Các ngôn ngữ cần xuất bản. Ngôn ngữ có bản dịch chưa đủ sẽ được bỏ qua, không báo lỗi.",
    )
    profiles: tuple[str, ...] = Field(
        default=tuple(PROFILES),
        min_length=1,
        title="Khổ in",
        description="Khổ PDF: a4 (bảng tin), a5 (tờ rơi), large-print (chữ lớn 18 pt).",
    )
    engine: str = Field(
        default=DEFAULT_ENGINE,
        title="Giọng đọc",
        description="auto: giọng Google, espeak khi mất mạng; gtts: trực tuyến; espeak: ngoại tuyến, chất lượng thấp; piper: cần tệp giọng.",
    )
    force: bool = Field(
        default=False,
        title="Làm lại từ đầu",
        description="Bỏ qua mọi bộ nhớ đệm: tải, dịch, dàn trang và đọc lại dù không có gì thay đổi.",
    )
    min_translated: float = Field(
        default=DEFAULT_MIN_TRANSLATED,
        ge=0,
        le=100,
        title="Tỉ lệ dịch tối thiểu (%)",
        description="Chỉ xuất bản một ngôn ngữ dịch khi ít nhất tỉ lệ này của bản tin đã được dịch (bản dịch mờ không tính).",
    )
    print_marks: bool = Field(
        default=False,
        title="Dấu xén cho nhà in",
        description="Thêm lề xén 3 mm cùng dấu cắt và dấu chữ thập vào PDF A4, dành cho nhà in.",
    )
    voice: str = Field(
        default="",
        title="Tệp giọng Piper",
        description="Tệp giọng .onnx (kèm tệp .onnx.json bên cạnh) khi chọn piper; để trống nếu không.",
    )
    bitrate_kbps: int = Field(
        default=DEFAULT_BITRATE_KBPS,
        ge=BITRATE_RANGE_KBPS[0],
        le=BITRATE_RANGE_KBPS[1],
        title="Tốc độ bit MP3 (kb/s)",
        description=f"Bộ giải mã của loa IP nhận từ {BITRATE_RANGE_KBPS[0]} đến {BITRATE_RANGE_KBPS[1]} kb/s.",
    )
    pause: float = Field(
        default=DEFAULT_PAUSE_S,
        ge=PAUSE_RANGE_S[0],
        le=PAUSE_RANGE_S[1],
        title="Khoảng nghỉ (giây)",
        description="Khoảng nghỉ sau tiêu đề và giữa các đoạn, tính bằng giây.",
    )
    draft: bool = Field(
        default=False,
        title="Chỉ xem trước (nháp)",
        description="Chỉ dựng bản xem trước cho bàn biên tập: không đưa lên cổng tải, bản tin podcast hay gói phát thanh.",
    )
    approved_by: str = Field(
        default="",
        title="Người duyệt",
        description="Tên người duyệt cho phép xuất bản lần này (ghi vào hồ sơ và nhật ký). Để trống khi lịch tự động xuất bản lại bản tin đã duyệt.",
    )

    @field_validator("locales")
    @classmethod
    def _known_locales(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        known = configured_locales()
        unknown = [code for code in value if known and code not in known]
        if unknown:
            raise ValueError(f"locales: {', '.join(unknown)}: no such locale. Pick from {', '.join(known)}")
        return value

    @field_validator("profiles")
    @classmethod
    def _known_profiles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [name for name in value if name not in PROFILES]
        if unknown:
            raise ValueError(f"profiles: {', '.join(unknown)}: no such print profile. Pick from {', '.join(PROFILES)}")
        return value

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        if value not in ENGINES:
            raise ValueError(f"engine: {value!r} is not a speech engine. Pick from {', '.join(ENGINES)}")
        return value

    def options(self) -> PublishOptions:
        """Just the options (a request without its bulletin or source)."""
        return PublishOptions.model_validate(self.model_dump(include=set(PublishOptions.model_fields)))

    def for_bulletin(self, bulletin: str) -> PublishRequest:
        """The request to publish ``bulletin`` (an id in content/ or a YAML path) with these options."""
        return PublishRequest.model_validate({**self.model_dump(include=set(PublishOptions.model_fields)), "bulletin": bulletin})

    def outputs_root(self) -> Path:
        """Where this publish writes: the desk's preview folder for a draft, else the project's outputs folder."""
        from bantin.settings import outputs_dir, preview_dir

        return preview_dir() if self.draft else outputs_dir()

    def pdf_options(self) -> dict[str, Any]:
        """The options a PDF depends on (part of its record entry's inputs)."""
        return {"print_marks": self.print_marks}

    def reading_options(self) -> dict[str, Any]:
        """The options a reading (and its EPUB) depends on (part of its record entry's inputs)."""
        return {"engine": self.engine, "voice": self.voice, "bitrate_kbps": self.bitrate_kbps, "pause": self.pause}

    @classmethod
    def build(cls, values: Mapping[str, Any]) -> Self:
        """Validate ``values`` into a request; :class:`InputError` with one line per wrong field otherwise."""
        try:
            return cls.model_validate(dict(values))
        except ValidationError as exc:
            raise InputError("; ".join(describe_errors(exc, cls))) from None


class PublishRequest(PublishOptions):
    """Publish one bulletin: the ``publish-bulletin`` flow's one parameter, and what the record keeps."""

    FORM_LEAD: ClassVar[tuple[str, ...]] = ("bulletin",)

    bulletin: str = Field(
        min_length=1,
        title="Bản tin",
        description="Chọn một bản tin trong content/ (mới nhất trước), hoặc chọn «Đường dẫn» và nhập đường dẫn tới tệp YAML của nó.",
    )


class AddRequest(PublishOptions):
    """Add a bulletin from exactly one source (pasted text, a saved page, a URL), then publish it with these options."""

    FORM_LEAD: ClassVar[tuple[str, ...]] = ("text", "html_file", "url", "date")

    text: str = Field(
        default="",
        title="Nội dung bản tin",
        description="Dán toàn bộ nội dung bản tin (tiêu đề ở dòng đầu). Chỉ điền MỘT trong ba ô: nội dung, tệp trang web, địa chỉ trang tin.",
    )
    html_file: str = Field(
        default="",
        title="Tệp trang web đã lưu (.html)",
        description="Đường dẫn tới trang tin đã lưu dưới dạng .html trên máy chạy bantin. Để trống nếu đã dán nội dung hoặc nhập địa chỉ.",
    )
    url: str = Field(
        default="",
        title="Địa chỉ trang tin (URL)",
        description="Địa chỉ http(s):// của trang tin. Để trống nếu đã dán nội dung hoặc chọn tệp.",
    )
    date: str = Field(
        default="",
        title="Ngày bản tin",
        description="Ngày của bản tin (YYYY-MM-DD) khi nội dung không ghi ngày; để trống nếu có.",
    )


def describe_errors(exc: ValidationError, model: type[BaseModel] = PublishRequest) -> list[str]:
    """One line per wrong field: its Vietnamese title and name, what is wrong and what to do."""
    lines: list[str] = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        field = model.model_fields.get(name)
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"not an option of this form. Use {', '.join(model.model_fields)}"
        elif error["type"] == "missing":
            message = "missing. Fill it in"
        line = _problem(name, message) if name else message
        lines.append(f"«{field.title}» {line}" if field is not None and field.title else line)
    return lines
