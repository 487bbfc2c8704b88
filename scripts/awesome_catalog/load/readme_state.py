"""The README check with the cache: only the sections an edit touched are rendered again.

After a run that found the README exactly as generated, the cache keeps its *layout*:
its size, digest and stat, its problems (markers, hand-written links), the anchors of
its headings, and where each piece of the sections region lies (``regions.Layout``)
with a *mark* of what the piece was rendered from: the head's text, and for each section
the exclusive or of its rows' marks (``incremental.row_mark``). The next run:

- compares the README with the layout (its stat; its digest when the stat cannot
  answer, as for catalog files); any other README, or another context, takes the
  careful path (``regions.check_plain`` on its bytes, else ``regions.check_text``),
  which records a new layout when it finds the README up to date;
- renders again the head (from each entry's figures) and every section whose mark
  changed, from the section's rows as the cache keeps them, and compares them with the
  bytes the layout names. A section's block depends only on the section, the settings, the
  contents' anchor and its rows (``render.section_block``), so the sections left alone
  are as they were;
- ``generate`` writes the README with those pieces replaced (``write``, in pieces,
  hashed meanwhile), and records the new layout.

The tests prove that this gives what the careful path gives, after any sequence of edits.
"""

from __future__ import annotations

import bisect
import mmap
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from awesome_catalog.core import writing
from awesome_catalog.core.diagnostics import Diagnostic
from awesome_catalog.core.model import Section
from awesome_catalog.core.project import Project, map_regular, read_regular
from awesome_catalog.load import inputs, section_rows
from awesome_catalog.load.incremental import Checked
from awesome_catalog.load.inputs import RACY_NS, content_digest
from awesome_catalog.readme import regions, render

Readme = bytes | mmap.mmap
"""The README's bytes, or the README mapped (``core.project.map_regular``)."""


@dataclass(frozen=True)
class Outcome:
    """The README as checked: its problems; when it is stale, the diff, or its bytes as
    ``generate`` would write them (both from the careful path); and the layout of the
    README as generated (the one checked when it is up to date, else ``new``), when known."""

    problems: list[Diagnostic]
    diff: str | None = None
    new: tuple[writing.Piece, ...] | None = None
    """The pieces of the README to write, one after the other."""
    layout: regions.Layout | None = None
    blocked: str | None = None
    """Why ``generate`` cannot write the README (it cannot be read, its markers are broken)."""


def marks(checked: Checked) -> dict[str, Any]:
    """The mark of each piece of the sections region as the catalog now stands."""
    return {**checked.kept.marks, render.HEAD_KEY: head(checked), render.TAIL_KEY: ""}


def head(checked: Checked) -> str:
    """The head of the sections region (note, exceptions, figures), from the entries'
    figures; made once per run (the marks, the pieces rendered again and the layout
    recorded all ask for it)."""
    assert checked.context is not None
    if checked.head is None:
        checked.head = render.sections_head(checked.listing())
    return checked.head


def check(project: Project, checked: Checked, *, want_new: bool = False) -> Outcome:
    """The README's problems and, when it is stale, its diff, or (``want_new``) what
    ``generate`` would write: from the recorded layout when it still describes the
    README, else the careful way (and then the layout is recorded for the next run).
    Only for a catalog without errors."""
    recorded = checked.layout
    if isinstance(recorded, tuple) and recorded[0] == checked.context_key:
        seen = _unchanged(project, recorded, checked)
        if seen is not None:
            return _from_layout(project, checked, recorded, seen, want_new)
    return _careful(project, checked)


def _unchanged(project: Project, recorded: tuple[Any, ...], checked: Checked) -> tuple[Readme, os.stat_result] | None:
    """The README's bytes, mapped (``b""`` when its stat says it is the recorded one and
    they were not needed), and its stat, taken before, if it is the README the layout
    describes; else None."""
    try:
        st = os.stat(project.readme)
        if inputs.stat_key(st) == recorded[1] and recorded[2]:
            checked.readme = (recorded[1], True, recorded[3])
            return b"", st
        raw: Readme = b""
        if inputs.stat_key(st) == recorded[1] and checked.readme_ahead is not None:
            digest = checked.readme_ahead()  # made for this very stat
        else:
            raw = map_regular(project.readme)
            digest = content_digest(raw)
    except OSError:
        return None
    if digest != recorded[3]:
        return None
    trusted = st.st_mtime_ns + RACY_NS < checked.scan_ns
    checked.layout = (recorded[0], inputs.stat_key(st), trusted, *recorded[3:])
    checked.layout_dirty = True
    checked.readme = (inputs.stat_key(st), trusted, recorded[3])
    return raw, st


def digest_ahead(project: Project, recorded: Any, stat: inputs.StatKey | None) -> Callable[[], bytes | None] | None:
    """When the README's ``stat`` is the one the ``recorded`` layout names but may not
    answer for its content (the README was written less than ``RACY_NS`` before that
    layout was recorded), its digest, made by a thread meanwhile (the hash lets other
    threads run while it reads a large README): what to call to wait for it (None when
    the README could not be read). None when no digest is needed."""
    if not (isinstance(recorded, tuple) and len(recorded) > 3 and recorded[1] == stat and not recorded[2]):
        return None
    found: list[bytes | None] = []

    def digest() -> None:
        try:
            found.append(content_digest(map_regular(project.readme)))
        except OSError:
            found.append(None)

    thread = threading.Thread(target=digest, daemon=True)
    thread.start()

    def result() -> bytes | None:
        thread.join()
        return found[0]

    return result


def _from_layout(project: Project, checked: Checked, recorded: tuple[Any, ...],
                 seen: tuple[Readme, os.stat_result], want_new: bool) -> Outcome:
    """The check of a README the recorded layout describes (``seen``: its bytes, or
    ``b""`` when not read yet, and its stat): the pieces whose marks changed are
    rendered again and compared with the bytes they replace."""
    raw, st = seen
    _, _, _, _, stored, line, pieces, anchors = recorded
    problems = [Diagnostic(*d) for d in stored]
    now = marks(checked)
    touched = [key for key, _start, _end, mark, _lines in pieces if now.get(key, 0) != mark]
    if not touched:
        return Outcome(problems, layout=regions.Layout(line, tuple((k, a, b, n) for k, a, b, _, n in pieces), anchors))
    raw = raw or map_regular(project.readme)
    fresh = _render(checked, raw, dict(anchors), [piece for piece in pieces if piece[0] in touched])
    moved, shift, spans = [], 0, []
    for key, start, end, _mark, lines in pieces:
        edits, lines = fresh.get(key, ([], lines))
        size = end - start + sum(len(new) - (stop - at) for at, stop, new in edits)
        moved.append((key, start + shift, start + shift + size, lines))
        shift += size - (end - start)
        spans += edits
    layout = regions.Layout(line, tuple(moved), anchors)
    if all(raw[start:end] == piece for start, end, piece in spans):  # rendered again alike: the catalog's new marks
        record(checked, content_digest(raw), st, layout, problems)
        return Outcome(problems, layout=layout)
    diff = None if want_new else _diff(raw, spans, _Lines(raw, pieces))
    new = tuple(_pieces(raw, spans, 0, len(raw), writing.Source.of(project.readme, inputs.stat_key(st)))
                ) if want_new else None
    return Outcome([*problems, regions.stale(project.rel(project.readme), line, "sections")], diff, new, layout)


def _diff(raw: Readme, spans: list[tuple[int, int, bytes]], lines: _Lines) -> str:
    """The diff of ``raw`` and ``raw`` with ``spans`` replaced, as ``regions.unified_diff``
    gives it, made window by window: spans closer than a hunk's context apart share a
    window, and the rest of the README, the same, is never decoded."""
    windows: list[list[tuple[int, int, bytes]]] = []
    for span in spans:
        if windows and lines.at(span[0]) - lines.at(windows[-1][-1][1]) <= 2 * _CONTEXT:
            windows[-1].append(span)
        else:
            windows.append([span])
    out: list[str] = []
    more = 0  # how many more lines the windows so far have in the new README than in the old one
    for group in windows:
        low, high = group[0][0], group[-1][1]
        for _ in range(_CONTEXT):
            low = raw.rfind(b"\n", 0, max(low - 1, 0)) + 1 if low > 0 else 0
            found = raw.find(b"\n", high)
            high = len(raw) if found < 0 else found + 1
        old, new = raw[low:high], _spliced(raw, group, low, high)
        part = regions.unified_diff(old, new, first_line=lines.at(low), more_lines=more)
        more += new.count(b"\n") - old.count(b"\n")
        if part:  # a window whose pieces came out the same has nothing to show
            out.append(part if not out else part.split("\n", 2)[2])  # one header for the whole diff
    return "".join(out)


class _Lines:
    """The line of a place in a README the layout's ``pieces`` describe: counted from
    the start of the piece it lies in, each piece's line ends being recorded."""

    def __init__(self, raw: Readme, pieces: tuple[tuple[str, int, int, int, int], ...]) -> None:
        self.raw, self.starts, self.before = raw, [start for _, start, _, _, _ in pieces], list[int]()
        at = _count_lines(raw, 0, self.starts[0]) if pieces else 0
        for (_, _start, end, _, lines), following in zip(pieces, [*self.starts[1:], None], strict=True):
            self.before.append(at)
            at += lines + (_count_lines(raw, end, following) if following is not None else 0)

    def at(self, offset: int) -> int:
        """How many line ends ``raw[:offset]`` holds."""
        piece = bisect.bisect_right(self.starts, offset) - 1
        if piece < 0:
            return _count_lines(self.raw, 0, offset)
        return self.before[piece] + _count_lines(self.raw, self.starts[piece], offset)


def _count_lines(raw: Readme, start: int, end: int) -> int:
    """How many line ends ``raw[start:end]`` holds, counted a mebibyte at a time (a
    mapped file has no ``count``, and is never copied whole)."""
    step = 1 << 20
    return sum(raw[at:min(at + step, end)].count(b"\n") for at in range(start, end, step))


_CONTEXT = 5
"""Lines kept around the pieces replaced when making the diff: more than its context of 3,
so that two spans in one window are exactly where the diff of the whole files would
join their hunks."""


def _spliced(raw: Readme, spans: list[tuple[int, int, bytes]], low: int, high: int) -> bytes:
    """``raw[low:high]`` with each span ``raw[start:end]`` (all inside it) replaced."""
    return b"".join(map(writing.data_of, _pieces(raw, spans, low, high)))


def _pieces(raw: Readme, spans: list[tuple[int, int, bytes]], low: int, high: int,
            source: writing.Source | None = None) -> list[writing.Piece]:
    """``_spliced`` in pieces: the new ones, and what lies between them, as views of
    ``raw``, or, given the README open as ``source``, as spans of it (those of at least
    ``SPAN_FROM`` bytes) for the kernel to copy."""
    view, out, at = memoryview(raw), list[writing.Piece](), low
    for start, end, piece in spans:
        out += [_between(view, at, start, source), piece]
        at = end
    return [*out, _between(view, at, high, source)]


SPAN_FROM = 1 << 16
"""The least bytes of the old README written as a span of it (``writing.Span``): below,
a copy by the kernel costs more than it saves."""


def _between(view: memoryview, start: int, end: int, source: writing.Source | None) -> writing.Piece:
    """``view[start:end]``, as a span of ``source`` when there is one and it is long enough."""
    if source is None or end - start < SPAN_FROM:
        return view[start:end]
    return writing.Span(source, start, view[start:end])


LINES_CHUNK = 1 << 16
"""How many bytes of a piece ``_Piece.line_starts`` counts the line ends of at once."""
Edit = tuple[int, int, bytes]
"""Bytes of the README, from one place to another, replaced by others."""


def _render(checked: Checked, raw: Readme, anchors: dict[str, str],
            pieces: list[tuple[str, int, int, int, int]]) -> dict[str, tuple[list[Edit], int]]:
    """The ``pieces`` of the sections region (each its key, where it lies in ``raw``, the
    mark it was made from and its line ends) made again from the catalog, as edits of
    ``raw``, with the line ends of each piece made: a table's rows replaced in place when
    that is possible (``_rows_replaced``), else the piece rendered again from its rows,
    unpacked."""
    assert checked.context is not None
    settings, taxonomy = checked.context.settings, checked.context.taxonomy
    headings = dict(zip((s.id for s in taxonomy.walk()), render.headings(checked.context, "sections"), strict=True))
    sections = taxonomy.by_id()
    found: dict[str, tuple[list[Edit], int]] = {}
    for key, start, end, mark, lines in pieces:
        if key == render.HEAD_KEY:
            text = head(checked).encode("utf-8", "surrogatepass")
        else:
            replaced = _rows_replaced(checked, sections[key], _Piece(raw, start, end, lines), mark)
            if replaced is not None:
                found[key] = replaced
                continue
            text = render.section_block(settings, sections[key], headings[key], checked.rows_of(key),
                                        anchors).encode("utf-8", "surrogatepass")
        found[key] = ([(start, end, text)], text.count(b"\n"))
    return found


@dataclass(frozen=True)
class _Piece:
    """A piece of the README (``raw[start:end]``) that holds ``lines`` line ends."""

    raw: Readme
    start: int
    end: int
    lines: int

    def line_starts(self, at: int, skips: list[int]) -> list[int]:
        """Where the lines begin that lie ``skips`` line ends (in ascending order) after
        ``at``, or the piece's end plus one past its last line: line ends counted a chunk
        at a time, so that a row deep in a large table costs no split of its lines."""
        found, step, passed = [], LINES_CHUNK, 0
        for skip in skips:
            while passed < skip:
                chunk = min(at + step, self.end)
                ends = self.raw[at:chunk].count(b"\n") if chunk > at else 0
                if passed + ends < skip and chunk < self.end:
                    passed, at = passed + ends, chunk
                    continue
                while passed < skip:
                    found_at = self.raw.find(b"\n", at, self.end)
                    at = (found_at if found_at >= 0 else self.end) + 1
                    passed += 1
            found.append(at)
        return found


def _rows_replaced(checked: Checked, section: Section, piece: _Piece, mark: int) -> tuple[list[Edit], int] | None:
    """A table's ``piece`` (made from the rows whose mark is ``mark``) with the rows this
    run dropped taken out and those it added put in their places, as edits of the
    README, and its line ends then, when its frame stays (the same titles and widths:
    every other row is then as it was); else None.

    The piece was made from the rows the cache keeps (``Kept.stored``: their marks
    agree), so its last lines are those rows in that order, and its alignment line gives
    the widths of their columns. Only the rows an edit touches are unpacked, and only
    the lines up to the last of them are counted: a row dropped that was the widest of
    its column (it may narrow) leaves the piece to be rendered whole."""
    kept, settings = checked.kept, checked.context.settings if checked.context else None
    if settings is None or section.layout != "table" or kept.before.get(section.id) != mark:
        return None
    stored = kept.stored(section.id)
    edits = kept.edits(section.id) if stored.mark == mark and stored.count else None
    if edits is None:
        return None
    dropped, added = [item for _, item in edits.dropped], [item for _, item in edits.added]
    count = stored.count - len(dropped) + len(added)
    tools = edits.tools(stored.tools)
    titles = render.table_titles(section, settings, stored.tools, stored.count)
    first = piece.lines + 1 - stored.count  # the first row's line
    if not count or first < 2 or render.table_titles(section, settings, tools, count) != titles:
        return None
    title_at, align_at, rows_at = piece.line_starts(piece.start, [first - 2, first - 1, first])
    align = piece.raw[align_at:rows_at - 1]
    widths = [len(cell.strip()) for cell in align.strip(b"|").split(b"|")]
    if len(widths) != len(titles) or [piece.raw[title_at:align_at - 1], align] != [
            line.encode("utf-8", "surrogatepass") for line in render.table_head(titles, widths)]:
        return None
    if not _frame_stays(titles, widths, dropped, added):
        return None
    gone = {place for place, _ in edits.dropped}
    keys = list(map(section_rows.key, added))
    put: dict[int, list[bytes]] = {}  # the rows added before each row kept (at its place), or at the end
    for i, (place, item) in enumerate(edits.added):
        kept_before = next((p for p in range(place - 1, -1, -1) if p not in gone), None)
        if (i and keys[i - 1] == keys[i]) or (
                kept_before is not None and section_rows.key(stored.item(kept_before)) == keys[i]):
            return None  # two rows with one key: rendered whole
        row = render.table_row(section_rows.cells(item), widths).encode("utf-8", "surrogatepass")
        put.setdefault(place, []).append(row + b"\n")
    places = sorted(gone | put.keys())
    bounds = sorted({*places, *(place + 1 for place in gone)})
    starts = dict(zip(bounds, piece.line_starts(rows_at, bounds), strict=True))
    changed: list[Edit] = []  # each row a line with its line end, as if the piece had one after its last row
    for place in places:  # a row dropped, with those added in its place; or rows added before a row kept
        start, end, new = starts[place], starts[place + 1 if place in gone else place], b"".join(put.get(place, ()))
        if changed and changed[-1][1] == start:  # next to the last one: one edit
            start, new = changed[-1][0], changed.pop()[2] + new
        changed.append((start, end, new))
    start, end, new = changed[-1]
    if end > piece.end:  # the piece has no line end after its last row: the one before it goes or comes
        changed[-1] = ((piece.end, piece.end, b"\n" + new[:-1]) if start > piece.end else
                       (start, piece.end, new[:-1]) if new else (start - 1, piece.end, b""))
    return changed, piece.lines - len(dropped) + len(added)


def _frame_stays(titles: tuple[str, ...], widths: list[int], dropped: list[section_rows.Item],
                 added: list[section_rows.Item]) -> bool:
    """Whether a table whose columns have ``widths`` keeps them with the rows ``dropped``
    taken out and ``added`` put in: no cell added is wider or spans two lines, and none
    dropped was as wide as its column (unless a cell added is, or the column can be no
    narrower)."""
    narrowest = render.table_widths(titles, [0] * len(titles))
    reached = [False] * len(widths)
    for item in added:
        cells = section_rows.cells(item)
        if len(cells) != len(widths) or any("\n" in cell for cell in cells):
            return False
        for at, size in enumerate(map(render.width, cells)):
            if size > widths[at]:
                return False
            reached[at] = reached[at] or size == widths[at]
    return not any(render.width(cell) == width > least and not reach for item in dropped for cell, width, least, reach
                   in zip(section_rows.cells(item), widths, narrowest, reached, strict=True))


def _careful(project: Project, checked: Checked) -> Outcome:
    """The whole README checked against the whole listing; its layout recorded when it is up to date."""
    checked.layout = None
    checked.layout_dirty = True
    path = project.rel(project.readme)
    raw, problems, st = _read(project, checked)
    if raw is None or st is None:
        return Outcome(problems, blocked="it cannot be read")
    listing = checked.listing()
    found = regions.check_plain(raw, listing, path)
    if found is None:
        text, problems = regions.decode(raw, path)
        del raw  # a large README's bytes take room, beside its text
        if text is None:
            return Outcome(problems, blocked="it cannot be read")
        found = regions.check_text(text, listing, path)
    if not found.markers_ok:
        return Outcome(found.problems, blocked="fix its markers first")
    if found.new is None:
        if found.layout is not None and found.diff is None and checked.readme is not None:
            record(checked, checked.readme[2], st, found.layout, found.problems)
        return Outcome(found.problems, layout=found.layout)
    return Outcome(found.problems, found.diff, (found.new.encode("utf-8"),), found.layout)


def _read(project: Project, checked: Checked) -> tuple[bytes | None, list[Diagnostic], os.stat_result | None]:
    """The README's bytes (None when it cannot be read, with why) and its stat, taken
    before; what the run saw of it goes to ``checked.readme``."""
    try:
        st = os.stat(project.readme)
        raw = read_regular(project.readme)
    except OSError as err:
        return None, [regions.unreadable(project.rel(project.readme), err)], None
    checked.readme = (inputs.stat_key(st), st.st_mtime_ns + RACY_NS < checked.scan_ns, content_digest(raw))
    return raw, [], st


def record(checked: Checked, digest: bytes, st: os.stat_result, layout: regions.Layout,
           problems: list[Diagnostic]) -> None:
    """Keep the layout of a README that is exactly as generated from ``checked`` (the
    ``content_digest`` of its bytes, its stat ``st`` taken before they were read), with
    its problems."""
    now = marks(checked)
    trusted = st.st_mtime_ns + RACY_NS < checked.scan_ns
    checked.readme = (inputs.stat_key(st), trusted, digest)
    checked.layout = (checked.context_key, inputs.stat_key(st), trusted, digest,
                      tuple(d.as_tuple() for d in problems), layout.line,
                      tuple((key, start, end, now.get(key, 0), lines) for key, start, end, lines in layout.pieces),
                      layout.anchors)
    checked.layout_dirty = True


def write(target: Path, outcome: Outcome) -> bytes:
    """Write ``outcome.new`` into ``target`` (README.md, or the file it links to), and
    give its ``content_digest``, made meanwhile (the hash lets other threads run while it
    reads a large buffer, and writing mostly waits for the disk or the kernel's copy).
    Raises ``OSError``."""
    assert outcome.new is not None
    new = outcome.new
    digest: list[bytes] = []
    data = [writing.data_of(piece) for piece in new]
    hashing = threading.Thread(target=lambda: digest.append(content_digest(data)))
    hashing.start()
    try:
        writing.replace(target, new)
    finally:
        hashing.join()
    return digest[0]


def written(checked: Checked, outcome: Outcome, st: os.stat_result, digest: bytes) -> None:
    """After ``generate`` wrote ``outcome.new`` (the README then had the stat ``st``, and
    its content the ``digest``): keep its layout, when the README has no problem of its
    own (problems found in its hand-written text would now be on other lines)."""
    checked.layout = None
    checked.layout_dirty = True
    checked.readme = None
    if outcome.new is not None and outcome.layout is not None and all(d.code == "E406" for d in outcome.problems):
        record(checked, digest, st, outcome.layout, [])


def check_broken(project: Project, checked: Checked) -> tuple[list[Diagnostic], None]:
    """The README's problems when the catalog has errors: its markers, and its
    hand-written links against the headings it will have (its regions are not
    compared); those of the recorded layout while the README and the context are the
    same, since they are exactly those."""
    recorded = checked.layout
    if (checked.context is not None and isinstance(recorded, tuple) and recorded[0] == checked.context_key
            and _unchanged(project, recorded, checked) is not None):
        return [Diagnostic(*d) for d in recorded[4]], None
    raw, problems, _ = _read(project, checked)
    text, problems = (None, problems) if raw is None else regions.decode(raw, project.rel(project.readme))
    if text is None:
        return problems, None
    return regions.check_text(text, None, project.rel(project.readme), checked.context).problems, None
