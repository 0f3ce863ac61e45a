"""The content key and its sidecar: an unchanged PDF is skipped, any change or ``force`` renders again."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from bantin.render.cache import job_key, key_path
from bantin.render.jobs import RenderJob
from bantin.render.pdf import render_pdf
from bantin.render.profiles import PROFILES


def test_unchanged_pdf_is_skipped_and_force_rerenders(sample_variant, tmp_path: Path) -> None:
    out = tmp_path / "cache.pdf"
    first = render_pdf(sample_variant, "a5", out)
    assert not first.cached and first.preview == out.with_suffix(".png") and first.preview.is_file()
    mtime = out.stat().st_mtime_ns
    second = render_pdf(sample_variant, "a5", out)
    assert second.cached and second.sha256 == first.sha256 and second.pages == first.pages
    forced = render_pdf(sample_variant, "a5", out, force=True)
    assert not forced.cached and forced.sha256 == first.sha256
    assert out.stat().st_mtime_ns == mtime  # same bytes: not rewritten even when forced
    changed = render_pdf(sample_variant, "a5", out, print_marks=True)
    assert not changed.cached and changed.sha256 != first.sha256
    out.write_bytes(b"%PDF-1.7 tampered")
    assert not render_pdf(sample_variant, "a5", out, print_marks=True).cached


def test_job_key_is_the_key_the_sidecar_stores(sample_variant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "k.pdf"
    render_pdf(sample_variant, "a5", out)
    job = RenderJob(sample_variant, "a5", out)
    assert json.loads(key_path(out).read_text(encoding="utf-8"))["key"] == job_key(job)
    retitled = dataclasses.replace(sample_variant, bulletin=dataclasses.replace(sample_variant.bulletin, title="Khác"))
    assert job_key(RenderJob(retitled, "a5", out)) != job_key(job)
    assert job_key(RenderJob(sample_variant, "a4", out)) != job_key(job)
    # The poster's type scale is in the key: the step a bulletin is set at follows from it and the input.
    poster = RenderJob(sample_variant, "a4", out)
    before = job_key(poster)
    monkeypatch.setitem(PROFILES, "a4", dataclasses.replace(PROFILES["a4"], fit_scale=PROFILES["a4"].fit_scale[:-1]))
    assert job_key(poster) != before
    assets = tmp_path / "assets"
    assets.mkdir()
    with_assets = job_key(RenderJob(sample_variant, "a5", out, assets))
    (assets / "photo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    assert job_key(RenderJob(sample_variant, "a5", out, assets)) != with_assets
