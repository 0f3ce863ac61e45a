"""The fetch allow-list: hosts of the centre's own network (``[fetch] allow_hosts``) may resolve to private addresses.

A real HTTP server on 127.0.0.1 (a loopback address the guard refuses by design)
stands for the centre's intranet server.  No test here sets the test-only
``allow_addresses`` knob: only the allow-list lets the fetch through.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bantin.content.fetch import FetchPolicy, NotPublicError, fetch_page, read_bulletin_url
from bantin.errors import URLRefusedError
from testing_utils import DATA

PAGE = (DATA / "html" / "daknong-dan-van-quy-ii-2024.html").read_bytes()
SEEN: list[tuple[str, str | None]] = []  # (path, Host header) of every request the server answered


class Handler(BaseHTTPRequestHandler):
    """The intranet server: a news page, and redirects to other hosts."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        SEEN.append((self.path, self.headers.get("Host")))
        port = self.server.server_address[1]
        target = {
            "/to-unlisted": f"http://kho.noibo.lan:{port}/tin.html",
            "/to-listed": f"http://tin.ttvh.lan:{port}/tin.html",
            "/to-metadata": "http://169.254.169.254/latest/meta-data/",
        }.get(self.path)
        if target:
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def resolver(host: str, port: int) -> list[str]:
    """The intranet's names: all on this machine; any other name fails as DNS would."""
    host = host.rstrip(".")
    if host in ("tin.ttvh.lan", "kho.noibo.lan"):
        return ["127.0.0.1"]
    if host == "metadata.ttvh.lan":
        return ["169.254.169.254"]
    raise OSError(f"no such host {host}")


def named(allow: set[str]) -> FetchPolicy:
    return FetchPolicy(max_bytes=1_000_000, timeout=5.0, max_redirects=3, resolver=resolver, allow_hosts=frozenset(allow))


def test_a_listed_address_is_fetched_from_the_settings(port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """BANTIN_FETCH_ALLOW_HOSTS (as [fetch] allow_hosts) lets the policy the CLI and flows use reach the listed host."""
    monkeypatch.setenv("BANTIN_FETCH_ALLOW_HOSTS", "127.0.0.1, tin.ttvh.lan")
    policy = FetchPolicy.from_settings()
    assert policy.allow_hosts == frozenset({"127.0.0.1", "tin.ttvh.lan"}) and policy.allow_addresses == frozenset()
    bulletin = read_bulletin_url(f"http://127.0.0.1:{port}/tin.html", policy=policy)
    assert bulletin.title.startswith("Hội nghị giao ban công tác dân vận") and bulletin.id.startswith("2024-06-28-")


def test_an_unlisted_address_is_refused_with_the_way_to_allow_it(port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANTIN_FETCH_ALLOW_HOSTS", "tin.ttvh.lan")
    before = len(SEEN)
    with pytest.raises(NotPublicError) as err:
        fetch_page(f"http://127.0.0.1:{port}/tin.html", policy=FetchPolicy.from_settings())
    assert err.value.host == "127.0.0.1"
    message = str(err.value)
    assert "127.0.0.1 is a loopback address" in message and "add it to [fetch] allow_hosts in bantin.toml" in message and "\n" not in message
    assert len(SEEN) == before  # refused before any connection


def test_a_listed_name_is_fetched_with_its_own_host_header(port: int) -> None:
    """A name (not an address) is listed: matched without regard to case or a trailing dot, and sent as the Host."""
    SEEN.clear()
    body, final, _ = fetch_page(f"http://TIN.ttvh.lan.:{port}/tin.html", policy=named({"tin.ttvh.lan"}))
    assert body == PAGE and final.endswith("/tin.html")
    assert [("/tin.html", f"tin.ttvh.lan.:{port}")] == SEEN
    with pytest.raises(NotPublicError, match=r"kho\.noibo\.lan"):
        fetch_page(f"http://kho.noibo.lan:{port}/tin.html", policy=named({"tin.ttvh.lan"}))


def test_a_redirect_to_an_unlisted_private_host_is_refused(port: int) -> None:
    SEEN.clear()
    with pytest.raises(NotPublicError) as err:
        fetch_page(f"http://tin.ttvh.lan:{port}/to-unlisted", policy=named({"tin.ttvh.lan"}))
    assert "(redirect 1: http://kho.noibo.lan" in str(err.value) and err.value.host == "kho.noibo.lan"
    assert [("/to-unlisted", f"tin.ttvh.lan:{port}")] == SEEN  # the unlisted host was never asked


def test_a_redirect_to_a_listed_host_is_followed(port: int) -> None:
    SEEN.clear()
    body, final, _ = fetch_page(f"http://kho.noibo.lan:{port}/to-listed", policy=named({"tin.ttvh.lan", "kho.noibo.lan"}))
    assert body == PAGE and final == f"http://tin.ttvh.lan:{port}/tin.html"
    assert [path for path, _ in SEEN] == ["/to-listed", "/tin.html"]


def test_the_list_never_opens_link_local_addresses(port: int) -> None:
    """Cloud metadata (169.254.169.254) stays refused, listed or not, directly or through a redirect."""
    policy = named({"metadata.ttvh.lan", "169.254.169.254", "tin.ttvh.lan"})
    with pytest.raises(URLRefusedError, match="link-local address, which \\[fetch\\] allow_hosts never opens") as err:
        fetch_page("http://metadata.ttvh.lan/latest/meta-data/", policy=policy)
    assert not isinstance(err.value, NotPublicError)
    with pytest.raises(URLRefusedError, match=r"169\.254\.169\.254 is a link-local address"):
        fetch_page(f"http://tin.ttvh.lan:{port}/to-metadata", policy=policy)
    unlisted = dataclasses.replace(policy, allow_hosts=frozenset())
    with pytest.raises(URLRefusedError) as err:
        fetch_page("http://169.254.169.254/", policy=unlisted)
    assert "allow_hosts" not in str(err.value)  # no advice that could not work
