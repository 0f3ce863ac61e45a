"""Gettext catalogs, through Babel's ``babel.messages`` API only (no PO parser of our own).

Two kinds of catalog live under ``locales/``:

``chrome.pot`` and ``<code>/LC_MESSAGES/chrome.po``
    bantin's own fixed strings ("Bản tin", "Nguồn", "Trang {page}/{pages}"...),
    extracted from ``flows/**.py`` (Babel's python extractor) and the templates
    (``jinja2.ext.babel_extract``).  msgids are Vietnamese: ``vi`` is the source.
``bulletins/<id>.pot`` and ``<code>/LC_MESSAGES/bulletins/<id>.po``
    one domain per bulletin: one message per text unit (title, place, each
    paragraph, caption, alt text, list item, quote, source, byline), with the
    unit's stable key as ``msgctxt`` and its position as the translator comment.

``extract`` writes the templates, ``update`` merges them into every target
locale's catalogs (like msgmerge: translations are never lost, a changed
block becomes fuzzy with its previous msgid kept), ``compile`` writes ``.mo``
files beside the ``.po`` (git-ignored; bantin itself reads the ``.po``, so
compiling is only for other gettext tools), ``status`` counts.

Each write reports ``create`` / ``update`` / ``notchanged`` like sphinx-intl;
a catalog whose only change would be ``POT-Creation-Date`` or
``PO-Revision-Date`` is not rewritten (Sphinx's ``should_write``), and dates
come from ``SOURCE_DATE_EPOCH`` when it is set.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import denormalize, normalize, read_po, write_po

from bantin import __version__
from bantin.errors import ConfigError
from bantin.fsutil import source_date, write_bytes_if_changed
from bantin.i18n.locales import LocaleConfig, known_locales, load_locale
from bantin.content.model import Bulletin, TextUnit
from bantin.paths import PACKAGE_DIR, content_dir, locale_data, locale_layers, locales_dir

__all__ = [
    "CHROME_DOMAIN",
    "CatalogChange",
    "Coverage",
    "N_",
    "StatusRow",
    "bulletin_coverage",
    "bulletin_po_path",
    "bulletin_pot_path",
    "bulletin_template",
    "catalog_now",
    "chrome_po_path",
    "chrome_pot_path",
    "chrome_template",
    "compile_catalogs",
    "extract",
    "load_translations",
    "read_catalog",
    "status",
    "target_locales",
    "update",
]

#: gettext domain of bantin's own strings.
CHROME_DOMAIN = "chrome"
#: Line width of written catalogs (gettext's default); long paragraphs wrap, tools don't care.
PO_WIDTH = 76
#: Who the catalogs say they belong to.
PROJECT = "bantin"

_DATE_HEADER_RE = re.compile(rb'^"(?:POT-Creation-Date|PO-Revision-Date): [^"]*"$', re.MULTILINE)


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name)
    """Mark a chrome string for extraction without translating it here (the caller translates later)."""
    return message


# --------------------------------------------------------------------------- paths


def chrome_pot_path(root: Path | None = None) -> Path:
    """``locales/chrome.pot``."""
    return locale_data(f"{CHROME_DOMAIN}.pot", root)


def chrome_po_path(code: str, root: Path | None = None) -> Path:
    """``locales/<code>/LC_MESSAGES/chrome.po``."""
    return locale_data(f"{code}/LC_MESSAGES/{CHROME_DOMAIN}.po", root)


def bulletin_pot_path(bulletin_id: str, root: Path | None = None) -> Path:
    """``locales/bulletins/<id>.pot``."""
    return (root or locales_dir()) / "bulletins" / f"{bulletin_id}.pot"


def bulletin_po_path(code: str, bulletin_id: str, root: Path | None = None) -> Path:
    """``locales/<code>/LC_MESSAGES/bulletins/<id>.po`` (domain ``bulletins/<id>``)."""
    return (root or locales_dir()) / code / "LC_MESSAGES" / "bulletins" / f"{bulletin_id}.po"


def target_locales(root: Path | None = None) -> list[str]:
    """Every configured locale that is translated into (not a source locale), sorted."""
    return [c for c in known_locales(root) if not load_locale(c, root or locales_dir()).source]


# --------------------------------------------------------------------------- catalogs


@dataclass(frozen=True)
class CatalogChange:
    """What a command did to one file: ``create``, ``update`` or ``notchanged`` (sphinx-intl's words)."""

    action: str
    path: Path


def catalog_now() -> dt.datetime:
    """The catalogs' date: SOURCE_DATE_EPOCH when set (reproducible), else now; UTC, whole minutes."""
    now = source_date() or dt.datetime.now(dt.timezone.utc)
    return now.replace(second=0, microsecond=0)


def _new_catalog(config: LocaleConfig | None, domain: str) -> Catalog:
    """An empty catalog with bantin's headers; the header is *not* fuzzy, or compile tools skip it."""
    now = catalog_now()
    catalog = Catalog(
        locale=config.code if config else None,
        domain=domain,
        project=PROJECT,
        version=__version__,
        copyright_holder="bantin contributors",
        msgid_bugs_address="",
        creation_date=now,
        revision_date=now,
        last_translator="",
        language_team=f"{config.name_vi} ({config.code})" if config else "",
        charset="utf-8",
        fuzzy=False,
        header_comment=(
            f"# bantin {'chrome' if domain == CHROME_DOMAIN else 'bulletin'} messages: "
            f"{f'translations into {config.name_vi} ({config.code})' if config else 'template'}.\n"
            "# Written by 'bantin i18n'; translate with Poedit, Weblate or Lokalize."
        ),
    )
    if config is not None:
        _set_plural_forms(catalog, config)
    return catalog


def _set_plural_forms(catalog: Catalog, config: LocaleConfig) -> None:
    """Plural-Forms from CLDR; a locale Babel lacks (cmo, rad) borrows those of its ``cldr`` locale.

    M'Nông and Ê Đê, like Vietnamese (their ``cldr`` locale), do not inflect nouns
    for number, so Vietnamese's ``nplurals=1; plural=0;`` fits them.
    """
    if catalog.locale is None:
        nplurals, expr = get_plural(config.cldr)
        catalog.mime_headers = [("Plural-Forms", f"nplurals={nplurals}; plural={expr};")]


def read_catalog(path: Path, code: str | None = None) -> Catalog:
    """Parse a .po/.pot file with Babel; a malformed file is a ConfigError naming it."""
    try:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=code, domain=path.stem, abort_invalid=True)
    except Exception as exc:  # PoFileError, UnicodeDecodeError...: one message naming the file
        raise ConfigError(f"{path}: not a readable gettext catalog ({exc}). Fix it in a PO editor or delete it and run 'bantin i18n update'") from None
    _restore_previous_ids(catalog)
    return catalog


def _restore_previous_ids(catalog: Catalog) -> None:
    """Turn ``#| msgid ...`` lines back into ``previous_id``.

    Babel's ``write_po`` writes previous msgids, but its ``read_po`` reads them as
    translator comments starting with ``|``; left alone they would be rewritten as
    ``# | msgid`` and lost.  The quoted strings are decoded with Babel's own
    ``denormalize``.
    """
    for message in [*catalog, *catalog.obsolete.values()]:
        previous = [c for c in message.user_comments if c.startswith("|")]
        if not previous:
            continue
        message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
        ids: list[list[str]] = []
        for comment in previous:
            body = comment[1:].strip()
            keyword, _, rest = body.partition(" ")
            if keyword in ("msgid", "msgid_plural"):
                ids.append([rest])
            elif ids:
                ids[-1].append(body)
        message.previous_id = [denormalize("\n".join(parts)) for parts in ids]


def _po_bytes(catalog: Catalog, sort: bool) -> bytes:
    buf = io.BytesIO()
    write_po(
        buf,
        catalog,
        width=PO_WIDTH,
        sort_output=sort,
        include_previous=False,  # written by _insert_previous_ids instead, see there
        include_lineno=False,  # line numbers churn on every code edit; file names are enough
    )
    return _insert_previous_ids(buf.getvalue().decode("utf-8"), catalog).encode("utf-8")


def _insert_previous_ids(text: str, catalog: Catalog) -> str:
    """Add msgmerge's ``#| msgid "..."`` lines above each fuzzy message that has a previous msgid.

    Babel's ``include_previous`` re-wraps the previous msgid as comment text at 76
    columns, which splits quoted strings across lines (invalid for gettext tools)
    once a paragraph is long.  Here each line is one quoted string, laid out by
    Babel's own ``normalize``, exactly as msgmerge writes them.
    """
    for message in catalog:
        if not (message.id and message.fuzzy and message.previous_id):
            continue
        head = f"msgid {normalize(message.id if isinstance(message.id, str) else message.id[0], width=PO_WIDTH)}\n"
        if message.context:
            head = f"msgctxt {normalize(message.context, width=PO_WIDTH)}\n{head}"
        previous = f"#| msgid {normalize(message.previous_id[0], prefix='#| ', width=PO_WIDTH)}\n"
        at = text.find("\n" + head)
        while at != -1 and not message.context and text[:at].rsplit("\n", 1)[-1].startswith("msgctxt"):
            at = text.find("\n" + head, at + 1)
        if at != -1:
            text = text[: at + 1] + previous + text[at + 1 :]
    return text


def _without_dates(data: bytes) -> bytes:
    return _DATE_HEADER_RE.sub(b"", data)


def _write_catalog(path: Path, catalog: Catalog, sort: bool) -> CatalogChange:
    """Write ``catalog`` unless the file differs only in its dates (no timestamp churn)."""
    data = _po_bytes(catalog, sort)
    if not path.is_file():
        write_bytes_if_changed(path, data)
        return CatalogChange("create", path)
    if _without_dates(path.read_bytes()) == _without_dates(data):
        return CatalogChange("notchanged", path)
    write_bytes_if_changed(path, data)
    return CatalogChange("update", path)


# --------------------------------------------------------------------------- templates

#: Babel method map: Python sources and Jinja templates of the package.
_METHOD_MAP = [("**.py", "python"), ("**/templates/**.j2", "jinja2.ext:babel_extract")]
_OPTIONS_MAP = {"**/templates/**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}


def chrome_template() -> Catalog:
    """The chrome template, extracted from ``flows/`` with Babel's python and Jinja extractors."""
    catalog = _new_catalog(None, CHROME_DOMAIN)
    found = extract_from_dir(
        str(PACKAGE_DIR),
        method_map=_METHOD_MAP,
        options_map=_OPTIONS_MAP,
        keywords=DEFAULT_KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        if not message or (isinstance(message, str) and not message.strip()):
            continue
        location = (f"{PACKAGE_DIR.name}/{Path(filename).as_posix()}", lineno)
        catalog.add(_nfc_id(message), locations=[location], auto_comments=comments, context=context)
    return catalog


def _nfc_id(message: str | Sequence[str]) -> str | tuple[str, ...]:
    if isinstance(message, str):
        return unicodedata.normalize("NFC", message)
    return tuple(unicodedata.normalize("NFC", m) for m in message)


def _units(bulletin: Bulletin) -> Iterator[TextUnit]:
    """Text units worth translating (an empty string would be the PO header)."""
    return (u for u in bulletin.text_units() if u.text.strip())


def bulletin_template(bulletin: Bulletin) -> Catalog:
    """One message per text unit, in reading order: msgctxt = unit key, translator comment = position."""
    catalog = _new_catalog(None, f"bulletins/{bulletin.id}")
    for unit in _units(bulletin):
        catalog.add(unit.text, context=unit.key, auto_comments=[unit.position])
    return catalog


def _bulletins(content: Path | None) -> list[Bulletin]:
    from bantin.content.bulletin_file import load_bulletin

    folder = content or content_dir()
    return [load_bulletin(p) for p in sorted(folder.glob("*.yaml"))]


def owns_chrome(root: Path | None = None) -> bool:
    """Whether the chrome catalogs under ``root`` are its own to write.

    A project made by ``bantin init`` has copies of them; a project without
    them reads bantin's own and never writes into the installed package.  A
    bantin developer updates the shipped ones with
    ``BANTIN_LOCALES=src/bantin/data/locales``.
    """
    root = root or locales_dir()
    return len(locale_layers(root)) == 1 or (root / f"{CHROME_DOMAIN}.pot").is_file()


def extract(root: Path | None = None, content: Path | None = None) -> list[CatalogChange]:
    """Write ``chrome.pot`` (when the project owns its chrome) and one ``bulletins/<id>.pot`` per bulletin in ``content/``."""
    root = root or locales_dir()
    changes = [_write_catalog(chrome_pot_path(root), chrome_template(), sort=True)] if owns_chrome(root) else []
    if len(locale_layers(root)) == 1:
        return changes  # bantin's own catalogs: the package ships no bulletin
    for bulletin in _bulletins(content):
        changes.append(_write_catalog(bulletin_pot_path(bulletin.id, root), bulletin_template(bulletin), sort=False))
    return changes


# --------------------------------------------------------------------------- update


def _merge(template: Catalog, path: Path, config: LocaleConfig, by_context: bool) -> Catalog:
    """The catalog at ``path`` brought up to ``template`` (a new one when missing).

    Bulletin messages are matched by msgctxt (the block key): a block whose text
    changed keeps its old translation, marked fuzzy, with the previous msgid, so
    the translator sees what changed.  Chrome uses Babel's msgmerge-like fuzzy
    matching.  Messages that disappeared stay as obsolete entries (``#~``).
    """
    if path.is_file():
        catalog = read_catalog(path, config.code)
    else:
        catalog = _new_catalog(config, template.domain or path.stem)
    # Babel's update rebuilds the messages and forgets previous msgids it did not set itself.
    kept = {(m.id, m.context): list(m.previous_id) for m in catalog if m.id and m.fuzzy and m.previous_id}
    catalog.update(template, no_fuzzy_matching=by_context, update_header_comment=False)
    catalog.fuzzy = False
    for message in catalog:
        if not message.fuzzy:
            message.previous_id = []  # as msgmerge: only fuzzy entries show what changed
        elif not message.previous_id:
            message.previous_id = kept.get((message.id, message.context), [])
    if by_context:
        by_ctx = {m.context: key for key, m in catalog.obsolete.items() if m.context and m.string}
        for message in catalog:
            if message.id and not message.string and message.context in by_ctx:
                key = by_ctx.pop(message.context)
                old = catalog.obsolete.pop(key)
                message.string = old.string
                message.flags.add("fuzzy")
                message.previous_id = [old.id] if isinstance(old.id, str) else list(old.id)
    return catalog


def update(
    codes: Iterable[str] | None = None,
    root: Path | None = None,
) -> list[CatalogChange]:
    """Merge every template under ``locales/`` into each target locale's catalogs."""
    root = root or locales_dir()
    codes = list(codes) if codes is not None else target_locales(root)
    pot = chrome_pot_path(root)
    if not pot.is_file():
        raise ConfigError(f"{pot}: no chrome template. Run 'bantin i18n extract' first")
    chrome: list[tuple[Path, str | None]] = [(pot, None)] if owns_chrome(root) else []
    templates = chrome + [(p, p.stem) for p in sorted((root / "bulletins").glob("*.pot"))]
    changes: list[CatalogChange] = []
    for code in codes:
        config = load_locale(code, root)
        if config.source:
            continue
        for pot_path, bulletin_id in templates:
            template = read_catalog(pot_path)
            if bulletin_id is None:  # start from the catalog in effect (maybe bantin's own), write the project's
                source, po = chrome_po_path(code, root), root / code / "LC_MESSAGES" / f"{CHROME_DOMAIN}.po"
            else:
                source = po = bulletin_po_path(code, bulletin_id, root)
            catalog = _merge(template, source, config, by_context=bulletin_id is not None)
            changes.append(_write_catalog(po, catalog, sort=bulletin_id is None))
    return changes


# --------------------------------------------------------------------------- compile


def _po_files(root: Path) -> list[Path]:
    """The project's own catalogs (bantin's shipped ones are not the project's to compile)."""
    return sorted(root.glob("*/LC_MESSAGES/**/*.po"))


def compile_catalogs(root: Path | None = None, codes: Iterable[str] | None = None) -> list[CatalogChange]:
    """Write a ``.mo`` beside every ``.po`` (fuzzy entries left out, as msgfmt does)."""
    root = root or locales_dir()
    wanted = set(codes) if codes is not None else None
    changes = []
    for po in _po_files(root):
        code = po.relative_to(root).parts[0]
        if wanted is not None and code not in wanted:
            continue
        catalog = read_catalog(po, code)
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)
        mo = po.with_suffix(".mo")
        existed = mo.is_file()
        written = write_bytes_if_changed(mo, buf.getvalue())
        changes.append(CatalogChange("create" if not existed else "update" if written else "notchanged", mo))
    return changes


# --------------------------------------------------------------------------- status and lookups


@dataclass(frozen=True)
class Coverage:
    """How much of a catalog is usable: translated (non-fuzzy), fuzzy and untranslated messages."""

    translated: int
    fuzzy: int
    untranslated: int

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        """Share of messages translated and not fuzzy; an empty catalog is complete."""
        return 100.0 if self.total == 0 else 100.0 * self.translated / self.total

    def describe(self) -> str:
        return (
            f"{self.translated} of {self.total} messages translated ({self.percent:.0f}%), "
            f"{self.fuzzy} fuzzy, {self.untranslated} untranslated"
        )

    def as_dict(self) -> dict[str, float | int]:
        return {
            "translated": self.translated,
            "fuzzy": self.fuzzy,
            "untranslated": self.untranslated,
            "total": self.total,
            "percent": round(self.percent, 1),
        }


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def load_translations(path: Path, code: str) -> dict[tuple[str | None, str], str]:
    """``{(msgctxt, msgid): msgstr}`` of the translated, non-fuzzy messages of a catalog, NFC.

    Fuzzy entries are left out: they never reach print or audio.  A missing file is empty.
    """
    if not path.is_file():
        return {}
    catalog = read_catalog(path, code)
    return {
        (m.context, _nfc(m.id)): _nfc(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string.strip() and not m.fuzzy
    }


def bulletin_coverage(bulletin: Bulletin, code: str, root: Path | None = None) -> Coverage:
    """Coverage of the bulletin's *current* text by its catalog in ``code``.

    Counted against the bulletin itself, not the catalog, so a stale catalog (the
    text changed, ``update`` not run yet) never counts as complete.
    """
    path = bulletin_po_path(code, bulletin.id, root)
    catalog = read_catalog(path, code) if path.is_file() else None
    translated = fuzzy = untranslated = 0
    fuzzy_contexts = {m.context for m in catalog if m.fuzzy and m.id} if catalog else set()
    for unit in _units(bulletin):
        message = catalog.get(unit.text, context=unit.key) if catalog else None
        if message is not None and message.string and not message.fuzzy:
            translated += 1
        elif unit.key in fuzzy_contexts:
            fuzzy += 1
        else:
            untranslated += 1
    return Coverage(translated, fuzzy, untranslated)


def _catalog_coverage(catalog: Catalog) -> Coverage:
    translated = fuzzy = untranslated = 0
    for m in catalog:
        if not m.id:
            continue
        if m.fuzzy:
            fuzzy += 1
        elif m.string if isinstance(m.string, str) else all(m.string):
            translated += 1
        else:
            untranslated += 1
    return Coverage(translated, fuzzy, untranslated)


@dataclass(frozen=True)
class StatusRow:
    """One line of ``bantin i18n status``: a catalog (``chrome`` or a bulletin id) in one locale."""

    catalog: str
    locale: str
    coverage: Coverage


def status(root: Path | None = None, content: Path | None = None, codes: Iterable[str] | None = None) -> list[StatusRow]:
    """Counts for the chrome and for every bulletin in ``content/``, in every target locale."""
    root = root or locales_dir()
    codes = list(codes) if codes is not None else target_locales(root)
    rows: list[StatusRow] = []
    pot = chrome_pot_path(root)
    template = read_catalog(pot) if pot.is_file() else chrome_template()
    for code in codes:
        po = chrome_po_path(code, root)
        catalog = _merge(template, po, load_locale(code, root), by_context=False) if po.is_file() else None
        coverage = _catalog_coverage(catalog) if catalog else Coverage(0, 0, sum(1 for m in template if m.id))
        rows.append(StatusRow(CHROME_DOMAIN, code, coverage))
    for bulletin in _bulletins(content):
        rows.extend(StatusRow(bulletin.id, code, bulletin_coverage(bulletin, code, root)) for code in codes)
    return rows
