"""``awesome-catalog generate``: rewrite the README's generated regions from the catalog.

Refuses, writing nothing, when the catalog has errors or the README's markers are
broken. Writes only when the content changes, atomically (a temporary file in the same
folder, then a rename), keeping the file's mode. ``--check`` writes nothing: it prints
the unified diff and exits 1 when the README is stale.
"""

from __future__ import annotations

import argparse
import sys

from awesome_catalog import readme, render, report, writing
from awesome_catalog.check import CheckResult, load_and_check, record
from awesome_catalog.diagnostics import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Diagnostic
from awesome_catalog.model import Catalog
from awesome_catalog.project import Project


def _refuse(diagnostics: list[Diagnostic], reason: str) -> int:
    report.write_text(diagnostics, sys.stderr)
    print(f"awesome-catalog: README.md not written: {reason}", file=sys.stderr)
    return EXIT_PROBLEMS


def run(args: argparse.Namespace, project: Project) -> int:
    """Regenerate the README (or, with ``--check``, report whether it is stale)."""
    catalog, diagnostics = load_and_check(project)
    if catalog is None:
        return _refuse(diagnostics, "fix the catalog first")

    text, problems = readme.read(project)
    if text is None:
        return _refuse(problems, "it cannot be read")
    name = project.rel(project.readme)
    listing = render.Listing.of(catalog)
    try:
        new = readme.render_readme(text, listing, name)
    except readme.MarkerError as err:
        return _refuse(err.diagnostics, "fix its markers first")

    if args.check:
        if new == text:
            _record(project, catalog, diagnostics, new, listing)
            print(f"{name} is up to date")
            return EXIT_OK
        sys.stdout.write(readme.unified_diff(text, new))
        print(f"{name} is stale: {readme.STALE_HINT}", file=sys.stderr)
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
    regions, problems = readme.find_regions(text, project.rel(project.readme))
    problems += readme.broken_hand_written_anchors(text, regions, listing, project.rel(project.readme))
    appearances = sum(len(e.appearances) for e in catalog.entries)
    record(project, CheckResult(diagnostics + problems, None, len(catalog.entries), appearances))
