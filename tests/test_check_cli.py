"""`awesome-catalog check` as people and machines meet it: formats, colour, PATHs, cache."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from awesome_catalog.cli import main
from awesome_catalog.core.project import Project
from awesome_catalog.formats import report

BROKEN_TERM = """title: A Work With a Misspelt Term
url: https://example.org/misspelt
year: 2023
sections:
  - section: methods
    techniques: [logit-lense]
    summary: Uses a technique whose id is misspelt, to be caught by the check.
authors: [Ann Example]
"""
MISSING_TITLE = """url: https://example.org/no-title
year: 2023
sections:
  - section: universality
    summary: A work without a title, to be caught by the schema.
"""


@pytest.fixture
def broken(mini: Project) -> Project:
    papers = mini.catalog_dir / "papers"
    (papers / "misspelt.yaml").write_text(BROKEN_TERM, encoding="utf-8")
    (papers / "no-title.yaml").write_text(MISSING_TITLE, encoding="utf-8")
    return mini


def _check(project: Project, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--root", str(project.root), "check", "--no-cache", *args])
    return code, capsys.readouterr().out


def test_text_format_names_file_line_column_code_and_hint(broken: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _check(broken, capsys)
    assert code == 1
    assert "catalog/papers/misspelt.yaml:6:18: E302 techniques term `logit-lense` is not in the vocabulary\n" \
           "  hint: did you mean `logit-lens`?" in out
    assert re.search(r"^catalog/papers/no-title\.yaml:1:1: E201 missing required key `title`", out, re.M)
    assert out.rstrip().endswith("2 errors in 2 files")
    assert "\033[" not in out  # not a terminal: no colour


def test_github_format_annotates_the_pull_request(broken: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _check(broken, capsys, "--format", "github")
    assert code == 1
    assert ("::error file=catalog/papers/misspelt.yaml,line=6,col=18,title=E302 unknown-term::"
            "techniques term `logit-lense` is not in the vocabulary%0Adid you mean `logit-lens`?") in out


def test_json_format_is_machine_readable(broken: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _check(broken, capsys, "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["version"] == 1
    assert {(d["path"], d["line"], d["code"], d["severity"]) for d in doc["diagnostics"]} == {
        ("catalog/papers/misspelt.yaml", 6, "E302", "error"),
        ("catalog/papers/no-title.yaml", 1, "E201", "error"),
    }


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("choice", "no_color", "expected"), [
    ("auto", False, True), ("auto", True, False), ("always", False, True), ("always", True, False),
    ("never", False, False),
])
def test_colour_only_on_a_terminal_and_never_with_no_color(choice: str, no_color: bool, expected: bool,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    assert report.use_color(_Terminal(), choice) is expected
    assert report.use_color(io.StringIO(), "auto") is False


def test_paths_limit_file_level_checks_but_not_cross_file_ones(broken: Project,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    only = str(broken.catalog_dir / "papers" / "no-title.yaml")
    code, out = _check(broken, capsys, "--format", "json", only)
    codes = {(d["path"], d["code"]) for d in json.loads(out)["diagnostics"]}
    # the unknown term is a cross-file rule (the vocabulary), so it is still reported
    assert codes == {("catalog/papers/no-title.yaml", "E201"), ("catalog/papers/misspelt.yaml", "E302")}
    assert code == 1


def test_strict_turns_warnings_into_failures(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    taxonomy = mini.taxonomy_file.read_text(encoding="utf-8")
    mini.taxonomy_file.write_text(taxonomy + "  - id: empty\n    title: Empty\n    columns: [summary]\n",
                                  encoding="utf-8")
    assert main(["--root", str(mini.root), "generate"]) == 0
    assert _check(mini, capsys)[0] == 0
    assert _check(mini, capsys, "--strict")[0] == 1


def test_the_cache_notices_a_changed_file_and_a_changed_schema(mini: Project, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AWESOME_CATALOG_CACHE_DIR", str(tmp_path / "cache"))
    root = ["--root", str(mini.root), "check", "--format", "json"]

    def codes() -> set[str]:
        main(root)
        return {d["code"] for d in json.loads(capsys.readouterr().out)["diagnostics"]}

    assert codes() == set()
    assert codes() == set()  # from the cache
    entry = mini.catalog_dir / "papers" / "induction-heads.yaml"
    entry.write_text(entry.read_text(encoding="utf-8").replace("year: 2022", "year: 2022\nvenu: X"),
                     encoding="utf-8")
    assert codes() == {"E202"}  # the edited file is read again
    entry.write_text(entry.read_text(encoding="utf-8").replace("\nvenu: X", ""), encoding="utf-8")
    assert codes() == set()
    schema = mini.schema_file("entry")
    schema.write_text(schema.read_text(encoding="utf-8").replace('"required": ["title", "url", "sections"]',
                                                                  '"required": ["title", "url", "sections", "venue"]'),
                      encoding="utf-8")
    assert "E201" in codes()  # a changed schema re-checks every file
    assert not list(mini.root.rglob("*.cache")) and not (mini.root / ".awesome-catalog-cache").exists()


CHANGES = {
    "a new file repeats a cached work's title": ("catalog/papers/again.yaml", MISSING_TITLE.replace(
        "url:", "title: In-context Learning and Induction Heads\nurl:")),
    "a new file repeats a cached summary": ("catalog/papers/again.yaml", MISSING_TITLE.replace(
        "url:", "title: Another Work\nurl:").replace("A work without a title, to be caught by the schema.",
                                                     "The same induction mechanism forms in models of many sizes.")),
    "a cached work's section is renamed away": ("catalog/papers/induction-heads.yaml", None),
    "the README is edited by hand": ("README.md", None),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_check_from_the_cache_finds_what_a_fresh_check_finds(change: str, mini: Project, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AWESOME_CATALOG_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["--root", str(mini.root), "check"]) == 0  # fills the cache
    capsys.readouterr()
    rel, text = CHANGES[change]
    target = mini.root / rel
    if text is None:
        old = target.read_text(encoding="utf-8")
        text = old.replace("section: universality", "section: heads-x") if rel.endswith(".yaml") else \
            old.replace("The same induction mechanism", "An edited induction mechanism")
        assert text != old
    target.write_text(text, encoding="utf-8")

    def found(*extra: str) -> list[tuple[str, int, str]]:
        code = main(["--root", str(mini.root), "check", "--format", "json", *extra])
        out = json.loads(capsys.readouterr().out)
        assert code == 1
        return sorted((d["path"], d["line"], d["code"]) for d in out["diagnostics"])

    fresh = found("--no-cache")
    assert fresh and found() == fresh


def test_a_check_right_after_generate_reuses_what_generate_verified(mini: Project, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AWESOME_CATALOG_CACHE_DIR", str(tmp_path / "cache"))
    root = ["--root", str(mini.root)]
    (mini.catalog_dir / "papers" / "counting.yaml").write_text(
        BROKEN_TERM.replace("logit-lense", "logit-lens").replace("misspelt", "counting"), encoding="utf-8")
    assert main([*root, "generate"]) == 0
    capsys.readouterr()
    import awesome_catalog.load.loader

    def no_loading(*_: object, **__: object) -> None:
        raise AssertionError("the catalog was loaded again")

    monkeypatch.setattr(awesome_catalog.load.loader, "load_catalog", no_loading)
    assert main([*root, "check", "--format", "json"]) == 0
    reused = json.loads(capsys.readouterr().out)
    monkeypatch.undo()
    assert main([*root, "check", "--no-cache", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == reused


@pytest.mark.parametrize(("flag", "env", "shown"), [([], None, False), (["--traceback"], None, True),
                                                    ([], "1", True), ([], "0", False)])
def test_an_internal_error_shows_its_traceback_only_when_asked(
        mini: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        flag: list[str], env: str | None, shown: bool) -> None:
    from awesome_catalog.commands import check

    def broken(*_: object) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr(check, "run", broken)
    if env is not None:
        monkeypatch.setenv("AWESOME_CATALOG_TRACEBACK", env)
    assert main([*flag, "--root", str(mini.root), "check"]) == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: a bug" in err
    assert ("Traceback (most recent call last)" in err) is shown
