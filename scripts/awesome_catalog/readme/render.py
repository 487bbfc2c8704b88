"""Render stage: the Markdown of the README's generated regions, from the catalog.

Pure functions of the catalog (and, for links, of the anchors the headings get):

- ``taxonomy``: the section tree as a Mermaid flowchart;
- ``toc``: a "Contents" heading and a list of links to every section after it, hand-written
  ones included, two levels deep, as awesome-lint's ``awesome-toc`` rule expects;
- ``sections``: the awesome-lint rules the list turns off there and why, a line of figures and
  one of works per year, then per section its heading (level following the nesting),
  description, a link back to the contents and a table of its rows, pipes aligned.

Rows come in ``Entry.order`` (year, then title, then id), so adding an
entry inserts rows and moves no other (unless a new row is the widest of its table: the
cells are padded so the pipes align). Every text taken from the catalog goes through
``escape``, so no title or summary can break a table, open a link or inject HTML.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from awesome_catalog.core.diagnostics import plural
from awesome_catalog.core.link_kinds import LINK_RANK
from awesome_catalog.core.model import Appearance, Catalog, Entry, Section, Settings, Taxonomy

REGIONS: dict[str, str] = {
    "taxonomy": "the section tree as a Mermaid diagram",
    "toc": "the table of contents",
    "sections": "the sections and their tables",
}
"""The generated regions, by marker name."""

NOTE = ("<sub>Generated from `catalog/` by `awesome-catalog generate`: "
        "edit the catalog, not this part of the README.</sub>")
TOC_KEY = ":toc"
"""Key of the contents heading among the anchors (section ids cannot contain ``:``)."""
TOC_TITLE = "Contents"
EMPTY_CELL = "—"
COLUMN_TITLES = {"summary": "Summary", "year": "Year", "venue": "Venue", "links": "Links"}
"""Titles of the built-in columns; a tag set's column is titled by its label."""
TOC_SKIPPED = frozenset({"Contributing", "Footnotes", "Related Lists"})
"""Level-2 headings that awesome-lint wants left out of the contents, with what they hold."""

_NEWLINES = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ESCAPES = str.maketrans({**{c: "\\" + c for c in "\\`*_[]!#~$@|"}, **_ENTITIES})
_COLON = re.compile(r":(?=\S)")  # would start an autolink (https:...) or an :emoji: code
_WWW = re.compile(r"(?<=\b[wW]{3})\.")  # www. would start an autolink
_BLOCK_START = re.compile(r"^(?:[-+=]|\d{1,9}(?=[.)]))")
_URL_UNSAFE = re.compile(r"[\s()<>|\\]")
_MERMAID_UNSAFE = re.compile(r"[#\"<>&`]")


@dataclass(frozen=True)
class Heading:
    """A heading a region writes: ``key`` is a section id or ``TOC_KEY``."""

    key: str
    level: int
    markdown: str

    def line(self) -> str:
        return f"{'#' * self.level} {self.markdown}"


@dataclass(frozen=True)
class OutlineHeading:
    """A heading of the README, hand-written or generated: its level, its rendered
    text and its anchor."""

    level: int
    text: str
    anchor: str


def escape(text: str) -> str:
    """Inline Markdown that reads exactly as ``text``: on one line, with no markup,
    link, image, HTML, emoji code or autolink, and safe inside a table cell."""
    if not text.isprintable():  # only then can it hold a line break
        text = _NEWLINES.sub(" ", text)
    text = text.translate(_ESCAPES)
    if ":" in text:
        text = _COLON.sub(r"\:", text)
    if "." in text:
        text = _WWW.sub(r"\.", text)
    return text


def paragraph(text: str) -> str:
    """``escape`` for a paragraph of its own: a leading ``-``, ``+`` or ``1.`` stays text."""
    escaped = escape(text.strip())
    match = _BLOCK_START.match(escaped)
    if match is None:
        return escaped
    end = match.end()
    return escaped[:end] + "\\" + escaped[end:] if match[0].isdigit() else "\\" + escaped


def url(value: str) -> str:
    """A link destination: characters that would end or break it are percent-encoded."""
    return _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m[0].encode()), value)


def mermaid_label(text: str) -> str:
    """A quoted Mermaid node label; quotes, ``#``, HTML and backticks as entity codes."""
    text = _NEWLINES.sub(" ", text)
    return '"' + _MERMAID_UNSAFE.sub(lambda m: f"#{ord(m[0])};", text) + '"'


def headings(tree: HasTaxonomy, region: str) -> list[Heading]:
    """The headings ``region`` writes, in order; anchors are computed from these. A list
    whose texts are Markdown (``items.markdown``) keeps its headings' Markdown as written."""
    settings = tree.settings
    if region == "toc":
        return [Heading(TOC_KEY, 2, settings.toc_title if settings.markdown else escape(settings.toc_title))]
    if region == "sections":
        return [Heading(s.id, min(2 + s.depth, 6), s.title if settings.markdown else escape(s.title))
                for s in tree.taxonomy.walk()]
    return []


def taxonomy(catalog: HasTaxonomy) -> str:
    """The section tree as a Mermaid flowchart, inside a fenced code block."""

    def node(section: Section) -> str:
        return "sec_" + section.id.replace("-", "_")

    lines = ["```mermaid", "flowchart LR"]
    lines += [f"    {node(s)}[{mermaid_label(s.title)}]" for s in catalog.taxonomy.walk()]
    lines += [f"    {node(s)} --> {node(c)}" for s in catalog.taxonomy.walk() for c in s.children]
    lines += ["```", "", NOTE]
    return _block(lines)


def toc(catalog: HasTaxonomy, anchors: Mapping[str, str], outline: Sequence[OutlineHeading] | None = None) -> str:
    """The contents: a heading, then a list of links to the headings after it (``outline``,
    hand-written ones included; without it, the sections): every level-2 heading but those
    of ``TOC_SKIPPED``, each with its level-3 headings nested under it, and nothing deeper."""
    if outline is None:
        outline = [OutlineHeading(2 + s.depth, s.title, anchors[s.id]) for s in catalog.taxonomy.walk()]
    lines = [headings(catalog, "toc")[0].line(), "", *([NOTE, ""] if catalog.settings.notes else [])]
    listed = False  # whether the level-2 heading above is listed, so its level-3 ones are
    for heading in outline:
        if heading.level <= 2:
            listed = heading.level == 2 and bool(heading.text) and heading.text not in TOC_SKIPPED
        if listed and heading.level in (2, 3) and heading.text:
            lines.append(f"{'  ' * (heading.level - 2)}- [{escape(heading.text)}](#{url(heading.anchor)})")
    return _block(lines)


RowKey = tuple[Any, ...]
"""Order of rows in a section, by the section's sort rule (``Section.order``)."""


@dataclass(frozen=True, slots=True)
class Row:
    """One table row or list item, rendered, with what is needed to place it: its key in
    the section's order, its entry and the entry it stands under (nested items)."""

    section: str
    key: RowKey
    tool: bool
    cells: tuple[str, ...]
    entry: str = ""
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class EntryPart:
    """What one entry contributes to the generated regions: its rows and its counts."""

    kind: str
    year: int | None
    appearances: int
    rows: tuple[Row, ...]

    def to_data(self) -> tuple[Any, ...]:
        """The part as plain data (tuples, strings, numbers), as the cache keeps it."""
        return (self.kind, self.year, self.appearances,
                tuple((r.section, r.key, r.tool, r.cells, r.entry, r.parent) for r in self.rows))

    @classmethod
    def from_data(cls, data: tuple[Any, ...]) -> EntryPart:
        """The part back from ``to_data``."""
        kind, year, appearances, rows = data
        return cls(kind, year, appearances, tuple(Row(*r) for r in rows))


def entry_part(catalog: Catalog, entry: Entry) -> EntryPart:
    """The rows of one entry, one per appearance in a section that holds items: a table
    row, or for a list section one item line (as the only cell)."""
    by_id = catalog.taxonomy.by_id()
    rows = []
    for a in entry.appearances:
        section = by_id.get(a.section)
        if section is None or not section.holds_items:
            continue
        if section.layout == "list":
            cells: tuple[str, ...] = (item(catalog, section, entry, a),)
        else:
            cells = (work_cell(entry), *(cell(catalog, c, entry, a) for c in section.columns))
        rows.append(Row(a.section, section.order(entry, a), entry.kind == "tool", cells, entry.id, a.parent))
    return EntryPart(entry.kind, entry.year, len(entry.appearances), tuple(rows))


Tally = tuple[str, "int | None", int]
"""What the figures count of an entry: its kind, year and number of appearances."""


@dataclass(frozen=True)
class Listing:
    """Everything the generated regions show: the taxonomy, every row, the counts.
    Built from a whole catalog, or from entry parts kept in the cache; then the parts
    may leave out their rows, and ``rows_of`` gives a section's rows when asked (so
    that the rows of one section at a time are in memory)."""

    taxonomy: Taxonomy
    parts: tuple[EntryPart, ...]
    settings: Settings = field(default_factory=Settings)
    rows_of: Callable[[str], list[Row]] | None = field(default=None, compare=False)
    tally: Mapping[Tally, int] | None = field(default=None, compare=False)
    """How many parts have each kind, year and number of appearances, when ``parts``
    leave them out (a list kept in the cache has them counted)."""

    def counts(self) -> Mapping[Tally, int]:
        """How many parts have each kind, year and number of appearances."""
        if self.tally is not None:
            return self.tally
        return Counter((p.kind, p.year, p.appearances) for p in self.parts)

    @classmethod
    def of(cls, catalog: Catalog) -> Listing:
        return cls(catalog.taxonomy, tuple(entry_part(catalog, e) for e in catalog.entries), catalog.settings)


class HasTaxonomy(Protocol):
    """A catalog or a listing: whatever knows the section tree and the list's settings."""

    @property
    def taxonomy(self) -> Taxonomy: ...

    @property
    def settings(self) -> Settings: ...


def figures(listing: Listing) -> str:
    """One line of counts: works, appearances (table rows), tools and sections."""
    tally = listing.counts()
    tools = sum(n for (kind, _, _), n in tally.items() if kind == "tool")
    counts = (
        (sum(tally.values()) - tools, "work"),
        (sum(appearances * n for (_, _, appearances), n in tally.items()), "appearance"),
        (tools, "tool"),
        (sum(1 for _ in listing.taxonomy.walk()), "section"),
    )
    return " · ".join(plural(n, word) for n, word in counts)


def growth(listing: Listing) -> str | None:
    """How many works (tools aside) first appeared each year, oldest first; None without years."""
    years: Counter[int] = Counter()
    for (kind, year, _), n in listing.counts().items():
        if kind != "tool" and year is not None:
            years[year] += n
    if not years:
        return None
    return "Works per year: " + " · ".join(f"{year}: {years[year]}" for year in sorted(years))


def lint_exceptions(settings: Settings) -> tuple[str, str, str] | None:
    """The awesome-lint markers that turn off, and back on, the rules the list breaks on
    purpose, and the sentence that says why; None when it breaks none."""
    rules = " ".join(dict.fromkeys(d.rule for d in settings.lint_disable))
    if not rules:
        return None
    why = " ".join(f"awesome-lint's rule `{d.rule}` is turned off in this part of the README: {escape(d.why)}"
                   for d in settings.lint_disable)
    return f"<!--lint disable {rules}-->", why, f"<!--lint enable {rules}-->"


HEAD_KEY, TAIL_KEY = ":head", ":tail"
"""Keys of the pieces of the sections region before and after the sections (``sections_pieces``)."""


def sections(listing: Listing, anchors: Mapping[str, str], _outline: Sequence[OutlineHeading] = ()) -> str:
    """Every section: heading, description, link back to the contents, table or list of
    its items; before them, the note, the awesome-lint exceptions and the figures, as the
    list's settings (``readme``) ask."""
    return sections_body(sections_pieces(listing, anchors))


def sections_body(pieces: Sequence[tuple[str, str]]) -> str:
    """The body of the sections region from its pieces (as ``_block`` writes a body)."""
    return "\n" + "\n\n".join(text for _, text in pieces) + "\n\n"


def sections_pieces(listing: Listing, anchors: Mapping[str, str]) -> list[tuple[str, str]]:
    """The sections region in pieces, joined by blank lines: the head (``HEAD_KEY``:
    note, exceptions, figures) when there is one, each section's block by its id, and the
    tail (``TAIL_KEY``) when there is one. A section's block depends only on the section,
    the list's settings, the contents' anchor and the rows in it (see ``section_block``)."""
    return list(each_piece(listing, anchors))


def each_piece(listing: Listing, anchors: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """``sections_pieces``, one at a time."""
    rows_of = listing.rows_of
    if rows_of is None:
        by_section: dict[str, list[Row]] = {}
        for part in listing.parts:
            for row in part.rows:
                by_section.setdefault(row.section, []).append(row)
        rows_of = lambda section: by_section.get(section, [])  # noqa: E731
    head = sections_head(listing)
    if head:
        yield HEAD_KEY, head
    for section, heading in zip(listing.taxonomy.walk(), headings(listing, "sections"), strict=True):
        rows = rows_of(section.id) if section.holds_items else []
        yield section.id, section_block(listing.settings, section, heading, rows, anchors)
    exceptions = lint_exceptions(listing.settings)
    if exceptions:
        yield TAIL_KEY, exceptions[2]


def sections_head(listing: Listing) -> str:
    """What comes before the sections: the note, the awesome-lint exceptions and the
    figures, as the settings ask ("" for none). Only the parts' kinds, years and numbers
    of appearances count, not their rows."""
    settings = listing.settings
    blocks = [NOTE] if settings.notes else []
    exceptions = lint_exceptions(settings)
    if exceptions:
        blocks += [exceptions[0], exceptions[1]]
    if settings.figures:
        # One paragraph, so that the bold figures do not read as a heading (no-emphasis-as-heading).
        per_year = growth(listing)
        blocks.append(f"**{figures(listing)}**" + (f"\\\n*{per_year}*" if per_year else ""))
    return "\n\n".join(blocks)


def section_block(settings: Settings, section: Section, heading: Heading, rows: Sequence[Row],
                  anchors: Mapping[str, str]) -> str:
    """One section: its heading, description, link back to the contents, and its table
    or list of ``rows`` (in any order: they are sorted here)."""
    blocks = [heading.line()]
    if section.description:
        blocks.append(section.description.strip("\n") if settings.markdown else paragraph(section.description))
    if settings.back_links and TOC_KEY in anchors:
        blocks.append(f"[↑ Back to contents](#{url(anchors[TOC_KEY])})")
    ordered = sorted(rows, key=lambda r: r.key)
    if section.holds_items:
        shown = table(section, ordered, settings) if section.layout == "table" else bullets(ordered, settings.bullet)
        blocks.append("\n".join(shown) if ordered else "*No entries yet.*")
    return "\n\n".join(blocks)


def table(section: Section, rows: list[Row], settings: Settings) -> list[str]:
    """The lines of one section's table: header, alignment, one row per appearance, each
    cell padded so that the pipes align (table-pipe-alignment).

    The first column is headed "Tool" when most rows are tools, "Work" otherwise."""
    titles = table_titles(section, settings, sum(r.tool for r in rows), len(rows))
    sizes = [[width(c) for c in r.cells] for r in rows]  # each cell measured once
    widths = table_widths(titles, [max((s[i] for s in sizes), default=0) for i in range(len(titles))])
    return [*table_head(titles, widths), *(_padded(r.cells, s, widths) for r, s in zip(rows, sizes, strict=True))]


def table_titles(section: Section, settings: Settings, tools: int, rows: int) -> tuple[str, ...]:
    """The titles of a table's columns, for ``rows`` rows of which ``tools`` are tools'."""
    return ("Tool" if 2 * tools > rows else "Work", *(column_title(settings, c) for c in section.columns))


def table_widths(titles: Sequence[str], widest: Sequence[int]) -> list[int]:
    """The width each column is padded to, its widest cell being ``widest``."""
    return [max(3, cells, width(title)) for title, cells in zip(titles, widest, strict=True)]


def table_head(titles: tuple[str, ...], widths: list[int]) -> list[str]:
    """A table's first two lines: its titles, and the alignment of its columns."""
    return [table_row(titles, widths), table_row(tuple(":" + "-" * (w - 1) for w in widths), widths)]


def width(text: str) -> int:
    """The width of a cell's text as awesome-lint measures it to align pipes: remark counts
    UTF-16 code units (an emoji outside the Basic Multilingual Plane counts 2, a CJK
    character 1), not the columns a terminal would show."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def work_cell(entry: Entry) -> str:
    """The linked title, then the venue (or else the year), then any other links."""
    text = f"[{escape(entry.title)}]({url(entry.url)})"
    when = entry.venue or (str(entry.year) if entry.year else None)
    if when:
        text += f" ({escape(when)})"
    for key in sorted(entry.links, key=lambda k: (LINK_RANK.get(k, len(LINK_RANK)), k)):
        text += f" · [{escape(key)}]({url(entry.links[key])})"
    return text


def column_title(settings: Settings, column: str) -> str:
    """A column's title: a tag set's label, or the built-in title."""
    tag_set = settings.tag_set(column)
    return escape(tag_set.label) if tag_set else COLUMN_TITLES.get(column, escape(column))


def cell(catalog: Catalog, column: str, entry: Entry, appearance: Appearance) -> str:
    """One column of a row: the summary (or the entry's description), the year, the
    venue, the other links, or the labels of a tag set in the entry's order; ``—`` when
    empty."""
    if column == "summary":
        return text(catalog.settings, entry.text(appearance) or "", table=True) or EMPTY_CELL
    if column == "year":
        return str(entry.year) if entry.year else EMPTY_CELL
    if column == "venue":
        return escape(entry.venue or "") or EMPTY_CELL
    if column == "links":
        return other_links(catalog.settings, entry, " · ") or EMPTY_CELL
    refs = entry.terms(column, appearance) or ()
    return ", ".join(_escaped_label(catalog.vocabulary.label(column, r)) for r in refs) or EMPTY_CELL


def text(settings: Settings, value: str, table: bool = False) -> str:
    """A description: escaped plain text, or, for a list whose items are Markdown
    (``items.markdown``), the Markdown as written on one line, with raw HTML and (in a
    table) pipes neutralised."""
    if not settings.markdown:
        return escape(value)
    one_line = " ".join(_NEWLINES.sub(" ", value).split())
    safe = one_line.replace("<", "&lt;").replace(">", "&gt;")
    return safe.replace("|", "\\|") if table else safe


def other_links(settings: Settings, entry: Entry, joiner: str) -> str:
    """The entry's other links, in the order of the link kinds, labelled."""
    labels = settings.all_link_kinds
    ranked = sorted(entry.links, key=lambda k: (LINK_RANK.get(k, len(LINK_RANK)), list(labels).index(k)
                                                if k in labels else len(labels), k))
    return joiner.join(f"[{escape(labels.get(k, k))}]({url(entry.links[k])})" for k in ranked)


def item(catalog: Catalog, section: Section, entry: Entry, appearance: Appearance) -> str:
    """One item of a bulleted section, as most awesome lists write it:
    ``[Name](url) - Description. ([Demo](...), [Source Code](...)) `MIT` `Go```. The
    section's columns say what follows the link, in order; the bullet and the separator
    are the list's (``items`` in catalog/list.yaml)."""
    settings = catalog.settings
    name = entry.title if settings.markdown else escape(entry.title)
    line = f"[{name}]({url(entry.url)})"
    if entry.lead:  # what the list writes before the link, such as a glossary's key
        line = text(settings, entry.lead) + (" " if entry.lead[-1].isspace() else "") + line
    if entry.marks:
        line += " " + " ".join(entry.marks)
    tail = []
    for column in section.columns:
        if column == "summary":
            described = text(settings, entry.text(appearance) or "")
            if described:
                line += settings.separator + described
        elif column == "links":
            links = other_links(settings, entry, ", ")
            if links:
                tail.append(f"({links})")
        elif column in ("year", "venue"):
            value = str(entry.year or "") if column == "year" else entry.venue or ""
            if value:
                tail.append(f"({escape(value)})")
        else:
            refs = entry.terms(column, appearance) or ()
            tail += [f"`{catalog.vocabulary.label(column, r).replace('`', '')}`" for r in refs]
    return " ".join([line, *tail])


def bullets(rows: list[Row], bullet: str) -> list[str]:
    """The lines of one bulleted section: each item, and under it (indented) the items
    that name it as their parent, each level in the section's order."""
    present = {r.entry for r in rows}
    children: dict[str | None, list[Row]] = {}
    for row in rows:
        children.setdefault(row.parent if row.parent in present else None, []).append(row)
    lines: list[str] = []
    stack: list[tuple[Row, int]] = [(r, 0) for r in reversed(children.get(None, []))]
    while stack:
        row, depth = stack.pop()
        lines.append(f"{' ' * (len(bullet) + 1) * depth}{bullet} {row.cells[0]}")
        stack += [(c, depth + 1) for c in reversed(children.get(row.entry, []))]
    return lines


@lru_cache(maxsize=4096)
def _escaped_label(label: str) -> str:
    """``escape`` for term labels, which repeat across rows: each is escaped once."""
    return escape(label)


def table_row(cells: tuple[str, ...], widths: list[int]) -> str:
    """One row of a table whose columns are padded to ``widths``."""
    return _padded(cells, [width(c) for c in cells], widths)


def _padded(cells: tuple[str, ...], sizes: list[int], widths: list[int]) -> str:
    """A table row whose cells, of the ``width``s ``sizes``, are padded to ``widths``."""
    return "| " + " | ".join(c + " " * (w - s) for c, s, w in zip(cells, sizes, widths, strict=True)) + " |"


def _block(lines: list[str]) -> str:
    """A region body: a blank line after the begin marker and before the end marker."""
    return "\n" + "\n".join(lines) + "\n\n"


RENDERERS: dict[str, Callable[[Listing, Mapping[str, str], Sequence[OutlineHeading]], str]] = {
    "taxonomy": lambda listing, _anchors, _outline: taxonomy(listing),
    "toc": toc,
    "sections": sections,
}
"""The renderer of each region, by marker name: each gets the listing, the anchors of the
generated headings by key, and every heading after the contents heading in file order."""
