"""The portal in a real browser: Debian's Chromium driven by Playwright, checked with axe.

Never downloads a browser: it uses /usr/bin/chromium (``make`` installs the
Debian package) and skips, saying why, only when that is missing.  Screenshots
of every page land in ``test-artifacts/portal/`` (git-ignored).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from portal_names import SAMPLE_ID

from testing_utils import CHROMIUM, ROOT, assert_axe_clean, chromium, screenshot

ARTIFACTS = ROOT / "test-artifacts" / "portal"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium; `make test` does it)"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, live_portal: str):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1100, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


def _shot(pg, name: str) -> None:
    screenshot(pg, ARTIFACTS, name)


def _axe(pg) -> None:
    assert_axe_clean(pg)


def test_index_to_bulletin_audio_captions_pdf(page, live_portal: str) -> None:
    page.goto(live_portal + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h1").inner_text() == "Các bản tin"
    _shot(page, "index-vi")
    _axe(page)

    page.locator("ol.bulletins h2 a").first.click()
    page.wait_for_url(f"**/{SAMPLE_ID}/vi/")
    assert page.locator("h1").get_attribute("lang") == "vi"
    audio = page.locator("audio")
    page.wait_for_function("document.querySelector('audio').readyState >= 1", timeout=15000)
    assert audio.evaluate("a => a.duration") > 0.5
    assert audio.evaluate("a => a.textTracks.length") == 1
    assert audio.evaluate("a => a.textTracks[0].kind") == "captions"
    assert audio.evaluate("a => a.textTracks[0].language") == "vi"
    cues = page.wait_for_function("() => { const t = document.querySelector('track'); return t.readyState === 2 && t.track.cues.length; }", timeout=15000)
    assert cues.json_value() == 2  # the WebVTT file loaded and parsed
    assert page.locator(".badge").inner_text() == "Bản đọc máy (chất lượng thấp)"
    preview = page.locator("img").first
    assert preview.get_attribute("alt") and preview.evaluate("i => i.complete && i.naturalWidth > 0")

    pdf_href = page.locator("a", has_text="Tải PDF").first.get_attribute("href")
    response = page.request.get(live_portal + pdf_href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
    _shot(page, "bulletin-vi")
    _axe(page)


def test_english_pages_and_axe(page, live_portal: str) -> None:
    page.goto(live_portal + "/")
    page.locator("nav.lang a[lang=en]").click()
    page.wait_for_url("**/en/")
    assert page.locator("html").get_attribute("lang") == "en" and page.locator("h1").inner_text() == "Bulletins"
    _shot(page, "index-en")
    _axe(page)
    page.goto(f"{live_portal}/en/{SAMPLE_ID}/en/")
    assert page.locator("h1").get_attribute("lang") == "en"
    _shot(page, "bulletin-en")
    _axe(page)


def test_keyboard_reaches_links_with_visible_focus(page, live_portal: str) -> None:
    page.goto(live_portal + "/")
    page.keyboard.press("Tab")
    skip = page.evaluate("() => document.activeElement.getAttribute('href')")
    assert skip == "#main"
    assert page.evaluate("() => getComputedStyle(document.activeElement).top") != "-64px"  # the skip link shows itself
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        info = page.evaluate(
            "() => { const e = document.activeElement, s = getComputedStyle(e);"
            " return {tag: e.tagName, href: e.getAttribute('href'), style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"
        )
        if info["tag"] == "BODY":  # past the last link: focus left the page
            break
        seen.append(info)
        assert info["tag"] in ("A", "AUDIO", "INPUT", "BUTTON"), info  # links, the player, the search form
        assert info["style"] != "none" and info["width"] >= 2, info
    assert len(seen) >= 8 and any(i["href"] and SAMPLE_ID in i["href"] for i in seen)
    # Enter follows the focused bulletin link.
    page.focus(f"ol.bulletins a[href='/{SAMPLE_ID}/vi/']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{SAMPLE_ID}/vi/")
    _shot(page, "bulletin-vi-keyboard")


def _current_cue(pg) -> str | None:
    return pg.evaluate("() => { const s = document.querySelector('.readalong-current'); return s && s.dataset.cue; }")


def test_read_along_highlights_the_cue_being_read(page, live_portal: str) -> None:
    page.goto(f"{live_portal}/{SAMPLE_ID}/vi/")
    page.wait_for_function("() => document.querySelectorAll('#readalong-text .readalong-cue').length === 2", timeout=15000)
    page.set_viewport_size({"width": 1100, "height": 480})
    assert page.evaluate("() => document.querySelector('#readalong-text').getBoundingClientRect().top > innerHeight")  # below the fold
    spans = page.locator("#readalong-text .readalong-cue")
    assert spans.nth(0).inner_text() == "Sáng 28/6/2024, Ban Dân vận Tỉnh ủy"
    assert spans.nth(1).inner_text() == "tổ chức hội nghị giao ban."
    assert page.locator("#readalong-text [aria-live]").count() == 0  # the highlight is never announced
    assert _current_cue(page) is None  # nothing is highlighted before the reading starts
    toggle = page.locator("#readalong-toggle")
    assert toggle.is_visible() and toggle.is_checked()

    audio = page.locator("audio")
    # The reading plays (muted): the highlight starts on the first cue and moves on by itself to the second.
    # A MutationObserver records every highlight, so a slow test machine cannot miss the first one.
    page.evaluate(
        "() => { window.seen = []; new MutationObserver(ms => ms.forEach(m => { if (m.target.classList.contains('readalong-current'))"
        " window.seen.push(m.target.dataset.cue); })).observe(document.getElementById('readalong-text'),"
        " {subtree: true, attributes: true, attributeFilter: ['class']}); }"
    )
    played = audio.evaluate("a => { a.muted = true; a.currentTime = 0; return a.play().then(() => true, () => false); }")
    assert played, "the browser refused to play the muted reading"
    page.wait_for_function("() => window.seen.includes('1')", timeout=15000)
    assert page.evaluate("() => window.seen") == ["0", "1"]
    assert _current_cue(page) == "1"
    in_view = "() => { const r = document.querySelector('.readalong-current').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    page.wait_for_function(in_view, timeout=5000)  # kept in view (the transcript starts below the fold)
    assert audio.evaluate("a => a.currentTime") >= 1.5
    audio.evaluate("a => a.pause()")
    assert page.locator(".readalong-current").count() == 1
    _shot(page, "bulletin-vi-readalong")
    _axe(page)

    # Switched off with the keyboard: no highlight, and the choice survives a reload.
    toggle.focus()
    page.keyboard.press("Space")
    assert not toggle.is_checked() and page.locator(".readalong-current").count() == 0
    page.reload()
    page.wait_for_function("() => document.querySelectorAll('#readalong-text .readalong-cue').length === 2", timeout=15000)
    assert not page.locator("#readalong-toggle").is_checked()
    page.locator("audio").evaluate("a => { a.currentTime = 0.3; a.dispatchEvent(new Event('timeupdate')); }")
    page.wait_for_timeout(300)
    assert _current_cue(page) is None
    page.locator("#readalong-toggle").check()
    page.wait_for_function("() => document.querySelector('.readalong-current')?.dataset.cue === '0'", timeout=10000)


def test_khmer_page_renders_with_the_web_font(page, live_portal: str) -> None:
    page.goto(f"{live_portal}/km/")
    page.wait_for_function("() => document.fonts.ready.then(() => true)")
    loaded = page.evaluate(
        "async () => { await document.fonts.load('16px \"Noto Sans Khmer\"', 'ខ្មែរ');"
        " await document.fonts.load('bold 16px \"Noto Sans Khmer\"', 'ខ្មែរ');"
        " return [...document.fonts].filter(f => f.family.includes('Noto Sans Khmer') && f.status === 'loaded').map(f => f.weight).sort(); }"
    )
    assert loaded == ["400", "700"]
    _axe(page)


def test_month_archive_and_search_by_keyboard_with_axe(page, live_portal: str) -> None:
    page.goto(live_portal + "/")
    page.locator("a", has_text="Lưu trữ theo tháng").click()
    page.wait_for_url("**/archive/")
    _shot(page, "archive-vi")
    _axe(page)
    page.locator("ul.months a").first.click()
    page.wait_for_url("**/archive/2024-06/")
    assert page.locator("ol.bulletins h2 a").count() == 1
    _axe(page)
    page.goto(f"{live_portal}/en/")
    page.locator("#q").fill("hoi nghi")  # no accents: still found
    page.keyboard.press("Enter")
    page.wait_for_url("**/en/search/?q=hoi+nghi")
    assert page.locator("ol.bulletins h2 a").count() == 1 and page.locator("#q").input_value() == "hoi nghi"
    _shot(page, "search-en")
    _axe(page)
