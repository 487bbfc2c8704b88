"""The catalog as typed, immutable values: taxonomy, vocabulary, entries and the list's settings.

Everything here is built from data that already passed schema validation, so the
constructors trust their input's shape.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from awesome_catalog.core.link_kinds import LINK_KINDS

__all__ = ["Appearance", "Catalog", "Entry", "LinkSettings", "Section", "Settings", "TagSet", "Taxonomy", "Term",
           "TermRef", "Vocabulary"]

BUILT_IN_COLUMNS = ("summary", "year", "venue", "links")
"""What a section can show besides the work and the list's tag sets."""
MAX_TITLE = 300
"""The longest title an entry may have (characters; the entry schema's maxLength)."""
MAX_TEXT = 800
"""The longest description or summary an entry may have (characters)."""


@dataclass(frozen=True, slots=True)
class TermRef:
    """A vocabulary term used by an entry or an appearance, with an optional detail."""

    id: str
    detail: str | None = None

    @classmethod
    def from_data(cls, value: str | Mapping[str, str]) -> TermRef:
        if isinstance(value, str):
            return cls(value)
        return cls(value["term"], value.get("detail"))


Tags = Mapping[str, tuple[TermRef, ...]]


def default_kind(folder: str) -> str:
    """The kind of an entry that names none, by its folder: ``papers/`` hold papers,
    ``tools/`` tools, any other folder (``items/``...) resources."""
    return {"papers": "paper", "tools": "tool"}.get(folder, "resource")


def _tags(data: Mapping[str, Any], ids: Collection[str]) -> dict[str, tuple[TermRef, ...]]:
    return {key: tuple(TermRef.from_data(v) for v in data[key]) for key in ids if key in data}


@dataclass(frozen=True, slots=True)
class TagSet:
    """A set of controlled terms the list tags its items with, such as techniques or
    licences. ``per`` says where the terms are given: once per ``entry`` (a project's
    licence) or per ``appearance`` (the technique a paper contributes to one section)."""

    id: str
    label: str
    per: str = "appearance"
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Appearance:
    """One row (or item) of one section: the work as seen from that section. ``tags``
    holds the per-appearance tag sets the file gives; ``rank`` places the item in a
    section kept in the maintainer's order; ``parent`` is the entry this item stands
    under in a list of nested items."""

    section: str
    summary: str | None = None
    tags: Tags = field(default_factory=dict, hash=False)
    rank: int | None = None
    parent: str | None = None

    def terms(self, kind: str) -> tuple[TermRef, ...] | None:
        """The terms of one tag set; None when the appearance does not give it."""
        return self.tags.get(kind)


@dataclass(frozen=True, slots=True)
class Entry:
    """One work, tool or other item: a file under ``catalog/<folder>/<id>.yaml``."""

    id: str
    path: str
    kind: str
    title: str
    url: str
    appearances: tuple[Appearance, ...]
    year: int | None = None
    venue: str | None = None
    arxiv: str | None = None
    authors: tuple[str, ...] = ()
    links: Mapping[str, str] = field(default_factory=dict)
    description: str | None = None
    tags: Tags = field(default_factory=dict, hash=False)
    marks: tuple[str, ...] = ()
    lead: str | None = None

    @classmethod
    def from_data(cls, entry_id: str, path: str, folder: str, data: Mapping[str, Any],
                  settings: Settings | None = None) -> Entry:
        """Build an entry from schema-valid data; ``folder`` gives the default kind and
        ``settings`` which keys are tag sets."""
        settings = settings or Settings()
        per_appearance = settings.tag_set_ids("appearance")
        return cls(
            id=entry_id,
            path=path,
            kind=data.get("kind", default_kind(folder)),
            title=data["title"],
            url=data["url"],
            year=data.get("year"),
            venue=data.get("venue"),
            arxiv=data.get("arxiv"),
            authors=tuple(data.get("authors", ())),
            links=dict(data.get("links", {})),
            description=data.get("description"),
            tags=_tags(data, settings.tag_set_ids("entry")),
            marks=tuple(data.get("marks", ())),
            lead=data.get("lead"),
            appearances=tuple(
                Appearance(section=a["section"], summary=a.get("summary"), tags=_tags(a, per_appearance),
                           rank=a.get("rank"), parent=a.get("parent"))
                for a in data["sections"]
            ),
        )

    @property
    def order(self) -> tuple[bool, int, str, str]:
        """The entry's place by year (entries without one, such as some tools, last),
        then title ignoring case, then id."""
        return (self.year is None, self.year or 0, self.title.casefold(), self.id)

    def text(self, appearance: Appearance) -> str | None:
        """What the work says in one section: the appearance's summary, else the entry's description."""
        return appearance.summary if appearance.summary is not None else self.description

    def terms(self, kind: str, appearance: Appearance | None = None) -> tuple[TermRef, ...] | None:
        """The terms of one tag set: the entry's own, else the appearance's."""
        found = self.tags.get(kind)
        if found is None and appearance is not None:
            found = appearance.terms(kind)
        return found

    def urls(self) -> Iterator[tuple[str, str]]:
        """Every URL of the entry as (field, url): ``url`` first, then ``links.<key>``."""
        yield "url", self.url
        for key, value in self.links.items():
            yield f"links.{key}", value


@dataclass(frozen=True)
class Section:
    """A node of the taxonomy; ``depth`` is 0 for top-level sections."""

    id: str
    title: str
    depth: int
    columns: tuple[str, ...] = ()
    description: str | None = None
    children: tuple[Section, ...] = ()
    layout: str = "table"
    sort: str = "year"
    items: bool | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any], depth: int = 0) -> Section:
        return cls(
            id=data["id"],
            title=data["title"],
            depth=depth,
            columns=tuple(data.get("columns", ())),
            description=data.get("description"),
            children=tuple(cls.from_data(c, depth + 1) for c in data.get("children", ())),
            layout=data.get("layout", "table"),
            sort=data.get("sort", "year"),
            items=data.get("items"),
        )

    @property
    def holds_items(self) -> bool:
        """Whether works can appear here: a table or list section with columns, or one
        that says so (``items: true``); a grouping section holds none."""
        return self.items if self.items is not None else bool(self.columns)

    def order(self, entry: Entry, appearance: Appearance) -> tuple[Any, ...]:
        """Where an item stands in this section, by its sort rule: ``year`` (then title),
        ``name``, or ``manual`` (the appearance's rank, then title)."""
        name = (entry.title.casefold(), entry.id)
        if self.sort == "name":
            return name
        if self.sort == "manual":
            return (appearance.rank is None, appearance.rank or 0, *name)
        return (entry.year is None, entry.year or 0, *name)


@dataclass(frozen=True)
class Taxonomy:
    """The section tree, in reading order."""

    sections: tuple[Section, ...]

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Taxonomy:
        return cls(tuple(Section.from_data(s) for s in data["sections"]))

    def walk(self) -> Iterator[Section]:
        """Every section, depth first, in reading order."""
        stack = list(reversed(self.sections))
        while stack:
            section = stack.pop()
            yield section
            stack.extend(reversed(section.children))

    def by_id(self) -> dict[str, Section]:
        """Sections by id; when an id is repeated (an error), the first one counts."""
        return self._by_id

    @cached_property
    def _by_id(self) -> dict[str, Section]:
        found: dict[str, Section] = {}
        for section in self.walk():
            found.setdefault(section.id, section)
        return found


@dataclass(frozen=True, slots=True)
class Term:
    """A controlled term of the vocabulary."""

    id: str
    label: str
    aliases: tuple[str, ...] = ()
    description: str | None = None
    introduced_by: str | None = None


@dataclass(frozen=True)
class Vocabulary:
    """The terms of each tag set, each list in file order."""

    sets: Mapping[str, tuple[Term, ...]] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: Mapping[str, Any], tag_sets: tuple[TagSet, ...] = ()) -> Vocabulary:
        def term(t: Mapping[str, Any]) -> Term:
            return Term(id=t["id"], label=t["label"], aliases=tuple(t.get("aliases", ())),
                        description=t.get("description"), introduced_by=t.get("introduced_by"))

        return cls({s.id: tuple(term(t) for t in data.get(s.id, ())) for s in tag_sets})

    @property
    def kinds(self) -> tuple[str, ...]:
        """The tag sets, in order."""
        return tuple(self.sets)

    def terms(self, kind: str) -> tuple[Term, ...]:
        """The terms of one tag set."""
        return self.sets.get(kind, ())

    def by_id(self, kind: str) -> dict[str, Term]:
        return self._by_id.get(kind, {})

    @cached_property
    def _by_id(self) -> dict[str, dict[str, Term]]:
        return {kind: {t.id: t for t in terms} for kind, terms in self.sets.items()}

    def suggest(self, kind: str, written: str) -> str | None:
        """The id of the term closest to ``written``: by alias or label first, then by spelling."""
        import difflib

        folded = written.casefold().replace("_", "-")
        for term in self.terms(kind):
            if folded in {term.id, term.label.casefold(), *(a.casefold() for a in term.aliases)}:
                return term.id
        close = difflib.get_close_matches(folded, [t.id for t in self.terms(kind)], n=1, cutoff=0.6)
        return close[0] if close else None

    def label(self, kind: str, ref: TermRef) -> str:
        """How a term reference is shown: the term's label, then the detail in parentheses."""
        term = self.by_id(kind).get(ref.id)
        label = term.label if term else ref.id
        return f"{label} ({ref.detail})" if ref.detail else label


@dataclass(frozen=True)
class LintException:
    """An awesome-lint rule the list breaks on purpose, and why (shown in the README)."""

    rule: str
    why: str


@dataclass(frozen=True)
class LinkSettings:
    """How ``links`` judges this list's URLs: hosts that refuse scripts (a 401, 403 or
    429 from them is not a dead link), URL prefixes never checked, and whether a refusal
    from any other host counts as dead (else it is reported unchecked)."""

    refuse_scripts: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    refusal_is_dead: bool = False

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> LinkSettings:
        return cls(tuple(data.get("refuse_scripts", ())), tuple(data.get("skip", ())),
                   bool(data.get("refusal_is_dead", False)))


@dataclass(frozen=True)
class Settings:
    """The list's own settings (``catalog/list.yaml``); every one has a default, so a
    list without the file gets ``Settings()``."""

    lint_disable: tuple[LintException, ...] = ()
    rules: tuple[tuple[str, str], ...] = ()
    """(rule name, ``error`` | ``warning`` | ``off``): how the list enforces each rule of
    ``check``; YAML's ``false`` (an unquoted ``off``) is ``off``."""
    tag_sets: tuple[TagSet, ...] = ()
    link_kinds: Mapping[str, str] = field(default_factory=dict)
    bullet: str = "-"
    separator: str = " - "
    markdown: bool = False
    links: LinkSettings = field(default_factory=LinkSettings)
    toc_title: str = "Contents"
    notes: bool = True
    figures: bool = True
    back_links: bool = True

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Settings:
        lint = data.get("lint", {})
        items = data.get("items", {})
        readme = data.get("readme", {})
        return cls(
            lint_disable=tuple(LintException(d["rule"], d["why"]) for d in lint.get("disable", ())),
            tag_sets=tuple(TagSet(s["id"], s["label"], s.get("per", "appearance"), s.get("description"))
                           for s in data.get("tag_sets", ())),
            link_kinds={k["id"]: k["label"] for k in data.get("link_kinds", ())},
            bullet=items.get("bullet", "-"),
            separator=items.get("separator", " - "),
            markdown=bool(items.get("markdown", False)),
            links=LinkSettings.from_data(data.get("links", {})),
            toc_title=readme.get("toc_title", "Contents"),
            notes=bool(readme.get("notes", True)),
            figures=bool(readme.get("figures", True)),
            back_links=bool(readme.get("back_links", True)),
            rules=tuple(sorted((k, v or "off") for k, v in data.get("rules", {}).items())),
        )

    def disables(self, rule: str) -> bool:
        """Whether the generated README turns awesome-lint's ``rule`` off."""
        return any(d.rule == rule for d in self.lint_disable)

    def tag_set_ids(self, per: str) -> tuple[str, ...]:
        """The ids of the tag sets given once per ``entry`` or per ``appearance``."""
        return tuple(s.id for s in self.tag_sets if s.per == per)

    def tag_set(self, kind: str) -> TagSet | None:
        return next((s for s in self.tag_sets if s.id == kind), None)

    @property
    def all_link_kinds(self) -> dict[str, str]:
        """Every kind of other link with its label: the built-in ones, then the list's own."""
        return {**LINK_KINDS, **self.link_kinds}


@dataclass(frozen=True)
class Catalog:
    """The whole catalog: what ``generate`` renders and the exports publish."""

    taxonomy: Taxonomy
    vocabulary: Vocabulary
    entries: tuple[Entry, ...]
    settings: Settings = field(default_factory=Settings)

    @cached_property
    def ids(self) -> frozenset[str]:
        """The ids of every entry."""
        return frozenset(e.id for e in self.entries)
