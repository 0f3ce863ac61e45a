"""WebVTT cues read back the way bantin's readings write them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bantin.epub.cues import Cue, EpubError, parse_vtt, read_vtt
from bantin.speech.reading import TimedSegment, captions_vtt


def test_captions_written_by_a_reading_read_back_exactly() -> None:
    segments = [
        TimedSegment(0.0, 0.902, "Bản tin.", "bản tin"),
        TimedSegment(1.302, 3.385, "Lúa & ngô <mới>", "lúa và ngô mới"),
        TimedSegment(3661.5, 3662.25, "Cuối.", "cuối"),
    ]
    cues = parse_vtt(captions_vtt(segments))
    assert cues == [Cue(0.0, 0.902, "Bản tin."), Cue(1.302, 3.385, "Lúa & ngô <mới>"), Cue(3661.5, 3662.25, "Cuối.")]


def test_multi_line_cues_are_joined_and_short_times_are_read() -> None:
    cues = parse_vtt("WEBVTT\n\n00:01.000 --> 00:02.500 align:start\nhai\ndòng\n")
    assert cues == [Cue(1.0, 2.5, "hai dòng")]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("1\n00:00:00.000 --> 00:00:01.000\nx\n", "no WEBVTT header"),
        ("WEBVTT\n\n", "holds no cues"),
        ("WEBVTT\n\n00:00:02.000 --> 00:00:01.000\nx\n", "backwards"),
        ("WEBVTT\n\n00:00:02.000 --> 00:00:03.000\nx\n\n00:00:01.000 --> 00:00:04.000\ny\n", "backwards"),
    ],
)
def test_malformed_captions_are_one_line_errors(text: str, problem: str) -> None:
    with pytest.raises(EpubError, match=problem) as caught:
        parse_vtt(text, "x.vtt")
    assert "\n" not in str(caught.value) and str(caught.value).startswith("x.vtt")


def test_missing_captions_say_to_make_the_reading(tmp_path: Path) -> None:
    with pytest.raises(EpubError, match="Make the reading first"):
        read_vtt(tmp_path / "none.vtt")
