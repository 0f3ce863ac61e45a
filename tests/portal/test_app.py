"""The portal over HTTP (Starlette's TestClient): pages, files, headers, ranges, validators, languages, safety."""

from __future__ import annotations

import asyncio
import json
import re
from urllib.parse import quote

import pytest
from portal_names import EN_TITLE, OLD_ID, SAMPLE_ID, VI_TRANSCRIPT_NAME

MP3 = f"/{SAMPLE_ID}/vi/{SAMPLE_ID}.vi.mp3"
PDF = f"/{SAMPLE_ID}/vi/{SAMPLE_ID}.vi.a4.pdf"


def test_index_lists_bulletins_newest_first_with_locales_and_status(client) -> None:
    r = client.get("/", headers={"Accept-Language": "vi"})
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    html = r.text
    assert '<html lang="vi">' in html
    assert html.index(SAMPLE_ID) < html.index(OLD_ID)  # 2024-06-28 before 2024-05-02
    assert "28 tháng 6, 2024" in html  # Babel's long date in Vietnamese
    assert "Tiếng Anh" in html and "Tiếng Khmer" in html and "Chưa xuất bản" in html and "40%" in html
    assert "Tin cũ &lt;b&gt;không&lt;/b&gt;" in html  # manifest text is escaped
    assert "hong" not in html  # the broken manifest is skipped, not a 500
    assert r.headers["vary"] == "Accept-Language"


def test_bulletin_page_has_pdfs_previews_audio_captions_transcript_pack(client) -> None:
    r = client.get(f"/vi/{SAMPLE_ID}/vi/")
    assert r.status_code == 200
    html = r.text
    assert f'<source src="{MP3}" type="audio/mpeg">' in html
    assert f'<track kind="captions" srclang="vi" label="Tiếng Việt" src="/{SAMPLE_ID}/vi/{SAMPLE_ID}.vi.vtt" default>' in html
    assert '<audio controls preload="metadata"' in html
    assert "Bản đọc máy (chất lượng thấp)" in html  # espeak reading is labelled
    assert f'href="{PDF}"' in html and 'alt="Trang 1 của bản in A4 (bảng tin)"' in html
    assert "Số trang: 2" in html or "Số trang: 1" in html
    assert '<div class="transcript" id="readalong-text" lang="vi">' in html and "Hội nghị triển khai nhiệm vụ quý III." in html
    assert f'href="/packs/{SAMPLE_ID}.zip"' in html
    assert quote(VI_TRANSCRIPT_NAME) in html


def test_english_page_marks_fragments_and_uses_preview_key(client) -> None:
    html = client.get(f"/en/{SAMPLE_ID}/en/").text
    assert '<html lang="en">' in html
    assert f'<h1 lang="en">{EN_TITLE}</h1>' in html
    assert "Listen to the reading" in html and "Download PDF" in html
    # Untranslated words fall back to Vietnamese and say so; the fuzzy entry is not used.
    assert '<span lang="vi">Tải gói phát thanh (ZIP)</span>' in html
    assert f"/{SAMPLE_ID}/en/{SAMPLE_ID}.en.a5.png" in html  # preview from the pdf's ``preview`` key
    assert "Machine reading" not in html  # the gtts reading is not degraded
    assert "June 28, 2024" in html


def test_language_by_accept_language_link_and_query(client) -> None:
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,vi;q=0.5"}).text
    assert '<html lang="vi">' in client.get("/", headers={"Accept-Language": "fr, vi;q=0.3"}).text
    assert '<html lang="vi">' in client.get("/", headers={"Accept-Language": "de"}).text
    r = client.get(f"/{SAMPLE_ID}/vi/?lang=en", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/en/{SAMPLE_ID}/vi/"
    html = client.get("/vi/", headers={"Accept-Language": "en"}).text
    assert '<html lang="vi">' in html and 'href="/en/" lang="en" hreflang="en"' in html


def test_file_headers_disposition_and_validators(client) -> None:
    manifest = json.loads((client.app.state.portal.config.outputs / SAMPLE_ID / "manifest.json").read_text(encoding="utf-8"))
    sha = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    r = client.get(PDF)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF-")
    assert r.headers["etag"] == f'"{sha[PDF.split("/", 2)[2]]}"'
    assert r.headers["last-modified"] == "Fri, 28 Jun 2024 09:30:00 GMT"
    assert r.headers["content-disposition"] == f"attachment; filename=\"{SAMPLE_ID}.vi.a4.pdf\"; filename*=UTF-8''{SAMPLE_ID}.vi.a4.pdf"
    assert client.get(PDF, headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    assert client.get(PDF, headers={"If-None-Match": '"other", W/' + r.headers["etag"]}).status_code == 304
    assert client.get(PDF, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(PDF, headers={"If-Modified-Since": "Sat, 29 Jun 2024 00:00:00 GMT"}).status_code == 304
    assert client.get(PDF, headers={"If-Modified-Since": "Thu, 27 Jun 2024 00:00:00 GMT"}).status_code == 200
    t = client.get(f"/{SAMPLE_ID}/{quote(VI_TRANSCRIPT_NAME)}")
    assert t.headers["content-type"] == "text/plain; charset=utf-8" and "quý III" in t.text
    cd = t.headers["content-disposition"]
    assert cd.startswith('attachment; filename="ban_doc_2024-06-28') and "filename*=UTF-8''b%E1%BA%A3n%20%C4%91%E1%BB%8Dc%20" in cd
    assert cd.isascii()
    vtt = client.get(f"/{SAMPLE_ID}/vi/{SAMPLE_ID}.vi.vtt")
    assert vtt.headers["content-type"].startswith("text/vtt") and vtt.text.startswith("WEBVTT")
    png = client.get(f"/{SAMPLE_ID}/en/{SAMPLE_ID}.en.a5.png")
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG") and len(png.headers["etag"]) == 66
    m = client.get(f"/{SAMPLE_ID}/manifest.json")
    assert m.headers["content-type"] == "application/json" and m.json()["bulletin"]["id"] == SAMPLE_ID


def test_audio_range_requests(client) -> None:
    full = client.get(MP3)
    size = len(full.content)
    assert full.headers["content-type"] == "audio/mpeg" and full.headers["accept-ranges"] == "bytes"
    r = client.get(MP3, headers={"Range": "bytes=0-99"})
    assert r.status_code == 206 and r.headers["content-range"] == f"bytes 0-99/{size}" and r.content == full.content[:100]
    tail = client.get(MP3, headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.content == full.content[-50:]
    bad = client.get(MP3, headers={"Range": f"bytes={size + 10}-"})
    assert bad.status_code == 416 and bad.headers["content-range"] == f"bytes */{size}"
    stale = client.get(MP3, headers={"Range": "bytes=0-9", "If-Range": '"not-the-etag"'})
    assert stale.status_code == 200 and len(stale.content) == size


async def _raw_get(app, raw_path: bytes) -> int:
    """Send a request path exactly as given (no client-side normalization of ``..``)."""
    from urllib.parse import unquote_to_bytes

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote_to_bytes(raw_path).decode("utf-8", "replace"),
        "raw_path": raw_path,
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8080),
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


@pytest.mark.parametrize(
    "raw",
    [
        f"/{SAMPLE_ID}/secret.txt",
        f"/{SAMPLE_ID}/../{OLD_ID}/manifest.json",
        f"/{SAMPLE_ID}/vi/../secret.txt",
        f"/{SAMPLE_ID}/%2e%2e/%2e%2e/etc/passwd",
        f"/{SAMPLE_ID}/vi%2f..%2fsecret.txt",
        f"/{SAMPLE_ID}/..%5csecret.txt",
        f"/{SAMPLE_ID}/vi\\..\\secret.txt",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/etc/passwd",
        f"/{SAMPLE_ID}/en/../secret.txt",
        "/2024-07-01-hong/",
        "/2024-07-01-hong/manifest.json",
        "/no-such-id/vi/",
        "/packs/../manifest.json",
        "/packs/nope.zip",
        "/feed/km.xml",
        "/feed/../../etc/passwd.xml",
        f"/{SAMPLE_ID}/km/",  # a skipped locale has no page
        "/%00/",
        "/C:/Windows/win.ini",
    ],
)
def test_traversal_and_unknown_paths_are_404(client, raw: str) -> None:
    assert asyncio.run(_raw_get(client.app, raw.encode())) == 404


def test_only_get_and_head(client) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        assert client.request(method, "/").status_code == 405
        assert client.request(method, PDF).status_code == 405
    head = client.head(PDF)
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 1000


def test_redirects_locale_without_slash(client) -> None:
    r = client.get(f"/{SAMPLE_ID}/vi", follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == f"/{SAMPLE_ID}/vi/"


def test_khmer_page_loads_the_khmer_web_font(client) -> None:
    from bantin.portal.static import khmer_font

    html = client.get("/km/").text
    font = "/" + khmer_font().path
    assert f'src: url("{font}") format("woff2"); unicode-range: U+1780-17FF' in html
    assert 'font-family: "Noto Sans", "Noto Sans Khmer"' in html
    assert 'lang="km"' in html  # the menu's Khmer name, which the font now draws
    r = client.get(font)
    assert r.status_code == 200 and r.headers["content-type"] == "font/woff2" and r.content[:4] == b"wOF2"
    assert "immutable" in r.headers["cache-control"] and r.headers["x-content-type-options"] == "nosniff"
    assert client.get(font, headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    assert "font-src 'self'" in client.get("/km/").headers["content-security-policy"]


def test_favicon_cover_and_readalong_script_are_served(client) -> None:
    html = client.get(f"/{SAMPLE_ID}/vi/").text
    assert '<link rel="icon" href="/favicon.ico"' in html
    ico = client.get("/favicon.ico")
    assert ico.status_code == 200 and ico.headers["content-type"] == "image/x-icon"
    cover = client.get("/cover.png")
    assert cover.status_code == 200 and cover.headers["content-type"] == "image/png" and cover.content[:8] == b"\x89PNG\r\n\x1a\n"
    script = re.search(r'<script src="(/static/readalong-[0-9a-f]+\.js)" defer></script>', html)
    assert script and client.get(script.group(1)).headers["content-type"].startswith("text/javascript")
    assert "data-readalong" in html and 'id="readalong-toggle"' in html
    assert "<script" not in client.get(f"/{OLD_ID}/vi/").text  # no reading, no read-along
    assert client.get("/en/favicon.ico").status_code == 404
