"""Gettext catalogs on disk: where they live, and reading and writing them through Babel.

Two kinds of catalog live under ``locales/``:

``chrome.pot`` and ``<code>/LC_MESSAGES/chrome.po``
    bantin's own fixed strings ("Bản tin", "Nguồn", "Trang {page}/{pages}"...),
    extracted from the package's code and templates (see :mod:`bantin.i18n.templates`).
    msgids are Vietnamese: ``vi`` is the source.  Looked up in the project's
    ``locales/`` first, then in bantin's own ``data/locales/``.
``bulletins/<id>.pot`` and ``<code>/LC_MESSAGES/bulletins/<id>.po``
    one domain per bulletin: one message per text unit, the unit's stable key as
    ``msgctxt``.  Always the project's.

Everything goes through Babel's ``babel.messages`` API (no PO parser of our
own), with two repairs: previous msgids (``#| msgid``) survive a read/write
round trip, and are written one quoted string per line as msgmerge does.  A
catalog whose only change would be ``POT-Creation-Date`` or
``PO-Revision-Date`` is not rewritten (Sphinx's ``should_write``); dates come
from ``SOURCE_DATE_EPOCH`` when it is set.  Every file read is checked first
(:mod:`bantin.i18n.checks`): one with a syntax or charset error is refused
with one line naming the file and line.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, denormalize, normalize, read_po, write_po

from bantin import __version__
from bantin.fsutil import source_date, write_bytes_if_changed
from bantin.i18n.checks import CatalogSyntaxError, check_encoding, check_quoted_lines, syntax_error
from bantin.i18n.locales import LocaleConfig, known_locales, load_locale
from bantin.paths import locale_data, locales_dir

__all__ = [
    "CHROME_DOMAIN",
    "N_",
    "CatalogChange",
    "bulletin_po_path",
    "bulletin_pot_path",
    "catalog_now",
    "chrome_po_path",
    "chrome_pot_path",
    "new_catalog",
    "read_catalog",
    "target_locales",
    "write_catalog",
]

#: gettext domain of bantin's own strings.
CHROME_DOMAIN = "chrome"
#: Line width of written catalogs (gettext's default); long paragraphs wrap, tools don't care.
PO_WIDTH = 76
#: Who the catalogs say they belong to.
PROJECT = "bantin"

_DATE_HEADER_RE = re.compile(rb'^"(?:POT-Creation-Date|PO-Revision-Date): [^"]*"$', re.MULTILINE)


def N_(message: str) -> str:
    """Mark a chrome string for extraction without translating it here (the caller translates later)."""
    return message


# --------------------------------------------------------------------------- paths


def chrome_pot_path(root: Path | None = None) -> Path:
    """``locales/chrome.pot`` (the project's, else bantin's own)."""
    return locale_data(f"{CHROME_DOMAIN}.pot", root)


def chrome_po_path(code: str, root: Path | None = None) -> Path:
    """``locales/<code>/LC_MESSAGES/chrome.po`` (the project's, else bantin's own)."""
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


# --------------------------------------------------------------------------- new catalogs


@dataclass(frozen=True)
class CatalogChange:
    """What a command did to one file: ``create``, ``update`` or ``notchanged`` (sphinx-intl's words)."""

    action: str
    path: Path


def catalog_now() -> dt.datetime:
    """The catalogs' date: SOURCE_DATE_EPOCH when set (reproducible), else now; UTC, whole minutes."""
    now = source_date() or dt.datetime.now(dt.UTC)
    return now.replace(second=0, microsecond=0)


def new_catalog(config: LocaleConfig | None, domain: str) -> Catalog:
    """An empty catalog (a template when ``config`` is None) with bantin's headers.

    The header is *not* fuzzy, or compile tools would skip the catalog.
    """
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


# --------------------------------------------------------------------------- read


def read_catalog(path: Path, code: str | None = None) -> Catalog:
    """Parse a .po/.pot file with Babel, after checking its charset and syntax (see :mod:`bantin.i18n.checks`).

    A file that fails is a :class:`~bantin.i18n.checks.CatalogError` naming the
    file and line: nothing of it is used.  Placeholders are checked by the callers
    that format the strings (:func:`~bantin.i18n.checks.placeholder_problems`).
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogSyntaxError(path, None, f"cannot be read ({exc.strerror})", "Check the file and its permissions") from None
    text = check_encoding(path, data)
    check_quoted_lines(path, text)
    try:
        catalog = read_po(io.BytesIO(data), locale=code, domain=path.stem, abort_invalid=True)
    except PoFileError as exc:
        raise syntax_error(path, exc.lineno, str(exc).rsplit(" on ", 1)[0], exc.line) from None
    except Exception as exc:  # a header Babel cannot take (unknown locale, plural rule...): one line all the same
        raise CatalogSyntaxError(
            path, None, f"not a readable gettext catalog ({exc})", "Fix it in a PO editor, or delete it and run 'bantin i18n update'"
        ) from None
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


# --------------------------------------------------------------------------- write


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


def write_catalog(path: Path, catalog: Catalog, sort: bool) -> CatalogChange:
    """Write ``catalog`` as a .po/.pot file, atomically, unless the file differs only in its dates (no timestamp churn).

    ``sort`` orders messages by msgid (chrome); bulletin catalogs keep reading order.
    """
    data = _po_bytes(catalog, sort)
    if not path.is_file():
        write_bytes_if_changed(path, data)
        return CatalogChange("create", path)
    if _without_dates(path.read_bytes()) == _without_dates(data):
        return CatalogChange("notchanged", path)
    write_bytes_if_changed(path, data)
    return CatalogChange("update", path)
