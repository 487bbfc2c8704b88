"""``awesome-catalog add arxiv:ID``: create an entry from arXiv's public API.

Takes the title, authors and year from arXiv (``net.arxiv``) and writes the entry as
``new`` does (``entries.draft``), with the summary left as a placeholder for the
contributor. The id follows the one id rule (``core.identity.entry_id``).
"""

from __future__ import annotations

import argparse
import sys

from awesome_catalog.core.diagnostics import Refusal
from awesome_catalog.core.project import Project

NAME = "add"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """The ``add`` sub-command's options."""
    parser = commands.add_parser(NAME, help="create an entry from an arXiv id, e.g. arxiv:2211.00593")
    parser.add_argument("identifier", help="arxiv:<id>")
    parser.add_argument("--section", required=True, help="taxonomy section id")
    parser.add_argument("--tag", action="append", default=[], metavar="SET=TERM[,TERM...]",
                        help="terms of one tag set of catalog/list.yaml, e.g. --tag techniques=sae,probing "
                             "(repeat for several sets)")
    parser.add_argument("--api", default="https://export.arxiv.org/api/query",
                        help="arXiv API endpoint (for tests and mirrors)")
    parser.add_argument("--timeout", type=float, default=20.0)
    return parser


def parse_tags(written: list[str]) -> dict[str, list[str]]:
    """``["techniques=sae,probing", "evaluation="]`` -> ``{"techniques": ["sae", "probing"], "evaluation": []}``."""
    chosen: dict[str, list[str]] = {}
    for item in written:
        kind, equals, terms = item.partition("=")
        if not equals or not kind.strip():
            raise Refusal(f"--tag {item!r} is not SET=TERM[,TERM...]", hint="e.g. --tag techniques=sae")
        chosen.setdefault(kind.strip(), []).extend(t.strip() for t in terms.split(",") if t.strip())
    return chosen


def run(args: argparse.Namespace, project: Project) -> int:
    """``awesome-catalog add``."""
    from awesome_catalog.core.identity import entry_id
    from awesome_catalog.entries.draft import Draft, check_terms, leaf_section, load, refuse_duplicate, write_entry
    from awesome_catalog.formats.report import write_refusal
    from awesome_catalog.net.arxiv import fetch, parse_feed, parse_identifier, query_url

    try:
        ident = parse_identifier(args.identifier)
        loaded, catalog = load(project)
        section = leaf_section(catalog.taxonomy, args.section)
        terms = check_terms(catalog.vocabulary, catalog.settings, section, parse_tags(args.tag))
        refuse_duplicate(catalog, arxiv=ident)  # before asking arXiv
        paper = parse_feed(fetch(query_url(args.api, ident), args.timeout), ident)
        draft = Draft(title=paper.title, url=paper.url, section=section, year=paper.year, arxiv=paper.id,
                      authors=paper.authors, terms=terms)
        print(f"arXiv {paper.id}: {paper.title} ({paper.year}, {len(paper.authors)} authors)")
        new_id = entry_id(paper.title, {p.stem for p in project.entry_files()})
        return write_entry(project, loaded, draft, "papers", new_id)
    except Refusal as err:
        return write_refusal(err, NAME, sys.stderr)
