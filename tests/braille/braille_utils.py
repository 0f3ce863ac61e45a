"""Helpers for the braille tests: the real back-translation, an accuracy measure, a half-translated English catalog."""

from __future__ import annotations

import difflib
import subprocess
import unicodedata
from collections.abc import Sequence
from pathlib import Path

#: Text units the half-translated English variant leaves in Vietnamese, and the chrome it leaves untranslated.
UNTRANSLATED_UNITS = ("place", "body.3.paragraph", "body.5.paragraph", "source")
UNTRANSLATED_CHROME = ("Nguồn", "Ảnh không có sẵn")


def back_translate(cells: Sequence[str], table: str) -> list[str]:
    """The real ``lou_translate --backward`` of each of ``cells`` (ASCII braille) with ``table``, in one run."""
    from bantin.braille.louis import DISPLAY_TABLE, escape_input

    done = subprocess.run(
        ["lou_translate", "--backward", f"{DISPLAY_TABLE},{table}"],
        input="".join(escape_input(c) + "\n" for c in cells),
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stderr == ""
    return done.stdout.split("\n")[: len(cells)]


def accuracy(pairs: Sequence[tuple[str, str]]) -> float:
    """Characters a back-translation got right: matching characters over the longer of text and back-translation, summed (NFC, spaces folded)."""
    right = total = 0
    for text, back in pairs:
        a, b = (unicodedata.normalize("NFC", " ".join(t.split())) for t in (text, back))
        right += sum(m.size for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
        total += max(len(a), len(b))
    return right / total if total else 1.0


def block_back_translation(transcribed) -> str:
    """A transcribed block read back: each piece with the table that wrote it, joined as its braille is (a blank cell, or nothing)."""
    pieces = [p for p in transcribed.pieces if p.cells]
    backs = [back_translate([p.cells], p.table)[0] for p in pieces]
    return "".join((" " if p.space_before and n else "") + back for n, (p, back) in enumerate(zip(pieces, backs, strict=True)))


def half_english_root(root: Path, bulletin) -> Path:
    """A locales root whose English catalogs translate only part of ``bulletin`` and of the chrome (the rest falls back to Vietnamese).

    Both catalogs are written to paths spelled out under ``root``: ``chrome_po_path("en", root)`` is bantin's
    own shipped file when ``root`` has none yet, and must never be written by a test.
    """
    from bantin.i18n.catalogs import read_catalog, write_catalog
    from testing_utils import ROOT, SHIPPED_LOCALES

    name = f"{bulletin.id}.po"
    catalog = read_catalog(ROOT / "locales" / "en" / "LC_MESSAGES" / "bulletins" / name, "en")
    for message in catalog:
        if message.context in UNTRANSLATED_UNITS:
            message.string = ""
    chrome = read_catalog(SHIPPED_LOCALES / "en" / "LC_MESSAGES" / "chrome.po", "en")
    for message in chrome:
        if message.id in UNTRANSLATED_CHROME:
            message.string = ""
    target = root / "en" / "LC_MESSAGES"
    write_catalog(target / "bulletins" / name, catalog, sort=False)
    write_catalog(target / "chrome.po", chrome, sort=False)
    return root
