"""Add sections to ``catalog/taxonomy.yaml`` without rewriting it.

The file is the maintainer's: its comments, order, quoting and folded descriptions are
kept byte for byte. New sections are written as YAML text inserted after the last item
of the list they join (``sections``, or a section's ``children``, which is opened when
the section has none), with the indentation that list already uses. The result is read
back and must be the old tree with the new sections in place, or nothing is returned.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Additions = Mapping[str | None, Sequence[Mapping[str, Any]]]
"""New sections by the id of the section they go under (None: the top of the tree),
each as taxonomy data (``id``, ``title``, ``columns``...), in order."""


def add_sections(text: str, additions: Additions) -> str:
    """``text`` with the new sections inserted; a ValueError says why they cannot be
    added safely (the file is not block YAML as expected, or a parent is missing)."""
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if "\r\n" in text else "\n"
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    top = _value(root, "sections") if root is not None else None
    if not isinstance(top, SequenceNode) or not top.value:
        raise ValueError("taxonomy.yaml has no list of sections")
    found: dict[str, MappingNode] = {}
    _index(top, found)
    inserts: list[tuple[int, int, list[str]]] = []  # (after line, indent, text lines)
    for parent, sections in additions.items():
        if not sections:
            continue
        if parent is None:
            inserts.append(_into_list(top, lines, sections))
            continue
        node = found.get(parent)
        if node is None:
            raise ValueError(f"taxonomy.yaml has no section `{parent}`")
        children = _value(node, "children")
        if isinstance(children, SequenceNode) and children.value:
            inserts.append(_into_list(children, lines, sections))
        else:
            indent = _block_column(node, lines)
            after = _last_line(node, lines)
            inserts.append((after, indent, [" " * indent + "children:", *_items(sections, indent + 2)]))
    for after, _, block in sorted(inserts, key=lambda i: (-i[0], i[1])):  # outer lists first at one line
        lines[after + 1:after + 1] = [line + newline for line in block]
    result = "".join(lines)
    expected = yaml.safe_load(text)
    _graft(expected["sections"], additions)
    expected["sections"].extend(dict(s) for s in additions.get(None, ()))
    if yaml.safe_load(result) != expected:
        raise ValueError("taxonomy.yaml is laid out in a way the new sections cannot be added to safely")
    return result


def _value(node: Node, key: str) -> Node | None:
    if isinstance(node, MappingNode):
        return next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == key), None)
    return None


def _index(sections: SequenceNode, found: dict[str, MappingNode]) -> None:
    for item in sections.value:
        section_id = _value(item, "id")
        if isinstance(item, MappingNode) and isinstance(section_id, ScalarNode):
            found.setdefault(section_id.value, item)
        children = _value(item, "children")
        if isinstance(children, SequenceNode):
            _index(children, found)


def _last_line(node: Node, lines: Sequence[str]) -> int:
    """The last line (0-based) that holds text of ``node``."""
    while isinstance(node, (MappingNode, SequenceNode)) and node.value and not node.flow_style:
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    end = node.end_mark.line if node.end_mark.column > 0 else node.end_mark.line - 1
    while end > node.start_mark.line and not lines[end].strip():
        end -= 1
    return end


def _block_column(node: Node, lines: Sequence[str]) -> int:
    """The column a block node's keys or items start at; a ValueError for flow style."""
    if getattr(node, "flow_style", False):
        raise ValueError(f"taxonomy.yaml writes line {node.start_mark.line + 1} in flow style ([...] or {{...}})")
    return int(node.start_mark.column)


def _into_list(items: SequenceNode, lines: Sequence[str], sections: Sequence[Mapping[str, Any]]) -> tuple[
        int, int, list[str]]:
    _block_column(items, lines)
    first = items.value[0]
    line = lines[first.start_mark.line]
    dash = line.rfind("-", 0, first.start_mark.column)
    if dash < 0 or line[:dash].strip():
        raise ValueError(f"taxonomy.yaml line {first.start_mark.line + 1} is not a list item on its own line")
    return _last_line(items, lines), dash, _items(sections, dash)


def _items(sections: Sequence[Mapping[str, Any]], dash: int) -> list[str]:
    """Each section as a block list item whose dash stands at column ``dash``."""
    out: list[str] = []
    for section in sections:
        for i, (key, value) in enumerate(section.items()):
            lead = " " * dash + ("- " if i == 0 else "  ")
            out.append(f"{lead}{key}: {_scalar(value)}")
    return out


def _scalar(value: Any) -> str:
    """A value as YAML on one line: plain when it reads back as itself, else quoted."""
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    text = str(value)
    try:
        if yaml.safe_load(f"k: {text}") == {"k": value} and "#" not in text:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _graft(sections: list[dict[str, Any]], additions: Additions) -> None:
    for section in sections:
        _graft(section.get("children", []), additions)
        if additions.get(section["id"]):
            section.setdefault("children", []).extend(dict(s) for s in additions[section["id"]])
