"""``awesome-catalog init [DIR] [--from MARKDOWN] [--force]``: start a list, or adopt one.

Without ``--from``: a small working list a maintainer fills in (settings, a taxonomy
with one section, one example entry, the schemas, a README with the generated regions,
a pre-commit configuration, a CI workflow and a CONTRIBUTING.md).

With ``--from README.md``: the same, made from an existing Markdown list
(``markdown.adopt``): its headings become sections, its items entries, its trailing
tags tag sets, and its hand-written parts stay in the README around the generated ones.
Lines that look like items but cannot be read are reported as ``file:line: message``.

All or nothing: every file is written into a folder beside the list first, checked
(``check`` must find no error and ``generate`` must change nothing), and only then moved
into place; an error or Ctrl-C while moving puts back what was moved. It refuses,
writing nothing, when DIR already holds a catalog, unless ``--force``. A
CONTRIBUTING.md, pre-commit configuration or workflow the list already has is kept.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from awesome_catalog.core.diagnostics import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Refusal, plural
from awesome_catalog.core.project import Project

if TYPE_CHECKING:
    from awesome_catalog.core.model import Entry
    from awesome_catalog.markdown.adopt import Adoption

NAME = "init"
WORKFLOW = ".github/workflows/awesome-catalog.yml"
KEPT_IF_PRESENT = ("CONTRIBUTING.md", ".pre-commit-config.yaml", WORKFLOW)
"""Files a list may have written by hand: never replaced."""
REPLACED_WITH_FORCE = ("catalog", "schema")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """The ``init`` sub-command's options."""
    parser = commands.add_parser(NAME, help="start a new list, or turn an existing Markdown list into one")
    parser.add_argument("dir", nargs="?", type=Path, metavar="DIR",
                        help="the list's folder (default: --root, the current directory)")
    parser.add_argument("--from", dest="source", type=Path, metavar="MARKDOWN",
                        help="an existing awesome list to adopt, such as README.md")
    parser.add_argument("--title", help="the new list's title (without --from; default: Awesome <folder name>)")
    parser.add_argument("--force", action="store_true", help="replace the catalog and schemas DIR already has")
    return parser


def run(args: argparse.Namespace, project: Project) -> int:
    """``awesome-catalog init``."""
    import tempfile

    from awesome_catalog.formats.report import write_refusal

    target = (args.dir if args.dir is not None else project.root).resolve()
    try:
        if target.exists() and not target.is_dir():
            raise Refusal(f"{args.dir} is not a folder")
        existing = [name for name in REPLACED_WITH_FORCE if (target / name).exists()]
        if existing and not args.force:
            raise Refusal(f"{target} already holds {' and '.join(f'{n}/' for n in existing)}; nothing was written",
                          EXIT_PROBLEMS, "use --force to replace them")
        files, summary = _files(args, target)
        made = [p for p in (target, *target.parents) if not p.exists()]
        target.mkdir(parents=True, exist_ok=True)
        try:
            with tempfile.TemporaryDirectory(prefix=".awesome-catalog-init-", dir=target) as staging:
                _stage(Path(staging), files)
                _verify(Path(staging))
                moved = _move_into_place(Path(staging), target, files)
        except BaseException:
            for folder in made:  # the folders init made, deepest first, now empty again
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise
    except Refusal as err:
        return write_refusal(err, NAME, sys.stderr)
    print(summary)
    kept = [k for k in KEPT_IF_PRESENT if k in files and k not in moved]
    for name in kept:
        print(f"kept the list's own {name}")
    print("next: `awesome-catalog check`, `pre-commit install`, then commit the new files")
    return EXIT_OK


def _files(args: argparse.Namespace, target: Path) -> tuple[dict[str, bytes], str]:
    """Every file of the new list by path, and the line that sums it up."""
    import yaml

    from awesome_catalog.core.model import Settings
    from awesome_catalog.formats import templates
    from awesome_catalog.formats.entry_yaml import entry_text
    from awesome_catalog.formats.schemas import schemas, to_json

    if args.source is not None:
        adoption, problems = _adopt(args.source)
        settings_data, taxonomy, vocabulary = adoption.settings, adoption.taxonomy, adoption.vocabulary
        entries, readme, folder = adoption.entries, adoption.readme, "items"
        summary = (f"{args.source}: {plural(adoption.items, 'item')} -> {plural(len(entries), 'entry')} in "
                   f"{plural(adoption.sections, 'section')}; {plural(problems, 'problem')}")
    else:
        settings_data, taxonomy, vocabulary, entries, folder = _starter()
        readme = templates.readme(args.title or f"Awesome {target.name.replace('-', ' ').title()}")
        summary = f"a new list in {target}: 1 section, 1 example entry"
    settings = Settings.from_data(settings_data)

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True  # catalog files spell every value out

    def dump(header: str, data: object) -> bytes:
        body = yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)
        return (header + body).encode("utf-8")

    files = {
        "catalog/list.yaml": dump("# yaml-language-server: $schema=../schema/list.schema.json\n"
                                  "# The list's own settings (schema/list.schema.json).\n", settings_data),
        "catalog/taxonomy.yaml": dump("# yaml-language-server: $schema=../schema/taxonomy.schema.json\n"
                                      "# The sections of the list, in reading order.\n", taxonomy),
        "catalog/vocabulary.yaml": dump("# yaml-language-server: $schema=../schema/vocabulary.schema.json\n"
                                        "# The terms of each tag set of catalog/list.yaml.\n", vocabulary),
        **{f"schema/{name}.schema.json": to_json(s).encode("utf-8") for name, s in schemas(settings).items()},
        **{f"catalog/{e.path}": entry_text(e, settings=settings).encode("utf-8") for e in entries},
        "README.md": readme.encode("utf-8"),
        "CONTRIBUTING.md": templates.contributing(folder).encode("utf-8"),
        ".pre-commit-config.yaml": templates.pre_commit_config().encode("utf-8"),
        WORKFLOW: templates.workflow().encode("utf-8"),
    }
    return files, summary


def _adopt(source: Path) -> tuple[Adoption, int]:
    from awesome_catalog.markdown.adopt import adopt
    from awesome_catalog.markdown.listdoc import read_list

    try:
        raw = source.read_bytes()
    except OSError as err:
        raise Refusal(f"cannot read {source}: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise Refusal(f"{source} is not UTF-8 text (byte {err.start:,}); nothing was written") from None
    adoption = adopt(read_list(text))
    for problem in adoption.problems:
        print(f"{source}:{problem.line}: {problem.message}", file=sys.stderr)
    if any(problem.kind == "binary" for problem in adoption.problems):
        raise Refusal(f"{source} holds NUL characters, as a binary file does; nothing was written", EXIT_PROBLEMS)
    if not adoption.entries:
        raise Refusal(f"{source} has no item to adopt (a bullet or a table row that starts with a link); "
                      "nothing was written", EXIT_PROBLEMS, "run init without --from to start an empty list")
    return adoption, len(adoption.problems)


def _starter() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], list[Entry], str]:
    """A list of one section and one example entry, for a maintainer to fill in."""
    from awesome_catalog import __url__
    from awesome_catalog.core.model import Appearance, Entry

    settings = {"items": {"bullet": "-", "separator": " - ", "markdown": True},
                "readme": {"notes": False, "figures": False, "back_links": False}}
    taxonomy = {"sections": [{"id": "tools", "title": "Tools", "description": "Software that does the job.\n",
                              "layout": "list", "columns": ["summary"], "items": True, "sort": "name"}]}
    example = Entry(id="awesome-catalog", path="items/awesome-catalog.yaml", kind="resource",
                    title="awesome-catalog", url=__url__, appearances=(Appearance("tools"),),
                    description="Keeps an awesome list as data, checks it and writes its README.")
    return settings, taxonomy, {}, [example], "items"


def _stage(staging: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = staging / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _verify(staging: Path) -> None:
    """Generate the staged README, then refuse if the staged list has any error."""
    from awesome_catalog.core.diagnostics import Severity
    from awesome_catalog.formats import report
    from awesome_catalog.load.pipeline import load_and_check
    from awesome_catalog.readme import regions, render

    staged = Project(staging)
    catalog, diagnostics = load_and_check(staged)
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if catalog is None or errors:
        report.write_text(errors, sys.stderr)
        raise Refusal("the list made from these files would not check clean; nothing was written", EXIT_PROBLEMS,
                      "this is a bug of init if the source is a well-formed list: please report it")
    text = staged.readme.read_text(encoding="utf-8")
    try:
        new = regions.render_readme(text, render.Listing.of(catalog), "README.md")
    except regions.MarkerError as err:
        report.write_text(err.diagnostics, sys.stderr)
        raise Refusal("the new README's markers are broken; nothing was written", EXIT_USAGE) from None
    staged.readme.write_text(new, encoding="utf-8")


def _move_into_place(staging: Path, target: Path, files: dict[str, bytes]) -> list[str]:
    """Move the staged files into ``target``: catalog/ and schema/ whole (replacing the
    old ones), the other files one by one, keeping a list's own CONTRIBUTING.md, hooks
    and workflow. On any failure, what was moved is put back. Returns what was moved."""
    import shutil

    plan = [*REPLACED_WITH_FORCE, *sorted({rel for rel in files if rel.split("/")[0] not in REPLACED_WITH_FORCE})]
    plan = [rel for rel in plan if not (rel in KEPT_IF_PRESENT and (target / rel).exists())]
    backup = staging / ".replaced"
    done: list[tuple[str, bool]] = []  # (path, whether the list's own was set aside), before the move
    made: list[Path] = []  # folders made for the new files, deepest last
    try:
        for rel in plan:
            destination = target / rel
            replaced = destination.exists()
            if replaced:
                (backup / rel).parent.mkdir(parents=True, exist_ok=True)
                destination.rename(backup / rel)
            done.append((rel, replaced))
            missing = [p for p in reversed(destination.parents) if p.is_relative_to(target) and not p.exists()]
            destination.parent.mkdir(parents=True, exist_ok=True)
            made += missing
            (staging / rel).rename(destination)
    except BaseException:
        for rel, replaced in reversed(done):
            destination = target / rel
            if destination.is_dir() and not destination.is_symlink():
                shutil.rmtree(destination)
            else:
                destination.unlink(missing_ok=True)
            if replaced:
                (backup / rel).rename(destination)
        for folder in reversed(made):
            folder.rmdir()
        raise
    return [rel for rel, _ in done]
