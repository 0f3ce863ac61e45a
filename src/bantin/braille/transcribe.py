"""The braille stage: a localized variant transcribed to BRF and PEF.

The variant's text is laid out the way the print edition reads (kicker, title,
dateline, body, credits), each block translated by liblouis with the locale's
table from :mod:`bantin.braille.tables`, then paginated once; the BRF and the
PEF hold the very same pages.  A locale without a table is skipped with a
reason, never failed.  Files are written atomically and only when their bytes
change; nothing in them depends on the clock (dates come from the bulletin, or
``SOURCE_DATE_EPOCH``), so a rerun gives identical files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bantin.braille.brf import CELLS_PER_LINE, LINES_PER_PAGE, BrailleBlock, brf_text, paginate
from bantin.braille.louis import BrailleTextError, translate, untranslated_count
from bantin.braille.pef import PefMeta, pef_xml
from bantin.braille.tables import braille_skip_reason, braille_table
from bantin.content.model import BulletList, Paragraph, Photo, Quote
from bantin.fsutil import sha256_file, write_bytes_if_changed
from bantin.i18n.localize import Variant
from bantin.settings import source_date

__all__ = ["BrailleResult", "Layout", "braille_blocks", "brf_path", "make_braille", "pef_path"]


@dataclass(frozen=True)
class Layout:
    """Where a block's lines start (blank cells), BANA style: paragraphs 3-1, list items 1-3."""

    first: int = 0
    runover: int = 0
    centered: bool = False
    blank_before: bool = False


HEADING = Layout(centered=True)
PARAGRAPH = Layout(first=2)
LIST_ITEM = Layout(runover=2)
QUOTE = Layout(first=4, runover=4)
DESCRIPTION = Layout(first=6, runover=4)


@dataclass(frozen=True)
class BrailleResult:
    """What the braille stage made for one locale (or why it made nothing)."""

    locale: str
    #: liblouis table used; None when skipped
    table: str | None
    #: why no braille was made; None when it was
    skipped: str | None = None
    brf: Path | None = None
    pef: Path | None = None
    brf_sha256: str = ""
    pef_sha256: str = ""
    brf_bytes: int = 0
    pef_bytes: int = 0
    pages: int = 0
    #: characters liblouis could not translate (it writes an escape for each)
    untranslated: int = 0


def brf_path(out_dir: Path, bulletin_id: str, locale: str) -> Path:
    """``<out>/<locale>/<id>.<locale>.brf``."""
    return out_dir / locale / f"{bulletin_id}.{locale}.brf"


def pef_path(out_dir: Path, bulletin_id: str, locale: str) -> Path:
    """``<out>/<locale>/<id>.<locale>.pef``."""
    return out_dir / locale / f"{bulletin_id}.{locale}.pef"


def braille_blocks(variant: Variant) -> list[tuple[str, Layout]]:
    """The variant's text in reading order, one entry per braille block, as the print edition shows it."""
    b, _ = variant.bulletin, variant.gettext
    kicker, missing, byline_label, source_label = _("Bản tin"), _("Ảnh không có sẵn"), _("Tin, ảnh"), _("Nguồn")
    dateline = f"{variant.date_text} · {b.place}" if b.place else variant.date_text
    blocks: list[tuple[str, Layout]] = [(kicker, HEADING), (b.title, HEADING), (dateline, HEADING)]
    first_body = True
    for block in b.body:
        gap = first_body
        first_body = False
        if isinstance(block, Paragraph):
            blocks.append((block.text, Layout(first=2, blank_before=gap)))
        elif isinstance(block, Photo):
            if block.src and block.alt:
                blocks.append((block.alt, Layout(first=6, runover=4, blank_before=gap)))
                gap = False
            caption = block.caption if block.src else f"{missing}: {block.caption}"
            blocks.append((caption, Layout(first=6, runover=4, blank_before=gap)))
        elif isinstance(block, BulletList):
            blocks.extend((item, Layout(runover=2, blank_before=gap and n == 0)) for n, item in enumerate(block.items))
        elif isinstance(block, Quote):
            blocks.append((block.text, Layout(first=4, runover=4, blank_before=True)))
            if block.attribution:
                blocks.append((f"— {block.attribution}", QUOTE))
    credits = [f"{byline_label}: {b.byline}"] if b.byline else []
    credits += [f"{source_label}: {b.source}"] if b.source else []
    blocks.extend((text, Layout(first=2, blank_before=n == 0)) for n, text in enumerate(credits))
    return [(text, layout) for text, layout in blocks if text.strip()]


def _page_numbers(table: str) -> Callable[[int], str]:
    """Braille page numbers in the table's own number sign, translated in batches as pages are added."""
    known: dict[int, str] = {}

    def number(n: int) -> str:
        if n not in known:
            batch = list(range(n, n + 50))
            known.update(zip(batch, translate([str(k) for k in batch], table), strict=True))
        return known[n]

    return number


def make_braille(variant: Variant, out_dir: Path, cols: int = CELLS_PER_LINE, rows: int = LINES_PER_PAGE) -> BrailleResult:
    """Transcribe ``variant`` to ``<out>/<locale>/<id>.<locale>.brf`` and ``.pef``; skipped when its locale has no table."""
    code, b = variant.locale.code, variant.bulletin
    table = braille_table(code)
    if table is None:
        return BrailleResult(locale=code, table=None, skipped=braille_skip_reason(code))
    texts = braille_blocks(variant)
    try:
        cells = translate([text for text, _ in texts], table.table)
    except BrailleTextError as exc:  # name the bulletin too: the block number alone is not enough in a batch
        raise BrailleTextError(f"{b.id} ({code}): {exc}", exc.block, exc.excerpt) from None
    blocks = [
        BrailleBlock(c, first=layout.first, runover=layout.runover, centered=layout.centered, blank_before=layout.blank_before)
        for c, (_, layout) in zip(cells, texts, strict=True)
    ]
    pages = paginate(blocks, _page_numbers(table.table), cols, rows)
    stamp = source_date()
    meta = PefMeta(
        identifier=f"bantin:{b.id}:{code}:braille",
        title=b.title,
        language=variant.lang,
        date=stamp.date() if stamp else b.date,
        publisher=b.source,
        description=f"{table.description} ({table.table}), {cols} × {rows} cells",
    )
    brf, pef = brf_path(out_dir, b.id, code), pef_path(out_dir, b.id, code)
    brf_data = brf_text(pages).encode("ascii")
    pef_data = pef_xml(pages, meta, cols, rows).encode("utf-8")
    write_bytes_if_changed(brf, brf_data)
    write_bytes_if_changed(pef, pef_data)
    return BrailleResult(
        locale=code,
        table=table.table,
        brf=brf,
        pef=pef,
        brf_sha256=sha256_file(brf),
        pef_sha256=sha256_file(pef),
        brf_bytes=len(brf_data),
        pef_bytes=len(pef_data),
        pages=len(pages),
        untranslated=sum(untranslated_count(c) for c in cells),
    )
