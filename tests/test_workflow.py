"""GitHub files: every workflow (ours, and the one ``awesome-catalog init`` writes into a
new list) validates against GitHub's schema, passes zizmor's security audit, grants
read-only permissions and pins its actions by commit to their current releases; the
issue form validates and offers the taxonomy's sections.

The tools are test dependencies (the ``test`` extra); a missing one fails the test.
Each check is also run on a bad example under ``tests/precommit/workflows/`` so that
it is known to fail when it should.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from awesome_catalog import cli
from awesome_catalog.core.model import Taxonomy

REPO = Path(__file__).resolve().parent.parent
GITHUB = REPO / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.y*ml"))
ISSUE_FORMS = sorted(p for p in (GITHUB / "ISSUE_TEMPLATE").glob("*.y*ml") if p.stem != "config")
BAD = Path(__file__).resolve().parent / "precommit" / "workflows"
INIT = "init"
"""Stands for the workflow ``awesome-catalog init`` writes into a new list."""
ALL_WORKFLOWS = [*WORKFLOWS, INIT]


def executable(name: str) -> str:
    """The test dependency ``name``: beside this Python first, then on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: run pip install -e '.[test]'")
    return found


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def schema_check(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    return run(executable("check-jsonschema"), "--builtin-schema", schema, str(path))


def zizmor(path: Path) -> subprocess.CompletedProcess[str]:
    """zizmor's offline audits with its default persona; exit 0 means no finding,
    1 an error, 3 an input it could not read, 10-14 findings by highest severity."""
    return run(executable("zizmor"), "--offline", "--no-progress", str(path))


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write_permissions(workflow: Any) -> list[str]:
    """The workflow-level permissions that are not read-only (``write-all`` counts)."""
    granted = workflow.get("permissions", "missing")
    if isinstance(granted, dict):
        return [f"{scope}: {level}" for scope, level in granted.items() if level != "read" and level != "none"]
    return [] if granted == "read-all" else [f"permissions: {granted}"]


@pytest.fixture(scope="module")
def init_workflow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workflow of a list made by ``awesome-catalog init``."""
    root = tmp_path_factory.mktemp("init") / "list"
    assert cli.main(["init", str(root)]) == 0
    return root / ".github" / "workflows" / "awesome-catalog.yml"


@pytest.fixture(params=ALL_WORKFLOWS, ids=lambda p: p if p == INIT else p.name)
def workflow(request: pytest.FixtureRequest) -> Path:
    path: Path = request.getfixturevalue("init_workflow") if request.param == INIT else request.param
    return path


def test_there_are_workflows() -> None:
    assert any(p.name == "ci.yml" for p in WORKFLOWS)


def test_workflow_matches_github_schema(workflow: Path) -> None:
    result = schema_check("vendor.github-workflows", workflow)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_passes_zizmor(workflow: Path) -> None:
    result = zizmor(workflow)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_permissions_are_read_only(workflow: Path) -> None:
    """Least privilege: the workflow-wide token reads; a job that must write says so itself."""
    assert write_permissions(load(workflow)) == []


@pytest.mark.parametrize(
    ("bad", "check", "expected"),
    [
        ("missing-runs-on.yml", "schema", "'runs-on' is a required property"),
        ("template-injection.yml", "zizmor", "template-injection"),
        ("template-injection.yml", "zizmor", "artipacked"),
        ("unpinned.yml", "zizmor", "unpinned-uses"),
    ],
)
def test_bad_workflows_are_rejected(bad: str, check: str, expected: str) -> None:
    path = BAD / bad
    result = schema_check("vendor.github-workflows", path) if check == "schema" else zizmor(path)
    assert result.returncode != 0
    assert expected in result.stdout + result.stderr


def test_write_all_is_not_read_only() -> None:
    assert write_permissions(load(BAD / "write-all.yml")) == ["permissions: write-all"]


@pytest.mark.parametrize("path", ISSUE_FORMS, ids=lambda p: p.name)
def test_issue_form_matches_github_schema(path: Path) -> None:
    result = schema_check("vendor.github-issue-forms", path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_suggest_a_paper_offers_the_taxonomy_leaf_sections() -> None:
    """The form's Section dropdown lists the sections that have a table, in reading order."""
    form = load(GITHUB / "ISSUE_TEMPLATE" / "suggest-a-paper.yml")
    fields = {item.get("id"): item for item in form["body"]}
    assert {"title", "url", "section", "techniques", "why"} <= fields.keys()
    taxonomy = Taxonomy.from_data(load(REPO / "catalog" / "taxonomy.yaml"))
    leaves = [s.title for s in taxonomy.walk() if s.columns]
    assert fields["section"]["attributes"]["options"] == leaves


PINS = REPO.parent / "shared" / "actions-pins.md"
_USES = re.compile(r"^\s*(?:-\s*)?uses:\s*([\w.-]+/[\w./-]+)@([0-9a-f]{40})\s*#\s*(v[\d.]+)\s*$", re.M)


def current_pins() -> dict[str, tuple[str, str]]:
    """action -> (commit, release) from ../shared/actions-pins.md's table; cache/restore and
    cache/save are the cache action's."""
    pins: dict[str, tuple[str, str]] = {}
    for row in PINS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.fullmatch(r"[0-9a-f]{40}", cells[2]):
            action = cells[0].split(" ")[0]
            pins[action] = (cells[2], cells[1])
            if action == "actions/cache":
                pins["actions/cache/restore"] = pins["actions/cache/save"] = (cells[2], cells[1])
    return pins


def test_actions_are_pinned_by_commit_to_their_current_release(workflow: Path) -> None:
    if not PINS.is_file():
        pytest.skip("../shared/actions-pins.md is absent (run beside shared/ to check the pins)")
    pins = current_pins()
    text = workflow.read_text(encoding="utf-8")
    used = _USES.findall(text)
    assert len(used) == text.count("uses:"), "every `uses:` is pinned by a full commit with its release in a comment"
    for action, commit, release in used:
        assert (commit, release) == pins[action], f"{action}@{commit} # {release}"
