"""The corpus of broken lists under tests/cases/: every case through main(), once.

Each case folder holds ``case.yaml`` (what to change in the mini list, the expected exit
code and diagnostics as ``[path, line, code]``, the path as reporters show it, escaped;
line ``ANY`` means any line) and an optional ``tree/`` copied over the mini list. The
changes are applied in this order: ``tree/``, ``delete``, ``mkdir`` (empty folders),
``edit``, ``make``, ``symlink``, ``bom``. Every run must end without a traceback,
within a bound of CPU time and memory, and leave every file exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from awesome_catalog.cli import main
from awesome_catalog.core.project import Project
from conftest import make_project

CASES = Path(__file__).resolve().parent / "cases"
CPU_BOUND_S = 10.0
MEMORY_BOUND = 16 * 1024 * 1024  # bytes allocated at peak by the check itself


def _cases() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if (p / "case.yaml").is_file())


def _make(kind: str) -> bytes:
    head = b"# yaml-language-server: $schema=../../schema/entry.schema.json\n"
    if kind == "huge":
        line = b"# " + b"x" * 1000 + b"\n"
        return head + b"title: Huge\n" + line * (20 * 1024)
    if kind == "deep":
        return head + b"title: " + b"[" * 3000 + b"]" * 3000 + b"\n"
    if kind == "long-title":
        return head + b"title: " + b"a" * 100_000 + b"\nurl: https://example.org/long\n"
    if kind == "latin1-readme":
        return "# Caf\xe9 list\n".encode("latin-1")
    raise ValueError(kind)


def build(case: dict[str, Any], folder: Path, dest: Path) -> Project:
    """The mini list with the case's changes applied."""
    project = make_project(dest)
    root = project.root
    tree = folder / "tree"
    if tree.is_dir():
        for src in sorted(tree.rglob("*")):
            if src.is_file():
                target = root / src.relative_to(tree)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(src.read_bytes())
    for rel in case.get("delete", []):
        (root / rel).unlink()
    for rel in case.get("mkdir", []):
        (root / rel).mkdir()
    for edit in case.get("edit", []):
        path = root / edit["path"]
        text = path.read_text(encoding="utf-8")
        assert edit["old"] in text, f"case edit does not apply to {edit['path']}: {edit['old']!r}"
        path.write_text(text.replace(edit["old"], edit["new"], 1), encoding="utf-8")
    for made in case.get("make", []):
        (root / made["path"]).write_bytes(_make(made["kind"]))
    for link in case.get("symlink", []):
        os.symlink(link["target"], root / link["path"])
    for rel in case.get("bom", []):
        path = root / rel
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    if case.get("regenerate"):
        assert main(["--root", str(root), "generate"]) == 0
    return project


def snapshot(root: Path) -> dict[str, str]:
    """Every file's content digest (links by their target), to prove nothing was written."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            out[rel] = "->" + os.readlink(path)
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _matches(found: list[tuple[str, int, str]], expected: list[list[Any]]) -> bool:
    """Same diagnostics, counted; an expected line of ``ANY`` matches any line."""
    loose = {(p, c) for p, line, c in expected if line == "ANY"}
    got = Counter((p, "ANY" if (p, c) in loose else line, c) for p, line, c in found)
    return got == Counter((p, line, c) for p, line, c in expected)


@pytest.fixture(params=_cases())
def case(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[dict[str, Any], Project]:
    folder = CASES / request.param
    spec = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
    return spec, build(spec, folder, tmp_path / "list")


def test_case_through_main(case: tuple[dict[str, Any], Project], capsys: pytest.CaptureFixture[str]) -> None:
    spec, project = case
    before = snapshot(project.root)
    tracemalloc.start()
    started = time.process_time()
    code = main(["--root", str(project.root), "check", "--format", "json", "--no-cache", *spec.get("args", [])])
    cpu = time.process_time() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    doc = json.loads(out)
    found = [(d["path"], d["line"], d["code"]) for d in doc["diagnostics"]]
    assert _matches(found, spec["diagnostics"]), f"{spec['description']}: got {found}"
    assert code == spec["exit"], spec["description"]
    assert cpu < CPU_BOUND_S  # CPU time: a loaded machine does not make it flake
    assert peak < MEMORY_BOUND, f"peak {peak:,} bytes"
    assert snapshot(project.root) == before, "check must not write anything"
    for d in doc["diagnostics"]:
        assert d["message"] and d["path"], d
    # the incremental path, from an empty cache and then from what it kept, reports the same
    for _ in range(2):
        assert main(["--root", str(project.root), "check", "--format", "json", *spec.get("args", [])]) == code
        assert capsys.readouterr().out == out, f"{spec['description']}: the cached check differs"


def test_every_code_has_a_case() -> None:
    from awesome_catalog.core.diagnostics import CODES

    covered = set()
    for name in _cases():
        spec = yaml.safe_load((CASES / name / "case.yaml").read_text(encoding="utf-8"))
        covered |= {code for _, _, code in spec["diagnostics"]}
    # link-checking codes are exercised by tests/test_links.py against local servers
    expected = {code for code in CODES if not code.startswith(("E5", "W5"))}
    assert expected - covered == set()
