"""``awesome-catalog import``: turn a Markdown awesome list into catalog entry files.

The reading is ``markdown.importer``; this command writes what it found, all files or
none, through the one entry writer (``formats.entry_yaml``). A heading with items and no
section is reported with the closest section; with ``--new-sections`` a section is
created for it (``importer.new_sections``) and appended to ``catalog/taxonomy.yaml``
as YAML text (``formats.taxonomy_yaml``: the rest of the file, comments included, is
kept byte for byte), written together with the entries, all or nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from awesome_catalog.core.diagnostics import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Severity, plural
from awesome_catalog.core.project import Project

if TYPE_CHECKING:
    from awesome_catalog.core.model import Entry
    from awesome_catalog.markdown.importer import CatalogMerge, ImportResult, NewSection

NAME = "import"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """The ``import`` sub-command's options."""
    parser = commands.add_parser(NAME, help="turn a Markdown awesome list into catalog entries")
    parser.add_argument("source", type=Path, help="the Markdown file to import")
    parser.add_argument("--into", type=Path, default=Path("catalog"),
                        help="catalog folder to write, relative to --root (default: catalog)")
    parser.add_argument("--force", action="store_true", help="overwrite existing entry files")
    parser.add_argument("--dry-run", action="store_true", help="report what would be written, write nothing")
    parser.add_argument("--new-sections", action="store_true",
                        help="create a section in catalog/taxonomy.yaml for each heading that has none")
    return parser


def existing_targets(entries: Sequence[Entry], into: Path) -> list[Path]:
    """The files under ``into`` writing ``entries`` would overwrite."""
    return [into / e.path for e in entries if (into / e.path).exists()]


def write_files(files: Sequence[tuple[Path, Entry]], others: Sequence[tuple[Path, bytes]] = ()) -> None:
    """Write every entry to its path, and the ``others`` as they are. Each file goes
    first to a temporary file beside its target; the targets are replaced only once all
    are written, so a failure while writing (a full disk, a folder without permission)
    leaves every target as it was."""
    for path, _ in files:
        path.parent.mkdir(parents=True, exist_ok=True)
    from awesome_catalog.core import writing
    from awesome_catalog.formats.entry_yaml import entry_text

    writing.replace_all([*((path, entry_text(entry).encode("utf-8")) for path, entry in files), *others])


def format_report(result: ImportResult, source: str, added: Sequence[CatalogMerge] = (),
                  created: Sequence[NewSection] = ()) -> str:
    """The import's report: new sections, merges, works already in the catalog, problems
    and notes by line, then the summary."""
    lines = [s.describe() for s in created]
    lines += [m.describe() for m in result.merges]
    lines += [m.describe() for m in added]
    lines += [f"{source}:{p.line}: {p.message}" for p in result.problems]
    lines += [f"{source}:{p.line}: note: {p.message}" for p in result.notes]
    lines.append(result.summary())
    if result.entries:
        lines.append("summaries were copied from the source: rewrite each one in your own words before publishing")
    return "\n".join(lines) + "\n"


_COMMENT = re.compile(r"""^\s*#|\s#(?=(?:[^"']|"[^"]*"|'[^']*')*$)""")


def _has_comments(path: Path) -> bool:
    """Whether an entry file holds comments (besides the schema modeline) that writing
    it again through the entry writer would lose."""
    from awesome_catalog.formats.entry_yaml import MODELINE

    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return True
    return any(_COMMENT.search(line) for line in lines if line != MODELINE)


def taxonomy_with(path: Path, created: Sequence[NewSection]) -> bytes:
    """The taxonomy file with the ``created`` sections added as text, the rest of it
    (comments, a byte order mark) kept; a ValueError when they cannot be added safely."""
    from awesome_catalog.formats.taxonomy_yaml import add_sections

    raw = path.read_bytes()
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    additions: dict[str | None, list[dict[str, object]]] = {}
    for section in created:
        additions.setdefault(section.parent, []).append(section.data())
    return bom + add_sections(raw[len(bom):].decode("utf-8"), additions).encode("utf-8")


def run(args: argparse.Namespace, project: Project) -> int:
    """Import ``args.source`` into ``args.into`` (relative to the project's root).

    Into the project's own catalog, a work it already has (same arXiv id, link or title)
    is never written again: what the Markdown adds (a section, a link, a missing year)
    is added to its file, and everything else in that file is kept. Exit 0 when every
    row was imported cleanly, 1 when some rows had problems (the files are still
    written) or when files exist and ``--force`` is not given (then nothing is written),
    2 when the source, the taxonomy or the vocabulary cannot be read.
    """
    from awesome_catalog.load.loader import load_catalog
    from awesome_catalog.markdown.importer import against_catalog, import_markdown, new_sections, with_sections
    from awesome_catalog.markdown.rows import Problem

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
    into = args.into if args.into.is_absolute() else project.root / args.into
    own = into.resolve() == project.catalog_dir.resolve()
    taxonomy, others = loaded.catalog.taxonomy, list[tuple[Path, bytes]]()
    created: tuple[NewSection, ...] = ()
    if args.new_sections:
        if not own:
            print("awesome-catalog import: --new-sections adds to the list's own taxonomy; use it without --into",
                  file=sys.stderr)
            return EXIT_USAGE
        created = new_sections(text, taxonomy)
        if created:
            try:
                others.append((project.taxonomy_file, taxonomy_with(project.taxonomy_file, created)))
            except (OSError, UnicodeDecodeError, ValueError) as err:
                print(f"awesome-catalog import: cannot add sections to {project.rel(project.taxonomy_file)}: {err}; "
                      "nothing was written", file=sys.stderr)
                return EXIT_USAGE
            taxonomy = with_sections(taxonomy, created)
    taken = {f.name.rsplit(".", 1)[0] for f in project.entry_listing()} if own else set()
    labels = {s.id: s.label for s in loaded.catalog.settings.tag_sets}
    result = import_markdown(text, loaded.catalog.vocabulary, taxonomy, taken, labels)
    fresh, added = against_catalog(result, loaded.catalog) if own else (list(result.entries), [])
    files = [(into / e.path, e) for e in fresh]
    problems = list(result.problems)
    for merge in added:
        if merge.entry is None:
            continue
        path = project.root / merge.existing.path
        if _has_comments(path):
            line = merge.lines[0] if merge.lines else 0
            problems.append(Problem(line, "comments", f"{merge.existing.path} has comments that writing it again "
                                    f"would lose; add by hand: {'; '.join(merge.added)}"))
        else:
            files.append((path, merge.entry))
    result = replace(result, problems=tuple(sorted(problems, key=lambda p: p.line)))
    print(format_report(result, name, added, created), end="")
    existing = existing_targets(fresh, into)
    if existing and not args.force:
        print(f"refusing to overwrite {plural(len(existing), 'existing file')} (use --force); nothing was written:",
              file=sys.stderr)
        for path in existing:
            print(f"  {project.rel(path)}", file=sys.stderr)
        return EXIT_PROBLEMS
    changed = len(files) - len(fresh)
    what = (f"{plural(len(fresh), 'new file')} and {plural(changed, 'file')} of the catalog"
            if own else plural(len(fresh), "file"))
    if args.dry_run:
        also = f", and {plural(len(created), 'new section')} added to taxonomy.yaml" if created else ""
        print(f"dry run: {what} would be written under {args.into}{also}; nothing was written")
    else:
        try:
            write_files(files, others)
        except OSError as err:
            print(f"awesome-catalog import: cannot write under {args.into}: {err.strerror or err}", file=sys.stderr)
            return EXIT_USAGE
        also = f", and added {plural(len(created), 'new section')} to taxonomy.yaml" if created else ""
        print(f"wrote {what} under {args.into}{also}")
    return EXIT_PROBLEMS if result.problems else EXIT_OK
