"""Reading a Markdown awesome list as catalog entries (``awesome-catalog import``).

``import_markdown`` is pure: from the text of the list, the vocabulary and the taxonomy
it computes an ``ImportResult`` (the works, the fate of every row, what it merged, what
it could not use). The command writes the files.

The rules, in the order they apply:

- A row (``markdown.rows``) is placed in the taxonomy section whose title matches the
  heading above it (case, spacing and punctuation folded). A row under another heading
  is reported as unplaced, never silently dropped, with the section whose title is
  closest, if one is close (``closest_section``). ``new_sections`` plans a section for
  each such heading instead (``import --new-sections``).
- Rows are one work when their titles match (``identity.title_key``: case, punctuation
  and a trailing venue such as "(ICLR'23)" folded), or when they share a link
  (``identity.url_key``: arXiv ``/pdf/`` is ``/abs/``) and one title is the other with a
  typo or cut short. Rows that share a link but name different titles stay apart and
  are reported.
- A work's ``url`` is ``https://arxiv.org/abs/<id>`` when any of its links is on arXiv,
  else the first of its links by kind: a page, then OpenReview, then proceedings, then a
  PDF. Its other links go under ``links`` by ``link_kind``, or under the key they are
  named by ("[openreview](...)", as ``generate`` writes them).
- The title keeps the spelling with the most capitals, without a trailing venue
  "(ICLR'23)", which becomes ``venue: ICLR 2023``, or a trailing bracket without a year
  such as "[Redwood Research]". The year comes from the arXiv id, else the venue.
- Term cells are split on commas outside parentheses; "N/A", "—" and empty cells mean no
  term. A piece matches a term's id, label or alias, ignoring case; "Label (detail)"
  gives ``{term: id, detail: detail}`` (detail lowercased). Pieces that match nothing
  are reported and left out.
- Summaries are the source's text, copied as they are: they must be rewritten.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from awesome_catalog.core.diagnostics import plural
from awesome_catalog.core.identity import arxiv_id, suggest_id, title_key, url_key, url_problem
from awesome_catalog.core.identity import entry_id as identity_entry_id
from awesome_catalog.core.link_kinds import LINK_KINDS, link_kind
from awesome_catalog.core.model import Appearance, Catalog, Entry, Section, Taxonomy, TermRef, Vocabulary, default_kind
from awesome_catalog.markdown.rows import Problem, SourceRow, read_rows

MODELINE = "# yaml-language-server: $schema=../../schema/entry.schema.json\n"
TOOLS_SECTION = "tools"
"""Works whose every row is in this section are written to ``tools/``, the rest to ``papers/``."""
NO_TERMS = {"", "n/a", "na", "none", "-", "\u2014", "\u2013"}  # also the em and en dashes
TYPO_SIMILARITY = 0.95
"""Titles sharing a link are one work when ``difflib`` finds them at least this similar
(a typo), or when one is the other cut short. "... in GPT" and "... in Mamba" are not."""

_URL_RANK = {"openreview": 1, "proceedings": 2, "pdf": 3}  # any other kind of page: 0, the best
_TRAILING_GROUP = re.compile(r"\s*([(\[])([^()\[\]]*)[)\]]\s*$")
_SHORT_YEAR = re.compile("['\u2019]" r"(\d{2})\b")  # ICLR'23, ICLR\u201923
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_DETAIL = re.compile(r"^(?P<label>[^()]+?)\s*\((?P<detail>.*)\)$")
_HTTP_URL = re.compile(r"^https?://[^\s/$.?#]\S*$")


@dataclass(frozen=True)
class RowOutcome:
    """What became of one source row: ``status`` is ``appearance``, ``repeated`` (the
    work already appears in that section), ``unplaced`` or ``unparsed``."""

    line: int
    title: str
    status: str
    entry: str | None = None
    section: str | None = None


@dataclass(frozen=True)
class Merge:
    """Several rows that became one work, with the URLs (normal forms) and title spellings they used."""

    entry: str
    lines: tuple[int, ...]
    urls: tuple[str, ...]
    titles: tuple[str, ...]

    def describe(self) -> str:
        text = f"merged {len(self.lines)} rows into {self.entry}: lines {', '.join(map(str, self.lines))}"
        if len(self.urls) > 1:
            text += f"; {len(self.urls)} URLs: {', '.join(self.urls)}"
        if len(self.titles) > 1:
            text += f"; {len(self.titles)} title spellings: {' / '.join(self.titles)}"
        return text


@dataclass(frozen=True)
class ImportResult:
    """The works of a list as catalog entries (``path`` relative to the catalog folder),
    the outcome of every row in source order, the merges, the problems (information
    left out) and the notes (oddities read correctly anyway), both sorted by line."""

    entries: tuple[Entry, ...]
    rows: tuple[RowOutcome, ...]
    merges: tuple[Merge, ...]
    problems: tuple[Problem, ...]
    notes: tuple[Problem, ...]

    def summary(self) -> str:
        appearances = sum(len(e.appearances) for e in self.entries)
        text = (f"{len(self.rows)} rows -> {len(self.entries)} works, {appearances} appearances; "
                f"{plural(len(self.problems), 'problem')}")
        return text + (f", {plural(len(self.notes), 'note')}" if self.notes else "")


@dataclass
class Findings:
    """What an import reports as it goes: problems lose information, notes do not."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    def problem(self, line: int, kind: str, message: str) -> None:
        self.problems.append(Problem(line, kind, message))

    def note(self, line: int, kind: str, message: str) -> None:
        self.notes.append(Problem(line, kind, message))


# --- Reading the cells of one row -----------------------------------------------------------------


def split_title(text: str) -> tuple[str, str | None, int | None, list[str]]:
    """A title without its trailing venue or bracket: (title, venue, year, dropped brackets).

    "Paper (ICLR'23)" gives venue "ICLR 2023" and year 2023; "Paper (2022)" only the year;
    "Paper [Redwood Research]" drops the bracket. Other parentheses stay in the title.
    """
    venue: str | None = None
    year: int | None = None
    dropped: list[str] = []
    while match := _TRAILING_GROUP.search(text):
        found_venue, found_year = parse_venue(match.group(2))
        if found_year is not None:
            venue, year = venue or found_venue, year or found_year
        elif match.group(1) == "[" and match.start() > 0:
            dropped.append(match.group(0).strip())
        else:
            break
        text = text[: match.start()]
    return text.strip(), venue, year, dropped


def parse_venue(text: str) -> tuple[str | None, int | None]:
    """The venue and year a note names: "ICLR'23" -> ("ICLR 2023", 2023), "2022" -> (None,
    2022), "NeurIPS" -> ("NeurIPS", None); two-digit years are 19xx from 50 on."""

    def expand(match: re.Match[str]) -> str:
        short = int(match.group(1))
        return f" {2000 + short if short < 50 else 1900 + short}"

    text = " ".join(_SHORT_YEAR.sub(expand, text).split())
    found = _YEAR.search(text)
    if found is None:
        return text or None, None
    return (None if text == found.group(0) else text), int(found.group(0))


class TermReader:
    """Map the text of a tag set's cell (Techniques, Evaluation, Licence...) to vocabulary terms."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.index = {kind: _spellings(vocabulary, kind) for kind in vocabulary.kinds}

    def read(self, kind: str, cell: str, line: int, findings: Findings) -> tuple[TermRef, ...]:
        """The terms of ``kind`` a cell names. Unknown pieces are problems; empty pieces
        (a stray comma) and spellings other than the term's id or label are notes."""
        if cell.strip().casefold() in NO_TERMS:
            return ()
        refs = []
        for piece in _split_terms(cell):
            ref = self._match(kind, piece)
            other = next((k for k in self.vocabulary.kinds if k != kind and self._match(k, piece) is not None), None)
            if not piece:
                findings.note(line, "empty-term", f"{kind}: an empty term (a stray comma) was ignored")
            elif ref is not None:
                refs.append(ref)
                term = self.vocabulary.by_id(kind)[ref.id]
                written = _DETAIL.sub(r"\g<label>", piece) if ref.detail else piece
                if written.casefold() not in (term.label.casefold(), term.id):
                    findings.note(line, "spelling", f"{kind}: {written!r} read as `{term.id}` ({term.label})")
            elif other is not None:
                findings.problem(line, "wrong-column", f"{kind}: {piece!r} is a term of the {other} column; left out")
            else:
                close = self.vocabulary.suggest(kind, piece)
                hint = f" (did you mean `{close}`?)" if close else ""
                findings.problem(line, "unknown-term", f"{kind}: {piece!r} is not in the vocabulary; left out{hint}")
        return tuple(refs)

    def _match(self, kind: str, piece: str) -> TermRef | None:
        index = self.index[kind]
        if piece.casefold() in index:
            return TermRef(index[piece.casefold()])
        parts = _DETAIL.match(piece)
        if parts is None or parts.group("label").casefold() not in index:
            return None
        detail = " ".join(parts.group("detail").split()).lower()
        return TermRef(index[parts.group("label").casefold()], detail or None)


def _spellings(vocabulary: Vocabulary, kind: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for term in vocabulary.terms(kind):
        for spelling in (term.id, term.label, *term.aliases):
            index.setdefault(spelling.casefold(), term.id)
    return index


def _split_terms(cell: str) -> list[str]:
    """Split on commas outside parentheses: "A, Extrinsic (x, y)," -> ["A", "Extrinsic (x, y)", ""]."""
    pieces, depth, start = [], 0, 0
    for i, char in enumerate(cell):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth <= 0:
            pieces.append(cell[start:i].strip())
            start = i + 1
    return [*pieces, cell[start:].strip()]


# --- Rows into works ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """A usable row: its index among the source's rows, the row, its cleaned title, venue,
    year and section."""

    index: int
    source: SourceRow
    title: str
    venue: str | None
    year: int | None
    section: Section


def _usable(index: int, row: SourceRow, sections: Mapping[str, Section], findings: Findings,
            leaves: Sequence[Section] = ()) -> _Row | str:
    """The row ready to group, or why it cannot be used: ``unparsed`` or ``unplaced``."""
    if row.note:  # the venue stands after the link, as `generate` writes it: the title is verbatim
        title, dropped = " ".join(row.title.split()), list[str]()
        venue, year = parse_venue(row.note.strip("()[] "))
    else:
        title, venue, year, dropped = split_title(row.title)
    section = sections.get(title_key(row.heading or ""))
    if not row.url:
        findings.problem(row.line, "unparsed", "no [title](link) in the first column; row left out")
    elif not _HTTP_URL.match(row.url):
        findings.problem(row.line, "unparsed", f"the link {row.url!r} is not an http(s) URL; row left out")
    elif url_problem(row.url):
        findings.problem(row.line, "unparsed", f"the link {row.url!r} cannot be used: {url_problem(row.url)}; "
                         "row left out")
    elif not title:
        findings.problem(row.line, "unparsed", "the link has no title; row left out")
    elif section is None or not section.columns:
        where = f"heading {row.heading!r}" if row.heading else "the text before the first heading"
        why = ("is not a section of the taxonomy" if section is None
               else "only groups other sections (put the row under one of its subsections)")
        if section is None and row.heading:
            close = closest_section(row.heading, leaves)
            why += f"; did you mean `{close.id}` ({close.title})?" if close else ""
            why += " (--new-sections creates it)"
        findings.problem(row.line, "unplaced", f"{title!r} was not imported: {where} {why}")
        return "unplaced"
    else:
        for bracket in dropped:
            findings.note(row.line, "title", f"{bracket} was removed from the title")
        return _Row(index, row, title, venue, year, section)
    return "unparsed"


def _group(rows: Sequence[_Row], findings: Findings) -> list[list[_Row]]:
    """Rows of one work together, in order of first appearance (union-find)."""
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_title: dict[str, int] = {}
    first_link: dict[str, int] = {}
    for i, row in enumerate(rows):
        parent[find(i)] = find(first_title.setdefault(title_key(row.title), i))
    for i, row in enumerate(rows):
        j = first_link.setdefault(url_key(row.source.url), i)
        if find(i) == find(j):
            continue
        if _same_title(title_key(rows[j].title), title_key(row.title)):
            parent[find(i)] = find(j)
        else:
            findings.problem(row.source.line, "shared-link",
                             f"{row.source.url} is also the link of {rows[j].title!r} (line {rows[j].source.line}); "
                             "kept as a separate work: check which paper the link belongs to")
    groups: dict[int, list[_Row]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(find(i), []).append(row)
    return list(groups.values())


def _same_title(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    return long.startswith(short + " ") or difflib.SequenceMatcher(None, a, b).ratio() >= TYPO_SIMILARITY


def _links(rows: Sequence[_Row], findings: Findings) -> tuple[str, str | None, dict[str, str]]:
    """(url, arXiv id, links) of a work from the links of its rows."""
    line, title = rows[0].source.line, rows[0].title
    ids = list(dict.fromkeys(found for r in rows if (found := arxiv_id(r.source.url))))
    spellings: dict[str, str] = {}  # url_key -> the first spelling, preferably without a #fragment
    for row in rows:
        key = url_key(row.source.url)
        if key not in spellings or ("#" in spellings[key] and "#" not in row.source.url):
            spellings[key] = row.source.url
    if ids:
        url = f"https://arxiv.org/abs/{ids[0]}"
        others = [u for k, u in spellings.items() if not k.startswith("arxiv.org/")]
        for other_id in ids[1:]:
            findings.problem(line, "link-dropped", f"{title!r} is also linked to arXiv {other_id}; only {ids[0]} "
                             "was kept")
    else:
        url, *others = sorted(spellings.values(), key=lambda u: _URL_RANK.get(link_kind(u), 0))
    candidates = [(link_kind(u), u) for u in others]
    candidates += [(name.casefold(), u) for r in rows for name, u in r.source.links]
    links: dict[str, str] = {}
    for kind, other in candidates:
        kind = kind if kind in LINK_KINDS else link_kind(other)
        if other in (url, links.get(kind)):
            continue
        if kind in links:
            findings.problem(line, "link-dropped", f"{title!r}: no place for a second {kind} link {other}; left out")
        else:
            links[kind] = other
    return url, (ids[0] if ids else None), dict(sorted(links.items()))


class _WorkBuilder:
    """Turns groups of rows into entries, one appearance per section."""

    def __init__(self, vocabulary: Vocabulary, findings: Findings, labels: Mapping[str, str]) -> None:
        self.terms = TermReader(vocabulary)
        self.labels = labels
        self.findings = findings
        self.taken: set[str] = set()
        self.reported_columns: set[tuple[str, str]] = set()

    def entry(self, group: Sequence[_Row]) -> tuple[Entry, list[tuple[int, RowOutcome]]]:
        """The entry of a group of rows, and the outcome of each row by its index."""
        title = max((r.title for r in group), key=lambda t: sum(c.isupper() for c in t))
        entry_id = identity_entry_id(title, self.taken)
        appearances: list[Appearance] = []
        outcomes = []
        for row in group:
            status = "appearance"
            if any(a.section == row.section.id for a in appearances):
                status = "repeated"
                self.findings.problem(row.source.line, "repeated", f"{title!r} is already in section "
                                      f"`{row.section.id}`; this row was left out")
            else:
                appearances.append(self.appearance(row))
            outcomes.append((row.index, RowOutcome(row.source.line, row.source.title, status, entry_id,
                                                   row.section.id)))
        url, arxiv, links = _links(group, self.findings)
        year = 2000 + int(arxiv[:2]) if arxiv else next((r.year for r in group if r.year), None)
        folder = "tools" if all(r.section.id == TOOLS_SECTION for r in group) else "papers"
        entry = Entry(id=entry_id, path=f"{folder}/{entry_id}.yaml", kind=default_kind(folder), title=title,
                      url=url, appearances=tuple(appearances), year=year,
                      venue=next((r.venue for r in group if r.venue), None), arxiv=arxiv, links=links)
        return entry, outcomes

    def appearance(self, row: _Row) -> Appearance:
        """The row as seen from its section: the section's columns, filled from the row's cells."""
        section, line = row.section, row.source.line
        cells = {self.column(header): text for header, text in row.source.cells.items()}
        found: dict[str, tuple[TermRef, ...]] = {}
        for kind in self.terms.vocabulary.kinds:
            shown = kind in section.columns
            if shown != (kind in cells) and (section.id, kind) not in self.reported_columns:
                self.reported_columns.add((section.id, kind))
                self.findings.problem(line, "column", f"section `{section.id}` shows {kind}, but this table has no "
                                      "such column: left empty" if shown else f"section `{section.id}` does not "
                                      f"show {kind}: this table's {kind} column was ignored")
            if shown:
                found[kind] = self.terms.read(kind, cells.get(kind, ""), line, self.findings)
        for header in cells.keys() - {"summary", *self.terms.vocabulary.kinds}:
            if (section.id, header) not in self.reported_columns:
                self.reported_columns.add((section.id, header))
                self.findings.problem(line, "column", f"column {header!r} is no tag set of the list; "
                                      "its cells were ignored")
        summary = cells.get("summary", "")
        if summary.casefold() in NO_TERMS:
            summary = ""
            self.findings.problem(line, "no-summary", "the row has no summary; write one")
        return Appearance(section.id, summary, found)

    def column(self, header: str) -> str:
        """The tag set a table header names (by id or label, singular or plural), else the header."""
        for kind in self.terms.vocabulary.kinds:
            label = self.labels.get(kind, kind).casefold()
            if header in (kind, label) or header + "s" in (kind, label) or header in (kind + "s", label + "s"):
                return kind
        return header


def import_markdown(text: str, vocabulary: Vocabulary, taxonomy: Taxonomy,
                    taken: Iterable[str] = (), labels: Mapping[str, str] | None = None) -> ImportResult:
    """Every work of a Markdown awesome list, as catalog entries, with a report. New ids
    avoid those of ``taken`` (the files already in the catalog); ``labels`` names each
    tag set, so that a table's column headed with that name fills it."""
    source = read_rows(text)
    findings = Findings(list(source.problems), _repeated_summaries(source.rows))
    sections = {title_key(s.title): s for s in reversed(list(taxonomy.walk()))}  # the first of a title wins
    outcomes: dict[int, RowOutcome] = {}
    rows: list[_Row] = []
    leaves = _leaves(taxonomy)
    for index, row in enumerate(source.rows):
        usable = _usable(index, row, sections, findings, leaves)
        if isinstance(usable, str):
            outcomes[index] = RowOutcome(row.line, row.title, usable)
        else:
            rows.append(usable)
    builder = _WorkBuilder(vocabulary, findings, labels or {})
    builder.taken.update(taken)
    entries, merges = [], []
    for group in _group(rows, findings):
        entry, placed = builder.entry(group)
        entries.append(entry)
        outcomes.update(placed)
        if len(group) > 1:
            merges.append(Merge(entry.id, tuple(r.source.line for r in group),
                                tuple(dict.fromkeys(url_key(r.source.url) for r in group)),
                                tuple(dict.fromkeys(r.title for r in group))))
    return ImportResult(tuple(entries), tuple(outcomes[i] for i in range(len(source.rows))), tuple(merges),
                        tuple(sorted(findings.problems, key=lambda p: p.line)),
                        tuple(sorted(findings.notes, key=lambda p: p.line)))


def _leaves(taxonomy: Taxonomy) -> list[Section]:
    """The sections items can stand in, in reading order."""
    return [s for s in taxonomy.walk() if s.holds_items and not s.children]


def closest_section(heading: str, sections: Sequence[Section], cutoff: float = 0.6) -> Section | None:
    """The section whose title is closest to ``heading`` (``difflib``, titles folded as
    ``identity.title_key``), or None when none is at least ``cutoff`` similar."""
    keys = {title_key(s.title): s for s in reversed(sections)}  # the first of a title wins
    close = difflib.get_close_matches(title_key(heading), list(keys), n=1, cutoff=cutoff)
    return keys[close[0]] if close else None


# --- Sections for headings the taxonomy lacks (import --new-sections) -----------------------------


@dataclass(frozen=True)
class NewSection:
    """A section to create for a heading with items and no section: its place is under
    ``parent`` (a grouping section's id), or at the end of the tree when None. ``like``
    is the leaf section whose columns, layout and order it copies, if any; ``line`` the
    heading's first item."""

    id: str
    title: str
    parent: str | None
    columns: tuple[str, ...]
    layout: str
    sort: str
    like: str | None
    line: int

    def data(self) -> dict[str, object]:
        """The section as taxonomy data, without the defaults."""
        data: dict[str, object] = {"id": self.id, "title": self.title, "columns": list(self.columns)}
        if self.layout != "table":
            data["layout"] = self.layout
        if self.sort != "year":
            data["sort"] = self.sort
        return data

    def describe(self) -> str:
        where = f"under `{self.parent}`" if self.parent else "at the end of the tree"
        like = f"as in `{self.like}`" if self.like else "the default"
        return (f"new section `{self.id}` ({self.title}) {where}, columns [{', '.join(self.columns)}] {like}, "
                f"for the items from line {self.line}")


def new_sections(text: str, taxonomy: Taxonomy) -> tuple[NewSection, ...]:
    """A section for each heading of the Markdown ``text`` that has items and no section,
    in the order of their first items. A new section goes under the section of the
    nearest enclosing heading that groups other sections (a section that holds items
    cannot take children, so nor can a new one), else at the end of the tree. Its id is
    ``identity.suggest_id`` of the heading, made unique; it copies the columns, layout
    and order of the closest leaf section by title, else of the last leaf of its place,
    else it shows the summary alone."""
    known = {title_key(s.title): s for s in reversed(list(taxonomy.walk()))}
    taken = {s.id for s in taxonomy.walk()}
    leaves = _leaves(taxonomy)
    planned: dict[str, NewSection] = {}
    for row in read_rows(text).rows:
        key = title_key(row.heading or "")
        if not row.url or not row.heading or not key or key in known or key in planned:
            continue
        parent = next((known[k] for k in map(title_key, reversed(row.parents))
                       if k in known and (known[k].children or not known[k].holds_items)), None)
        place = _leaves(Taxonomy((parent,))) if parent else leaves
        like = closest_section(row.heading, leaves) or (place[-1] if place else None)
        base = section_id = suggest_id(row.heading)
        number = 1
        while section_id in taken:
            number += 1
            section_id = f"{base}-{number}"
        taken.add(section_id)
        planned[key] = NewSection(section_id, " ".join(row.heading.split()), parent.id if parent else None,
                                  like.columns if like else ("summary",), like.layout if like else "table",
                                  like.sort if like else "year", like.id if like else None, row.line)
    return tuple(planned.values())


def with_sections(taxonomy: Taxonomy, new: Sequence[NewSection]) -> Taxonomy:
    """The taxonomy with the ``new`` sections in their places: each at the end of its
    parent's children, or of the tree."""
    def made(n: NewSection, depth: int) -> Section:
        return Section(n.id, n.title, depth, n.columns, layout=n.layout, sort=n.sort)

    def graft(section: Section) -> Section:
        children = (*map(graft, section.children),
                    *(made(n, section.depth + 1) for n in new if n.parent == section.id))
        return replace(section, children=children)

    return Taxonomy((*map(graft, taxonomy.sections), *(made(n, 0) for n in new if n.parent is None)))


def _repeated_summaries(rows: Sequence[SourceRow]) -> list[Problem]:
    """A note for each summary that repeats an earlier one (case and spacing folded)."""
    first: dict[str, int] = {}
    notes = []
    for row in rows:
        key = " ".join(row.cells.get("summary", "").casefold().split())
        if key and first.setdefault(key, row.line) != row.line:
            notes.append(Problem(row.line, "same-summary", f"the summary repeats the one on line {first[key]}"))
    return notes


# --- Works the catalog already has ----------------------------------------------------------------


@dataclass(frozen=True)
class CatalogMerge:
    """An imported work the catalog already has: ``entry`` is the catalog's entry with
    what the import brings that it lacked (``added``); ``kept`` says what the import
    also had but the catalog's entry keeps as it is. ``entry`` is None when nothing is new."""

    existing: Entry
    entry: Entry | None
    lines: tuple[int, ...]
    added: tuple[str, ...]
    kept: tuple[str, ...]

    def describe(self) -> str:
        lines = ", ".join(map(str, self.lines))
        if self.entry is None:
            text = f"already in the catalog: {self.existing.path} (lines {lines}); nothing new, left as it is"
        else:
            text = f"added to {self.existing.path} (lines {lines}): {'; '.join(self.added)}"
        return text + (f"; kept as in the catalog: {'; '.join(self.kept)}" if self.kept else "")


def _identities(entry: Entry) -> Iterator[tuple[str, str]]:
    """What makes two entries one work, strongest first (as the duplicate rule sees it)."""
    if entry.arxiv:
        yield "arxiv", entry.arxiv
    for _, url in entry.urls():
        if found := arxiv_id(url):
            yield "arxiv", found
    for _, url in entry.urls():
        yield "url", url_key(url)
    yield "title", title_key(entry.title)


def against_catalog(result: ImportResult, catalog: Catalog) -> tuple[list[Entry], list[CatalogMerge]]:
    """The imported works the catalog does not have yet, and, for each one it has
    (same arXiv id, link or title), what the import adds to it. Nothing the catalog's
    entry holds is ever replaced or removed: authors, title, url, summaries and terms of
    its sections stay; only sections it lacks, links to new addresses (in a kind it has
    no link of), and a missing year, venue or arXiv id are added."""
    known: dict[tuple[str, str], Entry] = {}
    for existing in catalog.entries:
        for key in _identities(existing):
            known.setdefault(key, existing)
    lines: dict[str, list[int]] = {}
    for outcome in result.rows:
        if outcome.entry is not None:
            lines.setdefault(outcome.entry, []).append(outcome.line)
    fresh: list[Entry] = []
    merges: list[CatalogMerge] = []
    for imported in result.entries:
        match = next((known[k] for k in _identities(imported) if k in known), None)
        if match is None:
            fresh.append(imported)
        else:
            merges.append(_merge(match, imported, tuple(lines.get(imported.id, ()))))
    return fresh, merges


def _merge(existing: Entry, imported: Entry, lines: tuple[int, ...]) -> CatalogMerge:
    added: list[str] = []
    kept: list[str] = []
    sections = {a.section for a in existing.appearances}
    new_appearances = [a for a in imported.appearances if a.section not in sections]
    added += [f"section `{a.section}`" for a in new_appearances]
    kept += [f"section `{a.section}`" for a in imported.appearances if a.section in sections]
    have = {url_key(u) for _, u in existing.urls()}
    links = dict(existing.links)
    ids = {found for _, u in existing.urls() if (found := arxiv_id(u))}
    if existing.arxiv:
        ids.add(existing.arxiv)
    for field_name, url in imported.urls():
        found = arxiv_id(url)
        if url_key(url) in have or found in ids:
            continue
        if found:  # another arXiv id than the catalog's, or one it lacks: set below, never as a link
            if ids:
                kept.append(f"arXiv {', '.join(sorted(i for i in ids if i))} (the import links arXiv {found})")
            continue
        kind = field_name.removeprefix("links.") if field_name != "url" else link_kind(url)
        if kind in links:
            kept.append(f"its {kind} link (the import's {url} has no place)")
        else:
            links[kind] = url
            have.add(url_key(url))
            added.append(f"{kind} link {url}")
    changes: dict[str, object] = {}
    for name in ("year", "venue", "arxiv"):
        value = getattr(imported, name)
        if value is not None and getattr(existing, name) is None and not (name == "arxiv" and ids):
            changes[name] = value
            added.append(f"{name} {value}")
    if not added:
        return CatalogMerge(existing, None, lines, (), tuple(kept))
    merged = replace(existing, appearances=(*existing.appearances, *new_appearances),
                     links=dict(sorted(links.items())), **changes)  # type: ignore[arg-type]
    return CatalogMerge(existing, merged, lines, tuple(added), tuple(kept))
