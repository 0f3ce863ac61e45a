"""The page-1 PNG preview beside each PDF (pypdfium2), for the portal and for layout regression tests."""

from __future__ import annotations

import io
from pathlib import Path

from bantin.fsutil import write_bytes_if_changed

__all__ = ["PREVIEW_WIDTH_PX", "preview_path", "render_preview"]

#: Width in pixels of the page-1 PNG preview.
PREVIEW_WIDTH_PX = 600


def render_preview(pdf_path: Path, png_path: Path, width_px: int = PREVIEW_WIDTH_PX) -> Path:
    """Write a PNG of page 1 of ``pdf_path``, atomically and only if changed."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf_path))
    try:
        page = doc[0]
        scale = width_px / page.get_width()
        image = page.render(scale=scale, may_draw_forms=False).to_pil().convert("RGB")
        page.close()
    finally:
        doc.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=3)  # faster than 6 and, on these pages, smaller
    write_bytes_if_changed(png_path, buffer.getvalue())
    return png_path


def preview_path(pdf_path: Path) -> Path:
    """``<id>.<locale>.<profile>.png`` beside the PDF."""
    return pdf_path.with_suffix(".png")
