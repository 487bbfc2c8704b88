"""Command line: ``main(argv) -> int``, assembled from the command modules.

Each module of ``awesome_catalog.commands`` declares its sub-command with
``add_parser`` and does it with ``run(args, project) -> int``; heavy imports wait
inside ``run``, so start-up stays fast. Exit codes: 0 clean, 1 problems found or
README stale, 2 usage or internal error. This is the one place that turns an
unexpected exception into exit code 2; ``--traceback`` (or
``AWESOME_CATALOG_TRACEBACK=1``) shows its traceback.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from awesome_catalog import __version__

TRACEBACK_ENV = "AWESOME_CATALOG_TRACEBACK"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        from awesome_catalog.core.diagnostics import EXIT_USAGE

        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def commands() -> tuple[ModuleType, ...]:
    """The sub-commands, in the order ``--help`` lists them."""
    from awesome_catalog.commands import add, check, export, generate, import_, init, links, new, site

    return (init, check, generate, new, import_, export, site, links, add)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: the global options, then each command's own."""
    parser = _Parser(
        prog="awesome-catalog",
        description="Validate an awesome list kept as YAML in catalog/ and regenerate its README.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the list's repository (default: the current directory)")
    parser.add_argument("--traceback", action="store_true",
                        help=f"show the traceback of an internal error (also: {TRACEBACK_ENV}=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in commands():
        command.add_parser(sub).set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting."""
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:  # at once: no command is imported
        print(f"awesome-catalog {__version__}")
        return 0
    from awesome_catalog.core.diagnostics import EXIT_USAGE
    from awesome_catalog.core.project import Project

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    root = args.root
    if not root.is_dir():
        print(f"awesome-catalog: error: --root {root} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    project = Project(root.resolve())
    # A run builds many small objects and no reference cycles worth collecting: the
    # cyclic garbage collector would only walk them over and over (a fifth of a cold check).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return int(args.run(args, project))
    except KeyboardInterrupt:
        print("awesome-catalog: interrupted; nothing was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_USAGE
    except OSError as err:  # the disk is full, a folder is read-only...: not a bug
        where = f" {err.filename}" if err.filename else ""
        print(f"awesome-catalog: error:{where}: {err.strerror or err}; files being written were left as they were",
              file=sys.stderr)
        return EXIT_USAGE
    except Exception as err:  # the last line of defence: no traceback for users, unless asked
        if args.traceback or os.environ.get(TRACEBACK_ENV, "") not in ("", "0"):
            import traceback

            traceback.print_exc(file=sys.stderr)
        print(f"awesome-catalog: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        print("this is a bug in awesome-catalog; please report it with the command you ran "
              "(--traceback shows where it happened)", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if collecting:
            gc.enable()
