"""``awesome-catalog new``: create a catalog entry to fill in.

``new "Title" --section ID --url URL [--year Y] [--tool]`` writes
``catalog/papers/<id>.yaml`` (or ``catalog/tools/``) with the required keys, the
section's columns as empty lists with a comment naming some valid terms, and a
placeholder summary (see ``entries.draft``). Decisions:

- ``--section`` is required: a work that lands silently in the first section is easy
  to miss in review. Without it, the leaf sections are listed.
- ``--url`` is required: every entry needs its link, and a made-up placeholder link
  would pass every check. An arXiv link becomes ``https://arxiv.org/abs/<id>`` and adds
  the ``arxiv:`` key.
- ``--year`` is optional and never guessed from the clock: without it the key is left
  out and a note asks for it.
"""

from __future__ import annotations

import argparse
import sys

from awesome_catalog.core.diagnostics import Refusal
from awesome_catalog.core.project import Project

NAME = "new"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """The ``new`` sub-command's options."""
    parser = commands.add_parser(NAME, help="create a catalog entry to fill in")
    parser.add_argument("title")
    parser.add_argument("--section", help="taxonomy section id of the first appearance (required; "
                        "without it, the sections are listed)")
    parser.add_argument("--url", help="the canonical link (required)")
    parser.add_argument("--year", type=int)
    parser.add_argument("--tool", action="store_true",
                        help="create catalog/tools/<id>.yaml (else the folder that holds most entries, e.g. papers/)")
    return parser


def run(args: argparse.Namespace, project: Project) -> int:
    """``awesome-catalog new``."""
    from awesome_catalog.core.identity import arxiv_id, entry_id, one_line
    from awesome_catalog.entries.draft import Draft, entry_folder, leaf_section, load, write_entry
    from awesome_catalog.formats.report import write_refusal

    try:
        title = one_line(args.title)
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
        return write_entry(project, loaded, draft, entry_folder(project, args.tool), entry_id(title))
    except Refusal as err:
        return write_refusal(err, NAME, sys.stderr)
