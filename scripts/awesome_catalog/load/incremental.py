"""The check of a whole catalog that reads again only the files changed since the last run.

For each entry file the cache keeps what a run found in it: its problems, the problems
of the entry on its own (``rules.entry_rules``), its facts for the rules across files
(``crossfile.EntryFacts``) and its rows in the README (``render.EntryPart``). A file
whose stat is the one recorded is not read; the rules across files are applied again
to every entry's facts, which is cheap. What each part depends on decides when it may
answer:

- everything hangs on the *context*: the tool's own code (in the cache's header), the
  schemas, the taxonomy, the vocabulary and the list's settings, compared by content on
  every run; when any of them changes, every file is read again;
- a file's part hangs on its content, for which its stat stands only as
  ``load.inputs`` says (racily clean files are compared by content).

``load.pipeline.load_and_check`` is the careful path that reads everything; the tests
prove that this one gives the same diagnostics after any sequence of edits.
"""

from __future__ import annotations

import hashlib
import marshal
import multiprocessing
import os
from dataclasses import dataclass, field
from typing import Any

from awesome_catalog.core.diagnostics import Diagnostic, Severity, apply_levels
from awesome_catalog.core.model import Catalog, Entry, Settings, Taxonomy, Vocabulary
from awesome_catalog.core.project import EntryFile, Project, read_regular
from awesome_catalog.load import inputs, loader
from awesome_catalog.load.crossfile import EntryFacts, cross_rules, facts_of
from awesome_catalog.load.inputs import RACY_NS, Scan, StatKey, content_digest
from awesome_catalog.load.rules import context_rules, entry_rules, make_locator
from awesome_catalog.readme import render

FileRecord = tuple[StatKey, bool, bytes, tuple[Any, ...], tuple[Any, ...], Any, bytes | None, Any]
"""(stat, whether the stat may answer, content digest, the file's problems, the entry's
own problems, its facts, its marshalled ``EntryPart``, its ``Shape``; the last three
None unless the entry joined the catalog)."""
Shape = tuple[str, "int | None", int, tuple[tuple[str, int], ...]]
"""What the README's sections region needs of an entry without its rows: its kind, year
and number of appearances (the figures), and for each row its section and ``row_mark``."""


def row_mark(row: render.Row) -> int:
    """64 bits of a digest of one rendered row: a section's mark is the exclusive or of
    its rows' marks, so a section whose rows did not change keeps its mark, whatever
    changed elsewhere."""
    data = marshal.dumps((row.section, row.key, row.tool, row.cells, row.entry, row.parent))
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


@dataclass
class Checked:
    """The catalog as checked: every diagnostic of the catalog (not yet of the README),
    the list's context (None when unusable), and each entry that joined the catalog by
    its facts, in the catalog's order (by id), with its README rows (``parts``) and its
    ``Shape`` by path. ``state`` is what the cache should keep, and ``dirty`` whether it
    is worth writing (see ``SAVE_FROM``)."""

    diagnostics: list[Diagnostic]
    context: Catalog | None
    facts: list[EntryFacts] = field(default_factory=list)
    parts: dict[str, bytes] = field(default_factory=dict)
    shapes: dict[str, Shape] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    dirty: bool = False
    context_key: str = ""
    scan_ns: int = 0
    readme: tuple[StatKey, bool, bytes] | None = None
    """The README as the run saw it: its stat, whether that stat may answer for its
    content, and its content's digest (set by ``readme_state``)."""
    layout: Any = None
    """The README's layout as ``readme_state`` records it (the cache keeps it apart)."""
    layout_dirty: bool = False
    _members: dict[str, list[str]] | None = field(default=None, repr=False)
    _waiting: dict[str, list[render.Row]] = field(default_factory=dict, repr=False)
    _read: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _served: set[str] = field(default_factory=set, repr=False)

    @property
    def ok(self) -> bool:
        """Whether the catalog has no errors (warnings allowed)."""
        return self.context is not None and not any(d.severity is Severity.ERROR for d in self.diagnostics)

    def listing(self) -> render.Listing:
        """Everything the generated regions show (only when ``ok``): each part's counts,
        and its rows read from the cache a section at a time."""
        assert self.context is not None
        parts = tuple(render.EntryPart(kind, year, n, ()) for kind, year, n, _ in
                      (self.shapes[f.path] for f in self.facts))
        return render.Listing(self.context.taxonomy, parts, self.context.settings, self.rows_of)

    def rows_of(self, section: str) -> list[render.Row]:
        """The rows of one section, from the parts of the entries that appear in it. On
        a first pass through the sections (``render.each_piece``), the rows of an entry
        for sections still to come are kept for them, so that each part is read once."""
        if self._members is None:
            self._members = {}
            for rel, shape in self.shapes.items():
                for name in dict.fromkeys(s for s, _ in shape[3]):
                    self._members.setdefault(name, []).append(rel)
        if section in self._served:  # asked again: read what it needs once more
            return [render.Row(*row) for rel in self._members.get(section, ())
                    for row in marshal.loads(self.parts[rel])[3] if row[0] == section]
        self._served.add(section)
        rows = self._waiting.pop(section, [])
        read = self._read.pop(section, set())
        for rel in self._members.get(section, ()):
            if rel in read:
                continue
            for row in marshal.loads(self.parts[rel])[3]:
                if row[0] == section:
                    rows.append(render.Row(*row))
                elif row[0] not in self._served:  # kept for its section, to come
                    self._waiting.setdefault(row[0], []).append(render.Row(*row))
                    self._read.setdefault(row[0], set()).add(rel)
        return rows


def _context(project: Project, texts: loader.SourceTexts, stored: Any, key: str) -> tuple[loader.ListContext, Any]:
    """The list's context, from the cache when its key is the recorded one (a schema's
    validator is then built only if a file needs it), and what to record of it."""
    if stored is not None and stored[0] == key:
        return _context_of(project, stored[1]), stored
    context = loader.load_context(project, texts)
    payload = (*context.data, tuple(d.as_tuple() for d in context.diagnostics), context.complete,
               context.schemas_sound)
    return context, (key, payload)


def _context_of(project: Project, payload: Any) -> loader.ListContext:
    """The list's context from what ``_context`` records of it."""
    tax, voc, settings_data, problems, complete, sound = payload
    settings = None if settings_data is None else Settings.from_data(settings_data)
    catalog = None
    if tax is not None and voc is not None and settings is not None and complete:
        catalog = Catalog(Taxonomy.from_data(tax), Vocabulary.from_data(voc, settings.tag_sets), (), settings)
    return loader.ListContext(_LazyValidators(project, sound), catalog, complete,
                              tuple(Diagnostic(*d) for d in problems), (tax, voc, settings_data), sound)


class _LazyValidators(dict):  # type: ignore[type-arg]
    """The schemas' validators, each built on first use (a run where no file changed
    needs none); the metaschema check is skipped when ``checked``."""

    def __init__(self, project: Project, checked: bool) -> None:
        super().__init__()
        self.project, self.checked, self.tried = project, checked, set[str]()

    def get(self, name: str, default: Any = None) -> Any:
        if name not in self.tried:
            self.tried.add(name)
            self.update(loader.load_schemas(self.project, (name,), checked=self.checked)[0])
        return super().get(name, default)


def check_catalog(project: Project, state: Any = None, found: Scan | None = None) -> Checked:
    """Load, validate and check the whole catalog, reading only the files that changed
    since the run that left ``state`` (what ``Store.load`` gives; every file without one).
    ``found`` is the run's ``scan``, when already made."""
    found = found or inputs.scan(project)
    state = state if isinstance(state, dict) else {}
    texts = loader.SourceTexts(project)
    context, context_state = _context(project, texts, state.get("context"), found.context_key)
    old: dict[str, FileRecord] = state.get("files", {}) if state.get("context") == context_state else {}
    dirty = state.get("context") != context_state

    diagnostics = [*context.diagnostics, *found.listing.problems]
    slots: dict[str, FileRecord | None] = {}  # in the listing's order; None: to read
    jobs: list[Job] = []
    for file, (st, problems) in zip(found.listing.files, found.stats, strict=True):
        name_problem = loader.check_name(file.rel, file.name)
        if name_problem:
            diagnostics.append(name_problem)
        if st is None:
            diagnostics += problems
            continue
        stat, record = inputs.stat_key(st), old.get(file.rel)
        slots[file.rel] = record if record is not None and record[0] == stat and record[1] else None
        if slots[file.rel] is None:
            jobs.append((file, name_problem is None, stat, record[2] if record is not None else None))
    results = _run_jobs(project, context, context_state[1], jobs, found.ns)
    for (file, _name_ok, stat, _digest), (how, value) in zip(jobs, results, strict=True):
        if how == "error":
            diagnostics.append(Diagnostic(*value))
        elif how == "same":
            slots[file.rel] = (stat, value, *old[file.rel][2:])
        else:
            slots[file.rel] = value
    files = {rel: r for rel, r in slots.items() if r is not None}
    # a few files read again next time cost less than rewriting the cache now (a run
    # whose inputs did not change answers from the result kept apart all the same)
    dirty = dirty or len(jobs) + len(set(old) - set(files)) >= SAVE_FROM
    for record in files.values():
        diagnostics += (Diagnostic(*d) for d in record[3])
    complete = not any(d.severity is Severity.ERROR for d in diagnostics)
    facts = sorted((EntryFacts.from_data(r[5]) for r in files.values() if r[5] is not None), key=lambda f: f.id)
    if context.catalog is not None:
        where = make_locator(texts)
        diagnostics += context_rules(context.catalog, where, project.rel(project.taxonomy_file),
                                     project.rel(project.vocabulary_file), frozenset(f.id for f in facts))
        for record in files.values():
            diagnostics += (Diagnostic(*d) for d in record[4])
        diagnostics += cross_rules(context.catalog, facts, where, project.rel(project.taxonomy_file),
                                   complete=complete)
        diagnostics = apply_levels(diagnostics, dict(context.catalog.settings.rules))
    parts = {rel: r[6] for rel, r in files.items() if r[6] is not None}
    shapes = {rel: r[7] for rel, r in files.items() if r[6] is not None}
    new_state = {**state, "context": context_state, "files": files}
    return Checked(diagnostics, context.catalog, facts, parts, shapes, new_state, dirty, found.context_key,
                   found.ns)


Job = tuple[EntryFile, bool, StatKey, "bytes | None"]
"""A file to read: its entry file, whether its name is an id, its stat, and the digest
of the content last recorded for it (None without one)."""
Result = tuple[str, Any]
"""What reading a file gave: ("error", a diagnostic), ("same", whether its stat may now
answer: the content is the one recorded), or ("fresh", its ``FileRecord``)."""

SAVE_FROM = 64
"""How many files a run must have read again, or seen go, to rewrite the cache."""
PARALLEL_FROM = 2000
"""From how many files to read a run shares the work among processes (one per core, at most 4)."""


def _run_jobs(project: Project, context: loader.ListContext, recorded: Any, jobs: list[Job], ns: int) -> list[Result]:
    """The result of each job, in order: in this process, or, for many files on a machine
    with several cores, shared among worker processes (each rebuilds the list's context
    from what is ``recorded`` of it, so each finds what this process would)."""
    workers = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    size = -(-len(jobs) // workers)
    if len(jobs) < PARALLEL_FROM or size >= len(jobs) or "fork" not in multiprocessing.get_all_start_methods():
        return _work(project, context, jobs, ns)
    from concurrent.futures import ProcessPoolExecutor

    slices = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    with ProcessPoolExecutor(len(slices) - 1, mp_context=multiprocessing.get_context("fork")) as pool:
        pending = [pool.submit(_work_elsewhere, project, recorded, part, ns) for part in slices[1:]]
        results = _work(project, context, slices[0], ns)  # this process takes the first slice
        for future in pending:
            results += future.result()
    return results


def _work_elsewhere(project: Project, recorded: Any, jobs: list[Job], ns: int) -> list[Result]:
    """``_work`` in a worker process, with the list's context rebuilt from what is recorded of it."""
    return _work(project, _context_of(project, recorded), jobs, ns)


def _work(project: Project, context: loader.ListContext, jobs: list[Job], ns: int) -> list[Result]:
    """Read, parse, validate and check the files of ``jobs`` against the list's context."""
    texts = loader.SourceTexts(project)
    results: list[Result] = []
    built: list[tuple[int, Entry]] = []
    for file, name_ok, stat, recorded in jobs:
        try:
            raw = read_regular(file.path, inputs.MAX_BYTES)
        except OSError as err:
            results.append(("error", loader.read_error(file.rel, err).as_tuple()))
            continue
        digest, trusted = content_digest(raw), stat[0] + RACY_NS < ns
        if digest == recorded:
            results.append(("same", trusted))
            continue
        parsed: list[Diagnostic] = []
        data = loader.parse(raw, file.rel, context.validators.get("entry"), texts, parsed)
        entry = loader.entry_of(file, data, context, name_ok)
        if entry is not None:
            built.append((len(results), entry))
        results.append(("fresh", (stat, trusted, digest, tuple(d.as_tuple() for d in parsed), (), None, None, None)))
    if context.catalog is not None and built:
        _check_fresh(context.catalog, built, results, texts)
    return results


def _check_fresh(context: Catalog, built: list[tuple[int, Entry]], results: list[Result],
                 texts: loader.SourceTexts) -> None:
    """Apply each fresh entry's own rules (all at once: the spell check is quicker so),
    find its facts and render its rows, into its record (``results[i]``)."""
    own = entry_rules(context, [entry for _, entry in built], make_locator(texts))
    for (i, entry), problems in zip(built, own, strict=True):
        stat, trusted, digest, found = results[i][1][:4]
        part = render.entry_part(context, entry)
        shape = (part.kind, part.year, part.appearances, tuple((r.section, row_mark(r)) for r in part.rows))
        results[i] = ("fresh", (stat, trusted, digest, found, tuple(d.as_tuple() for d in problems),
                                tuple(facts_of(context, entry)), marshal.dumps(part.to_data()), shape))
