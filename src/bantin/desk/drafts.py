"""Drafts: the desk's working copies of bulletins, apart from what is on air.

A draft is ``desk/drafts/<id>.yaml`` (the bulletin YAML format, written with
:func:`bantin.content.bulletin_file.save_bulletin`) and ``desk/drafts/<id>.json``
(its meta: editorial state, who and when, the original source's name, the last
preview and publish run ids).  The uploaded or pasted source is kept as
``desk/sources/<id>.<ext>`` for the "source beside the form" view.

``content/<id>.yaml`` holds approved versions only: :meth:`DraftStore.promote`
copies a *submitted* draft there when an approver publishes it.  Editing a
published bulletin opens a draft from its ``content/`` file
(:meth:`DraftStore.open_published`), so nothing on air changes until the edit
is approved, and a scheduled republish never publishes an unapproved edit.

The life of a draft (the meta's ``state``)::

    create / open_published -> draft --submit--> submitted --promote--> promoted
                                 ^                   |
                                 +--return_to_draft--+

``promoted`` keeps the meta (its run ids) after the draft YAML is gone; the
next edit of the bulletin opens a new draft.  Every change takes the draft's
own file lock, writes atomically, and appends an audit event
(:func:`bantin.publish.audit.record_event`).  Wrong moves raise
:class:`DraftError` with one line saying what to do.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from filelock import FileLock, Timeout
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bantin.content.model import ID_PATTERN, Bulletin
from bantin.errors import BantinError, InputError, PublishBusyError
from bantin.fsutil import write_bytes_if_changed, write_text_if_changed

__all__ = ["RUN_KINDS", "Draft", "DraftError", "DraftMeta", "DraftState", "DraftStore", "now_iso"]

DraftState = Literal["draft", "submitted", "promoted"]
#: The runs the desk remembers per bulletin: a preview render of the draft, and the publish of the approved version.
RUN_KINDS = ("preview", "publish")
_EXT_RE = re.compile(r"^[a-z0-9]{1,10}$")


class DraftError(InputError):
    """A draft cannot do what was asked (no such draft, wrong state, does not load): one line saying what to do.

    ``operator`` is the same in Vietnamese, for the desk (the command line prints the English line).
    """

    def __init__(self, message: str, operator: str = "") -> None:
        super().__init__(message)
        self.operator = operator


def now_iso() -> str:
    """The current time, UTC, ISO 8601 to the second (what the meta and the audit log say)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class DraftMeta(BaseModel):
    """What the desk knows of a draft besides its YAML."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    state: DraftState = "draft"
    #: ``new`` (added at the desk) or ``published`` (an edit of the approved ``content/<id>.yaml``)
    origin: Literal["new", "published"] = "new"
    created_by: str = ""
    created_at: str = ""
    updated_by: str = ""
    updated_at: str = ""
    submitted_by: str | None = None
    submitted_at: str | None = None
    promoted_by: str | None = None
    promoted_at: str | None = None
    #: the original source's file name as given (an upload's name, "pasted.txt", the URL)
    source_name: str | None = None
    #: the kept source's file name under ``desk/sources/``
    source_file: str | None = None
    #: run kind (``preview``, ``publish``) -> the last run id of that kind
    runs: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class Draft:
    """One draft: its meta and where its YAML and source are."""

    meta: DraftMeta
    path: Path
    source_path: Path | None

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def state(self) -> DraftState:
        return self.meta.state

    def bulletin(self) -> Bulletin:
        """The draft's bulletin, validated (:class:`~bantin.errors.BulletinValidationError` naming the line and field)."""
        from bantin.content.bulletin_file import load_bulletin

        return load_bulletin(self.path)

    def yaml_text(self) -> str:
        """The draft's YAML as written."""
        return self.path.read_text(encoding="utf-8")

    def source_bytes(self) -> bytes | None:
        """The kept original source, or None when there is none (an edit of a published bulletin)."""
        return self.source_path.read_bytes() if self.source_path is not None and self.source_path.is_file() else None


class DraftStore:
    """The drafts under ``desk_dir`` (default ``settings.desk_dir()``).

    ``content`` is where approved versions go (default ``content/``), ``project``
    the project root the audit log lives in (default ``settings.project_root()``).
    """

    def __init__(self, desk_dir: Path | None = None, *, content: Path | None = None, project: Path | None = None) -> None:
        from bantin import settings

        self.desk_dir = (desk_dir or settings.desk_dir()).absolute()
        self.folder = self.desk_dir / "drafts"
        self.sources = self.desk_dir / "sources"
        self._content = content
        self._project = project

    # ------------------------------------------------------------------ places

    @property
    def content(self) -> Path:
        """Where approved bulletins are (``content/``)."""
        if self._content is None:
            from bantin.paths import content_dir

            self._content = content_dir()
        return self._content

    @property
    def project(self) -> Path:
        if self._project is None:
            from bantin.settings import project_root

            self._project = project_root()
        return self._project

    def yaml_path(self, bulletin_id: str) -> Path:
        return self.folder / f"{_checked_id(bulletin_id)}.yaml"

    def meta_path(self, bulletin_id: str) -> Path:
        return self.folder / f"{_checked_id(bulletin_id)}.json"

    # ------------------------------------------------------------------ reading

    def meta(self, bulletin_id: str) -> DraftMeta | None:
        """The meta of ``bulletin_id`` (a promoted one too), or None when the desk never had a draft of it."""
        path = self.meta_path(bulletin_id)
        try:
            return DraftMeta.model_validate_json(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValidationError, ValueError) as exc:
            raise DraftError(f"{path}: the draft's meta cannot be read ({_first_line(exc)}). Remove the file to start the draft's meta again") from None

    def exists(self, bulletin_id: str) -> bool:
        """A draft (``draft`` or ``submitted``) of ``bulletin_id`` is open."""
        meta = self.meta(bulletin_id)
        return meta is not None and meta.state != "promoted" and self.yaml_path(bulletin_id).is_file()

    def get(self, bulletin_id: str) -> Draft:
        """The open draft of ``bulletin_id``; :class:`DraftError` when there is none."""
        meta = self.meta(bulletin_id)
        path = self.yaml_path(bulletin_id)
        if meta is None or meta.state == "promoted" or not path.is_file():
            raise DraftError(
                f"{bulletin_id}: no open draft of this bulletin in {self.folder}. Add it, or open the published bulletin for editing",
                "Bản tin này không có bản nháp nào đang mở: hãy thêm bản tin, hoặc mở bản đã duyệt để sửa.",
            )
        return self._draft(meta)

    def list(self) -> builtins.list[Draft]:
        """Every open draft (``draft`` or ``submitted``), by id; drafts whose meta cannot be read are left out."""
        found: list[Draft] = []
        if not self.folder.is_dir():
            return found
        for path in sorted(self.folder.glob("*.json")):
            if path.name.startswith(".") or not ID_PATTERN.match(path.stem):
                continue
            try:
                meta = self.meta(path.stem)
            except DraftError:
                continue
            if meta is not None and meta.state != "promoted" and self.yaml_path(meta.id).is_file():
                found.append(self._draft(meta))
        return found

    def last_run(self, bulletin_id: str, kind: str) -> str | None:
        """The id of the last run of ``kind`` (``preview``, ``publish``) the desk started for the bulletin."""
        meta = self.meta(bulletin_id)
        return meta.runs.get(kind) if meta is not None else None

    # ------------------------------------------------------------------ changes

    def create(self, bulletin: Bulletin, source_bytes: bytes | None, source_name: str | None, by: str) -> Draft:
        """A new draft of ``bulletin``, keeping its source; refused when the id is taken by a draft or an approved bulletin."""
        bid = _checked_id(bulletin.id)
        with self._locked(bid):
            if self.exists(bid):
                raise DraftError(
                    f"{bid}: a draft of this bulletin is already open. Open that draft and edit it instead of adding it again",
                    "Bản tin này đã có bản nháp đang mở: hãy mở bản nháp đó để sửa thay vì thêm lại.",
                )
            if (self.content / f"{bid}.yaml").is_file():
                raise DraftError(
                    f"{bid}: this bulletin was already approved ({self.content / f'{bid}.yaml'}). Open it for editing instead of adding it again",
                    "Bản tin này đã được duyệt trước đây: hãy mở bản đã duyệt để sửa thay vì thêm lại.",
                )
            self._write_yaml(bulletin)
            source_file = self._keep_source(bid, source_bytes, source_name)
            now = now_iso()
            old = self.meta(bid)
            meta = DraftMeta(
                id=bid,
                state="draft",
                origin="new",
                created_by=by,
                created_at=now,
                updated_by=by,
                updated_at=now,
                source_name=source_name,
                source_file=source_file,
                runs=dict(old.runs) if old is not None else {},
            )
            self._write_meta(meta)
            self._audit("added", by, bid, f"nguồn: {source_name}" if source_name else "")
            return self._draft(meta)

    def open_published(self, bulletin_id: str, by: str) -> Draft:
        """A draft copied from the approved ``content/<id>.yaml``, to edit it without touching what is on air.

        When a draft of it is open already, that draft is returned unchanged.
        """
        bid = _checked_id(bulletin_id)
        with self._locked(bid):
            if self.exists(bid):
                return self.get(bid)
            published = self.content / f"{bid}.yaml"
            if not published.is_file():
                raise DraftError(
                    f"{bid}: no approved bulletin {published} to edit. Add the bulletin as a new draft instead",
                    "Chưa có bản đã duyệt nào của bản tin này để sửa: hãy thêm bản tin như một bản nháp mới.",
                )
            self.folder.mkdir(parents=True, exist_ok=True)
            write_bytes_if_changed(self.yaml_path(bid), published.read_bytes())
            old = self.meta(bid)
            now = now_iso()
            meta = DraftMeta(
                id=bid,
                state="draft",
                origin="published",
                created_by=by,
                created_at=now,
                updated_by=by,
                updated_at=now,
                source_name=f"content/{bid}.yaml",
                runs=dict(old.runs) if old is not None else {},
            )
            self._write_meta(meta)
            self._audit("edited", by, bid, "mở bản đã duyệt để sửa")
            return self._draft(meta)

    def save(self, bulletin_id: str, bulletin: Bulletin, by: str) -> Draft:
        """Write the edited bulletin into the draft (its state is kept); the id cannot change."""
        bid = _checked_id(bulletin_id)
        if bulletin.id != bid:
            raise DraftError(
                f"{bid}: the edited bulletin's id is {bulletin.id!r}; a draft keeps its id. Add a new bulletin for another id",
                "Bản nháp giữ nguyên mã bản tin: muốn đổi ngày hoặc tiêu đề thành một bản tin khác thì hãy thêm bản tin mới.",
            )
        with self._locked(bid):
            meta = self.get(bid).meta
            self._write_yaml(bulletin)
            meta = meta.model_copy(update={"updated_by": by, "updated_at": now_iso()})
            self._write_meta(meta)
            self._audit("edited", by, bid)
            return self._draft(meta)

    def submit(self, bulletin_id: str, by: str) -> Draft:
        """Send the draft for approval (``chờ duyệt``); it must load without error."""
        bid = _checked_id(bulletin_id)
        with self._locked(bid):
            draft = self.get(bid)
            if draft.state == "submitted":
                raise DraftError(
                    f"{bid}: the draft is already awaiting approval. Wait for an approver, or return it to draft to change it",
                    "Bản nháp đã được gửi duyệt rồi: hãy chờ người duyệt, hoặc trả lại bản nháp để sửa.",
                )
            self._loads(draft, "submitted")
            now = now_iso()
            meta = draft.meta.model_copy(update={"state": "submitted", "submitted_by": by, "submitted_at": now, "updated_by": by, "updated_at": now})
            self._write_meta(meta)
            self._audit("submitted", by, bid)
            return self._draft(meta)

    def return_to_draft(self, bulletin_id: str, by: str, reason: str = "") -> Draft:
        """Send a submitted draft back to its editors (``nháp``), with an optional reason for the audit log."""
        bid = _checked_id(bulletin_id)
        with self._locked(bid):
            draft = self.get(bid)
            if draft.state != "submitted":
                raise DraftError(
                    f"{bid}: the draft is not awaiting approval, so it cannot be returned. It is already a draft",
                    "Bản nháp chưa gửi duyệt nên không cần trả lại: nó vẫn đang là bản nháp.",
                )
            meta = draft.meta.model_copy(update={"state": "draft", "submitted_by": None, "submitted_at": None, "updated_by": by, "updated_at": now_iso()})
            self._write_meta(meta)
            self._audit("returned", by, bid, reason.strip())
            return self._draft(meta)

    def promote(self, bulletin_id: str, by: str) -> Path:
        """Approve a submitted draft: copy it to ``content/<id>.yaml`` (idempotent) and close the draft; returns that path.

        The draft YAML is removed; its meta stays (state ``promoted``) with the
        run ids.  Records ``approved`` in the audit log.
        """
        from bantin.content.bulletin_file import save_bulletin

        bid = _checked_id(bulletin_id)
        with self._locked(bid):
            draft = self.get(bid)
            if draft.state != "submitted":
                raise DraftError(
                    f"{bid}: the draft has not been submitted for approval. Submit it first, then approve it",
                    "Bản nháp chưa được gửi duyệt: biên tập viên hãy bấm «Gửi duyệt» trước, rồi mới duyệt được.",
                )
            bulletin = self._loads(draft, "approved")
            target = self.content / f"{bid}.yaml"
            self.content.mkdir(parents=True, exist_ok=True)
            changed = save_bulletin(bulletin, target)
            now = now_iso()
            meta = draft.meta.model_copy(update={"state": "promoted", "promoted_by": by, "promoted_at": now, "updated_by": by, "updated_at": now})
            self._write_meta(meta)
            draft.path.unlink(missing_ok=True)
            self._audit("approved", by, bid, "" if changed else "không thay đổi so với bản đã duyệt")
            return target

    def set_run(self, bulletin_id: str, kind: str, run_id: str) -> DraftMeta:
        """Remember ``run_id`` as the bulletin's last run of ``kind`` (``preview`` or ``publish``); a bulletin without a draft too."""
        bid = _checked_id(bulletin_id)
        if kind not in RUN_KINDS:
            raise DraftError(f"{kind!r}: not a kind of run the desk keeps. Use one of {', '.join(RUN_KINDS)}")
        with self._locked(bid):
            meta = self.meta(bid) or DraftMeta(id=bid, state="promoted", origin="published")
            meta = meta.model_copy(update={"runs": {**meta.runs, kind: run_id}})
            self._write_meta(meta)
            return meta

    # ------------------------------------------------------------------ helpers

    def _draft(self, meta: DraftMeta) -> Draft:
        source = self.sources / meta.source_file if meta.source_file else None
        return Draft(meta=meta, path=self.yaml_path(meta.id), source_path=source)

    @contextmanager
    def _locked(self, bulletin_id: str) -> Iterator[None]:
        """The draft's own lock (``desk/drafts/.<id>.lock``): one change at a time, across processes."""
        from bantin.settings import lock_timeout

        self.folder.mkdir(parents=True, exist_ok=True)
        wait = lock_timeout()
        lock = FileLock(str(self.folder / f".{bulletin_id}.lock"), thread_local=False)
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise PublishBusyError(
                f"{self.yaml_path(bulletin_id)}: another change of this draft still holds its lock after {wait:g} s. Try again in a moment"
            ) from None
        try:
            yield
        finally:
            lock.release()

    def _write_yaml(self, bulletin: Bulletin) -> None:
        from bantin.content.bulletin_file import save_bulletin

        self.folder.mkdir(parents=True, exist_ok=True)
        save_bulletin(bulletin, self.yaml_path(bulletin.id))

    def _write_meta(self, meta: DraftMeta) -> None:
        text = json.dumps(meta.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
        write_text_if_changed(self.meta_path(meta.id), text)

    def _keep_source(self, bulletin_id: str, data: bytes | None, name: str | None) -> str | None:
        if data is None:
            return None
        ext = Path(name or "").suffix.lower().lstrip(".")
        ext = ext if _EXT_RE.match(ext) else "txt"
        self.sources.mkdir(parents=True, exist_ok=True)
        for old in self.sources.glob(f"{bulletin_id}.*"):  # a source of an earlier draft of this id
            if old.name != f"{bulletin_id}.{ext}":
                old.unlink(missing_ok=True)
        write_bytes_if_changed(self.sources / f"{bulletin_id}.{ext}", data)
        return f"{bulletin_id}.{ext}"

    def _loads(self, draft: Draft, what: str) -> Bulletin:
        try:
            return draft.bulletin()
        except BantinError as exc:
            raise DraftError(
                f"{draft.id}: the draft cannot be {what} while it has an error: {_first_line(exc)}",
                "Bản nháp còn lỗi nên chưa làm được việc này: hãy sửa các ô được đánh dấu lỗi rồi lưu lại.",
            ) from None

    def _audit(self, action: str, by: str, bulletin_id: str, detail: str = "") -> None:
        from bantin.publish.audit import record_event

        record_event(action, by, bulletin_id, detail, root=self.project)


def _checked_id(bulletin_id: str) -> str:
    """``bulletin_id`` when it is a bulletin id (so never a path); :class:`DraftError` otherwise."""
    if not ID_PATTERN.match(bulletin_id or ""):
        raise DraftError(f"{bulletin_id!r}: not a bulletin id (lower-case letters, digits and single hyphens). Give the id the bulletin list shows")
    return bulletin_id


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
