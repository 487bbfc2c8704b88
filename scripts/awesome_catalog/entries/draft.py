"""Drafts of new entries: the checks and the write shared by ``new`` and ``add``.

A ``Draft`` is what a contributor asked for. ``write_entry`` refuses, writing nothing,
when the section is unknown or only groups others, a term is unknown, the work is
already in the catalog (same title, URL or arXiv id) or the file exists; otherwise it
writes the entry through the one entry writer (``formats.entry_yaml``), atomically and
exclusively, and prints the next steps. The summary is a placeholder starting with
``rules.PLACEHOLDER``, which ``check`` reports (E311) until it is replaced.
"""

from __future__ import annotations

import difflib
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from awesome_catalog.core import writing
from awesome_catalog.core.diagnostics import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Refusal
from awesome_catalog.core.identity import ID_PATTERN, arxiv_id, title_key, url_key
from awesome_catalog.core.model import (
    BUILT_IN_COLUMNS,
    Appearance,
    Catalog,
    Entry,
    Section,
    Settings,
    Taxonomy,
    TermRef,
    Vocabulary,
    default_kind,
)
from awesome_catalog.core.project import Project
from awesome_catalog.formats import report
from awesome_catalog.formats.entry_yaml import entry_text
from awesome_catalog.load import validate, yamlload
from awesome_catalog.load.loader import LoadedCatalog, load_catalog
from awesome_catalog.load.rules import PLACEHOLDER

SUMMARY_PLACEHOLDER = (
    f"{PLACEHOLDER}: one or two sentences in your own words on what the work found or made, "
    "as seen from this section."
)
_TERMS_SHOWN = 6


@dataclass(frozen=True)
class Draft:
    """What a new entry file will say; ``terms`` holds the terms already chosen, by kind."""

    title: str
    url: str
    section: Section
    year: int | None = None
    arxiv: str | None = None
    authors: tuple[str, ...] = ()
    terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def leaf_section(taxonomy: Taxonomy, section_id: str | None) -> Section:
    """The section an appearance may name, or a refusal listing the choices."""
    sections = taxonomy.by_id()
    leaves = [s.id for s in taxonomy.walk() if s.holds_items]
    choices = f"sections that hold items: {', '.join(leaves)}"
    if section_id is None:
        raise Refusal("say where the work appears with --section ID", hint=choices)
    section = sections.get(section_id)
    if section is None:
        close = difflib.get_close_matches(section_id, leaves, n=1)
        hint = f"did you mean `{close[0]}`? {choices}" if close else choices
        raise Refusal(f"section `{section_id}` is not in catalog/taxonomy.yaml", hint=hint)
    if not section.holds_items:
        below = [s.id for s in Taxonomy(section.children).walk() if s.holds_items]
        raise Refusal(f"section `{section_id}` only groups other sections and has no table",
                      hint=f"choose one of its subsections: {', '.join(below)}")
    return section


def check_terms(vocabulary: Vocabulary, settings: Settings, section: Section,
                chosen: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """The chosen terms by tag set, refused when the set or a term is unknown, or when the
    section does not show a set given per appearance."""
    terms: dict[str, tuple[str, ...]] = {}
    for kind, ids in chosen.items():
        tag_set = settings.tag_set(kind)
        if tag_set is None:
            known_sets = ", ".join(s.id for s in settings.tag_sets) or "none"
            raise Refusal(f"`{kind}` is not a tag set of catalog/list.yaml", hint=f"its tag sets: {known_sets}")
        if tag_set.per == "appearance" and kind not in section.columns:
            raise Refusal(f"section `{section.id}` does not show {kind}", hint=f"leave out --tag {kind}=...")
        known = vocabulary.by_id(kind)
        for term in ids:
            if term not in known:
                close = vocabulary.suggest(kind, term)
                hint = f"did you mean `{close}`?" if close else f"choose from: {', '.join(known)}"
                raise Refusal(f"{kind} term `{term}` is not in catalog/vocabulary.yaml", hint=hint)
        terms[kind] = tuple(dict.fromkeys(ids))
    return terms


def draft_entry(draft: Draft, new_id: str, folder: str, settings: Settings) -> Entry:
    """The entry a draft becomes: the chosen terms (an empty list for a set the section
    shows where none were chosen) and a placeholder summary where the section shows one."""
    def refs(kind: str) -> tuple[TermRef, ...]:
        return tuple(TermRef(t) for t in draft.terms.get(kind, ()))

    per_appearance = {k: refs(k) for k in settings.tag_set_ids("appearance") if k in draft.section.columns}
    per_entry = {k: refs(k) for k in settings.tag_set_ids("entry") if k in draft.terms}
    summary = SUMMARY_PLACEHOLDER if "summary" in draft.section.columns else None
    appearance = Appearance(draft.section.id, summary, per_appearance)
    return Entry(id=new_id, path=f"{folder}/{new_id}.yaml", kind=default_kind(folder), title=draft.title,
                 url=draft.url, appearances=(appearance,), year=draft.year, arxiv=draft.arxiv, authors=draft.authors,
                 tags=per_entry)


def term_hints(vocabulary: Vocabulary, settings: Settings, draft: Draft) -> dict[str, str]:
    """For each tag set the contributor still has to choose, a comment naming some valid terms."""
    hints = {}
    for kind in settings.tag_set_ids("appearance"):
        if kind in draft.section.columns and kind not in draft.terms:
            ids = [t.id for t in vocabulary.terms(kind)]
            examples = ", ".join(ids[:_TERMS_SHOWN]) + (", ..." if len(ids) > _TERMS_SHOWN else "")
            hints[kind] = f"{kind}: ids from catalog/vocabulary.yaml, e.g. {examples}"
    return hints


def refuse_duplicate(catalog: Catalog, *, title: str | None = None, url: str | None = None,
                     arxiv: str | None = None) -> None:
    """Refuse a work the catalog already has: same arXiv id, title or link."""
    key = title_key(title) if title else None
    link = url_key(url) if url else None
    for entry in catalog.entries:
        if arxiv and arxiv in (entry.arxiv, arxiv_id(entry.url)):
            shared = f"arXiv {arxiv}"
        elif key and title_key(entry.title) == key:
            shared = "the title"
        elif link and any(url_key(u) == link for _, u in entry.urls()):
            shared = f"the link {url}"
        else:
            continue
        raise Refusal(f"the catalog already has this work: {entry.path} shares {shared}", EXIT_PROBLEMS,
                      f"add a section to {entry.path} instead of creating a second file")


def load(project: Project) -> tuple[LoadedCatalog, Catalog]:
    """The catalog to add to, or a refusal when its taxonomy or vocabulary is unusable."""
    loaded = load_catalog(project)
    if loaded.catalog is None or "entry" not in loaded.validators:
        raise Refusal("the catalog cannot be loaded (taxonomy, vocabulary or schema)", EXIT_PROBLEMS,
                      "run `awesome-catalog check` and fix what it reports")
    return loaded, loaded.catalog


def entry_folder(project: Project, tool: bool = False) -> str:
    """The folder a new entry goes into: ``tools`` for a tool, else the folder that holds
    most entries already (``papers`` in a list of papers, ``items`` in one made by init),
    else ``papers``."""
    if tool:
        return "tools"
    counts = Counter(f.folder for f in project.entry_listing() if f.folder != "tools")
    return counts.most_common(1)[0][0] if counts else "papers"


def entry_path(project: Project, folder: str, new_id: str) -> Path:
    """``catalog/<folder>/<id>.yaml``, refused unless it is a fresh file inside catalog/."""
    catalog_dir = project.catalog_dir.resolve()
    path = catalog_dir / folder / f"{new_id}.yaml"
    if not ID_PATTERN.match(new_id) or not path.resolve().is_relative_to(catalog_dir):
        raise Refusal(f"`{new_id}` is not a valid entry id", hint="ids are lowercase kebab-case")
    taken = [p for p in project.entry_files() if p.stem == new_id]
    if taken or path.exists():
        where = project.rel(taken[0] if taken else path)
        raise Refusal(f"{where} already exists; nothing was written", EXIT_PROBLEMS,
                      "edit that file, or choose another title")
    return path


def check_text(loaded: LoadedCatalog, text: str, rel: str, expected: Mapping[str, Any]) -> None:
    """Refuse text that does not parse back to ``expected`` or breaks the entry schema."""
    parsed = yamlload.load(text.encode("utf-8"), rel)
    problems = list(parsed.diagnostics)
    if parsed.data is not None:
        problems += validate.validate(loaded.validators["entry"], parsed.data, rel, text)
        for key, value in expected.items():
            if parsed.data.get(key) != value:
                raise Refusal(f"internal error: `{key}` would not read back as written", EXIT_USAGE)
    if problems:
        report.write_text(problems, sys.stderr, footer="nothing was written")
        raise Refusal("the new entry would not be valid: see above")


def create(path: Path, text: str) -> None:
    """Write ``text`` to a file that must not exist yet: atomically (a complete file or
    none) and exclusively (a file created meanwhile is never replaced)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        writing.create(path, text.encode("utf-8"))
    except FileExistsError:
        raise Refusal(f"{path.name} appeared meanwhile; nothing was written", EXIT_PROBLEMS) from None


def next_steps(rel: str, draft: Draft) -> str:
    """What the contributor does after the file exists."""
    columns = [k for k in draft.section.columns if k not in BUILT_IN_COLUMNS and k not in draft.terms]
    fill = "write the summary (replace the TODO)" + (f" and choose the {' and '.join(columns)}" if columns else "")
    lines = [f"created {rel} in section `{draft.section.id}`"]
    if draft.year is None:
        lines.append("note: no year was given; add `year: YYYY` (the year of the first public version)")
    lines += [
        "next steps:",
        f"  1. edit {rel}: {fill}",
        "  2. awesome-catalog generate    (updates README.md)",
        "  3. awesome-catalog check",
        f"  4. commit {rel} and README.md",
    ]
    return "\n".join(lines) + "\n"


def write_entry(project: Project, loaded: LoadedCatalog, draft: Draft, folder: str, new_id: str) -> int:
    """Check the draft against the catalog, write it as ``catalog/<folder>/<id>.yaml`` and
    print the next steps. Shared by ``new`` and ``add``."""
    assert loaded.catalog is not None
    refuse_duplicate(loaded.catalog, title=draft.title, url=draft.url, arxiv=draft.arxiv or arxiv_id(draft.url))
    path = entry_path(project, folder, new_id)
    rel = project.rel(path)
    catalog = loaded.catalog
    text = entry_text(draft_entry(draft, new_id, folder, catalog.settings),
                      term_hints(catalog.vocabulary, catalog.settings, draft), catalog.settings)
    check_text(loaded, text, rel, {"title": draft.title, "url": draft.url, "authors": list(draft.authors) or None})
    create(path, text)
    sys.stdout.write(next_steps(rel, draft))
    return EXIT_OK
