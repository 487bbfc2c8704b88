"""The cache's index of the entry files, kept as packed arrays that a run compares in bulk.

For each file the index keeps its stat (``inputs.StatKey``), whether that stat may
answer for its content, and its content's digest, in the listing's order: the stats
as one array of machine words (``inputs.pack_stats``), the rest as bytes, the names as
one string. A run compares the stats of every file at once with those the scan found
(as git compares its index), block by block, and looks at a file of its own only
where its block differs; the names are unpacked only when files came or went.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import Any

from awesome_catalog.load.inputs import DIGEST_SIZE, STAT_SIZE, StatKey, pack_stats, unpack_stat

Record = tuple[StatKey, bool, bytes]
"""What the index keeps of a file: its stat, whether it may answer, its content's digest."""

_BLOCK = 256
"""How many files' stats are compared at once before looking at any one of them."""


class FileIndex:
    """The records of the entry files: those kept (the packed arrays) and the changes
    made to them since (``changed``, ``dropped``), packed together again by ``state``."""

    def __init__(self, state: Any = None) -> None:
        names, stats, trusted, digests = state or ("", b"", b"", b"")
        self._packed_names: str = names
        self._stats: bytes = stats
        self._trusted: bytes = trusted
        self._digests: bytes = digests
        self._names: list[str] | None = None if names else []
        self.changed: dict[str, Record] = {}
        self.dropped: set[str] = set()

    @property
    def names(self) -> list[str]:
        """The names of the files kept, in order."""
        if self._names is None:
            self._names = self._packed_names.split("\0")
        return self._names

    def _kept(self, at: int) -> Record:
        stat = unpack_stat(self._stats, at)
        return stat, bool(self._trusted[at]), bytes(self._digests[at * DIGEST_SIZE:(at + 1) * DIGEST_SIZE])

    def _place(self, rel: str) -> int | None:
        names = self.names
        at = bisect.bisect_left(names, rel)
        return at if at < len(names) and names[at] == rel else None

    def get(self, rel: str) -> Record | None:
        """The record of one file, or None."""
        if rel in self.changed:
            return self.changed[rel]
        if rel in self.dropped:
            return None
        at = self._place(rel)
        return None if at is None else self._kept(at)

    def __contains__(self, rel: object) -> bool:
        return isinstance(rel, str) and self.get(rel) is not None

    def __setitem__(self, rel: str, record: Record) -> None:
        self.changed[rel] = record
        self.dropped.discard(rel)

    def __delitem__(self, rel: str) -> None:
        self.changed.pop(rel, None)
        self.dropped.add(rel)

    def __iter__(self) -> Iterator[str]:
        kept = (rel for rel in self.names if rel not in self.dropped and rel not in self.changed)
        yield from sorted([*kept, *self.changed])

    def compare(self, packed: str, stats: bytes) -> tuple[list[tuple[int, Record | None]], set[str]]:
        """Which of the files a scan found (``packed``: their names joined by NUL;
        ``stats``: their stats, ``inputs.pack_stats``) must be read: each by its place,
        with its record (None for a file not kept), when its stat is not the one kept or
        may not answer; and the names kept that are no longer there. Only for an index
        with no changes made to it."""
        assert not self.changed and not self.dropped
        if packed == self._packed_names:
            return [(at, self._kept(at)) for at in self._differing(stats)], set()
        names = packed.split("\0") if packed else []
        places = {rel: at for at, rel in enumerate(self.names)}
        todo: list[tuple[int, Record | None]] = []
        size = STAT_SIZE
        for at, rel in enumerate(names):
            kept = places.pop(rel, None)
            if kept is None:
                todo.append((at, None))
            elif (not self._trusted[kept]
                  or stats[at * size:(at + 1) * size] != self._stats[kept * size:(kept + 1) * size]):
                todo.append((at, self._kept(kept)))
        return todo, set(places)

    def _differing(self, stats: bytes) -> Iterator[int]:
        """The places, in a listing equal to the one kept, whose stat differs from the
        one kept, or may not answer."""
        size = STAT_SIZE
        mine, theirs = memoryview(self._stats), memoryview(stats)
        step = _BLOCK * size
        found: set[int] = set()
        for start in range(0, len(stats), step):
            if mine[start:start + step] != theirs[start:start + step]:
                first = start // size
                found.update(at for at in range(first, min(first + _BLOCK, len(stats) // size))
                             if mine[at * size:(at + 1) * size] != theirs[at * size:(at + 1) * size])
        at = self._trusted.find(0)
        while at >= 0:
            found.add(at)
            at = self._trusted.find(0, at + 1)
        return iter(sorted(found))

    @staticmethod
    def packed(records: dict[str, Record]) -> tuple[str, bytes, bytes, bytes]:
        """The index of ``records`` as the cache keeps it (``state``)."""
        rels = sorted(records)
        return ("\0".join(rels), pack_stats(records[rel][0] for rel in rels),
                bytes(records[rel][1] for rel in rels), b"".join(records[rel][2] for rel in rels))

    def state(self) -> tuple[str, bytes, bytes, bytes]:
        """The index as the cache keeps it, the changes made to it included."""
        if not self.changed and not self.dropped:
            return self._packed_names, self._stats, self._trusted, self._digests
        places = [self._place(rel) for rel in self.changed]
        if not self.dropped and None not in places:  # the same files: patched in place
            stats, trusted, digests = bytearray(self._stats), bytearray(self._trusted), bytearray(self._digests)
            size = STAT_SIZE
            for at, (stat, answers, digest) in zip(places, self.changed.values(), strict=True):
                assert at is not None
                stats[at * size:(at + 1) * size] = pack_stats([stat])
                trusted[at] = answers
                digests[at * DIGEST_SIZE:(at + 1) * DIGEST_SIZE] = digest
            return self._packed_names, bytes(stats), bytes(trusted), bytes(digests)
        records = {rel: self.get(rel) for rel in self}
        return self.packed({rel: record for rel, record in records.items() if record is not None})
