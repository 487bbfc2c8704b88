"""``awesome-catalog site -o DIR``: the list as one static, searchable web page."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path

from awesome_catalog.core.diagnostics import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from awesome_catalog.core.project import Project

NAME = "site"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """The ``site`` sub-command's options."""
    parser = commands.add_parser(NAME, help="build the searchable web page of the list")
    parser.add_argument("-o", "--output", required=True,
                        help="folder to write the page into; not inside catalog/ or schema/")
    return parser


def _mode(path: Path) -> int:
    """The mode of ``path``; a missing one counts as regular (the page has a default title)."""
    try:
        return os.stat(path).st_mode
    except OSError:  # missing or unreadable: the page falls back to its default title
        return stat.S_IFREG


def run(args: argparse.Namespace, project: Project) -> int:
    """Build the page from the catalog into ``args.output``."""
    from awesome_catalog.formats import site
    from awesome_catalog.load.pipeline import checked_catalog

    refused = project.output_problem(args.output)
    if refused:
        print(f"awesome-catalog site: {refused}; nothing was written", file=sys.stderr)
        return EXIT_USAGE
    if not stat.S_ISREG(_mode(project.readme)):  # the page's title comes from it: never read anything else
        print(f"awesome-catalog site: {project.rel(project.readme)} is not a regular file; nothing was written",
              file=sys.stderr)
        return EXIT_PROBLEMS
    catalog = checked_catalog(project)
    if catalog is None:
        return EXIT_PROBLEMS
    try:
        site.build(catalog, site.page_title(project), Path(args.output))
    except OSError as err:
        print(f"awesome-catalog: error: cannot write the page into {args.output}: {err.strerror or err}",
              file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK
