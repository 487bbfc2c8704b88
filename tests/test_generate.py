"""`awesome-catalog generate`: the golden README, idempotence, line endings, refusals,
`--check`, and the atomic write."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from awesome_catalog.cli import main
from awesome_catalog.core.project import Project
from awesome_catalog.load.pipeline import run_check
from awesome_catalog.readme import regions

GOLDEN = Path(__file__).resolve().parent / "golden" / "mini-README.md"
EMPTY = {"taxonomy": "", "toc": "", "sections": ""}


def generate(project: Project, *args: str) -> int:
    return main(["--root", str(project.root), "generate", *args])


def emptied(text: str) -> str:
    """``text`` with every generated region emptied, hand-written text untouched."""
    return regions.splice(text, EMPTY)


def test_golden_readme(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    golden = GOLDEN.read_bytes()
    mini.readme.write_bytes(emptied(golden.decode("utf-8")).encode("utf-8"))
    assert generate(mini) == 0
    assert capsys.readouterr().out == "README.md updated\n"
    assert mini.readme.read_bytes() == golden


def test_shipped_mini_readme_is_up_to_date(mini: Project) -> None:
    result = run_check(mini)
    assert result.diagnostics == [] and result.diff is None


def test_generate_twice_changes_nothing(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    mini.readme.write_text(emptied(mini.readme.read_text(encoding="utf-8")), encoding="utf-8")
    assert generate(mini) == 0
    first = mini.readme.read_bytes()
    before = mini.readme.stat()
    capsys.readouterr()
    assert generate(mini) == 0
    assert capsys.readouterr().out == "README.md already up to date\n"
    after = mini.readme.stat()
    assert mini.readme.read_bytes() == first
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_crlf_readme_stays_crlf(mini: Project) -> None:
    golden = GOLDEN.read_text(encoding="utf-8")
    crlf = emptied(golden).replace("\n", "\r\n")
    mini.readme.write_bytes(crlf.encode("utf-8"))
    assert generate(mini) == 0
    result = mini.readme.read_bytes()
    assert result == golden.replace("\n", "\r\n").encode("utf-8")
    assert result.count(b"\n") == result.count(b"\r\n")


BEGIN, END = regions.marker("begin", "toc"), regions.marker("end", "toc")
BROKEN: dict[str, tuple[Callable[[str], str], str, str]] = {
    "missing": (lambda t: t.replace(END + "\n", ""), BEGIN, "E403"),
    "repeated": (lambda t: t + BEGIN + "\n", BEGIN, "E404"),  # reported at the second one
    "reversed": (lambda t: t.replace(BEGIN, "@").replace(END, BEGIN).replace("@", END), END, "E405"),
    "in-code-block": (lambda t: t.replace(BEGIN, f"```\n{BEGIN}\n```"), BEGIN, "E408"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_markers_refuse_and_write_nothing(mini: Project, capsys: pytest.CaptureFixture[str],
                                                 case: str) -> None:
    edit, marker, code = BROKEN[case]
    text = edit(emptied(mini.readme.read_text(encoding="utf-8")))
    mini.readme.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    line = len(lines) - lines[::-1].index(marker) if code == "E404" else lines.index(marker) + 1
    for args in ((), ("--check",)):
        assert generate(mini, *args) == 1
        err = capsys.readouterr().err
        assert f"README.md:{line}:1: {code} " in err
        assert "README.md not written: fix its markers first" in err
        assert mini.readme.read_text(encoding="utf-8") == text


def test_catalog_errors_refuse_and_write_nothing(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    paper = mini.catalog_dir / "papers" / "ioi-circuit.yaml"
    paper.write_text(paper.read_text(encoding="utf-8").replace("section: heads", "section: nowhere"),
                     encoding="utf-8")
    before = mini.readme.read_bytes()
    assert generate(mini) == 1
    err = capsys.readouterr().err
    assert "catalog/papers/ioi-circuit.yaml:" in err and "E301" in err
    assert "fix the catalog first" in err
    assert mini.readme.read_bytes() == before


def test_missing_readme_is_refused(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    mini.readme.unlink()
    assert generate(mini) == 1
    assert "E401" in capsys.readouterr().err
    assert not mini.readme.exists()


def test_check_prints_the_diff_and_writes_nothing(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert generate(mini, "--check") == 0
    assert capsys.readouterr().out == "README.md is up to date\n"
    stale = emptied(mini.readme.read_text(encoding="utf-8"))
    mini.readme.write_text(stale, encoding="utf-8")
    assert generate(mini, "--check") == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("--- a/README.md\n+++ b/README.md\n@@ ")
    assert "+## Contents\n" in captured.out
    assert "README.md is stale" in captured.err
    assert mini.readme.read_text(encoding="utf-8") == stale


def test_failed_write_leaves_the_old_readme(mini: Project, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    stale = emptied(mini.readme.read_text(encoding="utf-8")).encode("utf-8")
    mini.readme.write_bytes(stale)
    files = sorted(os.listdir(mini.root))

    def fail(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    assert generate(mini) == 2
    assert "cannot write README.md" in capsys.readouterr().err
    assert mini.readme.read_bytes() == stale
    assert sorted(os.listdir(mini.root)) == files


def test_write_keeps_the_file_mode(mini: Project) -> None:
    mini.readme.write_text(emptied(mini.readme.read_text(encoding="utf-8")), encoding="utf-8")
    mini.readme.chmod(0o640)
    assert generate(mini) == 0
    assert stat.S_IMODE(mini.readme.stat().st_mode) == 0o640


def test_lint_exceptions_come_from_the_list_settings(mini: Project) -> None:
    # With catalog/list.yaml: awesome-lint's own markers around the generated sections, for the
    # rules named there only, next to the visible reason.
    assert generate(mini) == 0
    text = mini.readme.read_text(encoding="utf-8")
    assert re.findall(r"<!--\s*lint (\w+)(.*?)-->", text) == [("disable", " double-link"), ("enable", " double-link")]
    assert "rule `double-link` is turned off in this part of the README: a work appears" in text
    # Without the setting, the default: no rule is turned off.
    settings = mini.list_file.read_text(encoding="utf-8")
    mini.list_file.write_text(settings[settings.index("\n# The sets"):], encoding="utf-8")
    assert generate(mini) == 0
    assert "<!--lint" not in mini.readme.read_text(encoding="utf-8")
