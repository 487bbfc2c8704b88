"""The one shared pipeline: load, validate and cross-check the catalog, then check the README.

Every command that needs a checked catalog goes through here: ``check`` reports the
whole result, ``generate``, ``export`` and ``site`` stop on its errors.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from awesome_catalog.core.diagnostics import Diagnostic, Refusal, Severity, apply_levels, in_order
from awesome_catalog.core.project import Project
from awesome_catalog.load.cache import CorruptCache, Store

if TYPE_CHECKING:
    from awesome_catalog.core.model import Catalog
    from awesome_catalog.load.incremental import Checked
    from awesome_catalog.load.inputs import Scan


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
    catalog, diagnostics = _load_and_check(project)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return None, diagnostics
    return catalog, diagnostics


def _load_and_check(project: Project) -> tuple[Catalog | None, list[Diagnostic]]:
    """``load_and_check``, but the catalog is given even with errors (None only when
    its taxonomy, vocabulary or settings cannot be used)."""
    from awesome_catalog.load.crossfile import check_rules
    from awesome_catalog.load.loader import load_catalog

    loaded = load_catalog(project)
    diagnostics = list(loaded.diagnostics)
    if loaded.catalog is not None:
        complete = not any(d.severity is Severity.ERROR for d in diagnostics)
        diagnostics += check_rules(loaded.catalog, loaded.texts, project.rel(project.taxonomy_file),
                                   project.rel(project.vocabulary_file), complete=complete)
        # The list's own settings decide how each rule counts (load.incremental does the same).
        diagnostics = apply_levels(diagnostics, dict(loaded.catalog.settings.rules))
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
    if use_cache:
        from awesome_catalog.load.inputs import scan

        store = Store(project.root)
        found = scan(project, store)
        answer = _answer(project, store, found)
        if answer is None:
            answer = trusting(store, lambda: _check_cached(project, store, found))
        return limit(answer, project, named)
    from awesome_catalog.readme import regions, render

    catalog, diagnostics = _load_and_check(project)
    ok = catalog is not None and not any(d.severity is Severity.ERROR for d in diagnostics)
    entries = len(catalog.entries) if catalog and ok else 0
    appearances = sum(len(e.appearances) for e in catalog.entries) if catalog and ok else 0
    listing = render.Listing.of(catalog) if catalog and ok else None
    readme_problems, diff = regions.check_readme(project, listing, catalog)
    return limit(CheckResult(in_order([*diagnostics, *readme_problems]), diff, entries, appearances), project, named)


def _check_cached(project: Project, store: Store, found: Scan) -> CheckResult:
    """The check of ``run_check`` from what ``store`` keeps, which it brings up to date."""
    from awesome_catalog.load import readme_state

    checked = load_checked(project, store, found, aside=True)
    try:
        if checked.ok:
            outcome = readme_state.check(project, checked)
            readme_problems, diff = outcome.problems, outcome.diff
        else:
            readme_problems, diff = readme_state.check_broken(project, checked)
        keep(store, checked)
        result = result_of(checked, readme_problems, diff)
        remember(store, found, checked, result)
    finally:
        if checked.saving is not None:
            checked.saving()
    return result


Made = TypeVar("Made")


def trusting(store: Store, work: Callable[[], Made]) -> Made:
    """``work()``, made again without the cache's state when a blob of it fails its
    check (``CorruptCache``): nothing read from a corrupt cache is ever used."""
    try:
        return work()
    except CorruptCache:
        store.discard()
        return work()


def result_of(checked: Checked, readme_problems: Sequence[Diagnostic], diff: str | None) -> CheckResult:
    """The result of a check from the catalog ``checked`` and its README's problems."""
    figures = checked.kept.figures.items() if checked.ok else ()
    entries, appearances = sum(count for _, count in figures), sum(n * count for (_, _, n), count in figures)
    return CheckResult(in_order([*checked.diagnostics, *readme_problems]), diff, entries, appearances)


def _answer(project: Project, store: Store, found: Scan) -> CheckResult | None:
    """The result the last run recorded, when its inputs are the ones ``found``: the
    same stats, and for files whose stat cannot answer (``Scan.racy``, and the README
    unless its stat was settled), the same content."""
    from awesome_catalog.core.project import map_regular, read_regular
    from awesome_catalog.load.inputs import RACY_NS, content_digest

    summary = store.load("run")
    if not isinstance(summary, tuple) or len(summary) != 4 or summary[0] != found.key:
        return None
    _, racy, (readme_stat, readme_trusted, readme_digest), result = summary
    if set(found.racy) - {rel for rel, _ in racy}:
        return None
    settled = readme_trusted and readme_stat == found.readme
    try:
        for rel, digest in racy:
            if content_digest(read_regular(project.root / rel)) != digest:
                return None
        if not settled and content_digest(map_regular(project.readme)) != readme_digest:
            return None
    except OSError:
        return None
    if not settled and found.readme is not None and found.readme[0] + RACY_NS < found.ns:
        # the README is now old enough for its stat to answer: the next run need not read it
        store.save((summary[0], racy, (found.readme, True, readme_digest), result), "run")
    diagnostics, diff, entries, appearances = result
    return CheckResult([Diagnostic(*d) for d in diagnostics], diff, entries, appearances)


def load_checked(project: Project, store: Store, found: Scan, *, aside: bool = False, rows: bool = False) -> Checked:
    """The catalog checked incrementally from what ``store`` keeps, the run's inputs
    being ``found``, with the README's recorded layout. With ``aside``, a state worth
    writing (with ``rows``, also one whose rows changed) is made and written by a copy
    of this process (``Store.save_aside``) as soon as every file is known, while this
    one goes on (``Checked.saving`` waits for it)."""
    from awesome_catalog.load.incremental import check_catalog
    from awesome_catalog.load.readme_state import digest_ahead

    layout = store.load("readme")
    ahead = digest_ahead(project, layout, found.readme)  # hashed while the catalog is checked
    waiting: list[Callable[[], None]] = []

    def save(make: Callable[[], Any]) -> None:
        if ahead is not None:
            ahead()  # no thread may be running when the process is copied
        waiting.append(store.save_aside(make))

    checked = check_catalog(project, store.load_with_blobs(), found, save if aside else None, rows=rows)
    checked.layout, checked.readme_ahead = layout, ahead
    checked.saving = waiting[0] if waiting else None
    return checked


def keep(store: Store, checked: Checked) -> None:
    """Write the parts of the cache that the run changed and that are worth writing
    (each once: they are then as kept)."""
    if checked.dirty:
        value, blobs = checked.state()
        store.save(value, "state", blobs)
    if checked.layout_dirty:
        store.save(checked.layout, "readme")
    checked.dirty = checked.layout_dirty = False


def remember(store: Store, found: Scan, checked: Checked, result: CheckResult) -> None:
    """Keep ``result`` as the answer for the inputs ``found``, with the content digests
    of the files whose stat cannot answer; only when the README checked is the one
    ``found`` saw (its layout is recorded)."""
    files = checked.kept.files
    known = checked.readme
    recorded = [files.get(rel) for rel in found.racy]
    if known is None or known[0] != found.readme or None in recorded:
        return
    racy = tuple((rel, record[2]) for rel, record in zip(found.racy, recorded, strict=True) if record)
    store.save((found.key, racy, known, ([d.as_tuple() for d in result.diagnostics], result.diff, result.entries,
                                        result.appearances)), "run")


def checked_catalog(project: Project) -> Catalog | None:
    """The catalog when it loads with no errors; otherwise None, after printing every
    problem on standard error. Warnings do not stop an export."""
    from awesome_catalog.formats import report

    catalog, diagnostics = load_and_check(project)
    if catalog is None:
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        report.write_text(errors, sys.stderr, footer=f"{report.summary(errors)}; nothing was written")
    return catalog
