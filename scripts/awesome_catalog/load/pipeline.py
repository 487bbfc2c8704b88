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

from awesome_catalog.core.diagnostics import Diagnostic, Refusal, Severity, apply_levels
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
    from awesome_catalog.load.crossfile import check_rules
    from awesome_catalog.load.loader import load_catalog

    loaded = load_catalog(project, cache=cache)
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


def stat_text(path: str) -> str:
    """A file's stat as a key part: equal texts mean the file was not touched."""
    try:
        return str(stat_key(os.stat(path)))
    except OSError:
        return "missing"


def input_stats(project: Project) -> dict[str, str]:
    """Every input's stat by path, and the layout's problems (so that a folder or file
    added where nothing is read changes them too). Take them *before* reading the
    inputs: a file edited while they are read then no longer matches them."""
    listing = project.scan()
    files = [str(project.taxonomy_file), str(project.vocabulary_file), str(project.list_file), str(project.readme)]
    stats = {path: stat_text(path) for path in files + [f.path for f in listing.files]}
    stats.update((f"problem\0{i}", repr(astuple(p))) for i, p in enumerate(listing.problems))
    return stats


def inputs_key(stats: dict[str, str]) -> str:
    """The digest of ``input_stats``: equal keys mean nothing was touched."""
    digest = hashlib.sha256()
    for path, text in sorted(stats.items()):
        digest.update(f"{path}\0{text}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def record(project: Project, result: CheckResult, key: str) -> None:
    """Keep ``result`` as the check of the inputs whose ``inputs_key`` was ``key``, taken
    before they were read, so that a check of the same inputs is answered at once
    (``generate`` records what it has verified)."""
    cache = open_cache(project)
    cache.store_run(key, ([astuple(d) for d in result.diagnostics], result.diff, result.entries,
                          result.appearances))
    cache.save()


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
    with ``named`` (from ``named_inputs``), file-level problems of other files are left out."""
    cache = open_cache(project, use_cache)
    key = inputs_key(input_stats(project)) if use_cache else ""
    stored = cache.run_result(key) if use_cache else None
    if stored is not None:
        diagnostics, diff, entries, appearances = stored
        return limit(CheckResult([Diagnostic(*d) for d in diagnostics], diff, entries, appearances), project, named)

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
    return limit(result, project, named)


def checked_catalog(project: Project) -> Catalog | None:
    """The catalog when it loads with no errors; otherwise None, after printing every
    problem on standard error. Warnings do not stop an export."""
    from awesome_catalog.formats import report

    catalog, diagnostics = load_and_check(project)
    if catalog is None:
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        report.write_text(errors, sys.stderr, footer=f"{report.summary(errors)}; nothing was written")
    return catalog
