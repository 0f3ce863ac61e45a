"""Rendering in bounded child processes: same bytes as in-process, warnings relayed, time and memory bounds enforced."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bantin.content.model import Paragraph, Photo
from bantin.errors import RenderError
from bantin.render.isolation import PRELOAD, render_isolated
from bantin.render.jobs import RenderJob
from testing_utils import pdf_text


def test_the_forkserver_preloads_the_warm_up_and_with_it_weasyprint() -> None:
    import importlib
    import sys

    for name in PRELOAD:
        assert hasattr(importlib.import_module(name), "warm_up")
    assert "bantin.render.pdf" in sys.modules and "weasyprint" in sys.modules


def test_rerender_in_a_child_is_byte_identical(rendered, variants, public_url: str, tmp_path: Path) -> None:
    first = rendered[("km", "a5")]
    again = render_isolated(RenderJob(variants["km"], "a5", tmp_path / first.path.name, public_url=public_url, force=True))
    assert again.sha256 == first.sha256 and again.path.read_bytes() == first.path.read_bytes()
    assert again.preview is not None and first.preview is not None
    assert again.preview.read_bytes() == first.preview.read_bytes()


def test_refused_asset_is_logged_and_rendering_goes_on(sample_variant, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assets = tmp_path / "assets"
    assets.mkdir()
    (tmp_path / "secret.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    body = (Paragraph("Đoạn văn trước ảnh."), Photo("Chú thích", "Ảnh ngoài thư mục", src="../secret.svg"))
    variant = dataclasses.replace(sample_variant, bulletin=dataclasses.replace(sample_variant.bulletin, body=body))
    with caplog.at_level("WARNING"):
        result = render_isolated(RenderJob(variant, "a4", tmp_path / "out" / "refused.pdf", assets))
    assert result.refused_urls == ((tmp_path / "secret.svg").as_uri(),)
    assert "Đoạn văn trước ảnh." in pdf_text(result.path)
    assert any("refused to fetch" in r.getMessage() for r in caplog.records)


def test_a_missing_photo_fails_the_child_render_with_one_line(sample_variant, tmp_path: Path) -> None:
    body = (Paragraph("Đoạn văn."), Photo("Chú thích", "Ảnh", src="anh-1.jpg"))
    variant = dataclasses.replace(sample_variant, bulletin=dataclasses.replace(sample_variant.bulletin, body=body))
    (tmp_path / "assets").mkdir()
    with pytest.raises(RenderError) as caught:
        render_isolated(RenderJob(variant, "a5", tmp_path / "missing.pdf", tmp_path / "assets"))
    assert str(caught.value) == (
        f"missing.pdf: body[1].image: photo file {tmp_path / 'assets' / 'anh-1.jpg'} is missing. Put the file there or fix src in the bulletin"
    )
    assert not (tmp_path / "missing.pdf").exists()


def test_injected_markup_in_a_child_render_fetches_and_runs_nothing(sample_variant, tmp_path: Path) -> None:
    evil = '<script>document.write("x")</script><img src="file:///etc/passwd"><link rel=stylesheet href="http://example.invalid/x.css"> {{ 7*7 }}'
    b = dataclasses.replace(sample_variant.bulletin, body=(Paragraph(evil),), source=evil)
    result = render_isolated(RenderJob(dataclasses.replace(sample_variant, bulletin=b), "large-print", tmp_path / "evil.pdf"))
    text = pdf_text(result.path)
    assert '<script>document.write("x")</script>' in text and "{{ 7*7 }}" in text
    assert result.refused_urls == ()


def test_a_render_that_runs_too_long_is_stopped(sample_variant, tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"took longer than 0.01 s.*BANTIN_RENDER_TIMEOUT"):
        render_isolated(RenderJob(sample_variant, "a4", tmp_path / "slow.pdf"), timeout_s=0.01)
    assert not (tmp_path / "slow.pdf").exists()


def test_a_render_that_grows_too_big_is_stopped(sample_variant, tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"(50 MiB).*BANTIN_RENDER_MEMORY_MB"):
        render_isolated(RenderJob(sample_variant, "a4", tmp_path / "big.pdf"), memory_mb=50)
    assert not (tmp_path / "big.pdf").exists()


def test_a_child_render_follows_the_parents_settings_of_now(small_variant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The forkserver was started with an older environment and folder: each render takes the parent's current ones."""
    import pikepdf

    def created(path: Path) -> str:
        with pikepdf.open(path) as pdf:
            return str(pdf.docinfo["/CreationDate"])

    render_isolated(RenderJob(small_variant, "a5", tmp_path / "first.pdf"))  # the forkserver is up, with this environment
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1719532800")  # 2024-06-28T00:00:00Z
    monkeypatch.chdir(tmp_path)
    second = render_isolated(RenderJob(small_variant, "a5", tmp_path / "second.pdf"))
    assert created(second.path).startswith("D:20240628000000")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    third = render_isolated(RenderJob(small_variant, "a5", tmp_path / "third.pdf"))
    assert created(third.path) != created(second.path)  # the bulletin's own date, in UTC+7
