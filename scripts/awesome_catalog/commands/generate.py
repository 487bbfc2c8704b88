"""``awesome-catalog generate``: rewrite the README's generated regions from the catalog.

Refuses, writing nothing, when the catalog has errors or the README's markers are
broken. Writes only when the content changes, atomically (a temporary file in the same
folder, then a rename), keeping the file's mode. ``--check`` writes nothing: it prints
the unified diff and exits 1 when the README is stale.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from awesome_catalog.core.diagnostics import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Diagnostic
from awesome_catalog.core.project import Project

if TYPE_CHECKING:
    from awesome_catalog.core.model import Catalog
    from awesome_catalog.readme import render


NAME = "generate"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """The ``generate`` sub-command's options."""
    parser = commands.add_parser(NAME, help="rewrite the README's generated regions from the catalog")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; print a diff and exit 1 when the README is stale")
    return parser


def _refuse(diagnostics: list[Diagnostic], reason: str) -> int:
    from awesome_catalog.formats import report

    report.write_text(diagnostics, sys.stderr)
    print(f"awesome-catalog: README.md not written: {reason}", file=sys.stderr)
    return EXIT_PROBLEMS


def run(args: argparse.Namespace, project: Project) -> int:
    """Regenerate the README (or, with ``--check``, report whether it is stale)."""
    from awesome_catalog.core import writing
    from awesome_catalog.load.pipeline import load_and_check
    from awesome_catalog.readme import regions, render

    catalog, diagnostics = load_and_check(project)
    if catalog is None:
        return _refuse(diagnostics, "fix the catalog first")

    text, problems = regions.read(project)
    if text is None:
        return _refuse(problems, "it cannot be read")
    name = project.rel(project.readme)
    listing = render.Listing.of(catalog)
    try:
        new = regions.render_readme(text, listing, name)
    except regions.MarkerError as err:
        return _refuse(err.diagnostics, "fix its markers first")

    if args.check:
        if new == text:
            _record(project, catalog, diagnostics, new, listing)
            print(f"{name} is up to date")
            return EXIT_OK
        sys.stdout.write(regions.unified_diff(text, new))
        print(f"{name} is stale: {regions.STALE_HINT}", file=sys.stderr)
        return EXIT_PROBLEMS
    if new == text:
        _record(project, catalog, diagnostics, new, listing)
        print(f"{name} already up to date")
        return EXIT_OK
    try:
        writing.replace(project.readme, new.encode("utf-8"))
    except OSError as err:
        print(f"awesome-catalog: cannot write {name}: {err}", file=sys.stderr)
        return EXIT_USAGE
    _record(project, catalog, diagnostics, new, listing)
    print(f"{name} updated")
    return EXIT_OK


def _record(project: Project, catalog: Catalog, diagnostics: list[Diagnostic], text: str,
            listing: render.Listing) -> None:
    """Leave what this run verified for the next ``check``: the catalog's diagnostics
    (warnings at most, or generate would have refused) and those of the README just
    written. Its regions are as generated, so only its hand-written text is read."""
    from awesome_catalog.load.pipeline import CheckResult, record
    from awesome_catalog.readme import regions

    found, problems = regions.find_regions(text, project.rel(project.readme))
    problems += regions.broken_hand_written_anchors(text, found, listing, project.rel(project.readme))
    appearances = sum(len(e.appearances) for e in catalog.entries)
    record(project, CheckResult(diagnostics + problems, None, len(catalog.entries), appearances))
