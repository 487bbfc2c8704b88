"""``awesome-catalog check``: every problem of the catalog and the README, in one run."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from awesome_catalog import report
from awesome_catalog.catalog import load_catalog
from awesome_catalog.diagnostics import Diagnostic, Severity, exit_code
from awesome_catalog.project import Project
from awesome_catalog.rules import check_rules


@dataclass(frozen=True)
class CheckResult:
    """What a check found: the diagnostics, the README diff when stale, and figures."""

    diagnostics: list[Diagnostic]
    diff: str | None
    entries: int
    appearances: int


def run_check(project: Project, paths: Sequence[Path] | None = None) -> CheckResult:
    """Load, validate and cross-check the catalog, then check the README against it."""
    from awesome_catalog import readme

    only = [p if p.is_absolute() else Path.cwd() / p for p in paths] if paths else None
    loaded = load_catalog(project, only=only)
    diagnostics = list(loaded.diagnostics)
    diff = None
    catalog = loaded.catalog
    if catalog is not None:
        diagnostics += check_rules(catalog, loaded.texts, project.rel(project.taxonomy_file),
                                   project.rel(project.vocabulary_file))
    catalog_ok = catalog is not None and not any(d.severity is Severity.ERROR for d in diagnostics)
    readme_problems, diff = readme.check_readme(project, catalog if catalog_ok else None)
    diagnostics += readme_problems
    entries = len(catalog.entries) if catalog else 0
    appearances = sum(len(e.appearances) for e in catalog.entries) if catalog else 0
    return CheckResult(diagnostics, diff, entries, appearances)


def run(args: argparse.Namespace, project: Project) -> int:
    """Run the check and report it in the chosen format."""
    result = run_check(project, args.paths)
    footer = None
    if not result.diagnostics:
        footer = f"ok: {result.entries} entries, {result.appearances} appearances, README up to date"
    color = report.use_color(sys.stdout, args.color)
    report.write(args.format, result.diagnostics, sys.stdout, color=color, diff=result.diff, footer=footer)
    return exit_code(result.diagnostics, strict=args.strict)
