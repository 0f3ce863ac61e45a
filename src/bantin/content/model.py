"""The bulletin model: what a bulletin *is*, independent of any file format.

A :class:`Bulletin` is immutable, hashable and holds NFC text only.  Its body is
an ordered tuple of blocks.  The YAML form lives in :mod:`bantin.content.bulletin_file`;
localized copies are made by :mod:`bantin.i18n.localize` with :meth:`Bulletin.replace_text`.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ClassVar

__all__ = [
    "CREDIT_LABELS",
    "DEFAULT_CREDIT_LABEL",
    "ID_MAX_LENGTH",
    "ID_PATTERN",
    "MAX_BLOCKS",
    "Block",
    "BulletList",
    "Bulletin",
    "Paragraph",
    "Photo",
    "Quote",
    "Republish",
    "TextUnit",
    "date_problem",
]

ID_MAX_LENGTH = 80
#: The most body blocks a bulletin may have: a bulletin is a page or two, never thousands of paragraphs.
MAX_BLOCKS = 2000
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

#: The byline's label printed when the bulletin does not say which credit it is (old files, hand-made bulletins).
DEFAULT_CREDIT_LABEL = "Tin, ảnh"
#: The credit labels a byline may carry, as Vietnamese bulletins write them: text, article, photos, or both.
#: The label the source used is kept, so a "Tin:" credit never becomes a photo credit in print.
CREDIT_LABELS = ("Tin", "Bài", "Ảnh", "Tin, ảnh", "Bài, ảnh", "Tác giả", "Phóng viên", "Thực hiện")

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def date_problem(year: int | None, month: int, day: int) -> str | None:
    """Why day/month/year is not a calendar date ("June has 30 days"), or None when it is one.

    ``year`` None means the year is not known: 29 February is then allowed.
    Dates are never rolled over: 31 June is not 1 July.
    """
    if year is not None and not 1 <= year <= 9999:
        return f"there is no year {year}"
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if day < 1:
        return f"there is no day {day}"
    if year is None:
        days = 29 if month == 2 else calendar.monthrange(2001, month)[1]
        name = _MONTHS[month - 1]
    else:
        days = calendar.monthrange(year, month)[1]
        name = f"February {year}" if month == 2 else _MONTHS[month - 1]
    if day > days:
        return f"{name} has {days} days"
    return None


@dataclass(frozen=True)
class TextUnit:
    """One translatable piece of a bulletin: its stable key, a human position, and its text.

    ``key`` (e.g. ``body.3.paragraph``) becomes the gettext ``msgctxt``, so two identical
    paragraphs never collide; ``position`` becomes the translator comment.
    """

    key: str
    position: str
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of running text; quotations in “…” stay inside it."""

    text: str
    kind: ClassVar[str] = "paragraph"


@dataclass(frozen=True)
class Photo:
    """A photo.  ``src`` is None when the scrape lost the file: ``alt`` then says so honestly."""

    caption: str
    alt: str
    src: str | None = None
    kind: ClassVar[str] = "image"


@dataclass(frozen=True)
class BulletList:
    """A bulleted list (source lines starting with '-' or '•')."""

    items: tuple[str, ...]
    kind: ClassVar[str] = "list"


@dataclass(frozen=True)
class Quote:
    """A set-off quotation, with an optional attribution."""

    text: str
    attribution: str | None = None
    kind: ClassVar[str] = "quote"


Block = Paragraph | Photo | BulletList | Quote


@dataclass(frozen=True)
class Republish:
    """A bulletin's own republication window: republish it at each slot until ``until`` (inclusive).

    ``slots`` are local wall-clock times (the deployments' timezone); empty means
    at every scheduled republish run while the window is open.
    """

    until: dt.date
    slots: tuple[dt.time, ...] = ()


@dataclass(frozen=True)
class Bulletin:
    """One source bulletin, as published by a provincial communication centre."""

    id: str
    title: str
    date: dt.date
    body: tuple[Block, ...]
    language: str = "vi"
    time_of_day: str | None = None
    place: str | None = None
    source: str | None = None
    byline: str | None = None
    #: when set, the scheduled ``republish`` deployment republishes the bulletin at these slots until then
    republish: Republish | None = None
    #: which credit the byline is (one of :data:`CREDIT_LABELS`); None prints :data:`DEFAULT_CREDIT_LABEL`
    byline_label: str | None = None

    @property
    def credit_label(self) -> str:
        """The label printed before the byline ("Tin", "Tin, ảnh", ...): the one the source used."""
        return self.byline_label or DEFAULT_CREDIT_LABEL

    @property
    def paragraphs(self) -> list[Paragraph]:
        """The paragraph blocks, in order."""
        return [b for b in self.body if isinstance(b, Paragraph)]

    def text_units(self) -> Iterator[TextUnit]:
        """Every translatable string, in reading order, with a stable key."""
        yield TextUnit("title", "title", self.title)
        if self.place:
            yield TextUnit("place", "place", self.place)
        for n, block in enumerate(self.body, start=1):
            where = f"body block {n} ({block.kind})"
            if isinstance(block, Paragraph):
                yield TextUnit(f"body.{n}.paragraph", where, block.text)
            elif isinstance(block, Photo):
                yield TextUnit(f"body.{n}.image.caption", f"{where}, caption", block.caption)
                yield TextUnit(f"body.{n}.image.alt", f"{where}, alt text", block.alt)
            elif isinstance(block, BulletList):
                for i, item in enumerate(block.items, start=1):
                    yield TextUnit(f"body.{n}.list.{i}", f"{where}, item {i}", item)
            elif isinstance(block, Quote):
                yield TextUnit(f"body.{n}.quote", where, block.text)
                if block.attribution:
                    yield TextUnit(f"body.{n}.quote.attribution", f"{where}, attribution", block.attribution)
        if self.source:
            yield TextUnit("source", "source line", self.source)
        if self.byline:
            yield TextUnit("byline", "byline", self.byline)

    def replace_text(self, translate: Callable[[TextUnit], str], language: str) -> Bulletin:
        """A copy whose every text unit is passed through ``translate``; used to build variants."""
        units = {u.key: translate(u) for u in self.text_units()}
        body: list[Block] = []
        for n, block in enumerate(self.body, start=1):
            if isinstance(block, Paragraph):
                body.append(Paragraph(units[f"body.{n}.paragraph"]))
            elif isinstance(block, Photo):
                body.append(Photo(units[f"body.{n}.image.caption"], units[f"body.{n}.image.alt"], block.src))
            elif isinstance(block, BulletList):
                body.append(BulletList(tuple(units[f"body.{n}.list.{i}"] for i in range(1, len(block.items) + 1))))
            elif isinstance(block, Quote):
                attribution = units.get(f"body.{n}.quote.attribution") if block.attribution else None
                body.append(Quote(units[f"body.{n}.quote"], attribution))
        return dataclasses.replace(
            self,
            title=units["title"],
            place=units.get("place") if self.place else None,
            source=units.get("source") if self.source else None,
            byline=units.get("byline") if self.byline else None,
            body=tuple(body),
            language=language,
        )
