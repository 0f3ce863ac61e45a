"""Rendering in this process: text and diacritics, reproducible bytes, missing photos, the one-page A4 poster."""

from __future__ import annotations

import dataclasses
import unicodedata
from pathlib import Path

import pytest
from PIL import Image

from bantin.content.model import Paragraph, Photo
from bantin.errors import RenderError
from bantin.render import pdf as render_module
from bantin.render.pdf import render_pdf
from bantin.render.profiles import PROFILES
from testing_utils import SAMPLE_TITLE, body_size, char_sizes, pdf_text


def _with_body(variant, body: tuple) -> object:
    return dataclasses.replace(variant, bulletin=dataclasses.replace(variant.bulletin, body=body))


def test_text_extracts_with_every_diacritic(sample_pdf, sample_bulletin) -> None:
    text = pdf_text(sample_pdf.path)
    assert unicodedata.is_normalized("NFC", text)
    assert SAMPLE_TITLE in text
    for p in sample_bulletin.paragraphs:
        assert p.text in text
    assert "Trang 1/1" in text  # localized page numbers
    assert "Trung tâm Văn hóa - Thể thao và Truyền thông" in text


def test_rerender_is_byte_identical_and_not_rewritten(sample_variant, sample_pdf) -> None:
    mtime = sample_pdf.path.stat().st_mtime_ns
    again = render_pdf(sample_variant, "a4", sample_pdf.path)
    assert again.sha256 == sample_pdf.sha256
    assert sample_pdf.path.stat().st_mtime_ns == mtime
    other = sample_pdf.path.with_name("copy.pdf")
    assert render_pdf(sample_variant, "a4", other).sha256 == sample_pdf.sha256
    forced = sample_pdf.path.with_name("forced.pdf")
    assert render_pdf(sample_variant, "a4", forced, force=True).sha256 == sample_pdf.sha256


def test_rendering_logs_nothing_unexpected(sample_variant, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Like WeasyPrint's own tests: a clean render emits no warnings or errors (an ignored font would)."""
    with caplog.at_level("WARNING"):
        render_pdf(sample_variant, "a4", tmp_path / "clean.pdf")
    assert [r.getMessage() for r in caplog.records if r.levelno >= 30] == []


# --------------------------------------------------------------------------- photos


def test_a_photo_in_the_asset_folder_is_printed(sample_variant, tmp_path: Path) -> None:
    """The control for the failures below: a real photo renders, with its alt text."""
    assets = tmp_path / "assets"
    assets.mkdir()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(assets / "anh-1.png")
    variant = _with_body(sample_variant, (Paragraph("Đoạn văn."), Photo("Chú thích ảnh", "Ảnh đỏ", src="anh-1.png")))
    result = render_pdf(variant, "a4", tmp_path / "photo.pdf", assets)
    assert "Chú thích ảnh" in pdf_text(result.path) and result.refused_urls == ()
    assert _image_sizes(result.path) == [(40, 30)]


def _image_sizes(path: Path) -> list[tuple[int, int]]:
    """(width, height) of every raster image in the PDF."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        return [(int(obj.Width), int(obj.Height)) for obj in pdf.objects if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == pikepdf.Name.Image]


def test_a_missing_photo_fails_the_output(sample_variant, tmp_path: Path) -> None:
    assets = tmp_path / "assets"
    assets.mkdir()
    variant = _with_body(sample_variant, (Paragraph("Một."), Paragraph("Hai."), Photo("Chú thích", "Ảnh", src="anh-3.jpg")))
    with pytest.raises(RenderError) as caught:
        render_pdf(variant, "a4", tmp_path / "out.pdf", assets)
    message = str(caught.value)
    assert message == f"out.pdf: body[2].image: photo file {assets / 'anh-3.jpg'} is missing. Put the file there or fix src in the bulletin"
    assert "\n" not in message and not (tmp_path / "out.pdf").exists()


def test_a_photo_that_is_not_an_image_fails_the_output(sample_variant, tmp_path: Path) -> None:
    """WeasyPrint only logs an ERROR for an unreadable image; bantin turns that into a failed output."""
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "anh.jpg").write_bytes(b"this is not a JPEG")
    (assets / "hong.svg").write_text("<svg")
    for src in ("anh.jpg", "hong.svg"):
        variant = _with_body(sample_variant, (Paragraph("Đoạn văn."), Photo("Chú thích", "Ảnh", src=src)))
        with pytest.raises(RenderError, match=rf"^bad\.pdf: body\[1\]\.image: photo file {assets / src} could not be loaded \(.+\)\. Replace it"):
            render_pdf(variant, "a4", tmp_path / "bad.pdf", assets)
        assert not (tmp_path / "bad.pdf").exists()


def test_a_photo_without_an_asset_folder_fails_the_output(sample_variant, tmp_path: Path) -> None:
    variant = _with_body(sample_variant, (Photo("Chú thích", "Ảnh", src="anh-1.jpg"),))
    with pytest.raises(RenderError, match=r"body\[0\]\.image: src 'anh-1\.jpg' names a photo but the bulletin has no asset folder\. Put the file at content/"):
        render_pdf(variant, "a4", tmp_path / "none.pdf")


def test_a_photo_removed_after_rendering_is_not_served_from_the_cache(sample_variant, tmp_path: Path) -> None:
    assets = tmp_path / "assets"
    assets.mkdir()
    Image.new("RGB", (40, 30)).save(assets / "anh.png")
    variant = _with_body(sample_variant, (Photo("Chú thích", "Ảnh", src="anh.png"),))
    render_pdf(variant, "a5", tmp_path / "c.pdf", assets)
    (assets / "anh.png").unlink()
    with pytest.raises(RenderError, match="is missing"):
        render_pdf(variant, "a5", tmp_path / "c.pdf", assets)


# --------------------------------------------------------------------------- the one-page A4 poster


def test_the_a4_sample_fits_one_page_with_its_source_and_reading(rendered, variants, sample_bulletin, public_url: str) -> None:
    result, reading = rendered[("vi", "a4")], variants["vi"].reading
    assert reading
    assert result.pages == 1
    text = pdf_text(result.path).replace("\ufffe", "-")
    url = f"{public_url}/{sample_bulletin.id}/vi/"
    # The reading line gives the portal address of the bulletin's page (the QR code's), never the MP3's file name.
    assert f"Nguồn: {sample_bulletin.source}" in text
    assert f"Nghebảnđọc:{url}" in "".join(text.split())  # the address wraps over lines, without a hyphen
    assert ".mp3" not in text and reading not in text
    # Stepped down one step of the poster's scale (a4.css's 11 pt, then 10.5 pt), no further than it needs.
    assert body_size(result.path) == 10.5


def _long_variant(sample_variant, words: int = 1200):
    paragraphs = list(sample_variant.bulletin.paragraphs)
    body: list[Paragraph] = []
    while sum(len(p.text.split()) for p in body) < words:
        body.append(paragraphs[len(body) % len(paragraphs)])
    return _with_body(sample_variant, tuple(body))


def _counting_layouts(monkeypatch: pytest.MonkeyPatch) -> dict[float, int]:
    """Record every layout made: {body size of the step (a4.css's own 11 pt for the first): pages}."""
    tried: dict[float, int] = {}
    layout = render_module._layout

    def counted(job, prepared, fetcher, fonts, step):  # type: ignore[no-untyped-def]
        document = layout(job, prepared, fetcher, fonts, step)
        tried[step.body_pt if step else 11.0] = len(document.pages)
        return document

    monkeypatch.setattr(render_module, "_layout", counted)
    return tried


def test_a_bulletin_too_long_for_one_page_fails_with_one_line(sample_variant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tried = _counting_layouts(monkeypatch)
    variant = _long_variant(sample_variant)
    assert sum(len(p.text.split()) for p in variant.bulletin.paragraphs) >= 1200
    with pytest.raises(RenderError) as error:
        render_pdf(variant, "a4", tmp_path / "long.pdf")
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("long.pdf: bulletin '2024-06-28-hoi-nghi-giao-ban") and "(vi)" in message
    assert "'a4' poster even at 9 pt body text" in message and "Shorten the text" in message and "a5 or large-print" in message
    assert not (tmp_path / "long.pdf").exists()
    # Measured once at 11 pt, then straight to the last step: two layouts, not one per step.
    assert list(tried) == [11.0, 9.0] and tried[9.0] > 1
    # The same bulletin prints as a leaflet, on as many pages as it needs.
    assert render_pdf(variant, "a5", tmp_path / "long.a5.pdf").pages > 2


@pytest.mark.parametrize("words", [700, 800, 900])
def test_the_size_chosen_is_the_largest_step_that_fits(sample_variant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, words: int) -> None:
    """Whatever the measure guessed, the layouts made prove it: the size printed fits, the next step up did not."""
    tried = _counting_layouts(monkeypatch)
    result = render_pdf(_long_variant(sample_variant, words), "a4", tmp_path / f"w{words}.pdf")
    sizes = [step.body_pt for step in PROFILES["a4"].fit_scale]
    size = body_size(result.path)
    assert result.pages == 1 and tried[size] == 1
    assert 9.0 <= size < 11.0 and len(tried) <= 3, tried
    assert tried[sizes[sizes.index(size) - 1]] > 1, tried
    assert min(s for _, s in char_sizes(result.path)) >= 9.0 * 0.8 - 0.01  # the kicker (.8em) and captions aside, nothing under the floor


def test_the_sample_costs_one_layout_and_two_with_its_qr_code(sample_variant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, public_url: str) -> None:
    tried = _counting_layouts(monkeypatch)
    # Without a QR code the sample fits at the profile's own size: laid out once.
    result = render_pdf(sample_variant, "a4", tmp_path / "plain.pdf")
    assert tried == {11.0: 1} and result.pages == 1 and body_size(result.path) == 11.0
    tried.clear()
    # The QR panel takes a few lines: measured at 11 pt, set one step down.
    assert render_pdf(sample_variant, "a4", tmp_path / "qr.pdf", public_url=public_url).pages == 1
    assert tried == {11.0: 2, 10.5: 1}


def test_a_refused_photo_is_recorded_once_however_many_layouts(sample_variant, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The sample needs two layouts to fit A4; the refusal is still recorded and logged once, and the output is made."""
    assets = tmp_path / "assets"
    assets.mkdir()
    (tmp_path / "secret.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    body = (*sample_variant.bulletin.body, Photo("Chú thích", "Ảnh ngoài thư mục", src="../secret.svg"))
    with caplog.at_level("WARNING"):
        result = render_pdf(_with_body(sample_variant, body), "a4", tmp_path / "refused.pdf", assets)
    assert result.pages == 1 and body_size(result.path) < 11.0  # fitted: more than one layout
    assert result.refused_urls == ((tmp_path / "secret.svg").as_uri(),)
    assert sum(r.name == "bantin.render" and "refused to fetch" in r.getMessage() for r in caplog.records) == 1
