"""awesome-lint, the awesome-list ecosystem's own linter, on the READMEs `generate` writes.

awesome-lint is pinned in ``tests/awesome-lint/package.json`` (with its lock file) and
installed there by ``npm ci --prefix tests/awesome-lint`` (``.ci/run`` does it when node is
present); these tests skip, saying why, when node or the installed package is absent.

Each README is linted as a new user would lint it: a copy in an empty folder (with the
CONTRIBUTING.md it links to), so the rules about the repository rather than the file
cannot pass there and are left aside. awesome-lint's pretty output is for people; the
small reporter ``tests/awesome-lint/reporter.mjs`` prints every message as JSON instead.

The lists made by ``init --from`` from ``../shared/lists/`` (then ``check --fix`` and
``generate``) are compared with their originals, rule by rule; what remains of a look
init cannot keep yet is an ``xfail`` saying exactly what.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from awesome_catalog.core.project import Project
from awesome_catalog.load.loader import load_catalog
from awesome_catalog.markdown.adopt import link_identity
from awesome_catalog.markdown.listdoc import read_list
from test_listdoc import REAL_LISTS, items_in

REPO = Path(__file__).resolve().parent.parent
LINT = REPO / "tests" / "awesome-lint"
BIN = LINT / "node_modules" / ".bin" / "awesome-lint"
REPORTER = LINT / "reporter.mjs"
MINI = REPO / "tests" / "fixtures" / "mini"

REPOSITORY_RULES = frozenset({"awesome-github", "awesome-git-repo-age"})
"""Rules about the repository (a GitHub remote, its age), which a plain copy cannot pass."""


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not BIN.exists():
        return "awesome-lint is not installed: run `npm ci --prefix tests/awesome-lint`"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


@dataclass(frozen=True)
class Message:
    """One message of awesome-lint: its rule, where, whether it is an error, what it says."""

    rule: str
    line: int | None
    error: bool
    text: str

    def __str__(self) -> str:
        return f"{self.line}: {self.rule}: {self.text}"


def awesome_lint(readme: Path, folder: Path) -> list[Message]:
    """Every message awesome-lint gives on a copy of ``readme`` (and of the CONTRIBUTING.md
    beside it) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(readme, folder / "README.md")
    contributing = readme.parent / "CONTRIBUTING.md"
    if contributing.exists():
        shutil.copyfile(contributing, folder / "CONTRIBUTING.md")
    done = subprocess.run(["node", str(BIN), "README.md", "--reporter", str(REPORTER)], cwd=folder,
                          capture_output=True, text=True, timeout=120, check=False)
    # The reporter prints one line of JSON; anything else (a spinner, a warning) is not it.
    found = [line for line in done.stdout.splitlines() if line.startswith("[")]
    assert found, f"awesome-lint gave no report (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
    messages = [Message(m["rule"] or "", m["line"], m["fatal"] is True, m["message"]) for m in json.loads(found[-1])]
    assert (done.returncode != 0) == any(m.error for m in messages), done.stderr
    return messages


def errors(messages: list[Message], allowed: frozenset[str] = REPOSITORY_RULES) -> list[str]:
    """The errors that no rule about the repository explains, readably."""
    return [str(m) for m in messages if m.error and m.rule not in allowed]


def test_the_harness_reports_what_awesome_lint_finds(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Awesome Things\n\n| a | b |\n| - | - |\n| long cell | x |\n", encoding="utf-8")
    rules = {m.rule for m in awesome_lint(readme, tmp_path / "lint") if m.error}
    assert {"table-pipe-alignment", "awesome-badge", "awesome-contributing"} <= rules


@pytest.mark.parametrize("readme", [REPO / "README.md", MINI / "README.md"], ids=["awesome-mi", "mini"])
def test_generated_readme_passes_awesome_lint(readme: Path, tmp_path: Path) -> None:
    # The READMEs are generated (test_generate and test_quickstart keep them up to date).
    assert Project(readme.parent).readme == readme
    assert errors(awesome_lint(readme, tmp_path / "lint")) == []


# --- lists made by `init --from` from the real lists of ../shared/lists/ ---

ITEM_RULES = frozenset({"awesome-list-item", "no-repeat-item-in-description", "awesome-spell-check"})
"""awesome-lint's rules about one item, which ``check`` reports on the entry file first."""
ITEM_CODES = frozenset({"W303", "W304", "W305"})
SHARED_LISTS = [name for name in REAL_LISTS if name != "seed"]  # the seed is tables: not an awesome-lint list
@dataclass(frozen=True)
class Adopted:
    """A real list, the list init made from it, and what check said before ``--fix``."""

    source: Path
    root: Path
    diagnostics: list[dict[str, Any]]


@pytest.fixture(scope="module")
def adopted_lists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Adopted]:
    return {}


def adopted(name: str, made: dict[str, Adopted], tmp_path_factory: pytest.TempPathFactory) -> Adopted:
    """``init --from`` the real list ``name``, ``check`` (kept), ``check --fix``, ``generate``."""
    source = REAL_LISTS[name]
    if not source.is_file():
        pytest.skip(f"the real list {source.name} of ../shared/ is not beside the repository")
    if name not in made:
        root = tmp_path_factory.mktemp(name) / "list"
        tool = [sys.executable, "-m", "awesome_catalog"]

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([*tool, *args], cwd=root, capture_output=True, text=True, timeout=300, check=False)

        root.mkdir()
        done = run("init", "--from", str(source))
        assert done.returncode == 0, done.stderr
        checked = run("check", "--no-cache", "--format", "json")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        run("check", "--fix")  # exits 1: the fixes leave the README stale until generate
        assert run("generate").returncode == 0
        assert run("check", "--no-cache").returncode == 0
        made[name] = Adopted(source, root, json.loads(checked.stdout)["diagnostics"])
    return made[name]


@pytest.fixture(scope="module")
def lint_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], list[Message]]:
    return {}


def lint_of(name: str, which: str, runs: dict[tuple[str, str], list[Message]], made: dict[str, Adopted],
            tmp_path_factory: pytest.TempPathFactory) -> list[Message]:
    """awesome-lint's messages on the ``original`` README of the real list ``name``, or
    on the README of the list ``made`` from it; each run once."""
    if (name, which) not in runs:
        readme = REAL_LISTS[name] if which == "original" else adopted(name, made, tmp_path_factory).root / "README.md"
        runs[name, which] = awesome_lint(readme, tmp_path_factory.mktemp(f"{name}-{which}"))
    return runs[name, which]


def by_rule(messages: list[Message]) -> Counter[str]:
    return Counter(m.rule for m in messages if m.error and m.rule not in REPOSITORY_RULES)


@pytest.mark.parametrize("name", SHARED_LISTS)
def test_a_list_made_by_init_adds_no_awesome_lint_error(name: str, adopted_lists: dict[str, Adopted],
                                                        lint_runs: dict[tuple[str, str], list[Message]],
                                                        tmp_path_factory: pytest.TempPathFactory) -> None:
    """``init``, ``check --fix``, ``generate``: no rule counts more errors than on the original."""
    before = by_rule(lint_of(name, "original", lint_runs, adopted_lists, tmp_path_factory))
    after = by_rule(lint_of(name, "made", lint_runs, adopted_lists, tmp_path_factory))
    assert {rule: (before[rule], n) for rule, n in after.items() if n > before[rule]} == {}


SEPARATOR = "separated"
"""awesome-lint's messages on the separator between link and description (an en dash, no
dash): the data has no separator to name, since generate writes the list's own; those
must be gone from the README generate writes instead."""


@pytest.mark.parametrize("name", SHARED_LISTS)
def test_check_names_on_the_entry_file_every_item_error_of_the_original(
        name: str, adopted_lists: dict[str, Adopted], lint_runs: dict[tuple[str, str], list[Message]],
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each awesome-lint error of an item rule on an item of the original is a W303, W304
    or W305 of ``check`` on that item's entry file, in the list init made (before ``--fix``)."""
    made = adopted(name, adopted_lists, tmp_path_factory)
    original = read_list(made.source.read_text(encoding="utf-8"))
    items = {i.line: i for _, item in original.walk() for i in items_in([item]) if i.url}
    catalog = load_catalog(Project(made.root)).catalog
    assert catalog is not None
    files = {link_identity(e.url): e.path for e in catalog.entries}
    named = {(d["path"], d["code"]) for d in made.diagnostics}
    found = [m for m in lint_of(name, "original", lint_runs, adopted_lists, tmp_path_factory)
             if m.error and m.rule in ITEM_RULES and m.line in items]
    assert found  # each real list breaks some item rule
    missed = [str(m) for m in found if SEPARATOR not in m.text
              and not any((files.get(link_identity(items[m.line].url)), code) in named for code in ITEM_CODES)]
    assert missed == []
    separators = {m.text for m in found if SEPARATOR in m.text}
    after = lint_of(name, "made", lint_runs, adopted_lists, tmp_path_factory)
    assert [str(m) for m in after if m.text in separators] == []
