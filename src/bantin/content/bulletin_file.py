"""The bulletin YAML format: dump for editors, load with validation.

The file is meant to be read and fixed by hand: block style, real UTF-8, keys in
a fixed order, one paragraph per item.  Loading validates every field and
raises :class:`~bantin.errors.BulletinValidationError` naming the file, the line,
the field, what is wrong and what to do.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bantin.content.model import (
    CREDIT_LABELS,
    ID_MAX_LENGTH,
    ID_PATTERN,
    MAX_BLOCKS,
    Block,
    Bulletin,
    BulletList,
    Paragraph,
    Photo,
    Quote,
    Republish,
    date_problem,
)
from bantin.datafile import YamlProblem, parse_yaml_tree, read_yaml_text
from bantin.errors import BulletinValidationError
from bantin.fsutil import write_text_if_changed
from bantin.settings import max_paragraph_chars, max_title_chars, max_yaml_bytes
from bantin.textutil import bad_character, escape_text, normalize_space, shown

__all__ = [
    "FIELD_ORDER",
    "bulletin_from_mapping",
    "bulletin_to_mapping",
    "dump_bulletin",
    "load_bulletin",
    "resolve_bulletin",
    "save_bulletin",
]

#: Top-level keys, in the order they are written.
FIELD_ORDER = ("id", "language", "title", "date", "time_of_day", "place", "source", "byline", "byline_label", "republish", "body")
_REQUIRED = ("id", "title", "date", "body")
_OPTIONAL_TEXT = ("time_of_day", "place", "source", "byline", "byline_label")
_BLOCK_KINDS = ("paragraph", "image", "list", "quote")


# --------------------------------------------------------------------------- dump


class _Dumper(yaml.SafeDumper):
    """Block style, no aliases; long lines are never folded, so a paragraph stays one item."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _str_presenter)


def bulletin_to_mapping(bulletin: Bulletin) -> dict[str, Any]:
    """The plain mapping written to YAML, keys in :data:`FIELD_ORDER`, empty optionals left out."""
    out: dict[str, Any] = {
        "id": bulletin.id,
        "language": bulletin.language,
        "title": bulletin.title,
        "date": bulletin.date,
    }
    for key in _OPTIONAL_TEXT:
        value = getattr(bulletin, key)
        if value:
            out[key] = value
    if bulletin.republish is not None:
        window: dict[str, Any] = {"until": bulletin.republish.until}
        if bulletin.republish.slots:
            window["slots"] = [t.strftime("%H:%M") for t in bulletin.republish.slots]
        out["republish"] = window
    out["body"] = [_block_to_mapping(b) for b in bulletin.body]
    return out


def _block_to_mapping(block: Block) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"paragraph": block.text}
    if isinstance(block, Photo):
        image: dict[str, Any] = {"caption": block.caption, "alt": block.alt}
        if block.src:
            image["src"] = block.src
        return {"image": image}
    if isinstance(block, BulletList):
        return {"list": list(block.items)}
    quote: dict[str, Any] = {"text": block.text}
    if block.attribution:
        quote["attribution"] = block.attribution
    return {"quote": quote}


def dump_bulletin(bulletin: Bulletin) -> str:
    """The bulletin as editor-friendly YAML text."""
    return yaml.dump(
        bulletin_to_mapping(bulletin),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1 << 30,
        indent=2,
    )


def save_bulletin(bulletin: Bulletin, path: Path) -> bool:
    """Write the YAML atomically; returns False when the file already held exactly this.

    A bulletin whose YAML would be over the size cap is refused, not written: it could not be loaded again.
    """
    text = dump_bulletin(bulletin)
    size, limit = len(text.encode("utf-8")), max_yaml_bytes()
    if size > limit:
        raise BulletinValidationError(
            path,
            "(file)",
            f"the bulletin's YAML would be {size} bytes, over the limit of {limit}",
            "Split it into several bulletins, or raise BANTIN_MAX_YAML_BYTES",
        )
    return write_text_if_changed(path, text)


# --------------------------------------------------------------------------- load


def resolve_bulletin(ref: str) -> Path:
    """A bulletin given as a YAML path, or as an id under ``content/`` (what the UI's form asks for)."""
    from bantin.errors import InputError
    from bantin.paths import content_dir

    path = Path(ref.strip())
    if path.is_file():
        return path
    candidate = content_dir() / f"{ref.strip()}.yaml"
    if candidate.is_file():
        return candidate
    known = sorted(p.stem for p in content_dir().glob("*.yaml"))
    raise InputError(f"{ref}: no such bulletin file or id. Known ids in {content_dir()}: {', '.join(known) or '(none)'}")


def load_bulletin(path: Path) -> Bulletin:
    """Read and validate a bulletin YAML file.

    The file is parsed by :func:`bantin.datafile.parse_yaml_tree` (size cap, no
    anchors or aliases, no control or invisible characters), dates are left as
    text so the model checks them, and every error names the line.
    """
    where = escape_text(str(path), 1000)  # a file name may hold a terminal escape: never print it raw
    try:
        text = read_yaml_text(path)
    except FileNotFoundError:
        raise BulletinValidationError(where, "(file)", "no such file", "Check the path, or run 'bantin ingest RAW.txt' to create it") from None
    except IsADirectoryError:
        raise BulletinValidationError(where, "(file)", "is a folder, not a file", "Pass the bulletin's YAML file") from None
    except OSError as exc:
        raise BulletinValidationError(where, "(file)", f"cannot be read ({exc.strerror})", "Check the file and its permissions") from None
    except YamlProblem as exc:
        raise BulletinValidationError(where, "(file)", exc.problem, exc.hint, line=exc.line) from None
    try:
        node, data = parse_yaml_tree(text, dates=False)
    except YamlProblem as exc:
        field = (_field_at(exc.node, exc.line) if exc.node is not None and exc.line else None) or exc.field
        raise BulletinValidationError(where, field, exc.problem, exc.hint, line=exc.line) from None
    try:
        return bulletin_from_mapping(data, path=where)
    except BulletinValidationError as exc:
        if exc.line is None and node is not None:
            exc = BulletinValidationError(where, exc.field, exc.problem, exc.hint, line=_line_of(node, exc.field))
        raise exc from None


def _field_at(node: yaml.Node, line: int) -> str | None:
    """The dotted field path (``body[2].paragraph``) of the innermost value that spans 1-based ``line``."""
    target = line - 1
    path = ""
    current: yaml.Node | None = node
    while current is not None:
        children: list[tuple[str, yaml.Node]] = []
        if isinstance(current, yaml.MappingNode):
            children = [(f"{path}.{k.value}" if path else str(k.value), v) for k, v in current.value if isinstance(k, yaml.ScalarNode)]
        elif isinstance(current, yaml.SequenceNode):
            children = [(f"{path}[{i}]", v) for i, v in enumerate(current.value)]
        # Children are in file order: the last one that starts at or before the line holds it.
        before = [(name, child) for name, child in children if child.start_mark.line <= target]
        if before:
            path, current = before[-1]
        else:
            current = None
    return path or None


def _line_of(node: yaml.Node, field: str) -> int | None:
    """The 1-based line of a dotted field path such as ``body[2].image.caption`` in a composed YAML tree."""
    current: yaml.Node | None = node
    line = None
    for part in field.replace("[", ".[").split("."):
        if not part or current is None:
            continue
        if part.startswith("[") and isinstance(current, yaml.SequenceNode):
            idx = int(part[1:-1])
            current = current.value[idx] if idx < len(current.value) else None
        elif isinstance(current, yaml.MappingNode):
            match = next(((k, v) for k, v in current.value if getattr(k, "value", None) == part), None)
            current = match[1] if match else None
            if match:
                line = match[0].start_mark.line + 1
            continue
        else:
            current = None
        if current is not None:
            line = current.start_mark.line + 1
    return line


def bulletin_from_mapping(data: Any, path: Path | str | None = None) -> Bulletin:
    """Validate a plain mapping (as YAML gives it) into a :class:`Bulletin`."""

    def fail(field: str, problem: str, hint: str) -> BulletinValidationError:
        return BulletinValidationError(path, escape_text(field), problem, hint)

    if not isinstance(data, Mapping):
        raise fail("(top)", f"expected a mapping of fields, got {_kind(data)}", "Start the file with 'id:', 'title:', 'date:' and 'body:' lines")
    unknown = [k for k in data if k not in FIELD_ORDER]
    if unknown:
        raise fail(str(unknown[0]), "unknown field", f"Allowed fields: {', '.join(FIELD_ORDER)}; check the spelling")
    for key in _REQUIRED:
        if key not in data or data[key] in (None, "", []):
            raise fail(key, "missing", _HINTS[key])

    bulletin_id = _text(data, "id", fail)
    if len(bulletin_id) > ID_MAX_LENGTH or not ID_PATTERN.match(bulletin_id):
        raise fail(
            "id",
            f"{shown(bulletin_id)} is not a slug of at most {ID_MAX_LENGTH} characters",
            "Use lowercase ASCII letters, digits and single hyphens, e.g. 2024-06-28-hoi-nghi-dan-van",
        )
    language = _text(data, "language", fail) if data.get("language") is not None else "vi"
    date = _date(data.get("date"), "date", "Write it as YYYY-MM-DD, e.g. 2024-06-28", fail)
    optional = {key: (_text(data, key, fail) if data.get(key) not in (None, "") else None) for key in _OPTIONAL_TEXT}
    if optional["byline_label"] is not None:
        optional["byline_label"] = _credit_label(optional["byline_label"], fail)

    body_raw = data["body"]
    if not isinstance(body_raw, list):
        raise fail("body", f"expected a list of blocks, got {_kind(body_raw)}", "Write each block as a '- paragraph: ...' item")
    pieces = len(body_raw) + sum(len(v) - 1 for b in body_raw if isinstance(b, Mapping) for v in b.values() if isinstance(v, list) and v)
    if pieces > MAX_BLOCKS:
        raise fail("body", f"{pieces} blocks and list items is more than one bulletin holds (limit {MAX_BLOCKS})", "Split it into several bulletins")
    body = tuple(_block(item, f"body[{i}]", fail) for i, item in enumerate(body_raw))
    republish = _republish(data["republish"], fail) if data.get("republish") is not None else None
    return Bulletin(
        id=bulletin_id,
        title=_text(data, "title", fail),
        date=date,
        body=body,
        language=language,
        republish=republish,
        **optional,
    )


def _credit_label(value: str, fail: Any) -> str:
    """One of :data:`CREDIT_LABELS`, matched without regard to case ("tin, ảnh" is "Tin, ảnh")."""
    for label in CREDIT_LABELS:
        if value.casefold() == label.casefold():
            return label
    raise fail("byline_label", f"{shown(value)} is not a credit label", f"Use one of: {'; '.join(CREDIT_LABELS)}")


_HINTS = {
    "id": "Add an 'id:' line with a slug such as 2024-06-28-hoi-nghi-dan-van",
    "title": "Add a 'title:' line with the headline",
    "date": "Add a 'date:' line as YYYY-MM-DD (the date the bulletin states)",
    "body": "Add a 'body:' list with at least one '- paragraph: ...' item",
}


def _kind(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


def _clean(value: Any, field: str, fail: Any, short: bool | None = False) -> str:
    """The field's text, NFC and space-normalized.

    ``short`` fields (title, place...) have the title limit, others the paragraph
    limit; ``None`` (id, language) is checked by its own rule.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise fail(field, f"expected text, got {_kind(value)}", "Write plain text after the colon; quote it if it starts with a special character")
    found = bad_character(str(value)) if isinstance(value, str) else None
    if found is not None:  # the YAML loader refuses these already; a mapping given directly meets the same rule
        raise fail(field, found[1], "Delete it from the text")
    text = normalize_space(str(value))
    if not text:
        raise fail(field, "is empty", "Write the text, or delete the line if the field is optional")
    limit = max_title_chars() if short else max_paragraph_chars()
    if short is not None and len(text) > limit:
        what, hint = (
            ("a title, place, source or byline", "Shorten it") if short else ("a paragraph, list item, quote or caption", "Shorten it, or split it in two")
        )
        raise fail(field, f"{len(text)} characters is too long for {what} (limit {limit})", hint)
    return text


def _text(data: Mapping[str, Any], key: str, fail: Any) -> str:
    return _clean(data[key], key, fail, short=None if key in ("id", "language") else True)


_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ][0-9:.+\-Zz ]*)?$")


def _date(value: Any, field: str, hint: str, fail: Any) -> dt.date:
    """A YYYY-MM-DD date (a time after it is ignored); an impossible day is refused with the reason, never rolled over."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _ISO_DATE_RE.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise fail(field, f"{shown(value)} is not a date", hint)
    year, month, day = (int(g) for g in match.groups())
    problem = date_problem(year, month, day)
    if problem:
        raise fail(field, f"{shown(value)} is not a date: {problem}", hint)
    return dt.date(year, month, day)


_SLOT_RE = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


def _republish(value: Any, fail: Any) -> Republish:
    """The optional republication window: ``{until: YYYY-MM-DD, slots: ["05:30", "16:30"]}``."""
    if not isinstance(value, Mapping):
        raise fail(
            "republish",
            f"expected a mapping with 'until' and 'slots', got {_kind(value)}",
            "Write 'until: 2024-07-15' and 'slots: [\"05:30\", \"16:30\"]' under 'republish:'",
        )
    extra = [k for k in value if k not in ("until", "slots")]
    if extra:
        raise fail(f"republish.{extra[0]}", "unknown field", "A republication window has only until and slots")
    until = _date(value.get("until"), "republish.until", "Write the last day to republish as YYYY-MM-DD, e.g. 2024-07-15", fail)
    raw_slots = value.get("slots") or []
    if not isinstance(raw_slots, list):
        raise fail("republish.slots", f"expected a list of times, got {_kind(raw_slots)}", 'Write the times as a list, e.g. ["05:30", "16:30"]')
    slots = []
    for i, slot in enumerate(raw_slots):
        match = _SLOT_RE.match(slot.strip()) if isinstance(slot, str) else None
        if match is None:
            small_int = isinstance(slot, int) and not isinstance(slot, bool) and 0 <= slot < 10**6
            what = f"{slot // 60}:{slot % 60:02d} read as the number {slot}" if small_int else shown(slot)
            raise fail(f"republish.slots[{i}]", f"{what} is not a time of day", 'Write it as quoted "HH:MM" (24-hour), e.g. "05:30"')
        slots.append(dt.time(int(match.group(1)), int(match.group(2))))
    return Republish(until, tuple(sorted(set(slots))))


def _block(item: Any, where: str, fail: Any) -> Block:
    if not isinstance(item, Mapping) or len(item) != 1:
        raise fail(where, f"a block must be a mapping with exactly one of {', '.join(_BLOCK_KINDS)}", "Write it as '- paragraph: text'")
    ((kind, value),) = item.items()
    field = f"{where}.{kind}"
    if kind == "paragraph":
        return Paragraph(_clean(value, field, fail))
    if kind == "image":
        if not isinstance(value, Mapping):
            raise fail(field, f"expected a mapping with caption and alt, got {_kind(value)}", "Write 'caption:' and 'alt:' lines under 'image:'")
        extra = [k for k in value if k not in ("caption", "alt", "src")]
        if extra:
            raise fail(f"{field}.{extra[0]}", "unknown field", "An image has only caption, alt and src")
        if value.get("alt") in (None, ""):
            raise fail(f"{field}.alt", "missing", "Describe the photo for screen-reader users; if the file is lost, say the photo is not available")
        caption = _clean(value["caption"], f"{field}.caption", fail) if value.get("caption") not in (None, "") else ""
        src = _clean(value["src"], f"{field}.src", fail) if value.get("src") not in (None, "") else None
        if src and ("://" in src or src.startswith("/") or ".." in Path(src).parts):
            raise fail(f"{field}.src", f"{shown(src)} is not a file in the bulletin's own asset folder", "Give a relative path such as assets/photo1.jpg")
        return Photo(caption, _clean(value["alt"], f"{field}.alt", fail), src)
    if kind == "list":
        if not isinstance(value, list) or not value:
            raise fail(field, f"expected a non-empty list of items, got {_kind(value)}", "Write each item on its own '- ' line under 'list:'")
        return BulletList(tuple(_clean(v, f"{field}[{i}]", fail) for i, v in enumerate(value)))
    if kind == "quote":
        if isinstance(value, str):
            return Quote(_clean(value, field, fail))
        if not isinstance(value, Mapping) or "text" not in value:
            raise fail(field, "expected text or a mapping with 'text'", "Write 'quote: text' or 'text:' and 'attribution:' lines")
        attribution = _clean(value["attribution"], f"{field}.attribution", fail) if value.get("attribution") else None
        return Quote(_clean(value["text"], f"{field}.text", fail), attribution)
    raise fail(where, f"unknown block kind {shown(kind)}", f"Use one of: {', '.join(_BLOCK_KINDS)}")
