"""The portal's HTML pages, shared by the live app and the static export.

Every link goes through a :class:`Linker`: the app writes absolute paths
(``/en/<id>/vi/``), the export writes paths relative to the page being written
(``../../<id>/vi/<file>.pdf``) so the tree works from any folder of any static
web server.  Site paths never start with a slash; a path ending in ``/`` is a
page.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from bantin import __version__
from bantin.errors import BantinError
from bantin.i18n.locales import load_locale
from bantin.portal.archive import Listed
from bantin.portal.library import Bulletin, OutputFile
from bantin.portal.static import FAVICON_PATH, KHMER_RANGE, khmer_font, readalong_js
from bantin.portal.ui import N_, PROFILE_LABELS, STATUS_LABELS, UI, template_env

__all__ = [
    "Linker",
    "PageContext",
    "archive_path",
    "bulletin_path",
    "feed_path",
    "file_path",
    "index_path",
    "manifest_path",
    "month_path",
    "pack_path",
    "page_path",
    "read_transcript",
    "render_archive",
    "render_bulletin",
    "render_index",
    "render_month",
    "render_not_found",
    "render_search",
    "search_path",
]


def index_path(prefix: str) -> str:
    return prefix


def page_path(prefix: str, number: int) -> str:
    """Page ``number`` of the index (1 is the index itself, the newest bulletins)."""
    return prefix if number <= 1 else f"{prefix}page/{number}/"


def archive_path(prefix: str) -> str:
    return f"{prefix}archive/"


def month_path(prefix: str, month: str) -> str:
    return f"{prefix}archive/{month}/"


def search_path(prefix: str) -> str:
    return f"{prefix}search/"


def bulletin_path(prefix: str, bulletin_id: str, locale: str) -> str:
    return f"{prefix}{bulletin_id}/{locale}/"


def file_path(bulletin_id: str, rel: str) -> str:
    return f"{bulletin_id}/{rel}"


def manifest_path(bulletin_id: str) -> str:
    return f"{bulletin_id}/manifest.json"


def pack_path(bulletin_id: str) -> str:
    return f"packs/{bulletin_id}.zip"


def feed_path(locale: str) -> str:
    return f"feed/{locale}.xml"


@dataclass(frozen=True)
class Linker:
    """Turns site paths into hrefs for one page."""

    page: str  # the site path of the page being rendered
    relative: bool = False  # static export: relative links, explicit index.html
    root: str = "/"  # live app: the mount point

    def __call__(self, target: str) -> str:
        if not self.relative:
            return quote(self.root + target)
        here = self.page.rstrip("/") if self.page.endswith("/") or not self.page else posixpath.dirname(self.page)
        dest = target + "index.html" if target.endswith("/") or not target else target
        return quote(posixpath.relpath(dest, here or "."))


@dataclass(frozen=True)
class PageContext:
    """What every page needs: the UI, the languages to switch to, and the link maker."""

    ui: UI
    ui_codes: tuple[str, ...]
    prefix: str  # "" or "<ui>/" ; the page's own links keep it
    link: Linker
    feeds: tuple[str, ...]
    #: the live app answers searches; a static export has no search form
    search: bool = False


def _locale_lang(code: str, root: Path | None = None) -> str:
    """The BCP 47 tag of locale ``code`` (from ``root``, the locales folder, when given: no search for the project)."""
    try:
        return load_locale(code, root).bcp47
    except BantinError:
        return code


def _render(ctx: PageContext, template: str, self_path: Callable[[str], str], **values: object) -> str:
    env = template_env(ctx.ui)
    root = ctx.ui.root

    def locale_lang(code: str) -> str:
        return _locale_lang(code, root)

    switch = [
        {"code": c, "name": load_locale(c, root).name, "lang": locale_lang(c), "href": ctx.link(self_path(f"{c}/")), "current": c == ctx.ui.code}
        for c in ctx.ui_codes
    ]
    return env.get_template(template).render(
        ui=ui_fns(ctx.ui),
        lang=ctx.ui.lang,
        link=ctx.link,
        prefix=ctx.prefix,
        switch=switch,
        feeds=[{"code": c, "name": ctx.ui.locale_name(c), "href": ctx.link(feed_path(c))} for c in ctx.feeds],
        home=ctx.link(index_path(ctx.prefix)),
        version=__version__,
        locale_lang=locale_lang,
        favicon_href=ctx.link(FAVICON_PATH),
        khmer_font_href=ctx.link(khmer_font().path),
        khmer_bold_href=ctx.link(khmer_font(bold=True).path),
        khmer_range=KHMER_RANGE,
        readalong_href=ctx.link(readalong_js().path),
        **values,
    )


def ui_fns(ui: UI) -> dict[str, object]:
    return {
        "date": ui.date,
        "size": ui.size,
        "number": ui.number,
        "percent": ui.percent,
        "locale_name": ui.locale_name,
        "text": ui.text,
        "code": ui.code,
        "profile_label": lambda p: ui.markup(PROFILE_LABELS[p]) if p in PROFILE_LABELS else (p or ""),
        "status_label": lambda s: ui.markup(STATUS_LABELS[s]) if s in STATUS_LABELS else s,
    }


def _rows(ctx: PageContext, bulletins: Sequence[Listed]) -> list[dict[str, object]]:
    rows = []
    for b in bulletins:
        title, title_locale = b.title_in(ctx.ui.code if ctx.ui.code in b.published_locales else b.language)
        rows.append(
            {
                "b": b,
                "title": title,
                "title_lang": _locale_lang(title_locale, ctx.ui.root),
                "href": ctx.link(
                    bulletin_path(ctx.prefix, b.id, title_locale if title_locale in b.published_locales else (b.published_locales or [b.language])[0])
                ),
                "locales": [{"s": s, "href": ctx.link(bulletin_path(ctx.prefix, b.id, s.code)) if s.published else None} for s in b.locales],
            }
        )
    return rows


def _listing(ctx: PageContext, self_path: Callable[[str], str], bulletins: Sequence[Listed], heading: str, **values: object) -> str:
    values.setdefault("pager", None)
    values.setdefault("intro", None)
    values.setdefault("query", "")
    values.setdefault("empty", ctx.ui.gettext(N_("Chưa có bản tin nào được xuất bản.")))
    return _render(
        ctx,
        "index.html.j2",
        self_path,
        rows=_rows(ctx, bulletins),
        heading=heading,
        archive_href=ctx.link(archive_path(ctx.prefix)),
        search_href=ctx.link(search_path(ctx.prefix)) if ctx.search else None,
        **values,
    )


def render_index(ctx: PageContext, bulletins: Sequence[Listed], page: int = 1, pages: int = 1) -> str:
    """Page ``page`` of ``pages`` of the index: ``bulletins`` (newest first), links to newer and older pages."""
    pager = {
        "page": page,
        "pages": pages,
        "newer": ctx.link(page_path(ctx.prefix, page - 1)) if page > 1 else None,
        "older": ctx.link(page_path(ctx.prefix, page + 1)) if page < pages else None,
    }
    return _listing(ctx, lambda p: page_path(p, page), bulletins, ctx.ui.gettext(N_("Các bản tin")), pager=pager)


def month_name(ui: UI, month: str) -> str:
    """``2024-06`` as the UI language names it (CLDR's year-month format)."""
    from babel.dates import format_skeleton

    year, number = (int(x) for x in month.split("-"))
    return str(format_skeleton("yMMMM", dt.date(year, number, 1), locale=ui.babel))


def render_month(ctx: PageContext, month: str, bulletins: Sequence[Listed]) -> str:
    """Every bulletin of one month (``YYYY-MM``), newest first."""
    return _listing(ctx, lambda p: month_path(p, month), bulletins, month_name(ctx.ui, month))


def render_archive(ctx: PageContext, months: Sequence[tuple[str, int]]) -> str:
    """The months that have bulletins, newest first, each with how many."""
    rows = [{"href": ctx.link(month_path(ctx.prefix, m)), "name": month_name(ctx.ui, m), "count": n} for m, n in months]
    return _render(ctx, "archive.html.j2", lambda p: archive_path(p), months=rows)


def render_search(ctx: PageContext, query: str, bulletins: Sequence[Listed], total: int, page: int = 1, pages: int = 1) -> str:
    """Page ``page`` of the bulletins whose title matches ``query`` (newest first), with how many match."""
    intro = None
    if query.strip():
        intro = ctx.ui.gettext(N_("%(count)s bản tin có tiêu đề khớp với “%(query)s”."), count=ctx.ui.number(total), query=query)

    def at(number: int) -> str:
        return ctx.link(search_path(ctx.prefix)) + "?q=" + quote(query) + (f"&page={number}" if number > 1 else "")

    pager = {"page": page, "pages": pages, "newer": at(page - 1) if page > 1 else None, "older": at(page + 1) if page < pages else None}
    return _listing(
        ctx,
        lambda p: search_path(p),
        bulletins,
        ctx.ui.gettext(N_("Tìm theo tiêu đề")),
        intro=intro,
        query=query,
        pager=pager,
        empty=ctx.ui.gettext(N_("Không tìm thấy bản tin nào.")) if query.strip() else "",
    )


#: Accessible formats listed on a bulletin page, in this order: the read-along EPUB, then braille for embossers and displays.
FORMAT_KINDS = ("epub", "braille-brf", "braille-pef")


def _first(files: list[OutputFile]) -> OutputFile | None:
    return files[0] if files else None


def render_bulletin(ctx: PageContext, b: Bulletin, locale: str, transcript: str | None) -> str:
    """One bulletin in one locale: PDFs with previews, the reading with captions, the transcript, the pack."""
    from bantin.portal.langs import page_languages  # the languages of title, transcript, captions; why no reading or braille

    title, _ = b.title_in(locale)
    pdfs = []
    order = list(PROFILE_LABELS)
    for pdf in sorted(b.outputs(locale, "pdf"), key=lambda f: (order.index(f.profile) if f.profile in order else 99, f.path)):
        preview = b.preview_for(pdf)
        pdfs.append({"f": pdf, "href": ctx.link(file_path(b.id, pdf.path)), "preview": ctx.link(file_path(b.id, preview.path)) if preview else None})

    def href(f: OutputFile | None) -> str | None:
        return ctx.link(file_path(b.id, f.path)) if f else None

    audio = _first(b.outputs(locale, "audio"))
    captions = _first(b.outputs(locale, "captions"))
    transcript_file = _first(b.outputs(locale, "transcript"))
    formats = [{"f": f, "href": href(f)} for kind in FORMAT_KINDS for f in b.outputs(locale, kind)]
    langs = page_languages(b, locale, transcript, captions, ctx.ui, lambda code: _locale_lang(code, ctx.ui.root))
    paragraphs = list(langs.paragraphs)
    others = [{"s": s, "href": ctx.link(bulletin_path(ctx.prefix, b.id, s.code))} for s in b.locales if s.published and s.code != locale]
    return _render(
        ctx,
        "bulletin.html.j2",
        lambda p: bulletin_path(p, b.id, locale),
        b=b,
        locale=locale,
        page_lang=_locale_lang(locale, ctx.ui.root),
        title=title,
        title_lang=langs.title_lang,
        captions_lang=langs.captions_lang,
        no_reading=langs.no_reading,
        no_braille=langs.no_braille,
        status=b.status(locale),
        pdfs=pdfs,
        audio=audio,
        audio_href=href(audio),
        captions=captions,
        captions_href=href(captions),
        transcript_href=href(transcript_file),
        paragraphs=paragraphs,
        formats=formats,
        pack_href=ctx.link(pack_path(b.id)),
        manifest_href=ctx.link(manifest_path(b.id)),
        others=others,
        feed_href=ctx.link(feed_path(locale)) if locale in ctx.feeds else None,
        readalong=bool(audio and captions and paragraphs),
    )


def render_not_found(ctx: PageContext) -> str:
    return _render(ctx, "not_found.html.j2", lambda p: index_path(p))


def read_transcript(b: Bulletin, locale: str, limit: int = 512 * 1024) -> str | None:
    """The transcript text of a locale, if listed and present (UTF-8, at most ``limit`` bytes)."""
    entry = _first(b.outputs(locale, "transcript"))
    path: Path | None = b.file_path(entry.path) if entry else None
    if path is None:
        return None
    return path.read_bytes()[:limit].decode("utf-8", errors="replace")
