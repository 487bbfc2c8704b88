"""Work grows no faster than the input: each kind of large input, at two sizes in one run.

Every command's time must be bounded by the size of its input. For each kind (terms in
one entry, sections in the taxonomy, authors, rows of the README, a long README, rows
to import) the same work is done at size n and 2n, and the CPU time of 2n must stay
under ``RATIO`` times that of n: linear growth gives 2, quadratic 4. Sizes are large
enough that the work, not the start-up, dominates. No wall-clock limit is asserted.

Times are taken through ``main``, as a user runs the tool (it pauses Python's garbage
collector, whose full passes would otherwise add a growing cost of their own), best of
``RUNS`` runs to keep noise from the shared machine out.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from awesome_catalog.cli import main
from awesome_catalog.core.project import Project
from awesome_catalog.load import yamlload
from awesome_catalog.load.loader import load_catalog
from awesome_catalog.markdown.importer import import_markdown
from conftest import make_project

RATIO = 3.5
RUNS = 3
HEAD = "# yaml-language-server: $schema=../../schema/entry.schema.json\n"


def _entry(root: Path, name: str, body: str, appearance: str) -> None:
    (root / "catalog/papers" / f"{name}.yaml").write_text(
        HEAD + body + "sections:\n  - section: heads\n" + appearance
        + "    summary: A summary that is long enough to pass the schema.\n", encoding="utf-8")


def _terms(root: Path, n: int) -> None:  # rules stage: every term unknown, each located
    items = ", ".join(f"unknown-term-{i}" for i in range(n))
    _entry(root, "many", "title: Many\nurl: https://example.org/many\n",
           f"    techniques: [{items}]\n    evaluation: []\n")


def _invalid_terms(root: Path, n: int) -> None:  # schema stage: every term of the wrong form
    items = ", ".join(f"Bad_{i}" for i in range(n))
    _entry(root, "many", "title: Many\nurl: https://example.org/many\n",
           f"    techniques: [{items}]\n    evaluation: []\n")


def _authors(root: Path, n: int) -> None:  # schema stage: every author a number
    items = ", ".join(str(i) for i in range(n))
    _entry(root, "many", f"title: Many\nurl: https://example.org/many\nauthors: [{items}]\n",
           "    techniques: []\n    evaluation: []\n")


def _sections(root: Path, n: int) -> None:  # every section located in the taxonomy, each unused
    taxonomy = root / "catalog/taxonomy.yaml"
    extra = "".join(f"  - id: extra-{i}\n    title: Extra {i}\n    columns: [summary]\n" for i in range(n))
    taxonomy.write_text(taxonomy.read_text(encoding="utf-8") + extra, encoding="utf-8")


def _rows(root: Path, n: int) -> None:  # n works in one section: n rows for the README to check
    for i in range(n):
        _entry(root, f"work-{i}", f"title: Work number {i}\nurl: https://example.org/w/{i}\n"
               "authors: [Ann Author, Bob Author]\n", "    techniques: [visualization]\n    evaluation: []\n")


def _readme(root: Path, n: int) -> None:  # a long hand-written README around the regions
    readme = root / "README.md"
    lines = "".join(f"Line {i} written by hand, with [a link](#methods) and some words.\n" for i in range(n))
    readme.write_text(readme.read_text(encoding="utf-8") + lines, encoding="utf-8")


CHECKED: dict[str, tuple[Callable[[Path, int], None], int, str | None]] = {
    # kind: (how to grow the mini list, n, a code expected n times at size n)
    "terms": (_terms, 3000, "E302"),
    "invalid-terms": (_invalid_terms, 1500, "E204"),
    "authors": (_authors, 3000, "E203"),
    "sections": (_sections, 1500, "W301"),
    "rows": (_rows, 600, None),
    "readme-size": (_readme, 20000, None),
}


def _check_cpu(root: Path) -> tuple[float, list[str]]:
    best, codes = float("inf"), []
    for _ in range(RUNS):
        out = io.StringIO()
        started = time.process_time()
        with contextlib.redirect_stdout(out):
            main(["--root", str(root), "check", "--no-cache", "--format", "json"])
        best = min(best, time.process_time() - started)
        codes = [d["code"] for d in json.loads(out.getvalue())["diagnostics"]]
    return best, codes


@pytest.mark.parametrize("kind", sorted(CHECKED))
def test_check_grows_linearly(kind: str, tmp_path: Path) -> None:
    grow, n, code = CHECKED[kind]
    times = []
    for size in (n, 2 * n):
        project = make_project(tmp_path / str(size))
        grow(project.root, size)
        cpu, codes = _check_cpu(project.root)
        if code is not None:  # the input really made the work it is meant to
            assert codes.count(code) >= size, (kind, size, codes[:5])
        times.append(cpu)
    assert times[1] < RATIO * times[0], f"{kind}: {times[0]:.3f}s for {n}, {times[1]:.3f}s for {2 * n}"


def test_import_grows_linearly(tmp_path: Path) -> None:
    project = make_project(tmp_path / "list")
    catalog = load_catalog(project).catalog
    assert catalog is not None

    def table(n: int) -> str:
        rows = "".join(f"| [Work number {i}](https://example.org/w/{i}) | Activation Patching | "
                       f"A summary of work {i}, long enough to be kept. |\n" for i in range(n))
        return "## Attention Heads\n\n| Paper | Techniques | Summary |\n| --- | --- | --- |\n" + rows

    times = []
    for size in (1000, 2000):
        text, best = table(size), float("inf")
        for _ in range(RUNS):
            started = time.process_time()
            result = import_markdown(text, catalog.vocabulary, catalog.taxonomy)
            best = min(best, time.process_time() - started)
        assert len(result.entries) == size
        times.append(best)
    assert times[1] < RATIO * times[0], f"import: {times[0]:.3f}s for 1000 rows, {times[1]:.3f}s for 2000"


def test_one_parse_per_file_however_many_problems(mini: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counting, not timing: 2,000 problems in one entry parse its text for positions once."""
    _terms(mini.root, 2000)
    built: list[int] = []
    original = yamlload.Positions.__init__

    def counting(self: yamlload.Positions, text: str) -> None:
        built.append(len(text))
        original(self, text)

    monkeypatch.setattr(yamlload.Positions, "__init__", counting)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["--root", str(mini.root), "check", "--no-cache", "--format", "json"])
    codes = [d["code"] for d in json.loads(out.getvalue())["diagnostics"]]
    assert codes.count("E302") == 2000
    assert len(built) <= 2, f"{len(built)} parses for positions"  # the entry, and the taxonomy's section ids
