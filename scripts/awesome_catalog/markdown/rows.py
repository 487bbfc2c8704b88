"""Read an awesome list written in Markdown into rows of plain text, with their lines.

A *row* is a candidate entry: a table row, or a list item that starts with a link. The
text of every cell comes from mistune's syntax tree, so Markdown escapes (``\\|``,
``\\*``), entities (``&lt;``) and inline markup are undone by the parser, never by a
regular expression on the raw lines. This module knows Markdown, not the catalog: it
does not decide whether a row is valid; ``importer`` does.

mistune's tree carries no positions, so a block parser that stamps each top-level block
with its first line and the line after it is used. A table row sits on the table's
line + 2 + its index (the table plugin reads exactly one line per row); list items take
the lines of the list markers within their list, in order (``list_item_lines``, shared
with ``listdoc``).
"""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from re import Match
from typing import Any

import mistune
from mistune.core import BlockState
from mistune.plugins.table import table
from mistune.util import unescape, unikey

from awesome_catalog.core.identity import written_url

# A header cell, case-folded, -> the column it holds. The first column that is neither a
# term column nor the summary is the work's link.
COLUMN_NAMES: Mapping[str, str] = {
    "paper": "work", "tool": "work", "work": "work", "title": "work", "name": "work", "project": "work",
    "tl;dr": "summary", "tldr": "summary", "summary": "summary", "description": "summary",
}
"""Header cells (case-folded) with a fixed meaning: the work's link, or its summary. Any
other column keeps its header, case-folded, for the importer to match with a tag set."""

LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_LINES = re.compile(r"\r\n|\r|\n")
_LOOK_AHEAD = 8  # marker lines an item may skip to find its own
_SEPARATOR = " \t-:\u2013\u2014"  # what may stand between a list item's link and its description
Node = Mapping[str, Any]


@dataclass(frozen=True)
class Problem:
    """Something the importer could not use, or noticed, at one line of the source."""

    line: int
    kind: str
    message: str


@dataclass(frozen=True)
class SourceRow:
    """One candidate entry as text. ``url`` and ``title`` are empty when the row's work
    cell holds no link; ``note`` is the other text of that cell (a venue such as
    "(ICLR 2023)") and ``links`` its other links as (text, url), such as
    ``("openreview", ...)``; ``cells`` maps column names (``techniques``, ``evaluation``,
    ``summary``) to their plain text, and holds only the columns the source has;
    ``parents`` are the headings that enclose ``heading``, outermost first."""

    line: int
    heading: str | None
    title: str
    url: str
    note: str
    cells: Mapping[str, str]
    links: tuple[tuple[str, str], ...] = ()
    parents: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceRows:
    """Every row of a document, in reading order, and the problems of its tables."""

    rows: tuple[SourceRow, ...]
    problems: tuple[Problem, ...]


class _LineState(BlockState):
    """A block state that knows the line of each offset of its source, and stamps the
    paragraphs it starts at the top level with their line (they do not go through
    ``parse_method``; a setext heading is such a paragraph turned into a heading)."""

    def line_of(self, offset: int) -> int:
        """The 1-based line of ``offset`` in this state's source."""
        if getattr(self, "_starts_of", None) is not self.src:
            self._starts_of = self.src
            self._starts = [0] + [m.end() for m in re.finditer("\n", self.src)]
        return bisect.bisect_right(self._starts, offset)

    def add_paragraph(self, text: str) -> None:
        last = self.last_token()
        super().add_paragraph(text)
        if self.parent is None and not (last and last["type"] == "paragraph"):
            self.tokens[-1]["line"] = self.line_of(self.cursor)


class _LineBlockParser(mistune.BlockParser):
    """A block parser that records, on each top-level token, the line it starts on and,
    for those read by a rule, ``end_line``: the line after its last one (a list takes the
    blank lines that follow it). It also records the pipe tables that mistune gave up on
    (a row with too many or too few cells turns the whole table into a paragraph) as
    (line, number of lines)."""

    state_cls = _LineState

    def __init__(self) -> None:
        super().__init__()
        self.broken_tables: list[tuple[int, int]] = []

    def parse_method(self, m: Match[str], state: BlockState) -> int | None:
        if state.parent is not None or not isinstance(state, _LineState):  # positions would be relative
            return super().parse_method(m, state)
        line = state.line_of(m.start())
        before = len(state.tokens)
        end = super().parse_method(m, state)
        added = state.tokens[before:]
        end_line = state.line_of(end) if end is not None and end < len(state.src) else state.line_of(len(state.src))
        for token in added:
            token.setdefault("line", line)
        for token, following in zip(added, [*added[1:], None], strict=False):
            token.setdefault("end_line", end_line if following is None else following["line"])
        if m.lastgroup == "table" and end is not None and not any(t["type"] == "table" for t in added):
            self.broken_tables.append((line, state.line_of(end) - line))
        return end


def _parse_state(text: str) -> tuple[mistune.Markdown, BlockState, _LineBlockParser]:
    parser = _LineBlockParser()
    markdown = mistune.Markdown(renderer=None, block=parser, inline=mistune.InlineParser(), plugins=[table])
    state = parser.state_cls()
    state.process(text.replace("\r\n", "\n").replace("\r", "\n") + ("" if text.endswith(("\n", "\r")) else "\n"))
    for hook in markdown.before_parse_hooks:
        hook(markdown, state)
    parser.parse(state)
    return markdown, state, parser


def parse(text: str) -> tuple[list[dict[str, Any]], list[tuple[int, int]]]:
    """The syntax tree of ``text`` (mistune with its table plugin), its blocks stamped
    with their lines, and the tables mistune could not read as (line, number of lines)."""
    markdown, state, parser = _parse_state(text)
    tokens = markdown.render_state(state)
    assert isinstance(tokens, list)
    return tokens, parser.broken_tables


@dataclass(frozen=True)
class Blocks:
    """The block structure of a document before inline parsing: ``tokens`` are mistune's
    top-level block tokens stamped with their ``line``, each keeping the Markdown source of
    its inline text in ``text`` (table cells and list items too); ``inline`` parses such a
    source into inline nodes with the document's reference definitions."""

    tokens: list[dict[str, Any]]
    broken_tables: list[tuple[int, int]]
    inline: Callable[[str], list[dict[str, Any]]]
    references: Mapping[str, str]  # reference label, normalised by ``reference_key`` -> its url


def parse_blocks(text: str) -> Blocks:
    """The block tokens of ``text`` with their lines, their inline source left unparsed."""
    markdown, state, parser = _parse_state(text)
    env = state.env

    def inline(source: str) -> list[dict[str, Any]]:
        nodes = markdown.inline(source.strip(" \r\n\t\f"), env)
        assert isinstance(nodes, list)
        return nodes

    references = {key: str(ref.get("url", "")) for key, ref in env.get("ref_links", {}).items()}
    return Blocks(state.tokens, parser.broken_tables, inline, references)


def reference_key(label: str) -> str:
    """The key of a link reference label, as Markdown matches them (case and runs of
    white space do not count)."""
    return unikey(label)


def marker_lines(text: str) -> list[int]:
    """The lines of ``text`` that start with a list marker (``-``, ``*``, ``+``, ``1.``,
    ``1)``): where list items may begin."""
    return [n for n, content in enumerate(_LINES.split(text), 1) if LIST_MARKER.match(content)]


def list_item_lines(token: Node, line: int, end: int, markers: Sequence[int],
                    first_line: Callable[[Node], str | None] | None = None,
                    source: Sequence[str] = ()) -> Iterator[tuple[Node, int]]:
    """Every item of the list ``token`` (on ``line``, ending before ``end``) and of the
    lists nested in it, in reading order, with the line of its marker.

    Items take the marker lines of their range in order. With ``first_line`` (the text an
    item's first line holds, or None) and the ``source`` lines, a marker line whose text
    differs from the item's is passed over (a marker-like line inside a code block or a
    paragraph), looking a few markers ahead; an item with no match keeps the next one."""
    window = markers[bisect.bisect_left(markers, line):bisect.bisect_left(markers, end)]
    at = 0
    for item in _list_items(token):
        expected = first_line(item) if first_line is not None and source else None
        if expected is not None:
            for ahead in range(at, min(at + _LOOK_AHEAD, len(window))):
                content = source[window[ahead] - 1]
                m = LIST_MARKER.match(content)
                if m and " ".join(content[m.end():].split()) == expected:
                    at = ahead
                    break
        yield item, window[at] if at < len(window) else line
        at += 1


def plain_text(nodes: Sequence[Node]) -> str:
    """The text a reader sees in inline nodes: markup, images and HTML tags dropped,
    entities decoded, whitespace folded to single spaces."""
    return " ".join(_text(nodes).split())


def _text(nodes: Sequence[Node]) -> str:
    parts = []
    for node in nodes:
        kind = node.get("type")
        if kind == "text":
            parts.append(unescape(node.get("raw", "")))
        elif kind == "codespan":
            parts.append(node.get("raw", ""))
        elif kind in ("softbreak", "linebreak"):
            parts.append(" ")
        elif kind != "inline_html":
            parts.append(_text(node.get("children", ())))
    return "".join(parts)


def first_link(nodes: Sequence[Node]) -> tuple[Node | None, Sequence[Node]]:
    """The link a run of inline nodes starts with (possibly inside bold or italics), and
    the nodes after it; (None, nodes) when the run does not start with a link."""
    for i, node in enumerate(nodes):
        kind = node.get("type")
        if kind == "text" and not node.get("raw", "").strip():
            continue
        if kind == "link":
            return node, nodes[i + 1:]
        if kind in ("strong", "emphasis"):
            link, rest = first_link(node.get("children", ()))
            if link is not None and not plain_text(rest):
                return link, nodes[i + 1:]
        break
    return None, nodes


def read_rows(text: str) -> SourceRows:
    """Every table row and every list item that starts with a link, under its heading."""
    markers = marker_lines(text)
    tokens, broken = parse(text)
    rows: list[SourceRow] = []
    problems = [Problem(line, "bad-table", "Markdown does not read this as a table: a row has another number of "
                        "cells than the header (escape a | inside a cell as \\|); its rows were not imported: "
                        f"lines {line + 2} to {line + size - 1}") for line, size in broken]
    heading: str | None = None
    outline: list[tuple[int, str]] = []  # the open headings: (level, text), outermost first
    parents: tuple[str, ...] = ()
    for token in tokens:
        line = int(token.get("line", 0))
        kind = token.get("type")
        if kind == "heading":
            heading = plain_text(token.get("children", ()))
            level = int(token.get("attrs", {}).get("level", 1))
            while outline and outline[-1][0] >= level:
                outline.pop()
            parents = tuple(text for _, text in outline)
            outline.append((level, heading))
        elif kind == "table":
            rows += _table_rows(token, line, heading, problems, parents)
        elif kind == "block_html":
            problem = _html_block(token.get("raw", ""), line)
            if problem is not None:
                problems.append(problem)
        elif kind == "list":
            for item, item_line in list_item_lines(token, line, int(token.get("end_line", sys.maxsize)), markers):
                row = _item_row(item, item_line, heading, parents)
                if row is not None:
                    rows.append(row)
                elif _starts_with_html_link(item):
                    problems.append(Problem(item_line or line, "html", "this list item starts with an HTML link "
                                            "(<a href>), which is not read; it was not imported: write it as "
                                            "[title](url)"))
    return SourceRows(tuple(rows), tuple(problems))


_HTML_ROW = re.compile(r"<tr\b", re.IGNORECASE)
_HTML_ITEM = re.compile(r"<li\b", re.IGNORECASE)
_HTML_LINK = re.compile(r"<a\s[^>]*\bhref\s*=", re.IGNORECASE)


def _html_block(raw: str, line: int) -> Problem | None:
    """A problem for an HTML block whose table rows or list items hold links: the
    importer reads Markdown only, and never drops rows without a word. (A block of
    links alone, such as a row of badges, holds no items.)"""
    rows = sum(1 for part in _HTML_ROW.split(raw)[1:] if _HTML_LINK.search(part))
    items = sum(1 for part in _HTML_ITEM.split(raw)[1:] if _HTML_LINK.search(part))
    if rows:
        what, rewrite = f"an HTML <table> with {rows} row{'s' * (rows != 1)} holding links", "a Markdown table"
    elif items:
        what, rewrite = f"an HTML list with {items} item{'s' * (items != 1)} holding links", "a Markdown list"
    else:
        return None
    end = line + raw.rstrip("\n").count("\n")
    return Problem(line, "html", f"{what} (lines {line} to {end}) is not read, so none of them was imported: "
                   f"rewrite it as {rewrite}")


def _starts_with_html_link(item: Node) -> bool:
    first = next((b for b in item.get("children", ()) if b.get("type") in ("block_text", "paragraph")), None)
    nodes = [n for n in (first or {}).get("children", ()) if n.get("type") != "text" or n.get("raw", "").strip()]
    return bool(nodes) and nodes[0].get("type") == "inline_html" and bool(_HTML_LINK.match(nodes[0].get("raw", "")))


def _table_rows(token: Node, line: int, heading: str | None, problems: list[Problem],
                parents: tuple[str, ...] = ()) -> Iterator[SourceRow]:
    head, body = token["children"]
    columns: list[str | None] = []
    for cell in head["children"]:
        name = plain_text(cell.get("children", ()))
        columns.append(COLUMN_NAMES.get(name.casefold(), " ".join(name.casefold().split()) or None))
    work = columns.index("work") if "work" in columns else 0
    for i, row in enumerate(body["children"]):
        cells = [c.get("children", ()) for c in row["children"]]
        link, rest = first_link(cells[work])
        others = [n for n in rest if n.get("type") == "link"]
        yield SourceRow(
            line=line + 2 + i,
            heading=heading,
            title=plain_text(link["children"]) if link else "",
            url=written_url(link["attrs"]["url"]) if link else "",
            note=" ".join(plain_text([n for n in rest if n.get("type") != "link"]).replace("\u00b7", " ").split()),
            cells={c: plain_text(cells[j]) for j, c in enumerate(columns) if c and j != work},
            links=tuple((plain_text(n["children"]), written_url(n["attrs"]["url"])) for n in others),
            parents=parents,
        )


def _list_items(token: Node) -> Iterator[Node]:
    """The items of a list and of the lists nested in it, in reading order."""
    for item in token.get("children", ()):
        yield item
        for block in item.get("children", ()):
            if block.get("type") == "list":
                yield from _list_items(block)


def _item_row(item: Node, line: int, heading: str | None, parents: tuple[str, ...] = ()) -> SourceRow | None:
    """``- [Title](url) (venue) - description``; None unless the item starts with a link
    to another page (a table of contents links to anchors, and prose has no link)."""
    first = next((b for b in item.get("children", ()) if b.get("type") in ("block_text", "paragraph")), None)
    if first is None:
        return None
    link, rest = first_link(first.get("children", ()))
    if link is None or link["attrs"]["url"].startswith("#"):
        return None
    after = plain_text(rest)
    note = ""
    if after.startswith("("):
        close = after.find(")")
        if close > 0:
            note, after = after[: close + 1], after[close + 1:]
    return SourceRow(line, heading, plain_text(link["children"]), written_url(link["attrs"]["url"]), note,
                     {"summary": after.lstrip(_SEPARATOR)}, parents=parents)
