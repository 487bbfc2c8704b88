"""The catalog as typed, immutable values: taxonomy, vocabulary, entries and the list's settings.

Everything here is built from data that already passed schema validation, so the
constructors trust their input's shape.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from awesome_catalog.core.columns import COLUMNS, TERM_KINDS

__all__ = ["COLUMNS", "TERM_KINDS", "Appearance", "Catalog", "Entry", "Section", "Taxonomy", "Term", "TermRef",
           "Vocabulary"]


@dataclass(frozen=True, slots=True)
class TermRef:
    """A vocabulary term used by an appearance, with an optional detail."""

    id: str
    detail: str | None = None

    @classmethod
    def from_data(cls, value: str | Mapping[str, str]) -> TermRef:
        if isinstance(value, str):
            return cls(value)
        return cls(value["term"], value.get("detail"))


@dataclass(frozen=True, slots=True)
class Appearance:
    """One row of one section: the work as seen from that section."""

    section: str
    summary: str
    techniques: tuple[TermRef, ...] | None = None
    evaluation: tuple[TermRef, ...] | None = None

    def terms(self, kind: str) -> tuple[TermRef, ...] | None:
        """The terms of one column (``techniques`` or ``evaluation``); None when absent."""
        return self.techniques if kind == "techniques" else self.evaluation


@dataclass(frozen=True, slots=True)
class Entry:
    """One work or tool: a file under ``catalog/<folder>/<id>.yaml``."""

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

    @classmethod
    def from_data(cls, entry_id: str, path: str, folder: str, data: Mapping[str, Any]) -> Entry:
        """Build an entry from schema-valid data; ``folder`` gives the default kind."""
        default_kind = "tool" if folder == "tools" else "paper"
        return cls(
            id=entry_id,
            path=path,
            kind=data.get("kind", default_kind),
            title=data["title"],
            url=data["url"],
            year=data.get("year"),
            venue=data.get("venue"),
            arxiv=data.get("arxiv"),
            authors=tuple(data.get("authors", ())),
            links=dict(data.get("links", {})),
            appearances=tuple(
                Appearance(
                    section=a["section"],
                    summary=a["summary"],
                    techniques=_terms(a.get("techniques")),
                    evaluation=_terms(a.get("evaluation")),
                )
                for a in data["sections"]
            ),
        )

    @property
    def order(self) -> tuple[bool, int, str, str]:
        """Where the entry's rows stand in a section: by year (entries without one, such
        as some tools, last), then title ignoring case, then id."""
        return (self.year is None, self.year or 0, self.title.casefold(), self.id)

    def urls(self) -> Iterator[tuple[str, str]]:
        """Every URL of the entry as (field, url): ``url`` first, then ``links.<key>``."""
        yield "url", self.url
        for key, value in self.links.items():
            yield f"links.{key}", value


def _terms(values: list[Any] | None) -> tuple[TermRef, ...] | None:
    return None if values is None else tuple(TermRef.from_data(v) for v in values)


@dataclass(frozen=True)
class Section:
    """A node of the taxonomy; ``depth`` is 0 for top-level sections."""

    id: str
    title: str
    depth: int
    columns: tuple[str, ...] = ()
    description: str | None = None
    children: tuple[Section, ...] = ()

    @classmethod
    def from_data(cls, data: Mapping[str, Any], depth: int = 0) -> Section:
        return cls(
            id=data["id"],
            title=data["title"],
            depth=depth,
            columns=tuple(data.get("columns", ())),
            description=data.get("description"),
            children=tuple(cls.from_data(c, depth + 1) for c in data.get("children", ())),
        )


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
    """Technique and evaluation terms, each list in file order."""

    techniques: tuple[Term, ...]
    evaluation: tuple[Term, ...]

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Vocabulary:
        def terms(kind: str) -> tuple[Term, ...]:
            return tuple(
                Term(
                    id=t["id"],
                    label=t["label"],
                    aliases=tuple(t.get("aliases", ())),
                    description=t.get("description"),
                    introduced_by=t.get("introduced_by"),
                )
                for t in data.get(kind, ())
            )

        return cls(terms("techniques"), terms("evaluation"))

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of terms, in order."""
        return TERM_KINDS

    def terms(self, kind: str) -> tuple[Term, ...]:
        """The terms of one kind: ``techniques`` or ``evaluation``."""
        return self.techniques if kind == "techniques" else self.evaluation

    def by_id(self, kind: str) -> dict[str, Term]:
        return self._by_id[kind]

    @cached_property
    def _by_id(self) -> dict[str, dict[str, Term]]:
        return {kind: {t.id: t for t in self.terms(kind)} for kind in TERM_KINDS}

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
class Settings:
    """The list's own settings (``catalog/list.yaml``); every one has a default, so a
    list without the file gets ``Settings()``."""

    lint_disable: tuple[LintException, ...] = ()
    rules: tuple[tuple[str, str], ...] = ()
    """(rule name, ``error`` | ``warning`` | ``off``): how the list enforces each rule of
    ``check``; YAML's ``false`` (an unquoted ``off``) is ``off``."""

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Settings:
        lint = data.get("lint", {})
        return cls(tuple(LintException(d["rule"], d["why"]) for d in lint.get("disable", ())),
                   rules=tuple(sorted((k, v or "off") for k, v in data.get("rules", {}).items())))

    def disables(self, rule: str) -> bool:
        """Whether the generated README turns awesome-lint's ``rule`` off."""
        return any(d.rule == rule for d in self.lint_disable)


@dataclass(frozen=True)
class Catalog:
    """The whole catalog: what ``generate`` renders and the exports publish."""

    taxonomy: Taxonomy
    vocabulary: Vocabulary
    entries: tuple[Entry, ...]
    settings: Settings = field(default_factory=Settings)
