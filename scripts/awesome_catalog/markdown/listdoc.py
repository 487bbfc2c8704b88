"""Read any awesome list written in Markdown into its parts: the hand-written text, kept
verbatim, and the items under their headings, kept as inline Markdown source.

``read_list`` is what ``init --from`` starts from. It is pure, never raises, and takes
time linear in the size of the text. Nothing is dropped silently: a line that looks like
an item and cannot be read is a ``Problem``.

The block structure comes from mistune (``rows.parse_blocks``: top-level blocks with their
lines, list items with the lines of their markers). The inline source of an item is cut
into its parts by a small scanner over the source itself, because mistune's inline tree
has no positions and rendering it back would not give the source as written; mistune's
inline tree decides whether an item starts with a link at all.

What an item is:

- a list item (``-``, ``*``, ``+``, ``1.``, ``1)``, at any depth) or a table row whose text
  starts with a link, possibly bold (``**[x](u)**``) and possibly after marks (a badge
  ``[![x](img)](link)``, an image, an emoji or symbol such as ``⚠``, a code span, an HTML
  tag): ``[name](url) <marks> <separator> description ([Label](u), ...) `tag` `tag```.
  The marks, separator, extra links and tags are taken off the description.
- In a list that holds items, every other list item is kept as a *label*: an ``Item``
  with an empty ``url``, its text as ``name`` (split at a first dash between spaces, hyphen, en or
  em dash, into name and description), and its nested items as ``children``: ``- Linux`` above
  a nested list is a group label. A label whose text holds a link that does not come first
  is also a ``Problem``.
- In a table, the name column is the first column where a row starts with a link; every
  row is an item, and ``cells`` maps every header to the row's cell source. A row whose
  name cell holds no link is a label and a ``Problem``.

A list or table none of whose items starts with a link is hand-written text, as are
paragraphs, code and HTML. Each heading opens a ``Block`` that ends at the next heading of
any level; its ``intro`` is the source between the heading and its first item, its
``outro`` the source after its last item, ``between`` the source between two runs of
items (two lists, or a list and a table, with text between them). A README is rebuilt
byte for byte, but for the items and the heading lines, as ``head``, then the ``toc``
and the ``blocks`` (the toc standing before ``blocks[toc_index]``), each block as its
heading line, ``intro``, items (with ``between`` at its place), ``outro`` and children.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from types import MappingProxyType
from typing import Any

from awesome_catalog.markdown.rows import (
    LIST_MARKER,
    Node,
    Problem,
    first_link,
    list_item_lines,
    marker_lines,
    parse_blocks,
    plain_text,
    reference_key,
)

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class Item:
    """One item of the list: a list item or a table row. ``url`` is empty for a label (a
    list item or row that does not start with a link, such as a group label over nested
    items). Text fields are inline Markdown source as written; ``separator`` is the text
    between the link (and its marks) and the description, ``lead`` the source before the
    link (marks and what separates them), ``emphasis`` the markers around a bold or
    italic link (``**``)."""

    line: int
    name: str
    url: str
    description: str
    tags: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    marks: tuple[str, ...] = ()
    children: tuple[Item, ...] = ()
    cells: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    separator: str = ""
    lead: str = ""
    emphasis: str = ""


@dataclass(frozen=True)
class Block:
    """One heading and what stands under it until the next heading of any level. For the
    table of contents read from the head (a list of anchors with no heading of its own),
    ``heading`` is empty and ``level`` 0. ``between`` holds the source between two runs of
    items as (index in ``items`` of the first item after it, source)."""

    heading: str
    level: int
    line: int
    layout: str
    items: tuple[Item, ...]
    columns: tuple[str, ...]
    intro: str
    outro: str
    children: tuple[Block, ...]
    between: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class ItemStyle:
    """How the list writes its items: the most used bullet (``1.`` for numbered lists),
    separator, and whether most descriptions end with punctuation."""

    bullet: str
    separator: str
    final_period: bool


@dataclass(frozen=True)
class ListDoc:
    """A Markdown list read into its parts; see the module's docstring. ``title`` is the
    source of the first heading when it is of level 1. ``toc_index`` is the index in
    ``blocks`` of the block the table of contents stood before."""

    title: str | None
    head: str
    toc: Block | None
    blocks: tuple[Block, ...]
    style: ItemStyle
    problems: tuple[Problem, ...]
    toc_index: int = 0

    def sorted_by_name(self, block: Block) -> bool:
        """Whether the items of ``block`` (labels aside) are in case-insensitive order of
        their names as a reader sees them."""
        keys = [_sort_key(item.name) for item in block.items if item.url]
        return all(a <= b for a, b in pairwise(keys))

    def walk(self) -> Iterator[tuple[tuple[Block, ...], Item]]:
        """Every top-level item of every block (not the toc's), with its chain of
        blocks from the top level down, in reading order; nested items are in
        ``Item.children``."""
        def visit(chain: tuple[Block, ...]) -> Iterator[tuple[tuple[Block, ...], Item]]:
            for item in chain[-1].items:
                yield chain, item
            for child in chain[-1].children:
                yield from visit((*chain, child))
        for block in self.blocks:
            yield from visit((block,))


# ---------------------------------------------------------------------------- inline


_SEPARATOR = re.compile(r"[ \t]*(?:[-\u2013\u2014:|]+[ \t]*)?")
_LABEL_SPLIT = re.compile(r" [-\u2013\u2014] ")
_SPACES = " \t"
_FINAL = tuple(".!?\u2026\u3002)\"'*_")


@dataclass(frozen=True)
class _Link:
    start: int
    end: int
    label: str
    url: str | None  # None: a reference that is not defined


class _Scan:
    """The inline source of one item, with the few syntax rules needed to cut it: code
    spans, balanced brackets, links and images. Each method reads forward from a given
    place only as far as the construct it reads, so that a constant number of reads per
    item keeps the whole reader linear."""

    def __init__(self, src: str, references: Mapping[str, str]) -> None:
        self.src = src
        self.references = references
        self._code: dict[int, int] | None = None
        self._code_ends: dict[int, int] = {}

    def code(self) -> dict[int, int]:
        """Code spans, start -> end: a run of n backticks closes at the next run of n."""
        if self._code is None:
            runs = [(m.start(), m.end() - m.start()) for m in re.finditer(r"`+", self.src)
                    if not _escaped(self.src, m.start())]
            following: list[int | None] = [None] * len(runs)
            last: dict[int, int] = {}
            for i in range(len(runs) - 1, -1, -1):
                following[i] = last.get(runs[i][1])
                last[runs[i][1]] = i
            self._code = {}
            i = 0
            while i < len(runs):
                j = following[i]
                if j is None:
                    i += 1
                    continue
                start, end = runs[i][0], runs[j][0] + runs[j][1]
                self._code[start] = end
                self._code_ends[end] = start
                i = j + 1
        return self._code

    def code_end(self, i: int) -> int | None:
        return self.code().get(i)

    def code_start(self, end: int) -> int | None:
        self.code()
        return self._code_ends.get(end)

    def bracket_end(self, i: int) -> int | None:
        """The index of the ``]`` that closes the ``[`` at ``i``."""
        src, depth, k = self.src, 0, i
        while k < len(src):
            c = src[k]
            if c == "\\":
                k += 2
                continue
            if c == "`":
                end = self.code_end(k)
                if end is not None:
                    k = end
                    continue
            elif c == "[":
                depth += 1
            elif c == "]":
                depth -= 1
                if depth == 0:
                    return k
            k += 1
        return None

    def link(self, i: int) -> _Link | None:
        """The link at ``i``: ``[label](url "title")``, ``[label][ref]``, ``[label][]``,
        ``[label]`` (a defined reference) or ``<https://autolink>``."""
        src = self.src
        if src.startswith("<", i):
            m = _AUTOLINK.match(src, i)
            return _Link(i, m.end(), m.group(1), m.group(1)) if m else None
        if not src.startswith("[", i):
            return None
        close = self.bracket_end(i)
        if close is None:
            return None
        label = src[i + 1:close]
        if src.startswith("(", close + 1):
            return self._inline_link(i, close, label)
        if src.startswith("[", close + 1):
            end = self.bracket_end(close + 1)
            if end is None:
                return None
            ref = src[close + 2:end] or label
            return _Link(i, end + 1, label, self.references.get(reference_key(ref)))
        url = self.references.get(reference_key(label))
        return _Link(i, close + 1, label, url) if url is not None else None

    def _inline_link(self, i: int, close: int, label: str) -> _Link | None:
        src, k = self.src, close + 2
        while k < len(src) and src[k] in _SPACES:
            k += 1
        if src.startswith("<", k):
            gt = src.find(">", k)
            if gt < 0:
                return None
            url, k = src[k + 1:gt], gt + 1
        else:
            start, depth = k, 0
            while k < len(src):
                c = src[k]
                if c == "\\":
                    k += 2
                    continue
                if c in _SPACES:
                    break
                if c == "(":
                    depth += 1
                elif c == ")":
                    if depth == 0:
                        break
                    depth -= 1
                k += 1
            url = src[start:min(k, len(src))]
        while k < len(src) and src[k] in _SPACES:
            k += 1
        if k < len(src) and src[k] in "\"'(":
            closing = ")" if src[k] == "(" else src[k]
            k += 1
            while k < len(src) and src[k] != closing:
                k += 2 if src[k] == "\\" else 1
            k += 1
            while k < len(src) and src[k] in _SPACES:
                k += 1
        if not src.startswith(")", k):
            return None
        return _Link(i, k + 1, label, url)

    def image(self, i: int) -> int | None:
        """The end of the image ``![alt](src)`` at ``i``."""
        if not self.src.startswith("![", i):
            return None
        link = self.link(i + 1)
        return link.end if link is not None else None

    def badge(self, i: int) -> int | None:
        """The end of the image, or of the link whose text is only an image, at ``i``."""
        end = self.image(i)
        if end is not None or not self.src.startswith("[", i):
            return end
        link = self.link(i)
        if link is None:
            return None
        inner = link.label.strip()
        scan = _Scan(inner, self.references)
        return link.end if inner and scan.image(0) == len(inner) else None

    def mark(self, i: int) -> int | None:
        """The end of a mark at ``i``: a badge or image, a code span without letters or
        digits (``⚠`` in backticks), or a run of symbols (an emoji)."""
        src = self.src
        if i >= len(src):
            return None
        end = self.badge(i)
        if end is not None:
            return end
        if src[i] == "`":
            end = self.code_end(i)
            return end if end is not None and not _has_word(src[i:end]) else None
        k = i
        while k < len(src) and _symbol(src[k]):
            k += 1
        return k if k > i else None


_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def _escaped(src: str, i: int) -> bool:
    n = 0
    while i - n - 1 >= 0 and src[i - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def _has_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


def _symbol(c: str) -> bool:
    """A character of an emoji or symbol mark: not a letter, digit, space, separator or
    Markdown punctuation."""
    return not c.isalnum() and not c.isspace() and c not in "[]()<>`!*_\\-\u2013\u2014:|,.;'\"#&/"


@dataclass(frozen=True)
class _Read:
    """What the text of one item gave: an ``Item`` without line, children or cells."""

    name: str
    url: str
    description: str
    tags: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    marks: tuple[str, ...] = ()
    separator: str = ""
    lead: str = ""
    emphasis: str = ""
    problem: tuple[str, str] | None = None  # (kind, message)

    def item(self, line: int, children: tuple[Item, ...] = (), cells: Mapping[str, str] = _EMPTY) -> Item:
        return Item(line, self.name, self.url, self.description, self.tags, self.links, self.marks, children,
                    cells, self.separator, self.lead, self.emphasis)


def _fold(source: str) -> str:
    """An item's source on one line: its lines joined by single spaces."""
    return " ".join(part.strip() for part in source.strip().splitlines())


def _lead_link(nodes: Sequence[Node]) -> Node | None:
    """The link the item's inline nodes start with once its marks are passed over."""
    for i, node in enumerate(nodes):
        kind = node.get("type")
        if kind == "text" and not _has_word(node.get("raw", "")) and "[" not in node.get("raw", ""):
            continue
        if kind in ("image", "codespan", "inline_html", "softbreak", "linebreak"):
            if kind == "codespan" and i + 1 < len(nodes) and _starts_with_link(nodes[i + 1:]):
                continue
            if kind != "codespan":
                continue
            return None
        if kind == "link" and all(c.get("type") == "image" or not plain_text([c]) for c in node.get("children", ())) \
                and any(c.get("type") == "image" for c in node.get("children", ())):
            continue  # a badge
        link, _ = first_link(nodes[i:])
        return link
    return None


def _starts_with_link(nodes: Sequence[Node]) -> bool:
    """Whether the nodes are a separator (or nothing) followed by a link: what follows a
    code span that is a mark or a key (`` `MIT` - [MIT License](...)``)."""
    for node in nodes:
        if node.get("type") == "text" and not _has_word(node.get("raw", "")):
            continue
        return first_link([node])[0] is not None
    return False


def _read_text(source: str, nodes: Sequence[Node], references: Mapping[str, str]) -> _Read:
    """Cut the inline source of an item into its parts; a label when it does not start
    with a link."""
    src = _fold(source)
    if _lead_link(nodes) is None:
        return _label(src, nodes, references)
    scan = _Scan(src, references)
    marks: list[str] = []
    k = 0
    while k < len(src):  # marks before the link
        if src[k] in _SPACES or src[k] in "-\u2013\u2014:|":
            k += 1
            continue
        if src.startswith("<", k) and not _AUTOLINK.match(src, k):
            m = _HTML_TAG.match(src, k)
            if m:
                marks.append(m.group(0))
                k = m.end()
                continue
        if src[k] in "[<*_":
            emphasis = ""
            j = k
            if src[k] in "*_":
                emphasis = src[k:k + 2] if src.startswith(src[k] * 2, k) else src[k]
                j = k + len(emphasis)
            link = scan.link(j)
            if link is not None and scan.badge(j) is None:
                close = link.end
                if emphasis:
                    if not src.startswith(emphasis, close):
                        break
                    close += len(emphasis)
                return _after_link(scan, link, close, src[:k], tuple(marks), emphasis)
        end = scan.code_end(k) if src[k] == "`" else scan.mark(k)  # a code span too: `MIT` - [MIT License](...)
        if end is None:
            break
        marks.append(src[k:end])
        k = end
    return _Read(plain_text(nodes), "", "", problem=(
        "unreadable", "this item starts with a link that could not be cut out of its source; its text was kept "
        "as the name"))


def _after_link(scan: _Scan, link: _Link, k: int, lead: str, marks: tuple[str, ...], emphasis: str) -> _Read:
    """The parts after the item's link: marks, separator, description, extra links, tags."""
    src = scan.src
    after: list[str] = []
    p = k
    while True:  # marks right after the link: `⚠`, a badge
        q = p
        while q < len(src) and src[q] in _SPACES:
            q += 1
        end = scan.badge(q) if q < len(src) else None
        if end is None and src.startswith("`", q):
            code = scan.code_end(q)
            end = code if code is not None and not _has_word(src[q:code]) else None
        if end is None:
            break
        after.append(src[q:end])
        p = end
    m = _SEPARATOR.match(src, p)
    start = m.end() if m else p
    separator = src[k if not after else p:start]
    end, tags, links, tail_marks = _tail(scan, start)
    problem = None
    if link.url is None:
        problem = ("undefined-reference", f"the link reference of [{link.label}] is not defined in the document")
    return _Read(link.label, link.url or "", src[start:end].strip(), tags, links, (*marks, *after, *tail_marks),
                 separator, lead, emphasis, problem)


def _tail(scan: _Scan, start: int) -> tuple[int, tuple[str, ...], tuple[tuple[str, str], ...], tuple[str, ...]]:
    """Where the description ends, and the tags, extra links and badges after it."""
    src = scan.src
    end = len(src.rstrip())
    tags: list[str] = []
    links: tuple[tuple[str, str], ...] = ()
    marks: list[str] = []
    for _ in range(8):
        end = max(start, len(src[:end].rstrip()))
        # trailing tags: `MIT` `Go`, after punctuation, a closing parenthesis or nothing
        run: list[tuple[int, str]] = []
        q = end
        while q > start and src[q - 1] == "`":
            c = scan.code_start(q)
            if c is None or c < start or (c > start and src[c - 1] not in _SPACES):
                break
            run.append((c, src[c:q].strip("`").strip()))
            q = len(src[:c].rstrip())
        before = src[:q].rstrip()
        if run and (q <= start or before.endswith(_TAG_AFTER)):
            tags = [t for _, t in reversed(run)] + tags
            end = q
            continue
        if not links and src[end - 1:end] == ")":
            group = _link_group(scan, start, end)
            if group is not None:
                links, end = group
                continue
        badge = _trailing_badge(scan, start, end)
        if badge is not None:
            marks.insert(0, src[badge:end])
            end = badge
            continue
        break
    return end, tuple(tags), links, tuple(marks)


_TAG_AFTER = (".", "!", "?", ")", "\u2026", "\u3002", "`")


def _link_group(scan: _Scan, start: int, end: int) -> tuple[tuple[tuple[str, str], ...], int] | None:
    """``([Demo](u1), [Source Code](u2))`` ending at ``end``: its links and its start."""
    src = scan.src
    g = src.rfind("(", start, end)
    while g >= start and not src.startswith("[", g + 1 + len(src[g + 1:end]) - len(src[g + 1:end].lstrip())):
        g = src.rfind("(", start, g)
    if g < start:
        return None
    found: list[tuple[str, str]] = []
    k = g + 1
    while True:
        while k < end and src[k] in _SPACES:
            k += 1
        link = scan.link(k)
        if link is None or link.url is None or scan.badge(k) is not None:
            return None
        found.append((link.label, link.url))
        k = link.end
        while k < end and src[k] in _SPACES:
            k += 1
        if k < end and src[k] == ",":
            k += 1
            continue
        if k == end - 1 and src[k] == ")":
            return tuple(found), g
        return None


def _trailing_badge(scan: _Scan, start: int, end: int) -> int | None:
    """The start of an image or badge that ends at ``end``."""
    src = scan.src
    if src[end - 1:end] != ")":
        return None
    for opener in ("[![", "!["):
        b = src.rfind(opener, start, end)
        if b > start and src[b - 1] in _SPACES and scan.badge(b) == end:
            return b
    return None


def _label(src: str, nodes: Sequence[Node], references: Mapping[str, str]) -> _Read:
    """A list item that does not start with a link: its text, split at a first dash."""
    problem = None
    if any(_links(nodes)):
        problem = ("not-an-item", "this item holds a link but does not start with one: kept as a label")
    elif re.search(r"<a\s[^>]*href", src, re.IGNORECASE):
        problem = ("html-item", "this item is an HTML link, not read: write it as [name](url)")
    scan = _Scan(src, references)
    if src.startswith(("[", "**[", "__[")):
        close = scan.bracket_end(src.index("["))
        end = scan.bracket_end(close + 1) if close is not None and src.startswith("[", close + 1) else None
        if close is not None and end is not None:
            ref = src[close + 2:end] or src[src.index("[") + 1:close]
            problem = ("undefined-reference", f"the link reference [{ref}] is not defined in the document "
                       f"(add a line '[{ref}]: https://...'); kept as a label")
    m = _LABEL_SPLIT.search(src)
    if m is None:
        return _Read(src, "", "", problem=problem)
    return _Read(src[:m.start()], "", src[m.end():], separator=m.group(0), problem=problem)


def _links(nodes: Sequence[Node]) -> Iterator[Node]:
    for node in nodes:
        if node.get("type") == "link":
            yield node
        else:
            yield from _links(node.get("children", ()))


def _sort_key(name: str) -> str:
    return " ".join(re.sub(r"[*_`\\~]", "", name).casefold().split())


# ----------------------------------------------------------------------------- blocks


@dataclass
class _Section:
    """A heading being read: where it is and what stands under it."""

    heading: str
    level: int
    line: int
    body: int  # the first line under the heading
    tokens: list[dict[str, Any]] = field(default_factory=list)
    end: int = 0  # the line of the next heading
    children: list[_Section] = field(default_factory=list)


@dataclass
class _Run:
    """Items read from one list or table, and the lines they take."""

    kind: str
    start: int
    end: int
    items: list[Item]
    columns: tuple[str, ...] = ()


class _Reader:
    """The state of one reading: the source lines, the parsed blocks, the problems."""

    def __init__(self, text: str) -> None:
        self.lines = _LINE.findall(text)
        self.content = [line.rstrip("\r\n") for line in self.lines]
        self.parsed = parse_blocks(text)
        self.markers = marker_lines(text)
        self.problems: list[Problem] = []
        if "\x00" in text:
            first = next(n for n, line in enumerate(self.content, 1) if "\x00" in line)
            self.problems.append(Problem(first, "binary", "the text holds NUL characters: is this a Markdown file?"))
        for line, size in self.parsed.broken_tables:
            self.problems.append(Problem(line, "bad-table", "Markdown does not read this as a table: a row has "
                                 "another number of cells than the header (escape a | inside a cell as \\|); its "
                                 f"lines {line} to {line + size - 1} were kept as text"))

    def source(self, start: int, end: int) -> str:
        """The source of lines [start, end), 1-based, with their line endings."""
        return "".join(self.lines[max(start, 1) - 1:max(end, 1) - 1])

    def problem(self, line: int, kind: str, message: str) -> None:
        self.problems.append(Problem(line, kind, message))

    # ---- items

    def runs(self, tokens: Sequence[dict[str, Any]]) -> list[_Run]:
        """The runs of items among the top-level tokens of one section."""
        runs: list[_Run] = []
        for token in tokens:
            kind = token.get("type")
            line = int(token.get("line", 0))
            if kind == "block_html" and "<table" in str(token.get("raw", "")).lower():
                self.problem(line, "html-table", "an HTML table is not read: its rows were kept as text")
            elif kind == "list":
                run = self.list_run(token)
                if run is not None:
                    runs.append(run)
            elif kind == "table":
                table_run = self.table_run(token)
                if table_run is not None:
                    runs.append(table_run)
        return runs

    def _end(self, token: dict[str, Any]) -> int:
        """The line after a token's last line that is not blank nor a link reference."""
        start = int(token.get("line", 0))
        end = int(token.get("end_line", len(self.lines) + 1))
        while end - 1 > start and (not self.content[end - 2].strip() or _REFERENCE.match(self.content[end - 2])):
            end -= 1
        return end

    def list_run(self, token: dict[str, Any]) -> _Run | None:
        line, end = int(token.get("line", 0)), self._end(token)
        lines = {id(item): n for item, n in
                 list_item_lines(token, line, end, self.markers, _first_line, self.content)}
        reads: dict[int, _Read] = {}
        for item in _all_items(token):
            first = _first_text(item)
            if first is not None:
                text = str(first.get("text", ""))
                reads[id(item)] = _read_text(text, self.parsed.inline(_fold(text)), self.parsed.references)
        if not any(read.url for read in reads.values()):  # hand-written text, but a broken reference is reported
            for key, n in lines.items():
                read = reads.get(key)
                if read is not None and read.problem is not None and read.problem[0] == "undefined-reference":
                    self.problem(n, *read.problem)
            return None
        items = [self.list_item(item, lines, reads) for item in token.get("children", ())]
        run = _Run("list", line, end, [i for i in items if i is not None])
        read_lines = set(lines.values())
        for n in range(line, end):
            content = self.content[n - 1] if n - 1 < len(self.content) else ""
            if n not in read_lines and LIST_MARKER.match(content) and _LINKISH.search(content):
                self.problem(n, "unread", "this line looks like an item but was not read as one (nested too deep, "
                             "or inside another block)")
        return run

    def list_item(self, node: Node, lines: Mapping[int, int], reads: Mapping[int, _Read]) -> Item | None:
        line = lines.get(id(node), 0)
        children: list[Item] = []
        for block in node.get("children", ())[1:] if _first_text(node) is not None else node.get("children", ()):
            kind = block.get("type")
            if kind == "list":
                children += [c for c in (self.list_item(child, lines, reads) for child in block.get("children", ()))
                             if c is not None]
            elif kind != "blank_line":
                self.problem(line, "extra-block", f"this item holds a {str(kind).replace('_', ' ')} after its "
                             "first paragraph; only its first paragraph was read")
        read = reads.get(id(node))
        if read is None:
            if not children:
                return None
            read = _Read("", "", "")
        if read.problem is not None:
            self.problem(line, *read.problem)
        return read.item(line, tuple(children))

    def table_run(self, token: dict[str, Any]) -> _Run | None:
        line = int(token.get("line", 0))
        head, body = (token.get("children") or [{}, {}])[:2]
        columns = _unique([_fold(str(c.get("text", ""))) for c in head.get("children", ())])
        rows = [[_fold(str(c.get("text", ""))) for c in row.get("children", ())] for row in body.get("children", ())]
        parsed = [[self.parsed.inline(cell) for cell in row] for row in rows]
        name = next((j for j in range(len(columns)) if any(
            j < len(row) and _lead_link(row[j]) is not None for row in parsed)), None)
        if name is None:
            return None
        items: list[Item] = []
        for i, (row, nodes) in enumerate(zip(rows, parsed, strict=True)):
            cells = MappingProxyType({c: row[j] if j < len(row) else "" for j, c in enumerate(columns)})
            read = _read_text(row[name], nodes[name], self.parsed.references) if name < len(row) else _Read("", "", "")
            if not read.url and read.problem is None:
                read = _Read(read.name, "", read.description, separator=read.separator, problem=(
                    "no-link", f"the {columns[name]!r} cell of this row holds no link: kept as a label"))
            if read.problem is not None:
                self.problem(line + 2 + i, *read.problem)
            items.append(read.item(line + 2 + i, cells=cells))
        return _Run("table", line, self._end(token), items, tuple(columns))

    # ---- blocks

    def block(self, section: _Section, runs: list[_Run] | None = None) -> Block:
        runs = self.runs(section.tokens) if runs is None else runs
        children = tuple(self.block(child) for child in section.children)
        if not runs:
            return Block(section.heading, section.level, section.line, "text", (), (),
                         self.source(section.body, section.end), "", children)
        items: list[Item] = []
        between: list[tuple[int, str]] = []
        columns: list[str] = []
        for previous, run in zip([None, *runs], runs, strict=False):
            if previous is not None:
                between.append((len(items), self.source(previous.end, run.start)))
            items += run.items
            columns += [c for c in run.columns if c not in columns]
        tables = sum(len(r.items) for r in runs if r.kind == "table")
        layout = "table" if tables * 2 > len(items) else "list"
        return Block(section.heading, section.level, section.line, layout, tuple(items), tuple(columns),
                     self.source(section.body, runs[0].start), self.source(runs[-1].end, section.end), children,
                     tuple(between))


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:")
_LINKISH = re.compile(r"\]\(|\]\[|<a\s", re.IGNORECASE)
_TOC_NAMES = {"contents", "table of contents", "toc", "index"}


def _first_text(item: Node) -> Node | None:
    children = item.get("children", ())
    if children and children[0].get("type") in ("block_text", "paragraph"):
        first: Node = children[0]
        return first
    return None


def _first_line(item: Node) -> str | None:
    first = _first_text(item)
    if first is None:
        return None
    return " ".join(str(first.get("text", "")).split("\n", 1)[0].split())


def _all_items(token: Node) -> Iterator[Node]:
    for item in token.get("children", ()):
        yield item
        for block in item.get("children", ()):
            if block.get("type") == "list":
                yield from _all_items(block)


def _unique(names: list[str]) -> list[str]:
    """Header names made unique: a repeated header gets `` (2)``, `` (3)``..."""
    seen: Counter[str] = Counter()
    out = []
    for name in names:
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _anchors_only(items: Sequence[Item]) -> bool:
    return bool(items) and all(i.url.startswith("#") and _anchors_only_or_none(i.children) for i in items)


def _anchors_only_or_none(items: Sequence[Item]) -> bool:
    return not items or _anchors_only(items)


def _heading_text(token: dict[str, Any]) -> str:
    return _fold(str(token.get("text", "")))


def _style(reader: _Reader, blocks: Sequence[Block]) -> ItemStyle:
    bullets: Counter[str] = Counter()
    separators: Counter[str] = Counter()
    endings = [0, 0]

    def count(items: Sequence[Item], table: bool) -> None:
        for item in items:
            if item.url:
                if not table and 0 < item.line <= len(reader.content):
                    mark = reader.content[item.line - 1].lstrip()[:1]
                    bullets["1." if mark.isdigit() else mark] += 1
                if item.description:
                    separators[item.separator] += 1
                    endings[item.description.rstrip().endswith(_FINAL)] += 1
            count(item.children, table)

    def visit(block: Block) -> None:
        count(block.items, block.layout == "table")
        for child in block.children:
            visit(child)

    for block in blocks:
        visit(block)
    bullet = bullets.most_common(1)[0][0] if bullets else "-"
    separator = separators.most_common(1)[0][0] if separators else " - "
    return ItemStyle(bullet if bullet in ("-", "*", "+", "1.") else "-", separator, endings[1] > endings[0])


def read_list(text: str) -> ListDoc:
    """Read a Markdown list into its hand-written parts and its items; see the module's
    docstring. Pure, linear in the size of ``text``, and never raises: should reading
    fail all the same, the whole text is the head and the failure a problem."""
    try:
        return _read_list(text)
    except (RecursionError, MemoryError, ValueError, IndexError, KeyError, TypeError, AttributeError) as error:
        return ListDoc(None, text, None, (), ItemStyle("-", " - ", False), (Problem(
            1, "internal", f"the list could not be read ({type(error).__name__}); it was kept whole as text"),))


def _read_list(text: str) -> ListDoc:
    reader = _Reader(text)
    tokens = reader.parsed.tokens
    headings = [(i, t) for i, t in enumerate(tokens) if t.get("type") == "heading"]
    title: str | None = None
    if headings and int(headings[0][1].get("attrs", {}).get("level", 0)) == 1:
        title = _heading_text(headings[0][1])
        headings = headings[1:]
    last = len(reader.lines) + 1
    first_heading = int(headings[0][1].get("line", last)) if headings else last
    head_tokens = [t for t in tokens[:headings[0][0]] if t.get("type") != "heading"] if headings else \
        [t for t in tokens if t.get("type") != "heading"]

    roots: list[_Section] = []
    stack: list[_Section] = []
    sections: list[_Section] = []
    for i, (index, token) in enumerate(headings):
        line = int(token.get("line", 0))
        level = int(token.get("attrs", {}).get("level", 2))
        text_lines = str(token.get("text", "")).rstrip("\n").count("\n") + 1
        body = line + (text_lines + 1 if token.get("style") == "setext" else 1)
        following = headings[i + 1][0] if i + 1 < len(headings) else len(tokens)
        section = _Section(_heading_text(token), level, line, body, tokens[index + 1:following])
        section.end = int(headings[i + 1][1].get("line", last)) if i + 1 < len(headings) else last
        while stack and stack[-1].level >= level:
            stack.pop()
        (stack[-1].children if stack else roots).append(section)
        stack.append(section)
        sections.append(section)

    head_end = first_heading
    toc: Block | None = None
    toc_index = 0
    for token in head_tokens:  # a bare list of anchors before the first heading
        if token.get("type") == "list":
            noted = len(reader.problems)
            run = reader.list_run(token)
            del reader.problems[noted:]  # the head is hand-written text: its lists are not items
            if run is not None and _anchors_only(run.items):
                head_end = run.start
                toc = Block("", 0, run.start, "list", tuple(run.items), (), "",
                            reader.source(run.end, first_heading), ())
                break
    blocks = [reader.block(section) for section in roots]
    if toc is None:
        for index, block in enumerate(blocks):
            if not block.children and block.layout == "list" and _anchors_only(block.items) and (
                    index == 0 or _sort_key(block.heading) in _TOC_NAMES or len(block.items) > 1):
                toc, toc_index = block, index
                del blocks[index]
                break
    return ListDoc(title, reader.source(1, head_end), toc, tuple(blocks), _style(reader, blocks),
                   tuple(sorted(set(reader.problems), key=lambda p: (p.line, p.kind))), toc_index)


__all__ = ["Block", "Item", "ItemStyle", "ListDoc", "Problem", "read_list"]
