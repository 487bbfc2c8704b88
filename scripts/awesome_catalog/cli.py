"""Command line: ``main(argv) -> int``, one sub-command per stage, imported lazily.

Exit codes: 0 clean, 1 problems found or README stale, 2 usage or internal error.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from awesome_catalog import __version__
from awesome_catalog.diagnostics import EXIT_USAGE
from awesome_catalog.project import Project

# sub-command -> module that defines ``run(args, project) -> int``
COMMANDS = {
    "check": "awesome_catalog.check",
    "generate": "awesome_catalog.generate",
    "new": "awesome_catalog.scaffold",
    "import": "awesome_catalog.importer",
    "export": "awesome_catalog.export",
    "site": "awesome_catalog.site",
    "links": "awesome_catalog.links",
    "add": "awesome_catalog.arxiv",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, declared in one place."""
    parser = _Parser(
        prog="awesome-catalog",
        description="Validate an awesome list kept as YAML in catalog/ and regenerate its README.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the list's repository (default: the current directory)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser("check", help="check the catalog and the README; report every problem")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                       help="limit file-level checks to these files (cross-file and README checks still run)")
    check.add_argument("--format", choices=("text", "github", "json"), default="text")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    check.add_argument("--no-cache", action="store_true", help="ignore and do not write the result cache")

    gen = sub.add_parser("generate", help="rewrite the README's generated regions from the catalog")
    gen.add_argument("--check", action="store_true",
                     help="write nothing; print a diff and exit 1 when the README is stale")

    new = sub.add_parser("new", help="create a catalog entry to fill in")
    new.add_argument("title")
    new.add_argument("--section", help="taxonomy section id of the first appearance (required; "
                     "without it, the sections are listed)")
    new.add_argument("--url", help="the canonical link (required)")
    new.add_argument("--year", type=int)
    new.add_argument("--tool", action="store_true", help="create catalog/tools/<id>.yaml instead of papers/")

    imp = sub.add_parser("import", help="turn a Markdown awesome list into catalog entries")
    imp.add_argument("source", type=Path, help="the Markdown file to import")
    imp.add_argument("--into", type=Path, default=Path("catalog"),
                     help="catalog folder to write, relative to --root (default: catalog)")
    imp.add_argument("--force", action="store_true", help="overwrite existing entry files")
    imp.add_argument("--dry-run", action="store_true", help="report what would be written, write nothing")

    exp = sub.add_parser("export", help="export the catalog as BibTeX, JSON or CSL-JSON")
    exp.add_argument("--format", choices=("bibtex", "json", "csl-json"), required=True)
    exp.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")

    site = sub.add_parser("site", help="build the searchable web page of the list")
    site.add_argument("-o", "--output", type=Path, required=True, help="folder to write the page into")

    links = sub.add_parser("links", help="check that every URL of the catalog still works")
    links.add_argument("--timeout", type=float, default=15.0, help="seconds per request (default 15)")
    links.add_argument("--concurrency", type=int, default=8, help="requests in flight overall (default 8)")
    links.add_argument("--per-host", type=int, default=2, help="requests in flight per host (default 2)")
    links.add_argument("--delay", type=float, default=0.5, help="seconds between requests to one host (default 0.5)")
    links.add_argument("--retries", type=int, default=2, help="retries after a timeout, 429 or 503 (default 2)")
    links.add_argument("--deadline", type=float, default=600.0, help="seconds for the whole run (default 600)")
    links.add_argument("--cache", type=Path, help="JSON file of earlier results, reused while fresh")
    links.add_argument("--max-age", type=float, default=7 * 86400.0, help="seconds a cached result stays fresh")
    links.add_argument("--format", choices=("text", "github", "json"), default="text")

    add = sub.add_parser("add", help="create an entry from an arXiv id, e.g. arxiv:2211.00593")
    add.add_argument("identifier", help="arxiv:<id>")
    add.add_argument("--section", required=True, help="taxonomy section id")
    add.add_argument("--techniques", nargs="*", default=None, help="technique term ids")
    add.add_argument("--evaluation", nargs="*", default=None, help="evaluation term ids")
    add.add_argument("--api", default="https://export.arxiv.org/api/query",
                     help="arXiv API endpoint (for tests and mirrors)")
    add.add_argument("--timeout", type=float, default=20.0)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting."""
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
        module = importlib.import_module(COMMANDS[args.command])
        return int(module.run(args, project))
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
    except Exception as err:  # the last line of defence: no traceback for users
        print(f"awesome-catalog: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        print("this is a bug in awesome-catalog; please report it with the command you ran", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if collecting:
            gc.enable()
