"""``awesome-catalog new``: the file it writes, the ids it derives, and when it refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from awesome_catalog import cli
from awesome_catalog.core.diagnostics import Refusal
from awesome_catalog.core.identity import entry_id
from awesome_catalog.core.project import Project
from awesome_catalog.entries.draft import create


def new(project: Project, *args: str) -> int:
    return cli.main(["--root", str(project.root), "new", *args])


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_new_entry_fails_check_only_on_its_placeholder(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["Progress measures for grokking via mechanistic interpretability", "--section", "heads",
            "--url", "https://arxiv.org/pdf/2301.05217v3", "--year", "2023"]
    assert new(mini, *args) == 0
    out = capsys.readouterr().out
    rel = "catalog/papers/progress-measures-for-grokking-via-mechanistic.yaml"
    assert f"created {rel}" in out
    assert all(step in out for step in ("awesome-catalog generate", "awesome-catalog check", "commit"))
    assert cli.main(["--root", str(mini.root), "check", "--no-cache", "--format", "json"]) == 1
    found = [(d["path"], d["code"]) for d in json.loads(capsys.readouterr().out)["diagnostics"]]
    assert found == [(rel, "W302"), (rel, "E311")]  # the placeholder fails; the missing authors only warn
    data = yaml.safe_load((mini.root / rel).read_text(encoding="utf-8"))
    assert (data["url"], data["arxiv"], data["year"]) == ("https://arxiv.org/abs/2301.05217", "2301.05217", 2023)


def test_the_file_starts_with_the_schema_modeline_and_names_some_terms(mini: Project) -> None:
    assert new(mini, "A tool", "--tool", "--section", "tools", "--url", "https://example.org/tool") == 0
    assert new(mini, "A method", "--section", "methods", "--url", "https://example.org/method") == 0
    tool = (mini.catalog_dir / "tools" / "tool.yaml").read_text(encoding="utf-8")
    method = (mini.catalog_dir / "papers" / "method.yaml").read_text(encoding="utf-8")
    modeline = "# yaml-language-server: $schema=../../schema/entry.schema.json"
    assert tool.splitlines()[0] == method.splitlines()[0] == modeline
    assert "techniques" not in tool and "year" not in tool
    terms = "logit-lens, activation-patching, visualization"
    assert f"# techniques: ids from catalog/vocabulary.yaml, e.g. {terms}" in method
    assert "evaluation" not in method  # the section does not show it


@pytest.mark.parametrize(
    "title",
    ['Circuits: a "zoom in"', "It's #1 - or is it?", "- leading dash", "yes", "2023", "[bracketed] {braced}",
     "Ünïcode — “quotes” & more", "tab\tand  spaces", "@at %percent `tick`", "a: b # c"],
)
def test_titles_round_trip(mini: Project, title: str) -> None:
    assert new(mini, title, "--section", "methods", "--url", "https://example.org/x") == 0
    (path,) = [p for p in (mini.catalog_dir / "papers").iterdir() if p.name not in {
        "induction-heads.yaml", "ioi-circuit.yaml", "logit-lens-post.yaml"}]
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["title"] == " ".join(title.split())


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Attention Is All You Need", "attention-is-all-you-need"),
        ("Interpretability in the Wild: a Circuit for Indirect Object Identification in GPT-2 small",
         "interpretability-in-the-wild"),
        ("Towards Monosemanticity: Decomposing Language Models With Dictionary Learning",
         "towards-monosemanticity"),
        ("Ünïcode Façade", "unicode-facade"),
        ("../../etc/passwd", "etc-passwd"),
        ("..", "entry"),
        ("!!!", "entry"),
        ("x" * 100, "x" * 50),
        ("A Mathematical Framework for Transformer Circuits", "mathematical-framework-for-transformer-circuits"),
    ],
)
def test_ids_are_short_safe_and_never_empty(title: str, expected: str) -> None:
    assert entry_id(title) == expected


def test_a_title_that_looks_like_a_path_stays_inside_the_catalog(mini: Project) -> None:
    assert new(mini, "../../../etc/passwd", "--section", "methods", "--url", "https://example.org/p") == 0
    assert (mini.catalog_dir / "papers" / "etc-passwd.yaml").is_file()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["A work", "--section", "heads"], 2, "--url"),
        (["A work", "--url", "https://example.org/w"], 2,
         "sections that hold items: methods, heads, universality, tools"),
        (["A work", "--section", "head", "--url", "https://example.org/w"], 2, "did you mean `heads`?"),
        (["A work", "--section", "results", "--url", "https://example.org/w"], 2, "subsections: heads, universality"),
        (["   ", "--section", "heads", "--url", "https://example.org/w"], 2, "the title is empty"),
        (["A work", "--section", "heads", "--url", "ftp://example.org/w"], 2, "E206"),
        (["A work", "--section", "heads", "--url", "https://example.org/w", "--year", "3000"], 2, "E204"),
        (["In-context learning and induction heads (NeurIPS'22)", "--section", "heads", "--url",
          "https://example.org/w"], 1, "induction-heads.yaml shares the title"),
        (["Another title", "--section", "heads", "--url", "https://arxiv.org/pdf/2211.00593v3"], 1,
         "ioi-circuit.yaml shares arXiv 2211.00593"),
        (["Another title", "--section", "heads", "--url", "http://openreview.net/forum?id=NpsVSN6o4ul"], 1,
         "ioi-circuit.yaml shares the link"),
        (["Hand written", "--section", "heads", "--url", "https://example.org/w"], 1,
         "catalog/papers/hand-written.yaml already exists"),
        (["Hand tool", "--section", "heads", "--url", "https://example.org/w"], 1,
         "catalog/tools/hand-tool.yaml already exists"),
    ],
)
def test_new_refuses_and_writes_nothing(mini: Project, capsys: pytest.CaptureFixture[str], args: list[str],
                                        code: int, message: str) -> None:
    (mini.catalog_dir / "papers" / "hand-written.yaml").write_text("# notes, not yet an entry\n", encoding="utf-8")
    (mini.catalog_dir / "tools" / "hand-tool.yaml").write_text("title: [unfinished\n", encoding="utf-8")
    before = snapshot(mini.root)
    assert new(mini, *args) == code
    assert message in capsys.readouterr().err
    assert snapshot(mini.root) == before


def test_create_never_replaces_a_file(tmp_path: Path) -> None:
    target = tmp_path / "work.yaml"
    target.write_text("hand-written\n", encoding="utf-8")
    with pytest.raises(Refusal, match="appeared meanwhile"):
        create(target, "title: generated\n")
    assert [p.name for p in tmp_path.iterdir()] == ["work.yaml"]
    assert target.read_text(encoding="utf-8") == "hand-written\n"
