"""Catalog files: the shipped catalogs' headers, and read/write round trips through Babel."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from babel.messages import Catalog
from babel.messages.pofile import read_po

from bantin.errors import ConfigError
from bantin.i18n.catalogs import chrome_po_path, new_catalog, read_catalog, write_catalog
from bantin.i18n.locales import load_locale
from testing_utils import ROOT

LOCALES = ROOT / "locales"
PLURALS = {"en": "nplurals=2; plural=(n != 1);", "km": "nplurals=1; plural=0;", "cmo": "nplurals=1; plural=0;", "rad": "nplurals=1; plural=0;"}


def _headers(path: Path) -> dict[str, str]:
    with path.open("rb") as fh:
        catalog = read_po(fh)
    assert not catalog.fuzzy, f"{path}: fuzzy header (compile tools would skip the catalog)"
    return dict(catalog.mime_headers)


@pytest.mark.parametrize("path", sorted(LOCALES.glob("**/*.po")), ids=lambda p: str(p.relative_to(LOCALES)))
def test_shipped_catalogs_have_valid_headers(path: Path) -> None:
    code = path.relative_to(LOCALES).parts[0]
    headers = _headers(path)
    assert headers["Language"] == code
    assert headers["Plural-Forms"] == PLURALS[code]
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["Project-Id-Version"].startswith("bantin ")
    with path.open("rb") as fh:
        for m in read_po(fh):
            for text in (m.id, m.string, m.context or ""):
                assert unicodedata.is_normalized("NFC", text)


def test_shipped_chrome_is_complete_in_en_and_km() -> None:
    en = read_catalog(chrome_po_path("en", LOCALES), "en")
    assert all(m.string and not m.fuzzy for m in en if m.id)
    # Khmer: everything that reaches print and audio; the portal's and the EPUB's own words are English and Vietnamese only.
    km = read_catalog(chrome_po_path("km", LOCALES), "km")
    printed = [m for m in km if m.id and any("/portal/" not in path and "/epub/" not in path for path, _ in m.locations)]
    assert printed and all(m.string and not m.fuzzy for m in printed)
    for code in ("cmo", "rad"):  # never faked: empty until a speaker translates them
        assert not any(m.string for m in read_catalog(chrome_po_path(code, LOCALES), code) if m.id)


def test_previous_msgids_survive_a_round_trip_and_dates_alone_never_rewrite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``#| msgid`` lines are kept (one quoted string per line, as msgmerge), and a date-only change is not written."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1719532800")
    old = "Câu cũ rất dài " * 12  # longer than a PO line: Babel alone would split the quoted string
    catalog = _sample(new_catalog(load_locale("en"), "bulletins/x"), old)
    path = tmp_path / "en" / "LC_MESSAGES" / "bulletins" / "x.po"
    assert write_catalog(path, catalog, sort=False).action == "create"
    text = path.read_text(encoding="utf-8")
    previous = [line for line in text.splitlines() if line.startswith("#|")]
    assert previous[0].startswith('#| msgid ""') and all(line.startswith('#| "') and line.endswith('"') for line in previous[1:])
    back = read_catalog(path, "en")
    message = back.get("Câu mới", context="body.1.paragraph")
    assert message.previous_id == [old] and message.fuzzy and not message.user_comments
    assert write_catalog(path, back, sort=False).action == "notchanged"  # lossless: same bytes
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1730000000")
    later = _sample(new_catalog(load_locale("en"), "bulletins/x"), old)
    assert write_catalog(path, later, sort=False).action == "notchanged"
    assert "2024-06-28 00:00" in path.read_text(encoding="utf-8")  # the old dates stay: nothing was rewritten
    later.get("Câu mới", context="body.1.paragraph").string = "A new sentence"
    assert write_catalog(path, later, sort=False).action == "update"
    assert "2024-10-27 03:33" in path.read_text(encoding="utf-8")


def _sample(catalog: Catalog, old: str) -> Catalog:
    catalog.add("Câu mới", "New sentence", context="body.1.paragraph", flags=["fuzzy"], previous_id=[old])
    return catalog


def test_unreadable_catalog_is_one_config_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.po"
    for data, where in (
        (b'msgid "a"\nfoo bar\n', r"broken.po:2: not valid PO"),
        (b'msgid "a"\nmsgstr "\xff"\n', r"broken.po:2: byte 0xff"),
    ):  # a stray line; Latin-1 bytes
        path.write_bytes(data)
        with pytest.raises(ConfigError, match=where):
            read_catalog(path, "en")
