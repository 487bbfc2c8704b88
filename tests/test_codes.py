"""The table of codes in docs/codes.md documents exactly the codes the tool can report."""

from __future__ import annotations

import re
from pathlib import Path

from awesome_catalog.core.diagnostics import CODES, Diagnostic, Severity

DOC = Path(__file__).resolve().parent.parent / "docs" / "codes.md"


def test_docs_table_lists_every_code_with_its_name() -> None:
    rows = re.findall(r"^\| (\w\d{3}) \| `([a-z0-9-]+)` \|", DOC.read_text(encoding="utf-8"), re.M)
    assert rows == [(code, name) for code, (name, _) in CODES.items()]


def test_codes_are_unique_and_named() -> None:
    names = [name for name, _ in CODES.values()]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[EW]\d{3}", code) for code in CODES)


def test_warnings_and_errors_follow_the_letter() -> None:
    assert Diagnostic("f", 1, 1, "W301", "m").severity is Severity.WARNING
    assert Diagnostic("f", 1, 1, "E101", "m").severity is Severity.ERROR
