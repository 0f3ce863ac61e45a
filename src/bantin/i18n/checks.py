"""Checks a gettext catalog passes before any of it is used.

Two kinds of problem, and what each costs:

whole file (:class:`CatalogSyntaxError`, :class:`CatalogCharsetError`)
    the file is not valid PO (Babel's ``read_po(abort_invalid=True)``, plus an
    unterminated quoted string, which Babel reads without a word), or its
    declared ``charset`` does not decode its bytes, or says ``latin-1`` over
    UTF-8 text (every msgid would be misread, silently).  Nothing in the file
    can be trusted: the catalog is refused.
one message (:class:`PlaceholderError`)
    a translation whose placeholders do not match its msgid's: ``%(percent)d``
    for ``%(percent)s`` (Babel's own ``checkers.python_format``) or ``{total}``
    for ``{pages}`` (:func:`python_brace_format`, written the same way, since
    Babel has no such checker).  Checked in the chrome only: chrome strings are
    formatted, bulletin text is printed as it is (``5% so với`` is a percent
    sign, not a placeholder).

Every problem is one :class:`CatalogError` whose message names the file and
line, says what is wrong and what to do, as ``msgfmt --check`` would.
"""

from __future__ import annotations

import codecs
import os
import re
from collections import Counter
from pathlib import Path
from string import Formatter

from babel.messages.catalog import PYTHON_FORMAT, Catalog, Message, TranslationError
from babel.messages.checkers import python_format

from bantin.errors import ConfigError
from bantin.textutil import escape_text

__all__ = [
    "CatalogCharsetError",
    "CatalogError",
    "CatalogSyntaxError",
    "PlaceholderError",
    "check_encoding",
    "check_quoted_lines",
    "placeholder_problems",
    "python_brace_format",
    "shown_path",
    "syntax_error",
]

#: The charset a catalog declares: ``charset=...`` in the header's Content-Type line.
_CHARSET_RE = re.compile(rb'^(?:msgstr[ \t]+)?"Content-Type:[^"\n]*?charset=([^"\\\s;]*)', re.MULTILINE | re.IGNORECASE)
#: A PO line that holds a quoted string must end with its closing quote.
_QUOTED_RE = re.compile(r'^(?:#~\s*)?(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)?\s*"')
_WHOLE_QUOTED_RE = re.compile(r'^(?:#~\s*)?(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)?\s*"(?:[^"\\]|\\.)*"$')
_LITERAL_BRACES = "Write a literal brace as {{ or }}, and the same placeholders as the msgid"
_FIX_SYNTAX = "Correct that line in a PO editor (Poedit, Lokalize), or delete the file and run 'bantin i18n update' to start it again"


def shown_path(path: Path) -> str:
    """``path`` as a message shows it: relative to the working folder when inside it (``locales/en/...``)."""
    try:
        rel = os.path.relpath(path, Path.cwd())
    except ValueError:  # another drive
        return str(path)
    return str(path) if rel.startswith("..") else rel


class CatalogError(ConfigError):
    """A gettext catalog problem at ``path``:``line`` (``line`` None: the whole file); the message says what to do."""

    def __init__(self, path: Path, line: int | None, problem: str, hint: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        self.hint = hint
        where = f"{shown_path(path)}:{line}" if line else shown_path(path)
        super().__init__(f"{where}: {problem}. {hint.rstrip('.')}.")


class CatalogSyntaxError(CatalogError):
    """The file is not valid PO: the whole catalog is refused."""


class CatalogCharsetError(CatalogError):
    """The declared charset does not fit the file's bytes: the whole catalog is refused."""


class PlaceholderError(CatalogError):
    """One translation's placeholders differ from its msgid's: that message is unusable, the rest is fine."""

    def __init__(self, path: Path, message: Message, problem: str, hint: str = "Use the same placeholders as the msgid") -> None:
        self.msgid = message.id if isinstance(message.id, str) else message.id[0]
        self.context = message.context
        super().__init__(path, message.lineno, problem, hint)


# --------------------------------------------------------------------------- whole file


def check_encoding(path: Path, data: bytes) -> str:
    """The text of ``data``, decoded with the charset its header declares; a CatalogCharsetError when that is wrong.

    Babel decodes with the declared charset without complaint, so a header that
    says ``latin-1`` over UTF-8 text turns every Vietnamese msgid into mojibake
    that matches nothing ("0 of 5 messages translated", the wrong cause).
    """
    found = _CHARSET_RE.search(data)
    declared = found.group(1).decode("ascii", "replace") if found else ""
    line = data.count(b"\n", 0, found.start()) + 1 if found else None
    name = "utf-8" if declared.lower() in ("", "charset") else declared  # Babel's default, and the template placeholder
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise CatalogCharsetError(
            path, line, f"the header declares charset={declared}, which is not a known encoding", "Fix the header to charset=UTF-8 and save the file as UTF-8"
        ) from None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        at = data.count(b"\n", 0, exc.start) + 1
        raise CatalogCharsetError(
            path, at, f"byte 0x{data[exc.start]:02x} is not valid {declared or 'UTF-8'} text", "Save the file as UTF-8, with charset=UTF-8 in its header"
        ) from None
    if codec != "utf-8" and not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return text  # really in the declared charset: Babel reads it right
        raise CatalogCharsetError(path, line, f"the header declares charset={declared} but the text is UTF-8", "Fix the header to charset=UTF-8")
    return text


def check_quoted_lines(path: Path, text: str) -> None:
    """A CatalogSyntaxError for the first quoted string left open (``msgstr "abc`` with no closing quote).

    Babel reads such a line without complaint, dropping its last character.
    """
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if _QUOTED_RE.match(line) and not _WHOLE_QUOTED_RE.match(line):
            raise CatalogSyntaxError(path, number, f"the quoted string is not closed ({escape_text(line, 60)})", _FIX_SYNTAX)


def syntax_error(path: Path, lineno: int, problem: str, line: str) -> CatalogSyntaxError:
    """A Babel ``PoFileError`` (0-based ``lineno``) as a CatalogSyntaxError with the file's line number."""
    shown = f" ({escape_text(line, 60)})" if line.strip() else ""
    return CatalogSyntaxError(path, lineno + 1, f"not valid PO: {problem[:1].lower()}{problem[1:]}{shown}", _FIX_SYNTAX)


# --------------------------------------------------------------------------- one message


def _brace_fields(text: str) -> list[str]:
    """The field names of a ``str.format`` string (``""`` for ``{}``); ValueError when it is not one."""
    return [field.split(".", 1)[0].split("[", 1)[0] for _, field, _, _ in Formatter().parse(text) if field is not None]


def python_brace_format(catalog: Catalog | None, message: Message) -> None:
    """Verify the ``{name}`` placeholders of a translation, as Babel's ``python_format`` does for ``%`` ones.

    Like gettext's ``python-brace-format`` check: the msgstr must be a valid
    format string and use no field the msgid lacks (it may leave one out);
    automatic fields ``{}`` must be as many.  Raises TranslationError.
    """
    if "python-brace-format" not in message.flags:
        return
    msgids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
    msgstrs = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
    for i, msgstr in enumerate(msgstrs):
        if not msgstr:
            continue
        msgid = msgids[min(i, len(msgids) - 1)]
        try:
            wanted = _brace_fields(msgid)
            used = _brace_fields(msgstr)
        except ValueError as exc:
            raise TranslationError(f"not a valid format string ({exc})") from None
        unknown = sorted({f for f in used if f} - set(wanted))
        if unknown:
            raise TranslationError(f"unknown named placeholder {unknown[0]!r}")
        if Counter(f for f in used if not f) != Counter(f for f in wanted if not f):
            raise TranslationError("positional format placeholders are unbalanced")


def _shown_placeholders(tokens: list[str]) -> str:
    return ", ".join(dict.fromkeys(tokens))


def _describe(message: Message, reason: str, brace: bool) -> str:
    """``msgstr uses {total} where the msgid has {pages}`` when the two differ by name, else Babel's reason."""
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    msgstr = message.string if isinstance(message.string, str) else next((s for s in message.string or () if s), "")
    if brace:
        id_tokens = ["{" + f + "}" for f in _brace_fields(msgid)]  # valid: Babel flags only a msgid that parses
        str_tokens = ["{" + f + "}" for f in _brace_fields(msgstr)]
    else:
        id_tokens = [m.group(0) for m in PYTHON_FORMAT.finditer(msgid) if m.group(0) != "%%"]
        str_tokens = [m.group(0) for m in PYTHON_FORMAT.finditer(msgstr) if m.group(0) != "%%"]
    extra = [t for t in str_tokens if t not in id_tokens]
    missing = [t for t in id_tokens if t not in str_tokens]
    if extra and missing:
        return f"msgstr uses {_shown_placeholders(extra)} where the msgid has {_shown_placeholders(missing)}"
    if extra:
        return f"msgstr uses {_shown_placeholders(extra)}, which the msgid does not have"
    return f"msgstr placeholders do not match the msgid's ({reason})"


def placeholder_problems(catalog: Catalog, path: Path) -> list[PlaceholderError]:
    """One PlaceholderError per translated, non-fuzzy message whose placeholders differ from its msgid's.

    Runs Babel's ``python_format`` checker and :func:`python_brace_format`.
    Fuzzy and untranslated messages are never used, so never checked.
    """
    problems: list[PlaceholderError] = []
    for message in catalog:
        if not message.id or message.fuzzy or not any(message.string if isinstance(message.string, (list, tuple)) else [message.string]):
            continue
        for checker, brace in ((python_format, False), (python_brace_format, True)):
            try:
                checker(catalog, message)
            except TranslationError as exc:
                try:
                    problems.append(PlaceholderError(path, message, _describe(message, str(exc), brace)))
                except ValueError as invalid:  # the msgstr is no format string at all
                    problems.append(PlaceholderError(path, message, f"msgstr is not a valid format string ({invalid})", _LITERAL_BRACES))
                break
    return problems
