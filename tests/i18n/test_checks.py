"""Catalogs are checked before use: syntax, charset and placeholders, one line per problem, in every command and in localize."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bantin.content.bulletin_file import load_bulletin
from bantin.i18n.catalogs import bulletin_po_path, chrome_po_path, read_catalog, write_catalog
from bantin.i18n.checks import CatalogCharsetError, CatalogSyntaxError, PlaceholderError, placeholder_problems
from bantin.i18n.commands import RefusedFilesError, compile_catalogs, extract, update
from bantin.i18n.localize import localize
from bantin.i18n.translations import load_translations
from testing_utils import SAMPLE_ID, SHIPPED_LOCALES

HEADER = 'msgid ""\nmsgstr ""\n"Language: en\\n"\n"Content-Type: text/plain; charset={charset}\\n"\n\n'
BRACE = "Trang {page}/{pages}"
PERCENT = "đã dịch %(percent)s"
SHORT = "id: 2024-07-02-tin-ngan\nlanguage: vi\ntitle: Tin ngắn\ndate: 2024-07-02\nbody:\n  - paragraph: Một đoạn tin ngắn, tăng 5% so với quý trước.\n"


@pytest.fixture
def project(tmp_path: Path, sample_yaml: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A project (vi, en, cmo configs; km and rad from the package) whose catalogs ``extract`` and ``update`` made; cwd is its folder."""
    root, content = tmp_path / "locales", tmp_path / "content"
    for code in ("vi", "en", "cmo"):
        (root / code).mkdir(parents=True)
        shutil.copy(SHIPPED_LOCALES / code / "locale.yaml", root / code / "locale.yaml")
    shutil.copy(SHIPPED_LOCALES / "chrome.pot", root / "chrome.pot")
    content.mkdir()
    shutil.copy(sample_yaml, content / sample_yaml.name)
    (tmp_path / "bantin.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1719532800")
    monkeypatch.setenv("BANTIN_ROOT", str(tmp_path))
    monkeypatch.delenv("BANTIN_LOCALES", raising=False)
    monkeypatch.chdir(tmp_path)
    extract(root, content)
    update(root=root)
    return Path("locales"), Path("content")


def _po(path: Path, charset: str, body: str, encoding: str = "utf-8") -> Path:
    path.write_bytes((HEADER.format(charset=charset) + body).encode(encoding))
    return path


def _set(po: Path, code: str, translations: dict[str, str]) -> None:
    catalog = read_catalog(po, code)
    for msgid, msgstr in translations.items():
        catalog.get(msgid).string = msgstr
    write_catalog(po, catalog, sort=True)


def _line_of(path: Path, text: str) -> int:
    """The first line holding ``text`` that is not a comment (a fuzzy message quotes its previous msgid in ``#|``)."""
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if text in line and not line.startswith("#"))


def _break_syntax(po: Path) -> None:
    po.write_bytes(po.read_bytes().replace(b'msgctxt "title"', b'msgctxt "title"\nfoo bar', 1))


def _break_charset(po: Path) -> None:
    po.write_bytes(po.read_bytes().replace(b"charset=utf-8", b"charset=latin-1"))


# --------------------------------------------------------------------------- reading one file


@pytest.mark.parametrize(
    ("charset", "body", "error", "message"),
    [
        ("utf-8", 'msgid "a"\nfoo bar\n', CatalogSyntaxError, ":7: not valid PO: unknown or misformatted keyword (foo bar). Correct that line in a PO editor"),
        ("utf-8", 'msgid "a"\nmsgstr "b"\n\nmsgid "c"\n', CatalogSyntaxError, ":9: not valid PO: missing msgstr for msgid 'c'. Correct that line"),
        ("utf-8", 'msgid "a"\nmsgstr "b\n', CatalogSyntaxError, ':7: the quoted string is not closed (msgstr "b). Correct that line'),
        (
            "latin-1",
            'msgid "Bản tin"\nmsgstr "Bulletin"\n',
            CatalogCharsetError,
            ":4: the header declares charset=latin-1 but the text is UTF-8. Fix the header to charset=UTF-8.",
        ),
        (
            "klingon",
            'msgid "a"\nmsgstr "b"\n',
            CatalogCharsetError,
            ":4: the header declares charset=klingon, which is not a known encoding. Fix the header to charset=UTF-8",
        ),
    ],
    ids=["stray-line", "missing-msgstr", "open-quote", "latin-1-over-utf-8", "unknown-charset"],
)
def test_a_broken_file_is_one_line_with_its_line_number(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, charset, body, error, message) -> None:
    monkeypatch.chdir(tmp_path)
    path = _po(tmp_path / "en.po", charset, body)
    with pytest.raises(error) as info:
        read_catalog(path, "en")
    assert str(info.value).startswith("en.po" + message), str(info.value)
    assert "\n" not in str(info.value)


def test_bytes_the_declared_charset_cannot_decode(tmp_path: Path) -> None:
    path = tmp_path / "en.po"
    path.write_bytes(HEADER.format(charset="utf-8").encode() + 'msgid "Source"\nmsgstr "Source é"\n'.encode("latin-1"))
    with pytest.raises(CatalogCharsetError, match=r"en\.po:7: byte 0xe9 is not valid utf-8 text\. Save the file as UTF-8, with charset=UTF-8 in its header\.$"):
        read_catalog(path, "en")


def test_a_catalog_really_in_latin_1_is_read_right(tmp_path: Path) -> None:
    """The check refuses a wrong header, not a charset: Latin-1 bytes under a Latin-1 header read as the translator wrote them."""
    path = _po(tmp_path / "fr.po", "ISO-8859-1", 'msgid "Source"\nmsgstr "Source é"\n', encoding="latin-1")
    assert read_catalog(path, "en").get("Source").string == "Source é"


def test_placeholder_checks_name_the_line_and_both_placeholders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    body = (
        f'msgid "{BRACE}"\nmsgstr "Page {{page}} of {{total}}"\n\n'  # line 6: renamed
        f'msgid "{PERCENT}"\nmsgstr "translated %(percent)d"\n\n'  # line 9: other type
        '#, fuzzy\nmsgid "Trang {page}"\nmsgstr "Page {nope}"\n\n'  # fuzzy: never used, never checked
        'msgid "{n} tin"\nmsgstr "news"\n\n'  # leaving a placeholder out is allowed (as Babel's python_format)
        'msgid "100%% {n}"\nmsgstr "100%% of {n} {"\n\n'  # line 19: not a format string at all
        'msgid "%(a)s và %(b)s"\nmsgstr "%(b)s and %(a)s"\n'  # reordered names: fine
    )
    path = _po(tmp_path / "chrome.po", "utf-8", body)
    problems = [str(p) for p in placeholder_problems(read_catalog(path, "en"), path)]
    assert problems == [
        "chrome.po:6: msgstr uses {total} where the msgid has {pages}. Use the same placeholders as the msgid.",
        "chrome.po:9: msgstr uses %(percent)d where the msgid has %(percent)s. Use the same placeholders as the msgid.",
        "chrome.po:19: msgstr is not a valid format string (Single '{' encountered in format string). "
        "Write a literal brace as {{ or }}, and the same placeholders as the msgid.",
    ]
    translations = load_translations(path, "en")  # bulletin text is printed as it is: no placeholder check
    assert translations[(None, BRACE)] == "Page {page} of {total}"
    with pytest.raises(PlaceholderError) as info:
        load_translations(path, "en", placeholders=True)
    assert str(info.value) == problems[0] and info.value.msgid == BRACE


@pytest.mark.parametrize("path", sorted(SHIPPED_LOCALES.glob("**/*.po*")), ids=lambda p: str(p.relative_to(SHIPPED_LOCALES)))
def test_shipped_catalogs_pass_every_check(path: Path) -> None:
    code = path.relative_to(SHIPPED_LOCALES).parts[0] if path.suffix == ".po" else None
    assert placeholder_problems(read_catalog(path, code), path) == []


# --------------------------------------------------------------------------- the commands


def test_update_and_compile_report_each_broken_catalog_and_process_the_rest(project) -> None:
    root, _content = project
    en_bulletin, cmo_bulletin = bulletin_po_path("en", SAMPLE_ID, root), bulletin_po_path("cmo", SAMPLE_ID, root)
    en_chrome, km_chrome = chrome_po_path("en", root), chrome_po_path("km", root)
    _break_syntax(en_bulletin)
    _break_charset(cmo_bulletin)
    _set(en_chrome, "en", {PERCENT: "translated %(percent)d", "Bản tin": "Bulletin"})
    _set(km_chrome, "km", {BRACE: "ទំព័រ {page}/{total}"})
    broken = {p: p.read_bytes() for p in (en_bulletin, cmo_bulletin)}
    expected = {
        f"{en_bulletin}:{_line_of(en_bulletin, 'foo bar')}: not valid PO: unknown or misformatted keyword (foo bar). "
        "Correct that line in a PO editor (Poedit, Lokalize), or delete the file and run 'bantin i18n update' to start it again.",
        f"{cmo_bulletin}:{_line_of(cmo_bulletin, 'charset=')}: the header declares charset=latin-1 but the text is UTF-8. Fix the header to charset=UTF-8.",
    }

    with pytest.raises(RefusedFilesError) as info:
        update(root=root)
    # A chrome catalog with a placeholder mismatch is still merged (the translator keeps the work); its line is the one in the merged file.
    expected |= {
        f"{en_chrome}:{_line_of(en_chrome, PERCENT)}: msgstr uses %(percent)d where the msgid has %(percent)s. Use the same placeholders as the msgid.",
        f"{km_chrome}:{_line_of(km_chrome, BRACE)}: msgstr uses {{total}} where the msgid has {{pages}}. Use the same placeholders as the msgid.",
    }
    assert {str(p) for p in info.value.problems} == expected
    done = {c.path for c in info.value.changes}
    assert en_chrome in done and km_chrome in done and bulletin_po_path("km", SAMPLE_ID, root) in done  # the others were merged
    assert not done & set(broken) and {p: p.read_bytes() for p in broken} == broken  # the broken files are left as they are
    assert read_catalog(en_chrome, "en").get("Bản tin").string == "Bulletin"  # the bad translation's neighbours are kept

    with pytest.raises(RefusedFilesError) as info:
        compile_catalogs(root)
    assert {str(p) for p in info.value.problems} == expected
    mo = {c.path for c in info.value.changes}
    assert chrome_po_path("cmo", root).with_suffix(".mo") in mo and bulletin_po_path("km", SAMPLE_ID, root).with_suffix(".mo") in mo
    assert not any(p.with_suffix(".mo").exists() for p in (*broken, en_chrome, km_chrome))  # as msgfmt --check: no .mo from a bad catalog

    result = CliRunner(mix_stderr=False).invoke(_cli(), ["i18n", "compile"])
    assert result.exit_code == 2
    assert sorted(line for line in result.stderr.splitlines()) == sorted(f"bantin: error: {line}" for line in expected)
    assert "notchanged locales/cmo/LC_MESSAGES/chrome.mo" in result.stdout


def _cli():
    from bantin.cli import cli

    return cli


def test_extract_reports_each_invalid_bulletin_and_goes_on(project) -> None:
    root, content = project
    (content / "2024-07-02-tin-ngan.yaml").write_text(SHORT, encoding="utf-8")
    (content / "2024-07-01-hong.yaml").write_text('id: 2024-07-01-hong\ntitle: "không đóng\ndate: 2024-07-01\n', encoding="utf-8")
    (content / "2024-07-03-thieu.yaml").write_text("id: 2024-07-03-thieu\nlanguage: vi\n", encoding="utf-8")
    with pytest.raises(RefusedFilesError) as info:
        extract(root, content)
    lines = [str(p) for p in info.value.problems]
    assert len(lines) == 2 and "\n" not in "".join(lines)
    assert lines[0].startswith("content/2024-07-01-hong.yaml:4: field '(syntax)': YAML syntax error")
    assert lines[1].startswith("content/2024-07-03-thieu.yaml") and "missing" in lines[1]
    assert {c.path.name for c in info.value.changes} == {"chrome.pot", f"{SAMPLE_ID}.pot", "2024-07-02-tin-ngan.pot"}
    assert (root / "bulletins" / "2024-07-02-tin-ngan.pot").is_file()

    result = CliRunner(mix_stderr=False).invoke(_cli(), ["i18n", "extract"])
    assert result.exit_code == 2
    assert "notchanged locales/bulletins/2024-07-02-tin-ngan.pot" in result.stdout
    errors = result.stderr.splitlines()
    assert len(errors) == 2 and all(line.startswith("bantin: error: ") for line in errors)
    assert "2024-07-01-hong.yaml:4: field '(syntax)': YAML syntax error" in errors[0] and "2024-07-03-thieu.yaml" in errors[1]


# --------------------------------------------------------------------------- localize (publish)


def test_a_broken_catalog_fails_its_locale_only(project, sample_bulletin) -> None:
    root, _content = project
    en_bulletin = bulletin_po_path("en", SAMPLE_ID, root)
    catalog = read_catalog(en_bulletin, "en")
    for m in catalog:
        if m.id:
            m.string = f"EN {m.context}"
    write_catalog(en_bulletin, catalog, sort=False)
    assert localize(sample_bulletin, "en", root).coverage.translated == 9

    _break_charset(en_bulletin)  # was: exit 0 and "0 of 9 messages translated"
    with pytest.raises(
        CatalogCharsetError, match=r"bulletins/.*\.po:\d+: the header declares charset=latin-1 but the text is UTF-8\. Fix the header to charset=UTF-8\.$"
    ):
        localize(sample_bulletin, "en", root)
    assert localize(sample_bulletin, "km", root).locale.code == "km"  # the other locales go on

    en_bulletin.write_bytes(en_bulletin.read_bytes().replace(b"charset=latin-1", b"charset=utf-8"))
    _set(chrome_po_path("en", root), "en", {BRACE: "Page {page} of {total}"})  # was: "Page 1 of {total}" printed
    with pytest.raises(PlaceholderError) as info:
        localize(sample_bulletin, "en", root)
    line = _line_of(chrome_po_path("en", root), BRACE)
    assert (
        str(info.value)
        == f"locales/en/LC_MESSAGES/chrome.po:{line}: msgstr uses {{total}} where the msgid has {{pages}}. Use the same placeholders as the msgid."
    )
    assert localize(sample_bulletin, "cmo", root).coverage.total == 9

    _break_syntax(en_bulletin)
    with pytest.raises(CatalogSyntaxError, match=r"\.po:\d+: not valid PO: unknown or misformatted keyword \(foo bar\)"):
        localize(sample_bulletin, "en", root)


def test_bulletin_text_with_a_percent_sign_is_not_a_placeholder(project) -> None:
    """``5% so với`` looks like ``% s`` to Babel: bulletin catalogs are never placeholder-checked, so its translation is used."""
    root, content = project
    (content / "2024-07-02-tin-ngan.yaml").write_text(SHORT, encoding="utf-8")
    extract(root, content)
    update(["en"], root)
    po = bulletin_po_path("en", "2024-07-02-tin-ngan", root)
    catalog = read_catalog(po, "en")
    for m in catalog:
        if m.id:
            m.string = "A short item: up 5 percent on last quarter." if "5%" in m.id else "Short news"
    write_catalog(po, catalog, sort=False)
    assert {c.path for c in compile_catalogs(root, ["en"])} >= {po.with_suffix(".mo")}
    variant = localize(load_bulletin(content / "2024-07-02-tin-ngan.yaml"), "en", root)
    assert variant.bulletin.body[0].text == "A short item: up 5 percent on last quarter."
