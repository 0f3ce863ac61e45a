"""Render: a variant to a print-ready, tagged PDF with WeasyPrint.

Profiles (``a4``, ...) are a registry of stylesheet + WeasyPrint options, like
WeasyPrint's own ``pdf/pdfua.py`` VARIANTS: adding one is an entry here plus a
CSS file.  Fonts ship in ``flows/assets/fonts`` and are loaded with the same
``FontConfiguration`` for the CSS and ``write_pdf``.  The URL fetcher serves
only bantin's assets and the bulletin's own asset folder; every refusal is
recorded so the manifest can count it.

Rendering is CPU-bound and holds the GIL, so :func:`render_isolated` runs one
render in a child process (forked from a preloaded forkserver) with a time and
an address-space bound, and :func:`render_many` keeps every core busy.  A
content key (HTML, stylesheets, fonts, options, bantin version) stored beside
each PDF lets an unchanged PDF be skipped without rendering; ``force`` bypasses it.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import multiprocessing
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jinja2
import pikepdf
import segno
from weasyprint import CSS, HTML
from weasyprint import __version__ as weasyprint_version
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from bantin import __version__
from bantin.errors import ConfigError, RenderError, UnknownProfileError
from bantin.fsutil import sha256_file, source_date, write_bytes_if_changed, write_text_if_changed
from bantin.i18n.localize import Variant
from bantin.content.model import Photo
from bantin import settings
from bantin.paths import ASSETS_DIR
from bantin.settings import render_limits, render_workers

__all__ = [
    "PROFILES",
    "Profile",
    "RenderJob",
    "RenderResult",
    "SafeFetcher",
    "assets_digest",
    "build_html",
    "folder_digest",
    "get_profile",
    "job_key",
    "online_url",
    "public_base_url",
    "render_isolated",
    "render_many",
    "render_pdf",
]

log = logging.getLogger("bantin.render")

#: Largest ``data:`` URL the fetcher accepts (bytes of the URL).
MAX_DATA_URL = 256 * 1024
#: Bleed added around the trim box by ``print_marks`` (print shops ask for 3 mm).
BLEED = "3mm"
#: Width in pixels of the page-1 PNG preview.
PREVIEW_WIDTH_PX = 600


@dataclass(frozen=True)
class Profile:
    """A named print profile: a stylesheet in ``assets/css`` plus WeasyPrint options."""

    name: str
    stylesheet: str
    description: str
    options: Mapping[str, Any] = field(default_factory=dict)
    #: "serif" sets running text in the locale's serif face; "sans" in its sans face (large print).
    body_face: str = "serif"

    @property
    def stylesheet_path(self) -> Path:
        return ASSETS_DIR / "css" / self.stylesheet


#: WeasyPrint options every profile starts from; a profile's own options override them.
BASE_OPTIONS: Mapping[str, Any] = MappingProxyType({
    # Tagged PDF/UA-1: structure tree, /Lang, DisplayDocTitle, XMP pdfuaid:part.
    "pdf_variant": "pdf/ua-1",
    # A stable /ID derived from the content, so identical input gives identical bytes.
    "pdf_identifier": False,
    # Subset fonts (full_fonts False) to keep files small; keep hinting off for print.
    "full_fonts": False,
    "hinting": False,
    # Use the document's <meta> title/author/keywords/dates.
    "custom_metadata": False,
})

#: The profile registry.
PROFILES: dict[str, Profile] = {
    "a4": Profile("a4", "a4.css", "A4 standard print, for notice boards (print marks on request)"),
    "a5": Profile("a5", "a5.css", "A5 leaflet"),
    "large-print": Profile(
        "large-print", "large-print.css", "A4 large print after UKAAF guidance: 18 pt sans-serif, left-aligned", body_face="sans",
    ),
}


def get_profile(name: str) -> Profile:
    """The registered profile called ``name``."""
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownProfileError(name, list(PROFILES)) from None


# --------------------------------------------------------------------------- fetching


class SafeFetcher(URLFetcher):
    """Serves only files under the allowed folders and small ``data:`` URLs; refuses the rest.

    A refusal raises a (recoverable) error so WeasyPrint logs it and goes on
    rendering; ``refused`` keeps the URLs for the manifest.
    """

    def __init__(self, roots: tuple[Path, ...]) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.roots = tuple(r.resolve() for r in roots)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> Any:
        reason = self._refusal(url)
        if reason:
            self.refused.append(url[:200])
            log.warning("refused to fetch %s: %s", url[:200], reason)
            raise ValueError(f"bantin refused to fetch {url[:80]}: {reason}")
        return super().fetch(url, headers)

    def _refusal(self, url: str) -> str | None:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return f"data: URL larger than {MAX_DATA_URL} bytes" if len(url) > MAX_DATA_URL else None
        if scheme != "file":
            return f"{scheme}: URLs are never fetched while rendering"
        from urllib.parse import unquote, urlsplit

        path = Path(unquote(urlsplit(url).path)).resolve()
        if any(path == root or root in path.parents for root in self.roots):
            return None
        return "outside bantin's assets and the bulletin's asset folder"


# --------------------------------------------------------------------------- HTML

def _environment() -> jinja2.Environment:
    """A fresh Jinja environment for one render.

    ``install_gettext_callables`` writes into the environment's globals, and a
    cached template keeps the gettext it was loaded with; a shared environment
    (or an overlay, which shares both) would leak one locale's chrome into other,
    possibly concurrent, renders.  Compiling the template again costs milliseconds.
    """
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(ASSETS_DIR / "templates"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _css_string(text: str) -> str:
    """A CSS string literal; anything that could end the string or the sheet is escaped."""
    out = []
    for ch in text:
        out.append(f"\\{ord(ch):x} " if ch in '"\\<>&\'' or ord(ch) < 32 else ch)
    return '"' + "".join(out) + '"'


def _counter_content(template: str) -> str:
    """Turn a chrome string like 'Trang {page}/{pages}' into a CSS ``content`` value."""
    parts: list[str] = []
    rest = template
    while rest:
        starts = [(rest.find(tok), tok) for tok in ("{page}", "{pages}") if tok in rest]
        if not starts:
            parts.append(_css_string(rest))
            break
        idx, tok = min(starts)
        if idx:
            parts.append(_css_string(rest[:idx]))
        parts.append("counter(pages)" if tok == "{pages}" else "counter(page)")
        rest = rest[idx + len(tok):]
    return " ".join(parts)


def page_css(variant: Variant, profile: Profile | None = None, print_marks: bool = False) -> str:
    """Per-variant CSS: fonts for the locale's script, hyphenation, running head, localized page numbers, marks."""
    b, loc, _ = variant.bulletin, variant.locale, variant.gettext
    head = " · ".join(x for x in (b.source or _("Bản tin"), variant.date_text) if x)
    # Translators: page number in the page footer; keep {page} and {pages}.
    page_numbers = _counter_content(_("Trang {page}/{pages}"))
    hyphens = "auto" if loc.hyphenation else "manual"
    serif = f'{_css_string(loc.serif_font)}, "Noto Serif", serif'
    sans = f'{_css_string(loc.sans_font)}, "Noto Sans", sans-serif'
    body = sans if profile is not None and profile.body_face == "sans" else serif
    marks = f"bleed: {BLEED}; marks: crop cross; " if print_marks else ""
    # Justification stretches the few spaces of scripts like Khmer into gaps: justify Latin only.
    align = "" if loc.script == "Latn" else "main p { text-align: left; }\n"
    return (
        f"html {{ font-family: {body}; hyphens: {hyphens}; }}\n{align}"
        f".kicker, .dateline, figcaption, .credits, .qr {{ font-family: {sans}; }}\n"
        f"@page {{ {marks}@top-left {{ content: {_css_string(head)}; font-family: {sans}; }}"
        f" @bottom-center {{ content: {page_numbers}; font-family: {sans}; }} }}\n"
    )


def created_stamp(variant: Variant) -> str:
    """W3C datetime for the PDF's creation date: SOURCE_DATE_EPOCH if set, else the bulletin's date (UTC+7)."""
    fixed = source_date()
    return fixed.strftime("%Y-%m-%dT%H:%M:%SZ") if fixed else f"{variant.bulletin.date.isoformat()}T00:00:00+07:00"


def public_base_url() -> str | None:
    """The public base URL of the online bulletins (``BANTIN_PUBLIC_URL``), without a trailing slash; None if unset."""
    return settings.public_url()


def online_url(base: str, variant: Variant) -> str:
    """Where a variant's online page and audio reading live: ``<base>/<id>/<locale>/``."""
    return f"{base.rstrip('/')}/{variant.bulletin.id}/{variant.locale.code}/"


def qr_data_uri(url: str) -> str:
    """A QR code for ``url`` as an SVG ``data:`` URL (segno, error correction M): nothing to fetch."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=2, xmldecl=False)


def build_html(variant: Variant, asset_dir: Path | None = None, public_url: str | None = None) -> str:
    """The variant as HTML; everything from the bulletin is escaped (autoescape on).

    With ``public_url`` (a base URL), the page carries a QR code to the variant's online page and audio.
    """
    b = variant.bulletin
    link = online_url(public_url, variant) if public_url else None

    def image_url(block: Photo) -> str:
        if block.src and asset_dir is not None:
            return (asset_dir / block.src).resolve().as_uri()
        return (ASSETS_DIR / "img" / "photo-missing.svg").as_uri()

    env = _environment()
    env.install_gettext_callables(variant.gettext, variant.ngettext, newstyle=True)  # type: ignore[attr-defined]
    keywords = ", ".join(x for x in (variant.gettext("Bản tin"), b.place, b.source) if x)
    return env.get_template("bulletin.html.j2").render(
        variant=variant, b=b, image_url=image_url, keywords=keywords, created=created_stamp(variant), version=__version__,
        qr_url=link, qr_src=qr_data_uri(link) if link else None,
    )


# --------------------------------------------------------------------------- PDF


@dataclass(frozen=True)
class RenderResult:
    """A rendered PDF (and its page-1 preview) and the facts the manifest records about it."""

    path: Path
    locale: str
    profile: str
    pages: int
    bytes: int
    sha256: str
    refused_urls: tuple[str, ...] = ()
    preview: Path | None = None
    #: True when the PDF was already up to date (same content key) and rendering was skipped.
    cached: bool = False
    print_marks: bool = False


@dataclass(frozen=True)
class RenderJob:
    """Everything one render needs; plain picklable data, so it can cross into a worker process."""

    variant: Variant
    profile: str
    out_path: Path
    asset_dir: Path | None = None
    print_marks: bool = False
    public_url: str | None = None
    force: bool = False
    extra_css: str = ""


# --------------------------------------------------------------------------- post-processing


def _mark_margin_boxes_as_artifacts(pdf: pikepdf.Pdf) -> int:
    """Turn running headers/footers into ``/Artifact`` marked content; returns how many were changed.

    WeasyPrint 70 tags margin-box content with MCIDs whose structure elements it
    leaves out of the tree (``pdf/tags.py``: an Artifact in the tree is only
    allowed in PDF 2.0).  For PDF/UA-1 such content must be an artifact, so every
    marked-content sequence whose structure element is not reachable from the
    root becomes ``/Artifact <</Type /Pagination>>`` and leaves the parent tree.
    """
    root = pdf.Root.get("/StructTreeRoot")
    if root is None or "/ParentTree" not in root:
        return 0
    reachable: set[tuple[int, int]] = set()
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Dictionary):
            if node.is_indirect:
                if node.objgen in reachable:
                    continue
                reachable.add(node.objgen)
            kids = node.get("/K")
            if isinstance(kids, pikepdf.Array):
                stack.extend(kids)
            elif kids is not None:
                stack.append(kids)
    nums = root.ParentTree.get("/Nums", pikepdf.Array())
    by_key = {int(nums[i]): nums[i + 1] for i in range(0, len(nums) - 1, 2)}
    changed = 0
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        elements = by_key.get(int(key)) if key is not None else None
        if not isinstance(elements, pikepdf.Array):
            continue
        orphans = {
            i for i, el in enumerate(elements)
            if isinstance(el, pikepdf.Dictionary) and el.is_indirect and el.objgen not in reachable
        }
        if not orphans:
            continue
        ops = pikepdf.parse_content_stream(page)
        out = []
        for operands, operator in ops:
            if (
                str(operator) == "BDC" and len(operands) == 2 and isinstance(operands[1], pikepdf.Dictionary)
                and "/MCID" in operands[1] and int(operands[1].MCID) in orphans
            ):
                operands = [pikepdf.Name.Artifact, pikepdf.Dictionary(Type=pikepdf.Name.Pagination)]
                changed += 1
            out.append(pikepdf.ContentStreamInstruction(operands, operator))
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))
        for i in orphans:
            elements[i] = pikepdf.Object.parse(b"null")
    return changed


def _finish_pdf(data: bytes) -> bytes:
    """Post-process WeasyPrint's PDF: margin boxes as artifacts; saved deterministically."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        _mark_margin_boxes_as_artifacts(pdf)
        out = io.BytesIO()
        pdf.save(
            out,
            deterministic_id=True,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            min_version="1.7",
        )
    return out.getvalue()


def render_preview(pdf_path: Path, png_path: Path, width_px: int = PREVIEW_WIDTH_PX) -> Path:
    """Write a PNG of page 1 of ``pdf_path`` (pypdfium2), atomically and only if changed."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf_path))
    try:
        page = doc[0]
        scale = width_px / page.get_width()
        image = page.render(scale=scale, may_draw_forms=False).to_pil().convert("RGB")
        page.close()
    finally:
        doc.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)
    write_bytes_if_changed(png_path, buffer.getvalue())
    return png_path


def preview_path(pdf_path: Path) -> Path:
    """``<id>.<locale>.<profile>.png`` beside the PDF."""
    return pdf_path.with_suffix(".png")


# --------------------------------------------------------------------------- content key


_ASSETS_DIGEST: list[str] = []


def _assets_digest() -> str:
    """Hash of every stylesheet, template, font and image bantin ships (once per process; children inherit it)."""
    if not _ASSETS_DIGEST:
        _ASSETS_DIGEST.append(_hash_assets())
    return _ASSETS_DIGEST[0]


def _hash_assets() -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in ASSETS_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(ASSETS_DIR).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _dir_digest(folder: Path | None) -> str:
    """Hash of a bulletin's asset folder (names and contents); empty when there is none."""
    if folder is None or not folder.is_dir():
        return ""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def assets_digest() -> str:
    """Hash of bantin's stylesheets, templates, fonts and images (public name of the render key's part)."""
    return _assets_digest()


def folder_digest(folder: Path | None) -> str:
    """Hash of a bulletin's asset folder (public name of the render key's part)."""
    return _dir_digest(folder)


def _key_path(pdf_path: Path) -> Path:
    """The hidden sidecar that remembers which content key produced a PDF."""
    return pdf_path.with_name(f".{pdf_path.name}.key.json")


def content_key(job: RenderJob, html: str, css: str, options: Mapping[str, Any]) -> str:
    """What a PDF depends on: the variant (as HTML and page CSS), profile, options, assets, versions."""
    parts = {
        "html": hashlib.sha256(html.encode()).hexdigest(),
        "css": hashlib.sha256((css + "\0" + job.extra_css).encode()).hexdigest(),
        "profile": job.profile,
        "options": sorted((k, repr(v)) for k, v in options.items()),
        "assets": _assets_digest(),
        "bulletin_assets": _dir_digest(job.asset_dir),
        "bantin": __version__,
        "weasyprint": weasyprint_version,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class _Prepared:
    """Everything a render of ``job`` feeds WeasyPrint, and the content key it hashes to."""

    profile: Profile
    options: dict[str, Any]
    html: str
    css: str
    key: str


def _prepare(job: RenderJob) -> _Prepared:
    profile = get_profile(job.profile)
    options = {**BASE_OPTIONS, **profile.options}
    html_text = build_html(job.variant, job.asset_dir, job.public_url)
    css = page_css(job.variant, profile, job.print_marks)
    return _Prepared(profile, options, html_text, css, content_key(job, html_text, css, options))


def job_key(job: RenderJob) -> str:
    """The content key of ``job`` without rendering it (HTML and page CSS are built, in milliseconds)."""
    return _prepare(job).key


def _cached_result(job: RenderJob, key: str) -> RenderResult | None:
    """The stored result when the PDF and its preview exist and were made from the same key."""
    sidecar, pdf, png = _key_path(job.out_path), job.out_path, preview_path(job.out_path)
    if not (sidecar.is_file() and pdf.is_file() and png.is_file()):
        return None
    try:
        stored = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != key or stored.get("sha256") != sha256_file(pdf):
        return None
    return RenderResult(
        path=pdf, locale=job.variant.locale.code, profile=job.profile, pages=int(stored["pages"]),
        bytes=pdf.stat().st_size, sha256=stored["sha256"], refused_urls=tuple(stored.get("refused_urls", ())),
        preview=png, cached=True, print_marks=job.print_marks,
    )


# --------------------------------------------------------------------------- render


def render_job(job: RenderJob) -> RenderResult:
    """Render one job in this process: PDF (atomic, unchanged bytes not rewritten), preview, key sidecar."""
    variant, out_path = job.variant, job.out_path
    prepared = _prepare(job)
    profile, options, key = prepared.profile, prepared.options, prepared.key
    roots = (ASSETS_DIR,) + ((job.asset_dir,) if job.asset_dir else ())
    fetcher = SafeFetcher(roots)
    fonts = FontConfiguration()
    if not job.force:
        cached = _cached_result(job, key)
        if cached is not None:
            return cached
    try:
        stylesheets = [
            CSS(filename=str(ASSETS_DIR / "css" / "fonts.css"), font_config=fonts, url_fetcher=fetcher),
            CSS(filename=str(ASSETS_DIR / "css" / "base.css"), font_config=fonts, url_fetcher=fetcher),
            CSS(filename=str(profile.stylesheet_path), font_config=fonts, url_fetcher=fetcher),
            CSS(string=prepared.css + job.extra_css, font_config=fonts, url_fetcher=fetcher),
        ]
        html = HTML(string=prepared.html, base_url=str(ASSETS_DIR / "templates") + "/", url_fetcher=fetcher)
        document = html.render(stylesheets=stylesheets, font_config=fonts, **options)
        pdf = _finish_pdf(document.write_pdf(**options))
    except Exception as exc:  # WeasyPrint raises many kinds; the stage reports one.
        raise RenderError(f"{out_path.name}: WeasyPrint failed for locale '{variant.locale.code}', profile '{job.profile}': {exc}") from exc
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
    sidecar = {"key": key, "sha256": result.sha256, "pages": result.pages, "refused_urls": list(result.refused_urls)}
    write_text_if_changed(_key_path(out_path), json.dumps(sidecar, indent=1) + "\n")
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


# --------------------------------------------------------------------------- isolation and parallelism


def _limits() -> tuple[float, int]:
    """(timeout in seconds, memory bound in MiB), from the settings."""
    try:
        return render_limits()
    except ConfigError as exc:
        raise RenderError(str(exc)) from None


def worker_count() -> int:
    """How many renders run at once (``BANTIN_RENDER_WORKERS``, else the usable cores)."""
    return render_workers()


_SLOTS_LOCK = threading.Lock()
_SLOTS: dict[int, threading.BoundedSemaphore] = {}


def _slots() -> threading.BoundedSemaphore:
    """A process-wide cap on concurrent render children, so many Prefect threads never oversubscribe the cores."""
    n = worker_count()
    with _SLOTS_LOCK:
        return _SLOTS.setdefault(n, threading.BoundedSemaphore(n))


@lru_cache(maxsize=1)
def _context() -> multiprocessing.context.BaseContext:
    """A forkserver that has imported WeasyPrint once, so each render child starts in milliseconds."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["bantin.render.core"])
        return ctx
    return multiprocessing.get_context("spawn")


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def _child(job: RenderJob, memory_mb: int, assets_digest: str, conn: Any) -> None:
    """Child-process body: bound the address space, render, send back the result or the error."""
    import resource

    _ASSETS_DIGEST[:] = [assets_digest]

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    handler = _ListHandler()
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.WARNING)
    try:
        result: Any = render_job(job)
        status = "ok"
    except MemoryError:
        status, result = "memory", None
    except BaseException as exc:  # noqa: BLE001 - everything is reported to the parent
        status, result = "error", f"{type(exc).__name__}: {exc}" if not isinstance(exc, RenderError) else str(exc)
    try:
        conn.send((status, result, handler.records))
    except MemoryError:
        conn.send(("memory", None, []))
    conn.close()


def render_isolated(job: RenderJob, timeout_s: float | None = None, memory_mb: int | None = None) -> RenderResult:
    """Render ``job`` in a child process bounded in time and memory (WeasyPrint's advice for untrusted input).

    The child is killed when it runs past ``timeout_s``; it cannot grow beyond
    ``memory_mb`` of address space.  Either raises :class:`RenderError` with the
    reason.  Warnings the child logged are re-logged here.
    """
    default_timeout, default_memory = _limits()
    timeout_s = default_timeout if timeout_s is None else timeout_s
    memory_mb = default_memory if memory_mb is None else memory_mb
    name = job.out_path.name
    with _slots():
        ctx = _context()
        receiver, sender = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(job, memory_mb, _assets_digest(), sender), name=f"bantin-render-{name}", daemon=True)
        proc.start()
        sender.close()
        try:
            ready = receiver.poll(timeout_s)
            message = receiver.recv() if ready else None
        except EOFError:
            message = None
        finally:
            if proc.is_alive() and message is None:
                proc.kill()
            proc.join(5)
            receiver.close()
    if message is None and not ready:
        raise RenderError(
            f"{name}: rendering took longer than {timeout_s:g} s and was stopped. "
            "Shorten the bulletin or raise BANTIN_RENDER_TIMEOUT"
        )
    if message is None:
        raise RenderError(
            f"{name}: the render process died (exit code {proc.exitcode}), probably by growing beyond {memory_mb} MiB. "
            "Check the bulletin's images or raise BANTIN_RENDER_MEMORY_MB"
        )
    status, result, records = message
    for logger_name, level, text in records:
        logging.getLogger(logger_name).log(level, "%s", text)
    if status == "memory":
        raise RenderError(f"{name}: rendering needed more than {memory_mb} MiB and was stopped. Check the bulletin's images or raise BANTIN_RENDER_MEMORY_MB")
    if status != "ok":
        raise RenderError(str(result))
    return result


def render_many(jobs: Iterable[RenderJob], workers: int | None = None) -> list[RenderResult | RenderError]:
    """Render several jobs in parallel child processes; one result (or the RenderError) per job, in order."""
    job_list = list(jobs)

    def one(job: RenderJob) -> RenderResult | RenderError:
        try:
            return render_isolated(job)
        except RenderError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=workers or worker_count(), thread_name_prefix="bantin-render") as pool:
        return list(pool.map(one, job_list))

