"""The braille stage: a localized variant transcribed to BRF and PEF.

The variant's text is laid out the way the print edition reads (kicker, title,
dateline, body, credits), then paginated once; the BRF and the PEF hold the
very same pages.  A locale without a table is skipped with a reason, never
failed.

Each part of a block is written in the language it is printed in, as the
PDFs tag it: a translated block in the variant's language, with the locale's
table; an untranslated block, untranslated chrome ("Nguồn") and a date in
borrowed words in Vietnamese; a Vietnamese name inside a translated sentence
in Vietnamese too (:mod:`bantin.braille.langs`).  Text in another language
than the variant's gets that language's uncontracted table
(:func:`~bantin.braille.tables.lang_table`); a language with no table at all
falls back to the variant's.  Neighbouring parts in one language are
translated together, so a Vietnamese variant is translated block by block as
before.  The PEF names every language and marks rows
(:mod:`bantin.braille.pef`); :attr:`BrailleResult.tables` lists the tables used.

Files are written atomically and only when their bytes change; nothing in them
depends on the clock (dates come from the bulletin, or ``SOURCE_DATE_EPOCH``),
so a rerun gives identical files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bantin.braille.brf import CELLS_PER_LINE, LINES_PER_PAGE, BrailleBlock, brf_text, lay_out
from bantin.braille.langs import Segment, merge, split_names
from bantin.braille.louis import BrailleTextError, translate, untranslated_count
from bantin.braille.pef import PefMeta, pef_xml
from bantin.braille.tables import BRAILLE_TABLES, BrailleTable, braille_skip_reason, braille_table, lang_table
from bantin.content.model import BulletList, Paragraph, Photo, Quote
from bantin.fsutil import sha256_file, write_bytes_if_changed
from bantin.i18n.localize import Variant
from bantin.settings import source_date

__all__ = ["BlockPlan", "BrailleResult", "Layout", "Piece", "Transcribed", "braille_blocks", "brf_path", "make_braille", "pef_path", "transcribe"]


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
    #: ``(BCP 47 tag, liblouis table)`` for each language the braille holds, the variant's first
    tables: tuple[tuple[str, str], ...] = ()


def brf_path(out_dir: Path, bulletin_id: str, locale: str) -> Path:
    """``<out>/<locale>/<id>.<locale>.brf``."""
    return out_dir / locale / f"{bulletin_id}.{locale}.brf"


def pef_path(out_dir: Path, bulletin_id: str, locale: str) -> Path:
    """``<out>/<locale>/<id>.<locale>.pef``."""
    return out_dir / locale / f"{bulletin_id}.{locale}.pef"


@dataclass(frozen=True)
class BlockPlan:
    """One braille block before translation: its text as segments, each in one language, and its layout."""

    segments: tuple[Segment, ...]
    layout: Layout

    @property
    def text(self) -> str:
        """The block's whole text."""
        return "".join(seg.text for seg in self.segments)


def braille_blocks(variant: Variant) -> list[BlockPlan]:
    """The variant's text in reading order, one entry per braille block, as the print edition shows it.

    Each part of a block carries the language it is printed in (the text unit's,
    the chrome string's, the date's), and Vietnamese names inside other
    languages are their own segments.
    """
    b, v, _ = variant.bulletin, variant, variant.gettext
    kicker, missing, source_label = _("Bản tin"), _("Ảnh không có sẵn"), _("Nguồn")
    byline_label = _(b.credit_label) if b.byline_label else _("Tin, ảnh")  # the credit the source gave
    plans: list[tuple[list[Segment], Layout]] = [([Segment(kicker, v.chrome_lang("Bản tin"))], HEADING), ([Segment(b.title, v.lang_of("title"))], HEADING)]
    dateline = [Segment(variant.date_text, variant.date_lang)]
    if b.place:
        dateline = [Segment(f"{variant.date_text} ·", variant.date_lang), Segment(f" {b.place}", v.lang_of("place"))]
    plans.append((dateline, HEADING))
    first_body = True
    for n, block in enumerate(b.body, start=1):
        gap = first_body
        first_body = False
        if isinstance(block, Paragraph):
            plans.append(([Segment(block.text, v.lang_of(f"body.{n}.paragraph"))], Layout(first=2, blank_before=gap)))
        elif isinstance(block, Photo):
            if block.src and block.alt:
                plans.append(([Segment(block.alt, v.lang_of(f"body.{n}.image.alt"))], Layout(first=6, runover=4, blank_before=gap)))
                gap = False
            caption = [Segment(block.caption, v.lang_of(f"body.{n}.image.caption"))]
            if not block.src:
                caption = [Segment(f"{missing}:", v.chrome_lang("Ảnh không có sẵn")), Segment(f" {block.caption}", caption[0].lang)]
            plans.append((caption, Layout(first=6, runover=4, blank_before=gap)))
        elif isinstance(block, BulletList):
            plans.extend(
                ([Segment(item, v.lang_of(f"body.{n}.list.{i}"))], Layout(runover=2, blank_before=gap and i == 1))
                for i, item in enumerate(block.items, start=1)
            )
        elif isinstance(block, Quote):
            plans.append(([Segment(block.text, v.lang_of(f"body.{n}.quote"))], Layout(first=4, runover=4, blank_before=True)))
            if block.attribution:
                plans.append(([Segment(f"— {block.attribution}", v.lang_of(f"body.{n}.quote.attribution"))], QUOTE))
    credits = [[Segment(f"{byline_label}:", v.chrome_lang(b.credit_label)), Segment(f" {b.byline}", v.lang_of("byline"))]] if b.byline else []
    credits += [[Segment(f"{source_label}:", v.chrome_lang("Nguồn")), Segment(f" {b.source}", v.lang_of("source"))]] if b.source else []
    plans.extend((segments, Layout(first=2, blank_before=n == 0)) for n, segments in enumerate(credits))
    name_lang = variant.source_lang
    out = []
    for segments, layout in plans:
        if "".join(seg.text for seg in segments).strip():
            split = [part for seg in segments for part in split_names(seg, name_lang)]
            out.append(BlockPlan(tuple(merge(split)), layout))
    return out


@dataclass(frozen=True)
class Piece:
    """A run of a block in one language, the liblouis table that wrote it, and its braille (``table`` reads it back)."""

    text: str
    lang: str
    table: str
    cells: str
    #: whether a blank cell separates it from the piece before
    space_before: bool


@dataclass(frozen=True)
class Transcribed:
    """A block's braille: its pieces, and the cells and language runs they make."""

    plan: BlockPlan
    pieces: tuple[Piece, ...]

    def block(self) -> BrailleBlock:
        """The block for the layout: the pieces joined (a blank cell where the text had a space), each run's language noted."""
        cells, langs = "", []
        for piece in self.pieces:
            if not piece.cells:
                continue
            if piece.space_before and cells:
                cells += " "
            langs.append((len(cells), len(cells) + len(piece.cells), piece.lang))
            cells += piece.cells
        layout = self.plan.layout
        return BrailleBlock(cells, layout.first, layout.runover, layout.centered, layout.blank_before, tuple(langs))


def _table_of(lang: str, variant: Variant, own: BrailleTable) -> str:
    """The table for text in ``lang`` in this variant (the variant's own when ``lang`` has none)."""
    return lang_table(lang, variant.lang) or own.table


def transcribe(variant: Variant, table: BrailleTable) -> list[Transcribed]:
    """Every block of ``variant`` in braille, each run with its language's table (one lou_translate run per table)."""
    plans = braille_blocks(variant)
    pending: list[tuple[int, str, str, str, bool]] = []  # block, text, lang, table, space before
    for n, plan in enumerate(plans):
        gap = False  # whitespace since the last piece
        for seg in plan.segments:
            core = seg.text.strip()
            if not core:
                gap = gap or bool(seg.text)
                continue
            pending.append((n, core, seg.lang, _table_of(seg.lang, variant, table), gap or seg.text[0].isspace()))
            gap = seg.text[-1].isspace()
    cells: dict[int, str] = {}
    for name in dict.fromkeys(p[3] for p in pending):
        todo = [i for i, p in enumerate(pending) if p[3] == name]
        out = translate([pending[i][1] for i in todo], name, numbers=[pending[i][0] + 1 for i in todo])
        cells.update(zip(todo, out, strict=True))
    pieces: list[list[Piece]] = [[] for _ in plans]
    for i, (n, text, lang, name, space) in enumerate(pending):
        pieces[n].append(Piece(text, lang, name, cells[i], space))
    return [Transcribed(plan, tuple(p)) for plan, p in zip(plans, pieces, strict=True)]


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
    try:
        done = transcribe(variant, table)
    except BrailleTextError as exc:  # name the bulletin too: the block number alone is not enough in a batch
        raise BrailleTextError(f"{b.id} ({code}): {exc}", exc.block, exc.excerpt) from None
    laid = lay_out([t.block() for t in done], _page_numbers(table.table), cols, rows)
    pages = laid.lines
    used = {variant.lang: table.table} | {p.lang: p.table for t in done for p in t.pieces}
    others = [(lang, name) for lang, name in used.items() if lang != variant.lang]
    description = f"{table.description} ({table.table})" + "".join(f"; {lang} text: {_describe(name)} ({name})" for lang, name in others)
    stamp = source_date()
    meta = PefMeta(
        identifier=f"bantin:{b.id}:{code}:braille",
        title=b.title,
        language=variant.lang,
        date=stamp.date() if stamp else b.date,
        publisher=b.source,
        description=f"{description}, {cols} × {rows} cells",
        other_languages=tuple(lang for lang, _ in others),
        title_lang=variant.lang_of("title"),
        publisher_lang=variant.lang_of("source"),
        description_lang="en",  # bantin writes the description in English
    )
    brf, pef = brf_path(out_dir, b.id, code), pef_path(out_dir, b.id, code)
    brf_data = brf_text(pages).encode("ascii")
    pef_data = pef_xml(pages, meta, cols, rows, laid.langs).encode("utf-8")
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
        untranslated=sum(untranslated_count(p.cells) for t in done for p in t.pieces),
        tables=tuple(used.items()),
    )


def _describe(table: str) -> str:
    """The registry's description of a liblouis table file."""
    for entry in BRAILLE_TABLES.values():
        if table in (entry.table, entry.foreign):
            return entry.description if table == entry.table else entry.foreign_description
    return "liblouis table"
