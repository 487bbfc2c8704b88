"""Exports of the catalog: BibTeX, JSON and CSL-JSON, by name in ``EXPORTERS``.

- ``bibtex``: see ``awesome_catalog.formats.bibtex`` for the key rule, entry types and escaping.
- ``json``: every work with its appearances and resolved term labels, plus the list's
  tag sets, the taxonomy and the vocabulary, as described by ``schema/export.schema.json``
  (``"version": 2``). Absent values are ``null``; terms are given by tag set under
  ``tags``, where a set absent from ``tags`` does not apply.
- ``csl-json``: a list of CSL items for Zotero, pandoc and citeproc, with the BibTeX
  citation key (the entry id) as ``id``; ``issued`` is the year BibTeX gives, that is
  the venue's year for a work published at a venue (see ``bibtex``).

Works are sorted by id; the output is UTF-8 with a final newline and the same bytes for
the same catalog. The export refuses (exit 1, nothing written) when the catalog has
errors, and prints them on standard error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from awesome_catalog.core.model import Appearance, Catalog, Entry, Section, Taxonomy, TermRef, Vocabulary

JSON_VERSION = 2

CSL_TYPES = {
    "journal": "article-journal",
    "conference": "paper-conference",
    "preprint": "article",
    "online": "article",
    "blog": "post-weblog",
    "report": "report",
    "tool": "software",
    "resource": "webpage",
}


def _tags(vocabulary: Vocabulary, tags: Mapping[str, tuple[TermRef, ...]]) -> dict[str, list[dict[str, Any]]]:
    def label(kind: str, ref: TermRef) -> str:
        term = vocabulary.by_id(kind).get(ref.id)
        return term.label if term else ref.id

    return {kind: [{"id": r.id, "label": label(kind, r), "detail": r.detail} for r in refs]
            for kind, refs in tags.items()}


def _appearance(catalog: Catalog, sections: dict[str, Section], a: Appearance) -> dict[str, Any]:
    section = sections.get(a.section)
    return {
        "section": a.section,
        "section_title": section.title if section else a.section,
        "tags": _tags(catalog.vocabulary, a.tags),
        "summary": a.summary,
    }


def _work(catalog: Catalog, sections: dict[str, Section], entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "title": entry.title,
        "url": entry.url,
        "year": entry.year,
        "venue": entry.venue,
        "arxiv": entry.arxiv,
        "authors": list(entry.authors),
        "description": entry.description,
        "tags": _tags(catalog.vocabulary, entry.tags),
        "links": dict(sorted(entry.links.items())),
        "appearances": [_appearance(catalog, sections, a) for a in entry.appearances],
    }


def _taxonomy(taxonomy: Taxonomy) -> list[dict[str, Any]]:
    parents = {child.id: s.id for s in taxonomy.walk() for child in s.children}
    return [
        {
            "id": s.id,
            "title": s.title,
            "description": s.description,
            "parent": parents.get(s.id),
            "depth": s.depth,
            "layout": s.layout,
            "columns": list(s.columns),
        }
        for s in taxonomy.walk()
    ]


def _vocabulary(vocabulary: Vocabulary) -> dict[str, list[dict[str, Any]]]:
    return {
        kind: [
            {"id": t.id, "label": t.label, "aliases": list(t.aliases), "description": t.description,
             "introduced_by": t.introduced_by}
            for t in vocabulary.terms(kind)
        ]
        for kind in vocabulary.kinds
    }


def json_document(catalog: Catalog) -> dict[str, Any]:
    """The JSON export as a value (see ``schema/export.schema.json``)."""
    sections = catalog.taxonomy.by_id()
    return {
        "version": JSON_VERSION,
        "tag_sets": [{"id": s.id, "label": s.label, "per": s.per} for s in catalog.settings.tag_sets],
        "taxonomy": _taxonomy(catalog.taxonomy),
        "vocabulary": _vocabulary(catalog.vocabulary),
        "works": [_work(catalog, sections, e) for e in sorted(catalog.entries, key=lambda e: e.id)],
    }


def csl_name(author: str) -> dict[str, str]:
    """A CSL name from "Given Family": split at the last space; one word is a literal name."""
    given, _, family = author.rpartition(" ")
    return {"given": given, "family": family} if given else {"literal": family}


def csl_items(catalog: Catalog) -> list[dict[str, Any]]:
    """The catalog as CSL-JSON items, in entry id order."""
    from awesome_catalog.formats import bibtex

    items: list[dict[str, Any]] = []
    for entry in sorted(catalog.entries, key=lambda e: e.id):
        kind = bibtex.publication_type(entry)
        item: dict[str, Any] = {"id": bibtex.citation_key(entry), "type": CSL_TYPES[kind], "title": entry.title}
        if entry.authors:
            item["author"] = [csl_name(a) for a in entry.authors]
        year = bibtex.citation_year(entry)
        if year is not None:
            item["issued"] = {"date-parts": [[year]]}
        if entry.venue:
            item["container-title"] = entry.venue
        if entry.arxiv:
            item["archive"] = "arXiv"
            item["archive_location"] = entry.arxiv
            if kind == "preprint":
                item["number"] = f"arXiv:{entry.arxiv}"
        item["URL"] = entry.url
        items.append(item)
    return items


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def _bibtex(catalog: Catalog) -> str:
    from awesome_catalog.formats import bibtex

    return bibtex.render(catalog)


EXPORTERS: dict[str, Callable[[Catalog], str]] = {
    "bibtex": _bibtex,
    "json": lambda catalog: _json(json_document(catalog)),
    "csl-json": lambda catalog: _json(csl_items(catalog)),
}
"""Every export format by its name on the command line: the one registry of them."""


def render(catalog: Catalog, fmt: str) -> str:
    """The export of ``catalog`` in format ``fmt``, one of ``EXPORTERS``."""
    return EXPORTERS[fmt](catalog)
