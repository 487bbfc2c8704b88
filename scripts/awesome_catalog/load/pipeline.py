"""The one shared pipeline: load, validate and cross-check the catalog, then check the README.

Every command that needs a checked catalog goes through here: ``check`` reports the
whole result, ``generate``, ``export`` and ``site`` stop on its errors.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from awesome_catalog.core.diagnostics import Diagnostic, Refusal, Severity, apply_levels, in_order
from awesome_catalog.core.project import Project
from awesome_catalog.load.cache import Store

if TYPE_CHECKING:
    from awesome_catalog.core.model import Catalog


@dataclass(frozen=True)
class CheckResult:
    """What a check found: the diagnostics, the README diff when stale, and figures."""

    diagnostics: list[Diagnostic]
    diff: str | None
    entries: int
    appearances: int


def load_and_check(project: Project) -> tuple[Catalog | None, list[Diagnostic]]:
    """Load the catalog and apply the rules across files: the catalog (None when it has
    errors) and every diagnostic of the catalog, not yet of the README."""
    from awesome_catalog.load.crossfile import check_rules
    from awesome_catalog.load.loader import load_catalog

    loaded = load_catalog(project)
    diagnostics = list(loaded.diagnostics)
    if loaded.catalog is not None:
        complete = not any(d.severity is Severity.ERROR for d in diagnostics)
        diagnostics += check_rules(loaded.catalog, loaded.texts, project.rel(project.taxonomy_file),
                                   project.rel(project.vocabulary_file), complete=complete)
        # The one place where the list's own settings decide how each rule counts.
        diagnostics = apply_levels(diagnostics, dict(loaded.catalog.settings.rules))
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return None, diagnostics
    return loaded.catalog, diagnostics


def named_inputs(project: Project, paths: Sequence[Path]) -> list[str]:
    """What PATHs of ``check`` name, relative to the root.

    A relative PATH is taken from the current folder when it exists there, else from
    the root (so ``--root R check catalog/papers/x.yaml`` works from anywhere). A PATH
    may be a file or a folder; it must exist and lie among the inputs of the check:
    in ``catalog/`` or ``schema/``, or be the README (what pre-commit passes). Raises
    ``Refusal`` (exit 2) otherwise, so that a check of nothing never says "ok".
    """
    root = project.root.resolve()
    inputs = [project.rel(project.catalog_dir), project.rel(project.schema_dir), project.rel(project.readme)]
    hint = "PATHs are files or folders of catalog/ or schema/, or README.md, from the current folder or from --root"
    named = []
    for path in paths:
        tries = [path] if path.is_absolute() else [Path.cwd() / path, project.root / path]
        found = next((Path(os.path.abspath(t)) for t in tries if os.path.lexists(t)), None)
        if found is None:
            raise Refusal(f"{path} does not exist", hint=hint)
        full = Path(os.path.realpath(found.parent)) / found.name if found != found.parent else found
        if full != root and not full.is_relative_to(root):
            raise Refusal(f"{path} is outside the list's repository {root}", hint=hint)
        rel = "" if full == root else full.relative_to(root).as_posix()
        if rel and not any(rel == i or rel.startswith(f"{i}/") for i in inputs):
            raise Refusal(f"{path} is not in catalog/ or schema/, nor the README: check reads nothing there",
                          hint=hint)
        named.append(rel)
    return named


def is_named(path: str, named: Sequence[str]) -> bool:
    """Whether ``path`` is one of the files ``named`` (``named_inputs``) or inside one of its folders."""
    return any(path == n or path.startswith(f"{n}/") or not n for n in named)


def limit(result: CheckResult, project: Project, named: Sequence[str] | None) -> CheckResult:
    """The result as seen with PATHs (``named_inputs``): problems found in an entry file
    while reading or validating it are kept only for the files named, or inside the
    folders named; the rest concern the whole catalog."""
    if named is None:
        return result
    listed = {f.rel for f in project.entry_listing()}
    kept = [d for d in result.diagnostics
            if d.path not in listed or is_named(d.path, named) or not d.code.startswith(("E1", "E2"))]
    return CheckResult(kept, result.diff, result.entries, result.appearances)


def run_check(project: Project, named: Sequence[str] | None = None, *, use_cache: bool = False) -> CheckResult:
    """Load, validate and cross-check the catalog, then check the README against it;
    with ``named`` (from ``named_inputs``), file-level problems of other files are left out.

    With ``use_cache``, only the files changed since the last run are read again
    (``load.incremental``); without, everything is (the careful path, ``load_and_check``).
    Both give the same result, in the same order."""
    from awesome_catalog.readme import regions, render

    if use_cache:
        from awesome_catalog.load.incremental import check_catalog

        checked = check_catalog(project, Store(project.root))
        diagnostics = checked.diagnostics
        entries = len(checked.facts) if checked.ok else 0
        appearances = sum(len(f.sections) for f in checked.facts) if checked.ok else 0
        listing = checked.listing() if checked.ok else None
    else:
        catalog, diagnostics = load_and_check(project)
        entries = len(catalog.entries) if catalog else 0
        appearances = sum(len(e.appearances) for e in catalog.entries) if catalog else 0
        listing = render.Listing.of(catalog) if catalog else None
        del catalog  # the README check needs only the listing, and a diff of a large README needs room
    readme_problems, diff = regions.check_readme(project, listing)
    return limit(CheckResult(in_order([*diagnostics, *readme_problems]), diff, entries, appearances), project, named)


def checked_catalog(project: Project) -> Catalog | None:
    """The catalog when it loads with no errors; otherwise None, after printing every
    problem on standard error. Warnings do not stop an export."""
    from awesome_catalog.formats import report

    catalog, diagnostics = load_and_check(project)
    if catalog is None:
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        report.write_text(errors, sys.stderr, footer=f"{report.summary(errors)}; nothing was written")
    return catalog
