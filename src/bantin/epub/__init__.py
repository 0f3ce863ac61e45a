"""EPUB 3 with Media Overlays: a variant's text read along with its MP3 reading.

The stage entry point is :func:`make_epub`; it reads the reading's MP3 and the
WebVTT captions written beside it, so it works from the files on disk.
"""

from bantin.epub.book import EpubResult, build_epub, epub_identifier, epub_path, make_epub
from bantin.epub.cues import Cue, EpubError, parse_vtt, read_vtt

__all__ = ["Cue", "EpubError", "EpubResult", "build_epub", "epub_identifier", "epub_path", "make_epub", "parse_vtt", "read_vtt"]
