"""The rules across files, from what each entry file holds that others may clash with.

``facts_of`` takes from one entry the few values the rules across files compare (its
id, title, identifiers, links, summaries, parents and sections) with where its file
writes them. The cache keeps them, so that after an edit only the edited file is read
again, and ``cross_rules`` compares the facts of every entry: one id, one file; one
work, one file; one link, one work; one summary, one place; parents that exist; sections
that are used. ``check_rules`` is every rule of a whole catalog, as ``load_and_check``
applies them.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterator, Sequence, Set
from typing import Any, NamedTuple

from awesome_catalog.core.diagnostics import Diagnostic
from awesome_catalog.core.identity import arxiv_id, title_key, url_key
from awesome_catalog.core.model import Catalog, Entry
from awesome_catalog.load.rules import (
    JsonPath,
    Locate,
    TextSource,
    at,
    context_rules,
    distinct_links,
    entry_rules,
    json_path,
    make_locator,
    section_paths,
    summary_texts,
)


class EntryFacts(NamedTuple):
    """What the rules across files need of one entry; ``tuple(facts)`` is plain data
    (strings, numbers, tuples) that ``marshal`` keeps."""

    id: str
    path: str
    title: str
    keys: tuple[tuple[str, str | bytes, JsonPath], ...]
    """Identity keys in the order they are claimed: ("title"|"arxiv"|"url", value, where);
    an arXiv id as it is, titles and URLs by the ``digest`` of their normal form."""
    links: tuple[tuple[str, bytes, bytes], ...]
    """Each link not repeated within the entry: (field, ``digest`` of awesome-lint's key,
    ``digest`` of ``url_key``)."""
    summaries: tuple[tuple[bytes, JsonPath], ...]
    """The ``digest`` of each summary's folded text, and where it is written."""
    parents: tuple[tuple[str, JsonPath], ...]
    """Each parent an appearance in a valid section names, and where."""
    sections: tuple[str, ...]
    """The section of every appearance."""

    @classmethod
    def from_data(cls, data: Sequence[Any]) -> EntryFacts:
        """Facts back from ``tuple(facts)``."""
        return cls(*data)


def digest(text: str) -> bytes:
    """What facts keep of a text that is only compared: 16 bytes of its BLAKE2b hash."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def facts_of(context: Catalog, entry: Entry) -> EntryFacts:
    """The facts of one entry (``context`` gives the sections: a parent is compared only
    where its appearance's section holds items)."""
    keys: list[tuple[str, str | bytes, JsonPath]] = [("title", digest(title_key(entry.title)), ("title",))]
    if entry.arxiv:
        keys.append(("arxiv", entry.arxiv, ("arxiv",)))
    for field, url in entry.urls():
        parts = tuple(field.split("."))
        keys.append(("url", digest(url_key(url)), parts))
        found = arxiv_id(url)
        if found and found != entry.arxiv:
            keys.append(("arxiv", found, parts))
    urls = dict(entry.urls())
    links = tuple((field, digest(key), digest(url_key(urls[field]))) for field, key, repeated in distinct_links(entry)
                  if repeated is None)
    sections = context.taxonomy.by_id()
    parents = []
    for i, app in enumerate(entry.appearances):
        section = sections.get(app.section)
        if app.parent is not None and section is not None and section.holds_items:
            parents.append((app.parent, ("sections", i, "parent")))
    return EntryFacts(
        entry.id, entry.path, entry.title, tuple(keys), links,
        tuple((digest(" ".join(text.casefold().split())), parts) for parts, text in summary_texts(entry)),
        tuple(parents), tuple(a.section for a in entry.appearances))


def clash_keys(facts: EntryFacts) -> Iterator[bytes]:
    """The keys of one entry that the rules across files compare with other entries'
    (its id, identity keys, summaries and links), once for each time it holds them,
    each as bytes that name its kind. A rule reports only entries that hold a key held
    more than once, or that name a parent."""
    yield b"id:" + facts.id.encode("utf-8", "surrogatepass")
    for kind, value, _ in facts.keys:
        yield f"{kind}:".encode() + (value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass"))
    for key, _ in facts.summaries:
        yield b"summary:" + key
    for _, key, _ in facts.links:
        yield b"link:" + key


def cross_rules(context: Catalog, facts: Sequence[EntryFacts], where: Locate, taxonomy_path: str,
                *, complete: bool = True, ids: Set[str] | None = None,
                used: Set[str] | None = None) -> list[Diagnostic]:
    """Every problem between entries, from their facts in the catalog's order: of every
    entry, or, given ``ids`` (every entry's id) and ``used`` (every section an appearance
    names), of only the entries a rule may report (see ``clash_keys``), which gives the
    same. When entries were left out for errors (not ``complete``), sections they would
    fill are not reported as unused."""
    ids = {e.id for e in facts} if ids is None else ids
    found = [*_identity(facts, where), *_summaries(facts, where), *_links(facts, where),
             *_parents(facts, ids, where)]
    if complete:
        used = {section for entry in facts for section in entry.sections} if used is None else used
        found += _unused_sections(context, used, where, taxonomy_path)
    return found


def check_rules(catalog: Catalog, texts: TextSource, taxonomy_path: str, vocabulary_path: str,
                *, complete: bool = True) -> list[Diagnostic]:
    """Every rule of the catalog: the taxonomy's and the vocabulary's, each entry's own,
    and those across entries."""
    where = make_locator(texts)
    found = context_rules(catalog, where, taxonomy_path, vocabulary_path, catalog.ids)
    for own in entry_rules(catalog, catalog.entries, where):
        found += own
    found += cross_rules(catalog, [facts_of(catalog, e) for e in catalog.entries], where, taxonomy_path,
                         complete=complete)
    return found


def _identity(facts: Sequence[EntryFacts], where: Locate) -> list[Diagnostic]:
    """One id, one file (E308); one work, one file; one identifier (arXiv id or URL), one work.

    Two files that share a title are the same work (E305). Two files that share an
    arXiv id or a URL but not a title mean one of the links is wrong (E306). Each pair
    is reported once, on the file that sorts second, naming the first.
    """
    found: list[Diagnostic] = []
    first_of: dict[tuple[str, str | bytes], int] = {}
    by_id: dict[str, EntryFacts] = {}
    for i, entry in enumerate(facts):
        if entry.id in by_id:
            found.append(at(where, entry.path, (), "E308", f"id `{entry.id}` is also used by {by_id[entry.id].path}",
                            "rename one of the two files"))
        by_id.setdefault(entry.id, entry)
        reported: set[str] = set()
        for kind, value, parts in entry.keys:
            other = facts[first_of.setdefault((kind, value), i)]
            if other is entry or other.id in reported:
                continue
            reported.add(other.id)
            if title_key(other.title) == title_key(entry.title):
                found.append(at(where, entry.path, parts, "E305", f"this work is also {other.path} (same {kind})",
                                "one work, one file: merge the two, keeping other links under links:"))
            else:
                shown = f"arXiv {value!s}" if kind == "arxiv" else "this link"
                found.append(at(where, entry.path, parts, "E306", f"{shown} also belongs to {other.title!r} "
                                f"({other.path})", "each link belongs to one work: check which paper it really is"))
    return found


def _summaries(facts: Sequence[EntryFacts], where: Locate) -> list[Diagnostic]:
    """E309 for a summary that repeats another one (case and spacing aside)."""
    found: list[Diagnostic] = []
    seen: dict[bytes, tuple[EntryFacts, JsonPath]] = {}
    for entry in facts:
        for key, parts in entry.summaries:
            first = seen.setdefault(key, (entry, parts))
            if first[0] is not entry or first[1] != parts:
                found.append(at(where, entry.path, parts, "E309",
                                f"this summary repeats the one of {first[0].path} ({json_path(first[1])})",
                                "write a summary specific to this work and section"))
    return found


def _links(facts: Sequence[EntryFacts], where: Locate) -> list[Diagnostic]:
    """W307 for a link of two works, equal as awesome-lint compares links (its
    ``double-link``) though not as ``url_key`` does (E305 and E306 report those)."""
    found: list[Diagnostic] = []
    first_of: dict[bytes, tuple[EntryFacts, str, bytes]] = {}
    for entry in facts:
        for field, key, url in entry.links:
            other, other_field, other_url = first_of.setdefault(key, (entry, field, url))
            if other is not entry and url != other_url:
                found.append(at(where, entry.path, tuple(field.split(".")), "W307",
                                f"this link is also `{other_field}` of {other.title!r} ({other.path}) as "
                                "awesome-lint compares links",
                                "each link belongs to one work (awesome-lint: double-link)"))
    return found


def _parents(facts: Sequence[EntryFacts], ids: Set[str], where: Locate) -> list[Diagnostic]:
    """E310 for an appearance whose parent is no entry of the catalog (``ids``)."""
    found: list[Diagnostic] = []
    for entry in facts:
        for parent, parts in entry.parents:
            if parent not in ids:
                close = difflib.get_close_matches(parent, sorted(ids), n=1)
                found.append(at(where, entry.path, parts, "E310", f"parent `{parent}` is no catalog entry",
                                f"did you mean `{close[0]}`?" if close else "name the file stem of an entry"))
    return found


def _unused_sections(context: Catalog, used: Set[str], where: Locate, path: str) -> list[Diagnostic]:
    """W301 for a section that holds items and has none (none in ``used``)."""
    return [at(where, path, (*parts, "id"), "W301", f"no work appears in section `{section.id}`",
               "add works to it or remove it from the taxonomy")
            for section, parts in section_paths(context.taxonomy.sections)
            if section.holds_items and section.id not in used]
