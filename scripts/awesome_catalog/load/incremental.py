"""The check of a whole catalog that reads again only the files changed since the last run.

For each entry file the cache keeps what a run found in it: its problems, the problems
of the entry on its own (``rules.entry_rules``), its facts for the rules across files
(``crossfile.EntryFacts``) and its rows in the README (``render.EntryPart``), with the
sums over all files that a run needs whole (``Kept``), brought up to date as files
change. A file whose stat is the one recorded is not read; the rules across files are
applied again to the facts of only the entries they may report (those that share a key
with another, and those with a parent), which gives what comparing every entry gives.
What each part depends on decides when it may answer:

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
import os
from collections.abc import Callable, Iterable, Iterator, Set
from dataclasses import dataclass, field
from typing import Any

from awesome_catalog.core import writing
from awesome_catalog.core.diagnostics import Diagnostic, Severity, apply_levels
from awesome_catalog.core.model import Catalog, Entry, Settings, Taxonomy, Vocabulary
from awesome_catalog.core.project import EntryFile, Project, read_regular
from awesome_catalog.load import cache, inputs, loader, section_rows
from awesome_catalog.load.cache import Blobs
from awesome_catalog.load.crossfile import EntryFacts, clash_keys, cross_rules, facts_of
from awesome_catalog.load.fileindex import FileIndex
from awesome_catalog.load.inputs import RACY_NS, Scan, StatKey, content_digest
from awesome_catalog.load.rules import context_rules, entry_rules, make_locator
from awesome_catalog.load.section_rows import Item
from awesome_catalog.load.shards import Shards
from awesome_catalog.readme import render

FileRecord = tuple[StatKey, bool, bytes, tuple[Any, ...], tuple[Any, ...], Any, Any, Any]
"""(stat, whether the stat may answer, content digest, the file's problems, the entry's
own problems, its facts, its README rows as data, its ``Shape``; the last three None
unless the entry joined the catalog). The first three are the file's *index*; the
rest but the rows, its *part*."""
Shape = tuple[str, "int | None", int, tuple[tuple[str, int], ...]]
"""What the README's sections region needs of an entry without its rows: its kind, year
and number of appearances (the figures), and for each row its section and ``row_mark``."""
Part = tuple[tuple[Any, ...], tuple[Any, ...], Any, Any]
"""What a file gives the catalog, but its rows (kept by section): its problems, its
entry's own problems, facts and ``Shape``."""


def row_mark(row: render.Row) -> int:
    """64 bits of a digest of one rendered row: a section's mark is the exclusive or of
    its rows' marks, so a section whose rows did not change keeps its mark, whatever
    changed elsewhere."""
    data = marshal.dumps((row.section, row.key, row.tool, row.cells, row.entry, row.parent))
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


class Kept:
    """What the cache keeps of every file, and the sums over all of them that a run
    needs whole, each kept up to date as files come and go (``change``), so that a run
    unpacks only the parts of the files that changed and of those a rule must look at:

    - ``files``: each file's index (``FileIndex``); ``parts``: its part, in ``Shards``;
    - ``problems``: the problems of each file that has any;
    - ``keys`` (in ``Shards``): for each key a rule across files compares
      (``crossfile.clash_keys``), the file that holds it, or the files (a tuple, once
      per time) when held twice or more, and those keys are the ``clashes``;
      ``parents``: the files with a parent; ``ids`` (in ``Shards``): each entry's id,
      with how many entries hold it; ``used``: the number of appearances in each section;
    - ``figures``: how many entries have each kind, year and number of appearances;
      ``marks``: each section's mark (``row_mark``); each section's rows with their
      files, sorted by key, packed and compressed a chunk at a time (``section_rows``:
      text shrinks fivefold, and an edit unpacks and packs again only the chunks it touches).

    Every blob comes from the cache file unchecked until used (``cache.Blobs``).
    """

    def __init__(self, state: dict[str, Any] | None = None, blobs: Blobs | None = None) -> None:
        state = state or {}
        blobs = blobs or Blobs()
        self.files = FileIndex(state.get("files"))
        self.parts = Shards(blobs.pick(state.get("parts", ())))  # file -> Part
        self.problems: dict[str, tuple[Any, Any]] = state.get("problems", {})
        self.keys = Shards(blobs.pick(state.get("keys", ())))  # key -> its file, or a tuple of its files
        self.clashes: set[bytes] = state.get("clashes", set())
        self.parents: set[str] = state.get("parents", set())
        self.used: dict[str, int] = state.get("used", {})
        self.figures: dict[render.Tally, int] = state.get("figures", {})
        self.ids = Shards(blobs.pick(state.get("ids", ())))  # each entry's id -> how many entries hold it
        self.marks: dict[str, int] = state.get("marks", {})
        self._rows: dict[str, cache.Packed] = {  # each section's rows packed (``section_rows``)
            section: blobs.pick(places) for section, places in state.get("rows", {}).items()}
        self._sections: dict[str, section_rows.SectionRows] = {}  # those unpacked (their indexes)
        self._edits: dict[str, section_rows.Edits | None] = {}
        self._changed: set[str] = set()  # files whose rows changed since the rows were packed
        self._new_rows: dict[str, list[Item]] = {}
        self.before: dict[str, int] = {}  # a section's mark before this run
        self.gone: dict[str, list[int]] = {}  # the marks of the rows this run dropped, by section

    def state(self) -> tuple[dict[str, Any], list[writing.Piece]]:
        """What the cache should keep: plain data, and the blobs it names by their place
        (the shards, each section's rows; those of the sections that changed packed again).
        Raises ``CorruptCache`` when a blob of the cache read that it unpacks fails its
        check (those it keeps as they are go with their own)."""
        for section in self._new_rows:
            self._rows[section] = self._repacked(section)
            self._sections.pop(section, None)
        self._rows = {section: packed for section, packed in self._rows.items() if len(packed)}
        self._changed, self._new_rows, self._edits, self.before, self.gone = set(), {}, {}, {}, {}
        parts, keys, ids = self.parts.pack(), self.keys.pack(), self.ids.pack()
        blobs: list[writing.Piece] = [*parts, *keys, *ids]
        places: dict[str, tuple[int, ...]] = {}
        for section, packed in self._rows.items():
            places[section] = tuple(range(len(blobs), len(blobs) + len(packed)))
            blobs += [cache.kept(packed, at) for at in range(len(packed))]
        first_id = len(parts) + len(keys)
        return {"files": self.files.state(), "parts": tuple(range(len(parts))), "problems": self.problems,
                "keys": tuple(range(len(parts), first_id)), "ids": tuple(range(first_id, first_id + len(ids))),
                "clashes": self.clashes, "parents": self.parents,
                "used": self.used, "figures": self.figures, "marks": self.marks, "rows": places}, blobs

    def _repacked(self, section: str) -> list[writing.Piece]:
        """One section's rows packed again with this run's changes: only the chunks they
        touch, or, when the rows kept do not hold the rows dropped as named, all of them."""
        stored, mark = self.stored(section), self.marks.get(section, 0)
        edits = self.edits(section) if stored.count else None
        if edits is None:
            return section_rows.pack(sorted(self.section_rows(section), key=section_rows.key), mark)
        return stored.edited(edits, mark)

    def part(self, rel: str) -> Part:
        """The part of one file."""
        part: Part = self.parts[rel]
        return part

    def change(self, fresh: dict[str, FileRecord], gone: set[str]) -> None:
        """Replace the files of ``fresh`` by their new records, and forget those of ``gone``."""
        for rel in [*gone, *fresh]:
            if rel in self.parts:
                self._drop(rel, self.part(rel))
        for rel, record in fresh.items():
            self._add(rel, record)

    def _drop(self, rel: str, part: Part) -> None:
        _problems, _own, facts, shape = part
        del self.files[rel]
        self.parts.pop(rel, None)
        self.problems.pop(rel, None)
        if facts is None:
            return
        entry = EntryFacts.from_data(facts)
        for key in clash_keys(entry):
            table = self.keys.table(key)
            held = table.pop(key)
            if isinstance(held, tuple):
                holders = list(held)
                holders.remove(rel)
                table[key] = holders[0] if len(holders) == 1 else tuple(holders)
                if len(holders) < 2:
                    self.clashes.discard(key)
        self.parents.discard(rel)
        held = self.ids.pop(entry.id) - 1
        if held:
            self.ids[entry.id] = held
        self.figures[shape[:3]] -= 1
        if not self.figures[shape[:3]]:
            del self.figures[shape[:3]]
        for section in entry.sections:
            self.used[section] -= 1
            if not self.used[section]:
                del self.used[section]
        self._touch(rel, shape, -1)

    def _add(self, rel: str, record: FileRecord) -> None:
        _, _, _, problems, own, facts, rows, shape = record
        part = (problems, own, facts, shape)
        self.files[rel] = record[:3]
        self.parts[rel] = part
        if problems or own:
            self.problems[rel] = (problems, own)
        if facts is None:
            return
        entry = EntryFacts.from_data(facts)
        for key in clash_keys(entry):
            table = self.keys.table(key)
            held = table.get(key)
            if held is None:
                table[key] = rel
            else:
                table[key] = (*held, rel) if isinstance(held, tuple) else (held, rel)
                self.clashes.add(key)
        if entry.parents:
            self.parents.add(rel)
        self.ids[entry.id] = self.ids.pop(entry.id, 0) + 1
        self.figures[shape[:3]] = self.figures.get(shape[:3], 0) + 1
        for section in entry.sections:
            self.used[section] = self.used.get(section, 0) + 1
        self._touch(rel, shape, 1)
        for row, (_, mark) in zip(rows, shape[3], strict=True):
            self._new_rows[row[0]].append((rel, row, mark))

    def _touch(self, rel: str, shape: Shape, sign: int) -> None:
        """The sections of an entry added (``sign`` 1) or dropped (-1): each one's mark
        flipped by the entry's (exclusive or undoes itself), and its rows to be packed
        again; the marks of the rows dropped are noted."""
        marks = self.marks
        for section, mark in shape[3]:
            if section not in self.before:
                self.before[section] = marks.get(section, 0)
                self._new_rows.setdefault(section, [])
            marks[section] = marks.get(section, 0) ^ mark
            if sign < 0:
                self.gone.setdefault(section, []).append(mark)
        self._changed.add(rel)

    def stored(self, section: str) -> section_rows.SectionRows:
        """The rows of one section as the cache last packed them, before this run's changes."""
        if section not in self._sections:
            self._sections[section] = section_rows.SectionRows(self._rows.get(section, ()))
        return self._sections[section]

    def edits(self, section: str) -> section_rows.Edits | None:
        """What this run changes in one section's rows, as places in those ``stored``
        (None when they do not hold the rows dropped as named)."""
        if section not in self._edits:
            self._edits[section] = self.stored(section).edits(
                self.gone.get(section, ()), self._changed, self._new_rows.get(section, ()))
        return self._edits[section]

    def section_rows(self, section: str) -> list[Item]:
        """The rows of one section as data, each with its file and its ``row_mark``."""
        kept = self.stored(section).items()
        if section not in self._new_rows:
            return kept
        return [*(item for item in kept if item[0] not in self._changed), *self._new_rows[section]]

    def involved(self) -> list[EntryFacts]:
        """The facts of every entry a rule across files may report or name (each holder of
        a key held twice, each entry with a parent), in the catalog's order."""
        rels = {rel for key in self.clashes for rel in self.keys[key]} | self.parents  # a clash's holders: a tuple
        found = [EntryFacts.from_data(self.part(rel)[2]) for rel in sorted(rels)]
        return sorted(found, key=lambda f: f.id)


class EntryIds(Set[str]):
    """The id of every entry that joined the catalog, as ``Kept`` keeps them: a rule asks
    whether a few ids are there (unpacking only their shards), and only a miss, for its
    hint, unpacks them all."""

    def __init__(self, kept: Kept) -> None:
        self._ids = kept.ids

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and value in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return sum(1 for _ in self._ids)


@dataclass
class Checked:
    """The catalog as checked: every diagnostic of the catalog (not yet of the README),
    the list's context (None when unusable), and what the cache keeps of each file
    (``kept``: each entry that joined the catalog by its figures, each section by its
    mark and rows). ``dirty`` says whether the cache is worth writing again (see
    ``SAVE_FROM``)."""

    diagnostics: list[Diagnostic]
    context: Catalog | None
    kept: Kept = field(default_factory=Kept)
    context_state: Any = None
    dirty: bool = False
    context_key: str = ""
    scan_ns: int = 0
    readme: tuple[StatKey, bool, bytes] | None = None
    """The README as the run saw it: its stat, whether that stat may answer for its
    content, and its content's digest (set by ``readme_state``)."""
    layout: Any = None
    """The README's layout as ``readme_state`` records it (the cache keeps it apart)."""
    head: str | None = None
    """The head of the README's sections region, once ``readme_state`` has made it."""
    layout_dirty: bool = False
    readme_ahead: Callable[[], bytes | None] | None = None
    """The README's digest, made by a thread while the catalog was checked, when its
    stat is the recorded layout's but may not answer (``readme_state.digest_ahead``)."""
    saving: Callable[[], None] | None = None
    """What waits for the copy of this process that writes the state, when one does."""

    @property
    def ok(self) -> bool:
        """Whether the catalog has no errors (warnings allowed)."""
        return self.context is not None and not any(d.severity is Severity.ERROR for d in self.diagnostics)

    def state(self) -> State:
        """What the cache should keep: plain data, and the blobs it names."""
        return _state(self.kept, self.context_state)

    def listing(self) -> render.Listing:
        """Everything the generated regions show (only when ``ok``): each entry's figures,
        and its rows read from the cache a section at a time."""
        assert self.context is not None
        return render.Listing(self.context.taxonomy, (), self.context.settings, self.rows_of, self.kept.figures)

    def rows_of(self, section: str) -> list[render.Row]:
        """The rows of one section."""
        return [render.Row(*row) for _, row, _ in self.kept.section_rows(section)]


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
    needs none); the metaschema and ``$ref`` checks are skipped when ``checked``."""

    def __init__(self, project: Project, checked: bool) -> None:
        super().__init__()
        self.project, self.checked, self.tried = project, checked, set[str]()

    def get(self, name: str, default: Any = None) -> Any:
        if name not in self.tried:
            self.tried.add(name)
            self.update(loader.load_schemas(self.project, (name,), checked=self.checked)[0])
        return super().get(name, default)


State = tuple[dict[str, Any], list[writing.Piece]]
"""What the cache keeps of a checked catalog: plain data, and the blobs it names."""


def _state(kept: Kept, context_state: Any) -> State:
    value, blobs = kept.state()
    return {"context": context_state, **value}, blobs


def check_catalog(project: Project, stored: Any = None, found: Scan | None = None,
                  save: Callable[[Callable[[], State]], None] | None = None, *, rows: bool = False) -> Checked:
    """Load, validate and check the whole catalog, reading only the files that changed
    since the run that left ``stored`` (what ``Store.load_with_blobs`` gives; every file
    without it). ``found`` is the run's ``scan``, when already made. ``save``, when
    given, is handed what makes the state as soon as every file is known, if the cache
    is worth writing (with ``rows``, also when rows changed), and the rules across files
    run while it is made and written."""
    found = found or inputs.scan(project)
    state, blobs = stored if isinstance(stored, tuple) and isinstance(stored[0], dict) else ({}, None)
    texts = loader.SourceTexts(project)
    context, context_state = _context(project, texts, state.get("context"), found.context_key)
    same = state.get("context") == context_state
    kept = Kept(state, blobs) if same else Kept()

    diagnostics = [*context.diagnostics, *found.listing.problems]
    for at, problems in found.unreadable:
        file = found.listing.files[at]
        name_problem = loader.check_name(file.rel, file.name)
        diagnostics += [name_problem, *problems] if name_problem else problems
    todo, gone = kept.files.compare(found.names, found.table)
    jobs: list[Job] = [(found.files[at], inputs.unpack_stat(found.table, at), known[2] if known else None)
                       for at, known in todo]

    def take(done: Iterable[tuple[Job, Result]]) -> None:
        """Take in the results of some jobs (each file is in one job only)."""
        fresh: dict[str, FileRecord] = {}
        for (file, stat, digest), (how, value) in done:
            if how == "error":
                diagnostics.extend(Diagnostic(*d) for d in value)
                gone.add(file.rel)
            elif how == "same":
                kept.files[file.rel] = (stat, value, digest)  # type: ignore[assignment]  # "same": digest known
            else:
                fresh[file.rel] = value
        kept.change(fresh, set())

    _run_jobs(project, context, context_state[1], jobs, found.ns, take)
    kept.change({}, {rel for rel in gone if rel in kept.parts})
    # a few files read again next time cost less than rewriting the cache now (a run
    # whose inputs did not change answers from the result kept apart all the same)
    dirty = not same or len(jobs) + len(gone) >= SAVE_FROM
    if save is not None and (dirty or (rows and kept.before)):
        save(lambda: _state(kept, context_state))
        dirty = False
    for problems, _own in kept.problems.values():  # of listed files only: the others are gone
        diagnostics += (Diagnostic(*d) for d in problems)
    complete = not any(d.severity is Severity.ERROR for d in diagnostics)
    if context.catalog is not None:
        where, ids = make_locator(texts), EntryIds(kept)
        diagnostics += context_rules(context.catalog, where, project.rel(project.taxonomy_file),
                                     project.rel(project.vocabulary_file), ids)
        for _problems, own in kept.problems.values():
            diagnostics += (Diagnostic(*d) for d in own)
        diagnostics += cross_rules(context.catalog, kept.involved(), where, project.rel(project.taxonomy_file),
                                   complete=complete, ids=ids, used=set(kept.used))
        diagnostics = apply_levels(diagnostics, dict(context.catalog.settings.rules))
    return Checked(diagnostics, context.catalog, kept, context_state, dirty, found.context_key, found.ns)


Job = tuple[EntryFile, StatKey, "bytes | None"]
"""A file to read: its entry file, its stat, and the digest of the content last
recorded for it (None without one)."""
Result = tuple[str, Any]
"""What reading a file gave: ("error", its problems), ("same", whether its stat may now
answer: the content is the one recorded), or ("fresh", its ``FileRecord``, whose
problems start with its name's, if any)."""

SAVE_FROM = 64
"""How many files a run must have read again, or seen go, to rewrite the cache."""
PARALLEL_FROM = 2000
"""From how many files to read a run shares the work among processes (one per core, at most 4)."""


def _run_jobs(project: Project, context: loader.ListContext, recorded: Any, jobs: list[Job], ns: int,
              take: Callable[[Iterable[tuple[Job, Result]]], None]) -> None:
    """Give ``take`` each job with its result, a batch at a time: from this process, or,
    for many files on a machine with several cores, shared among worker processes (each
    rebuilds the list's context from what is ``recorded`` of it, so each finds what this
    process would). This process takes in its own batch while the others finish theirs."""
    workers = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    size = max(1, -(-len(jobs) // workers))
    slices = [jobs[i:i + size] for i in range(size, len(jobs), size)]  # this process takes the first one
    if len(jobs) < PARALLEL_FROM or not slices or not hasattr(os, "fork"):
        take(zip(jobs, _work(project, context, jobs, ns), strict=True))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(len(slices), mp_context=multiprocessing.get_context("fork")) as pool:
        pending = [pool.submit(_work_elsewhere, project, recorded, part, ns) for part in slices]
        take(zip(jobs[:size], _work(project, context, jobs[:size], ns), strict=True))
        for part, future in zip(slices, pending, strict=True):
            take(zip(part, marshal.loads(future.result()), strict=True))


def _work_elsewhere(project: Project, recorded: Any, jobs: list[Job], ns: int) -> bytes:
    """``_work`` in a worker process, with the list's context rebuilt from what is recorded
    of it; its results as ``marshal`` data (plain values: quicker to send than pickled)."""
    return marshal.dumps(_work(project, _context_of(project, recorded), jobs, ns))


def _work(project: Project, context: loader.ListContext, jobs: list[Job], ns: int) -> list[Result]:
    """Read, parse, validate and check the files of ``jobs`` against the list's context."""
    texts = loader.SourceTexts(project)
    results: list[Result] = []
    built: list[tuple[int, Entry]] = []
    for file, stat, recorded in jobs:
        name_problem = loader.check_name(file.rel, file.name)
        named = [name_problem] if name_problem else []
        try:
            raw = read_regular(file.path, inputs.MAX_BYTES)
        except OSError as err:
            results.append(("error", tuple(d.as_tuple() for d in [*named, loader.read_error(file.rel, err)])))
            continue
        digest, trusted = content_digest(raw), stat[0] + RACY_NS < ns
        if digest == recorded:
            results.append(("same", trusted))
            continue
        parsed: list[Diagnostic] = named
        data = loader.parse(raw, file.rel, context.validators.get("entry"), texts, parsed)
        entry = loader.entry_of(file, data, context, not named)
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
                                tuple(facts_of(context, entry)), part.to_data()[3], shape))
