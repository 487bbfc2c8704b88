"""An existing Markdown awesome list as a catalog: what ``init --from`` writes. Pure.

From ``listdoc.read_list``'s reading, ``adopt`` makes:

- the sections, from the headings at every depth, nested and in order, with their
  heading text and the hand-written text under each heading as the description; a
  bullet that only groups nested items becomes a subsection;
- one entry per link (an item under several headings is one entry with several
  appearances), with its name, description, marks, labelled extra links
  (``([Demo](...), [Source Code](...))``) and trailing backtick tags;
- the tag sets, named from the data: in a list whose items end with a licence and then
  languages (``\\`MIT\\` \\`Go\\```), ``licenses`` and ``languages``; otherwise ``tags``.
  Table columns of short values that repeat become tag sets, long text the description;
- each section's order: by name when the original is sorted, else the original order,
  kept as ranks so a new item goes where the maintainer puts it;
- the README: the original's hand-written parts verbatim, in order, around the
  generated contents and sections.

Lines that look like items but cannot be read are the reader's problems, passed on.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from awesome_catalog.core.identity import suggest_id, title_key, url_key
from awesome_catalog.core.link_kinds import LINK_KINDS
from awesome_catalog.core.model import MAX_TEXT, MAX_TITLE, Appearance, Entry, TermRef
from awesome_catalog.markdown.listdoc import Block, Item, ListDoc
from awesome_catalog.markdown.rows import Problem

RANK_STEP = 10
"""Ranks leave room: a new item goes between two others without renumbering."""
_LICENCE = re.compile(r"^(?:A?GPL|LGPL|MIT|BSD|Apache|MPL|ISC|CC|Zlib|Unlicense|EPL|EUPL|OSL|QPL|WTFPL|BSL|Artistic|"
                      r"PostgreSQL|OFL|CDDL|MS-|NCSA|Proprietary|0BSD|AFL|Beerware|SSPL|Elastic|BUSL)", re.I)
_SUMMARY_HEADERS = {"description", "summary", "tl;dr", "tldr", "about", "notes"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Characters a catalog file may not hold (check's E113): left out of what init writes."""
MANY_COLUMNS_TEXT = 40
"""A table column whose cells average more characters than this holds descriptions."""


@dataclass
class Adoption:
    """What ``init --from`` writes: the data of catalog/list.yaml, taxonomy.yaml and
    vocabulary.yaml, the entries, the README, and the reader's problems."""

    settings: dict[str, Any]
    taxonomy: dict[str, Any]
    vocabulary: dict[str, Any]
    entries: list[Entry]
    readme: str
    problems: tuple[Problem, ...]
    items: int = 0
    sections: int = 0
    notes: list[str] = field(default_factory=list)


def _has_items(block: Block) -> bool:
    return bool(block.items) or any(_has_items(c) for c in block.children)


def _heading_line(block: Block) -> str:
    return f"{'#' * block.level} {block.heading}\n"


def _verbatim(block: Block) -> str:
    """A block with no items, as the original wrote it (heading, text, subheadings)."""
    return _heading_line(block) + block.intro + block.outro + "".join(_verbatim(c) for c in block.children)


class _Ids:
    """Unique ids from names."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def __call__(self, name: str) -> str:
        base = suggest_id(name)[:50].strip("-") or "item"
        candidate, n = base, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{base}-{n}"
        self.taken.add(candidate)
        return candidate


def _tag_sets(items: Sequence[Item]) -> list[tuple[str, str, list[int | None]]]:
    """How to read trailing tags: (id, label, positions) per tag set, where a position is
    the tag's index in the item (None: every tag not taken by another set)."""
    tagged = [i for i in items if i.tags]
    if not tagged:
        return []
    firsts = [i.tags[0] for i in tagged]
    licence_like = sum(bool(_LICENCE.match(t)) for t in firsts)
    if len(tagged) >= 3 and licence_like >= 0.6 * len(tagged):
        every: list[int | None] = [None]
        rest = any(len(i.tags) > 1 for i in tagged)
        return [("licenses", "Licenses", [0]), *([("languages", "Languages", every)] if rest else [])]
    every_tag: list[int | None] = [None]
    return [("tags", "Tags", every_tag)]


def _split_terms(text: str) -> list[str]:
    return [p.strip() for p in re.split(r",(?![^()]*\))", text) if p.strip() and p.strip() not in ("-", "—", "N/A")]


class _Builder:
    """Walks the blocks, making sections and gathering items into entries."""

    def __init__(self, doc: ListDoc) -> None:
        self.doc = doc
        self.section_ids = _Ids()
        self.entry_ids = _Ids()
        self.entries: dict[str, dict[str, Any]] = {}  # url_key -> entry in the making
        self.order: list[str] = []
        all_items = [item for _, item in doc.walk()]
        self.tag_sets = _tag_sets(all_items)
        self.vocabulary: dict[str, dict[str, str]] = {s: {} for s, _, _ in self.tag_sets}
        self.columns = self._table_columns()
        self.link_kinds: dict[str, str] = {}
        self.items = 0
        self.problems: list[Problem] = []

    # --- tables ---

    def _table_columns(self) -> dict[str, str]:
        """Each table column (by header) -> "name", "summary", "links" or a tag set id."""
        cells: dict[str, list[str]] = {}
        names: set[str] = set()
        for block in self._blocks(self.doc.blocks):
            if block.layout != "table" or not block.items:
                continue
            name = next((c for c in block.columns if any(c in i.cells and i.url and i.name in i.cells[c]
                                                          for i in block.items)), block.columns[0])
            names.add(name)
            for item in block.items:
                for header, text in item.cells.items():
                    if header != name:
                        cells.setdefault(header, []).append(text)
        kinds: dict[str, str] = {n: "name" for n in names}
        for header, texts in cells.items():
            folded = header.casefold().strip()
            average = sum(len(t) for t in texts) / max(1, len(texts))
            if folded in _SUMMARY_HEADERS or average > MANY_COLUMNS_TEXT:
                kinds[header] = "summary"
            else:
                kinds[header] = suggest_id(header) or "tags"
                self.vocabulary.setdefault(kinds[header], {})
        return kinds

    def _blocks(self, blocks: Iterable[Block]) -> Iterator[Block]:
        for block in blocks:
            yield block
            yield from self._blocks(block.children)

    # --- sections ---

    def section(self, block: Block) -> dict[str, Any]:
        """The taxonomy section of a block, its items placed, its children made."""
        data: dict[str, Any] = {"id": self.section_ids(block.heading), "title": block.heading.strip()}
        description = block.intro.strip("\n")
        if description:
            data["description"] = description + "\n"
        children = [self.section(c) for c in block.children if _has_items(c) or c.intro.strip()]
        linked = [i for i in block.items if i.url]
        if linked:
            data.update(self._layout(block.layout, block.columns, linked, self.doc.sorted_by_name(block)))
        if block.items:
            rank = 0
            for item in block.items:
                rank += RANK_STEP
                self._place(item, data, rank, None, children)
        if children:
            data["children"] = children
        return data

    def _layout(self, kind: str, headers: Sequence[str], items: Sequence[Item], by_name: bool) -> dict[str, Any]:
        """How a section shows ``items``: a table with the original's columns, or a list
        showing what its items have (description, other links, tags); sorted by name when
        the original is, else in the original's order."""
        tag_ids = [s for s, _, _ in self.tag_sets]
        layout: dict[str, Any]
        if kind == "table":
            columns = [self.columns.get(c, "summary") for c in headers]
            shown = [c for c in dict.fromkeys(columns) if c != "name"]
            layout = {"layout": "table", "columns": shown or ["summary"]}
        else:
            has = {"summary": any(self._text(i) for i in items), "links": any(i.links for i in items)}
            shown = [c for c in ("summary", "links") if has[c]] + [t for t in tag_ids if any(i.tags for i in items)]
            layout = {"layout": "list", "columns": shown, "items": True}
        layout["sort"] = "name" if by_name else "manual"
        return layout

    def _place(self, item: Item, section: dict[str, Any], rank: int, parent: str | None,
               children: list[dict[str, Any]]) -> None:
        if not item.url:  # a bullet that only groups nested items: a subsection
            group = {"id": self.section_ids(item.name), "title": item.name.strip() or "More"}
            linked = [c for c in item.children if c.url]
            names = [c.name.casefold() for c in linked]
            if linked:
                group.update(self._layout("list", (), linked, len(names) > 1 and names == sorted(names)))
            if item.description:
                group["description"] = item.description + "\n"
            sub_rank = 0
            for child in item.children:
                sub_rank += RANK_STEP
                self._place(child, group, sub_rank, None, [])
            children.append(group)
            return
        item = self._without_control_characters(item)
        if len(item.name.strip()) > MAX_TITLE:
            self.problems.append(Problem(item.line, "too-long", f"the item's name is {len(item.name.strip()):,} "
                                         f"characters long, more than the {MAX_TITLE} an entry's title holds; "
                                         "not read"))
            return
        self.items += 1
        key = link_identity(item.url)
        entry = self.entries.get(key)
        if entry is None:
            entry = self.entries[key] = {"id": self.entry_ids(_plain(item.name)), "title": item.name.strip(),
                                         "url": item.url, "tags": {}, "links": {},
                                         "lead": _CONTROL.sub("", item.lead) or None,
                                         "marks": [m for m in item.marks if m not in item.lead],
                                         "appearances": []}
            self.order.append(key)
        described = self._text(item)
        if len(described) > MAX_TEXT:
            self.problems.append(Problem(item.line, "too-long", f"the description is {len(described):,} characters "
                                         f"long, more than the {MAX_TEXT} an entry holds; left out"))
            described = ""
        self._tags(entry, item)
        for label, link in item.links:
            kind = self._link_kind(label)
            entry["links"].setdefault(kind, link)
        if any(a["section"] == section["id"] for a in entry["appearances"]):
            return  # twice under one heading: once is enough
        appearance: dict[str, Any] = {"section": section["id"], "rank": rank, "text": described}
        if parent:
            appearance["parent"] = parent
        entry["appearances"].append(appearance)
        sub_rank = 0
        for child in item.children:
            sub_rank += RANK_STEP
            self._place(child, section, rank + sub_rank, entry["id"], children)

    def _without_control_characters(self, item: Item) -> Item:
        """``item`` without the control characters of its name, description, cells and
        marks, reported once."""
        texts = [item.name, item.description, *item.cells.values(), *item.marks]
        found = sorted({c for text in texts for c in _CONTROL.findall(text)})
        if not found:
            return item
        shown = ", ".join(f"U+{ord(c):04X}" for c in found)
        self.problems.append(Problem(item.line, "control", f"the item holds control characters ({shown}): left out"))
        return replace(item, name=_CONTROL.sub("", item.name), description=_CONTROL.sub("", item.description),
                       cells={k: _CONTROL.sub("", v) for k, v in item.cells.items()},
                       marks=tuple(m for m in (_CONTROL.sub("", m) for m in item.marks) if m.strip()))

    def _text(self, item: Item) -> str:
        """An item's description: a table row's summary columns, else the text after its link."""
        if item.cells:
            return " ".join(v.strip() for k, v in item.cells.items() if self.columns.get(k) == "summary").strip()
        return item.description.strip()

    def _link_kind(self, label: str) -> str:
        folded = label.strip().casefold()
        for kind, known in LINK_KINDS.items():
            if folded in (kind, known.casefold()):
                return kind
        kind = suggest_id(label) or "link"
        self.link_kinds.setdefault(kind, label.strip())
        return kind

    def _tags(self, entry: dict[str, Any], item: Item) -> None:
        taken: set[int] = set()
        for set_id, _, positions in self.tag_sets:
            every = [i for i in range(len(item.tags)) if i not in taken]
            chosen = every if positions == [None] else [i for i in positions if i is not None and i in every]
            taken.update(chosen)
            for i in chosen:
                self._term(entry["tags"].setdefault(set_id, []), set_id, item.tags[i])
        for header, text in item.cells.items():
            kind = self.columns.get(header)
            if kind and kind not in ("name", "summary"):
                for term in _split_terms(text):
                    self._term(entry["tags"].setdefault(kind, []), kind, term)

    def _term(self, into: list[str], set_id: str, label: str) -> None:
        terms = self.vocabulary.setdefault(set_id, {})
        term = next((t for t, known in terms.items() if known.casefold() == label.casefold()), None)
        if term is None:
            term = suggest_id(label)[:50].strip("-") or "term"
            while term in terms and terms[term].casefold() != label.casefold():
                term += "-2"
            terms[term] = label
        if term not in into:
            into.append(term)

    # --- entries ---

    def build_entries(self) -> list[Entry]:
        made = []
        for key in self.order:
            data = self.entries[key]
            texts = [a["text"] for a in data["appearances"] if a["text"]]
            description = texts[0] if texts and all(t == texts[0] for t in texts) else None
            appearances = [Appearance(a["section"], None if description else a["text"] or None, {}, a["rank"],
                                      a.get("parent")) for a in data["appearances"]]
            tags = {k: tuple(TermRef(t) for t in v) for k, v in data["tags"].items()}
            made.append(Entry(id=data["id"], path=f"items/{data['id']}.yaml", kind="resource", title=data["title"],
                              url=data["url"], appearances=tuple(appearances), links=data["links"],
                              description=description, tags=tags, marks=tuple(data["marks"]), lead=data["lead"]))
        return made


def link_identity(url: str) -> str:
    """When two items are one: ``url_key``, ignoring case on code hosts, whose paths
    ignore it (``github.com/ReactiveX/RxJS`` is ``github.com/reactivex/rxjs``)."""
    key = url_key(url)
    return key.casefold() if key.split("/", 1)[0] in ("github.com", "gitlab.com", "codeberg.org") else key


def _plain(markdown: str) -> str:
    return re.sub(r"[`*_\[\]()!]", " ", markdown)


def adopt(doc: ListDoc) -> Adoption:
    """The catalog and README of the list ``doc`` reads."""
    builder = _Builder(doc)
    blocks = list(doc.blocks)
    with_items = [i for i, b in enumerate(blocks) if _has_items(b)]
    first, last = (with_items[0], with_items[-1]) if with_items else (len(blocks), len(blocks) - 1)
    sections = [builder.section(b) for b in blocks[first:last + 1]]
    entries = builder.build_entries()
    tag_sets = [{"id": s, "label": label, "per": "entry"} for s, label, _ in builder.tag_sets]
    tag_sets += [{"id": kind, "label": header.strip(), "per": "entry"} for header, kind in builder.columns.items()
                 if kind not in ("name", "summary") and kind not in {t["id"] for t in tag_sets}]
    settings: dict[str, Any] = {
        "items": {"bullet": doc.style.bullet if doc.style.bullet in ("-", "*", "+", "1.") else "-",
                  "separator": doc.style.separator if doc.style.separator in (" - ", " \u2013 ", " \u2014 ", ": ",
                                                                              " ") else " - ",
                  "markdown": True},
        "readme": {"toc_title": doc.toc.heading if doc.toc else "Contents", "notes": False, "figures": False,
                   "back_links": False},
    }
    if tag_sets:
        settings["tag_sets"] = tag_sets
    if builder.link_kinds:
        settings["link_kinds"] = [{"id": k, "label": v} for k, v in builder.link_kinds.items()]
    rules = _broken_rules(entries)
    if rules:
        settings["rules"] = rules
    if any(len(e.appearances) > 1 for e in entries):
        settings["lint"] = {"disable": [{"rule": "double-link", "why": "an item that belongs under several headings "
                                         "is listed, with its link, under each of them."}]}
    vocabulary = {set_id: [{"id": t, "label": label} for t, label in terms.items()]
                  for set_id, terms in builder.vocabulary.items() if terms}
    readme = _readme(doc, blocks, first, last)
    problems = tuple(sorted([*doc.problems, *builder.problems], key=lambda p: p.line))
    return Adoption(settings, {"sections": sections}, vocabulary, entries, readme, problems, builder.items,
                    sum(1 for _ in _walk(sections)))


def _broken_rules(entries: Sequence[Entry]) -> dict[str, str]:
    """The content rules the original breaks, as warnings: two items of one name, two
    equal descriptions. The maintainer can make them errors once the list is clean."""
    titles = Counter(title_key(e.title) for e in entries)
    texts = Counter(" ".join(t.casefold().split()) for e in entries
                    for t in [e.description, *(a.summary for a in e.appearances)] if t)
    rules = {}
    if any(n > 1 for n in titles.values()):
        rules["duplicate-work"] = "warning"
    if any(n > 1 for n in texts.values()):
        rules["duplicate-summary"] = "warning"
    return rules


def _walk(sections: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    for s in sections:
        yield s
        yield from _walk(s.get("children", ()))


def marker(kind: str, name: str) -> str:
    return f"<!-- awesome-catalog:{kind}:{name} -->"


def _region(name: str) -> str:
    return f"{marker('begin', name)}\n{marker('end', name)}\n"


def _readme(doc: ListDoc, blocks: Sequence[Block], first: int, last: int) -> str:
    """The new README: the original's hand-written parts in order, with the contents and
    the sections as generated regions (filled by ``generate``)."""
    parts = [doc.head]
    toc_at = doc.toc_index if doc.toc else None
    for i, block in enumerate(blocks):
        if i == toc_at:
            parts.append(_region("toc") + "\n" + (doc.toc.outro.lstrip("\n") if doc.toc else ""))
        if i == first:
            parts.append(_region("sections") + "\n")
        if first <= i <= last:
            continue
        parts.append(_verbatim(block))
    if toc_at is not None and toc_at >= len(blocks):
        parts.append(_region("toc") + "\n")
    if first >= len(blocks):
        parts.append(_region("sections"))
    text = "".join(parts)
    return text if text.endswith("\n") else text + "\n"
