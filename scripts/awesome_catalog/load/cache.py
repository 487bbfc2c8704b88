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
Python version, the lengths and CRC-32 of the marshalled head, and the file's own id.
The file is mapped, not read: a run touches only the blobs it uses, each checked
against its own CRC-32 on first use (``Blobs``). A file from another version, another
interpreter or a changed tool, one cut short or corrupted, is ignored and rebuilt,
never trusted: a blob that fails its check raises ``CorruptCache``, and the run is
made again without the cache (``load.pipeline``).

A run that keeps most blobs as they were writes only a file of *changes* beside the
part (its head, and the blobs made anew), which names the file it builds on by its id
and refers to the blobs kept there by their places; once the changes would hold more
than a ``FOLD``-th of that file's bytes, the part is written whole again, the blobs
kept copied from the old file by the kernel, with the CRC-32 recorded for them
(``KeptSpan``). Every file is written whole to a temporary file and renamed, so two
runs at once each leave complete files (the last one wins) and never a mixed one; a
file of changes that names another file than the part's is ignored, and the part is
read as it stands. What the payload holds and when each part may answer is
``load.incremental``'s business.
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
_FORMAT = 8  # 8: a part, or a file of changes to it that names it
MAGIC = b"awesome-catalog cache\n"
SIZES = struct.Struct("<QQI16s16s")
"""The length of the marshalled head, of the whole payload, the head's CRC-32, the
file's own id, and the id of the file it holds changes to (zeros in a part written whole)."""
WHOLE = bytes(16)
FOLD = 4
"""A file of changes is written while it holds less than this fraction of the bytes of
the file it builds on; beyond, the part is written whole again."""


class CorruptCache(Exception):
    """A blob of the cache failed its check: nothing read from the cache may be trusted."""


@dataclass(frozen=True)
class Payload:
    """The payload of one cache file, mapped (``view``), with the file held open
    (``source``, where the payload starts at ``offset``; None for bytes made in this run)."""

    view: memoryview
    source: writing.Source | None = None
    offset: int = 0


Span = tuple[int, int, int, int]
"""Where a blob lies: which payload, its start there, its length and its CRC-32."""


class Blobs:
    """The blobs of a cache part, by place: each a view of a mapped file (the part's, or
    its file of changes), checked against its CRC-32 the first time it is asked for
    (``CorruptCache`` when it fails), so that a run pays only for the blobs it uses.
    With the file held open, a blob to keep as it is (``piece``) is a span of it, which
    the kernel copies into the next cache, or which the next file of changes refers to."""

    def __init__(self, payloads: Sequence[Payload] = (), spans: Sequence[Span] = ()) -> None:
        self._payloads, self._spans, self._checked = payloads, spans, set[int]()

    def __len__(self) -> int:
        return len(self._spans)

    def __getitem__(self, at: int) -> memoryview:
        payload, start, length, check = self._spans[at]
        blob = self._payloads[payload].view[start:start + length]
        if at not in self._checked:
            if len(blob) != length or zlib.crc32(blob) != check:
                raise CorruptCache(f"blob {at} of the cache fails its check")
            self._checked.add(at)
        return blob

    def piece(self, at: int) -> writing.Piece:
        """The blob at ``at`` to write again as it is: a span of its file with its CRC-32,
        not checked (a damaged blob kept with its check stays one that fails it), or,
        without the file held open, the blob checked."""
        payload, start, length, check = self._spans[at]
        found = self._payloads[payload]
        if found.source is None:
            return self[at]
        return KeptSpan(found.source, found.offset + start, found.view[start:start + length], check)

    def pick(self, places: Sequence[int]) -> Blobs:
        """The blobs at ``places``, in that order, as blobs of their own."""
        return Blobs(self._payloads, [self._spans[at] for at in places])


@dataclass(frozen=True)
class KeptSpan(writing.Span):
    """A blob of a cache file to copy into the next one, with its CRC-32 as recorded."""

    check: int = 0


class Packed(Protocol):
    """Packed pieces (``Blobs``, or a list of pieces made in this run), each asked for by
    its place only when used."""

    def __len__(self) -> int: ...

    def __getitem__(self, at: int, /) -> writing.Piece: ...


@functools.cache
def _zstd() -> tuple[Any, Any]:
    """Zstandard's compressor at its quickest level, and its decompressor (imported when first needed)."""
    import zstandard

    return zstandard.ZstdCompressor(level=1), zstandard.ZstdDecompressor()


def pack(value: Any) -> bytes:
    """``value`` (plain values only) as a blob of its own: marshalled, then compressed
    with Zstandard's quickest level (text shrinks threefold to fivefold, three times
    quicker than with zlib's)."""
    compressed: bytes = _zstd()[0].compress(marshal.dumps(value))
    return compressed


def unpack(blob: bytes | memoryview) -> Any:
    """The value ``pack`` gave ``blob`` for."""
    return marshal.loads(_zstd()[1].decompress(blob))


def kept(packed: Packed, at: int) -> writing.Piece:
    """The piece at ``at`` of ``packed`` to write again as it is."""
    return packed.piece(at) if isinstance(packed, Blobs) else packed[at]


def _read_head(opened: _Opened, base: Payload | None) -> tuple[Any, Blobs] | None:
    """The value and blobs of a cache file (the blobs of a file of changes lie in it, or
    in the payload ``base`` of the file it builds on); None when its head is not sound."""
    payloads = (opened.payload,) if base is None else (opened.payload, base)
    if zlib.crc32(opened.head) != opened.check:
        return None  # corrupted
    try:
        value, table = marshal.loads(opened.head)
        spans, at = [], len(opened.head)
        for length, check, *elsewhere in table:
            if not elsewhere:
                spans.append((0, at, length, check))
                at += length
            elif base is not None and 0 <= elsewhere[0] <= len(base.view) - length:
                spans.append((1, elsewhere[0], length, check))
            else:
                return None
    except (EOFError, ValueError, TypeError):
        return None
    return (value, Blobs(payloads, spans)) if at == len(opened.payload.view) else None


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


@dataclass(frozen=True)
class _Opened:
    """One cache file as read: its ids (``SIZES``), its marshalled head with the CRC-32
    it should have (checked only when the head is read), and its payload."""

    ident: bytes
    base: bytes
    head: memoryview
    check: int
    payload: Payload


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
        self._bases: dict[str, _Opened] = {}  # the file of each part loaded, which a file of changes may build on

    def path(self, part: str) -> Path:
        return self.stem.with_suffix(f".{part}")

    def changes_path(self, part: str) -> Path:
        """The file of changes to ``part``."""
        return self.stem.with_suffix(f".{part}-changes")

    def header(self) -> bytes:
        """What a cache must start with to be read: the format and the tool that wrote it."""
        return MAGIC + f"{_FORMAT}:{__version__}:{tool_digest()}\n".encode()

    def load(self, part: str = "state") -> Any:
        """The value of ``part`` last saved, or None."""
        found = self.load_with_blobs(part)
        return None if found is None else found[0]

    def load_with_blobs(self, part: str = "state") -> tuple[Any, Blobs] | None:
        """The value of ``part`` last saved and its blobs (views of the mapped files,
        each checked when first used), or None."""
        if not self.enabled or part in self.discarded:
            return None
        base = self._open(self.path(part))
        if base is None or base.base != WHOLE:
            return None
        self._bases[part] = base
        changes = self._open(self.changes_path(part))
        if changes is not None and changes.base == base.ident:
            found = _read_head(changes, base.payload)
            if found is not None:
                return found
        return _read_head(base, None)

    def _open(self, path: Path) -> _Opened | None:
        """The cache file at ``path``, mapped and held open, if its header is this tool's
        and its length the one the header gives."""
        try:
            source = writing.Source(os.open(path, os.O_RDONLY | os.O_CLOEXEC))  # held open, to copy from
            mapped = mmap.mmap(source.fd, 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # ValueError: an empty file cannot be mapped
            return None
        raw = memoryview(mapped)
        header = self.header()
        start = len(header) + SIZES.size
        if raw[:len(header)] != header or len(raw) < start:
            return None
        head, size, check, ident, base = SIZES.unpack_from(raw, len(header))
        payload = raw[start:]
        if len(payload) != size or head > size:
            return None  # cut short
        return _Opened(ident, base, payload[:head], check, Payload(payload, source, start))

    def discard(self, part: str = "state") -> None:
        """Remove ``part`` (found corrupt), and never load it again in this run."""
        self.discarded.add(part)
        self._bases.pop(part, None)
        for path in (self.path(part), self.changes_path(part)):
            with contextlib.suppress(OSError):
                os.unlink(path)

    def save(self, value: Any, part: str = "state", blobs: Sequence[writing.Piece] = ()) -> None:
        """Replace ``part`` with ``value`` (plain values only) and ``blobs``, written as
        they are after it: as a file of changes to the file loaded, when it keeps blobs
        of that file and its own bytes stay under a ``FOLD``-th of it; else whole. A
        cache that cannot be written only costs time."""
        if not self.enabled:
            return
        try:
            base = self._bases.get(part)
            table: list[tuple[int, ...]] = []
            own: list[writing.Piece] = []
            own_bytes = 0
            for blob in blobs:
                data = writing.data_of(blob)
                if isinstance(blob, KeptSpan):
                    if base is not None and blob.source is base.payload.source:
                        table.append((len(data), blob.check, blob.start - base.payload.offset))
                        continue
                    table.append((len(data), blob.check))
                else:
                    table.append((len(data), zlib.crc32(data)))
                own.append(blob)
                own_bytes += len(data)
            head = marshal.dumps((value, table))
            if base is not None and len(own) < len(table) and \
                    (len(head) + own_bytes) * FOLD < len(base.payload.view):
                self._write(self.changes_path(part), head, own, base.ident)
                return
            if len(own) < len(table):  # written whole: every blob in this file
                table = [entry[:2] for entry in table]
                head = marshal.dumps((value, table))
            self._bases.pop(part, None)  # the file loaded is replaced: no changes can build on it now
            self._write(self.path(part), head, blobs, WHOLE)
            with contextlib.suppress(OSError):
                os.unlink(self.changes_path(part))
        except (OSError, ValueError):
            pass

    def _write(self, path: Path, head: bytes, blobs: Sequence[writing.Piece], base: bytes) -> None:
        size = len(head) + sum(len(writing.data_of(blob)) for blob in blobs)
        sizes = SIZES.pack(len(head), size, zlib.crc32(head), os.urandom(16), base)
        self.stem.parent.mkdir(parents=True, exist_ok=True)
        writing.replace(path, (self.header() + sizes, head, *blobs), sync=False)

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
