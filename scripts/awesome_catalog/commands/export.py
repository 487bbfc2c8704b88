"""``awesome-catalog export``: the catalog as BibTeX, JSON or CSL-JSON (see ``formats.export``).

The export refuses (exit 1, nothing written) when the catalog has errors, and prints
them on standard error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from awesome_catalog.core.diagnostics import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from awesome_catalog.core.project import Project
from awesome_catalog.formats.export import EXPORTERS

NAME = "export"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """The ``export`` sub-command's options."""
    parser = commands.add_parser(NAME, help="export the catalog as BibTeX, JSON or CSL-JSON")
    parser.add_argument("--format", choices=tuple(EXPORTERS), required=True)
    parser.add_argument("-o", "--output", help="file to write (default: standard output); not inside catalog/ "
                        "or schema/")
    return parser


def run(args: argparse.Namespace, project: Project) -> int:
    """Export the catalog to ``args.output`` or standard output."""
    from awesome_catalog.core import writing
    from awesome_catalog.formats.export import render
    from awesome_catalog.load.pipeline import checked_catalog

    refused = None if args.output is None else project.output_problem(args.output)
    if refused:
        print(f"awesome-catalog export: {refused}; nothing was written", file=sys.stderr)
        return EXIT_USAGE
    catalog = checked_catalog(project)
    if catalog is None:
        return EXIT_PROBLEMS
    text = render(catalog, args.format)
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        writing.replace(Path(args.output), text.encode("utf-8"))
    except OSError as err:
        print(f"awesome-catalog: error: cannot write {args.output}: {err.strerror or err}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK
