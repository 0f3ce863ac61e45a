"""The portal's own files: the Khmer web font, the favicon and the podcast cover."""

from __future__ import annotations

import io

from fontTools.ttLib import TTFont
from PIL import Image

from bantin.portal.static import cover_png, favicon_ico, khmer_font, readalong_js, static_files

KHMER_WORD = "ព្រឹត្តិបត្រ"


def test_khmer_font_is_a_reproducible_khmer_subset_in_woff2() -> None:
    font = khmer_font()
    assert font.data[:4] == b"wOF2" and font.media_type == "font/woff2"
    assert font.path.startswith("static/NotoSansKhmer-") and font.path.endswith(".woff2")
    again = khmer_font.__wrapped__()  # built afresh, not from the cache
    assert again.data == font.data and again.path == font.path
    ttf = TTFont(io.BytesIO(font.data))
    cmap = ttf.getBestCmap()
    assert all(ord(c) in cmap for c in KHMER_WORD) and 0x25CC in cmap
    assert ord("A") not in cmap  # Latin is left to Noto Sans
    assert "GSUB" in ttf and "GPOS" in ttf  # coeng stacking needs the layout tables
    assert {f.FeatureTag for f in ttf["GSUB"].table.FeatureList.FeatureRecord} >= {"pref", "blwf", "abvs", "pres"}
    assert "max-age=31536000" in font.cache


def test_cover_is_square_deterministic_and_names_the_centre() -> None:
    data = cover_png.__wrapped__("Trung tâm Văn hóa huyện Krông Nô")
    assert data == cover_png.__wrapped__("Trung tâm Văn hóa huyện Krông Nô")
    assert data != cover_png.__wrapped__("Đài Truyền thanh xã Đắk Sôr")
    img = Image.open(io.BytesIO(data))
    assert img.format == "PNG" and img.size == (1400, 1400) and img.mode == "RGB"
    assert len(img.getcolors(1400 * 1400) or []) > 2  # text drawn on the background


def test_favicon_has_the_usual_sizes() -> None:
    data = favicon_ico.__wrapped__("Trung tâm")
    assert data == favicon_ico.__wrapped__("Trung tâm")
    ico = Image.open(io.BytesIO(data))
    assert ico.format == "ICO" and {(16, 16), (32, 32), (48, 48)} <= set(ico.info["sizes"])


def test_static_files_by_path() -> None:
    files = static_files("Trung tâm")
    assert set(files) == {"favicon.ico", "cover.png", khmer_font().path, khmer_font(bold=True).path, readalong_js().path}
    assert khmer_font(bold=True).data != khmer_font().data and "Bold" in khmer_font(bold=True).path
    assert files["cover.png"].media_type == "image/png" and files["favicon.ico"].media_type == "image/x-icon"
    assert b"cuechange" in readalong_js().data and readalong_js().media_type.startswith("text/javascript")
