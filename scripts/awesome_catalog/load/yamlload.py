"""Read one YAML file safely, and find the line of any value in it.

Safe means: only plain data (no ``!!python/...`` or other tags), no anchors or aliases
(so no "billion laughs"), no duplicate keys, bounded size and nesting. Dates stay
strings. Parsing uses libyaml's C parser when PyYAML has it.

Values are plain too: every key is text (``1:``, ``on:``, ``null:`` or a list as a key is
refused, so is a ``<<`` merge key), no number is longer than any catalog needs, and no
text holds a control character, a bidi control or nothing visible at all.

Two paths give the same data and the same diagnostics: a plain file (no ``&``, ``*``,
``!`` or ``<<`` in it) is built straight from libyaml's nodes; anything else, and
anything the fast path does not expect (a repeated key, an unusual number or text, an
error), goes through the careful path: PyYAML's nodes inspected by ``_inspect`` and
then its safe constructor, which gives every diagnostic its position. Both paths ask
the same questions (``_text_problem``, ``_number_problem``), so they cannot disagree.

Positions are not kept after loading: ``positions`` parses a file again, once, and
answers every later ``locate`` in that text from an index, so locating many problems
in one file costs one parse.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from awesome_catalog.core.diagnostics import Diagnostic
from awesome_catalog.core.identity import BIDI_CONTROLS, CONTROL_CHARACTERS, LINE_CONTROL_CHARACTERS
from awesome_catalog.load.inputs import MAX_BYTES, too_large

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


_BIDI = BIDI_CONTROLS
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")
# In the raw file, carriage returns are line ends (CRLF files are accepted), and a
# byte order mark is allowed as the very first character only.
_RAW_CONTROL = re.compile(f"[{LINE_CONTROL_CHARACTERS}]")
_ASCII_SHOWN = bytes(range(0x20, 0x7F)) + b"\t\n"
"""The ASCII characters that are not in ``CONTROL_CHARACTERS``; with the carriage return,
those not in ``LINE_CONTROL_CHARACTERS``."""
_ASCII_LINES = _ASCII_SHOWN + b"\r"
# Letters that show nothing although they are neither white space nor format characters.
_FILLERS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
_CONTROL_NAMES = {"\0": "NULL", "\a": "BELL", "\b": "BACKSPACE", "\x1b": "ESCAPE", "\x7f": "DELETE",
                  "\r": "CARRIAGE RETURN", "\x0b": "LINE TABULATION", "\x0c": "FORM FEED",
                  "\x85": "NEXT LINE", "\x9b": "CONTROL SEQUENCE INTRODUCER"}
MAX_NUMBER_LENGTH = 24
"""No number in a catalog file is longer than this (a year has 4 digits); longer ones
are refused before Python converts them (it refuses integers of over 4,300 digits)."""
_MAX_PROBLEMS = 10  # per file, so that a file full of one mistake stays readable


def describe_char(char: str) -> str:
    """``U+001B (ESCAPE)``: a character named so that a reader can find it."""
    name = unicodedata.name(char, None) or _CONTROL_NAMES.get(char) or f"C{0 if char < ' ' else 1} control"
    return f"U+{ord(char):04X} ({name})"


def _ascii_only(text: str, allowed: bytes) -> bool:
    """Whether ``text`` is ASCII made of ``allowed`` characters only: for most files, a
    quicker answer than searching it for control characters (True: there is none)."""
    return text.isascii() and not text.encode("ascii").translate(None, allowed)


def _invisible(char: str) -> bool:
    return char.isspace() or char in _FILLERS or unicodedata.category(char) in _INVISIBLE_CATEGORIES


def _text_problem(value: str, is_key: bool) -> tuple[str, str, str] | None:
    """(code, message, hint) when a text holds a control character or, for a value,
    nothing visible; None for ordinary text."""
    found = _CONTROL.search(value)
    if found:
        char = found.group()
        what = "this key" if is_key else "this text"
        hint = ("remove it: a bidi control makes text read differently from what it holds" if char in _BIDI
                else "remove it; an escape such as \\e or \\x1b in a quoted value writes one too")
        at = f" at character {found.start() + 1}" if len(value) > 1 else ""
        return "E113", f"{what} holds the control character {describe_char(char)}{at}", hint
    if not is_key and value and all(_invisible(c) for c in value):
        shown = ", ".join(list(dict.fromkeys(describe_char(c) for c in value if c != " "))[:3])
        inside = f" (only {shown})" if shown else " (only spaces)"
        return ("E114", f"this text shows nothing{inside}",
                "write the value, or remove the key if it does not apply")
    return None


def _number_problem(value: str) -> tuple[str, str, str] | None:
    """(code, message, hint) for a number written with more characters than any
    catalog number has; None otherwise."""
    if len(value) <= MAX_NUMBER_LENGTH:
        return None
    return ("E116", f"a number of {len(value):,} characters ({value[:10]}...)",
            "catalog numbers are short (a year has 4 digits); if the value is text, put it in quotes")


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
        raise _Problem("E104", node, *_tag_problem(node.tag))


_STANDARD = "tag:yaml.org,2002:"
_TAG_HINTS = (
    (("str",), "remove the tag; to keep a value as text, put it in quotes"),
    (("int", "float", "bool", "null"), "remove the tag and write the value plainly, e.g. year: 2023"),
    (("timestamp",), "remove the tag; dates stay text in quotes, e.g. \"2023-05-01\", and a year is a number"),
    (("binary",), "remove the tag; catalog values are readable text, not encoded bytes"),
    (("set", "omap", "pairs", "seq", "map"), "remove the tag; write a plain list [a, b] or `key: value` lines"),
)


def _tag_problem(tag: str) -> tuple[str, str]:
    """(message, hint) for an explicit tag, whatever it is."""
    shown = "!!" + tag.removeprefix(_STANDARD) if tag.startswith(_STANDARD) else tag
    message = f"tag {shown!r} is not allowed"
    name = tag.removeprefix(_STANDARD) if tag.startswith(_STANDARD) else None
    if name is not None and name.startswith("python/"):
        return message, "remove the tag; catalog files hold plain data, never Python objects"
    for names, hint in _TAG_HINTS:
        if name in names:
            return message, hint
    return message, "remove the tag; catalog files hold plain text, numbers, lists and mappings only"


_Constructor.add_constructor(None, _Constructor.construct_undefined)  # type: ignore[type-var]


class _Loader(_Parser, _Constructor, _Resolver):
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


_STR, _INT, _FLOAT, _BOOL, _NULL = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_WORD_STARTS = frozenset("nNtTfFyYoO")  # null, true, false, yes, no, on, off: at most 5 letters
_PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")


class _Fallback(Exception):
    """Something the fast path does not handle; the careful path reads the file instead."""


_PLAIN_TAGS: dict[str, str] = {}
"""The tag of plain scalars that ``_FastLoader.resolve`` asked PyYAML's resolver for."""
_PLAIN_TAGS_KEPT = 4096


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
            # the tag of a plain scalar depends on its text alone: keys such as `year:` and
            # values such as years are resolved once per run
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = str(super().resolve(kind, value, implicit))  # type: ignore[no-untyped-call]
                if len(_PLAIN_TAGS) < _PLAIN_TAGS_KEPT:
                    _PLAIN_TAGS[value] = tag
            return tag
        return _MAP if kind is MappingNode else _SEQ

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass  # no path resolvers: nothing to track

    def ascend_resolver(self) -> None:
        pass


_PLAIN_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
"""A text that begins with one of these shows something."""


def _refused(value: str, clean: bool) -> bool:
    """Whether ``_inspect`` would report the text ``value`` (``clean``: it cannot hold a
    control character). Asked only when ``clean`` is False or ``value`` does not begin
    with one of ``_PLAIN_START``: otherwise the answer is no."""
    return bool(value) and bool((not clean and _CONTROL.search(value)) or _text_problem(value, False))


def _build(node: Node, clean: bool) -> Any:
    """The data of a composed node. Everything ``_inspect`` would report, and anything
    else out of the ordinary, raises ``_Fallback``, so that the careful path decides.
    ``clean``: no text of the file can hold a control character (see ``_load_fast``).
    A text inside a mapping or a list is built where it is met, without a call."""
    tag = node.tag
    if tag == _MAP:
        data: dict[Any, Any] = {}
        for key_node, child in node.value:
            key = key_node.value
            if key_node.tag != _STR or key in data or (not clean and _CONTROL.search(key)):
                raise _Fallback
            if child.tag != _STR:
                data[key] = _build(child, clean)
            elif (not clean or child.value[:1] not in _PLAIN_START) and _refused(child.value, clean):
                raise _Fallback
            else:
                data[key] = child.value
        return data
    if tag == _SEQ:
        items = []
        for child in node.value:
            if child.tag != _STR:
                items.append(_build(child, clean))
            elif (not clean or child.value[:1] not in _PLAIN_START) and _refused(child.value, clean):
                raise _Fallback
            else:
                items.append(child.value)
        return items
    value = node.value
    if tag == _STR:
        if _refused(value, clean):
            raise _Fallback
        return value
    if tag == _INT and len(value) <= MAX_NUMBER_LENGTH and _PLAIN_INT.match(value):
        return int(value)
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
    # Without an escape (a backslash), a parsed text holds only characters of the file,
    # and spaces and line feeds from folding and line ends: if the file holds no control
    # character, no text in it can, and none need be searched.
    clean = "\\" not in text and (_ascii_only(text, _ASCII_SHOWN) or not _CONTROL.search(text))
    return None if node is None else _build(node, clean)


@dataclass(frozen=True)
class Loaded:
    """A file's text and data; ``data`` is None when the file could not be loaded."""

    text: str | None
    data: Any
    diagnostics: tuple[Diagnostic, ...] = ()
    floats: bool = True
    """Whether the data may hold a float: False when the fast path built it, since it
    leaves every float (rare in a catalog, and wrong where a year is meant) to the careful one."""


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
    raw_controls = _raw_controls(text, path)
    if raw_controls:
        return Loaded(text, None, tuple(raw_controls))
    if len(text) >= _DEPTH_SCAN_FROM:
        deep = _too_deep(text, path)
        if deep:
            return _fail(text, deep)
    floats = False
    try:
        if careful:
            raise _Fallback
        data = _load_fast(text)
    except (_Fallback, yaml.YAMLError, RecursionError):
        floats = True
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
    return Loaded(text, data, floats=floats)


def _load_careful(text: str, path: str) -> Any:
    """PyYAML's nodes, inspected, then its safe constructor with our refusals: the
    data, or a failed ``Loaded`` with every problem found."""
    problems = _explicit_tags(text, path) if "!" in text else []
    if problems:
        return Loaded(text, None, tuple(problems))
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        problems = [_diagnostic(path, p) for p in _inspect(node)]
        if problems:
            return Loaded(text, None, tuple(problems[:_MAX_PROBLEMS]))
        return loader.construct_document(node)
    except _Problem as problem:
        return _fail(text, _diagnostic(path, problem))
    except ConstructorError as err:
        return _fail(text, _marked(path, text, err, "E102"))
    except yaml.MarkedYAMLError as err:
        return _fail(text, _marked(path, text, err, "E102"))
    except yaml.reader.ReaderError as err:
        return _fail(text, _unreadable(path, text, err))
    except (yaml.YAMLError, RecursionError) as err:
        return _fail(text, Diagnostic(path, 1, 1, "E102", f"YAML error: {err}"))
    finally:
        loader.dispose()


def _diagnostic(path: str, problem: _Problem) -> Diagnostic:
    mark = problem.node.start_mark
    return Diagnostic(path, mark.line + 1, mark.column + 1, problem.code, problem.message, problem.hint)


_KINDS: dict[type[Node], str] = {MappingNode: "a mapping", SequenceNode: "a list"}
_KEY_HINT = 'put the key in quotes, e.g. "on": ..., or use one of the keys the schema allows'


def _inspect(root: Node) -> Iterator[_Problem]:
    """Every problem of the composed document, in document order: keys that are not
    text, merge keys, repeated keys, reused (aliased) values, texts with control
    characters or nothing visible, numbers too long. The same questions as ``_build``."""
    seen: set[int] = set()
    aliased = False
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, is_key = stack.pop()
        if id(node) in seen:
            if not aliased:  # once: a "billion laughs" reuses one value millions of times
                aliased = True
                yield _Problem("E105", node, "this value is anchored and reused through an alias",
                               "write the value out in full; catalog files do not use & anchors or * aliases")
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            keys: dict[str, Node] = {}
            children: list[tuple[Node, bool]] = []
            for key_node, value_node in node.value:
                problem = _key_problem(key_node, keys)
                if problem is not None:
                    yield problem
                else:
                    children.append((key_node, True))
                children.append((value_node, False))
            stack.extend(reversed(children))
        elif isinstance(node, SequenceNode):
            stack.extend((item, False) for item in reversed(node.value))
        elif node.tag == _STR:
            found = _text_problem(node.value, is_key)
            if found:
                yield _Problem(found[0], node, found[1], found[2])
        elif node.tag in (_INT, _FLOAT):
            found = _number_problem(node.value)
            if found:
                yield _Problem(found[0], node, found[1], found[2])


def _key_problem(key_node: Node, keys: dict[str, Node]) -> _Problem | None:
    """A key that is not plain text, or that repeats one of ``keys`` (which it joins)."""
    if not isinstance(key_node, ScalarNode):
        return _Problem("E115", key_node, f"a key must be text, not {_KINDS.get(type(key_node), 'a value')}",
                        "write `name: value`, with a word as the name")
    if key_node.tag == _MERGE:
        return _Problem("E117", key_node, "merge key `<<` is not allowed",
                        "write the keys out in full; a merge can hide a repeated key")
    if key_node.tag != _STR:
        read_as = {_INT: "a number", _FLOAT: "a number", _BOOL: "true/false", _NULL: "null (no value)"}
        return _Problem("E115", key_node, f"key `{key_node.value}` is not text: YAML reads it as "
                        f"{read_as.get(key_node.tag, 'a special value')}", _KEY_HINT)
    first = keys.setdefault(key_node.value, key_node)
    if first is not key_node:
        return _Problem("E103", key_node,
                        f"duplicate key {key_node.value!r} (first on line {first.start_mark.line + 1})",
                        "keep one of the two; YAML would silently use the last")
    return None


def _explicit_tags(text: str, path: str) -> list[Diagnostic]:
    """E104 for every explicit tag (``!!str``, ``!!binary``, ``!local``...): the node
    tree no longer tells a tag written from one resolved, so the events are read."""
    found: list[Diagnostic] = []
    try:
        for event in yaml.parse(text, Loader=_Loader):  # type: ignore[arg-type]
            tag = getattr(event, "tag", None)
            if tag is not None and isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
                mark = event.start_mark
                assert mark is not None
                message, hint = _tag_problem(tag)
                found.append(Diagnostic(path, mark.line + 1, mark.column + 1, "E104", message, hint))
                if len(found) >= _MAX_PROBLEMS:
                    break
    except yaml.YAMLError:
        pass  # the real parse reports it with its position
    return found


def _raw_controls(text: str, path: str) -> list[Diagnostic]:
    """E113 for control, bidi and byte-order-mark characters written raw in the file,
    comments included, each at its line and column."""
    if _ascii_only(text, _ASCII_LINES):
        return []
    found: list[Diagnostic] = []
    start = 1 if text.startswith("\ufeff") else 0
    for match in _RAW_CONTROL.finditer(text, start):
        at = match.start()
        line = text.count("\n", 0, at) + 1
        column = at - text.rfind("\n", 0, at)
        char = match.group()
        if char == "\ufeff":
            message = f"a byte order mark, {describe_char(char)}, in the middle of the file"
            hint = "delete it: it is invisible, and only allowed as the very first character"
        else:
            message = f"the file holds the control character {describe_char(char)}"
            hint = ("remove it: a bidi control makes text read differently from what it holds" if char in _BIDI
                    else "remove it; it is invisible or moves the cursor, and no catalog text needs it")
        found.append(Diagnostic(path, line, column, "E113", message, hint))
        if len(found) >= _MAX_PROBLEMS:
            break
    return found


def _unreadable(path: str, text: str, err: yaml.reader.ReaderError) -> Diagnostic:
    """A character YAML cannot read, named and located."""
    char = chr(err.character) if isinstance(err.character, int) else str(err.character)
    at = text.find(char)
    line, column = (text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)) if at >= 0 else (1, 1)
    return Diagnostic(path, line, column, "E102", f"YAML cannot read the character {describe_char(char)}",
                      "remove it, or write it as an escape inside double quotes")


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
    odd = next((c for c in bad_line[max(column - 2, 0):column] if not c.isascii() and _invisible(c)), None)
    if odd is not None:
        message += f"; the line holds the invisible character {describe_char(odd)}"
        hint = "delete it, or replace it by a plain space"
    elif "\t" in bad_line[:column]:
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


class Positions:
    """Where every key and value of one text is: built from one parse, then each
    ``locate`` is a few dictionary look-ups."""

    def __init__(self, text: str) -> None:
        self._at: dict[tuple[str | int, ...], tuple[int, int, int, int]] = {}
        loader = _Loader(text)
        try:
            root: Node | None = loader.get_single_node()
        except yaml.YAMLError:
            root = None
        finally:
            loader.dispose()
        if root is None:
            return
        start = root.start_mark
        self._at[()] = (start.line + 1, start.column + 1, start.line + 1, start.column + 1)
        seen: set[int] = set()
        stack: list[tuple[Node, tuple[str | int, ...]]] = [(root, ())]
        while stack:
            node, here = stack.pop()
            if id(node) in seen:  # an alias: its first place is enough
                continue
            seen.add(id(node))
            if isinstance(node, MappingNode):
                for key_node, value_node in node.value:
                    if isinstance(key_node, ScalarNode):
                        self._add((*here, str(key_node.value)), value_node, key_node)
                        stack.append((value_node, (*here, str(key_node.value))))
            elif isinstance(node, SequenceNode):
                for i, item in enumerate(node.value):
                    self._add((*here, i), item, item)
                    stack.append((item, (*here, i)))

    def _add(self, where: tuple[str | int, ...], value: Node, key: Node) -> None:
        v, k = value.start_mark, key.start_mark
        self._at[where] = (v.line + 1, v.column + 1, k.line + 1, k.column + 1)

    def locate(self, path: JsonPath, *, key: bool = False) -> tuple[int, int]:
        """The 1-based (line, column) of the value at ``path``, or of its key when
        ``key``; the nearest existing ancestor when the path does not exist."""
        found = self._at.get(())
        if found is None:
            return (1, 1)
        here: tuple[str | int, ...] = ()
        for i, part in enumerate(path):
            nxt = (*here, part)
            child = self._at.get(nxt)
            if child is None and isinstance(part, int):
                nxt = (*here, str(part))
                child = self._at.get(nxt)
            if child is None:
                break
            here, found = nxt, child
            if key and i == len(path) - 1:
                return (found[2], found[3])
        return (found[0], found[1])


_POSITIONS: OrderedDict[str, Positions] = OrderedDict()
_POSITIONS_KEPT = 4  # locating goes file by file; a few recent texts are enough


def positions(text: str) -> Positions:
    """The position index of ``text``, built on first use and kept for the next calls."""
    found = _POSITIONS.get(text)
    if found is None:
        found = _POSITIONS[text] = Positions(text)
        if len(_POSITIONS) > _POSITIONS_KEPT:
            _POSITIONS.popitem(last=False)
    else:
        _POSITIONS.move_to_end(text)
    return found


def locate(text: str, path: JsonPath, *, key: bool = False) -> tuple[int, int]:
    """The 1-based (line, column) of the value at ``path``, or of its key when ``key``.

    Falls back to the nearest existing ancestor when the path does not exist
    (a missing key is reported at the mapping that should hold it). One parse per
    text, however many values are located in it (see ``positions``).
    """
    return positions(text).locate(path, key=key)


def source_of(text: str, path: JsonPath) -> str | None:
    """The text exactly as written for the scalar at ``path`` (e.g. ``2310.10340``)."""
    line, column = locate(text, path)
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return None
    rest = lines[line - 1][column - 1:]
    return rest.split(" #")[0].strip().rstrip(",]}") or None


def value_span(text: str, path: JsonPath) -> tuple[int, int] | None:
    """Where the scalar at ``path`` is written in ``text``, as (start, end) indexes of its
    characters, quotes and block indicators included; None when there is no such scalar."""
    loader = _Loader(text)
    try:
        node: Node | None = loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    for part in path:
        if isinstance(node, MappingNode):
            node = next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == str(part)), None)
        elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
        else:
            return None
    if not isinstance(node, ScalarNode):
        return None
    return node.start_mark.index, node.end_mark.index
