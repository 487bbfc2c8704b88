"""``awesome-catalog new``: create a catalog entry to fill in; also the entry writer of ``add``.

``new "Title" --section ID --url URL [--year Y] [--tool]`` writes
``catalog/papers/<id>.yaml`` (or ``catalog/tools/``) with the required keys, the
section's columns as empty lists with a comment naming some valid terms, and a
placeholder summary starting with ``rules.PLACEHOLDER``, which ``check`` reports (E311)
until it is replaced. Decisions:

- ``--section`` is required: a work that lands silently in the first section is easy
  to miss in review. Without it, the leaf sections are listed.
- ``--url`` is required: every entry needs its link, and a made-up placeholder link
  would pass every check. An arXiv link becomes ``https://arxiv.org/abs/<id>`` and adds
  the ``arxiv:`` key.
- ``--year`` is optional and never guessed from the clock: without it the key is left
  out and a note asks for it.

It refuses, writing nothing, when the section is unknown or only groups others, the
work is already in the catalog (same title, URL or arXiv id), or the file exists.
The file is created atomically and exclusively, so it never replaces another file.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from awesome_catalog import report, validate, writing, yamlload
from awesome_catalog.catalog import ID_PATTERN, LoadedCatalog, load_catalog, suggest_id
from awesome_catalog.diagnostics import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from awesome_catalog.identity import arxiv_id, title_key, url_key
from awesome_catalog.model import TERM_KINDS, Catalog, Section, Taxonomy, Vocabulary
from awesome_catalog.project import Project
from awesome_catalog.rules import PLACEHOLDER, suggest_term

MODELINE = "# yaml-language-server: $schema=../../schema/entry.schema.json"
SUMMARY_PLACEHOLDER = (
    f"{PLACEHOLDER}: one or two sentences in your own words on what the work found or made, "
    "as seen from this section."
)
MAX_ID_LENGTH = 60
MAX_ID_WORDS = 6
"""Titles longer than this many words lose their stop-words in the id."""
STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "by", "can", "do", "does", "for", "from", "how", "in", "into", "is", "it",
    "its", "of", "on", "or", "the", "their", "to", "via", "what", "when", "where", "which", "who", "why", "with",
})
_TERMS_SHOWN = 6


class Refusal(Exception):
    """Why a command writes nothing; ``code`` is the exit status."""

    def __init__(self, message: str, code: int = EXIT_USAGE, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.code, self.hint = message, code, hint


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


def entry_id(title: str) -> str:
    """A short id for a title: kebab-case, stop-words dropped from long titles, at most
    ``MAX_ID_LENGTH`` characters cut at a word boundary, never empty."""
    words = suggest_id(title).split("-")
    if len(words) > MAX_ID_WORDS:
        words = words[:1] + [w for w in words[1:] if w not in STOP_WORDS]
    kept: list[str] = []
    for word in words:
        if kept and len("-".join([*kept, word])) > MAX_ID_LENGTH:
            break
        kept.append(word[:MAX_ID_LENGTH])
    return "-".join(kept)


def fold(text: str) -> str:
    """One line of text: runs of white space become one space, control characters go."""
    return " ".join("".join(c if c.isprintable() or c.isspace() else " " for c in text).split())


def flow(value: str | Sequence[str]) -> str:
    """A YAML scalar or flow list on one line, quoted only where YAML needs it (strings in double quotes)."""
    def dump(style: str | None) -> str:
        text = yaml.safe_dump(value, default_style=style, default_flow_style=True, allow_unicode=True, width=2**31)
        return text.removesuffix("\n...\n").removesuffix("\n")

    plain = dump(None)
    return dump('"') if isinstance(value, str) and plain.startswith("'") else plain


def leaf_section(taxonomy: Taxonomy, section_id: str | None) -> Section:
    """The section an appearance may name, or a refusal listing the choices."""
    sections = taxonomy.by_id()
    leaves = [s.id for s in taxonomy.walk() if s.columns]
    choices = f"sections with a table: {', '.join(leaves)}"
    if section_id is None:
        raise Refusal("say where the work appears with --section ID", hint=choices)
    section = sections.get(section_id)
    if section is None:
        close = difflib.get_close_matches(section_id, leaves, n=1)
        hint = f"did you mean `{close[0]}`? {choices}" if close else choices
        raise Refusal(f"section `{section_id}` is not in catalog/taxonomy.yaml", hint=hint)
    if not section.columns:
        below = [s.id for s in Taxonomy(section.children).walk() if s.columns]
        raise Refusal(f"section `{section_id}` only groups other sections and has no table",
                      hint=f"choose one of its subsections: {', '.join(below)}")
    return section


def check_terms(vocabulary: Vocabulary, section: Section,
                chosen: Mapping[str, Sequence[str] | None]) -> dict[str, tuple[str, ...]]:
    """The chosen terms by kind, refused when unknown or not shown by the section."""
    terms: dict[str, tuple[str, ...]] = {}
    for kind in TERM_KINDS:
        ids = chosen.get(kind)
        if ids is None:
            continue
        if kind not in section.columns:
            raise Refusal(f"section `{section.id}` does not show {kind}", hint=f"leave out --{kind}")
        known = vocabulary.by_id(kind)
        for term in ids:
            if term not in known:
                close = suggest_term(vocabulary, kind, term)
                hint = f"did you mean `{close}`?" if close else f"choose from: {', '.join(known)}"
                raise Refusal(f"{kind} term `{term}` is not in catalog/vocabulary.yaml", hint=hint)
        terms[kind] = tuple(dict.fromkeys(ids))
    return terms


def render(draft: Draft, vocabulary: Vocabulary) -> str:
    """The text of the new entry file."""
    lines = [MODELINE, f"title: {flow(draft.title)}", f"url: {flow(draft.url)}"]
    if draft.year is not None:
        lines.append(f"year: {draft.year}")
    if draft.arxiv:
        lines.append(f'arxiv: "{draft.arxiv}"')
    if draft.authors:
        lines.append(f"authors: {flow(list(draft.authors))}")
    lines += ["sections:", f"  - section: {draft.section.id}"]
    for kind in TERM_KINDS:
        if kind not in draft.section.columns:
            continue
        chosen = draft.terms.get(kind)
        if chosen is None:
            ids = [t.id for t in vocabulary.terms(kind)]
            examples = ", ".join(ids[:_TERMS_SHOWN]) + (", ..." if len(ids) > _TERMS_SHOWN else "")
            lines.append(f"    # {kind}: ids from catalog/vocabulary.yaml, e.g. {examples}")
        lines.append(f"    {kind}: {flow(list(chosen or ()))}")
    lines.append(f"    summary: {flow(SUMMARY_PLACEHOLDER)}")
    return "\n".join(lines) + "\n"


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
    if loaded.catalog is None or "entry" not in loaded.schemas:
        raise Refusal("the catalog cannot be loaded (taxonomy, vocabulary or schema)", EXIT_PROBLEMS,
                      "run `awesome-catalog check` and fix what it reports")
    return loaded, loaded.catalog


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
        problems += validate.validate(validate.build_validator(loaded.schemas["entry"]), parsed.data, rel, text)
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
    columns = [k for k in TERM_KINDS if k in draft.section.columns and k not in draft.terms]
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
    text = render(draft, loaded.catalog.vocabulary)
    check_text(loaded, text, rel, {"title": draft.title, "url": draft.url, "authors": list(draft.authors) or None})
    create(path, text)
    sys.stdout.write(next_steps(rel, draft))
    return EXIT_OK


def refuse(err: Refusal, command: str) -> int:
    """Print a refusal on stderr and return its exit status."""
    print(f"awesome-catalog {command}: {err.message}", file=sys.stderr)
    if err.hint:
        print(f"  hint: {err.hint}", file=sys.stderr)
    return err.code


def run(args: argparse.Namespace, project: Project) -> int:
    """``awesome-catalog new``."""
    try:
        title = fold(args.title)
        if not title:
            raise Refusal("the title is empty")
        if not args.url:
            raise Refusal("give the work's link with --url URL",
                          hint="for an arXiv paper, `awesome-catalog add arxiv:<id> --section ID` fills in everything")
        loaded, catalog = load(project)
        section = leaf_section(catalog.taxonomy, args.section)
        url = args.url.strip()
        ident = arxiv_id(url)
        if ident:
            url = f"https://arxiv.org/abs/{ident}"
        draft = Draft(title=title, url=url, section=section, year=args.year, arxiv=ident)
        return write_entry(project, loaded, draft, "tools" if args.tool else "papers", entry_id(title))
    except Refusal as err:
        return refuse(err, "new")
