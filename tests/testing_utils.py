"""Constants and helpers shared by the tests (imported as a plain module: tests/ is on pythonpath)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SAMPLE_RAW = ROOT / "content" / "raw" / "dan-van-quy-ii-2024.txt"
SAMPLE_YAML = ROOT / "content" / "2024-06-28-hoi-nghi-giao-ban-cong-tac-dan-van-cac-huyen-uy-thanh-uy-quy-ii-trien.yaml"
SAMPLE_TITLE = "Hội nghị giao ban công tác dân vận các Huyện ủy, Thành ủy quý II triển khai nhiệm vụ quý III năm 2024"


def pdf_text(path: Path) -> str:
    """All text of a PDF, whitespace folded, NFC (pypdfium2's extraction)."""
    import pypdfium2 as pdfium

    from flows.textutil import normalize_space

    pdf = pdfium.PdfDocument(str(path))
    try:
        text = " ".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()
    return normalize_space(text.replace("\r", " ").replace("\n", " "))


# Recorded gTTS exchanges (see tests/speech/data/README.md), replayed with `responses`.
SPEECH_DATA = Path(__file__).parent / "speech" / "data"
BATCHEXECUTE = re.compile(r"https://translate\.google\.[a-z.]+/_/TranslateWebserverUi/data/batchexecute")
GTTS_OK_BODY = (SPEECH_DATA / "gtts_batchexecute_200.txt").read_text(encoding="utf-8")
GTTS_TOO_MANY = (SPEECH_DATA / "gtts_batchexecute_429.html").read_text(encoding="utf-8")
