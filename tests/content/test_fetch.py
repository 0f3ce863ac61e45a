"""URL fetching: the address guard (unit tests), and fetching end to end from a local HTTP server on 127.0.0.1.

The guard refuses 127.0.0.1 by design; these tests let their own server through with
``FetchPolicy.allow_addresses`` (a test-only knob the CLI never sets), so every other
check (redirect hops, size cap, time limit, content type) runs for real.  No test sends
traffic anywhere but 127.0.0.1: refused addresses are refused before any connection.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gzip
import ipaddress
import re
import socket
import ssl
import struct
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bantin.content.fetch import FetchPolicy, address_problem, fetch_page, read_bulletin_url
from bantin.content.html import read_bulletin_html
from bantin.errors import (
    FetchError,
    FetchTimeoutError,
    InputError,
    NotAPageError,
    PageTooLargeError,
    TooManyRedirectsError,
    URLRefusedError,
)
from testing_utils import DATA

PORTAL = DATA / "html" / "daknong-dan-van-quy-ii-2024.html"
LOCAL = ipaddress.ip_address("127.0.0.1")

# --------------------------------------------------------------------------- the address guard

REFUSED = {
    # IPv4
    "127.0.0.1": "loopback",
    "127.255.255.254": "loopback",
    "10.0.0.5": "private",
    "172.16.0.1": "private",
    "172.31.255.255": "private",
    "192.168.1.1": "private",
    "169.254.169.254": "link-local",  # cloud metadata
    "0.0.0.0": "unspecified",
    "224.0.0.1": "multicast",
    "239.255.255.250": "multicast",
    "240.0.0.1": "(reserved|private)",  # which one depends on the Python version
    "255.255.255.255": "private",
    "100.64.0.1": "not a public",  # carrier-grade NAT
    "192.0.2.10": "private",  # documentation
    "198.18.0.1": "private",  # benchmarking
    # IPv6
    "::1": "loopback",
    "::": "unspecified",
    "fe80::1": "link-local",
    "fc00::1": "private",
    "fd12:3456::1": "private",
    "fec0::1": "site-local",
    "ff02::1": "multicast",
    "2001:db8::1": "private",
    "::ffff:127.0.0.1": "loopback address (IPv4-mapped form of 127.0.0.1)",
    "::ffff:10.0.0.5": "private address (IPv4-mapped form of 10.0.0.5)",
    "::ffff:169.254.169.254": "link-local address (IPv4-mapped",
    "2002:7f00:1::": "loopback address (6to4 form of 127.0.0.1)",
    "2002:c0a8:101::1": "private address (6to4 form of 192.168.1.1)",
    "64:ff9b::a00:5": "private address (NAT64 form of 10.0.0.5)",
    "64:ff9b::7f00:1": "loopback address (NAT64 form of 127.0.0.1)",
    "64:ff9b:1::a00:5": "private address (local-use NAT64)",
    "2001::1": "Teredo",
    "::127.0.0.1": "reserved",  # deprecated IPv4-compatible form
    "100::1": "private",  # discard-only
}

PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "203.113.131.1",
    "14.225.0.1",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "::ffff:8.8.8.8",
    "2002:0808:0808::1",
    "64:ff9b::808:808",
]


@pytest.mark.parametrize("address", sorted(REFUSED))
def test_guard_refuses(address: str) -> None:
    problem = address_problem(ipaddress.ip_address(address))
    assert problem is not None and (REFUSED[address] in problem or re.search(REFUSED[address], problem)), problem


@pytest.mark.parametrize("address", PUBLIC)
def test_guard_lets_public_addresses_through(address: str) -> None:
    assert address_problem(ipaddress.ip_address(address)) is None


def fixed(answers: dict[str, list[str]]):
    """A resolver with fixed answers; any other name fails as DNS would."""

    def resolve(host: str, port: int) -> list[str]:
        if host not in answers:
            raise OSError(f"no such host {host}")
        return answers[host]

    return resolve


def policy(**changes) -> FetchPolicy:
    base = FetchPolicy(max_bytes=1_000_000, timeout=5.0, max_redirects=3, allow_addresses=frozenset({LOCAL}))
    return FetchPolicy(**{**base.__dict__, **changes})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "http://10.0.0.5/x",
            "http://10.0.0.5/x: refused: 10.0.0.5 is a private address. bantin fetches only public web pages; "
            "if 10.0.0.5 is on the centre's own network, add it to [fetch] allow_hosts in bantin.toml.",
        ),
        ("http://[::ffff:192.168.0.1]/", "refused: ::ffff:c0a8:1 (::ffff:192.168.0.1) is a private address (IPv4-mapped form of 192.168.0.1)"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("ftp://example.org/page.html", "'ftp:' is not http or https"),
        ("file:///etc/passwd", "'file:' is not http or https"),
        ("javascript:alert(1)", "is not http or https"),
        ("http://user:secret@news.example/", "user name or password"),
        ("http:///nohost", "has no host name"),
    ],
)
def test_refused_urls_in_one_line(url: str, expected: str) -> None:
    with pytest.raises(URLRefusedError) as err:
        fetch_page(url, policy=policy(allow_addresses=frozenset(), resolver=fixed({"news.example": ["93.184.216.34"]})))
    message = str(err.value)
    assert expected in message and "\n" not in message
    assert isinstance(err.value, InputError)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("0x7f000001", r"refused: 127\.0\.0\.1 \(0x7f000001\) is a loopback address"),
        ("2130706433", r"refused: 127\.0\.0\.1 \(2130706433\) is a loopback address"),
        ("127.1", r"refused: 127\.0\.0\.1 \(127\.1\) is a loopback address"),
        ("0177.0.0.1", r"not a valid URL"),  # the URL parser itself refuses octal
    ],
)
def test_numeric_host_forms_of_loopback(host: str, expected: str) -> None:
    """Hex, decimal, octal and short forms of 127.0.0.1: the system resolver reads them locally (no DNS), and the guard refuses them."""
    with pytest.raises(URLRefusedError, match=expected):
        fetch_page(f"http://{host}/", policy=policy(allow_addresses=frozenset()))


def test_any_bad_address_of_a_name_is_refused() -> None:
    """A name with one public and one private address is refused (the client might pick either)."""
    resolver = fixed({"mixed.example": ["93.184.216.34", "10.1.2.3"], "v6.example": ["2606:4700::1", "fd00::7"]})
    for host, bad in (("mixed.example", "10.1.2.3"), ("v6.example", "fd00::7")):
        with pytest.raises(URLRefusedError) as err:
            fetch_page(f"https://{host}/tin.html", policy=policy(allow_addresses=frozenset(), resolver=resolver))
        assert f"refused: {bad} ({host}) is a private address" in str(err.value)


def test_unresolvable_name() -> None:
    with pytest.raises(FetchError) as err:
        fetch_page("http://nowhere.example/", policy=policy(resolver=fixed({})))
    assert "cannot resolve nowhere.example" in str(err.value)


def test_settings_bound_the_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANTIN_FETCH_MAX_BYTES", "12345")
    monkeypatch.setenv("BANTIN_FETCH_TIMEOUT", "7.5")
    monkeypatch.setenv("BANTIN_FETCH_MAX_REDIRECTS", "2")
    p = FetchPolicy.from_settings()
    assert (p.max_bytes, p.timeout, p.max_redirects, p.allow_addresses) == (12345, 7.5, 2, frozenset())
    monkeypatch.delenv("BANTIN_FETCH_MAX_BYTES")
    monkeypatch.delenv("BANTIN_FETCH_TIMEOUT")
    monkeypatch.delenv("BANTIN_FETCH_MAX_REDIRECTS")
    assert FetchPolicy.from_settings().max_bytes == 5 * 1024 * 1024


# --------------------------------------------------------------------------- a local server on 127.0.0.1

PAGE = PORTAL.read_bytes()
SEEN: list[tuple[str, str | None]] = []  # (path, Host header) of every request the server got


class Handler(BaseHTTPRequestHandler):
    """Routes for the tests.  Every loop here is bounded."""

    def log_message(self, *args: object) -> None:
        pass

    def send(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path
        port = self.server.server_address[1]
        SEEN.append((path, self.headers.get("Host")))
        if path == "/page":
            self.send(200, PAGE)
        elif path == "/cp1258":
            text = PAGE.decode("utf-8").replace('<meta charset="utf-8">', "")
            self.send(200, text.encode("cp1258", errors="xmlcharrefreplace"), "text/html; charset=windows-1258")
        elif path.startswith("/hop/"):
            n = int(path.rsplit("/", 1)[1])
            self.send(302, Location="/page" if n == 0 else f"/hop/{n - 1}")
        elif path == "/to-private":
            self.send(302, Location="http://10.0.0.5/x")
        elif path == "/to-other-loopback":
            self.send(301, Location=f"http://127.0.0.2:{port}/page")
        elif path == "/to-mapped":
            self.send(307, Location=f"http://[::ffff:127.0.0.1]:{port}/page")
        elif path == "/to-name":
            self.send(302, Location=f"http://intranet.example:{port}/page")
        elif path == "/to-ftp":
            self.send(302, Location="ftp://127.0.0.1/page")
        elif path == "/no-location":
            self.send(302)
        elif path == "/big-declared":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(50_000_000))
            self.end_headers()
        elif path == "/big-chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<p>" + b"x" * 8000 + b"</p>"
            try:
                for _ in range(40):  # 320 kB at most
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
        elif path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(40 * 10))
            self.end_headers()
            try:
                for _ in range(40):  # 40 x 0.1 s at most
                    self.wfile.write(b"<p>abc</p>")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
        elif path == "/silent":
            time.sleep(2.0)
            with contextlib.suppress(OSError):
                self.send(200, PAGE)
        elif path == "/pdf":
            self.send(200, b"%PDF-1.7\n", "application/pdf")
        elif path == "/missing":
            self.send(404, b"<h1>Not found</h1>")
        else:
            self.send(500, b"unknown route")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_fetch_a_page(server: str) -> None:
    body, final, content_type = fetch_page(f"{server}/page", policy=policy())
    assert body == PAGE and final == f"{server}/page" and content_type == "text/html; charset=utf-8"


def test_the_guard_refuses_the_local_server_by_default(server: str) -> None:
    with pytest.raises(URLRefusedError, match=r"127\.0\.0\.1 is a loopback address"):
        fetch_page(f"{server}/page", policy=policy(allow_addresses=frozenset()))


def test_read_bulletin_url_is_the_saved_page(server: str) -> None:
    assert read_bulletin_url(f"{server}/page", policy=policy()) == read_bulletin_html(PORTAL)


def test_declared_charset_decodes(server: str) -> None:
    b = read_bulletin_url(f"{server}/cp1258", policy=policy())
    assert b.date == dt.date(2024, 6, 28) and b.place == "Huyện ủy Đắk Song"


def test_redirects_followed_up_to_the_limit(server: str) -> None:
    body, final, _ = fetch_page(f"{server}/hop/3", policy=policy(max_redirects=4))
    assert body == PAGE and final == f"{server}/page"
    with pytest.raises(TooManyRedirectsError) as err:
        fetch_page(f"{server}/hop/3", policy=policy(max_redirects=3))
    assert "more than 3 redirects" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(TooManyRedirectsError):
        fetch_page(f"{server}/hop/0", policy=policy(max_redirects=0))


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        ("/to-private", "refused: 10.0.0.5 is a private address (redirect 1: http://10.0.0.5/x)"),
        ("/to-other-loopback", "refused: 127.0.0.2 is a loopback address (redirect 1: http://127.0.0.2:"),
        ("/to-mapped", "is a loopback address (IPv4-mapped form of 127.0.0.1) (redirect 1:"),
        ("/to-ftp", "'ftp:' is not http or https (redirect 1: ftp://127.0.0.1/page)"),
    ],
)
def test_every_redirect_hop_is_checked(server: str, route: str, expected: str) -> None:
    with pytest.raises(URLRefusedError) as err:
        fetch_page(f"{server}{route}", policy=policy())
    assert expected in str(err.value)
    assert str(err.value).startswith(f"{server}{route}: ")


def test_a_hop_by_name_connects_to_the_checked_address(server: str) -> None:
    """The name resolves (once) to the allowed address; the request goes there with the name in Host."""
    port = server.rsplit(":", 1)[1]
    resolver = fixed({"intranet.example": ["127.0.0.1"]})
    body, final, _ = fetch_page(f"{server}/to-name", policy=policy(resolver=resolver))
    assert body == PAGE and final == f"http://intranet.example:{port}/page"
    assert SEEN[-1] == ("/page", f"intranet.example:{port}")
    # DNS rebinding: a name whose answer changes after the check.  It is resolved once per hop and the
    # connection goes to the address that was checked, so the second answer is never used.
    calls: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"] if len(calls) == 1 else ["10.0.0.5"]

    body, _, _ = fetch_page(f"{server}/to-name", policy=policy(resolver=rebinding))
    assert body == PAGE and calls == ["intranet.example"]
    # The same name resolving to another loopback address too is refused at that hop.
    resolver = fixed({"intranet.example": ["127.0.0.1", "127.0.0.9"]})
    with pytest.raises(URLRefusedError, match=r"127\.0\.0\.9 \(intranet\.example\) is a loopback address \(redirect 1"):
        fetch_page(f"{server}/to-name", policy=policy(resolver=resolver))


def test_size_cap_declared_and_streamed(server: str) -> None:
    with pytest.raises(PageTooLargeError, match="the page is 50000000 bytes, above the limit of 100000"):
        fetch_page(f"{server}/big-declared", policy=policy(max_bytes=100_000))
    with pytest.raises(PageTooLargeError, match="larger than the limit of 100000 bytes"):
        fetch_page(f"{server}/big-chunked", policy=policy(max_bytes=100_000))
    body, _, _ = fetch_page(f"{server}/big-chunked", policy=policy(max_bytes=400_000))
    assert len(body) == 40 * 8007


def test_time_limit_on_a_slow_and_a_silent_server(server: str) -> None:
    for route in ("/slow", "/silent"):
        start = time.monotonic()
        with pytest.raises(FetchTimeoutError) as err:
            fetch_page(f"{server}{route}", policy=policy(timeout=0.8))
        assert time.monotonic() - start < 2.0
        assert "within 0.8 s" in str(err.value) and "\n" not in str(err.value)


def test_content_type_and_status(server: str) -> None:
    with pytest.raises(NotAPageError, match="the server sent application/pdf, not an HTML page"):
        fetch_page(f"{server}/pdf", policy=policy())
    with pytest.raises(FetchError, match="the server answered HTTP 404 Not Found"):
        fetch_page(f"{server}/missing", policy=policy())
    with pytest.raises(FetchError, match="redirect without a Location"):
        fetch_page(f"{server}/no-location", policy=policy())


def test_connection_refused_is_one_line() -> None:
    import socket

    with socket.socket() as s:  # a port with nothing listening on it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchError) as err:
        fetch_page(f"http://127.0.0.1:{port}/", policy=policy())
    assert str(err.value).startswith(f"http://127.0.0.1:{port}/: cannot fetch") and "\n" not in str(err.value)


# --------------------------------------------------------------------------- HTTPS: pinned address, real name verified


def _certificate(tmp: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``name`` (it is its own authority), as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, ssl.SSLContext]]:
    cert_file, key_file = _certificate(tmp_path_factory.mktemp("tls"), "news.test")
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_file, key_file)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.socket = server_context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    client_context = ssl.create_default_context(cafile=str(cert_file))
    try:
        yield httpd.server_address[1], client_context
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_https_connects_to_the_checked_address_and_verifies_the_real_name(tls_server: tuple[int, ssl.SSLContext]) -> None:
    """The URL's host is swapped for the checked address, yet TLS still names and verifies news.test."""
    port, trust = tls_server
    resolver = fixed({"news.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    body, final, _ = fetch_page(f"https://news.test:{port}/page", policy=policy(resolver=resolver, tls=trust))
    assert body == PAGE and final == f"https://news.test:{port}/page"
    assert SEEN[-1] == ("/page", f"news.test:{port}")
    # Same address, another name: the certificate does not match it, and the fetch fails in one line.
    with pytest.raises(FetchError) as err:
        fetch_page(f"https://other.test:{port}/page", policy=policy(resolver=resolver, tls=trust))
    assert "cannot fetch" in str(err.value) and "\n" not in str(err.value)
    assert not isinstance(err.value, URLRefusedError)


# --------------------------------------------------------------------------- one deadline, and bounded decompression
#
# A raw socket server plays a script for each path: it can trickle a status line or headers byte by
# byte, stall, or send any Content-Encoding, which http.server cannot.  Scripts stop as soon as the
# client goes away or the fixture ends.

LIMIT_S = 1.0  # the fetch's time limit in these tests
MARGIN_S = 0.5  # what the fetch may take beyond it (closing sockets, a loaded machine)
BOMB_SIZE = 64 * 1024 * 1024  # what each bomb decodes to
CAP = 1024 * 1024  # the size cap the bombs meet
SLOW_HINT = "Try again later, or save the page as .html and ingest the file."


@functools.cache
def zeros_zlib() -> bytes:
    """BOMB_SIZE zero bytes as one zlib stream (about 64 kB): the raw deflate and gzip forms are cut from it."""
    compressor, block = zlib.compressobj(9), bytes(1024 * 1024)
    return b"".join([*(compressor.compress(block) for _ in range(BOMB_SIZE // len(block))), compressor.flush()])


def zeros(form: str) -> bytes:
    raw = zeros_zlib()[2:-4]  # a zlib stream is a 2-byte header, raw deflate, then a 4-byte Adler-32
    crc = 0
    for _ in range(BOMB_SIZE // (1024 * 1024)):
        crc = zlib.crc32(bytes(1024 * 1024), crc)
    gzip_member = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + raw + struct.pack("<II", crc, BOMB_SIZE & 0xFFFFFFFF)
    return {"zlib": zeros_zlib(), "raw": raw, "gzip": gzip_member}[form]


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


#: path -> (Content-Encoding, a function making the body).  The bodies are made once, on first use.
ENCODED: dict[str, tuple[str, Callable[[], bytes]]] = {
    "/page.gz": ("gzip", lambda: gz(PAGE)),
    "/page.x-gzip": ("X-GZIP", lambda: gz(PAGE)),
    "/page.zlib": ("deflate", lambda: zlib.compress(PAGE)),
    "/page.raw-deflate": ("deflate", lambda: raw_deflate(PAGE)),
    "/page.gz.gz": ("gzip, gzip", lambda: gz(gz(PAGE))),
    "/page.zlib.gz": ("deflate, gzip", lambda: gz(zlib.compress(PAGE))),
    "/page.identity": ("identity", lambda: PAGE),
    "/page.gz.identity": ("gzip, identity", lambda: gz(PAGE)),
    "/page.members": ("gzip", lambda: gz(PAGE[:1000]) + gz(PAGE[1000:])),  # two gzip members, as `cat a.gz b.gz`
    "/bomb.gz": ("gzip", lambda: zeros("gzip")),
    "/bomb.gz.gz": ("gzip, gzip", lambda: gz(zeros("gzip"))),
    "/bomb.gz.gz.gz": ("gzip, gzip, gzip", lambda: gz(gz(zeros("gzip")))),
    "/bomb.zlib": ("deflate", lambda: zeros("zlib")),
    "/bomb.raw-deflate": ("deflate", lambda: zeros("raw")),
    "/bomb.zlib.gz": ("deflate, gzip", lambda: gz(zeros("zlib"))),
    "/four-layers": ("gzip, gzip, gzip, gzip", lambda: gz(gz(gz(gz(PAGE))))),
    "/br": ("br", lambda: b"\x1b\x00\x00"),
    "/compress": ("compress", lambda: b"\x1f\x9d\x90"),
    "/zstd": ("zstd", lambda: b"\x28\xb5\x2f\xfd"),
    "/gzip-then-br": ("gzip, br", lambda: gz(PAGE)),
    "/unknown": ("x-bantin-secret", lambda: PAGE),
    "/corrupt.gz": ("gzip", lambda: b"\x1f\x8b\x08\x00" + b"not really gzip" * 10),
}
BODIES: dict[str, bytes] = {}
HEADS: list[bytes] = []  # the request head of every connection the raw server got


def head(status: str = "200 OK", **fields: str) -> bytes:
    lines = [f"HTTP/1.1 {status}", "Connection: close", *(f"{name.replace('_', '-')}: {value}" for name, value in fields.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def trickle(conn: socket.socket, data: bytes, every: float, stop: threading.Event) -> None:
    """Send ``data`` one byte every ``every`` seconds, until it is sent, the client leaves or the test ends."""
    for i in range(len(data)):
        conn.sendall(data[i : i + 1])
        if stop.wait(every):
            return


def play(path: str, conn: socket.socket, stop: threading.Event) -> None:
    """The script for one request."""
    if path == "/slow-status":
        trickle(conn, head(Content_Type="text/html", Content_Length="2") + b"ok", 0.2, stop)
    elif path == "/trickled-headers":
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        trickle(conn, head(Content_Type="text/html", Content_Length="2").split(b"\r\n", 1)[1] + b"ok", 0.2, stop)
    elif path == "/slow-body":
        conn.sendall(head(Content_Type="text/html", Content_Length="200"))
        trickle(conn, b"<p>" + b"x" * 193 + b"</p>", 0.2, stop)
    elif path == "/stalled-body":
        conn.sendall(head(Content_Type="text/html", Content_Length="2000") + b"<p>" * 100)
        stop.wait(10)
    elif path == "/loop":  # redirects to itself, each answer a little slow
        stop.wait(0.3)
        conn.sendall(head("302 Found", Location="/loop", Content_Length="0"))
    elif path in ENCODED:
        coding, make = ENCODED[path]
        body = BODIES.setdefault(path, make())
        conn.sendall(head(Content_Type="text/html; charset=utf-8", Content_Encoding=coding, Content_Length=str(len(body))) + body)
    else:
        conn.sendall(head("404 Not Found", Content_Length="0"))


def serve_one(conn: socket.socket, stop: threading.Event) -> None:
    with conn, contextlib.suppress(OSError):
        conn.settimeout(5)
        request = b""
        while b"\r\n\r\n" not in request and len(request) < 65536:
            data = conn.recv(4096)
            if not data:
                return
            request += data
        HEADS.append(request)
        play(request.split(b" ", 2)[1].decode("ascii"), conn, stop)


@pytest.fixture(scope="module")
def raw_server() -> Iterator[str]:
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)

    def accept() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                conn, _ = listener.accept()
                threading.Thread(target=serve_one, args=(conn, stop), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def timed_out(url: str, **changes: object) -> tuple[str, float]:
    """Fetch ``url`` with the test's time limit; it must end in FetchTimeoutError.  (message, seconds taken)."""
    start = time.monotonic()
    with pytest.raises(FetchTimeoutError) as err:
        fetch_page(url, policy=policy(timeout=LIMIT_S, **changes))
    return str(err.value), time.monotonic() - start


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        ("/slow-status", "the server's answer (status line and headers) did not arrive within 1 s"),
        ("/trickled-headers", "the server's answer (status line and headers) did not arrive within 1 s"),
        ("/slow-body", "the whole page did not arrive within 1 s"),
        ("/stalled-body", "the whole page did not arrive within 1 s"),
        ("/loop", "within 1 s (redirect "),  # the deadline may pass while a hop connects or while it answers
    ],
)
def test_one_deadline_covers_every_stage(raw_server: str, route: str, expected: str) -> None:
    """A byte every 0.2 s never trips a per-read timeout; the one deadline still ends the fetch on time."""
    message, took = timed_out(f"{raw_server}{route}", max_redirects=20)
    assert LIMIT_S - 0.1 <= took < LIMIT_S + MARGIN_S, took
    assert message.startswith(f"{raw_server}{route}: ") and expected in message and "\n" not in message
    assert message.endswith(SLOW_HINT)


def test_a_connection_that_never_completes() -> None:
    """A listener whose queue is full drops new connection attempts, so connecting hangs: the deadline ends it."""
    with socket.create_server(("127.0.0.1", 0), backlog=0) as listener, socket.create_connection(listener.getsockname()):
        port = listener.getsockname()[1]
        with socket.socket() as probe:
            probe.settimeout(0.2)
            try:
                probe.connect(("127.0.0.1", port))
            except TimeoutError:
                pass
            else:
                pytest.skip("this system's TCP stack accepts connections beyond a full listen queue")
        message, took = timed_out(f"http://127.0.0.1:{port}/page")
    assert took < LIMIT_S + MARGIN_S, took
    assert f"could not connect to 127.0.0.1 within 1 s. {SLOW_HINT}" in message


def test_a_slow_name_server_is_within_the_deadline(raw_server: str) -> None:
    release = threading.Event()

    def slow(host: str, port: int) -> list[str]:
        release.wait(10)
        return ["127.0.0.1"]

    try:
        message, took = timed_out(raw_server.replace("127.0.0.1", "slow-dns.test") + "/page.gz", resolver=slow)
    finally:
        release.set()
    assert took < LIMIT_S + MARGIN_S, took
    assert "cannot resolve slow-dns.test: no answer within 1 s. Check the address, or try again later." in message


@pytest.mark.parametrize(
    "route",
    ["/page.gz", "/page.x-gzip", "/page.zlib", "/page.raw-deflate", "/page.gz.gz", "/page.zlib.gz", "/page.identity", "/page.gz.identity", "/page.members"],
)
def test_compressed_pages_are_decoded(raw_server: str, route: str) -> None:
    body, _, content_type = fetch_page(f"{raw_server}{route}", policy=policy())
    assert body == PAGE and content_type == "text/html; charset=utf-8"
    assert b"\r\naccept-encoding: gzip, deflate\r\n" in HEADS[-1].lower()  # asks for nothing it cannot decode


@pytest.mark.parametrize("route", ["/bomb.gz", "/bomb.gz.gz", "/bomb.gz.gz.gz", "/bomb.zlib", "/bomb.raw-deflate", "/bomb.zlib.gz"])
def test_compression_bombs_stop_at_the_cap_in_time_and_memory(raw_server: str, route: str) -> None:
    coding, make = ENCODED[route]
    bomb = BODIES.setdefault(route, make())  # made before measuring
    assert len(bomb) < CAP < BOMB_SIZE  # the size on the wire is under the cap: only decoding finds the bomb
    tracemalloc.start()
    try:
        start = time.monotonic()
        with pytest.raises(PageTooLargeError) as err:
            fetch_page(f"{raw_server}{route}", policy=policy(max_bytes=CAP, timeout=2.0))
        took = time.monotonic() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert took < 2.0, took
    assert peak < 3 * CAP, f"peak {peak} bytes while decoding a {BOMB_SIZE}-byte bomb with a {CAP}-byte cap"
    message = str(err.value)
    assert f"the page is larger than the limit of {CAP} bytes once decompressed ({coding})" in message and "\n" not in message
    assert message.endswith("Save the article's page as .html and ingest the file, or raise BANTIN_FETCH_MAX_BYTES.")


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        ("/br", "the server sent the page compressed as 'br', which bantin does not decode (only gzip and deflate)"),
        ("/compress", "compressed as 'compress', which bantin does not decode"),
        ("/zstd", "compressed as 'zstd', which bantin does not decode"),
        ("/gzip-then-br", "compressed as 'br', which bantin does not decode"),
        ("/unknown", "compressed as 'x-bantin-secret', which bantin does not decode"),
        ("/four-layers", "the server compressed the page 4 times over; bantin undoes at most 3 layers"),
        ("/corrupt.gz", "the page's gzip compressed data is corrupt (Error -3 while decompressing data"),
    ],
)
def test_unsupported_or_broken_encodings_are_one_line(raw_server: str, route: str, expected: str) -> None:
    with pytest.raises(FetchError) as err:
        fetch_page(f"{raw_server}{route}", policy=policy())
    message = str(err.value)
    assert message.startswith(f"{raw_server}{route}: ") and expected in message and "\n" not in message
    assert message.endswith("page from a browser as .html and ingest the file.")
