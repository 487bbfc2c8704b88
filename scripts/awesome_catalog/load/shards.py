"""A large mapping kept in the cache as packed shards, of which a run unpacks only those it touches.

An edit changes a few files, whose few keys a run looks up among tens of thousands:
unpacking all of them would cost more than the rest of the run. ``Shards`` splits the
mapping by a checksum of the key into pieces (``COUNT``, or more for a large mapping:
about ``PER_SHARD`` keys each), each packed and compressed (``cache.pack``: keys,
paths and titles shrink threefold); a piece is unpacked on first use and packed again
only when it changed. A mapping made anew (a first run, which fills it whole) is one
plain dictionary until packed, which sets how many pieces it has from then on.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

from awesome_catalog.core import writing
from awesome_catalog.load import cache

COUNT = 64
"""The fewest shards."""
PER_SHARD = 256
"""About how many keys a shard of a large mapping holds, at most: a run unpacks a
shard for each key it looks up, whatever the size of the list."""


def _shard(key: str | bytes, count: int) -> int:
    return zlib.crc32(key if isinstance(key, bytes) else key.encode("utf-8", "surrogatepass")) % count


def _count(keys: int) -> int:
    """How many shards for ``keys`` keys: ``COUNT``, or the power of two that keeps them
    under ``PER_SHARD`` each."""
    count = COUNT
    while count * PER_SHARD < keys:
        count *= 2
    return count


class Shards:
    """A mapping from text or bytes keys to plain values, read from and packed into
    pieces (``packed``, what ``pack`` gives, as bytes or views of them, each asked for
    only when used; none for a new mapping)."""

    def __init__(self, packed: cache.Packed = ()) -> None:
        valid = len(packed) >= COUNT and not len(packed) & (len(packed) - 1)  # a power of two, as ``_count`` gives
        self._packed: cache.Packed = packed if valid else ()
        self._fresh: dict[int, bytes] = {}  # the pieces packed again
        self._all: dict[Any, Any] | None = None if valid else {}
        self._open: dict[int, dict[Any, Any]] = {}
        self._changed: set[int] = set()

    def _piece(self, key: str | bytes, change: bool = False) -> dict[Any, Any]:
        if self._all is not None:
            return self._all
        at = _shard(key, len(self._packed))
        if change:
            self._changed.add(at)
        return self._unpacked(at)

    def _unpacked(self, at: int) -> dict[Any, Any]:
        piece = self._open.get(at)
        if piece is None:
            packed = self._fresh[at] if at in self._fresh else self._packed[at]
            piece = self._open[at] = cache.unpack(writing.data_of(packed)) if packed else {}
        return piece

    def __contains__(self, key: str | bytes) -> bool:
        return key in self._piece(key)

    def __iter__(self) -> Iterator[Any]:
        """Every key (every shard unpacked)."""
        if self._all is not None:
            yield from self._all
            return
        for at in range(len(self._packed)):
            yield from self._unpacked(at)

    def table(self, key: str | bytes) -> dict[Any, Any]:
        """The dictionary that holds ``key`` (or would), to read and change it there."""
        return self._piece(key, change=True)

    def __getitem__(self, key: str | bytes) -> Any:
        return self._piece(key)[key]

    def __setitem__(self, key: str | bytes, value: Any) -> None:
        self._piece(key, change=True)[key] = value

    def pop(self, key: str | bytes, *default: Any) -> Any:
        return self._piece(key, change=True).pop(key, *default)

    def pack(self) -> list[writing.Piece]:
        """The shards packed, for the cache (those that did not change as they were read)."""
        if self._all is not None:
            count = _count(len(self._all))
            pieces: list[dict[Any, Any]] = [{} for _ in range(count)]
            for key, value in self._all.items():
                pieces[_shard(key, count)][key] = value
            return [cache.pack(piece) if piece else b"" for piece in pieces]
        for at in self._changed:
            self._fresh[at] = cache.pack(self._open[at]) if self._open[at] else b""
        self._changed = set()
        return [self._fresh[at] if at in self._fresh else cache.kept(self._packed, at)
                for at in range(len(self._packed))]
