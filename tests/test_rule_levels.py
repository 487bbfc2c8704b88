"""How a list enforces each rule: ``rules:`` in catalog/list.yaml, applied where diagnostics are collected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from awesome_catalog.cli import main
from awesome_catalog.core.diagnostics import Diagnostic, apply_levels, configurable_rules
from awesome_catalog.core.project import Project

REPO = Path(__file__).resolve().parent.parent


def test_schema_names_every_rule_a_list_may_set() -> None:
    schema = json.loads((REPO / "schema" / "list.schema.json").read_text(encoding="utf-8"))
    rules = schema["properties"]["rules"]
    assert rules["additionalProperties"] is False
    assert list(rules["properties"]) == list(configurable_rules())
    assert all(p["description"].startswith(configurable_rules()[name]) for name, p in rules["properties"].items())


@pytest.mark.parametrize(("levels", "expected"), [
    ({}, ["warning", "error"]),
    ({"summary-style": "error"}, ["error", "error"]),
    ({"summary-style": "off"}, ["error"]),
    ({"yaml-syntax": "off"}, ["warning", "error"]),  # errors are not a list's to lower (the schema refuses it)
])
def test_levels(levels: dict[str, str], expected: list[str]) -> None:
    found = [Diagnostic("a.yaml", 1, 1, "W303", "x"), Diagnostic("a.yaml", 2, 1, "E102", "y")]
    assert [d.severity.value for d in apply_levels(found, levels)] == expected


def test_unknown_rule_name_says_which_was_meant(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    (mini.root / "catalog" / "list.yaml").write_text("rules:\n  summary-styel: error\n", encoding="utf-8")
    assert main(["--root", str(mini.root), "check", "--no-cache"]) == 1
    out = capsys.readouterr().out
    assert "catalog/list.yaml:2:" in out and "E202" in out and "did you mean `summary-style`?" in out
