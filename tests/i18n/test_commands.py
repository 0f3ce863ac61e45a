"""The translator's commands: extract / update / compile / status through Babel, and ``bantin i18n status``."""

from __future__ import annotations

import gettext
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bantin.content.bulletin_file import save_bulletin
from bantin.content.model import Paragraph
from bantin.i18n.catalogs import bulletin_po_path, bulletin_pot_path, chrome_po_path, read_catalog, write_catalog
from bantin.i18n.commands import compile_catalogs, extract, owns_chrome, status, update
from bantin.i18n.coverage import Coverage, bulletin_coverage
from bantin.i18n.localize import localize
from testing_utils import ROOT, SAMPLE_ID, SHIPPED_LOCALES

LOCALES = ROOT / "locales"
PLURALS = {"en": "nplurals=2; plural=(n != 1);", "km": "nplurals=1; plural=0;", "cmo": "nplurals=1; plural=0;", "rad": "nplurals=1; plural=0;"}


@pytest.fixture
def project(tmp_path: Path, sample_yaml: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A throw-away locales root (vi, en, cmo configs) and content folder holding the sample."""
    root, content = tmp_path / "locales", tmp_path / "content"
    for code in ("vi", "en", "cmo"):
        (root / code).mkdir(parents=True)
        shutil.copy(SHIPPED_LOCALES / code / "locale.yaml", root / code / "locale.yaml")
    shutil.copy(SHIPPED_LOCALES / "chrome.pot", root / "chrome.pot")  # the project owns its chrome, as after bantin init
    content.mkdir()
    shutil.copy(sample_yaml, content / sample_yaml.name)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1719532800")
    return root, content


def test_update_keeps_translations_and_marks_changed_blocks_fuzzy(project, sample_bulletin) -> None:
    root, content = project
    assert {c.path.name: c.action for c in extract(root, content)} == {"chrome.pot": "notchanged", f"{SAMPLE_ID}.pot": "create"}
    created = update(root=root)
    assert {c.action for c in created} == {"create"} and len(created) == 8  # chrome + bulletin, in en, km, cmo and rad
    assert "POT-Creation-Date: 2024-06-28 00:00+0000" in bulletin_pot_path(SAMPLE_ID, root).read_text(encoding="utf-8")

    # A translator translates every block.
    po = bulletin_po_path("en", SAMPLE_ID, root)
    catalog = read_catalog(po, "en")
    for m in catalog:
        if m.id:
            m.string = f"EN {m.context}"
    write_catalog(po, catalog, sort=False)
    assert bulletin_coverage(sample_bulletin, "en", root) == Coverage(9, 0, 0)

    # An editor changes paragraph 3 (body block 3) and the date of the run moves on.
    old_text = sample_bulletin.body[2].text
    body = list(sample_bulletin.body)
    body[2] = Paragraph(old_text.replace("quý II", "quý hai"))
    edited = sample_bulletin.__class__(**{**sample_bulletin.__dict__, "body": tuple(body)})
    save_bulletin(edited, content / f"{SAMPLE_ID}.yaml")
    mtime = chrome_po_path("en", root).stat().st_mtime_ns
    import os

    os.environ["SOURCE_DATE_EPOCH"] = "1722000000"
    extract(root, content)
    changes = {c.path: c.action for c in update(root=root)}
    assert changes[po] == "update"
    assert changes[chrome_po_path("en", root)] == "notchanged"  # only the dates would differ
    assert chrome_po_path("en", root).stat().st_mtime_ns == mtime

    merged = read_catalog(po, "en")
    changed = merged.get(body[2].text, context="body.3.paragraph")
    assert changed.fuzzy and changed.string == "EN body.3.paragraph" and changed.previous_id == [old_text]
    assert "#| msgid" in po.read_text(encoding="utf-8")
    assert all(m.string == f"EN {m.context}" and not m.fuzzy for m in merged if m.id and m.context != "body.3.paragraph")
    assert bulletin_coverage(edited, "en", root) == Coverage(8, 1, 0)
    # The fuzzy guess never reaches print: the block keeps its (new) source text.
    variant = localize(edited, "en", root=root)
    assert variant.bulletin.body[2].text == body[2].text and variant.bulletin.title == "EN title"

    # Nothing changed since: nothing is rewritten.
    before = {p: p.stat().st_mtime_ns for p in root.rglob("*.po*")}
    os.environ["SOURCE_DATE_EPOCH"] = "1730000000"
    assert {c.action for c in extract(root, content) + update(root=root)} == {"notchanged"}
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*.po*")} == before


def test_compile_gives_mo_files_gettext_reads(project) -> None:
    root, content = project
    extract(root, content)
    update(root=root)
    po = chrome_po_path("en", root)
    catalog = read_catalog(po, "en")
    catalog.get("Bản tin").string = "Bulletin"
    catalog.get("Nguồn").string = "Source?"
    catalog.get("Nguồn").flags.add("fuzzy")
    write_catalog(po, catalog, sort=True)
    changes = compile_catalogs(root)
    assert {c.action for c in changes} == {"create"} and len(changes) == 8
    with po.with_suffix(".mo").open("rb") as fh:
        translations = gettext.GNUTranslations(fh)
    assert translations.gettext("Bản tin") == "Bulletin"
    assert translations.gettext("Nguồn") == "Nguồn"  # fuzzy entries are left out
    assert {c.action for c in compile_catalogs(root)} == {"notchanged"}

    # Babel's own compiler does not skip our catalogs (their header is not fuzzy).
    from babel.messages.frontend import CommandLineInterface

    po.with_suffix(".mo").unlink()
    CommandLineInterface().run(["pybabel", "-q", "compile", "-d", str(root), "-D", "chrome", "-l", "en"])
    assert po.with_suffix(".mo").is_file()


def test_status_counts_every_catalog() -> None:
    rows = {(r.catalog, r.locale): r.coverage for r in status(LOCALES, ROOT / "content")}
    n = sum(1 for m in read_catalog(SHIPPED_LOCALES / "chrome.pot") if m.id)  # every chrome message bantin has
    assert n >= 6 and rows[("chrome", "en")] == Coverage(n, 0, 0) and rows[("chrome", "cmo")] == Coverage(0, 0, n)
    km = rows[("chrome", "km")]
    assert km.translated + km.fuzzy + km.untranslated == n and km.translated >= 8
    assert rows[(SAMPLE_ID, "en")] == Coverage(9, 0, 0)
    assert rows[(SAMPLE_ID, "km")] == Coverage(1, 0, 8)
    assert rows[(SAMPLE_ID, "cmo")] == Coverage(0, 0, 9) and rows[(SAMPLE_ID, "rad")] == Coverage(0, 0, 9)
    assert ("chrome", "vi") not in rows  # the source locale is not translated into


def test_cli_status_prints_the_table() -> None:
    from bantin.cli import cli

    result = CliRunner().invoke(cli, ["i18n", "status", "--locale", "km", "--locale", "cmo"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if " km " in line or " cmo " in line]
    assert any("11%" in line and " 1 " in line and " 8 " in line for line in lines), result.output
    assert any("0%" in line and " 9 " in line for line in lines), result.output
    bad = CliRunner().invoke(cli, ["i18n", "status", "--locale", "fr"])
    assert bad.exit_code == 2 and "Known locales: cmo, en, km, rad, vi" in bad.output


def test_commands_never_write_into_the_package(tmp_path: Path, sample_yaml: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A project without its own chrome reads bantin's shipped chrome and writes only its bulletin catalogs."""
    root, content = tmp_path / "locales", tmp_path / "content"
    (root / "en").mkdir(parents=True)
    shutil.copy(SHIPPED_LOCALES / "en" / "locale.yaml", root / "en" / "locale.yaml")
    content.mkdir()
    shutil.copy(sample_yaml, content / sample_yaml.name)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1719532800")
    assert not owns_chrome(root) and owns_chrome(SHIPPED_LOCALES)
    shipped = {p: p.read_bytes() for p in SHIPPED_LOCALES.rglob("*") if p.is_file()}
    assert [(c.action, c.path) for c in extract(root, content)] == [("create", bulletin_pot_path(SAMPLE_ID, root))]
    assert [(c.action, c.path) for c in update(["en"], root)] == [("create", bulletin_po_path("en", SAMPLE_ID, root))]
    assert chrome_po_path("en", root) == SHIPPED_LOCALES / "en" / "LC_MESSAGES" / "chrome.po"  # read from the package
    assert {p: p.read_bytes() for p in SHIPPED_LOCALES.rglob("*") if p.is_file()} == shipped
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == [
        f"bulletins/{SAMPLE_ID}.pot",
        f"en/LC_MESSAGES/bulletins/{SAMPLE_ID}.po",
        "en/locale.yaml",
    ]
