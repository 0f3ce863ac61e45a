"""Render one job in this process: WeasyPrint layout (fitted to one page where the profile asks), PDF/UA, preview, key.

Fonts ship in ``assets/fonts`` and are loaded with the same
``FontConfiguration`` for the CSS and the layout; it sees no other font, and a
character none of them covers is refused before layout (bantin.render.fonts).  A resource the bulletin asked
for that cannot be loaded (a missing or unreadable photo, say) fails the output
with a one-line :class:`RenderError`; URLs the fetcher refuses on purpose are
only recorded.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from bantin.content.model import Photo
from bantin.errors import RenderError
from bantin.fsutil import write_bytes_if_changed
from bantin.i18n.localize import Variant
from bantin.paths import ASSETS_DIR
from bantin.render.cache import Prepared, cached_result, prepare, write_sidecar
from bantin.render.cffi_arrays import install as install_open_arrays
from bantin.render.fetcher import REFUSAL_MARK, SafeFetcher
from bantin.render.fonts import BundledFontConfiguration, check_coverage
from bantin.render.html import image_url
from bantin.render.jobs import RenderJob, RenderResult
from bantin.render.pdfua import finish_pdf
from bantin.render.preview import preview_path, render_preview
from bantin.render.profiles import TypeStep
from bantin.render.textlayer import install as install_text_layer

__all__ = ["check_images", "render_job", "render_pdf"]

# /Lang per structure element and /ActualText for complex scripts (see bantin.render.textlayer).
install_text_layer()
# HarfBuzz arrays' C types parsed once, not once per glyph count (see bantin.render.cffi_arrays).
install_open_arrays()

# --------------------------------------------------------------------------- resources


def check_images(job: RenderJob) -> None:
    """Fail before any layout when a photo block names a file that is not there or cannot be read.

    Paths outside the asset folder are left to the fetcher, which refuses (and records) them.
    """
    name, asset_dir = job.out_path.name, job.asset_dir
    for i, block in enumerate(job.variant.bulletin.body):
        if not isinstance(block, Photo) or not block.src:
            continue
        field = f"body[{i}].image"
        if asset_dir is None:
            raise RenderError(
                f"{name}: {field}: src '{block.src}' names a photo but the bulletin has no asset folder. "
                f"Put the file at content/{job.variant.bulletin.id}/{block.src} or remove src"
            )
        path = (asset_dir / block.src).resolve()
        root = asset_dir.resolve()
        if root not in path.parents:
            continue
        if not path.is_file():
            raise RenderError(f"{name}: {field}: photo file {path} is missing. Put the file there or fix src in the bulletin")
        if not os.access(path, os.R_OK):
            raise RenderError(f"{name}: {field}: photo file {path} cannot be read. Make it readable (chmod a+r) or fix src in the bulletin")


class _LoadErrors(logging.Handler):
    """Collects WeasyPrint's ERROR records emitted by one thread (other threads may be rendering too)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.thread = threading.get_ident()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.records.append(record)


@contextmanager
def _load_errors() -> Iterator[list[logging.LogRecord]]:
    handler = _LoadErrors()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


def _reason(record: logging.LogRecord) -> str:
    """WeasyPrint's reason for a failed load: the exception it logged, or the one behind it."""
    exc = record.args[1] if isinstance(record.args, tuple) and len(record.args) > 1 else None
    if not isinstance(exc, BaseException):
        return "not an image"
    text = str(exc) or str(exc.__cause__ or "") or type(exc).__name__
    return " ".join(re.sub(r"\s*<[^<>]* at 0x[0-9a-f]+>", "", text).split())[:200]


def _load_failure(job: RenderJob, records: list[logging.LogRecord]) -> RenderError | None:
    """The first error WeasyPrint logged that is not a deliberate refusal, named after the block that asked for it."""
    fields = {
        image_url(block, job.asset_dir): (f"body[{i}].image", (job.asset_dir or Path()) / block.src)
        for i, block in enumerate(job.variant.bulletin.body)
        if isinstance(block, Photo) and block.src
    }
    name = job.out_path.name
    for record in records:
        message = record.getMessage()
        if REFUSAL_MARK in message:
            continue
        url = record.args[0] if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str) else None
        if url in fields:
            field, path = fields[url]
            return RenderError(
                f"{name}: {field}: photo file {path.resolve()} could not be loaded ({_reason(record)}). "
                "Replace it with a readable JPEG, PNG or SVG file or fix src in the bulletin"
            )
        return RenderError(f"{name}: WeasyPrint could not load a resource: {message}. Check the bulletin's assets and bantin's stylesheets")
    return None


# --------------------------------------------------------------------------- layout


def _used_height(document: Any) -> tuple[float, float]:
    """(height the content takes over all pages, height of one page's content area), in CSS pixels.

    A page's share ends at the bottom of the body's last box on it, not at the
    page's foot: the space a page break leaves empty (lines pushed on with the
    closing panel, say) is not text the next step has to hold.
    """
    used = 0.0
    area = 0.0
    for page in document.pages:
        box = page._page_box
        area = max(area, float(box.height))
        for html in (child for child in box.children if getattr(child, "element_tag", None) == "html"):
            body = next((child for child in html.children if getattr(child, "element_tag", None) == "body"), None)
            blocks = [child for child in body.children if hasattr(child, "margin_height")] if body is not None else []
            if blocks:
                used += max(float(child.position_y + child.margin_height()) for child in blocks) - float(html.position_y)
            else:
                used += float(html.margin_height())
    return used, area


def _first_step(scale: tuple[TypeStep, ...], document: Any) -> int:
    """The index of the first smaller step to try, from one measured layout at ``scale[0]``.

    Text takes about size² × line height of area, so this is the largest step the
    measure says fits: at least one step below the first, at most the last.
    """
    used, area = _used_height(document)
    if used <= 0:
        return len(scale) - 1
    first = scale[0].body_pt ** 2 * scale[0].line_height
    for i, step in enumerate(scale[1:], start=1):
        if step.body_pt**2 * step.line_height <= first * area / used:
            return i
    return len(scale) - 1


_shared = threading.local()


def shared_fonts() -> FontConfiguration:
    """This thread's FontConfiguration, shared by its renders (the packaged @font-face fonts are registered once).

    It knows the bundled fonts only, so no machine font is ever a fallback.
    """
    fonts: FontConfiguration | None = getattr(_shared, "fonts", None)
    if fonts is None:
        fonts = _shared.fonts = BundledFontConfiguration()
        _shared.sheets = {}
    return fonts


def _packaged_stylesheets(profile_sheet: Path, fonts: FontConfiguration) -> list[Any]:
    """fonts.css, base.css and the profile's stylesheet, parsed once per thread and file version.

    Parsing them and loading their fonts took a third of a small render, and a
    fitted profile lays a bulletin out several times; a render child forked
    from the warm forkserver (bantin.render.warmup) finds them already parsed.
    They only name packaged files, so they are fetched with a fetcher of the
    package's assets alone.
    """
    sheets: dict[tuple[str, int], Any] = _shared.sheets
    parsed = []
    for path in (ASSETS_DIR / "css" / "fonts.css", ASSETS_DIR / "css" / "base.css", profile_sheet):
        key = (str(path), path.stat().st_mtime_ns)
        if key not in sheets:
            sheets[key] = CSS(filename=str(path), font_config=fonts, url_fetcher=SafeFetcher((ASSETS_DIR,)))
        parsed.append(sheets[key])
    return parsed


def preload_stylesheets() -> None:
    """Parse every profile's packaged stylesheets now (the render forkserver does, before it forks children)."""
    from bantin.render.profiles import PROFILES, get_profile

    for name in PROFILES:
        _packaged_stylesheets(get_profile(name).stylesheet_path, shared_fonts())


def _layout(job: RenderJob, prepared: Prepared, fetcher: SafeFetcher, fonts: FontConfiguration, step: TypeStep | None) -> Any:
    """One WeasyPrint layout of the job; ``step`` (of a poster's type scale) overrides the body size and line height.

    Layouts of one job share WeasyPrint's image cache (held by the fetcher), so
    each image is fetched, and each refusal recorded and logged, once.
    """
    stylesheets = [
        *_packaged_stylesheets(prepared.profile.stylesheet_path, fonts),
        CSS(string=prepared.css + (step.css if step else "") + job.extra_css, font_config=fonts, url_fetcher=fetcher),
    ]
    html = HTML(string=prepared.html, base_url=str(ASSETS_DIR / "templates") + "/", url_fetcher=fetcher)
    return html.render(stylesheets=stylesheets, font_config=fonts, cache=fetcher.image_cache, **prepared.options)


def _too_long(job: RenderJob, floor: TypeStep, pages: int) -> RenderError:
    """The one-line error for a bulletin that does not fit the one-page poster even at the last step of its scale."""
    return RenderError(
        f"{job.out_path.name}: bulletin '{job.variant.bulletin.id}' ({job.variant.locale.code}) does not fit the one-page "
        f"'{job.profile}' poster even at {floor.body_pt:g} pt body text ({pages} pages). "
        "Shorten the text (or drop a photo), or print it with the a5 or large-print profile"
    )


def _fitted_document(job: RenderJob, prepared: Prepared, fetcher: SafeFetcher, fonts: FontConfiguration) -> Any:
    """The laid-out document: in the profile's own type, or for a poster at the largest step of its scale that fits one page.

    A profile without a scale, or a poster that fits at its first step, costs one
    layout.  Else the measured first step is tried; if it fits, larger steps are
    tried while they still fit (the measure errs small when page breaks waste
    space); if not, smaller steps down to the last.  A bulletin that still takes
    more than one page there raises :class:`RenderError`: a poster is one page.
    """
    scale = prepared.profile.fit_scale
    if not scale:
        return _layout(job, prepared, fetcher, fonts, None)
    document = _layout(job, prepared, fetcher, fonts, scale[0])
    if len(document.pages) <= 1:
        return document
    i = _first_step(scale, document)
    document = _layout(job, prepared, fetcher, fonts, scale[i])
    if len(document.pages) == 1:
        while i > 1:
            bigger = _layout(job, prepared, fetcher, fonts, scale[i - 1])
            if len(bigger.pages) > 1:
                break
            i, document = i - 1, bigger
        return document
    while i < len(scale) - 1:
        i += 1
        document = _layout(job, prepared, fetcher, fonts, scale[i])
        if len(document.pages) == 1:
            return document
    raise _too_long(job, scale[-1], len(document.pages))


# --------------------------------------------------------------------------- render


def render_job(job: RenderJob) -> RenderResult:
    """Render one job in this process: PDF (atomic, unchanged bytes not rewritten), preview, key sidecar."""
    variant, out_path = job.variant, job.out_path
    prepared = prepare(job)
    check_images(job)
    check_coverage(out_path.name, variant, prepared.html, prepared.css + job.extra_css)
    if not job.force:
        cached = cached_result(job, prepared.key)
        if cached is not None:
            return cached
    roots = (ASSETS_DIR,) + ((job.asset_dir,) if job.asset_dir else ())
    fetcher = SafeFetcher(roots)
    fonts = shared_fonts()
    pdf = b""
    with _load_errors() as records:
        try:
            document = _fitted_document(job, prepared, fetcher, fonts)
            failure = _load_failure(job, records)
            if failure is None:
                pdf = finish_pdf(document.write_pdf(**prepared.options))
                failure = _load_failure(job, records)
        except (MemoryError, RenderError):
            raise  # out of the child's memory bound (isolation reports it with what to do), or too long for a poster
        except Exception as exc:  # WeasyPrint raises many kinds; the stage reports one.
            raise RenderError(f"{out_path.name}: WeasyPrint failed for locale '{variant.locale.code}', profile '{job.profile}': {exc}") from exc
    if failure is not None:
        raise failure
    if not pdf:
        raise RenderError(f"{out_path.name}: WeasyPrint produced no bytes")
    write_bytes_if_changed(out_path, pdf)
    png = render_preview(out_path, preview_path(out_path))
    result = RenderResult(
        path=out_path,
        locale=variant.locale.code,
        profile=job.profile,
        pages=len(document.pages),
        bytes=len(pdf),
        sha256=hashlib.sha256(pdf).hexdigest(),  # the bytes just written (or found identical)
        refused_urls=tuple(fetcher.refused),
        preview=png,
        print_marks=job.print_marks,
    )
    write_sidecar(result, prepared.key)
    return result


def render_pdf(
    variant: Variant,
    profile_name: str,
    out_path: Path,
    asset_dir: Path | None = None,
    *,
    print_marks: bool = False,
    public_url: str | None = None,
    force: bool = False,
    extra_css: str = "",
) -> RenderResult:
    """Render ``variant`` with a profile to ``out_path`` in this process (see :func:`render_job`)."""
    return render_job(RenderJob(variant, profile_name, out_path, asset_dir, print_marks, public_url, force, extra_css))
