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
* caps the size (declared and as received, after decompression), the total time
  and the content type (HTML only).

Every refusal is a one-line :class:`~bantin.errors.FetchError`.  Limits come from
:func:`bantin.settings.fetch_limits`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

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
from bantin.settings import fetch_limits

__all__ = ["FetchPolicy", "IPAddress", "Resolver", "address_problem", "fetch_page", "read_bulletin_url"]

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
_TOO_LARGE_HINT = "Save the article's page as .html and ingest the file, or raise BANTIN_FETCH_MAX_BYTES"
_SLOW_HINT = "Try again later, or save the page as .html and ingest the file"


def _system_resolver(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


@dataclass(frozen=True)
class FetchPolicy:
    """The bounds of one fetch.  :meth:`from_settings` is what the CLI and the flows use.

    ``allow_addresses``, ``resolver`` and ``tls`` exist for tests only: they let a
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

    @classmethod
    def from_settings(cls) -> FetchPolicy:
        max_bytes, timeout, max_redirects = fetch_limits()
        return cls(max_bytes, timeout, max_redirects)


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


def _checked_address(asked: str, hop: httpx.URL, policy: FetchPolicy, where: str) -> IPAddress:
    """Resolve the hop's host, refuse it unless every address is public, and return the one to connect to."""
    host = hop.raw_host.decode("ascii")
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            answers = policy.resolver(host, hop.port or (443 if hop.scheme == "https" else 80))
            addresses = list(dict.fromkeys(ipaddress.ip_address(a.split("%", 1)[0]) for a in answers))
        except (OSError, UnicodeError, ValueError) as exc:
            raise FetchError(asked, f"cannot resolve {host}{where} ({exc})", "Check the address, or try again when the network is back") from None
    if not addresses:
        raise FetchError(asked, f"cannot resolve {host}{where} (no addresses)", "Check the address")
    for ip in addresses:
        if ip in policy.allow_addresses:
            continue
        problem = address_problem(ip)
        if problem:
            shown = "" if str(ip) == host else f" ({host})"
            raise URLRefusedError(asked, f"refused: {ip}{shown} is {problem}{where}", _NOT_PUBLIC_HINT)
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


def _read_body(asked: str, response: httpx.Response, policy: FetchPolicy, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise PageTooLargeError(asked, f"the page is {int(declared)} bytes, above the limit of {policy.max_bytes}", _TOO_LARGE_HINT)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > policy.max_bytes:
            raise PageTooLargeError(asked, f"the page is larger than the limit of {policy.max_bytes} bytes", _TOO_LARGE_HINT)
        if time.monotonic() > deadline:
            raise FetchTimeoutError(asked, f"the page did not arrive within {policy.timeout:g} s", _SLOW_HINT)
        chunks.append(chunk)
    return b"".join(chunks)


def fetch_page(url: str, *, policy: FetchPolicy | None = None) -> tuple[bytes, str, str]:
    """GET a news page: (body, final URL after redirects, content type).  See the module's doc for the checks."""
    policy = policy or FetchPolicy.from_settings()
    deadline = time.monotonic() + policy.timeout
    current, where = url, ""
    headers = {"User-Agent": f"bantin/{__version__} (news bulletin ingest)", "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"}
    for hop_number in range(policy.max_redirects + 1):
        hop = _checked_url(url, current, where)
        ip = _checked_address(url, hop, policy, where)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchTimeoutError(url, f"no answer within {policy.timeout:g} s", "Try again later")
        request_headers = {**headers, "Host": hop.netloc.decode("ascii")}
        try:
            verify: ssl.SSLContext | bool = policy.tls if policy.tls is not None else True
            with httpx.Client(trust_env=False, follow_redirects=False, timeout=httpx.Timeout(remaining), verify=verify) as client:
                request = client.build_request(
                    "GET", hop.copy_with(host=str(ip)), headers=request_headers, extensions={"sni_hostname": hop.raw_host.decode("ascii")}
                )
                response = client.send(request, stream=True)
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
                    body = _read_body(url, response, policy, deadline)
                    return body, str(hop), content_type
                finally:
                    response.close()
        except httpx.TimeoutException:
            raise FetchTimeoutError(url, f"no complete answer within {policy.timeout:g} s{where}", _SLOW_HINT) from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"cannot fetch{where}: {exc or type(exc).__name__}", "Check the address and the network, then try again") from None
    raise TooManyRedirectsError(url, f"more than {policy.max_redirects} redirects (last to {current})", "Open the address in a browser and give the final one")


def read_bulletin_url(url: str, *, date: dt.date | None = None, policy: FetchPolicy | None = None) -> Bulletin:
    """Fetch a news page and structure it as :func:`bantin.content.html.read_bulletin_html` does a saved one."""
    from bantin.content.html import parse_bulletin_html

    body, final_url, content_type = fetch_page(url, policy=policy)
    charset = _CHARSET_RE.search(content_type)
    return parse_bulletin_html(body, url, date=date, base_url=final_url, charset=charset.group(1) if charset else None)
