"""The one shared pipeline: load, validate and cross-check the catalog, then check the README.

Every command that needs a checked catalog goes through here: ``check`` reports the
whole result, ``generate``, ``export`` and ``site`` stop on its errors.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from awesome_catalog.core.diagnostics import Diagnostic, Severity
from awesome_catalog.core.project import SCHEMA_NAMES, Project
from awesome_catalog.load.cache import FileCache, stat_key

if TYPE_CHECKING:
    from awesome_catalog.core.model import Catalog


@dataclass(frozen=True)
class CheckResult:
    """What a check found: the diagnostics, the README diff when stale, and figures."""

    diagnostics: list[Diagnostic]
    diff: str | None
    entries: int
    appearances: int


def load_and_check(project: Project, cache: FileCache | None = None) -> tuple[Catalog | None, list[Diagnostic]]:
    """Load the catalog and apply the rules across files: the catalog (None when it has
    errors) and every diagnostic of the catalog, not yet of the README."""
    from awesome_catalog.load.loader import load_catalog
    from awesome_catalog.load.rules import check_rules

    loaded = load_catalog(project, cache=cache)
    diagnostics = list(loaded.diagnostics)
    if loaded.catalog is not None:
        complete = not any(d.severity is Severity.ERROR for d in diagnostics)
        diagnostics += check_rules(loaded.catalog, loaded.texts, project.rel(project.taxonomy_file),
                                   project.rel(project.vocabulary_file), complete=complete)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return None, diagnostics
    return loaded.catalog, diagnostics


def open_cache(project: Project, enabled: bool = True) -> FileCache:
    """The project's result cache, salted with the content of its schemas (every JSON
    file of ``schema/``, since one may refer to another)."""
    digest = hashlib.sha256()
    try:
        names = sorted({p.name for p in project.schema_dir.glob("*.json")} | {f"{n}.schema.json" for n in SCHEMA_NAMES})
    except OSError:
        names = [f"{n}.schema.json" for n in SCHEMA_NAMES]
    for name in names:
        path = project.schema_dir / name
        try:
            digest.update(name.encode() + (path.read_bytes() if path.is_file() else b"-"))
        except OSError:
            digest.update(b"-")
    return FileCache(project.root, digest.hexdigest(), enabled)


def _inputs_key(project: Project) -> str:
    """A digest of every input's stat: equal keys mean nothing was touched."""
    digest = hashlib.sha256()
    files = [str(project.taxonomy_file), str(project.vocabulary_file), str(project.readme)]
    for path in files + [f.path for f in project.entry_listing()]:
        try:
            digest.update(f"{path}\0{stat_key(os.stat(path))}\n".encode())
        except OSError:
            digest.update(f"{path}\0missing\n".encode())
    return digest.hexdigest()


def record(project: Project, result: CheckResult) -> None:
    """Keep ``result`` as the check of the inputs as they are now, so that a check of
    the same inputs is answered at once (``generate`` records what it has verified)."""
    cache = open_cache(project)
    cache.store_run(_inputs_key(project), ([astuple(d) for d in result.diagnostics], result.diff, result.entries,
                                           result.appearances))
    cache.save()


def limit(result: CheckResult, project: Project, paths: Sequence[Path] | None) -> CheckResult:
    """The result as seen with PATHs: problems found in an entry file while reading or
    validating it are kept only for the files named; the rest concern the whole catalog."""
    if not paths:
        return result
    named = {project.rel(p.resolve()) for p in paths}
    listed = {f.rel for f in project.entry_listing()}
    kept = [d for d in result.diagnostics
            if d.path in named or d.path not in listed or not d.code.startswith(("E1", "E2"))]
    return CheckResult(kept, result.diff, result.entries, result.appearances)


def run_check(project: Project, paths: Sequence[Path] | None = None, *, use_cache: bool = False) -> CheckResult:
    """Load, validate and cross-check the catalog, then check the README against it."""
    cache = open_cache(project, use_cache)
    key = _inputs_key(project) if use_cache else ""
    stored = cache.run_result(key) if use_cache else None
    if stored is not None:
        diagnostics, diff, entries, appearances = stored
        return limit(CheckResult([Diagnostic(*d) for d in diagnostics], diff, entries, appearances), project, paths)

    from awesome_catalog.readme import regions, render

    catalog, diagnostics = load_and_check(project, cache if use_cache else None)
    entries = len(catalog.entries) if catalog else 0
    appearances = sum(len(e.appearances) for e in catalog.entries) if catalog else 0
    listing = render.Listing.of(catalog) if catalog else None
    del catalog  # the README check needs only the listing, and a diff of a large README needs room
    readme_problems, diff = regions.check_readme(project, listing)
    diagnostics += readme_problems
    result = CheckResult(diagnostics, diff, entries, appearances)
    if use_cache:
        cache.store_run(key, ([astuple(d) for d in diagnostics], diff, entries, appearances))
        cache.save()
    return limit(result, project, paths)


def checked_catalog(project: Project) -> Catalog | None:
    """The catalog when it loads with no errors; otherwise None, after printing every
    problem on standard error. Warnings do not stop an export."""
    from awesome_catalog.formats import report

    catalog, diagnostics = load_and_check(project)
    if catalog is None:
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        report.write_text(errors, sys.stderr, footer=f"{report.summary(errors)}; nothing was written")
    return catalog
