"""The result cache: what the last run found in each file, so that the next one reads only what changed.

One file per list, in the user's cache folder (``$AWESOME_CATALOG_CACHE_DIR``, else
``$XDG_CACHE_HOME/awesome-catalog``, else ``~/.cache/awesome-catalog``), never inside the
repository: a clean clone and CI start without it, a cloned repository cannot plant
one, and deleting it is always safe. With no such folder (no home directory, as for a
user without a passwd entry in a container; relative paths do not count, so a cache can
never land in the current directory), the run goes on without a cache.

The file is ``marshal`` data (plain values only, loaded at C speed, never code), then
blobs of bytes written as they are (packed pieces a run may not need), behind a header
that names the format, the tool's version, a digest of the tool's own source and the
Python version, and the lengths and CRC-32 of the marshalled head. The file is mapped,
not read: a run touches only the blobs it uses, each checked against its own CRC-32
on first use (``Blobs``). A file from another version, another interpreter or a changed
tool, one cut short or corrupted, is ignored and rebuilt, never trusted: a blob that
fails its check raises ``CorruptCache``, and the run is made again without the cache
(``load.pipeline``). It is written whole to a temporary file and renamed, so two runs
at once each leave a complete cache (the last one wins) and never a mixed one; the
blobs a run keeps as they were are copied from the old file by the kernel, with the
CRC-32 recorded for them (``KeptSpan``). What the payload holds and when each part
may answer is ``load.incremental``'s business.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import mmap
import os
import struct
import sys
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from awesome_catalog import __version__
from awesome_catalog.core import writing

CACHE_ENV = "AWESOME_CATALOG_CACHE_DIR"
_FORMAT = 7  # 7: a marshalled head, then blobs written as they are, each with its own CRC-32
MAGIC = b"awesome-catalog cache\n"
SIZES = struct.Struct("<QQI")  # the length of the marshalled head, of the whole payload, and the head's CRC-32


class CorruptCache(Exception):
    """A blob of the cache failed its check: nothing read from the cache may be trusted."""


class Blobs:
    """The blobs of one cache file, by place: each a view of the mapped file, checked
    against its CRC-32 the first time it is asked for (``CorruptCache`` when it fails),
    so that a run pays only for the blobs it uses. With the file held open (``source``,
    where the view starts at ``offset``), a blob to keep as it is (``piece``) is a span
    of the file, which the kernel copies into the next cache."""

    def __init__(self, view: memoryview, spans: Sequence[tuple[int, int, int]],
                 source: writing.Source | None = None, offset: int = 0) -> None:
        self._view, self._spans, self._checked = view, spans, set[int]()
        self._source, self._offset = source, offset

    def __len__(self) -> int:
        return len(self._spans)

    def __getitem__(self, at: int) -> memoryview:
        start, length, check = self._spans[at]
        blob = self._view[start:start + length]
        if at not in self._checked:
            if zlib.crc32(blob) != check:
                raise CorruptCache(f"blob {at} of the cache fails its check")
            self._checked.add(at)
        return blob

    def piece(self, at: int) -> writing.Piece:
        """The blob at ``at`` to write again as it is: a span of the file with its CRC-32,
        not checked (a damaged blob copied with its check stays one that fails it), or,
        without the file held open, the blob checked."""
        start, length, check = self._spans[at]
        if self._source is None:
            return self[at]
        return KeptSpan(self._source, self._offset + start, self._view[start:start + length], check)

    def pick(self, places: Sequence[int]) -> Blobs:
        """The blobs at ``places``, in that order, as blobs of their own."""
        return Blobs(self._view, [self._spans[at] for at in places], self._source, self._offset)


@dataclass(frozen=True)
class KeptSpan(writing.Span):
    """A blob of a cache file to copy into the next one, with its CRC-32 as recorded."""

    check: int = 0


class Packed(Protocol):
    """Packed pieces (``Blobs``, or a list of pieces made in this run), each asked for by
    its place only when used."""

    def __len__(self) -> int: ...

    def __getitem__(self, at: int, /) -> writing.Piece: ...


def kept(packed: Packed, at: int) -> writing.Piece:
    """The piece at ``at`` of ``packed`` to write again as it is."""
    return packed.piece(at) if isinstance(packed, Blobs) else packed[at]


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def cache_dir() -> Path | None:
    """The folder that holds the caches of every list on this machine; None when there
    is none (no home directory), and the tool then runs without a cache."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    base = Path(os.environ.get("XDG_CACHE_HOME") or ".")
    if not base.is_absolute():  # unset, or relative: the XDG rules say to ignore it
        try:
            base = Path.home() / ".cache"
        except (RuntimeError, KeyError, OSError):  # no HOME and no passwd entry
            return None
        if not base.is_absolute():  # HOME set to "" or to a relative path
            return None
    return base / "awesome-catalog"


@functools.cache
def tool_digest() -> str:
    """A digest of this tool's own code (every file of the package) and the Python
    version: what decides the results besides the inputs."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    digest = hashlib.sha256(f"{sys.version}\0{sys.implementation.cache_tag}\0".encode())
    found = []
    for folder, folders, names in os.walk(package):
        folders[:] = [name for name in folders if name != "__pycache__"]
        found += [os.path.join(folder, name) for name in names if name.endswith((".py", ".js", ".css", ".json"))]
    for path in sorted(found):
        digest.update(f"{Path(os.path.relpath(path, package)).as_posix()}\0".encode())
        with open(path, "rb") as source:
            digest.update(source.read())
    return digest.hexdigest()


class Store:
    """The cache files of the list at ``root``, by part (``state``: what each file held;
    ``readme``: the README's layout; ``run``: the last run's result; ``listing``: the
    names of the entry folders): ``load`` gives a part's payload (None when there is
    none, or none to trust), ``save`` replaces it."""

    def __init__(self, root: Path, enabled: bool = True) -> None:
        folder = cache_dir()
        self.enabled = enabled and folder is not None
        name = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:20]
        self.stem = (folder or Path()) / name
        self.discarded = set[str]()

    def path(self, part: str) -> Path:
        return self.stem.with_suffix(f".{part}")

    def header(self) -> bytes:
        """What a cache must start with to be read: the format and the tool that wrote it."""
        return MAGIC + f"{_FORMAT}:{__version__}:{tool_digest()}\n".encode()

    def load(self, part: str = "state") -> Any:
        """The value of ``part`` last saved, or None."""
        found = self.load_with_blobs(part)
        return None if found is None else found[0]

    def load_with_blobs(self, part: str = "state") -> tuple[Any, Blobs] | None:
        """The value of ``part`` last saved and its blobs (views of the mapped file,
        each checked when first used), or None."""
        if not self.enabled or part in self.discarded:
            return None
        try:
            source = writing.Source(os.open(self.path(part), os.O_RDONLY | os.O_CLOEXEC))  # held open, to copy from
            mapped = mmap.mmap(source.fd, 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # ValueError: an empty file cannot be mapped
            return None
        raw = memoryview(mapped)
        header = self.header()
        if raw[:len(header)] != header or len(raw) < len(header) + SIZES.size:
            return None
        head, size, check = SIZES.unpack_from(raw, len(header))
        payload = raw[len(header) + SIZES.size:]
        if len(payload) != size or head > size or zlib.crc32(payload[:head]) != check:
            return None  # cut short, or corrupted
        try:
            value, sizes = marshal.loads(payload[:head])
            spans, at = [], head
            for length, blob_check in sizes:
                spans.append((at, length, blob_check))
                at += length
        except (EOFError, ValueError, TypeError):
            return None
        return (value, Blobs(payload, spans, source, len(header) + SIZES.size)) if at == size else None

    def discard(self, part: str = "state") -> None:
        """Remove ``part`` (found corrupt), and never load it again in this run."""
        self.discarded.add(part)
        with contextlib.suppress(OSError):
            os.unlink(self.path(part))

    def save(self, value: Any, part: str = "state", blobs: Sequence[writing.Piece] = ()) -> None:
        """Replace ``part`` with ``value`` (plain values only) and ``blobs``, written as
        they are after it; a cache that cannot be written only costs time."""
        if not self.enabled:
            return
        try:
            checks = [(len(data), blob.check if isinstance(blob, KeptSpan) else zlib.crc32(data))
                      for blob, data in zip(blobs, map(writing.data_of, blobs), strict=True)]
            head = marshal.dumps((value, checks))
            sizes = SIZES.pack(len(head), len(head) + sum(length for length, _ in checks), zlib.crc32(head))
            self.stem.parent.mkdir(parents=True, exist_ok=True)
            writing.replace(self.path(part), (self.header() + sizes, head, *blobs), sync=False)
        except (OSError, ValueError):
            pass

    def save_aside(self, make: Callable[[], tuple[Any, Sequence[writing.Piece]]],
                   part: str = "state") -> Callable[[], None]:
        """``save`` of the value and blobs ``make`` gives, by a forked copy of this
        process where there is ``fork`` (a large state takes a tenth of a second to make
        and write, which the run need not wait for until it ends); returns what to call
        before the run ends, which waits for it."""
        def write() -> None:
            try:
                value, blobs = make()
            except CorruptCache:  # a blob kept from the old file fails its check: no cache then
                self.discard(part)
                return
            self.save(value, part, blobs)

        if not self.enabled or not hasattr(os, "fork"):
            write()
            return lambda: None
        try:
            pid = os.fork()
        except OSError:
            write()
            return lambda: None
        if pid == 0:  # the copy: write, and leave at once (no buffer flushed, no handler run)
            try:
                write()
            finally:
                os._exit(0)
        return lambda: _reap(pid)
