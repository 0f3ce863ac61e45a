"""The publication record: ``outputs/<id>/manifest.json`` as one typed model.

The record is the bulletin's state, not one run's: an entry per output, keyed
by (kind, locale, profile), each with the inputs key it was made from; a status
per locale (published, skipped with reason and counts, failed with reason) with
its own title, date text and reading.  A publish replaces only the entries of
its scope (:func:`merge`) and keeps the rest; a kept entry whose inputs differ
from the current ones is marked **stale** (kept on disk, never served as current).

Schema 2 is written; schema 1 (bantin before the record) is read and migrated
(:func:`migrate_v1`).  Every reader (portal, report, republish, CLI, verify)
goes through :func:`read_record`; nobody picks at the JSON by string keys.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, computed_field, field_validator

from bantin.errors import RecordError, UnsafeOutputError
from bantin.fsutil import unsafe_relpath

__all__ = [
    "MANIFEST_NAME",
    "SCHEMA_VERSION",
    "Acceptance",
    "BulletinHead",
    "Editorial",
    "EditorialState",
    "Entry",
    "EntryInputs",
    "EntryKey",
    "FailureNote",
    "LastGood",
    "LocaleRecord",
    "LocaleStatusName",
    "Loudness",
    "Part",
    "Record",
    "SourceRef",
    "dumps",
    "generation_time",
    "merge",
    "migrate_v1",
    "parse_record",
    "read_record",
]

MANIFEST_NAME = "manifest.json"
SCHEMA_VERSION = 2

EntryKey = tuple[str, str, str | None]
LocaleStatusName = Literal["published", "skipped", "failed"]
EditorialState = Literal["draft", "published", "retracted"]
#: The start of the message of a record path that leaves its generation (:func:`parse_record` turns it into UnsafeOutputError).
_LEAVES = "leads outside the bulletin's own generations"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class EntryInputs(_Model):
    """What an output was made from: the parts of its inputs key.

    ``options`` are the output's own (profile, print marks; engine, voice,
    bitrate, pause): a later publish with other options does not make it stale.
    """

    key: str
    source: str
    catalog: str
    templates: str
    bulletin_assets: str
    bantin: str
    options: dict[str, Any] = Field(default_factory=dict)

    def shared(self) -> tuple[str, str, str, str, str]:
        """The parts every output of the locale shares (content, catalog, templates, images, bantin)."""
        return (self.source, self.catalog, self.templates, self.bulletin_assets, self.bantin)


class LastGood(_Model):
    """Why an output or a locale shows an earlier publish's edition: the stage that failed since, and when.

    A failed stage never unpublishes: its outputs from the last good
    generation stay listed and served, marked with this note, until a publish
    of that stage succeeds.
    """

    reason: str
    failed_at: str


class Loudness(_Model):
    integrated_lufs: float | None = None
    true_peak_dbtp: float | None = None
    lra_lu: float | None = None
    measured_with: str = "ffmpeg ebur128=peak=true"


class Part(_Model):
    start_s: float
    end_s: float
    engine: str
    voice: str
    #: the language this part is spoken in (a locale code; empty in records before it was kept)
    lang: str = ""


class Entry(_Model):
    """One listed file: where, what, its size, sha256 and mtime, and the inputs it was made from."""

    path: str
    kind: str
    locale: str
    profile: str | None = None
    media_type: str
    #: None only in hand-written schema 1 manifests (verify reports such an entry as unverifiable)
    bytes: int | None = None
    sha256: str | None = None
    #: nanoseconds; the portal refuses a file whose mtime or size differ (None: migrated, size only)
    mtime_ns: int | None = None
    inputs: EntryInputs | None = None
    stale: bool = False
    #: kept from an earlier publish because its stage failed since (served, never stale for that)
    last_good: LastGood | None = None
    # pdf
    pages: int | None = None
    print_marks: bool | None = None
    refused_urls: list[str] | None = None
    #: schema 1: the page-1 PNG named on the PDF entry itself (schema 2 lists it as a ``preview`` entry)
    preview: str | None = None
    # preview / transcript / captions: the file they belong to
    preview_of: str | None = None
    of: str | None = None
    # audio
    duration_s: float | None = None
    bitrate_kbps: int | None = None
    engine: str | None = None
    read_by: list[str] | None = None
    voice: str | None = None
    degraded: bool | None = None
    fallback_reason: str | None = None
    loudness: Loudness | None = None
    parts: list[Part] | None = None
    #: audio: every language spoken in it (ISO 639-2, as its ID3 TLAN says), the main one first
    languages: list[str] | None = None
    #: braille: the liblouis table of each language transcribed (language -> table), the document's first
    tables: dict[str, str] | None = None

    @field_validator("path", "preview", "preview_of", "of")
    @classmethod
    def _stays_inside(cls, value: str | None) -> str | None:
        """A path that is absolute or climbs out with ``..`` is refused: nothing may follow it."""
        reason = None if value is None else unsafe_relpath(value)
        if reason is not None:
            raise ValueError(f"{value!r} {_LEAVES} ({reason})")
        return value

    @property
    def key(self) -> EntryKey:
        return (self.kind, self.locale, self.profile)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


def describe_failure(stage: str, reason: str, locale: str | None, profile: str | None) -> str:
    """``stage [locale/profile]: reason``, the one way a failed output is named."""
    where = "/".join(x for x in (locale, profile) if x)
    return f"{stage}{f' [{where}]' if where else ''}: {reason}"


class FailureNote(_Model):
    """A stage of the last publish that produced nothing, and why."""

    stage: str
    reason: str
    locale: str | None = None
    profile: str | None = None

    def describe(self) -> str:
        return describe_failure(self.stage, self.reason, self.locale, self.profile)


class LocaleRecord(_Model):
    """Where one locale stands: status and why, catalog counts, its own title and date text, its reading."""

    code: str
    status: LocaleStatusName
    reason: str | None = None
    translated: int | None = None
    fuzzy: int | None = None
    untranslated: int | None = None
    percent: float | None = None
    title: str | None = None
    date_text: str | None = None
    #: path of the reading (audio entry), or None with ``no_reading`` saying why
    reading: str | None = None
    no_reading: str | None = None
    #: why the locale has no braille (no liblouis table) or no EPUB (no reading), when it has none
    no_braille: str | None = None
    no_epub: str | None = None
    #: the locale shows its last good edition: a stage failed since (its outputs carry the same note)
    last_good: LastGood | None = None

    def coverage(self) -> dict[str, float | int]:
        counts = {"translated": self.translated, "fuzzy": self.fuzzy, "untranslated": self.untranslated, "percent": self.percent}
        return {k: v for k, v in counts.items() if v is not None}


class BulletinHead(_Model):
    id: str
    title: str
    date: dt.date
    language: str = "vi"


class SourceRef(_Model):
    path: str
    sha256: str


class Acceptance(_Model):
    """An approver accepted a degraded (machine) reading for broadcast: who, when, and the file's sha256 then.

    Void as soon as the entry's sha256 changes (a new reading is a new decision).
    """

    by: str
    at: str
    sha256: str | None = None


class Editorial(_Model):
    """Where the bulletin stands editorially: a draft (preview only), published, or retracted (kept, never served).

    Records written before the desk have none: they read as published.
    """

    state: EditorialState = "published"
    approved_by: str | None = None
    approved_at: str | None = None
    retracted_by: str | None = None
    retracted_at: str | None = None
    reason: str | None = None
    #: entry path -> the approver's acceptance of that degraded reading
    accepted: dict[str, Acceptance] = Field(default_factory=dict)
    #: when the editorial state or an acceptance last changed (feeds' Last-Modified must move then too)
    changed_at: str | None = None


class Record(_Model):
    """The record of one bulletin: every current and stale output, every locale's status."""

    schema_version: int = Field(default=SCHEMA_VERSION, alias="schema")
    bulletin: BulletinHead
    source: SourceRef | None = None
    bantin_version: str = ""
    generated_at: str = ""
    #: the name of the generation folder this record describes (empty: migrated, never swapped in)
    generation: str = ""
    #: what the last publish depended on (:func:`bantin.publish.keys.publish_inputs`); republish compares it
    inputs: dict[str, Any] | None = None
    #: the request of the last publish (:class:`bantin.publish.request.PublishRequest` as JSON); None in older records
    request: dict[str, Any] | None = None
    locales: dict[str, LocaleRecord] = Field(default_factory=dict)
    outputs: list[Entry] = Field(default_factory=list)
    #: failures of the last publish
    failures: list[FailureNote] = Field(default_factory=list)
    #: draft, published or retracted, who approved, who retracted and why, accepted degraded readings
    editorial: Editorial = Field(default_factory=Editorial)

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    # ------------------------------------------------------------------ derived (written for readers of the JSON)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> str:
        """``failed`` when the last publish had a failure, else ``complete``."""
        return "failed" if self.failures else "complete"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def skipped(self) -> list[dict[str, Any]]:
        """Locales and readings left out on purpose, with reason and counts (schema 1's list)."""
        out: list[dict[str, Any]] = []
        for code, loc in sorted(self.locales.items()):
            if loc.status == "skipped":
                out.append({"locale": code, "what": "variant", "reason": loc.reason or "", **loc.coverage()})
            elif loc.status == "published":
                if loc.reading is None and loc.no_reading:
                    out.append({"locale": code, "what": "reading", "reason": loc.no_reading})
                for what, reason in (("braille", loc.no_braille), ("epub", loc.no_epub)):
                    if reason:
                        out.append({"locale": code, "what": what, "reason": reason})
        return out

    @computed_field  # type: ignore[prop-decorator]
    @property
    def translations(self) -> dict[str, dict[str, Any]]:
        return {code: {"status": loc.status, **loc.coverage()} for code, loc in sorted(self.locales.items()) if loc.coverage()}

    @computed_field  # type: ignore[prop-decorator]
    @property
    def refused_urls(self) -> dict[str, Any]:
        urls = sorted({u for e in self.current() for u in e.refused_urls or ()})
        return {"count": len(urls), "urls": urls}

    # ------------------------------------------------------------------ queries

    @property
    def id(self) -> str:
        return self.bulletin.id

    def current(self, locale: str | None = None, kind: str | None = None) -> list[Entry]:
        """Entries that are not stale, optionally of one locale and kind, in path order."""
        return [e for e in self.outputs if not e.stale and (locale is None or e.locale == locale) and (kind is None or e.kind == kind)]

    def stale_entries(self) -> list[Entry]:
        return [e for e in self.outputs if e.stale]

    def entry(self, path: str) -> Entry | None:
        return next((e for e in self.outputs if e.path == path), None)

    def locale(self, code: str) -> LocaleRecord | None:
        return self.locales.get(code)

    def published(self, code: str) -> bool:
        """The locale is published and has current files (skipped, failed and stale-only locales are not)."""
        loc = self.locales.get(code)
        return loc is not None and loc.status == "published" and bool(self.current(code))

    def outdated(self, code: str) -> bool:
        """The locale has files, but every one is stale."""
        return bool([e for e in self.outputs if e.locale == code]) and not self.current(code)

    def title_in(self, code: str) -> str:
        loc = self.locales.get(code)
        return loc.title if loc and loc.title else self.bulletin.title

    def held_readings(self) -> list[Entry]:
        """Current degraded readings no approver (validly) accepted: kept out of every feed.

        An acceptance holds only while the entry's sha256 is the one accepted (a new reading is a new decision).
        """
        accepted = self.editorial.accepted
        return [e for e in self.current(kind="audio") if e.degraded and (e.path not in accepted or accepted[e.path].sha256 != e.sha256)]

    def listed_paths(self) -> set[str]:
        """Every path an entry names (a schema 1 PDF entry may name its preview)."""
        return {e.path for e in self.outputs} | {e.preview for e in self.outputs if e.preview}


def generation_time() -> str:
    """UTC time of generation, or SOURCE_DATE_EPOCH when set (reproducible builds)."""
    from bantin.settings import source_date

    now = source_date() or dt.datetime.now(dt.UTC)
    return now.replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --------------------------------------------------------------------------- reading and writing


def migrate_v1(data: Mapping[str, Any]) -> dict[str, Any]:
    """Schema 1 (one run's manifest) as schema 2: locales with status, counts and reading; entries without inputs."""
    out = dict(data)
    outputs = [dict(o) for o in data.get("outputs") or [] if isinstance(o, Mapping)]
    for o in outputs:
        o.setdefault("locale", "")
        o.setdefault("media_type", "application/octet-stream")
    out["outputs"] = outputs
    translations = data.get("translations") if isinstance(data.get("translations"), Mapping) else {}
    skipped = {(s.get("locale"), s.get("what")): s for s in data.get("skipped") or [] if isinstance(s, Mapping)}
    failures = [f for f in data.get("failures") or [] if isinstance(f, Mapping)]
    raw_locales = data.get("locales")
    codes = [c for c in (raw_locales if isinstance(raw_locales, (list, Mapping)) else []) if isinstance(c, str)]
    named = [o.get("locale") for o in outputs] + [s.get("locale") for s in skipped.values()] + [f.get("locale") for f in failures]
    named += list(translations) if isinstance(translations, Mapping) else []
    for code in named:
        if isinstance(code, str) and code and code not in codes:
            codes.append(code)
    locales: dict[str, Any] = {}
    for code in codes:
        counts = dict(translations.get(code) or {}) if isinstance(translations, Mapping) else {}
        counts.pop("status", None)
        audio = next((o["path"] for o in outputs if o.get("locale") == code and o.get("kind") == "audio"), None)
        has_files = any(o.get("locale") == code for o in outputs)
        skip = skipped.get((code, "variant"))
        failed = [f for f in failures if f.get("locale") == code]
        status = "skipped" if skip else ("published" if has_files else ("failed" if failed else "skipped"))
        reason = (skip or {}).get("reason") or ("; ".join(str(f.get("reason")) for f in failed) if failed and not has_files else None)
        no_reading = (skipped.get((code, "reading")) or {}).get("reason")
        raw_head = data.get("bulletin")
        head: Mapping[str, Any] = raw_head if isinstance(raw_head, Mapping) else {}
        title = head.get("title") if code == head.get("language", "vi") else None
        info = raw_locales.get(code) if isinstance(raw_locales, Mapping) else None
        if isinstance(info, Mapping):  # the mapping form: code -> status, percent, counts, reason, title
            said = info.get("status")
            status = "published" if said in ("source", "published", "complete") and has_files else (said if said in ("skipped", "failed") else status)
            reason = info.get("reason") if isinstance(info.get("reason"), str) else reason
            title = info.get("title") if isinstance(info.get("title"), str) else title
            counts.update({k: info[k] for k in ("translated", "fuzzy", "untranslated", "percent") if isinstance(info.get(k), (int, float))})
        locales[code] = {
            "code": code,
            "status": status,
            "reason": reason,
            **counts,
            "reading": audio,
            "no_reading": no_reading if audio is None else None,
            "title": title,
        }
    out["locales"] = locales
    out["schema"] = SCHEMA_VERSION
    out["failures"] = [
        {"stage": str(f.get("stage", "")), "reason": str(f.get("reason", "")), "locale": f.get("locale"), "profile": f.get("profile")} for f in failures
    ]
    return out


def parse_record(data: object, where: str = MANIFEST_NAME) -> Record:
    """A record from its JSON mapping, migrating schema 1; :class:`RecordError` when unusable."""
    if not isinstance(data, Mapping):
        raise RecordError(f"{where}: not a JSON object. Publish the bulletin again to rewrite it")
    schema = data.get("schema", 1)
    if schema == 1:
        data = migrate_v1(data)
    elif schema != SCHEMA_VERSION:
        raise RecordError(f"{where}: schema {schema!r} is not one this bantin reads (1 or {SCHEMA_VERSION}). Upgrade bantin")
    try:
        return Record.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            if _LEAVES in str(error["msg"]):
                field = ".".join(str(x) for x in error["loc"])
                raise UnsafeOutputError(
                    f"{where}: field {field}: {str(error['msg']).removeprefix('Value error, ')}; bantin neither follows nor removes it. "
                    "Correct that entry, or remove the bulletin's outputs/.bantin/<id>/ folder and its outputs/<id> link to publish it afresh"
                ) from None
        first = exc.errors()[0]
        field = ".".join(str(x) for x in first["loc"])
        raise RecordError(f"{where}: field {field}: {first['msg']}. Publish the bulletin again to rewrite it") from None


def read_record(folder: Path) -> Record | None:
    """The record in ``folder`` (``outputs/<id>``), or None when there is none; :class:`RecordError` when unusable."""
    path = folder / MANIFEST_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise RecordError(f"{path}: cannot be read ({exc}). Check its permissions") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise RecordError(f"{path}: not valid JSON ({exc}). Publish the bulletin again to rewrite it") from None
    return parse_record(data, str(path))


def dumps(record: Record) -> str:
    """The record's JSON text: stable key order, entries sorted by path."""
    data = record.model_dump(mode="json", by_alias=True, exclude_none=True)
    ordered = {"schema": data.pop("schema")}
    ordered.update(data)
    return json.dumps(ordered, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- one publish into the record


def in_scope(entry: Entry, locales: Iterable[str], profiles: Iterable[str]) -> bool:
    """Whether a publish of ``locales`` × ``profiles`` owns ``entry`` (replaces or removes it)."""
    return entry.locale in set(locales) and (entry.profile is None or entry.profile in set(profiles))


#: Which record kinds each output stage makes: a failure of the stage keeps that locale's old entries of these kinds.
STAGE_KINDS: dict[str, frozenset[str]] = {
    "render_pdf": frozenset({"pdf", "preview"}),
    # the read-along EPUB follows its reading: no new reading, no new EPUB
    "synthesize_audio": frozenset({"audio", "transcript", "captions", "epub"}),
    "braille": frozenset({"braille-brf", "braille-pef"}),
    "epub": frozenset({"epub"}),
}


def _failed_stage(entry: Entry, failures: Sequence[FailureNote]) -> FailureNote | None:
    """The failure of this run that made no replacement for ``entry``, if any.

    A stage that is not one of :data:`STAGE_KINDS` (localize, anything new)
    keeps every entry of its locale: an error never unpublishes.
    """
    for f in failures:
        if f.locale != entry.locale:
            continue
        kinds = STAGE_KINDS.get(f.stage)
        if kinds is None:
            return f
        if entry.kind in kinds and (f.stage != "render_pdf" or f.profile in (None, entry.profile)):
            return f
    return None


def _last_good_locale(code: str, old: Record, new: Record, kept: Sequence[Entry]) -> LocaleRecord:
    """The locale's status when some of its outputs are the last good ones: published, with why and since when."""
    failed = [f for f in new.failures if f.locale == code]
    note = LastGood(reason="; ".join(f.describe() for f in failed), failed_at=new.generated_at)
    mine = new.locales.get(code)
    base = old.locales.get(code) if mine is None or mine.status == "failed" else mine
    base = base or mine or LocaleRecord(code=code, status="published")
    update: dict[str, Any] = {"status": "published", "last_good": note}
    kinds = {e.kind for e in kept}
    if "audio" in kinds:
        update |= {"reading": next(e.path for e in kept if e.kind == "audio"), "no_reading": None}
    if "epub" in kinds:
        update["no_epub"] = None
    if kinds & STAGE_KINDS["braille"]:
        update["no_braille"] = None
    if base.status != "published":  # the old status was not published: its reason is no longer the locale's
        update["reason"] = None
    return base.model_copy(update=update)


def merge(
    old: Record | None,
    new: Record,
    locales: Sequence[str],
    profiles: Sequence[str],
    current: Mapping[str, tuple[str, str, str, str, str]],
) -> Record:
    """The record after a publish: ``new`` holds what this run produced, skipped or failed for ``locales`` × ``profiles``.

    Entries of ``old`` outside that scope are kept, marked stale when their
    shared inputs differ from ``current`` (locale -> shared parts), and so are
    the statuses of locales this run did not touch.  An entry in scope that a
    *failed* stage did not replace is kept too, as the **last good** edition
    (served, marked with the failure and its time): a locale is unpublished
    only on purpose, never as a side effect of an error.
    """
    if old is None:
        return new
    kept: list[Entry] = []
    last_good: dict[str, list[Entry]] = {}
    ours = {e.key for e in new.outputs}
    for entry in old.outputs:
        if not in_scope(entry, locales, profiles):
            if entry.last_good is not None:  # still the last good edition: a publish of other locales changes nothing
                kept.append(entry)
                continue
            parts = current.get(entry.locale)
            stale = entry.inputs is None or parts is None or entry.inputs.shared() != parts
            kept.append(entry.model_copy(update={"stale": stale}))
            continue
        failure = None if entry.key in ours else _failed_stage(entry, new.failures)
        if failure is None:
            continue
        note = LastGood(reason=failure.describe(), failed_at=new.generated_at)
        entry = entry.model_copy(update={"last_good": note})  # stale only if it was already
        kept.append(entry)
        last_good.setdefault(entry.locale, []).append(entry)
    outputs = sorted([e for e in kept if e.key not in ours] + list(new.outputs), key=lambda e: e.path)
    locales_out = {code: loc for code, loc in old.locales.items() if code not in set(locales)}
    locales_out.update(new.locales)
    for code, entries in last_good.items():
        locales_out[code] = _last_good_locale(code, old, new, entries)
    return new.model_copy(update={"outputs": outputs, "locales": dict(sorted(locales_out.items()))})
