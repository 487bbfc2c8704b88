"""pre-commit, run as a contributor runs it: the repository's own hooks
(``.pre-commit-config.yaml``) on a copy of this repository, and the hooks it publishes
for other lists (``.pre-commit-hooks.yaml``) through ``pre-commit try-repo`` on a small
list.

The tests marked ``slow`` build the hooks' environments from the package index, once
per test session, in a temporary ``PRE_COMMIT_HOME``; deselect them with
``-m "not slow"``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import make_project

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "precommit"
PRE_COMMIT = (sys.executable, "-m", "pre_commit")
TOOL = (sys.executable, "-m", "awesome_catalog")
CODE = re.compile(r": ([EW]\d{3}) ")
HOOK_STATUS = re.compile(r"^(?P<name>\S.*?)\.{3,}(?:\(.*\))?(?P<status>Passed|Failed|Skipped)$", re.MULTILINE)
CHECK_HOOK = "awesome-catalog check"


@dataclass(frozen=True)
class Run:
    """What a command did: its exit status and its output (stdout and stderr together)."""

    returncode: int
    output: str

    @property
    def codes(self) -> list[str]:
        """The codes of the diagnostics the tool reported, one per diagnostic, sorted."""
        return sorted(CODE.findall(self.output))

    @property
    def hooks(self) -> dict[str, str]:
        """What pre-commit said of each hook, by name: Passed, Failed or Skipped."""
        return {m["name"]: m["status"] for m in HOOK_STATUS.finditer(self.output)}

    @property
    def failed_hooks(self) -> set[str]:
        return {name for name, status in self.hooks.items() if status == "Failed"}


def run(command: tuple[str, ...] | list[str], cwd: Path, env: dict[str, str]) -> Run:
    done = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=600, check=False)
    return Run(done.returncode, done.stdout)


def git(repo: Path, env: dict[str, str], *args: str) -> str:
    result = run(["git", *args], repo, env)
    assert result.returncode == 0, result.output
    return result.output


def commit_all(repo: Path, env: dict[str, str], message: str) -> None:
    git(repo, env, "add", "--all")
    git(repo, env, "commit", "--quiet", "--no-verify", "--message", message)


def new_repository(repo: Path, env: dict[str, str]) -> Path:
    """Make ``repo`` (already holding its files) a git repository with one commit."""
    git(repo, env, "-c", "init.defaultBranch=main", "init", "--quiet")
    commit_all(repo, env, "initial")
    return repo


def copy_of_this_repository(dest: Path, env: dict[str, str]) -> Path:
    """This repository's files (committed or not, minus the ignored ones) in a new repository."""
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO, env)
    assert listed.returncode == 0, listed.output
    for name in filter(None, listed.output.split("\0")):
        source = REPO / name
        if source.is_file():  # a file deleted but not yet committed is listed too
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return new_repository(dest, env)


@pytest.fixture(scope="session")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A clean environment: no git configuration but the test's, and one PRE_COMMIT_HOME
    for the whole session, so that each hook environment is built once."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT", "AWESOME_CATALOG"))}
    return {
        **clean,
        "PRE_COMMIT_HOME": str(home / "pre-commit"),
        "AWESOME_CATALOG_CACHE_DIR": str(home / "awesome-catalog"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test Contributor",
        "GIT_AUTHOR_EMAIL": "contributor@example.org",
        "GIT_COMMITTER_NAME": "Test Contributor",
        "GIT_COMMITTER_EMAIL": "contributor@example.org",
        "NO_COLOR": "1",
    }


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    """A committed copy of this repository, as another list's config would name it.

    ``try-repo`` of a clean repository uses its HEAD, so its environment is built once."""
    return copy_of_this_repository(tmp_path_factory.mktemp("published"), env)


# --- the configuration files themselves (fast) ---


def test_local_check_hook_installs_the_tools_runtime_dependencies() -> None:
    """pre-commit cannot install this repository into a local hook: the hook lists the
    tool's dependencies itself, and they must stay those of pyproject.toml."""
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert sorted(hooks["awesome-catalog-check"]["additional_dependencies"]) == sorted(project["dependencies"])


@pytest.mark.parametrize(("command", "path"), [("validate-config", ".pre-commit-config.yaml"),
                                               ("validate-manifest", ".pre-commit-hooks.yaml")])
def test_pre_commit_accepts_the_file(command: str, path: str) -> None:
    result = run([*PRE_COMMIT, command, path], REPO, dict(os.environ))
    assert result.returncode == 0, result.output


# --- the repository's own hooks, on a copy of the repository ---


def add_fixture(name: str) -> Callable[[Path, dict[str, str]], None]:
    def change(repo: Path, env: dict[str, str]) -> None:
        shutil.copy(FIXTURES / name, repo / "catalog" / "tools" / name)
    return change


def first_paper(repo: Path) -> Path:
    return sorted((repo / "catalog" / "papers").glob("*.yaml"))[0]


def add_trailing_spaces(repo: Path, env: dict[str, str]) -> None:
    path = first_paper(repo)
    path.write_text(path.read_text(encoding="utf-8").replace("\n", "   \n", 1), encoding="utf-8")


def use_crlf(repo: Path, env: dict[str, str]) -> None:
    path = first_paper(repo)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


def add_tab(repo: Path, env: dict[str, str]) -> None:
    path = first_paper(repo)
    path.write_text(path.read_text(encoding="utf-8") + "#\tindented with a tab\n", encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("change", "failed", "codes"),
    [
        pytest.param(None, set(), [], id="clean"),
        pytest.param(add_fixture("missing-title.yaml"), {CHECK_HOOK}, ["E201"], id="entry-without-title"),
        pytest.param(add_trailing_spaces, {"trim trailing whitespace in catalog/"}, [], id="trailing-spaces"),
        pytest.param(use_crlf, {"use LF line endings in catalog/"}, [], id="crlf"),
        pytest.param(add_tab, {"no tab characters in catalog/ YAML (indent with spaces)"}, [], id="tab"),
    ],
)
def test_local_hooks(tmp_path: Path, env: dict[str, str], change: Callable[[Path, dict[str, str]], None] | None,
                     failed: set[str], codes: list[str]) -> None:
    """``pre-commit run --all-files`` on a copy of the repository, after one change. One
    failing check is enough to show the hook's plumbing: tests/cases covers the codes."""
    repo = copy_of_this_repository(tmp_path / "repo", env)
    if change is not None:
        change(repo, env)
        git(repo, env, "add", "--all")
    result = run([*PRE_COMMIT, "run", "--all-files"], repo, env)
    assert (result.failed_hooks, result.codes) == (failed, codes), result.output
    assert result.hooks[CHECK_HOOK] in {"Passed", "Failed"}, result.output  # it ran
    assert result.returncode == (1 if failed else 0), result.output


@pytest.mark.slow
def test_local_fixers_restore_the_committed_file(tmp_path: Path, env: dict[str, str]) -> None:
    """The whitespace fixers undo the damage, and a second run passes."""
    repo = copy_of_this_repository(tmp_path / "repo", env)
    original = first_paper(repo).read_bytes()
    use_crlf(repo, env)
    add_trailing_spaces(repo, env)
    assert run([*PRE_COMMIT, "run", "--all-files"], repo, env).returncode == 1
    assert first_paper(repo).read_bytes() == original
    again = run([*PRE_COMMIT, "run", "--all-files"], repo, env)
    assert again.returncode == 0, again.output


@pytest.mark.slow
def test_installed_hook_refuses_a_broken_commit(tmp_path: Path, env: dict[str, str]) -> None:
    """With ``pre-commit install``, ``git commit`` of a malformed entry is refused with
    the tool's message at the file and line, and goes through once the entry is fixed."""
    repo = copy_of_this_repository(tmp_path / "repo", env)
    assert run([*PRE_COMMIT, "install"], repo, env).returncode == 0
    head = git(repo, env, "rev-parse", "HEAD")
    add_fixture("missing-title.yaml")(repo, env)
    git(repo, env, "add", "--all")
    refused = run(["git", "commit", "--message", "Add a tool"], repo, env)
    assert refused.returncode != 0
    assert re.search(r"catalog/tools/missing-title\.yaml:\d+:\d+: E201 ", refused.output), refused.output
    assert git(repo, env, "rev-parse", "HEAD") == head
    (repo / "catalog" / "tools" / "missing-title.yaml").unlink()
    git(repo, env, "add", "--all")
    assert run(["git", "commit", "--allow-empty", "--message", "Nothing to add"], repo, env).returncode == 0


# --- the published hooks, through try-repo, on a small list ---


@pytest.fixture
def small_list(tmp_path: Path, env: dict[str, str]) -> Path:
    """A small valid list (the ``mini`` fixture, with a generated README) in a new repository."""
    root = make_project(tmp_path / "list").root
    if not (root / "README.md").exists():
        pytest.fail("the mini fixture has no README.md")
    return new_repository(root, env)


def try_repo(published: Path, hook: str, repo: Path, env: dict[str, str]) -> Run:
    return run([*PRE_COMMIT, "try-repo", str(published), hook, "--all-files"], repo, env)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("hook", "change", "codes"),
    [
        pytest.param("check", None, [], id="check-clean"),
        pytest.param("check", add_fixture("missing-title.yaml"), ["E201"], id="check-entry-without-title"),
    ],
)
def test_published_hook(published: Path, small_list: Path, env: dict[str, str], hook: str,
                        change: Callable[[Path, dict[str, str]], None] | None, codes: list[str]) -> None:
    if change is not None:
        change(small_list, env)
        git(small_list, env, "add", "--all")
    result = try_repo(published, hook, small_list, env)
    assert result.hooks == {f"awesome-catalog {hook}": "Failed" if codes else "Passed"}, result.output
    assert result.codes == codes, result.output
    assert result.returncode == (1 if codes else 0), result.output


@pytest.mark.slow
def test_published_generate_rewrites_a_stale_readme(published: Path, small_list: Path, env: dict[str, str]) -> None:
    """Like a formatter: the first run rewrites README.md and fails, the second passes."""
    readme = small_list / "README.md"
    before = readme.read_text(encoding="utf-8")
    add_fixture("added-entry.yaml")(small_list, env)
    git(small_list, env, "add", "--all")
    first = try_repo(published, "generate", small_list, env)
    assert first.hooks == {"awesome-catalog generate": "Failed"}, first.output
    assert "files were modified by this hook" in first.output
    after = readme.read_text(encoding="utf-8")
    assert "A Made-Up Tool Added Without Regenerating the README" in after
    assert after != before
    git(small_list, env, "add", "--all")
    for hook in ("generate", "check"):
        again = try_repo(published, hook, small_list, env)
        assert (again.returncode, again.hooks) == (0, {f"awesome-catalog {hook}": "Passed"}), again.output
    assert readme.read_text(encoding="utf-8") == after


@pytest.fixture
def list_made_by_init(tmp_path: Path, env: dict[str, str]) -> Path:
    """A list made by ``awesome-catalog init`` (with its own .pre-commit-config.yaml), in a
    new repository."""
    root = tmp_path / "made"
    done = run([*TOOL, "init", str(root)], tmp_path, env)
    assert done.returncode == 0, done.output
    return new_repository(root, env)


@pytest.mark.slow
def test_published_hooks_work_on_a_list_made_by_init(published: Path, list_made_by_init: Path,
                                                     env: dict[str, str]) -> None:
    """The hooks the new list's configuration names pass on it as made, and catch a
    broken entry, through ``try-repo`` as on the list's first commit."""
    config = yaml.safe_load((list_made_by_init / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for repo in config["repos"] for hook in repo["hooks"]] == ["check", "generate"]
    for hook in ("check", "generate"):
        result = try_repo(published, hook, list_made_by_init, env)
        assert (result.returncode, result.hooks) == (0, {f"awesome-catalog {hook}": "Passed"}), result.output
    shutil.copy(FIXTURES / "missing-title.yaml", list_made_by_init / "catalog" / "items" / "missing-title.yaml")
    git(list_made_by_init, env, "add", "--all")
    result = try_repo(published, "check", list_made_by_init, env)
    assert (result.returncode, result.codes) == (1, ["E201"]), result.output
