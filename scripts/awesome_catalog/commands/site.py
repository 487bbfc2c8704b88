"""``awesome-catalog site -o DIR``: the list as one static, searchable web page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from awesome_catalog.core.diagnostics import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from awesome_catalog.core.project import Project

NAME = "site"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """The ``site`` sub-command's options."""
    parser = commands.add_parser(NAME, help="build the searchable web page of the list")
    parser.add_argument("-o", "--output", type=Path, required=True, help="folder to write the page into")
    return parser


def run(args: argparse.Namespace, project: Project) -> int:
    """Build the page from the catalog into ``args.output``."""
    from awesome_catalog.formats import site
    from awesome_catalog.load.pipeline import checked_catalog

    catalog = checked_catalog(project)
    if catalog is None:
        return EXIT_PROBLEMS
    try:
        site.build(catalog, site.page_title(project), args.output)
    except OSError as err:
        print(f"awesome-catalog: error: cannot write the page into {args.output}: {err.strerror or err}",
              file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK
