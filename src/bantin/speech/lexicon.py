"""The editable Vietnamese speech lexicon (``locales/vi/lexicon.yaml``): model, loader, compiled regexes.

Abbreviations, units, currencies, count nouns, rate words, Roman-numeral
keywords, letter names and the letter codes of document numbers
("1234/QĐ-UBND") are data an operator edits without touching code.
:func:`load_lexicon` validates the file (duplicate keys included: PyYAML would
silently keep the last) and reports any problem as a one-line ``ConfigError``;
the regexes every normalization step needs are compiled once per lexicon.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from bantin.errors import BantinError, ConfigError
from bantin.paths import locale_data, project_root

__all__ = [
    "LETTER_AFTER",
    "LETTER_BEFORE",
    "Lexicon",
    "LexiconPatterns",
    "default_lexicon",
    "default_lexicon_path",
    "load_lexicon",
    "resolve_lexicon",
]


_MAPPING_SECTIONS: dict[str, str] = {
    "abbreviations": "ủy ban nhân dân",
    "units": "ki lô mét",
    "currencies": "đồng",
    "letter_names": "bê",
    "document_codes": "quyết định",
}
_LIST_SECTIONS: dict[str, str] = {
    "count_nouns": "xã",
    "rate_words": "ngày",
    "roman_keywords": "quý",
}
_SECTIONS = (*_MAPPING_SECTIONS, *_LIST_SECTIONS)

_NEVER = "(?!)"  # a pattern that matches nothing, for empty word lists
#: regex fragment: not preceded by a letter
LETTER_BEFORE = r"(?<![^\W\d_])"
#: regex fragment: not followed by a letter
LETTER_AFTER = r"(?![^\W\d_])"


def _alternation(keys: Iterable[str]) -> str:
    """Regex alternation of literal keys, longest first; a space in a key matches any run of spaces."""
    ordered = sorted(set(keys), key=lambda k: (-len(k), k))
    if not ordered:
        return _NEVER
    return "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in ordered)


@dataclass(frozen=True)
class LexiconPatterns:
    """Regexes compiled once per lexicon."""

    abbreviation: re.Pattern[str]
    unit: re.Pattern[str]
    currency_suffix: re.Pattern[str]
    currency_prefix: re.Pattern[str]
    #: a currency code or symbol with no amount beside it ("tỷ giá USD")
    currency_alone: re.Pattern[str]
    rate: re.Pattern[str]
    count_noun: re.Pattern[str]
    roman: re.Pattern[str]
    acronym: re.Pattern[str]


def _compile(lex: Lexicon) -> LexiconPatterns:
    """Build every lexicon-driven regex once, when the lexicon is created."""
    # One alternation, longest key first; a key ending in a letter or digit
    # must end a word, a key ending in "." ("TS.", "v.v.") needs no boundary.
    keys = sorted(lex.abbreviations, key=lambda k: (-len(k), k))
    branches = [_alternation([k]) + (LETTER_AFTER if re.match(r"\w", k[-1]) else "") for k in keys]
    abbreviation = re.compile(rf"{LETTER_BEFORE}(?<![’'])(?P<abbr>{'|'.join(branches) or _NEVER})")
    plain_units = [k for k in lex.units if "/" not in k]
    slash_units = [k for k in lex.units if "/" in k]
    unit = re.compile(
        rf"(?:(?<=\d) ?(?P<unit>{_alternation(slash_units + plain_units)})"
        rf"|{LETTER_BEFORE}(?P<slash>{_alternation(slash_units)}))(?!\w)"
    )
    scale = r"\s+(?:nghìn|ngàn|triệu|tỷ|tỉ)(?![^\W\d_])"
    currency_suffix = re.compile(rf"(?<=\d)(?P<scale>{scale})? ?(?P<cur>{_alternation(lex.currencies)})(?!\w)")
    symbols = [k for k in lex.currencies if not re.search(r"\w", k)]
    # Codes: ISO 4217 style keys ("USD", "VNĐ"), never a one-letter unit such as "đ".
    codes = [k for k in lex.currencies if len(k) >= 3 and re.match(r"[^\W\d_]", k)]
    currency_prefix = re.compile(
        rf"(?P<cur>{_alternation(symbols)}|{LETTER_BEFORE}(?:{_alternation(codes) or _NEVER})(?= ?\d)) ?(?P<num>\d+(?:[.,]\d+)*)"
        rf"(?P<scale>{scale})?"
    )
    currency_alone = re.compile(rf"(?P<cur>{LETTER_BEFORE}(?:{_alternation(codes) or _NEVER}){LETTER_AFTER}|{_alternation(symbols) or _NEVER})")
    rate = re.compile(rf"(?<=[^\W\d_])/(?P<what>{_alternation([*lex.rate_words, *plain_units])})(?!\w)")
    count_noun = re.compile(rf"\s+(?i:{_alternation(lex.count_nouns)}){LETTER_AFTER}")
    roman = re.compile(
        rf"{LETTER_BEFORE}(?P<kw>(?i:{_alternation(lex.roman_keywords)}))\s+"
        rf"(?P<roman>[IVXL]+){LETTER_AFTER}(?![’'])(?:/(?P<year>\d{{4}})(?![\d/]))?"
    )
    letters = "".join(re.escape(k) for k in sorted(lex.letter_names))
    acronym = re.compile(rf"(?<![\w’'])(?P<caps>[{letters}]{{2,5}})(?![\w’'])") if letters else re.compile(_NEVER)
    return LexiconPatterns(abbreviation, unit, currency_suffix, currency_prefix, currency_alone, rate, count_noun, roman, acronym)


@dataclass(frozen=True, eq=False)
class Lexicon:
    """The editable word lists of ``locales/vi/lexicon.yaml``, with their regexes compiled once."""

    path: Path
    abbreviations: Mapping[str, str]
    units: Mapping[str, str]
    currencies: Mapping[str, str]
    letter_names: Mapping[str, str]
    count_nouns: tuple[str, ...]
    rate_words: tuple[str, ...]
    roman_keywords: tuple[str, ...]
    document_codes: Mapping[str, str] = field(default_factory=dict)
    patterns: LexiconPatterns = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Freeze the mappings and compile the regexes (at load time, never per call)."""
        for name in _MAPPING_SECTIONS:
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        for name in _LIST_SECTIONS:
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "patterns", _compile(self))


def default_lexicon_path() -> Path:
    """The project's ``locales/vi/lexicon.yaml`` when it has one, else the lexicon bantin ships."""
    return locale_data("vi/lexicon.yaml")


def _shown(path: Path) -> str:
    """The path as printed in messages: relative to the project when it lies inside it."""
    try:
        return path.resolve().relative_to(project_root()).as_posix()
    except (ValueError, BantinError):
        return str(path)


class _DuplicateKey(Exception):
    """A key written twice in one YAML mapping (PyYAML would silently keep the last)."""

    def __init__(self, key: object, line: int) -> None:
        super().__init__(key, line)
        self.key = key
        self.line = line


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    """Build a mapping, raising on a duplicate key."""
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
            seen.add(key)
        except TypeError:  # unhashable key: let validation report it
            continue
        if duplicate:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _nfc(value: str) -> str:
    """NFC with spaces collapsed (operators may type decomposed accents or double spaces)."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def _validate_mapping(shown: str, name: str, raw: object) -> dict[str, str]:
    """Check a ``written: spoken`` section and return it NFC-normalized."""
    example = _MAPPING_SECTIONS[name]
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{shown}: {name}: must be a mapping of 'written: spoken' entries, got {type(raw).__name__}. Write one entry per line, e.g. 'UBND: {example}'."
        )
    result: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not key.strip():
            raise ConfigError(
                f"{shown}: {name}.{key}: key must be non-empty text, got {key!r} "
                f"(YAML reads bare yes/no/on/off as true/false and digits as numbers). "
                f"Put the written form in quotes, e.g. 'ON': ..."
            )
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{shown}: {name}.{key}: value must be a non-empty string, got {value!r}. Write the spoken form, e.g. '{example}'.")
        if name == "letter_names" and not (len(_nfc(key)) == 1 and _nfc(key).isupper()):
            raise ConfigError(f"{shown}: {name}.{key}: key must be one capital letter, got {key!r}. Write one letter per line, e.g. 'B: bê'.")
        if name == "abbreviations" and "\n" in value:
            raise ConfigError(f"{shown}: {name}.{key}: value must be on one line, got {value!r}. Write the spoken form on one line.")
        result[_nfc(key)] = _nfc(value)
    return result


def _validate_list(shown: str, name: str, raw: object) -> tuple[str, ...]:
    """Check a word-list section and return it NFC-normalized."""
    example = _LIST_SECTIONS[name]
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(f"{shown}: {name}: must be a list of words, got {type(raw).__name__}. Write one word per line, e.g. '- {example}'.")
    items: list[str] = []
    for index, item in enumerate(raw):
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(f"{shown}: {name}[{index}]: item must be a non-empty string, got {item!r}. Write one word per line, e.g. '- {example}'.")
        items.append(_nfc(item))
    return tuple(items)


def load_lexicon(path: Path | None = None) -> Lexicon:
    """Read and validate a lexicon YAML file; any problem raises a one-line ``ConfigError``.

    ``path`` defaults to :func:`default_lexicon_path`.
    """
    path = Path(path) if path is not None else default_lexicon_path()
    shown = _shown(path)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{shown}: lexicon file not found. Create it (start from locales/vi/lexicon.yaml) or remove the project override to use the lexicon bantin ships."
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{shown}: not UTF-8 text (byte {exc.start}). Save the file as UTF-8.") from None
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read the lexicon ({exc.strerror}). Check the path and permissions.") from None
    try:
        data = yaml.load(source, Loader=_StrictLoader)  # a SafeLoader subclass
    except _DuplicateKey as exc:
        raise ConfigError(f"{shown}: line {exc.line}: duplicate entry {exc.key!r}. Keep only one line for it.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{shown}: not valid YAML{where}: {problem}. Indent entries with spaces and put keys containing ':' or '#' in quotes.") from None
    if data is None:
        raise ConfigError(f"{shown}: the lexicon is empty. Add at least an 'abbreviations:' section.")
    if not isinstance(data, dict):
        raise ConfigError(
            f"{shown}: top level must be a mapping of sections, got {type(data).__name__}. Start sections at the left margin, e.g. 'abbreviations:'."
        )
    for name in data:
        if name not in _SECTIONS:
            raise ConfigError(f"{shown}: {name}: unknown section. Use one of: {', '.join(_SECTIONS)} (check the spelling).")

    def mapping(name: str) -> dict[str, str]:
        return _validate_mapping(shown, name, data.get(name))

    def words(name: str) -> tuple[str, ...]:
        return _validate_list(shown, name, data.get(name))

    return Lexicon(
        path=path,
        abbreviations=mapping("abbreviations"),
        units=mapping("units"),
        currencies=mapping("currencies"),
        letter_names=mapping("letter_names"),
        count_nouns=words("count_nouns"),
        rate_words=words("rate_words"),
        roman_keywords=words("roman_keywords"),
        document_codes=mapping("document_codes"),
    )


@functools.lru_cache(maxsize=8)
def _cached_lexicon(path: Path, mtime_ns: int) -> Lexicon:
    """Load once per (file, modification time) so an edited lexicon is picked up."""
    return load_lexicon(path)


def default_lexicon() -> Lexicon:
    """The lexicon at :func:`default_lexicon_path`, cached until the file changes."""
    path = default_lexicon_path()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return load_lexicon(path)  # raises the one-line ConfigError
    return _cached_lexicon(path, mtime)


def resolve_lexicon(lexicon: Lexicon | None) -> Lexicon:
    """The given lexicon or the default one."""
    return lexicon if lexicon is not None else default_lexicon()
