"""Fetch a news page by URL, bounded and safe, and ingest it.

An operator pastes a URL into a form on a server, so the server must not be
made to call into its own network.  :func:`fetch_page` therefore:

* takes http(s) only, without user names or passwords in the URL;
* follows redirects itself, at most ``max_redirects`` hops, and checks every hop;
* resolves each hop's host and refuses it when ANY of its addresses is loopback,
  private, link-local, multicast, reserved, unspecified or otherwise not public,
  including the IPv4-mapped, 6to4 and NAT64 forms of those (:func:`address_problem`);
* connects to the very address it checked (the URL's host is replaced by it; the
  ``Host`` header and the TLS server name keep the real name, so certificates are
  still verified against it), then checks the socket's peer address again.  A DNS
  answer that changes between the check and the connection (DNS rebinding) has
  nothing to change;
* ignores proxy variables (a proxy would connect for us, unchecked);
* keeps ONE deadline for the whole fetch: name lookups, connecting, the TLS
  handshake, the status line, the headers, the body and every redirect hop.  Each
  socket operation gets only the time left (:class:`_DeadlineBackend`), so a
  server that trickles its headers a byte at a time cannot hold the fetch longer;
* decodes ``Content-Encoding`` itself, a bounded piece at a time (gzip, deflate
  with or without its zlib wrapper, identity; at most :data:`_MAX_CODINGS` layers),
  and caps the bytes on the wire and the bytes each layer decodes, so a
  compression bomb stops at the size cap and memory stays near it.  Other codings
  (br, compress, zstd, ...) are refused, and only gzip and deflate are asked for;
* caps the size (declared and as received, before and after decompression) and
  the content type (HTML only).

Hosts on the centre's own network are let through by name: a host listed in
``[fetch] allow_hosts`` of ``bantin.toml`` (or ``BANTIN_FETCH_ALLOW_HOSTS``) may
resolve to a private or loopback address.  The list names hosts exactly (no
wildcards); every hop of a redirect is checked again, so a listed host that
redirects to an unlisted private one is still refused.  Even a listed host is
never let through to a link-local (cloud metadata), multicast or unspecified
address.  A refusal for a non-public address says how to allow the host
(:class:`NotPublicError`).

Every refusal is a one-line :class:`~bantin.errors.FetchError`.  Limits come from
:func:`bantin.settings.fetch_limits`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import httpcore
import httpx

from bantin import __version__
from bantin.content.model import Bulletin
from bantin.errors import (
    FetchError,
    FetchTimeoutError,
    NotAPageError,
    PageTooLargeError,
    TooManyRedirectsError,
    URLRefusedError,
)
from bantin.settings import fetch_allowed_hosts, fetch_limits

__all__ = ["ALLOW_HINT", "FetchPolicy", "IPAddress", "NotPublicError", "Resolver", "address_problem", "fetch_page", "read_bulletin_url"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: ``(host, port) -> addresses`` as text; the default asks the system resolver.
Resolver = Callable[[str, int], Sequence[str]]

_REDIRECTS = {301, 302, 303, 307, 308}
_PAGE_TYPES = {"text/html", "application/xhtml+xml"}
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_TEREDO = ipaddress.IPv6Network("2001::/32")
_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_NOT_PUBLIC_HINT = "bantin fetches only public web pages"
#: How to let a host on the centre's own network through (the refusal's hint names the host).
ALLOW_HINT = "bantin fetches only public web pages; if {host} is on the centre's own network, add it to [fetch] allow_hosts in bantin.toml"


class NotPublicError(URLRefusedError):
    """A hop's host resolves to a non-public address and is not in ``[fetch] allow_hosts``; ``host`` names it."""

    def __init__(self, url: str, problem: str, host: str) -> None:
        self.host = host
        super().__init__(url, problem, ALLOW_HINT.format(host=host))


_TOO_LARGE_HINT = "Save the article's page as .html and ingest the file, or raise BANTIN_FETCH_MAX_BYTES"
_SLOW_HINT = "Try again later, or save the page as .html and ingest the file"
_SAVE_HINT = "Save the article's page from a browser as .html and ingest the file"
#: Content-Encoding names bantin decodes, and the decoder each one uses ("identity" means none).
_CODINGS = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate"}
#: Most Content-Encoding layers decoded: real servers send one; each layer costs a decoder's memory.
_MAX_CODINGS = 3
#: Most bytes one decoding step may produce, so no step ever holds more than this at once.
_PIECE = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


def _system_resolver(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


@dataclass(frozen=True)
class FetchPolicy:
    """The bounds of one fetch.  :meth:`from_settings` is what the CLI and the flows use.

    ``allow_hosts`` are the hosts of the centre's own network (``[fetch] allow_hosts``),
    which may resolve to private addresses.  ``allow_addresses``, ``resolver`` and ``tls`` exist for tests only: they let a
    test reach its own HTTP(S) server on 127.0.0.1 (which the guard refuses by
    design), give test host names fixed answers and trust the test's own
    certificate authority, while every other check still runs.  The CLI and the
    flows never set them (``tls`` None: the system's trusted authorities).
    """

    max_bytes: int
    timeout: float
    max_redirects: int
    allow_addresses: frozenset[IPAddress] = field(default_factory=frozenset)
    resolver: Resolver = _system_resolver
    tls: ssl.SSLContext | None = None
    allow_hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_settings(cls) -> FetchPolicy:
        max_bytes, timeout, max_redirects = fetch_limits()
        return cls(max_bytes, timeout, max_redirects, allow_hosts=frozenset(fetch_allowed_hosts()))

    def host_allowed(self, host: str) -> bool:
        """True when ``host`` is listed in ``[fetch] allow_hosts`` (case and a trailing dot ignored)."""
        return host.lower().rstrip(".") in {h.rstrip(".") for h in self.allow_hosts}


# --------------------------------------------------------------------------- the address guard


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, str] | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64), with the form's name."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped, "IPv4-mapped"
    if ip.sixtofour is not None:
        return ip.sixtofour, "6to4"
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "NAT64"
    return None


def address_problem(ip: IPAddress) -> str | None:
    """Why bantin must not connect to ``ip`` ("a private address", ...), or None when it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            inner, form = embedded
            problem = address_problem(inner)
            return f"{problem} ({form} form of {inner})" if problem else None
        if ip in _NAT64_LOCAL:
            return "a private address (local-use NAT64)"
        if ip in _TEREDO:
            return "a Teredo tunnel address"
        if ip.is_site_local:
            return "a site-local address"
    checks = (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public address"),
    )
    return next((why for bad, why in checks if bad), None)


def _never_allowed(ip: IPAddress) -> bool:
    """Addresses no allow-list opens: link-local (cloud metadata), multicast, unspecified, in any IPv6 form."""
    if isinstance(ip, ipaddress.IPv6Address) and (embedded := _embedded_ipv4(ip)) is not None:
        ip = embedded[0]
    return ip.is_link_local or ip.is_multicast or ip.is_unspecified


def _resolve_by(deadline: float, resolver: Resolver, host: str, port: int) -> Sequence[str] | None:
    """The resolver's answer, or None when it has not come by the deadline.

    The system resolver has no time limit of its own (a slow name server can hold it
    for half a minute), so it runs in a daemon thread that is left behind if it is late.
    """
    outcome: list[Sequence[str] | BaseException] = []

    def resolve() -> None:
        try:
            outcome.append(resolver(host, port))
        except BaseException as exc:  # handed over to the fetching thread below
            outcome.append(exc)

    thread = threading.Thread(target=resolve, name=f"bantin-resolve-{host}", daemon=True)
    thread.start()
    thread.join(max(0.0, deadline - time.monotonic()))
    if not outcome:
        return None
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _checked_address(asked: str, hop: httpx.URL, policy: FetchPolicy, where: str, deadline: float) -> IPAddress:
    """Resolve the hop's host, refuse it unless every address is public, and return the one to connect to."""
    host = hop.raw_host.decode("ascii")
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            answers = _resolve_by(deadline, policy.resolver, host, hop.port or (443 if hop.scheme == "https" else 80))
            if answers is None:
                raise FetchTimeoutError(asked, f"cannot resolve {host}{where}: no answer within {policy.timeout:g} s", "Check the address, or try again later")
            addresses = list(dict.fromkeys(ipaddress.ip_address(a.split("%", 1)[0]) for a in answers))
        except (OSError, UnicodeError, ValueError) as exc:
            raise FetchError(asked, f"cannot resolve {host}{where} ({exc})", "Check the address, or try again when the network is back") from None
    if not addresses:
        raise FetchError(asked, f"cannot resolve {host}{where} (no addresses)", "Check the address")
    listed = policy.host_allowed(host)
    for ip in addresses:
        if ip in policy.allow_addresses:
            continue
        problem = address_problem(ip)
        if problem and listed and not _never_allowed(ip):
            continue  # a host of the centre's own network, allowed by name
        if problem:
            shown = "" if str(ip) == host else f" ({host})"
            if _never_allowed(ip):
                opens = ", which [fetch] allow_hosts never opens" if listed else ""
                raise URLRefusedError(asked, f"refused: {ip}{shown} is {problem}{where}{opens}", _NOT_PUBLIC_HINT)
            raise NotPublicError(asked, f"refused: {ip}{shown} is {problem}{where}", host)
    return addresses[0]


def _checked_url(asked: str, url: str, where: str) -> httpx.URL:
    try:
        hop = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise URLRefusedError(asked, f"not a valid URL{where} ({exc})", "Copy the address from the browser's address bar") from None
    if hop.scheme not in ("http", "https"):
        raise URLRefusedError(asked, f"refused: '{hop.scheme or '(none)'}:' is not http or https{where}", "Give the page's http:// or https:// address")
    if not hop.host:
        raise URLRefusedError(asked, f"has no host name{where}", "Give the page's full address, e.g. https://example.org/news/1.html")
    if hop.userinfo:
        raise URLRefusedError(asked, f"refused: the URL holds a user name or password{where}", _NOT_PUBLIC_HINT)
    return hop


# --------------------------------------------------------------------------- one deadline for the whole fetch


def _time_left(deadline: float, timeout: float | None, late: type[httpcore.TimeoutException]) -> float:
    """Seconds the next socket operation may take: httpx's own timeout, cut to what is left before the deadline."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise late("the fetch's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake ends by the deadline.

    httpx's read timeout restarts at each byte received; this one does not, so a
    server trickling its status line, headers or body cannot stretch the fetch.
    """

    def __init__(self, stream: httpcore.NetworkStream, deadline: float) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _time_left(self._deadline, timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _time_left(self._deadline, timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None) -> httpcore.NetworkStream:
        left = _time_left(self._deadline, timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, left), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own socket backend, with every connection bounded by one deadline."""

    def __init__(self, deadline: float) -> None:
        self._backend = httpcore.SyncBackend()
        self._deadline = deadline

    def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        left = _time_left(self._deadline, timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_tcp(host, port, left, local_address, socket_options), self._deadline)


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's HTTP/1.1 transport on :class:`_DeadlineBackend`.

    httpx builds its httpcore connection pool without a way to pass a network
    backend, so the pool it made is replaced by the same pool on ours (httpx and
    httpcore are pinned in constraints.txt; the deadline tests fail if this stops working).
    """

    def __init__(self, deadline: float, verify: ssl.SSLContext | bool) -> None:
        context = httpx.create_ssl_context(verify=verify, trust_env=False)
        super().__init__(verify=context, trust_env=False)
        self._pool = httpcore.ConnectionPool(ssl_context=context, network_backend=_DeadlineBackend(deadline))


# --------------------------------------------------------------------------- Content-Encoding, decoded within bounds


class _Layer:
    """One layer of Content-Encoding (gzip or deflate), decoded at most :data:`_PIECE` bytes at a time.

    gzip may hold several members one after another (as gzip itself writes them);
    bytes after the last member, and after a deflate stream, are ignored as
    browsers do.  "deflate" is meant to be zlib-wrapped, yet some servers send the
    raw stream: the first two bytes tell which.
    """

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._inflater: Any = None  # a zlib decompress object while inside a stream
        self._waiting = b""  # the first byte of a stream, until its second arrives
        self._streams = 0
        self._ended = False

    def _start(self, head: bytes) -> Any:
        """A decompressor for a stream starting with ``head`` (2 bytes), or None for trailing bytes."""
        if self.coding == "gzip":
            if self._streams and not head.startswith(_GZIP_MAGIC):
                return None
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        if self._streams:
            return None
        cmf, flg = head[0], head[1]
        wrapped = cmf & 0x0F == 8 and cmf >> 4 <= 7 and (cmf * 256 + flg) % 31 == 0
        return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decode ``data`` (and what is left of earlier input) piece by piece; raises zlib.error on corrupt data."""
        data, self._waiting = self._waiting + data, b""
        while not self._ended:
            if self._inflater is None:
                if len(data) < 2:
                    self._waiting = data
                    return
                self._inflater = self._start(data[:2])
                if self._inflater is None:
                    self._ended = True
                    return
            piece = self._inflater.decompress(data, _PIECE)
            data = self._inflater.unconsumed_tail
            if piece:
                yield piece
            if self._inflater.eof:
                data, self._inflater = self._inflater.unused_data, None
                self._streams += 1
            elif not piece and not data:
                return


class _Decoder:
    """Every Content-Encoding layer of one answer, each layer's output counted against the size cap."""

    def __init__(self, codings: Sequence[str], limit: int, too_large: Callable[[], PageTooLargeError]) -> None:
        self._layers = [_Layer(coding) for coding in reversed(codings)]  # the last coding applied is undone first
        self._made = [0] * len(self._layers)
        self._limit = limit
        self._too_large = too_large

    def feed(self, data: bytes, level: int = 0) -> Iterator[bytes]:
        """The decoded bytes of ``data``, as they come, never more than the cap at any layer."""
        if level == len(self._layers):
            yield data
            return
        for piece in self._layers[level].feed(data):
            self._made[level] += len(piece)
            if self._made[level] > self._limit:
                raise self._too_large()
            yield from self.feed(piece, level + 1)


def _codings(asked: str, response: httpx.Response, where: str) -> list[str]:
    """The answer's Content-Encoding layers in the order they were applied; refuses what bantin cannot decode."""
    names = [name.strip().lower() for name in response.headers.get_list("content-encoding", split_commas=True)]
    codings = []
    for name in names:
        if name in ("", "identity"):
            continue
        if name not in _CODINGS:
            problem = f"the server sent the page compressed as '{name[:40]}'{where}, which bantin does not decode (only gzip and deflate)"
            raise FetchError(asked, problem, _SAVE_HINT)
        codings.append(_CODINGS[name])
    if len(codings) > _MAX_CODINGS:
        problem = f"the server compressed the page {len(codings)} times over{where}; bantin undoes at most {_MAX_CODINGS} layers"
        raise FetchError(asked, problem, _SAVE_HINT)
    return codings


# --------------------------------------------------------------------------- fetching


def _peer(response: httpx.Response) -> IPAddress | None:
    stream = response.extensions.get("network_stream")
    address = stream.get_extra_info("server_addr") if stream is not None else None
    if not address:
        return None
    try:
        return ipaddress.ip_address(str(address[0]).split("%", 1)[0])
    except ValueError:
        return None


def _read_body(asked: str, response: httpx.Response, policy: FetchPolicy, deadline: float, where: str) -> bytes:
    """The body, decoded, read as it arrives: at most ``max_bytes`` on the wire and at every decoding layer."""
    codings = _codings(asked, response, where)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise PageTooLargeError(asked, f"the page is {int(declared)} bytes, above the limit of {policy.max_bytes}", _TOO_LARGE_HINT)

    def too_large() -> PageTooLargeError:
        problem = f"the page is larger than the limit of {policy.max_bytes} bytes once decompressed ({', '.join(codings)}){where}"
        return PageTooLargeError(asked, problem, _TOO_LARGE_HINT)

    decoder = _Decoder(codings, policy.max_bytes, too_large)
    chunks: list[bytes] = []
    received = 0
    try:
        for chunk in response.iter_raw():
            received += len(chunk)
            if received > policy.max_bytes:
                raise PageTooLargeError(asked, f"the page is larger than the limit of {policy.max_bytes} bytes{where}", _TOO_LARGE_HINT)
            if time.monotonic() > deadline:
                raise FetchTimeoutError(asked, f"the whole page did not arrive within {policy.timeout:g} s{where}", _SLOW_HINT)
            chunks.extend(decoder.feed(chunk))
    except zlib.error as exc:
        problem = f"the page's {', '.join(codings)} compressed data is corrupt{where} ({exc})"
        raise FetchError(asked, problem, "Try again later, or save the article's page from a browser as .html and ingest the file") from None
    return b"".join(chunks)


def fetch_page(url: str, *, policy: FetchPolicy | None = None) -> tuple[bytes, str, str]:
    """GET a news page: (body, final URL after redirects, content type).  See the module's doc for the checks."""
    policy = policy or FetchPolicy.from_settings()
    deadline = time.monotonic() + policy.timeout
    current, where = url, ""
    headers = {
        "User-Agent": f"bantin/{__version__} (news bulletin ingest)",
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
        "Accept-Encoding": "gzip, deflate",  # what _Decoder undoes, and nothing else
    }
    for hop_number in range(policy.max_redirects + 1):
        hop = _checked_url(url, current, where)
        ip = _checked_address(url, hop, policy, where, deadline)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchTimeoutError(url, f"no answer within {policy.timeout:g} s{where}", "Try again later")
        request_headers = {**headers, "Host": hop.netloc.decode("ascii")}
        awaited = "the server's answer (status line and headers)"
        try:
            transport = _DeadlineTransport(deadline, policy.tls if policy.tls is not None else True)
            with httpx.Client(transport=transport, trust_env=False, follow_redirects=False, timeout=httpx.Timeout(remaining)) as client:
                request = client.build_request(
                    "GET", hop.copy_with(host=str(ip)), headers=request_headers, extensions={"sni_hostname": hop.raw_host.decode("ascii")}
                )
                response = client.send(request, stream=True)
                awaited = "the whole page"
                try:
                    peer = _peer(response)
                    if peer is not None and peer != ip:
                        raise URLRefusedError(url, f"refused: connected to {peer}, not the checked address {ip}{where}", _NOT_PUBLIC_HINT)
                    if response.status_code in _REDIRECTS:
                        location = response.headers.get("location")
                        if not location:
                            problem = f"HTTP {response.status_code} redirect without a Location{where}"
                            raise FetchError(url, problem, "Open the address in a browser and copy the final one")
                        current = urljoin(str(hop), location)
                        where = f" (redirect {hop_number + 1}: {current})"
                        continue
                    if not 200 <= response.status_code < 300:
                        problem = f"the server answered HTTP {response.status_code} {response.reason_phrase}{where}"
                        raise FetchError(url, problem, "Check the address in a browser")
                    content_type = response.headers.get("content-type", "")
                    media_type = content_type.split(";", 1)[0].strip().lower()
                    if media_type and media_type not in _PAGE_TYPES:
                        raise NotAPageError(url, f"the server sent {media_type}, not an HTML page{where}", "Give the address of the article's web page")
                    body = _read_body(url, response, policy, deadline, where)
                    return body, str(hop), content_type
                finally:
                    response.close()
        except httpx.ConnectTimeout:
            raise FetchTimeoutError(url, f"could not connect to {hop.host} within {policy.timeout:g} s{where}", _SLOW_HINT) from None
        except httpx.TimeoutException:
            raise FetchTimeoutError(url, f"{awaited} did not arrive within {policy.timeout:g} s{where}", _SLOW_HINT) from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"cannot fetch{where}: {exc or type(exc).__name__}", "Check the address and the network, then try again") from None
    raise TooManyRedirectsError(url, f"more than {policy.max_redirects} redirects (last to {current})", "Open the address in a browser and give the final one")


def read_bulletin_url(url: str, *, date: dt.date | None = None, policy: FetchPolicy | None = None) -> Bulletin:
    """Fetch a news page and structure it as :func:`bantin.content.html.read_bulletin_html` does a saved one."""
    from bantin.content.html import parse_bulletin_html

    body, final_url, content_type = fetch_page(url, policy=policy)
    charset = _CHARSET_RE.search(content_type)
    return parse_bulletin_html(body, url, date=date, base_url=final_url, charset=charset.group(1) if charset else None)
