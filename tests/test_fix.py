"""``check --fix``: the safe fixes made in the entry files, only the characters fixed.

Each row writes a summary of the mini list in some YAML form, runs ``check --fix`` and
compares the whole file after it byte for byte (comments, quotes and layout stay), or,
when the fix is uncertain, proves that nothing at all was written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from awesome_catalog.cli import main
from awesome_catalog.core.project import Project
from test_cases import snapshot

ENTRY = "catalog/papers/induction-heads.yaml"
LINE = "    summary: Heads that copy the token after an earlier match drive most in-context learning.\n"

FIXES = [
    ("plain", "    summary: heads copy tokens in javascript  # why\n",
     "    summary: Heads copy tokens in JavaScript.  # why\n"),
    ("single-quoted", "    summary: 'heads copy the token''s successor'\n",
     "    summary: 'Heads copy the token''s successor.'\n"),
    ("double-quoted", '    summary: "heads copy \\"the\\" token (as in github)"\n',
     '    summary: "Heads copy \\"the\\" token (as in GitHub)."\n'),
    ("folded", "    summary: >-\n      heads copy the token after\n      a match in typescript\n",
     "    summary: >-\n      Heads copy the token after\n      a match in TypeScript.\n"),
    ("literal", "    summary: |\n      heads copy the token after a match\n",
     "    summary: |\n      Heads copy the token after a match.\n"),
    ("capital and name at once", "    summary: github actions copy the token.\n",
     "    summary: GitHub Actions copy the token.\n"),
    ("nothing to fix after a colon", "    summary: Heads copy the token:\n", None),
    ("CRLF kept", "    summary: heads copy the token\r\n", "    summary: Heads copy the token.\r\n"),
]


def _with_summary(project: Project, line: str) -> Path:
    path = project.root / ENTRY
    text = path.read_text(encoding="utf-8")
    assert LINE in text
    path.write_bytes(text.replace(LINE, line).encode("utf-8"))
    return path


@pytest.mark.parametrize(("written", "fixed"), [row[1:] for row in FIXES], ids=[row[0] for row in FIXES])
def test_fix_changes_only_the_fixed_characters(mini: Project, written: str, fixed: str | None,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = _with_summary(mini, written)
    before = path.read_bytes()
    main(["--root", str(mini.root), "check", "--fix", "--no-cache"])
    err = capsys.readouterr().err
    expected = before if fixed is None else before.replace(written.encode(), fixed.encode())
    assert path.read_bytes() == expected
    if fixed is not None and fixed != written:
        assert f"{ENTRY}:10: summary:" in err
    # idempotent: a second run changes nothing
    main(["--root", str(mini.root), "check", "--fix", "--no-cache"])
    assert path.read_bytes() == expected
    assert "check --fix: 0 fixes in 0 files" in capsys.readouterr().err


def test_uncertain_fix_writes_nothing_at_all(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    # Another file has a sure fix; this one writes its name with an escape, so the place is not certain.
    _with_summary(mini, '    summary: "heads copy the token in java\\x73cript"\n')
    other = mini.root / "catalog/tools/circuitsvis.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("Interactive", "interactive"), encoding="utf-8")
    before = snapshot(mini.root)
    code = main(["--root", str(mini.root), "check", "--fix", "--no-cache", "--strict"])
    err = capsys.readouterr().err
    assert snapshot(mini.root) == before
    assert f"{ENTRY}:10: cannot fix" in err and "nothing was written" in err
    assert code == 1


def test_fixed_catalog_passes_check(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    _with_summary(mini, "    summary: heads copy the token in javascript, as on github\n")
    assert main(["--root", str(mini.root), "check", "--fix", "--no-cache", "--strict"]) == 1  # the README is stale
    assert "README.md" in capsys.readouterr().out
    assert main(["--root", str(mini.root), "generate"]) == 0
    assert main(["--root", str(mini.root), "check", "--strict", "--no-cache"]) == 0


def test_rules_turned_off_are_not_fixed(mini: Project) -> None:
    path = _with_summary(mini, "    summary: heads copy the token in javascript\n")
    (mini.root / "catalog/list.yaml").write_text("rules:\n  name-spelling: off\n", encoding="utf-8")
    main(["--root", str(mini.root), "check", "--fix", "--no-cache"])
    assert "    summary: Heads copy the token in javascript.\n" in path.read_text(encoding="utf-8")


def test_fix_limited_to_paths(mini: Project) -> None:
    path = _with_summary(mini, "    summary: heads copy the token\n")
    before = path.read_bytes()
    main(["--root", str(mini.root), "check", "--fix", "--no-cache", "catalog/tools"])
    assert path.read_bytes() == before
