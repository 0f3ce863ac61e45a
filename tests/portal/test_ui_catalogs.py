"""The portal and a broken chrome catalog: the source string for what is broken, one log line, no error page; fixes show without a restart."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from portal_names import LOCAL

PERCENT = "đã dịch %(percent)s"
EN = {"Accept-Language": "en"}


def _write_chrome(path: Path, translations: dict[str, str]) -> None:
    """Write the English chrome catalog as an editor would save it: a new file put in place of the old one."""
    catalog = Catalog(locale="en", domain="chrome")
    for msgid, msgstr in translations.items():
        catalog.add(msgid, msgstr)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        write_po(fh, catalog)
    os.replace(tmp, path)


@pytest.fixture
def locales(tmp_path: Path, en_locales: Path) -> Path:
    """A copy of the portal tests' locales, this test's own to break."""
    root = tmp_path / "locales"
    shutil.copytree(en_locales, root)
    return root


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch, portal_outputs: Path, locales: Path, tmp_path: Path) -> Iterator[object]:
    from starlette.testclient import TestClient

    from bantin.portal import PortalConfig, create_app

    monkeypatch.setenv("BANTIN_OUTPUTS", str(portal_outputs))
    monkeypatch.setenv("BANTIN_LOCALES", str(locales))
    monkeypatch.delenv("BANTIN_PUBLIC_URL", raising=False)
    (tmp_path / "packs").mkdir()
    with TestClient(create_app(PortalConfig(outputs=portal_outputs, cache_dir=tmp_path / "packs")), base_url=LOCAL) as c:
        yield c


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The portal's warnings about its words (the fixture's broken manifest has a warning of its own)."""
    return [r.getMessage() for r in caplog.records if r.name == "bantin.portal" and r.levelno >= logging.WARNING and r.module == "ui"]


def test_a_mismatched_placeholder_shows_the_source_and_a_fix_shows_without_restart(client, locales: Path, caplog: pytest.LogCaptureFixture) -> None:
    po = locales / "en" / "LC_MESSAGES" / "chrome.po"
    _write_chrome(po, {"Các bản tin": "Bulletins", PERCENT: "translated %(percent)d"})
    caplog.set_level(logging.WARNING, logger="bantin.portal")
    for _ in range(3):
        r = client.get("/", headers=EN)
        assert r.status_code == 200
        assert '<span lang="vi">đã dịch 100%</span>' in r.text  # the source string, for that message only
        assert "Bulletins" in r.text and "translated" not in r.text
    line = next(i for i, text in enumerate(po.read_text(encoding="utf-8").splitlines(), start=1) if PERCENT in text)
    assert _warnings(caplog) == [
        f"{po}:{line}: msgstr uses %(percent)d where the msgid has %(percent)s. Use the same placeholders as the msgid. "
        "The portal shows the Vietnamese source for this message until it is fixed."
    ]

    caplog.clear()
    _write_chrome(po, {"Các bản tin": "Bulletins", PERCENT: "translated %(percent)s"})
    r = client.get("/", headers=EN)
    assert r.status_code == 200 and "translated 100%" in r.text and "đã dịch" not in r.text
    assert _warnings(caplog) == []


def test_what_the_checks_cannot_see_still_never_gives_an_error_page(client, locales: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A stray ``%`` in a message without placeholders, then a file that is not valid PO: 200, the source, one log line each."""
    po = locales / "en" / "LC_MESSAGES" / "chrome.po"
    _write_chrome(po, {"Các bản tin": "All 100% of bulletins", PERCENT: "translated %(percent)s"})
    caplog.set_level(logging.WARNING, logger="bantin.portal")
    for _ in range(2):
        r = client.get("/", headers=EN)
        assert r.status_code == 200 and '<span lang="vi">Các bản tin</span>' in r.text and "translated 100%" in r.text
    assert len(_warnings(caplog)) == 1 and "the translation of 'Các bản tin' cannot be formatted" in _warnings(caplog)[0]

    caplog.clear()
    po.write_bytes(po.read_bytes() + b'\nmsgid "x"\nfoo bar\n')
    for _ in range(2):
        r = client.get("/", headers=EN)
        assert r.status_code == 200 and '<html lang="en">' in r.text and '<span lang="vi">đã dịch 100%</span>' in r.text
    (warning,) = _warnings(caplog)
    assert warning.startswith(f"{po}:") and "not valid PO: unknown or misformatted keyword (foo bar)" in warning
