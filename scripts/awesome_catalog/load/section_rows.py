"""The rows of one README section as the cache keeps them: sorted by key, packed a chunk at a time.

A section of a large list holds tens of thousands of rows, and an edit changes one or
two. The cache keeps a section's rows (each with its file and its ``row_mark``) sorted
by key in chunks of about ``CHUNK`` rows, each packed and compressed on its own, behind
an index: the section's mark, its number of rows and of tools' rows, each chunk's
first key and size, and every row's mark in order. An edit then finds the rows it
drops by their marks and the places of the rows it adds by their keys, unpacking only
the chunks they fall in (``Edits``), and packing again only those (``SectionRows.edited``).
"""

from __future__ import annotations

import array
import bisect
import marshal
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from awesome_catalog.core import writing
from awesome_catalog.load import cache

CHUNK = 512
"""How many rows a chunk holds when packed anew (an edited chunk may hold up to twice as many)."""

Item = tuple[str, Any, int]
"""A row as kept: its file, the row as data (``render.Row`` fields, the key second, the
tool flag third, the cells fourth) and its ``row_mark``."""


def key(item: Item) -> Any:
    """A row's key in its section's order."""
    return item[1][1]


def tool(item: Item) -> bool:
    """Whether a row is a tool's."""
    return bool(item[1][2])


def cells(item: Item) -> tuple[str, ...]:
    """A row's cells, rendered."""
    found: tuple[str, ...] = item[1][3]
    return found


def _marks(items: Iterable[Item]) -> bytes:
    return array.array("Q", [item[2] for item in items]).tobytes()


@dataclass(frozen=True)
class Edits:
    """What a run changes in a section's rows, in the places of the rows kept: the rows it
    drops (their places, ascending) and those it adds (each with the number of kept rows
    whose key sorts before or with its own, in key order)."""

    dropped: list[tuple[int, Item]]
    added: list[tuple[int, Item]]

    def tools(self, kept: int) -> int:
        """How many tools' rows a section of ``kept`` of them holds with these edits made."""
        return kept - sum(tool(item) for _, item in self.dropped) + sum(tool(item) for _, item in self.added)


class SectionRows:
    """The rows of one section as the cache last packed them (``packed``: the index, then
    the chunks; nothing for a section without rows)."""

    def __init__(self, packed: cache.Packed = ()) -> None:
        self._packed = packed
        index = marshal.loads(writing.data_of(packed[0])) if len(packed) else (0, 0, (), (), b"")
        self.mark: int = index[0]
        self.tools: int = index[1]
        self._firsts: tuple[Any, ...] = index[2]
        self._starts: list[int] = [0]
        for size in index[3]:
            self._starts.append(self._starts[-1] + size)
        self._row_marks: bytes = index[4]
        self._chunks: dict[int, tuple[Item, ...]] = {}

    @property
    def count(self) -> int:
        return self._starts[-1]

    def chunk(self, at: int) -> tuple[Item, ...]:
        """The rows of one chunk, unpacked once."""
        if at not in self._chunks:
            self._chunks[at] = cache.unpack(writing.data_of(self._packed[1 + at]))
        return self._chunks[at]

    def items(self) -> list[Item]:
        """Every row, in order (every chunk unpacked)."""
        return [item for at in range(len(self._firsts)) for item in self.chunk(at)]

    def item(self, place: int) -> Item:
        """The row at ``place``."""
        at = bisect.bisect_right(self._starts, place) - 1
        return self.chunk(at)[place - self._starts[at]]

    def place(self, wanted: Any) -> int:
        """How many rows have a key that sorts before ``wanted`` or with it."""
        at = max(bisect.bisect_right(self._firsts, wanted) - 1, 0)
        if at >= len(self._firsts):
            return 0
        return self._starts[at] + bisect.bisect_right(self.chunk(at), wanted, key=key)

    def with_mark(self, mark: int) -> list[int]:
        """The places of the rows whose mark is ``mark``."""
        needle = mark.to_bytes(8, sys.byteorder)  # as the array of ``_marks`` holds it
        found, at = [], self._row_marks.find(needle)
        while at >= 0:
            if at % 8 == 0:
                found.append(at // 8)
            at = self._row_marks.find(needle, at + 1)
        return found

    def edits(self, dropped: Iterable[int], files: set[str], added: Iterable[Item]) -> Edits | None:
        """The ``Edits`` of dropping the rows of the marks ``dropped`` (each as many times
        as it is named) held by the ``files`` that changed, and adding the rows ``added``;
        None when the rows kept do not hold them as named."""
        places: list[tuple[int, Item]] = []
        for mark, times in Counter(dropped).items():
            held = [(place, item) for place in self.with_mark(mark) if (item := self.item(place))[0] in files]
            if len(held) != times:
                return None
            places += held
        new = sorted(added, key=key)
        return Edits(sorted(places), [(self.place(key(item)), item) for item in new])

    def edited(self, edits: Edits, mark: int) -> list[writing.Piece]:
        """The section packed again with ``edits`` made (``mark``: its new mark): only the
        chunks they touch are packed anew (one grown past twice ``CHUNK`` rows split, one
        left empty dropped); the others are kept as they were packed."""
        gone = {place for place, _ in edits.dropped}
        tools = edits.tools(self.tools)
        if not self._firsts:
            return pack([item for _, item in edits.added], mark)
        pieces: list[_Piece] = []
        added, taken, last = edits.added, 0, len(self._firsts) - 1
        for at in range(last + 1):
            start, end = self._starts[at], self._starts[at + 1]
            upto = taken
            while upto < len(added) and (added[upto][0] < end or at == last):
                upto += 1
            mine, taken = added[taken:upto], upto
            if not mine and not any(start <= place < end for place in gone):
                pieces.append((self._firsts[at], end - start, self._row_marks[8 * start:8 * end],
                               cache.kept(self._packed, 1 + at)))
                continue
            # an added row goes before the kept row at its place, after those before it
            merged = [((place, 1, 0), item) for place, item in enumerate(self.chunk(at), start) if place not in gone]
            merged += [((place, 0, i), item) for i, (place, item) in enumerate(mine)]
            rows = [item for _, item in sorted(merged, key=lambda placed: placed[0])]
            pieces += _pieces(rows, CHUNK if len(rows) > 2 * CHUNK else len(rows))
        return _packed(mark, tools, pieces)


_Piece = tuple[Any, int, bytes, "writing.Piece"]
"""A chunk as the index names it: its first key, its size, its rows' marks, and the chunk packed."""


def _pieces(items: Sequence[Item], size: int) -> list[_Piece]:
    """``items`` (sorted by key) packed in chunks of ``size`` rows."""
    chunks = [items[low:low + size] for low in range(0, len(items), max(size, 1))]
    return [(key(chunk[0]), len(chunk), _marks(chunk), cache.pack(tuple(chunk))) for chunk in chunks]


def pack(items: Sequence[Item], mark: int) -> list[writing.Piece]:
    """A section's rows (``items``, sorted by key) packed anew: the index, then the chunks."""
    return _packed(mark, sum(map(tool, items)), _pieces(items, CHUNK))


def _packed(mark: int, tools: int, pieces: Sequence[_Piece]) -> list[writing.Piece]:
    if not pieces:
        return []
    index = (mark, tools, tuple(first for first, _, _, _ in pieces), tuple(size for _, size, _, _ in pieces),
             b"".join(marks for _, _, marks, _ in pieces))
    return [marshal.dumps(index), *(packed for _, _, _, packed in pieces)]
