"""``awesome-catalog check``: every problem of the catalog and the README, in one run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from awesome_catalog.core.diagnostics import exit_code
from awesome_catalog.core.project import Project
from awesome_catalog.formats.report import REPORTERS

NAME = "check"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """The ``check`` sub-command's options."""
    parser = commands.add_parser(NAME, help="check the catalog and the README; report every problem")
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help="limit file-level checks to these files or folders (cross-file and README checks "
                             "still run); relative PATHs are taken from the current folder, else from --root")
    parser.add_argument("--format", choices=tuple(REPORTERS), default="text")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    parser.add_argument("--no-cache", action="store_true", help="ignore and do not write the result cache")
    return parser


def run(args: argparse.Namespace, project: Project) -> int:
    """Run the check and report it in the chosen format."""
    from awesome_catalog.core.diagnostics import Refusal
    from awesome_catalog.formats import report
    from awesome_catalog.load.pipeline import named_inputs, run_check

    try:
        named = named_inputs(project, args.paths) if args.paths else None
    except Refusal as err:
        return report.write_refusal(err, NAME, sys.stderr)
    result = run_check(project, named, use_cache=not args.no_cache)
    footer = None
    if not result.diagnostics:
        footer = f"ok: {result.entries} entries, {result.appearances} appearances, README up to date"
    color = report.use_color(sys.stdout, args.color)
    report.write(args.format, result.diagnostics, sys.stdout, color=color, diff=result.diff, footer=footer)
    return exit_code(result.diagnostics, strict=args.strict)
