"""``awesome-catalog export``: the catalog as BibTeX, JSON or CSL-JSON.

- ``bibtex``: see ``awesome_catalog.bibtex`` for the key rule, entry types and escaping.
- ``json``: every work with its appearances and resolved term labels, plus the
  taxonomy and the vocabulary, as described by ``schema/export.schema.json``
  (``"version": 1``). Absent values are ``null``; a ``techniques`` or ``evaluation``
  list is ``null`` where the section has no such column and ``[]`` where none applies.
- ``csl-json``: a list of CSL items for Zotero, pandoc and citeproc, with the BibTeX
  citation key as ``id``.

Works are sorted by id; the output is UTF-8 with a final newline and the same bytes for
the same catalog. The export refuses (exit 1, nothing written) when the catalog has
errors, and prints them on standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from awesome_catalog import bibtex, report, writing
from awesome_catalog.check import load_and_check
from awesome_catalog.diagnostics import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Severity
from awesome_catalog.model import TERM_KINDS, Appearance, Catalog, Entry, Section, Taxonomy, TermRef, Vocabulary
from awesome_catalog.project import Project

JSON_VERSION = 1

CSL_TYPES = {
    "journal": "article-journal",
    "conference": "paper-conference",
    "preprint": "article",
    "online": "article",
    "blog": "post-weblog",
    "report": "report",
    "tool": "software",
}


def checked_catalog(project: Project) -> Catalog | None:
    """The catalog when it loads with no errors; otherwise None, after printing every
    problem on standard error. Warnings do not stop an export."""
    catalog, diagnostics = load_and_check(project)
    if catalog is None:
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        report.write_text(errors, sys.stderr, footer=f"{report.summary(errors)}; nothing was written")
    return catalog


def _terms(vocabulary: Vocabulary, kind: str, refs: tuple[TermRef, ...] | None) -> list[dict[str, Any]] | None:
    if refs is None:
        return None
    terms = vocabulary.by_id(kind)
    return [{"id": r.id, "label": terms[r.id].label if r.id in terms else r.id, "detail": r.detail} for r in refs]


def _appearance(catalog: Catalog, sections: dict[str, Section], a: Appearance) -> dict[str, Any]:
    section = sections.get(a.section)
    return {
        "section": a.section,
        "section_title": section.title if section else a.section,
        "techniques": _terms(catalog.vocabulary, "techniques", a.techniques),
        "evaluation": _terms(catalog.vocabulary, "evaluation", a.evaluation),
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
        for kind in TERM_KINDS
    }


def json_document(catalog: Catalog) -> dict[str, Any]:
    """The JSON export as a value (see ``schema/export.schema.json``)."""
    sections = catalog.taxonomy.by_id()
    return {
        "version": JSON_VERSION,
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
    keys = bibtex.citation_keys(catalog.entries)
    items: list[dict[str, Any]] = []
    for entry in sorted(catalog.entries, key=lambda e: e.id):
        kind = bibtex.publication_type(entry)
        item: dict[str, Any] = {"id": keys[entry.id], "type": CSL_TYPES[kind], "title": entry.title}
        if entry.authors:
            item["author"] = [csl_name(a) for a in entry.authors]
        if entry.year is not None:
            item["issued"] = {"date-parts": [[entry.year]]}
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


def render(catalog: Catalog, fmt: str) -> str:
    """The export of ``catalog`` in format ``fmt`` (``bibtex``, ``json`` or ``csl-json``)."""
    if fmt == "bibtex":
        return bibtex.render(catalog)
    value = json_document(catalog) if fmt == "json" else csl_items(catalog)
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def run(args: argparse.Namespace, project: Project) -> int:
    """Export the catalog to ``args.output`` or standard output."""
    catalog = checked_catalog(project)
    if catalog is None:
        return EXIT_PROBLEMS
    text = render(catalog, args.format)
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        writing.replace(args.output, text.encode("utf-8"))
    except OSError as err:
        print(f"awesome-catalog: error: cannot write {args.output}: {err.strerror or err}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK
