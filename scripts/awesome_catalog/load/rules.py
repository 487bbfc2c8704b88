"""Cross-file stage: the rules a schema cannot express.

Sections and terms must exist, appearances must fill their section's columns, one work
has one file, one URL names one work, and so on. Works on the typed ``Catalog`` and
locates each problem in the text of the file it concerns.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

from awesome_catalog.core.diagnostics import Diagnostic
from awesome_catalog.core.identity import arxiv_id, title_key, url_key
from awesome_catalog.core.model import BUILT_IN_COLUMNS, Catalog, Entry, Section, TermRef
from awesome_catalog.formats.bibtex import publication_type
from awesome_catalog.load.yamlload import Positions, positions

PLACEHOLDER = "TODO"
"""Summaries that start with this are placeholders left by ``awesome-catalog new``."""
_FINAL_PUNCTUATION = re.compile(r"[.!?…][\"”]?$")
"""How awesome-lint's ``awesome-list-item`` wants a description to end."""
_SYMBOL_START = re.compile(r"^[/@#$~&%\d\"“'\u2018`]")
"""Descriptions starting so (a path, a handle, a number, a quote) have no casing to check."""
_AFTER_NAME = re.compile(r"^(?:$|[\s.,!?:-])")

class TextSource(Protocol):
    """Anything that gives a file's text by its relative path."""

    def get(self, rel: str, /) -> str | None: ...


Locate = Callable[[str, Sequence[str | int], bool], tuple[int, int]]


def make_locator(texts: TextSource) -> Locate:
    """A function from (file, JSON path, key?) to (line, column) over loaded texts.
    Each file is parsed for positions once, however many of its values are located."""
    index: dict[str, Positions | None] = {}

    def find(path: str, parts: Sequence[str | int], key: bool = False) -> tuple[int, int]:
        if path not in index:
            text = texts.get(path)
            index[path] = positions(text) if text is not None else None
        found = index[path]
        return found.locate(parts, key=key) if found is not None else (0, 0)

    return find


def check_rules(catalog: Catalog, texts: TextSource, taxonomy_path: str, vocabulary_path: str,
                *, complete: bool = True) -> list[Diagnostic]:
    """Every cross-file problem of the catalog. When entries were left out for errors
    (not ``complete``), sections they would fill are not reported as unused."""
    where = make_locator(texts)
    found: list[Diagnostic] = []
    found += _taxonomy(catalog, where, taxonomy_path)
    found += _vocabulary(catalog, where, vocabulary_path)
    found += _appearances(catalog, where)
    found += _identity(catalog, where)
    found += _summaries(catalog, where)
    found += _authors(catalog, where)
    if complete:
        found += _unused_sections(catalog, where, taxonomy_path)
    return found


def _at(where: Locate, path: str, parts: Sequence[str | int], code: str, message: str,
        hint: str | None = None, key: bool = False) -> Diagnostic:
    line, column = where(path, parts, key)
    return Diagnostic(path, line, column, code, message, hint)


JsonPath = tuple[str | int, ...]


def _section_paths(sections: Iterable[Section], prefix: JsonPath = ("sections",)) -> Iterator[tuple[Section, JsonPath]]:
    for i, section in enumerate(sections):
        here = (*prefix, i)
        yield section, here
        yield from _section_paths(section.children, (*here, "children"))


def _taxonomy(catalog: Catalog, where: Locate, path: str) -> Iterator[Diagnostic]:
    seen: dict[str, int] = {}
    for section, parts in _section_paths(catalog.taxonomy.sections):
        line = where(path, (*parts, "id"), False)[0]
        if section.id in seen:
            yield _at(where, path, (*parts, "id"), "E308",
                      f"section id `{section.id}` is used twice (first on line {seen[section.id]})",
                      "section ids are unique across the whole tree")
        else:
            seen[section.id] = line
        known = (*BUILT_IN_COLUMNS, *(s.id for s in catalog.settings.tag_sets))
        for j, column in enumerate(section.columns):
            if column not in known:
                close = difflib.get_close_matches(column, known, n=1)
                yield _at(where, path, (*parts, "columns", j), "E312",
                          f"section `{section.id}` shows `{column}`, which is neither built in nor a tag set",
                          f"did you mean `{close[0]}`?" if close else
                          f"choose from {', '.join(known)}, or declare the tag set in catalog/list.yaml")


def _vocabulary(catalog: Catalog, where: Locate, path: str) -> Iterator[Diagnostic]:
    entry_ids = {e.id for e in catalog.entries}
    for kind in catalog.vocabulary.kinds:
        names: dict[str, str] = {}
        for i, term in enumerate(catalog.vocabulary.terms(kind)):
            spellings = [("id", term.id), ("label", term.label)] + [("aliases", a) for a in term.aliases]
            own = set()
            for field, spelling in spellings:
                folded = spelling.casefold()
                if folded in own:
                    continue
                own.add(folded)
                if folded in names:
                    yield _at(where, path, (kind, i, field), "E308",
                              f"{kind} term `{term.id}`: {field} {spelling!r} is already used by `{names[folded]}`",
                              "each spelling must lead to one term only")
                else:
                    names[folded] = term.id
            if term.introduced_by and term.introduced_by not in entry_ids:
                close = difflib.get_close_matches(term.introduced_by, sorted(entry_ids), n=1)
                yield _at(where, path, (kind, i, "introduced_by"), "E310",
                          f"term `{term.id}` is introduced_by `{term.introduced_by}`, which is no catalog entry",
                          f"did you mean `{close[0]}`?" if close else "name the file stem of an entry")


def _appearances(catalog: Catalog, where: Locate) -> Iterator[Diagnostic]:
    sections = catalog.taxonomy.by_id()
    leaf_ids = sorted(s.id for s in sections.values() if s.holds_items)
    per_appearance = catalog.settings.tag_set_ids("appearance")
    for entry in catalog.entries:
        for kind, given in entry.tags.items():
            yield from _unknown_terms(catalog, where, entry, (kind,), kind, given)
        seen: dict[str, int] = {}
        for i, app in enumerate(entry.appearances):
            base: tuple[str | int, ...] = ("sections", i)
            section = sections.get(app.section)
            if section is None:
                close = difflib.get_close_matches(app.section, leaf_ids, n=1)
                yield _at(where, entry.path, (*base, "section"), "E301",
                          f"section `{app.section}` is not in the taxonomy",
                          f"did you mean `{close[0]}`?" if close else f"choose one of: {', '.join(leaf_ids)}")
                continue
            if not section.holds_items:
                children = ", ".join(c.id for c in section.children)
                yield _at(where, entry.path, (*base, "section"), "E301",
                          f"section `{app.section}` only groups other sections and holds no items",
                          f"choose one of its subsections: {children}")
                continue
            if app.section in seen:
                yield _at(where, entry.path, (*base, "section"), "E307",
                          f"`{entry.id}` appears in `{app.section}` twice (first as sections[{seen[app.section]}])",
                          "merge the two appearances into one")
            seen.setdefault(app.section, i)
            if "summary" in section.columns and entry.text(app) is None:
                yield _at(where, entry.path, base, "E303",
                          f"section `{app.section}` shows a summary, but this appearance has no `summary:` "
                          "and the entry no `description:`", "add `summary: ...` to this appearance")
            for kind in per_appearance:
                refs = app.terms(kind)
                if kind in section.columns and refs is None:
                    yield _at(where, entry.path, base, "E303",
                              f"section `{app.section}` shows {kind}, but this appearance has no `{kind}:`",
                              f"add `{kind}: [...]` (an empty list `[]` if none applies)")
                elif kind not in section.columns and refs is not None:
                    yield _at(where, entry.path, (*base, kind), "E304",
                              f"section `{app.section}` does not show {kind}", f"remove `{kind}:` from this appearance",
                              key=True)
                yield from _unknown_terms(catalog, where, entry, (*base, kind), kind, refs or ())
            if app.parent is not None and app.parent not in catalog.ids:
                close = difflib.get_close_matches(app.parent, sorted(catalog.ids), n=1)
                yield _at(where, entry.path, (*base, "parent"), "E310",
                          f"parent `{app.parent}` is no catalog entry",
                          f"did you mean `{close[0]}`?" if close else "name the file stem of an entry")


def _unknown_terms(catalog: Catalog, where: Locate, entry: Entry, parts: JsonPath, kind: str,
                   refs: tuple[TermRef, ...]) -> Iterator[Diagnostic]:
    """E302 for each term of ``refs`` that the vocabulary's set ``kind`` lacks."""
    vocab = catalog.vocabulary
    for j, ref in enumerate(refs):
        if ref.id in vocab.by_id(kind):
            continue
        suggestion = vocab.suggest(kind, ref.id)
        other = next((k for k in vocab.kinds if k != kind and ref.id in vocab.by_id(k)), None)
        if suggestion:
            hint = f"did you mean `{suggestion}`?"
        elif other:
            hint = f"`{ref.id}` is a term of {other}"
        else:
            hint = f"add it to catalog/vocabulary.yaml under {kind}: if it is a new term"
        yield _at(where, entry.path, (*parts, j), "E302", f"{kind} term `{ref.id}` is not in the vocabulary", hint)


def _identity(catalog: Catalog, where: Locate) -> Iterator[Diagnostic]:
    """One work, one file; one identifier (arXiv id or URL), one work.

    Two files that share a title are the same work (E305). Two files that share an
    arXiv id or a URL but not a title mean one of the links is wrong (E306). Each pair
    is reported once, on the file that sorts second, naming the first.
    """
    first_of: dict[tuple[str, str], tuple[Entry, JsonPath]] = {}
    by_id: dict[str, Entry] = {}
    for entry in catalog.entries:
        if entry.id in by_id:
            yield _at(where, entry.path, (), "E308",
                      f"id `{entry.id}` is also used by {by_id[entry.id].path}", "rename one of the two files")
        by_id.setdefault(entry.id, entry)
        url_arxiv = arxiv_id(entry.url)
        if entry.arxiv and url_arxiv and url_arxiv != entry.arxiv:
            yield _at(where, entry.path, ("url",), "E306",
                      f"url points at arXiv {url_arxiv} but arxiv is {entry.arxiv}",
                      "make both name the same paper")
        keys: list[tuple[tuple[str, str], JsonPath]] = [(("title", title_key(entry.title)), ("title",))]
        if entry.arxiv:
            keys.append((("arxiv", entry.arxiv), ("arxiv",)))
        for field, url in entry.urls():
            keys.append((("url", url_key(url)), tuple(field.split("."))))
            found = arxiv_id(url)
            if found and found != entry.arxiv:
                keys.append((("arxiv", found), tuple(field.split("."))))
        reported: set[str] = set()
        for key, parts in keys:
            other = first_of.setdefault(key, (entry, parts))[0]
            if other is entry or other.id in reported:
                continue
            reported.add(other.id)
            if title_key(other.title) == title_key(entry.title):
                yield _at(where, entry.path, parts, "E305", f"this work is also {other.path} (same {key[0]})",
                          "one work, one file: merge the two, keeping other links under links:")
            else:
                shown = "arXiv " + key[1] if key[0] == "arxiv" else "this link"
                yield _at(where, entry.path, parts, "E306",
                          f"{shown} also belongs to {other.title!r} ({other.path})",
                          "each link belongs to one work: check which paper it really is")


UNCITED_KINDS = frozenset(("blog", "tool"))
"""Publication types (``bibtex.publication_type``) that need not name authors: blog
posts, often pseudonymous or collective, and software without a paper."""


def _authors(catalog: Catalog, where: Locate) -> Iterator[Diagnostic]:
    """A warning for each work cited as a paper or report without ``authors``: every
    paper and report, and a tool that carries its paper's venue or arXiv id."""
    for entry in catalog.entries:
        if not entry.authors and publication_type(entry) not in UNCITED_KINDS:
            what = "tool cited as its paper" if entry.kind == "tool" else entry.kind
            yield _at(where, entry.path, ("title",), "W302", f"this {what} has no authors, so its citation has none",
                      "add `authors:` in order, as the work's own page gives them (never guess a name); "
                      "a blog post is `kind: blog`", key=True)


def _summaries(catalog: Catalog, where: Locate) -> Iterator[Diagnostic]:
    seen: dict[str, tuple[Entry, JsonPath]] = {}
    for entry in catalog.entries:
        texts: list[tuple[str, JsonPath]] = [(entry.description, ("description",))] if entry.description else []
        texts += [(app.summary, ("sections", i, "summary")) for i, app in enumerate(entry.appearances)
                  if app.summary is not None]
        for text, parts in texts:
            if text.lstrip().startswith(PLACEHOLDER):
                yield _at(where, entry.path, parts, "E311",
                          "the summary is still the placeholder", "write one or two sentences on what the work found")
                continue
            yield from _summary_style(entry, text, where, parts)
            key = " ".join(text.casefold().split())
            if key in seen:
                first, at = seen[key]
                yield _at(where, entry.path, parts, "E309",
                          f"this summary repeats the one of {first.path} ({_json_path(at)})",
                          "write a summary specific to this work and section")
            else:
                seen[key] = (entry, parts)


def _json_path(parts: JsonPath) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")


def _summary_style(entry: Entry, summary: str, where: Locate, parts: Sequence[str | int]) -> Iterator[Diagnostic]:
    """What awesome-lint would say of the summary as an item's description (W303, W304)."""
    text = " ".join(summary.split())
    first = text.split(" ", 1)[0]
    if first and not _SYMBOL_START.match(first) and first[0].islower() and first == first.lower():
        yield _at(where, entry.path, parts, "W303", f"the summary starts with a lowercase word, {first!r}",
                  "start it with a capital letter (awesome-lint: awesome-list-item)")
    if text and not _FINAL_PUNCTUATION.search(text):
        yield _at(where, entry.path, parts, "W303", "the summary does not end with punctuation",
                  "end it with a period (awesome-lint: awesome-list-item)")
    title = " ".join(entry.title.split())
    if title and text.casefold().startswith(title.casefold()) and _AFTER_NAME.match(text[len(title):]):
        yield _at(where, entry.path, parts, "W304", "the summary starts with the work's own title",
                  "say what the work does without repeating its name (awesome-lint: no-repeat-item-in-description)")


def _unused_sections(catalog: Catalog, where: Locate, path: str) -> Iterator[Diagnostic]:
    used = {a.section for e in catalog.entries for a in e.appearances}
    for section, parts in _section_paths(catalog.taxonomy.sections):
        if section.holds_items and section.id not in used:
            yield _at(where, path, (*parts, "id"), "W301", f"no work appears in section `{section.id}`",
                      "add works to it or remove it from the taxonomy")
