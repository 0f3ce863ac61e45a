"""The page-1 PNG preview, compared with golden images so layout regressions show up as pixel differences."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bantin.render.preview import PREVIEW_WIDTH_PX, preview_path, render_preview
from testing_utils import mean_pixel_difference

GOLDEN = Path(__file__).resolve().parent / "data" / "golden"


@pytest.mark.parametrize(("code", "profile"), [("vi", "a4"), ("vi", "large-print"), ("km", "a5")])
def test_page_one_matches_the_golden_preview(rendered, code: str, profile: str) -> None:
    """Regenerate with BANTIN_UPDATE_GOLDEN=1 (and look at the images before committing them)."""
    preview = rendered[(code, profile)].preview
    assert preview is not None and preview.is_file()
    golden = GOLDEN / f"{code}.{profile}.png"
    if os.environ.get("BANTIN_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(preview, golden)
    assert golden.is_file(), f"{golden} missing: run BANTIN_UPDATE_GOLDEN=1 pytest {__file__}"
    assert mean_pixel_difference(preview, golden) < 1.5
    # The comparison is sharp enough to see a different page.
    other = rendered[("en" if code != "en" else "vi", profile)].preview
    assert mean_pixel_difference(other, golden) >= 1.5


def test_preview_is_page_one_at_the_preview_width_and_not_rewritten(sample_pdf, tmp_path: Path) -> None:
    from PIL import Image

    png = render_preview(sample_pdf.path, tmp_path / "p.png")
    assert png == tmp_path / "p.png" and preview_path(sample_pdf.path) == sample_pdf.path.with_suffix(".png")
    with Image.open(png) as image:
        assert image.width == PREVIEW_WIDTH_PX and image.height > image.width  # portrait A4
    mtime = png.stat().st_mtime_ns
    render_preview(sample_pdf.path, png)
    assert png.stat().st_mtime_ns == mtime
