"""``awesome-catalog import``: turn a Markdown awesome list into catalog entry files.

The reading is ``markdown.importer``; this command writes what it found, all files or
none, through the one entry writer (``formats.entry_yaml``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from awesome_catalog.core.diagnostics import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Severity, plural
from awesome_catalog.core.project import Project

if TYPE_CHECKING:
    from awesome_catalog.markdown.importer import ImportResult

NAME = "import"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """The ``import`` sub-command's options."""
    parser = commands.add_parser(NAME, help="turn a Markdown awesome list into catalog entries")
    parser.add_argument("source", type=Path, help="the Markdown file to import")
    parser.add_argument("--into", type=Path, default=Path("catalog"),
                        help="catalog folder to write, relative to --root (default: catalog)")
    parser.add_argument("--force", action="store_true", help="overwrite existing entry files")
    parser.add_argument("--dry-run", action="store_true", help="report what would be written, write nothing")
    return parser


def existing_targets(result: ImportResult, into: Path) -> list[Path]:
    """The files under ``into`` an import would overwrite."""
    return [into / e.path for e in result.entries if (into / e.path).exists()]


def write_entries(result: ImportResult, into: Path) -> None:
    """Write every entry under ``into``. Each file goes first to a temporary file beside
    its target; the targets are replaced only once all are written, so a failure while
    writing (a full disk, a folder without permission) leaves every target as it was."""
    for entry in result.entries:
        (into / entry.path).parent.mkdir(parents=True, exist_ok=True)
    from awesome_catalog.core import writing
    from awesome_catalog.formats.entry_yaml import entry_text

    writing.replace_all([(into / e.path, entry_text(e).encode("utf-8")) for e in result.entries])


def format_report(result: ImportResult, source: str) -> str:
    """The import's report: merges, problems and notes by line, then the summary."""
    lines = [m.describe() for m in result.merges]
    lines += [f"{source}:{p.line}: {p.message}" for p in result.problems]
    lines += [f"{source}:{p.line}: note: {p.message}" for p in result.notes]
    lines.append(result.summary())
    if result.entries:
        lines.append("summaries were copied from the source: rewrite each one in your own words before publishing")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace, project: Project) -> int:
    """Import ``args.source`` into ``args.into`` (relative to the project's root).

    Exit 0 when every row was imported cleanly, 1 when some rows had problems (the files
    are still written) or when files exist and ``--force`` is not given (then nothing is
    written), 2 when the source, the taxonomy or the vocabulary cannot be read.
    """
    from awesome_catalog.load.loader import load_catalog
    from awesome_catalog.markdown.importer import import_markdown

    name = str(args.source)
    try:
        text = Path(args.source).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        print(f"awesome-catalog import: cannot read {name}: {getattr(err, 'strerror', None) or err}", file=sys.stderr)
        return EXIT_USAGE
    loaded = load_catalog(project)
    if loaded.catalog is None:
        for d in loaded.diagnostics:
            if d.severity is Severity.ERROR and not d.path.startswith(("catalog/papers/", "catalog/tools/")):
                print(f"{d.path}:{d.line}: {d.code} {d.message}", file=sys.stderr)
        print("awesome-catalog import: the taxonomy or the vocabulary cannot be used; nothing was written",
              file=sys.stderr)
        return EXIT_USAGE
    result = import_markdown(text, loaded.catalog.vocabulary, loaded.catalog.taxonomy)
    print(format_report(result, name), end="")
    into = args.into if args.into.is_absolute() else project.root / args.into
    existing = existing_targets(result, into)
    if existing and not args.force:
        print(f"refusing to overwrite {plural(len(existing), 'existing file')} (use --force); nothing was written:",
              file=sys.stderr)
        for path in existing:
            print(f"  {project.rel(path)}", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.dry_run:
        print(f"dry run: {plural(len(result.entries), 'file')} would be written under {args.into}; "
              "nothing was written")
    else:
        try:
            write_entries(result, into)
        except OSError as err:
            print(f"awesome-catalog import: cannot write under {args.into}: {err.strerror or err}", file=sys.stderr)
            return EXIT_USAGE
        print(f"wrote {plural(len(result.entries), 'file')} under {args.into}")
    return EXIT_PROBLEMS if result.problems else EXIT_OK
