"""The read-only portal: a Starlette app over ``outputs/``.

URLs (``<ui>/`` is an optional UI-language prefix such as ``en/``; without it
the language comes from ``Accept-Language``, or ``?lang=`` redirects to it)::

    /                          index, newest bulletin first, 20 a page
    /page/<n>/                 older pages of the index
    /archive/, /archive/<YYYY-MM>/  the months, and every bulletin of one month
    /search/?q=<words>         bulletins whose title holds every word (accents and case ignored)
    /<id>/                     redirects to the bulletin in its own language
    /<id>/<locale>/            one bulletin in one locale
    /<id>/<path in manifest>   a file the manifest lists (PDF, MP3, PNG, VTT, TXT)
    /<id>/manifest.json        the manifest itself
    /packs/<id>.zip            the broadcast pack
    /feed/<locale>.xml         the podcast feed of a reading locale
    /favicon.ico, /cover.png   the centre's icon and podcast cover
    /static/<name>-<hash>.<x>  the Khmer web font and the read-along script (cached for a year)

One catch-all route dispatches on path segments: a file is found by looking
its manifest path up, never by joining the URL onto the filesystem, so
``..``, encoded slashes, absolute paths and backslashes simply find nothing
(404).  Only GET and HEAD exist; anything else is 405.

Only a bulletin whose record is editorially ``published`` is listed,
searched, served, packed or in a feed; a retracted one answers 410 Gone (the
portal's "not found" page) as soon as the index shows the change (within
``index_interval``), and every cache is keyed so that it cannot outlive the
retraction (the record's sha256, the index version).  A degraded reading no
approver accepted stays on the bulletin's page, marked as a machine reading,
but never in a feed.

Listings come from the index (:mod:`.archive`), never from every record: the
index, month and archive pages and the feeds are rendered once per change of
the index and per UI language, then served from memory with their ETag (304
on ``If-None-Match``; feeds also on ``If-Modified-Since``).  A bulletin's page,
files, record and pack come from its record, one record per request, cached
by its file's stamp.  Behind nginx (``X-Accel-Redirect``, ``--accel-prefix``),
the portal only decides whether a file is served and nginx sends the bytes.

No Host header is trusted (Starlette's ``TrustedHostMiddleware``): the portal
answers ``localhost``, ``127.0.0.1``, ``[::1]``, the address it listens on, the
public URL's host and the hosts configured (``--allowed-host``,
``[portal] allowed_hosts``); any other Host gets 400.  Nothing is ever built
from the Host: feeds link to the public URL, else to the address the portal
listens on, and pages use root-relative links.

Packs are cached in a private temp folder, ``bantin-portal-<pid>-*``, removed
on every stop (the lifespan's shutdown, which uvicorn runs on SIGINT and
SIGTERM, and at exit); one left by a killed portal is removed at the next start.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bantin import settings
from bantin.errors import ConfigError
from bantin.fsutil import pid_alive
from bantin.paths import outputs_dir
from bantin.portal.archive import PER_PAGE, Archive, ArchiveView
from bantin.portal.feed import FeedConfig, build_feed
from bantin.portal.http import PAGE_CSP, SECURITY_HEADERS, accel_response, bytes_response, file_response, is_not_modified, not_modified, validator_headers
from bantin.portal.pack import cached_pack, pack_etag, pack_name
from bantin.portal.pages import (
    Linker,
    PageContext,
    feed_path,
    read_transcript,
    render_archive,
    render_bulletin,
    render_index,
    render_month,
    render_not_found,
    render_search,
)
from bantin.portal.static import static_files
from bantin.portal.ui import UI, get_ui, negotiate_ui, ui_languages

__all__ = ["PORTAL_TEMP_PREFIX", "PortalConfig", "clean_dead_portal_dirs", "create_app"]

log = logging.getLogger("bantin.portal")

#: The portal's own temp folders (its pack cache): ``bantin-portal-<pid>-*``.
PORTAL_TEMP_PREFIX = "bantin-portal-"
#: Hosts every portal answers, whatever its configuration.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
#: Addresses that mean "every interface": listened on, never linked to.
_ANY_ADDRESS = ("0.0.0.0", "::", "[::]", "")
_HOST_PATTERN = re.compile(r"(\*|(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?|\[[0-9A-Fa-f:.]+\])")


def _host_form(host: str) -> str:
    """A host as it appears in a Host header: IPv6 addresses in brackets, lower case."""
    host = host.strip().lower()
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


@dataclass(frozen=True)
class PortalConfig:
    """Where the portal reads from, where it listens, which hosts it answers and how it names itself."""

    outputs: Path = field(default_factory=outputs_dir)
    #: Absolute base URL used in feeds (``BANTIN_PUBLIC_URL``); None: the address the portal listens on.
    public_url: str | None = field(default_factory=settings.public_url)
    feed: FeedConfig = field(default_factory=lambda: FeedConfig(author=settings.feed_author(), image_url=settings.feed_image()))
    #: The centre's name, drawn on the favicon and the podcast cover.
    centre: str = field(default_factory=settings.centre_name)
    #: Where packs are cached (a private temp folder by default).
    cache_dir: Path | None = None
    #: The address and port uvicorn listens on (``--host``, ``--port``): an allowed Host, and the feeds' base without a public URL.
    host: str = "127.0.0.1"
    port: int = 8080
    #: More Host names to answer (``--allowed-host``, ``BANTIN_ALLOWED_HOSTS``, ``[portal] allowed_hosts``); ``*.example.org`` matches subdomains.
    allowed_hosts: tuple[str, ...] = field(default_factory=settings.portal_allowed_hosts)
    #: Behind nginx: the internal location that maps to the outputs folder (``--accel-prefix /_outputs/``); files are then
    #: answered with ``X-Accel-Redirect`` and nginx sends the bytes.  None: the portal sends them itself.
    accel_prefix: str | None = None
    #: How often the portal looks whether the index changed (seconds; one ``stat`` of the index folder):
    #: a tenth of a second, so a retraction leaves listings and feeds at once, for at most ten stats a second.
    index_interval: float = 0.1

    def trusted_hosts(self) -> list[str]:
        """Every Host the portal answers: localhost, its own address, the public URL's host, the configured ones.

        :class:`ConfigError` names a configured host that could never match (a port, a scheme, a ``*`` inside).
        """
        hosts = list(LOCAL_HOSTS)
        if self.host.strip().lower() not in _ANY_ADDRESS:
            hosts.append(_host_form(self.host))
        if self.public_url and (public := urlsplit(self.public_url).hostname):
            hosts.append(_host_form(public))
        for name in self.allowed_hosts:
            form = _host_form(name)
            if not _HOST_PATTERN.fullmatch(form):
                raise ConfigError(
                    f"allowed host {name!r}: not a host name (no scheme, port or path; '*.' only at the start). "
                    "Give it as radio.example.org, *.example.org or 192.168.1.20"
                )
            hosts.append(form)
        return list(dict.fromkeys(hosts))

    def feed_base(self) -> str | None:
        """The absolute base of feed links: the public URL, else the address listened on; None (root-relative links) when unknown."""
        if self.public_url:
            return self.public_url.rstrip("/") + "/"
        if not self.port:
            return None
        host = self.host.strip()
        if host.lower() in _ANY_ADDRESS:  # every interface: the first configured name, else this machine
            host = next((h for h in self.allowed_hosts if "*" not in h), "127.0.0.1")
        return f"http://{_host_form(host)}:{self.port}/"


def clean_dead_portal_dirs(base: Path | None = None, legacy_age_s: float = 6 * 3600) -> list[str]:
    """Remove ``bantin-portal-<pid>-*`` temp folders whose portal is gone (and pid-less ones of older bantins, hours old)."""
    base = base or Path(tempfile.gettempdir())
    cleaned = []
    for folder in base.glob(f"{PORTAL_TEMP_PREFIX}*"):
        pid = folder.name[len(PORTAL_TEMP_PREFIX) :].split("-", 1)[0]
        with contextlib.suppress(OSError):
            if pid.isdigit() and "-" in folder.name[len(PORTAL_TEMP_PREFIX) :]:
                if int(pid) == os.getpid() or pid_alive(int(pid)):
                    continue
            elif time.time() - folder.stat().st_mtime < legacy_age_s:
                continue
            shutil.rmtree(folder, ignore_errors=True)
            cleaned.append(folder.name)
    for name in cleaned:
        log.info("removed %s, the temp folder of a portal that was killed", name)
    return cleaned


def _bad_segment(seg: str) -> bool:
    return seg in ("", ".", "..") or "\\" in seg or "\x00" in seg or ":" in seg


#: Rendered pages and feeds kept in memory (the most recently used): listings per UI language, bulletin pages.
_BUILT_MAX = 2048
#: Longest search query looked at (characters).
_QUERY_MAX = 200
_MONTH_RE = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Built:
    """A page or feed rendered once, served many times: its bytes, ETag and, for feeds, the newest item's time."""

    body: bytes
    etag: str
    last_modified: dt.datetime | None = None
    #: what the cache key holds by identity (the UI of one catalog version), kept alive with the entry
    pin: object = None


class Portal:
    """Request handling: the config, the archive (listing from the index), rendered pages and the pack cache folder."""

    def __init__(self, config: PortalConfig) -> None:
        self.config = config
        self.feed_base = config.feed_base()
        self._own_dir: Path | None = None
        self._remove_own: Callable[[], object] | None = None
        self._archive: Archive | None = None
        self._lock = threading.Lock()
        self._built: OrderedDict[tuple[object, ...], Built] = OrderedDict()
        self._codes: tuple[float, list[str]] = (float("-inf"), [])

    @property
    def archive(self) -> Archive:
        """The archive, made on first use (the index is reconciled with the records then)."""
        with self._lock:
            if self._archive is None:
                self._archive = Archive(self.config.outputs, reserved=ui_languages(), interval=self.config.index_interval)
            return self._archive

    @property
    def cache_dir(self) -> Path:
        """Where packs are cached: the configured folder, else our own temp folder, made on first use."""
        if self.config.cache_dir is not None:
            return self.config.cache_dir
        if self._own_dir is None or not self._own_dir.is_dir():
            self._own_dir = Path(tempfile.mkdtemp(prefix=f"{PORTAL_TEMP_PREFIX}{os.getpid()}-"))
            # Removed by close() (the lifespan's shutdown), else when the portal goes or the process exits.
            self._remove_own = weakref.finalize(self, shutil.rmtree, self._own_dir, True)
        return self._own_dir

    def close(self) -> None:
        """Remove our own temp folder (the packs are rebuilt on demand if the portal serves on)."""
        if self._remove_own is not None:
            self._remove_own()
            self._remove_own = None
            self._own_dir = None

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        """Starlette's lifespan: the temp folder goes on every stop uvicorn sees (normal exit, SIGINT, SIGTERM)."""
        try:
            yield
        finally:
            self.close()

    # ----------------------------------------------------------------- helpers

    def codes(self) -> list[str]:
        """The UI languages, looked up at most once a second."""
        now = time.monotonic()
        if now - self._codes[0] > 1.0:
            self._codes = (now, ui_languages())
        return self._codes[1]

    def ui(self, code: str) -> UI:
        """The UI of ``code`` (one ``stat`` of its catalog: a fixed translation shows at once)."""
        return get_ui(code)

    def context(self, ui_code: str, prefix: str, page: str, view: ArchiveView) -> PageContext:
        return PageContext(
            ui=self.ui(ui_code),
            ui_codes=tuple(self.codes()),
            prefix=prefix,
            link=Linker(page=page),
            feeds=view.reading_locales,
            search=True,
        )

    def built(self, key: tuple[object, ...], make: Callable[[], bytes | tuple[bytes, dt.datetime | None]], pin: object = None) -> Built:
        """The page or feed under ``key``, rendered by ``make`` only the first time."""
        with self._lock:
            hit = self._built.get(key)
            if hit is not None:
                self._built.move_to_end(key)
                return hit
        made = make()
        body, when = made if isinstance(made, tuple) else (made, None)
        entry = Built(body, hashlib.sha256(body).hexdigest()[:32], when, pin)
        with self._lock:
            self._built[key] = entry
            while len(self._built) > _BUILT_MAX:
                self._built.popitem(last=False)
        return entry

    def page(self, request: Request, html: str | Built, status: int = 200, vary: bool = False) -> Response:
        built = html if isinstance(html, Built) else Built(html.encode("utf-8"), "")
        etag = built.etag or hashlib.sha256(built.body).hexdigest()[:32]
        headers = {**SECURITY_HEADERS, "Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache", "ETag": f'"{etag}"'}
        if vary:
            headers["Vary"] = "Accept-Language"
        inm = request.headers.get("if-none-match")
        if status == 200 and inm and f'"{etag}"' in [t.strip().removeprefix("W/") for t in inm.split(",")]:
            return not_modified(headers)
        return Response(built.body, status_code=status, media_type="text/html; charset=utf-8", headers=headers)

    def listing(self, request: Request, view: ArchiveView, code: str, prefix: str, what: tuple[object, ...], vary: bool) -> Response:
        """An index, month or archive page: rendered once per version of the index and UI language."""
        ui = self.ui(code)

        def make() -> bytes:
            kind = what[0]
            if kind == "page":
                number = int(str(what[1]))
                page = prefix if number == 1 else f"{prefix}page/{number}/"
                html = render_index(self.context(code, prefix, page, view), view.page(number), number, view.pages())
            elif kind == "month":
                month = str(what[1])
                page = f"{prefix}archive/{month}/"
                html = render_month(self.context(code, prefix, page, view), month, view.month(month) or ())
            else:
                months = [(m, len(bs)) for m, bs in view.months]
                html = render_archive(self.context(code, prefix, f"{prefix}archive/", view), months)
            return html.encode("utf-8")

        return self.page(request, self.built((view.version, id(ui), tuple(self.codes()), prefix, *what), make, pin=ui), vary=vary)

    def not_found(self, request: Request, ui_code: str | None = None, status: int = 404) -> Response:
        """The portal's "not found" page: 404, or 410 Gone for a retracted bulletin (the same page, nothing of the bulletin)."""
        codes = self.codes()
        code = ui_code or negotiate_ui(request.headers.get("accept-language"), codes)
        view = self.archive.view()
        ui = self.ui(code)
        key = ("404", view.version, id(ui), tuple(codes))
        built = self.built(key, lambda: render_not_found(self.context(code, f"{code}/", "", view)).encode("utf-8"), pin=ui)
        return self.page(request, built, status=status)

    def unserved(self, request: Request, bulletin_id: str, ui_code: str | None = None) -> Response:
        """A bulletin the portal does not serve: 410 Gone when it was retracted, else 404 (none, a draft, unusable)."""
        withdrawn = self.archive.any_bulletin(bulletin_id)
        return self.not_found(request, ui_code, status=410 if withdrawn is not None and withdrawn.editorial == "retracted" else 404)

    def redirect(self, target: str, status: int = 308) -> Response:
        return RedirectResponse(target, status_code=status, headers=dict(SECURITY_HEADERS))

    # ----------------------------------------------------------------- dispatch

    async def handle(self, request: Request) -> Response:
        raw = request.path_params.get("path", "")
        segments = raw.split("/")
        if any(_bad_segment(s) for s in segments[:-1]) or (segments[-1] and _bad_segment(segments[-1])) or raw.startswith("/"):
            return self.not_found(request)
        codes = self.codes()
        ui_code: str | None = None
        if segments[0] in codes and len(segments) > 1:
            ui_code, segments = segments[0], segments[1:]
        lang = request.query_params.get("lang")
        if lang in codes and (ui_code is None or lang != ui_code):
            rest = "/".join(segments)
            return RedirectResponse(f"/{lang}/{rest}", status_code=303, headers=dict(SECURITY_HEADERS))
        prefix = f"{ui_code}/" if ui_code else ""
        code = ui_code or negotiate_ui(request.headers.get("accept-language"), codes)
        view = self.archive.view()
        vary = ui_code is None

        if segments == [""]:
            return self.listing(request, view, code, prefix, ("page", 1), vary)
        head, rest = segments[0], segments[1:]
        if head == "page" and rest and rest[0].isdigit() and len(rest) <= 2 and rest[1:] in ([], [""]):
            number = int(rest[0])
            if number == 1:
                return self.redirect(f"/{prefix}")
            if not 1 < number <= view.pages() or rest[0] != str(number):
                return self.not_found(request, code)
            if len(rest) == 1:
                return self.redirect(f"/{prefix}page/{number}/")
            return self.listing(request, view, code, prefix, ("page", number), vary)
        if head == "archive" and len(rest) <= 2:
            if rest in ([], [""]):
                return self.redirect(f"/{prefix}archive/") if not rest else self.listing(request, view, code, prefix, ("archive",), vary)
            if _MONTH_RE.match(rest[0]) and view.month(rest[0]) is not None:
                if len(rest) == 1:
                    return self.redirect(f"/{prefix}archive/{rest[0]}/")
                if rest[1] == "":
                    return self.listing(request, view, code, prefix, ("month", rest[0]), vary)
            return self.not_found(request, code)
        if head == "search" and rest in ([], [""]):
            if not rest:
                return self.redirect(f"/{prefix}search/")
            return self.search(request, view, code, prefix, vary)
        if ui_code is None and (own := static_files(self.config.centre).get("/".join(segments))) is not None:
            headers = {**SECURITY_HEADERS, "Cache-Control": own.cache, "ETag": f'"{own.etag}"'}
            inm = request.headers.get("if-none-match")
            if inm and f'"{own.etag}"' in [t.strip().removeprefix("W/") for t in inm.split(",")]:
                return not_modified(headers)
            return Response(own.data, media_type=own.media_type, headers=headers)
        if ui_code is None and len(segments) == 2 and head == "feed" and segments[1].endswith(".xml"):
            return self.feed(request, view, segments[1][: -len(".xml")])
        if ui_code is None and len(segments) == 2 and head == "packs" and segments[1].endswith(".zip"):
            return self.pack(request, segments[1][: -len(".zip")])
        bulletin = self.archive.bulletin(head)
        if bulletin is None:
            return self.unserved(request, head, code)
        if rest in ([], [""]):  # /<id>/ (the report's and the outputs table's links): the bulletin's own page
            locales = bulletin.published_locales
            if not locales:
                return self.not_found(request, code)
            locale = bulletin.language if bulletin.language in locales else locales[0]
            return self.redirect(f"/{prefix}{bulletin.id}/{locale}/", status=302)
        if len(rest) in (1, 2) and (len(rest) == 1 or rest[1] == "") and rest[0] in bulletin.published_locales:
            if len(rest) == 1:
                return self.redirect(f"/{prefix}{bulletin.id}/{rest[0]}/")
            locale = rest[0]
            page = f"{prefix}{bulletin.id}/{locale}/"
            ui = self.ui(code)
            key = ("bulletin", bulletin.id, bulletin.manifest_sha256, bulletin.generated_at, view.reading_locales, id(ui), tuple(codes), prefix, locale)
            built = self.built(
                key,
                lambda: render_bulletin(self.context(code, prefix, page, view), bulletin, locale, read_transcript(bulletin, locale)).encode("utf-8"),
                pin=ui,
            )
            return self.page(request, built, vary=vary)
        if ui_code is not None:
            return self.not_found(request, code)
        rel = "/".join(rest)
        if rel == "manifest.json":  # the public copy: no server paths
            return bytes_response(
                request.headers,
                bulletin.public_manifest,
                media_type="application/json",
                etag=bulletin.public_sha256,
                last_modified=bulletin.generated_at,
            )
        entry = bulletin.files.get(rel)
        path = bulletin.file_path(rel) if entry else None
        if entry is None or path is None:
            return self.not_found(request, code)
        etag = entry.sha256 or _file_sha256(path)
        inline = entry.kind in ("preview", "captions")
        if self.config.accel_prefix:
            return accel_response(
                request.headers,
                path,
                root=self.config.outputs,
                prefix=self.config.accel_prefix,
                media_type=entry.media_type,
                etag=etag,
                last_modified=bulletin.generated_at,
                filename=entry.name,
                inline=inline,
            )
        return file_response(
            request.headers,
            path,
            media_type=entry.media_type,
            etag=etag,
            last_modified=bulletin.generated_at,
            filename=entry.name,
            inline=inline,
        )

    def search(self, request: Request, view: ArchiveView, code: str, prefix: str, vary: bool) -> Response:
        """Bulletins whose title holds every word of ``?q=``, a page at a time (``&page=``)."""
        query = request.query_params.get("q", "")[:_QUERY_MAX]
        try:
            number = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            number = 1
        found = view.search(query)
        pages = max(1, -(-len(found) // PER_PAGE))
        number = min(number, pages)
        ctx = self.context(code, prefix, f"{prefix}search/", view)
        html = render_search(ctx, query, found[(number - 1) * PER_PAGE : number * PER_PAGE], len(found), number, pages)
        return self.page(request, html, vary=vary)

    def feed(self, request: Request, view: ArchiveView, locale: str) -> Response:
        if locale not in view.reading_locales:
            return self.not_found(request)
        base = self.feed_base  # never the request's Host
        link: Callable[[str], str] = Linker(page=feed_path(locale)) if base is None else (lambda p: base + quote(p))

        def make() -> tuple[bytes, dt.datetime | None]:
            items = view.feed_items(locale, self.config.feed.limit)
            # A retraction or an accepted reading changes the feed without a newer item: Last-Modified moves with it too.
            newest = max([b.generated_at for b, _ in items] + ([view.changed_at] if view.changed_at else []), default=None)
            return build_feed(items, locale, link, self.config.feed), newest

        built = self.built(("feed", view.version, locale), make)
        headers = {**SECURITY_HEADERS, "Cache-Control": "public, max-age=60", "ETag": f'"{built.etag}"'}
        if built.last_modified is not None:
            headers.update(validator_headers(built.etag, built.last_modified))
            if is_not_modified(request.headers, built.etag, built.last_modified):
                return not_modified(headers)
        elif (inm := request.headers.get("if-none-match")) and f'"{built.etag}"' in [t.strip().removeprefix("W/") for t in inm.split(",")]:
            return not_modified(headers)
        return Response(built.body, media_type="application/rss+xml; charset=utf-8", headers=headers)

    def pack(self, request: Request, bulletin_id: str) -> Response:
        bulletin = self.archive.bulletin(bulletin_id)
        if bulletin is None:
            return self.unserved(request, bulletin_id)
        etag = pack_etag(bulletin)
        if is_not_modified(request.headers, etag, bulletin.generated_at):
            return not_modified({**validator_headers(etag, bulletin.generated_at)})
        path = cached_pack(bulletin, self.cache_dir)
        return file_response(
            request.headers,
            path,
            media_type="application/zip",
            etag=etag,
            last_modified=bulletin.generated_at,
            filename=pack_name(bulletin),
        )


_SHA_CACHE: dict[tuple[Path, int, int], str] = {}


def _file_sha256(path: Path) -> str:
    """sha256 of a file the manifest lists without one (a pdf's ``preview`` path), cached by mtime and size."""
    from bantin.fsutil import sha256_file

    st = path.stat()
    key = (path, st.st_mtime_ns, st.st_size)
    if key not in _SHA_CACHE:
        _SHA_CACHE[key] = sha256_file(path)
    return _SHA_CACHE[key]


def create_app(config: PortalConfig | None = None) -> Starlette:
    """The portal as an ASGI app (GET and HEAD only, trusted Host headers only).

    :class:`ConfigError` when a configured allowed host is not a host name.
    """
    config = config or PortalConfig()
    hosts = config.trusted_hosts()
    if config.cache_dir is None:
        clean_dead_portal_dirs()
    portal = Portal(config)
    app = Starlette(
        routes=[Route("/{path:path}", portal.handle, methods=["GET", "HEAD"])],
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts, www_redirect=False)],
        lifespan=portal.lifespan,
    )
    app.state.portal = portal
    return app
