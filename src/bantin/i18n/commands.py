"""The translator's commands behind ``bantin i18n``: extract, update, compile, status.

``extract`` writes the templates, ``update`` merges them into every target
locale's catalogs (like msgmerge: translations are never lost, a changed
block becomes fuzzy with its previous msgid kept), ``compile`` writes ``.mo``
files beside the ``.po`` (git-ignored; bantin itself reads the ``.po``, so
compiling is only for other gettext tools), ``status`` counts.

Each write reports ``create`` / ``update`` / ``notchanged`` like sphinx-intl.
A file that fails its checks (an invalid bulletin YAML for ``extract``; a
catalog with a syntax or charset error, or a translation whose placeholders
differ from its msgid's, for ``update`` and ``compile``) does not stop the
others: the command goes on, then raises :class:`RefusedFilesError` with one
line per problem and the changes it did make.
The commands write the project's ``locales/`` only: the chrome catalogs shipped
in the package are read as a fallback, never written, unless ``BANTIN_LOCALES``
points at them (a bantin developer updating them, see :func:`owns_chrome`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages import Catalog
from babel.messages.mofile import write_mo

from bantin.content.model import Bulletin
from bantin.errors import ConfigError, InputError
from bantin.fsutil import write_bytes_if_changed
from bantin.i18n.catalogs import (
    CHROME_DOMAIN,
    CatalogChange,
    bulletin_po_path,
    bulletin_pot_path,
    chrome_po_path,
    chrome_pot_path,
    new_catalog,
    read_catalog,
    target_locales,
    write_catalog,
)
from bantin.i18n.checks import CatalogError, placeholder_problems
from bantin.i18n.coverage import Coverage, bulletin_coverage, catalog_coverage
from bantin.i18n.locales import LocaleConfig, load_locale
from bantin.i18n.templates import bulletin_template, chrome_template
from bantin.paths import content_dir, locale_layers, locales_dir

__all__ = ["CatalogChange", "RefusedFilesError", "StatusRow", "compile_catalogs", "extract", "owns_chrome", "status", "update"]


class RefusedFilesError(ConfigError):
    """Some files were refused (one line each in ``problems``); the others were processed (``changes``).

    The message is the problems, one per line, so printed as it is it still
    names every file; the CLI reports ``changes`` first, then each problem.
    """

    def __init__(self, problems: list[InputError], changes: list[CatalogChange]) -> None:
        self.problems = tuple(problems)
        self.changes = changes
        super().__init__("\n".join(str(p) for p in problems))


def _done(changes: list[CatalogChange], problems: list[InputError]) -> list[CatalogChange]:
    """``changes``, or RefusedFilesError when some file was refused."""
    if problems:
        raise RefusedFilesError(problems, changes)
    return changes


def _is_chrome(po: Path) -> bool:
    """Whether ``po`` is a chrome catalog (formatted strings: placeholders are checked), not a bulletin's."""
    return po.name == f"{CHROME_DOMAIN}.po" and po.parent.name == "LC_MESSAGES"


def _bulletins(content: Path | None, problems: list[InputError] | None = None) -> list[Bulletin]:
    """The bulletins in ``content/``; with ``problems``, an invalid one is recorded there and skipped instead of raised."""
    from bantin.content.bulletin_file import load_bulletin

    folder = content or content_dir()
    bulletins = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            bulletins.append(load_bulletin(path))
        except InputError as exc:
            if problems is None:
                raise
            problems.append(exc)
    return bulletins


def owns_chrome(root: Path | None = None) -> bool:
    """Whether the chrome catalogs under ``root`` are its own to write.

    A project made by ``bantin init`` has copies of them; a project without
    them reads bantin's own and never writes into the installed package.  A
    bantin developer updates the shipped ones with
    ``BANTIN_LOCALES=src/bantin/data/locales``.
    """
    root = root or locales_dir()
    return len(locale_layers(root)) == 1 or (root / f"{CHROME_DOMAIN}.pot").is_file()


# --------------------------------------------------------------------------- extract


def extract(root: Path | None = None, content: Path | None = None) -> list[CatalogChange]:
    """Write ``chrome.pot`` (when the project owns its chrome) and one ``bulletins/<id>.pot`` per bulletin in ``content/``.

    An invalid bulletin YAML is skipped, and the others extracted; then
    RefusedFilesError names each invalid one (file:line, as the loader says).
    """
    root = root or locales_dir()
    changes = [write_catalog(chrome_pot_path(root), chrome_template(), sort=True)] if owns_chrome(root) else []
    if len(locale_layers(root)) == 1:
        return changes  # bantin's own catalogs: the package ships no bulletin
    problems: list[InputError] = []
    for bulletin in _bulletins(content, problems):
        changes.append(write_catalog(bulletin_pot_path(bulletin.id, root), bulletin_template(bulletin), sort=False))
    return _done(changes, problems)


# --------------------------------------------------------------------------- update


def _merge(template: Catalog, path: Path, config: LocaleConfig, by_context: bool) -> Catalog:
    """The catalog at ``path`` brought up to ``template`` (a new one when missing).

    Bulletin messages are matched by msgctxt (the block key): a block whose text
    changed keeps its old translation, marked fuzzy, with the previous msgid, so
    the translator sees what changed.  Chrome uses Babel's msgmerge-like fuzzy
    matching.  Messages that disappeared stay as obsolete entries (``#~``).
    """
    catalog = read_catalog(path, config.code) if path.is_file() else new_catalog(config, template.domain or path.stem)
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
    """Merge every template under ``locales/`` into each target locale's catalogs.

    A catalog (or template) with a syntax or charset error is left as it is and
    the others are merged; a chrome translation whose placeholders differ from
    its msgid's is kept (the translator fixes it) but reported.  Then
    RefusedFilesError names each problem, one line each.
    """
    root = root or locales_dir()
    codes = list(codes) if codes is not None else target_locales(root)
    pot = chrome_pot_path(root)
    if not pot.is_file():
        raise ConfigError(f"{pot}: no chrome template. Run 'bantin i18n extract' first")
    problems: list[InputError] = []
    chrome: list[tuple[Path, str | None]] = [(pot, None)] if owns_chrome(root) else []
    templates: list[tuple[Path, str | None]] = []
    for pot_path, bulletin_id in chrome + [(p, p.stem) for p in sorted((root / "bulletins").glob("*.pot"))]:
        try:
            read_catalog(pot_path)  # a broken template is reported once, not once per locale
        except CatalogError as exc:
            problems.append(exc)
        else:
            templates.append((pot_path, bulletin_id))
    changes: list[CatalogChange] = []
    for code in codes:
        config = load_locale(code, root)
        if config.source:
            continue
        for pot_path, bulletin_id in templates:
            template = read_catalog(pot_path)  # read afresh: Babel's update puts the template's own messages in the catalog
            if bulletin_id is None:  # start from the catalog in effect (maybe bantin's own), write the project's
                source, po = chrome_po_path(code, root), root / code / "LC_MESSAGES" / f"{CHROME_DOMAIN}.po"
            else:
                source = po = bulletin_po_path(code, bulletin_id, root)
            try:
                catalog = _merge(template, source, config, by_context=bulletin_id is not None)
            except CatalogError as exc:
                problems.append(exc)
                continue
            changes.append(write_catalog(po, catalog, sort=bulletin_id is None))
            if bulletin_id is None:  # checked as written, so the lines point into the file on disk
                problems.extend(placeholder_problems(read_catalog(po, code), po))
    return _done(changes, problems)


# --------------------------------------------------------------------------- compile


def _po_files(root: Path) -> list[Path]:
    """The project's own catalogs (bantin's shipped ones are not the project's to compile)."""
    return sorted(root.glob("*/LC_MESSAGES/**/*.po"))


def compile_catalogs(root: Path | None = None, codes: Iterable[str] | None = None) -> list[CatalogChange]:
    """Write a ``.mo`` beside every ``.po`` (fuzzy entries left out, as msgfmt does).

    As ``msgfmt --check``: a catalog that fails its checks (syntax, charset, a
    chrome placeholder) gets no ``.mo``; the others are compiled, then
    RefusedFilesError names each problem.
    """
    root = root or locales_dir()
    wanted = set(codes) if codes is not None else None
    changes: list[CatalogChange] = []
    problems: list[InputError] = []
    for po in _po_files(root):
        code = po.relative_to(root).parts[0]
        if wanted is not None and code not in wanted:
            continue
        try:
            catalog = read_catalog(po, code)
        except CatalogError as exc:
            problems.append(exc)
            continue
        bad = placeholder_problems(catalog, po) if _is_chrome(po) else []
        if bad:
            problems.extend(bad)
            continue
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)
        mo = po.with_suffix(".mo")
        existed = mo.is_file()
        written = write_bytes_if_changed(mo, buf.getvalue())
        changes.append(CatalogChange("create" if not existed else "update" if written else "notchanged", mo))
    return _done(changes, problems)


# --------------------------------------------------------------------------- status


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
        coverage = catalog_coverage(catalog) if catalog else Coverage(0, 0, sum(1 for m in template if m.id))
        rows.append(StatusRow(CHROME_DOMAIN, code, coverage))
    for bulletin in _bulletins(content):
        rows.extend(StatusRow(bulletin.id, code, bulletin_coverage(bulletin, code, root)) for code in codes)
    return rows
