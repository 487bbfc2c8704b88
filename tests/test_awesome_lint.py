"""awesome-lint, the awesome-list ecosystem's own linter, on the READMEs `generate` writes.

awesome-lint is pinned in ``tests/awesome-lint/package.json`` (with its lock file) and
installed there by ``npm ci --prefix tests/awesome-lint`` (``.ci/run`` does it when node is
present); these tests skip, saying why, when node or the installed package is absent.

Each README is linted as a new user would lint it: a copy in an empty folder (with the
CONTRIBUTING.md it links to), so the rules about the repository rather than the file
cannot pass there and are left aside. awesome-lint's pretty output is for people; the
small reporter ``tests/awesome-lint/reporter.mjs`` prints every message as JSON instead.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from awesome_catalog.core.project import Project

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
