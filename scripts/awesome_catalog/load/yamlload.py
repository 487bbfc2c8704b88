"""Read one YAML file safely, and find the line of any value in it.

Safe means: only plain data (no ``!!python/...`` or other tags), no anchors or aliases
(so no "billion laughs"), no duplicate keys, bounded size and nesting. Dates stay
strings. Parsing uses libyaml's C parser when PyYAML has it.

Two paths give the same data: a plain file (no ``&``, ``*``, ``!`` or ``<<`` in it) is
built straight from libyaml's nodes; anything else, and anything the fast path does not
expect (a repeated key, an unusual number, an error), goes through PyYAML's safe
constructor with our refusals, which also gives every diagnostic its position.
Positions are not kept after loading: ``locate`` parses a file again, which only
happens for files that have a problem.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from awesome_catalog.core.diagnostics import Diagnostic

try:
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
# Files from this size on are scanned for depth first, for a clear E109. Smaller ones
# cannot nest deeper than their size: libyaml's own limit (1,000 levels) or the careful
# path's stack catches them, and the schema rejects whatever nests unexpectedly.
_DEPTH_SCAN_FROM = 4096

JsonPath = Sequence[str | int]


class _Resolver(Resolver):
    """YAML 1.1 implicit types, minus timestamps: a date is kept as the text written."""


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
}


class _Problem(Exception):
    def __init__(self, code: str, node: Node, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.code, self.node, self.message, self.hint = code, node, message, hint


class _Constructor(SafeConstructor):
    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            raise _Problem(
                "E105",
                node,
                "this value is anchored and reused through an alias",
                "write the value out in full; catalog files do not use & anchors or * aliases",
            )
        return super().construct_object(node, deep)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Node] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode):
                key = self.construct_scalar(key_node)
                if key in seen:
                    first = seen[key].start_mark.line + 1
                    raise _Problem(
                        "E103",
                        key_node,
                        f"duplicate key {key!r} (first on line {first})",
                        "keep one of the two; YAML would silently use the last",
                    )
                seen[key] = key_node
        return super().construct_mapping(node, deep)

    def construct_undefined(self, node: Node) -> Any:
        raise _Problem(
            "E104",
            node,
            f"tag {node.tag!r} is not allowed",
            "catalog files hold plain data: remove the tag",
        )


_Constructor.add_constructor(None, _Constructor.construct_undefined)  # type: ignore[type-var]


class _Loader(_Parser, _Constructor, _Resolver):
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


_STR, _INT, _FLOAT, _BOOL, _NULL = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_WORD_STARTS = frozenset("nNtTfFyYoO")  # null, true, false, yes, no, on, off: at most 5 letters
_PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
_PLAIN_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)\Z")


class _Fallback(Exception):
    """Something the fast path does not handle; the careful path reads the file instead."""


class _FastLoader(_Parser, _Resolver):
    """Composes nodes with libyaml; ``build`` turns them into data without PyYAML's
    generic constructor. Anything unusual raises ``_Fallback``."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _Resolver.__init__(self)

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            if not implicit[0]:
                return _STR  # quoted
            if value and value[0].isalpha() and (value[0] not in _WORD_STARTS or len(value) > 5):
                return _STR
            return str(super().resolve(kind, value, implicit))  # type: ignore[no-untyped-call]
        return _MAP if kind is MappingNode else _SEQ

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass  # no path resolvers: nothing to track

    def ascend_resolver(self) -> None:
        pass


def _build(node: Node) -> Any:
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag == _MAP:
        data: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag != _STR or key_node.value in data:
                raise _Fallback
            data[key_node.value] = _build(value_node)
        return data
    if tag == _SEQ:
        return [_build(item) for item in node.value]
    value = node.value
    if tag == _INT and _PLAIN_INT.match(value):
        return int(value)
    if tag == _FLOAT and _PLAIN_FLOAT.match(value):
        return float(value)
    if tag == _BOOL:
        return SafeConstructor.bool_values[value.lower()]
    if tag == _NULL:
        return None
    raise _Fallback


def _load_fast(text: str) -> Any:
    """The data of a plain file (no anchors, aliases or tags, no repeated keys), or
    ``_Fallback``. Errors of the YAML syntax propagate as usual."""
    if "&" in text or "*" in text or "!" in text or "<<" in text:
        raise _Fallback  # anchors, aliases, tags and merge keys take the careful path
    loader = _FastLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    return None if node is None else _build(node)


@dataclass(frozen=True)
class Loaded:
    """A file's text and data; ``data`` is None when the file could not be loaded."""

    text: str | None
    data: Any
    diagnostics: tuple[Diagnostic, ...] = ()


def load(raw: bytes, path: str, *, careful: bool = False) -> Loaded:
    """Decode and parse one YAML file; every problem becomes a diagnostic. ``careful``
    skips the fast path (the tests prove both give the same result)."""
    if len(raw) > MAX_BYTES:
        return _fail(None, too_large(path, len(raw)))
    if b"\0" in raw:
        return _fail(None, Diagnostic(path, 1, 1, "E101", "file holds binary data (NUL bytes)",
                                      "catalog files are UTF-8 text"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        return _fail(
            None,
            Diagnostic(path, line, column, "E101", f"not UTF-8: byte 0x{raw[err.start]:02x} cannot be decoded",
                       "save the file as UTF-8"),
        )
    if len(text) >= _DEPTH_SCAN_FROM:
        deep = _too_deep(text, path)
        if deep:
            return _fail(text, deep)
    try:
        if careful:
            raise _Fallback
        data = _load_fast(text)
    except (_Fallback, yaml.YAMLError, RecursionError):
        data = _load_careful(text, path)
        if isinstance(data, Loaded):
            return data
    if data is None:
        return _fail(text, Diagnostic(path, 1, 1, "E106", "file is empty or holds only comments",
                                      "fill it in or delete it"))
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        return _fail(text, Diagnostic(path, 1, 1, "E107", f"the top level is {kind}, not a mapping",
                                      "write `key: value` lines at the top level"))
    return Loaded(text, data)


def _load_careful(text: str, path: str) -> Any:
    """PyYAML's safe constructor with our refusals: the data, or a failed ``Loaded``."""
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except _Problem as problem:
        mark = problem.node.start_mark
        where = (mark.line + 1, mark.column + 1)
        return _fail(text, Diagnostic(path, *where, problem.code, problem.message, problem.hint))
    except ConstructorError as err:  # e.g. an unhashable key
        return _fail(text, _marked(path, text, err, "E102"))
    except yaml.MarkedYAMLError as err:
        return _fail(text, _marked(path, text, err, "E102"))
    except (yaml.YAMLError, RecursionError) as err:
        return _fail(text, Diagnostic(path, 1, 1, "E102", f"YAML error: {err}"))
    finally:
        loader.dispose()


def too_large(path: str, size: int) -> Diagnostic:
    """E108 for a file of ``size`` bytes."""
    return Diagnostic(path, 1, 1, "E108", f"file is {size:,} bytes; the limit is {MAX_BYTES:,}",
                      "a catalog entry is a few kilobytes: check that the right file was added")


def _fail(text: str | None, diagnostic: Diagnostic) -> Loaded:
    return Loaded(text, None, (diagnostic,))


def _marked(path: str, text: str, err: yaml.MarkedYAMLError, code: str) -> Diagnostic:
    mark = err.problem_mark or err.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = err.problem or "invalid YAML"
    if "maximum nesting depth" in problem:
        return Diagnostic(path, line, column, "E109", "values nest too deep for YAML to read",
                          "catalog entries nest three or four levels")
    message = f"YAML syntax error: {problem}"
    if err.context:
        message += f" ({err.context})"
    started = err.context_mark
    opened = err.context and ("quoted" in err.context or "flow" in err.context)
    if opened and started is not None and mark is not None and started.line != mark.line:
        message += f"; it started on line {started.line + 1}"
    hint = None
    lines = text.splitlines()
    bad_line = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in bad_line[:column]:
        hint = "YAML does not allow tabs for indentation: use spaces"
    elif "mapping values are not allowed" in problem:
        hint = "quote values that contain ': ', e.g. title: \"A: B\""
    elif "end of stream" in problem and err.context and "quoted" in err.context:
        hint = "close the quote on the line where it started"
    elif "could not find expected ':'" in problem or "expected <block end>" in problem:
        hint = "check the indentation of this line and the one before it"
    return Diagnostic(path, line, column, code, message, hint)


def _too_deep(text: str, path: str) -> Diagnostic | None:
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):  # type: ignore[arg-type]
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    assert mark is not None
                    return Diagnostic(path, mark.line + 1, mark.column + 1, "E109",
                                      f"values nest more than {MAX_DEPTH} levels deep",
                                      "catalog entries nest three or four levels")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None  # the real parse reports it with its position
    return None


def locate(text: str, path: JsonPath, *, key: bool = False) -> tuple[int, int]:
    """The 1-based (line, column) of the value at ``path``, or of its key when ``key``.

    Falls back to the nearest existing ancestor when the path does not exist
    (a missing key is reported at the mapping that should hold it).
    """
    loader = _Loader(text)
    try:
        node: Node | None = loader.get_single_node()
    except yaml.YAMLError:
        return (1, 1)
    finally:
        loader.dispose()
    if node is None:
        return (1, 1)
    target: Node = node
    for i, part in enumerate(path):
        child: Node | None = None
        key_node: Node | None = None
        if isinstance(target, MappingNode):
            for k, v in target.value:
                if isinstance(k, ScalarNode) and k.value == str(part):
                    key_node, child = k, v
        elif isinstance(target, SequenceNode) and isinstance(part, int) and part < len(target.value):
            child = target.value[part]
        if child is None:
            break
        if key and i == len(path) - 1 and key_node is not None:
            target = key_node
            break
        target = child
    return (target.start_mark.line + 1, target.start_mark.column + 1)


def source_of(text: str, path: JsonPath) -> str | None:
    """The text exactly as written for the scalar at ``path`` (e.g. ``2310.10340``)."""
    line, column = locate(text, path)
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return None
    rest = lines[line - 1][column - 1:]
    return rest.split(" #")[0].strip().rstrip(",]}") or None
