"""Where a bulletin stands at the desk, and the desk's list of bulletins.

One state per bulletin, in the words operators use (:class:`DeskState`), made
from three facts (:func:`desk_state`): the draft's meta (``desk/drafts``), the
record in ``outputs/`` (or its index summary) and the last publish run.  The
:class:`Listing` joins open drafts and published records, newest first, with
search (accents folded, so "hoi nghi" finds "Hội nghị") and pages of 20; both
the desk's list and ``bantin list`` show it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from bantin.desk.drafts import DraftMeta, DraftStore

if TYPE_CHECKING:
    from bantin.desk.runs import RunStatus
    from bantin.publish.index import Summary
    from bantin.publish.record import Record

__all__ = ["PER_PAGE", "DeskState", "Listed", "Listing", "Page", "desk_state", "fold", "listing"]

#: Bulletins per page of the desk's list.
PER_PAGE = 20
#: Run states of a publish that has not ended yet.
_ACTIVE_RUN = frozenset({"scheduled", "pending", "running"})
_FAILED_RUN = frozenset({"failed", "crashed"})
_DATE_ID = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:-|$)")


class DeskState(StrEnum):
    """A bulletin's state at the desk; ``label`` is what operators read."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    DEGRADED = "degraded"
    FAILED = "failed"
    RETRACTED = "retracted"

    @property
    def label(self) -> str:
        """The state in Vietnamese: nháp, chờ duyệt, đang xuất bản, đã xuất bản, bản đọc máy, lỗi, đã gỡ."""
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> DeskState:
        """A state from its name or its Vietnamese label (accents optional); ValueError naming the choices otherwise."""
        wanted = fold(text)
        for state in cls:
            if wanted in (state.value, fold(state.label)):
                return state
        raise ValueError(f"{text!r} is not a desk state. Use one of {', '.join(s.value for s in cls)} ({', '.join(s.label for s in cls)})")


_LABELS = {
    DeskState.DRAFT: "nháp",
    DeskState.SUBMITTED: "chờ duyệt",
    DeskState.PUBLISHING: "đang xuất bản",
    DeskState.PUBLISHED: "đã xuất bản",
    DeskState.DEGRADED: "bản đọc máy",
    DeskState.FAILED: "lỗi",
    DeskState.RETRACTED: "đã gỡ",
}


def fold(text: str) -> str:
    """``text`` for matching a search: lower case, accents dropped, đ as d, spaces collapsed (as the portal's search)."""
    base = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D")).casefold()
    return " ".join("".join(c for c in base if not unicodedata.combining(c)).split())


@dataclass(frozen=True)
class _OnAir:
    """What the desk needs of a record (or of its index summary)."""

    editorial: str  # draft | published | retracted
    has_files: bool
    failed: bool
    held: bool


def _on_air(record: Record | Summary) -> _OnAir:
    from bantin.publish.record import Record

    if isinstance(record, Record):
        return _OnAir(record.editorial.state, bool(record.current()), record.status == "failed", bool(record.held_readings()))
    return _OnAir(record.editorial, record.state == "published", record.status == "failed" or record.state == "unusable", any(o.held for o in record.outputs))


def desk_state(draft_meta: DraftMeta | None, record: Record | Summary | None, run_status: RunStatus | None = None) -> DeskState:
    """The bulletin's one state at the desk.

    In order: a publish run not ended yet is ``publishing``, a failed or crashed
    one ``failed``; an open draft is ``draft``/``submitted`` (an edit of a
    bulletin on air too: the work waiting is what the desk shows); then the
    record: ``retracted``, a record without files after a failed publish
    ``failed``, a degraded reading held from the feeds ``degraded``, else
    ``published``.  ``run_status`` is the last *publish* run (not a preview).
    """
    if run_status is not None and run_status.state in _ACTIVE_RUN:
        return DeskState.PUBLISHING
    if run_status is not None and run_status.state in _FAILED_RUN:
        return DeskState.FAILED
    if draft_meta is not None and draft_meta.state == "submitted":
        return DeskState.SUBMITTED
    if draft_meta is not None and draft_meta.state == "draft":
        return DeskState.DRAFT
    if record is None:
        return DeskState.DRAFT
    air = _on_air(record)
    if air.editorial == "retracted":
        return DeskState.RETRACTED
    if air.editorial == "draft":
        return DeskState.DRAFT
    if not air.has_files:
        return DeskState.FAILED
    if air.held:
        return DeskState.DEGRADED
    return DeskState.PUBLISHED


@dataclass(frozen=True)
class Listed:
    """One row of the desk's list."""

    id: str
    title: str
    date: dt.date | None
    state: DeskState
    #: an open draft (``draft``/``submitted``) exists
    has_draft: bool
    #: the record is published with files: the bulletin is on the portal now
    on_air: bool
    #: when it last changed (the draft's last edit, else the record's publish time), ISO 8601
    updated: str = ""

    @property
    def state_label(self) -> str:
        return self.state.label


@dataclass(frozen=True)
class Page:
    """One page of the list: its rows, which page of how many, and the query."""

    items: tuple[Listed, ...]
    page: int
    pages: int
    total: int
    query: str = ""
    per_page: int = PER_PAGE

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


class Listing:
    """Open drafts ∪ records in ``outputs`` (read through the index), newest first.

    ``run_status(bulletin_id)`` gives the bulletin's last publish run (None:
    no run known); by default no run is consulted.
    """

    def __init__(
        self,
        drafts: DraftStore | None = None,
        outputs: Path | None = None,
        run_status: Callable[[str], RunStatus | None] | None = None,
    ) -> None:
        from bantin.settings import outputs_dir

        self.drafts = drafts or DraftStore()
        self.outputs = outputs or outputs_dir()
        self.run_status = run_status

    def summaries(self) -> dict[str, Summary]:
        """The index's summary of every record (made again where a record changed; the index is not written here)."""
        from bantin.publish.index import reconcile

        if not self.outputs.is_dir():
            return {}
        return reconcile(self.outputs, write=False).summaries

    def items(self, states: Iterable[DeskState] = ()) -> list[Listed]:
        """Every bulletin, newest first (date, then last change, then id); only ``states`` when given."""
        wanted = set(states)
        summaries = self.summaries()
        drafts = {d.id: d for d in self.drafts.list()}
        rows: list[Listed] = []
        for bid in sorted(set(summaries) | set(drafts)):
            summary = summaries.get(bid)
            draft = drafts.get(bid)
            title, date = _title_and_date(bid, summary, draft)
            run = self.run_status(bid) if self.run_status is not None else None
            state = desk_state(draft.meta if draft else None, summary, run)
            if wanted and state not in wanted:
                continue
            on_air = summary is not None and summary.state == "published" and summary.editorial == "published"
            updated = draft.meta.updated_at if draft is not None else (summary.generated_at if summary is not None else "")
            rows.append(Listed(id=bid, title=title, date=date, state=state, has_draft=draft is not None, on_air=on_air, updated=updated))
        rows.sort(key=lambda r: (r.date or dt.date.min, r.updated, r.id), reverse=True)
        return rows

    def page(self, query: str = "", page: int = 1, per_page: int = PER_PAGE, states: Iterable[DeskState] = ()) -> Page:
        """One page of the rows whose folded title or id holds the folded ``query`` (every row when it is empty)."""
        rows = self.items(states)
        needle = fold(query)
        if needle:
            rows = [r for r in rows if needle in fold(r.title) or needle in fold(r.id.replace("-", " ")) or needle in r.id]
        per_page = max(1, per_page)
        pages = max(1, math.ceil(len(rows) / per_page))
        page = min(max(1, page), pages)
        chosen = rows[(page - 1) * per_page : page * per_page]
        return Page(items=tuple(chosen), page=page, pages=pages, total=len(rows), query=query, per_page=per_page)


def listing(query: str = "", page: int = 1, per_page: int = PER_PAGE, states: Iterable[DeskState] = (), *, listing: Listing | None = None) -> Page:
    """One page of the desk's list of this project's bulletins (see :class:`Listing`)."""
    return (listing or Listing()).page(query, page, per_page, states)


def _title_and_date(bid: str, summary: Summary | None, draft: object | None) -> tuple[str, dt.date | None]:
    """The draft's title and date when it loads (it is what the desk works on), else the record's, else the id's."""
    from bantin.desk.drafts import Draft
    from bantin.errors import BantinError

    if isinstance(draft, Draft):
        try:
            bulletin = draft.bulletin()
        except (BantinError, OSError):
            pass
        else:
            return bulletin.title, bulletin.date
    if summary is not None and summary.title:
        return summary.title, summary.date
    match = _DATE_ID.match(bid)
    date = None
    if match:
        try:
            date = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            date = None
    return bid, date
