"""The draft form: a bulletin as named form fields (their names are the YAML field paths), and back.

A field's name is the path :class:`~bantin.errors.BulletinValidationError`
names (``title``, ``body[2].image.alt``), so a validation error lands beside
its own field without a table of translations.  The bulletin is rebuilt
through :func:`bantin.content.bulletin_file.bulletin_from_mapping`: the same
rules as a YAML file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bantin.content.bulletin_file import bulletin_from_mapping, bulletin_to_mapping
from bantin.content.model import Bulletin, BulletList, Paragraph, Photo, Quote
from bantin.errors import BulletinValidationError

__all__ = ["FIELD_LABELS", "NEW_FIELD_LABELS", "FormBlock", "bulletin_from_form", "dom_id", "form_blocks", "form_values"]


def N_(message: str) -> str:
    return message


#: The draft form's fields in the words of the page (what an error names).
FIELD_LABELS: Mapping[str, str] = {
    "title": N_("Tiêu đề"),
    "date": N_("Ngày"),
    "time_of_day": N_("Buổi / giờ"),
    "place": N_("Nơi diễn ra"),
    "source": N_("Nguồn"),
    "byline": N_("Tác giả"),
    "byline_label": N_("Loại ghi công"),
    "body": N_("Nội dung"),
    "new_paragraph": N_("Thêm đoạn mới"),
    "republish.until": N_("Phát lại trên loa đến hết ngày"),
    "republish.slots": N_("Giờ phát lại"),
}
#: The new-bulletin form's fields.
NEW_FIELD_LABELS: Mapping[str, str] = {
    "text": N_("Nội dung bản tin"),
    "upload": N_("Tệp bản tin"),
    "url": N_("Địa chỉ trang tin"),
    "date": N_("Ngày của bản tin"),
}
_SCALARS = ("title", "date", "time_of_day", "place", "source", "byline", "byline_label")
_BLOCK_RE = re.compile(r"^body\[(\d+)\]\.(paragraph|list|image\.caption|image\.alt|image\.src|quote\.text|quote\.attribution|delete)$")


def dom_id(name: str) -> str:
    """An HTML id for a field name (``body[2].image.alt`` -> ``f-body-2-image-alt``)."""
    return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")


@dataclass(frozen=True)
class FormBlock:
    """One body block as the form shows it."""

    index: int
    kind: str  # paragraph | list | image | quote
    fields: Mapping[str, str]  # field name -> value


def form_values(bulletin: Bulletin) -> dict[str, str]:
    """The scalar fields' values, and the bulletin's own broadcast window (last day, times of day joined by commas)."""
    data = bulletin_to_mapping(bulletin)
    values = {k: str(data.get(k, "") or "") for k in _SCALARS}
    window = bulletin.republish
    values["republish.until"] = window.until.isoformat() if window else ""
    values["republish.slots"] = ", ".join(t.strftime("%H:%M") for t in window.slots) if window else ""
    return values


def form_blocks(bulletin: Bulletin) -> list[FormBlock]:
    """The body blocks as form fields."""
    out: list[FormBlock] = []
    for i, block in enumerate(bulletin.body):
        p = f"body[{i}]"
        if isinstance(block, Paragraph):
            out.append(FormBlock(i, "paragraph", {f"{p}.paragraph": block.text}))
        elif isinstance(block, BulletList):
            out.append(FormBlock(i, "list", {f"{p}.list": "\n".join(block.items)}))
        elif isinstance(block, Photo):
            out.append(FormBlock(i, "image", {f"{p}.image.caption": block.caption, f"{p}.image.alt": block.alt, f"{p}.image.src": block.src or ""}))
        elif isinstance(block, Quote):
            out.append(FormBlock(i, "quote", {f"{p}.quote.text": block.text, f"{p}.quote.attribution": block.attribution or ""}))
    return out


def bulletin_from_form(base: Bulletin, form: Mapping[str, Any], path: str) -> Bulletin:
    """The edited bulletin: ``base`` (id, language kept) with the form's fields; BulletinValidationError names the field."""
    data = bulletin_to_mapping(base)
    for key in _SCALARS:
        value = form.get(key)
        if isinstance(value, str):
            value = value.strip()
            if value:
                data[key] = value
            else:
                data.pop(key, None)
    blocks: dict[int, dict[str, str]] = {}
    for name, value in form.items():
        m = _BLOCK_RE.match(name)
        if m and isinstance(value, str):
            blocks.setdefault(int(m.group(1)), {})[m.group(2)] = value
    body: list[dict[str, Any]] = []
    origin: list[str] = []  # body index -> the form's name of that block
    for i in sorted(blocks):
        fields = blocks[i]
        if fields.get("delete"):
            continue
        origin.append(f"body[{i}]")
        if "paragraph" in fields:
            body.append({"paragraph": fields["paragraph"]})
        elif "list" in fields:
            body.append({"list": [line.strip() for line in fields["list"].splitlines() if line.strip()]})
        elif "image.alt" in fields or "image.caption" in fields:
            image = {"caption": fields.get("image.caption", ""), "alt": fields.get("image.alt", "")}
            if fields.get("image.src"):
                image["src"] = fields["image.src"]
            body.append({"image": image})
        elif "quote.text" in fields:
            quote = {"text": fields["quote.text"]}
            if fields.get("quote.attribution", "").strip():
                quote["attribution"] = fields["quote.attribution"]
            body.append({"quote": quote})
    until, slots = (str(form.get(f"republish.{k}") or "").strip() for k in ("until", "slots"))
    if "republish.until" in form or "republish.slots" in form:
        if until or slots:
            data["republish"] = {"until": until or None, "slots": [t.strip() for t in re.split(r"[,;\s]+", slots) if t.strip()]}
        else:
            data.pop("republish", None)
    extra = form.get("new_paragraph")
    if isinstance(extra, str) and extra.strip():
        body.append({"paragraph": extra})
        origin.append("new_paragraph")
    data["body"] = body
    try:
        return bulletin_from_mapping(data, path)
    except BulletinValidationError as exc:
        if exc.field.startswith("republish"):
            exc.field = "republish.slots" if exc.field.startswith("republish.slots") else "republish.until"
            raise
        m = re.match(r"^body\[(\d+)\](?:\.(?:paragraph)?)?(.*)$", exc.field)
        if m and int(m.group(1)) < len(origin):
            where = origin[int(m.group(1))]
            rest = exc.field[len(f"body[{m.group(1)}]") :]
            exc.field = where if where == "new_paragraph" else where + rest
        raise
