"""Reading bantin's hand-edited YAML: data files (noise list, locale configs, deployments) and bulletins.

YAML here is a small, plain format.  :func:`parse_yaml` is the one guarded
parser both readers share:

* a size cap (``BANTIN_MAX_YAML_BYTES``, 1 MB) checked before anything is parsed;
* UTF-8 only, and the character policy of :func:`bantin.textutil.bad_character`
  (no control or invisible format characters) applied to the raw text *and* to
  every string after escapes such as ``"\\e"`` are resolved;
* anchors, aliases and explicit tags refused when the scanner meets them, so an
  alias bomb never expands; nesting at most :data:`MAX_DEPTH` deep; duplicate
  keys refused (PyYAML would silently keep the last);
* a number too long to be a number refused before Python converts it.

Every failure is a :class:`YamlProblem` with a 1-based line; the callers turn it
into their own one-line error (:class:`~bantin.errors.ConfigError` here,
:class:`~bantin.errors.BulletinValidationError` for bulletins).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from bantin.errors import ConfigError
from bantin.settings import max_yaml_bytes
from bantin.textutil import bad_character, escape_text, line_and_column, shown

__all__ = ["MAX_DEPTH", "MAX_NODES", "YamlProblem", "parse_yaml", "parse_yaml_tree", "read_data_file", "read_yaml_text"]

#: How deeply collections may nest; bantin's files need four levels.
MAX_DEPTH = 32
#: The longest plain scalar read as a number (longer ones are refused, not converted).
MAX_NUMBER_CHARS = 64
#: How many values (scalars, lists, mappings) one file may hold; a bulletin has a few hundred.
MAX_NODES = 50_000
#: libyaml parses a 1 MB file in a fraction of a second, PyYAML's Python parser in many seconds;
#: both run under the same rules (tests switch this off to check the Python path).
_USE_LIBYAML = True


class YamlProblem(Exception):
    """A YAML text bantin will not read: ``problem`` and ``hint`` at 1-based ``line`` (None when unknown)."""

    def __init__(self, problem: str, hint: str, line: int | None = None, node: Node | None = None, field: str = "(syntax)") -> None:
        self.field = field
        self.problem = problem
        self.hint = hint
        self.line = line
        self.node = node
        super().__init__(problem)


def _refuse(what: str, mark: Any) -> yaml.MarkedYAMLError:
    return yaml.MarkedYAMLError(problem=what, problem_mark=mark)


class _PlainConstructor(SafeConstructor):
    """SafeConstructor that refuses duplicate keys, odd strings (after escapes), over-long numbers and impossible dates."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode):
                key = key_node.value
                if key in seen:
                    raise ConstructorError(None, None, f"key {shown(key)} appears twice", key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_str(self, node: ScalarNode) -> str:
        value = self.construct_scalar(node)
        assert isinstance(value, str)
        found = bad_character(value)
        if found is not None:
            raise ConstructorError(None, None, f"in a quoted text, {found[1]}", node.start_mark)
        return value

    def construct_yaml_int(self, node: ScalarNode) -> int:
        if len(str(node.value)) > MAX_NUMBER_CHARS:
            raise ConstructorError(None, None, f"a number of {len(str(node.value))} characters", node.start_mark)
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: ScalarNode) -> float:
        if len(str(node.value)) > MAX_NUMBER_CHARS:
            raise ConstructorError(None, None, f"a number of {len(str(node.value))} characters", node.start_mark)
        return super().construct_yaml_float(node)

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise ConstructorError(None, None, f"{shown(node.value)} is not a date ({exc})", node.start_mark) from None


_PlainConstructor.yaml_constructors = {
    **SafeConstructor.yaml_constructors,
    "tag:yaml.org,2002:str": _PlainConstructor.construct_yaml_str,
    "tag:yaml.org,2002:int": _PlainConstructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _PlainConstructor.construct_yaml_float,
    "tag:yaml.org,2002:timestamp": _PlainConstructor.construct_yaml_timestamp,
}


class _NoDatesResolver(Resolver):
    """The resolver without the implicit timestamp: ``2024-06-28`` stays text, so the model checks it and names the field."""


_NoDatesResolver.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"] for first, resolvers in Resolver.yaml_implicit_resolvers.items()
}


class _GuardedScanner(Reader, Scanner):
    """The pure-Python scanner refusing anchors, aliases and tags at the token, before anything is built."""

    def fetch_alias(self) -> None:
        raise _refuse(_ALIAS, self.get_mark())

    def fetch_anchor(self) -> None:
        raise _refuse(_ANCHOR, self.get_mark())

    def fetch_tag(self) -> None:
        raise _refuse(_TAG, self.get_mark())


class _DepthComposer(Parser, Composer):
    """The pure-Python composer with bounded nesting and a bounded number of values."""

    _depth = 0
    _nodes = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        self._nodes += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _refuse(_DEEP, self.peek_event().start_mark)  # type: ignore[no-untyped-call]
            if self._nodes > MAX_NODES:
                raise _refuse(_MANY, self.peek_event().start_mark)  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _PureLoader(_GuardedScanner, _DepthComposer, _PlainConstructor, Resolver):
    """Used when PyYAML has no libyaml: slower, same rules."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _PlainConstructor.__init__(self)
        Resolver.__init__(self)


class _PureNoDatesLoader(_GuardedScanner, _DepthComposer, _PlainConstructor, _NoDatesResolver):
    def __init__(self, stream: str) -> None:
        _PureLoader.__init__(self, stream)  # type: ignore[arg-type]


_ALIAS = "aliases (*name) are not allowed"
_ANCHOR = "anchors (&name) are not allowed"
_TAG = "tags (!name) are not allowed"
_DEEP = f"nested more than {MAX_DEPTH} levels deep"
_MANY = f"more than {MAX_NODES} values"

if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _CLoader(CParser, _PlainConstructor, Resolver):
        """libyaml's parser and composer (fast) with bantin's constructor; events are checked first."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _PlainConstructor.__init__(self)
            Resolver.__init__(self)

    class _CNoDatesLoader(CParser, _PlainConstructor, _NoDatesResolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _PlainConstructor.__init__(self)
            _NoDatesResolver.__init__(self)


def _check_events(text: str) -> None:
    """Refuse anchors, aliases, tags, deep nesting and too many values from libyaml's events, before composing.

    Events stream one at a time: an alias bomb is refused at its first anchor and never expands.
    """
    parser = CParser(text)
    depth = nodes = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.AliasEvent):
                raise _refuse(_ALIAS, event.start_mark)
            if isinstance(event, yaml.NodeEvent):
                nodes += 1
                if event.anchor is not None:
                    raise _refuse(_ANCHOR, event.start_mark)
                if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)) and event.tag not in (None, "!"):
                    raise _refuse(_TAG, event.start_mark)
                if nodes > MAX_NODES:
                    raise _refuse(_MANY, event.start_mark)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _refuse(_DEEP, event.start_mark)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        parser.dispose()


def read_yaml_text(path: Path) -> str:
    """The text of a YAML file, refused before parsing when too large, not UTF-8, or holding a bad character.

    Raises :class:`FileNotFoundError` / :class:`IsADirectoryError` untouched, and
    :class:`YamlProblem` for everything else.
    """
    limit = max_yaml_bytes()
    if path.exists() and not path.is_dir() and not path.is_file():
        raise YamlProblem("is not a regular file (a pipe or a device)", "Pass a YAML file")
    with path.open("rb") as stream:
        raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise YamlProblem(
            f"the file is larger than {limit} bytes", "A bulletin or data file is a few kilobytes; check it is the right file, or raise BANTIN_MAX_YAML_BYTES"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise YamlProblem(f"not UTF-8 (byte {exc.start})", "Save the file as UTF-8", line) from None
    return text


def _check_characters(text: str) -> None:
    flat = text.replace("\r\n", "\n").replace("\r", "\n")
    found = bad_character(flat)
    if found is not None:
        index, reason = found
        line, column = line_and_column(flat, index)
        raise YamlProblem(f"column {column}: {reason}", "Delete it; type the text again if it was pasted", line, field="(text)")


def parse_yaml(text: str, dates: bool = True) -> Any:
    """Parse a YAML text under bantin's rules; ``dates=False`` leaves ``2024-06-28`` as a string.

    Raises :class:`YamlProblem` (with the line) for anything bantin refuses.
    """
    return parse_yaml_tree(text, dates)[1]


def parse_yaml_tree(text: str, dates: bool = True) -> tuple[Node | None, Any]:
    """Like :func:`parse_yaml`, with the composed node tree too (for the line of a field).

    A :class:`YamlProblem` raised while building values carries that tree in ``node``.
    """
    _check_characters(text)
    libyaml = _USE_LIBYAML and yaml.__with_libyaml__
    if libyaml:
        loader: Any = (_CLoader if dates else _CNoDatesLoader)(text)
    else:
        loader = (_PureLoader if dates else _PureNoDatesLoader)(text)
    node: Node | None = None
    try:
        if libyaml:
            _check_events(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
        return node, data
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "cannot be read"
        shown_problem = _plain(problem) if isinstance(exc, ConstructorError) else f"YAML syntax error: {_plain(problem)}"
        raise YamlProblem(shown_problem, _hint(problem), line, node) from None
    except yaml.YAMLError as exc:  # ReaderError and friends: no mark
        raise YamlProblem(f"YAML syntax error: {_plain(str(exc))}", "Check the file", None, node) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise YamlProblem(f"cannot be read ({type(exc).__name__}: {_plain(str(exc))})", "Check the value on that line", None, node) from None
    finally:
        loader.dispose()


def _plain(problem: str) -> str:
    """A PyYAML problem text made safe for one line (it may quote a control character)."""
    return escape_text(problem, 160)


def _hint(problem: str) -> str:
    if "alias" in problem or "anchor" in problem:
        return "Write the value out in full; bantin files use no anchors or aliases"
    if "tag" in problem:
        return "Remove the tag; bantin files use plain values only"
    if "values" in problem:
        return "A bulletin or data file holds a few hundred values; check it is the right file"
    if "nested" in problem:
        return "Flatten the structure"
    if "twice" in problem:
        return "Keep one of the two; delete the other"
    if "in a quoted text" in problem:
        return "Delete that escape from the quoted text"
    if "number of" in problem:
        return "Quote it if it is text"
    return "Check indentation and quoting on that line"


def read_data_file(path: Path, missing: str) -> Any:
    """The parsed YAML of ``path`` (``{}`` for an empty file); ``missing`` says what to do when it is absent."""
    shown_path = escape_text(str(path), 1000)
    try:
        data = parse_yaml(read_yaml_text(path))
    except FileNotFoundError:
        raise ConfigError(f"{shown_path}: no such file. {missing}") from None
    except IsADirectoryError:
        raise ConfigError(f"{shown_path}: is a folder, not a file. {missing}") from None
    except OSError as exc:
        raise ConfigError(f"{shown_path}: cannot be read ({exc.strerror}). Check the file and its permissions") from None
    except YamlProblem as exc:
        where = f"{shown_path}:{exc.line}" if exc.line else shown_path
        raise ConfigError(f"{where}: {exc.problem}. {exc.hint}") from None
    return {} if data is None else data
