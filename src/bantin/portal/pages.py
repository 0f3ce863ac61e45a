"""The portal's HTML pages, shared by the live app and the static export.

Every link goes through a :class:`Linker`: the app writes absolute paths
(``/en/<id>/vi/``), the export writes paths relative to the page being written
(``../../<id>/vi/<file>.pdf``) so the tree works from any folder of any static
web server.  Site paths never start with a slash; a path ending in ``/`` is a
page.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from bantin import __version__
from bantin.errors import BantinError
from bantin.i18n.locales import load_locale
from bantin.portal.library import Bulletin, Library, OutputFile
from bantin.portal.static import FAVICON_PATH, KHMER_RANGE, khmer_font, readalong_js
from bantin.portal.ui import PROFILE_LABELS, STATUS_LABELS, UI, template_env

__all__ = [
    "Linker",
    "PageContext",
    "bulletin_path",
    "feed_path",
    "file_path",
    "index_path",
    "manifest_path",
    "pack_path",
    "read_transcript",
    "render_bulletin",
    "render_index",
    "render_not_found",
]


def index_path(prefix: str) -> str:
    return prefix


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


def _locale_lang(code: str) -> str:
    try:
        return load_locale(code).bcp47
    except BantinError:
        return code


def _render(ctx: PageContext, template: str, self_path: Callable[[str], str], **values: object) -> str:
    env = template_env(ctx.ui)
    switch = [
        {"code": c, "name": load_locale(c).name, "lang": _locale_lang(c), "href": ctx.link(self_path(f"{c}/")), "current": c == ctx.ui.code}
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
        locale_lang=_locale_lang,
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


def render_index(ctx: PageContext, library: Library) -> str:
    """The list of bulletins, newest first."""
    rows = []
    for b in library.bulletins:
        title, title_locale = b.title_in(ctx.ui.code if ctx.ui.code in b.published_locales else b.language)
        rows.append(
            {
                "b": b,
                "title": title,
                "title_lang": _locale_lang(title_locale),
                "href": ctx.link(
                    bulletin_path(ctx.prefix, b.id, title_locale if title_locale in b.published_locales else (b.published_locales or [b.language])[0])
                ),
                "locales": [{"s": s, "href": ctx.link(bulletin_path(ctx.prefix, b.id, s.code)) if s.published else None} for s in b.locales],
            }
        )
    return _render(ctx, "index.html.j2", lambda p: index_path(p), rows=rows)


#: Accessible formats listed on a bulletin page, in this order: the read-along EPUB, then braille for embossers and displays.
FORMAT_KINDS = ("epub", "braille-brf", "braille-pef")


def _first(files: list[OutputFile]) -> OutputFile | None:
    return files[0] if files else None


def render_bulletin(ctx: PageContext, b: Bulletin, locale: str, transcript: str | None) -> str:
    """One bulletin in one locale: PDFs with previews, the reading with captions, the transcript, the pack."""
    title, title_locale = b.title_in(locale)
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
    paragraphs = [p.strip() for p in (transcript or "").replace("\r\n", "\n").split("\n\n") if p.strip()]
    others = [{"s": s, "href": ctx.link(bulletin_path(ctx.prefix, b.id, s.code))} for s in b.locales if s.published and s.code != locale]
    return _render(
        ctx,
        "bulletin.html.j2",
        lambda p: bulletin_path(p, b.id, locale),
        b=b,
        locale=locale,
        page_lang=_locale_lang(locale),
        title=title,
        title_lang=_locale_lang(title_locale),
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
