"""Shared fixtures of the speech tests."""

from __future__ import annotations

import pytest

from bantin.speech.audio import read_pcm
from bantin.speech.engines import EspeakEngine


@pytest.fixture(scope="session")
def speech(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """About 20 s of real espeak-ng speech as 44.1 kHz PCM (peaks at full scale, like every espeak reading)."""
    folder = tmp_path_factory.mktemp("speech")
    wav = folder / "espeak.wav"
    text = (
        "Hội nghị giao ban công tác dân vận các huyện ủy, thành ủy quý hai, triển khai nhiệm vụ quý ba năm hai nghìn "
        "không trăm hai mươi tư. Toàn tỉnh có sáu trên sáu xã hoàn thành kế hoạch tiêm chủng mở rộng."
    )
    EspeakEngine().synthesize(text, "vi", wav)
    return read_pcm(wav).frames
