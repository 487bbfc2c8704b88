"""The rules a schema cannot express, of each entry on its own and of the taxonomy and vocabulary.

Sections and terms must exist, appearances must fill their section's columns, summaries
read as awesome-lint wants, and so on. Each entry's problems depend only on its own file
and on the list's context (taxonomy, vocabulary, settings), so ``entry_rules`` finds them
once per file and the cache keeps them; what compares entries with each other is in
``crossfile``. Each problem is located in the text of the file it concerns.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from awesome_catalog.core.diagnostics import Diagnostic
from awesome_catalog.core.identity import arxiv_id, link_key
from awesome_catalog.core.model import BUILT_IN_COLUMNS, Catalog, Entry, Section, TermRef
from awesome_catalog.core.spelling import misspellings, misspellings_in
from awesome_catalog.formats.bibtex import publication_type
from awesome_catalog.load.yamlload import Positions, positions

PLACEHOLDER = "TODO"
"""Summaries that start with this are placeholders left by ``awesome-catalog new``."""
_FINAL_PUNCTUATION = re.compile(r"[.!?…][\"”]?$")
"""How awesome-lint's ``awesome-list-item`` wants a description to end."""
_SYMBOL_START = re.compile(r"^[/@#$~&%\d\"“'\u2018`]")
"""Descriptions starting so (a path, a handle, a number, a quote) have no casing to check."""
_AFTER_NAME = re.compile(r"^(?:$|[\s.,!?:-])")
_PERIOD_AFTER = re.compile(r"[\w)\]}\"'\u201d\u2019\u00bb]$")
"""A summary ending so takes a final period as it is (not after a comma or a colon)."""
_PAIRS = {"\u201c": "\u201d", "\u2018": "\u2019", "\u300e": "\u300f", "\uff08": "\uff09", "\u300a": "\u300b",
          "\u300c": "\u300d", "\u3010": "\u3011", "(": ")", "[": "]", "{": "}"}
"""Brackets and quotes that open and close: awesome-lint's ``balanced-punctuation`` pairs and ASCII brackets."""
_CLOSERS = {right: left for left, right in _PAIRS.items()}
_SYMMETRIC = '"'
_AFTER_APOSTROPHE = re.compile(r"[\s.,;:!?()\[\]{}\"\u201c\u201d'\u2018\u2019\u2014\u2013]")

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


def context_rules(context: Catalog, where: Locate, taxonomy_path: str, vocabulary_path: str,
                  entry_ids: Set[str]) -> list[Diagnostic]:
    """The problems of the taxonomy and the vocabulary (``entry_ids``: the entries that
    loaded, which a term's ``introduced_by`` must name)."""
    return [*_taxonomy(context, where, taxonomy_path), *_vocabulary(context, where, vocabulary_path, entry_ids)]


def entry_rules(context: Catalog, entries: Sequence[Entry], where: Locate) -> list[list[Diagnostic]]:
    """The problems each entry has on its own, given the list's ``context`` (its taxonomy,
    vocabulary and settings; its entries are not looked at): one list per entry."""
    sections = context.taxonomy.by_id()
    found = [[*_appearances(context, sections, where, entry), *_arxiv_mismatch(entry, where),
              *_summaries(entry, where), *_tags_last(context, sections, entry, where),
              *_own_links(context, entry, where), *_authors(entry, where)] for entry in entries]
    for i, problem in _texts(entries, where):
        found[i].append(problem)
    return found


def at(where: Locate, path: str, parts: Sequence[str | int], code: str, message: str,
        hint: str | None = None, key: bool = False) -> Diagnostic:
    line, column = where(path, parts, key)
    return Diagnostic(path, line, column, code, message, hint)


JsonPath = tuple[str | int, ...]


def section_paths(sections: Iterable[Section], prefix: JsonPath = ("sections",)) -> Iterator[tuple[Section, JsonPath]]:
    for i, section in enumerate(sections):
        here = (*prefix, i)
        yield section, here
        yield from section_paths(section.children, (*here, "children"))


def _taxonomy(catalog: Catalog, where: Locate, path: str) -> Iterator[Diagnostic]:
    seen: dict[str, int] = {}
    for section, parts in section_paths(catalog.taxonomy.sections):
        line = where(path, (*parts, "id"), False)[0]
        if section.id in seen:
            yield at(where, path, (*parts, "id"), "E308",
                      f"section id `{section.id}` is used twice (first on line {seen[section.id]})",
                      "section ids are unique across the whole tree")
        else:
            seen[section.id] = line
        known = (*BUILT_IN_COLUMNS, *(s.id for s in catalog.settings.tag_sets))
        for j, column in enumerate(section.columns):
            if column not in known:
                close = difflib.get_close_matches(column, known, n=1)
                yield at(where, path, (*parts, "columns", j), "E312",
                          f"section `{section.id}` shows `{column}`, which is neither built in nor a tag set",
                          f"did you mean `{close[0]}`?" if close else
                          f"choose from {', '.join(known)}, or declare the tag set in catalog/list.yaml")


def _vocabulary(catalog: Catalog, where: Locate, path: str, entry_ids: Set[str]) -> Iterator[Diagnostic]:
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
                    yield at(where, path, (kind, i, field), "E308",
                              f"{kind} term `{term.id}`: {field} {spelling!r} is already used by `{names[folded]}`",
                              "each spelling must lead to one term only")
                else:
                    names[folded] = term.id
            if term.introduced_by and term.introduced_by not in entry_ids:
                close = difflib.get_close_matches(term.introduced_by, sorted(entry_ids), n=1)
                yield at(where, path, (kind, i, "introduced_by"), "E310",
                          f"term `{term.id}` is introduced_by `{term.introduced_by}`, which is no catalog entry",
                          f"did you mean `{close[0]}`?" if close else "name the file stem of an entry")


def _appearances(catalog: Catalog, sections: Mapping[str, Section], where: Locate,
                 entry: Entry) -> Iterator[Diagnostic]:
    """Sections and terms exist, and each appearance fills its section's columns (whether
    a parent names an entry is ``crossfile``'s to say)."""
    per_appearance = catalog.settings.tag_set_ids("appearance")
    for kind, given in entry.tags.items():
        yield from _unknown_terms(catalog, where, entry, (kind,), kind, given)
    seen: dict[str, int] = {}
    for i, app in enumerate(entry.appearances):
        base: tuple[str | int, ...] = ("sections", i)
        section = sections.get(app.section)
        if section is None:
            leaf_ids = sorted(s.id for s in sections.values() if s.holds_items)
            close = difflib.get_close_matches(app.section, leaf_ids, n=1)
            yield at(where, entry.path, (*base, "section"), "E301",
                      f"section `{app.section}` is not in the taxonomy",
                      f"did you mean `{close[0]}`?" if close else f"choose one of: {', '.join(leaf_ids)}")
            continue
        if not section.holds_items:
            children = ", ".join(c.id for c in section.children)
            yield at(where, entry.path, (*base, "section"), "E301",
                      f"section `{app.section}` only groups other sections and holds no items",
                      f"choose one of its subsections: {children}")
            continue
        if app.section in seen:
            yield at(where, entry.path, (*base, "section"), "E307",
                      f"`{entry.id}` appears in `{app.section}` twice (first as sections[{seen[app.section]}])",
                      "merge the two appearances into one")
        seen.setdefault(app.section, i)
        if "summary" in section.columns and section.layout == "table" and entry.text(app) is None:
            yield at(where, entry.path, base, "E303",
                      f"section `{app.section}` shows a summary, but this appearance has no `summary:` "
                      "and the entry no `description:`", "add `summary: ...` to this appearance")
        for kind in per_appearance:
            refs = app.terms(kind)
            if kind in section.columns and refs is None:
                yield at(where, entry.path, base, "E303",
                          f"section `{app.section}` shows {kind}, but this appearance has no `{kind}:`",
                          f"add `{kind}: [...]` (an empty list `[]` if none applies)")
            elif kind not in section.columns and refs is not None:
                yield at(where, entry.path, (*base, kind), "E304",
                          f"section `{app.section}` does not show {kind}", f"remove `{kind}:` from this appearance",
                          key=True)
            yield from _unknown_terms(catalog, where, entry, (*base, kind), kind, refs or ())


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
        yield at(where, entry.path, (*parts, j), "E302", f"{kind} term `{ref.id}` is not in the vocabulary", hint)


def _arxiv_mismatch(entry: Entry, where: Locate) -> Iterator[Diagnostic]:
    """E306 when the URL is an arXiv page of another paper than ``arxiv`` names."""
    url_arxiv = arxiv_id(entry.url)
    if entry.arxiv and url_arxiv and url_arxiv != entry.arxiv:
        yield at(where, entry.path, ("url",), "E306", f"url points at arXiv {url_arxiv} but arxiv is {entry.arxiv}",
                 "make both name the same paper")


UNCITED_KINDS = frozenset(("blog", "tool", "resource"))
"""Publication types (``bibtex.publication_type``) that need not name authors: blog
posts, often pseudonymous or collective, and software without a paper."""


def _authors(entry: Entry, where: Locate) -> Iterator[Diagnostic]:
    """A warning for a work cited as a paper or report without ``authors``: every paper
    and report, and a tool that carries its paper's venue or arXiv id."""
    if not entry.authors and publication_type(entry) not in UNCITED_KINDS:
        what = "tool cited as its paper" if entry.kind == "tool" else entry.kind
        yield at(where, entry.path, ("title",), "W302", f"this {what} has no authors, so its citation has none",
                 "add `authors:` in order, as the work's own page gives them (never guess a name); "
                 "a blog post is `kind: blog`", key=True)


def written_texts(entry: Entry) -> list[tuple[JsonPath, str]]:
    """The prose of an entry, where the file writes it: its description, then the summary
    of each appearance that has one."""
    texts: list[tuple[JsonPath, str]] = [(("description",), entry.description)] if entry.description else []
    texts += [(("sections", i, "summary"), app.summary) for i, app in enumerate(entry.appearances)
              if app.summary is not None]
    return texts


def summary_texts(entry: Entry) -> list[tuple[JsonPath, str]]:
    """``written_texts`` but the placeholders (E311), which no other rule reads."""
    return [(parts, text) for parts, text in written_texts(entry) if not text.lstrip().startswith(PLACEHOLDER)]


def _summaries(entry: Entry, where: Locate) -> Iterator[Diagnostic]:
    """Placeholders (E311) and what awesome-lint would say of each summary (W303, W304)."""
    for parts, text in written_texts(entry):
        if text.lstrip().startswith(PLACEHOLDER):
            yield at(where, entry.path, parts, "E311",
                     "the summary is still the placeholder", "write one or two sentences on what the work found")
        else:
            yield from _summary_style(entry, text, where, parts)


def json_path(parts: JsonPath) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")


def _summary_style(entry: Entry, summary: str, where: Locate, parts: Sequence[str | int]) -> Iterator[Diagnostic]:
    """What awesome-lint would say of the summary as an item's description (W303, W304)."""
    text = " ".join(summary.split())
    first = text.split(" ", 1)[0]
    if first and not _SYMBOL_START.match(first) and first[0].islower() and first == first.lower():
        fixed = " `check --fix` does it" if _capital_fix(summary) else ""
        yield at(where, entry.path, parts, "W303", f"the summary starts with a lowercase word, {first!r}",
                  f"start it with a capital letter (awesome-lint: awesome-list-item);{fixed}".rstrip(";"))
    if text and not _FINAL_PUNCTUATION.search(text):
        fixed = " `check --fix` adds it" if _period_fix(summary) else ""
        yield at(where, entry.path, parts, "W303", "the summary does not end with punctuation",
                  f"end it with a period (awesome-lint: awesome-list-item);{fixed}".rstrip(";"))
    title = " ".join(entry.title.split())
    if title and text.casefold().startswith(title.casefold()) and _AFTER_NAME.match(text[len(title):]):
        yield at(where, entry.path, parts, "W304", "the summary starts with the work's own title",
                  "say what the work does without repeating its name (awesome-lint: no-repeat-item-in-description)")


def _capital_fix(summary: str) -> Edit | None:
    """The summary's first letter as a capital, when that alone answers W303."""
    first = summary.split(" ", 1)[0]
    if not first or _SYMBOL_START.match(first) or not first[0].islower() or first != first.lower():
        return None
    upper = first[0].upper()
    return Edit(0, 1, upper, f"capital letter {upper!r}") if len(upper) == 1 else None


def _period_fix(summary: str) -> Edit | None:
    """A final period, when the summary lacks final punctuation and ends with a word,
    a bracket or a quote (after a comma or a colon, what to write is not clear)."""
    text = summary.rstrip()
    if not text or _FINAL_PUNCTUATION.search(text) or not _PERIOD_AFTER.search(text):
        return None
    return Edit(len(text), len(text), ".", "final period")


@cache
def _marks() -> re.Pattern[str]:
    """The characters ``unbalanced`` acts on: apostrophes, quotes and brackets."""
    return re.compile("[" + re.escape("\u2019'" + _SYMMETRIC + "".join(_PAIRS) + "".join(_CLOSERS)) + "]")


def unbalanced(text: str) -> list[tuple[int, str]]:
    """Where ``text`` opens a bracket, parenthesis or quote it does not close, or closes one
    it did not open, as (index, what): awesome-lint's ``balanced-punctuation`` algorithm
    (a stack; straight double quotes alternate; an apostrophe inside or after a word is
    not a quote), with ASCII brackets added to its pairs."""
    found: list[tuple[int, str]] = []
    stack: list[tuple[int, str]] = []
    quote_open = False
    for mark in _marks().finditer(text):  # every other character changes nothing
        i, char = mark.start(), mark[0]
        if char in "\u2019'" and i and (text[i - 1].isalnum() or text[i - 1] == "_"):
            after = text[i + 1:i + 2]
            if not after or after.isalnum() or after == "_" or _AFTER_APOSTROPHE.match(after):
                continue
        if char == _SYMMETRIC:
            if not quote_open:
                stack.append((i, char))
                quote_open = True
            elif stack and stack[-1][1] == char:
                stack.pop()
                quote_open = False
            else:
                found.append((i, f"closes {char} without an opening {char}"))
                quote_open = False
        elif char in _PAIRS:
            stack.append((i, char))
        elif char in _CLOSERS:
            left = _CLOSERS[char]
            at = next((k for k in range(len(stack) - 1, -1, -1) if stack[k][1] == left), None)
            if at is None:
                found.append((i, f"closes {char} without an opening {left}"))
            else:
                del stack[at]
    found += [(i, f"opens {char} without a closing {_PAIRS.get(char, char)}") for i, char in stack]
    return sorted(found)


def _texts(entries: Sequence[Entry], where: Locate) -> Iterator[tuple[int, Diagnostic]]:
    """Names spelt otherwise than awesome-lint's word list (W305) and unbalanced brackets
    and quotes (W306), in each title and summary, which the README shows as they are;
    each with the index of its entry. The spelling of all the texts is checked at once."""
    texts: list[tuple[int, JsonPath, str]] = []
    for i, entry in enumerate(entries):
        texts.append((i, ("title",), entry.title))
        texts += [(i, parts, text) for parts, text in summary_texts(entry)]
    for (i, parts, text), spelt in zip(texts, misspellings_in([t for _, _, t in texts]), strict=True):
        path = entries[i].path
        what = "title" if parts == ("title",) else "summary"
        for m in spelt:
            hint = (f"write {m.correct!r} (awesome-lint: awesome-spell-check); `check --fix` does it"
                    if what == "summary" else
                    f"write {m.correct!r} (awesome-lint: awesome-spell-check), unless the authors' own title "
                    "spells it so (then set `rules: {name-spelling: off}` in catalog/list.yaml)")
            yield i, at(where, path, parts, "W305",
                        f"the {what} writes {m.found!r}, which is spelt {m.correct!r}", hint)
        for k, problem in unbalanced(text):
            yield i, at(where, path, parts, "W306", f"the {what} {problem} (character {k + 1})",
                        "close what is opened, or remove the stray mark (awesome-lint: balanced-punctuation)")


def _tags_last(catalog: Catalog, sections: Mapping[str, Section], entry: Entry,
               where: Locate) -> Iterator[Diagnostic]:
    """W303 for an item of a bulleted section whose line ends with its tags
    (``... `MIT` `Go```): awesome-lint reads them as the end of the description, which
    then lacks its final punctuation."""
    tag_sets = {s.id for s in catalog.settings.tag_sets}
    for i, app in enumerate(entry.appearances):
        section = sections.get(app.section)
        if section is None or section.layout != "list" or not section.columns:
            continue
        last = section.columns[-1]
        if last in tag_sets and entry.terms(last, app):
            yield at(where, entry.path, ("sections", i), "W303",
                     f"the item's line in `{section.id}` ends with its {last} tags, not with punctuation",
                     f"show {last} before the summary in the section's columns, or set "
                     "`rules: {summary-style: off}` in catalog/list.yaml (awesome-lint: awesome-list-item)")


def distinct_links(entry: Entry) -> Iterator[tuple[str, str, str | None]]:
    """Each URL of the entry as (field, awesome-lint's key of it, the field of an earlier
    URL it repeats or None)."""
    own: dict[str, str] = {}
    for field, url in entry.urls():
        key = link_key(url)
        yield field, key, own.get(key)
        own.setdefault(key, field)


def _own_links(catalog: Catalog, entry: Entry, where: Locate) -> Iterator[Diagnostic]:
    """Links of one work the README would show twice, which awesome-lint's ``double-link``
    rejects (W307): twice in the work, and, unless the list turns ``double-link`` off for
    its README, in every section the work appears in after its first. (Two works sharing
    a link are ``crossfile``'s to find.)"""
    for field, _key, repeated in distinct_links(entry):
        if repeated is not None:
            yield at(where, entry.path, tuple(field.split(".")), "W307", f"this link is the same as `{repeated}`",
                     "remove one of the two; the README would show the link twice (awesome-lint: double-link)")
    if catalog.settings.disables("double-link"):
        return
    for i, app in enumerate(entry.appearances[1:], start=1):
        yield at(where, entry.path, ("sections", i, "section"), "W307",
                 f"the work's links appear again in section `{app.section}` (first in "
                 f"`{entry.appearances[0].section}`), which awesome-lint's double-link rejects",
                 "keep the work in one section, or turn double-link off for the README under `lint: disable:` "
                 "in catalog/list.yaml, saying why")


@dataclass(frozen=True)
class Edit:
    """A change of one text value: ``value[start:end]`` becomes ``text``; ``what`` says it."""

    start: int
    end: int
    text: str
    what: str


@dataclass(frozen=True)
class Fix:
    """A safe fix of a ``code`` problem: in the entry file ``path``, the value at ``parts``
    (which reads ``value``) is edited by ``edit``."""

    path: str
    parts: JsonPath
    code: str
    value: str
    edit: Edit


def safe_fixes(catalog: Catalog) -> list[Fix]:
    """Every fix that is safe to make without asking: a summary's first capital letter and
    final period (W303), and a name the word list spells otherwise (W305). Titles are left
    as their authors wrote them."""
    fixes: list[Fix] = []
    for entry in catalog.entries:
        for parts, summary in summary_texts(entry):
            for code, edit in (("W303", _capital_fix(summary)), ("W303", _period_fix(summary))):
                if edit is not None:
                    fixes.append(Fix(entry.path, parts, code, summary, edit))
            for m in misspellings(summary):
                fixes.append(Fix(entry.path, parts, "W305", summary,
                                 Edit(m.start, m.end, m.correct, f"{summary[m.start:m.end]!r} -> {m.correct!r}")))
    return fixes
