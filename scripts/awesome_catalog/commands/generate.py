"""``awesome-catalog generate``: rewrite the README's generated regions from the catalog.

Refuses, writing nothing, when the catalog has errors or the README's markers are
broken. Writes only when the content changes, atomically (a temporary file in the same
folder, then a rename), keeping the file's mode. A README.md that is a symbolic link is
written through to its target, when the target lies inside the repository; otherwise
``generate`` refuses. ``--check`` writes nothing: it prints the unified diff and exits
1 when the README is stale.

What a run verified is kept for the next ``check``, keyed by the inputs' stats taken
before the catalog was read: a file edited during the run never gets a clean record.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from awesome_catalog.core.diagnostics import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Diagnostic
from awesome_catalog.core.project import Project

if TYPE_CHECKING:
    from awesome_catalog.load.cache import Store
    from awesome_catalog.load.incremental import Checked
    from awesome_catalog.load.inputs import Scan
    from awesome_catalog.load.readme_state import Outcome

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
    from awesome_catalog.core.diagnostics import in_order
    from awesome_catalog.load import readme_state
    from awesome_catalog.load.cache import Store
    from awesome_catalog.load.inputs import scan
    from awesome_catalog.load.pipeline import load_checked, trusting

    store = Store(project.root)
    found = scan(project, store)

    def check() -> tuple[Checked, readme_state.Outcome | None]:
        # the README about to be written holds the rows read in this run: the cache keeps them too (made and
        # written by a copy of this process meanwhile), so that the next edit replaces only its own rows there
        checked = load_checked(project, store, found, aside=True, rows=True)
        if not checked.ok:
            return checked, None
        return checked, readme_state.check(project, checked, want_new=not args.check)

    checked, outcome = trusting(store, check)
    try:
        if outcome is None:
            return _refuse(in_order(checked.diagnostics), "fix the catalog first")
        return _write(args, project, store, found, checked, outcome)
    finally:
        if checked.saving is not None:
            checked.saving()


def _write(args: argparse.Namespace, project: Project, store: Store, found: Scan, checked: Checked,
           outcome: Outcome) -> int:
    """Write the README ``outcome`` gives (or, with ``--check``, report it), and keep
    what the run found."""
    from awesome_catalog.load import readme_state
    from awesome_catalog.load.pipeline import keep, remember, result_of
    from awesome_catalog.readme import regions

    keep(store, checked)
    if outcome.blocked:
        return _refuse([d for d in outcome.problems if d.code != "E407"], outcome.blocked)
    name = project.rel(project.readme)
    if args.check:
        if outcome.diff is None and outcome.new is None:
            print(f"{name} is up to date")
            return EXIT_OK
        sys.stdout.write(outcome.diff or "")
        print(f"{name} is stale: {regions.STALE_HINT}", file=sys.stderr)
        return EXIT_PROBLEMS
    if outcome.new is None:
        print(f"{name} already up to date")
        return EXIT_OK
    target = _write_target(project)
    if target is None:
        print(f"awesome-catalog: {name} not written: it is a symbolic link to a file outside the repository",
              file=sys.stderr)
        print("  hint: replace the link by the file itself, or run generate where the file lives", file=sys.stderr)
        return EXIT_PROBLEMS
    try:
        digest = readme_state.write(target, outcome)
    except OSError as err:
        print(f"awesome-catalog: cannot write {name}: {err}", file=sys.stderr)
        return EXIT_USAGE
    try:
        readme_state.written(checked, outcome, os.stat(project.readme), digest)
    except OSError:
        pass
    else:
        keep(store, checked)
        if checked.readme is not None:  # the next check of these very inputs answers at once
            remember(store, dataclasses.replace(found, readme=checked.readme[0]), checked, result_of(checked, [], None))
    print(f"{name} updated")
    return EXIT_OK


def _write_target(project: Project) -> Path | None:
    """The file to write the README into: README.md itself, or the target of the link
    README.md is when that target lies inside the repository (None when it does not)."""
    if not project.readme.is_symlink():
        return project.readme
    target = Path(os.path.realpath(project.readme))
    return target if target.is_relative_to(project.root.resolve()) else None
