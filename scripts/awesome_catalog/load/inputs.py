"""The inputs of a run as found before reading any: their stats, and when a stat may stand for a content.

A run takes the stat of every input first (``scan``). A file's stat (modification time,
change time, size, inode) stands for its content only when the file was already older
than the run that recorded it by ``RACY_NS``: a file modified while or just before that
run was recorded ("racily clean", as git says) is compared by content, since an edit
within the same tick of the clock may keep its size and its time. The context of every
file (schemas, taxonomy, vocabulary, settings) is always compared by content
(``context_key``). In the same way, an entry folder's own stat (modification time,
change time, inode, device) stands for its names when the folder was older than the
run that recorded them by ``RACY_NS``: a run whose folders kept their stats takes their
names from the cache rather than listing them. This module is light to import: a run
whose inputs did not change needs nothing else before it answers.
"""

from __future__ import annotations

import array
import hashlib
import itertools
import marshal
import mmap
import os
import stat
import struct
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import xxhash

from awesome_catalog.core.diagnostics import Diagnostic
from awesome_catalog.core.project import (
    MAX_SCHEMA_BYTES,
    SCHEMA_NAMES,
    EntryFile,
    Known,
    Project,
    describe_os_error,
    kind_of,
    read_regular,
)
from awesome_catalog.core.project import Listing as ProjectListing

if TYPE_CHECKING:
    from awesome_catalog.load.cache import Store

MAX_BYTES = 1024 * 1024
"""The largest catalog file that is read (1 MiB): an entry is a few kilobytes."""


def too_large(path: str, size: int) -> Diagnostic:
    """E108 for a file of ``size`` bytes."""
    return Diagnostic(path, 1, 1, "E108", f"file is {size:,} bytes; the limit is {MAX_BYTES:,}",
                      "a catalog entry is a few kilobytes: check that the right file was added")


def file_stat(project: Project, path: str, rel: str, diagnostics: list[Diagnostic],
              missing_hint: str | None = None) -> os.stat_result | None:
    """The stat of a catalog file, after refusing links that lead outside the catalog
    (E111), what is not a regular file (E118: never opened, so a FIFO cannot hang the
    run nor a device fill the memory), links that loop and files too large to read."""
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            if project.outside_catalog(path):
                diagnostics.append(Diagnostic(rel, 0, 0, "E111", "symbolic link leads outside catalog/",
                                              "replace the link by a real file"))
                return None
            st = os.stat(path)
    except FileNotFoundError:
        diagnostics.append(Diagnostic(rel, 0, 0, "E112", "file is missing or is a broken link", missing_hint))
        return None
    except OSError as err:
        diagnostics.append(Diagnostic(rel, 0, 0, "E112", f"file cannot be read: {describe_os_error(err)}"))
        return None
    if not stat.S_ISREG(st.st_mode):
        diagnostics.append(Diagnostic(rel, 0, 0, "E118", f"{kind_of(st.st_mode)}, not a regular file: it is not read",
                                      "replace it by a regular file, or remove it"))
        return None
    if st.st_size > MAX_BYTES:  # refuse before reading it into memory
        diagnostics.append(too_large(rel, st.st_size))
        return None
    return st


RACY_NS = 2_000_000_000
"""How much older than the run that recorded it a file must be for its stat to stand
for its content: 2 s, the coarsest modification-time tick of common file systems."""

Buffer = bytes | memoryview | mmap.mmap
"""Bytes, or a view of them, or a file mapped."""
StatKey = tuple[int, int, int, int]
"""What a file's stat says of it: modification time, change time, size, inode."""


_WORDS = struct.Struct("<4q")  # the four numbers of a ``StatKey``, each a signed machine word
STAT_SIZE = _WORDS.size
"""The bytes of one packed stat (``pack_stats``)."""
DIGEST_SIZE = 16
"""The bytes of a ``content_digest``."""
_TOP = 1 << 63


def stat_key(st: os.stat_result) -> StatKey:
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


FolderKey = tuple[int, int, int, int]
"""What a folder's own stat says of its names: modification time, change time, inode,
device. Its names cannot change but its modification and change times do."""
Recorded = dict[str, tuple[FolderKey, str]]
"""The cache's part ``listing``: for each entry folder whose stat may stand for its
names, its ``FolderKey`` and its files' names (sorted, joined by NUL)."""


def folder_key(st: os.stat_result) -> FolderKey:
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def pack_stats(keys: Iterable[StatKey]) -> bytes:
    """Stats as signed machine words, four for each; a number that does not fit (an
    inode number past 2**63, a time past the year 2262) taken modulo 2**64, as a stat
    that differs only so far out never occurs."""
    flat = list(itertools.chain.from_iterable(keys))
    try:
        return array.array("q", flat).tobytes()
    except OverflowError:
        return array.array("q", [(n + _TOP) % (1 << 64) - _TOP for n in flat]).tobytes()


def unpack_stat(packed: bytes | memoryview, at: int) -> StatKey:
    """The stat at place ``at`` of ``pack_stats`` (as packed: modulo 2**64)."""
    mtime, ctime, size, ino = _WORDS.unpack_from(packed, at * STAT_SIZE)
    return mtime, ctime, size, ino


def content_digest(data: Buffer | Sequence[Buffer]) -> bytes:
    """The 128-bit XXH3 hash of ``data`` (bytes, or a file mapped), or of its pieces one
    after the other: it tells a file changed since its content was recorded, where the
    stat cannot (no one gains by making two contents that hash alike: the file is the
    user's, and its stat must be the recorded one too). It hashes a large README
    fifteen times faster than SHA-256."""
    digest = xxhash.xxh3_128()
    for piece in (data,) if isinstance(data, bytes | memoryview | mmap.mmap) else data:
        digest.update(piece)
    return digest.digest()


def context_key(project: Project) -> str:
    """A digest of everything each file's result depends on besides the file itself:
    the schemas (every JSON file of ``schema/``, since one may refer to another), the
    taxonomy, the vocabulary and the list's settings, by content."""
    digest = hashlib.sha256()
    try:
        with os.scandir(project.schema_dir) as found:
            names = {e.name for e in found if e.name.endswith(".json")}
    except OSError:
        names = set()
    paths = [project.schema_dir / n for n in sorted(names | {f"{n}.schema.json" for n in SCHEMA_NAMES})]
    for path in [*paths, project.taxonomy_file, project.vocabulary_file, project.list_file]:
        digest.update(f"{path}\0{os.path.realpath(path)}\0".encode("utf-8", "surrogateescape"))
        try:
            digest.update(content_digest(read_regular(path, MAX_SCHEMA_BYTES)))
        except OSError as err:
            digest.update(f"{type(err).__name__}:{err.errno}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Scan:
    """The inputs as a run finds them before reading any: the context's key, the entry
    files (``project.scan``), and the README's stat. Of the entry files, ``files`` are
    those with a stat (``names``: their paths joined by NUL; ``table``: their stats
    packed, ``pack_stats``, in the same order), ``unreadable`` the others, by their
    place in the listing, with their problems. ``key`` digests all of it but the
    README; ``racy`` names the entry files modified less than ``RACY_NS`` before, whose
    stat cannot answer for their content."""

    ns: int
    context_key: str
    listing: ProjectListing
    files: Sequence[EntryFile]
    names: str
    table: bytes
    unreadable: tuple[tuple[int, tuple[Diagnostic, ...]], ...]
    key: str
    racy: tuple[str, ...]
    readme: StatKey | None


def scan(project: Project, store: Store | None = None) -> Scan:
    """Find the inputs and their stats (see ``Scan``); with ``store``, the entry folders
    whose stat is the one recorded there are not listed again (``_list_and_stat``)."""
    ns = time.time_ns()  # before any stat: a file modified from now on is racily clean
    key = context_key(project)
    listing, (table, modified, odd) = _list_and_stat(project, store, ns - RACY_NS)
    files: Sequence[EntryFile] = listing.files
    racy = [files[at].rel for at in modified]
    unreadable: list[tuple[int, tuple[Diagnostic, ...]]] = []
    names = listing.files.packed_rels()
    if odd:  # not a usual file: looked at closely
        keys, kept, racy, modified_set, odd_set = [], [], [], set(modified), set(odd)
        for at, file in enumerate(listing.files):
            if at in odd_set:
                found: list[Diagnostic] = []
                st = file_stat(project, file.path, file.rel, found)
                if st is None:
                    unreadable.append((at, tuple(found)))
                    continue
                keys.append(stat_key(st))
                if st.st_mtime_ns >= ns - RACY_NS:
                    racy.append(file.rel)
            else:
                keys.append(unpack_stat(table, at))
                if at in modified_set:
                    racy.append(file.rel)
            kept.append(file)
        files, table, names = kept, pack_stats(keys), "\0".join(file.rel for file in kept)
    unread = [f"{listing.files[at].rel}\0{found!r}" for at, found in unreadable]
    head = f"{key}\0{listing.problems!r}\0{unread!r}\0{len(names)}\0"
    digest = xxhash.xxh3_128(head.encode("utf-8", "surrogateescape"))
    digest.update(names.encode("utf-8", "surrogateescape"))
    digest.update(table)
    try:
        readme: StatKey | None = stat_key(os.stat(project.readme))
    except OSError:
        readme = None
    return Scan(ns, key, listing, files, names, table, tuple(unreadable), digest.hexdigest(), tuple(racy), readme)


def _list_and_stat(project: Project, store: Store | None, since: int) -> tuple[ProjectListing, Stats]:
    """The entry files and their stats (``_stat_all``, racy from ``since``). With
    ``store``, an entry folder whose own stat is the one its part ``listing`` records
    is not listed: its names are the recorded ones (a folder's names cannot change and
    leave its stat as it was). Should a file then not be a usual one, the folders are
    all listed again, as without a record. A listing with no problem of layout, no
    linked folder and only usual files is recorded, where the record changes."""
    recorded: Recorded = (store.load("listing") or {}) if store is not None else {}
    listing = project.scan(_recorded_names(recorded) if recorded else None)
    stats = _stat_all(listing.files.paths, len(listing.files), since)
    if stats[2] and listing.known:
        listing = project.scan()
        stats = _stat_all(listing.files.paths, len(listing.files), since)
    if store is not None and _plain(listing, stats):
        record = _record(listing, since)
        if record != recorded:
            store.save(record, "listing")
    return listing, stats


def _plain(listing: ProjectListing, stats: Stats) -> bool:
    """Whether ``listing`` may be recorded: no problem of its layout, no entry folder
    that is a link (or whose stat could not be taken), and only usual files (``stats``)."""
    return not listing.problems and None not in listing.stats.values() and not stats[2]


def _recorded_names(recorded: Recorded) -> Known:
    """The names of the folders whose stat is the one ``recorded``."""
    def known(name: str, st: os.stat_result) -> str | None:
        found = recorded.get(name)
        return found[1] if found is not None and found[0] == folder_key(st) else None

    return known


def _record(listing: ProjectListing, since: int) -> Recorded:
    """What to record of ``listing``: the entry folders whose stat may stand for their
    names, those modified before ``since`` (a folder changed later, or within the same
    tick of the clock as its stat, may show that stat with other names). As for files,
    the modification time decides: a change sets both times, and when the modification
    time is set back, the change time tells it."""
    return {name: (folder_key(st), joined) for name, joined in listing.files.folders()
            if (st := listing.stats[name]) is not None and st.st_mtime_ns < since}


PARALLEL_STAT_FROM = 20_000
"""From how many entry files a forked copy of the process takes the stat of half of them."""

Stats = tuple[bytes, list[int], list[int]]
"""Of some files: their ``stat_key``s packed (``pack_stats``; zeros for a file that is
not a usual one: a link, not a regular file, too large, or gone), the places of those
modified since a time, and the places of those that are not usual."""


def _stat_all(paths: Callable[[int, int], list[str]], count: int, since: int) -> Stats:
    """``_stat_some`` of ``count`` paths (``paths(start, stop)`` gives those from place
    ``start`` to ``stop``): for many files, half of them by a forked copy of this
    process, which makes its own paths meanwhile (a stat mostly waits on the system, but
    only one thread at a time may run Python, so threads do not help). Whatever the copy
    fails to give, this process makes itself."""
    half = count // 2
    if count < PARALLEL_STAT_FROM or not hasattr(os, "fork"):
        return _stat_some(paths(0, count), since)
    try:
        read, write = os.pipe()
        pid = os.fork()
    except OSError:
        return _stat_some(paths(0, count), since)
    if pid == 0:  # the copy: the second half, sent as marshal data, then leave at once
        try:
            os.close(read)
            with os.fdopen(write, "wb") as out:
                out.write(marshal.dumps(_stat_some(paths(half, count), since)))
        finally:
            os._exit(0)
    os.close(write)
    table, racy, odd = _stat_some(paths(0, half), since)
    with os.fdopen(read, "rb") as got:
        sent = got.read()
    os.waitpid(pid, 0)
    try:
        theirs, their_racy, their_odd = marshal.loads(sent)
        if len(theirs) != (count - half) * STAT_SIZE:
            raise ValueError("not every stat")
    except (EOFError, ValueError, TypeError):
        theirs, their_racy, their_odd = _stat_some(paths(half, count), since)
    return table + theirs, racy + [half + at for at in their_racy], odd + [half + at for at in their_odd]


def _stat_some(paths: Sequence[str], since: int) -> Stats:
    """Each path's ``stat_key`` by ``lstat``, packed, and the places of those modified
    at ``since`` or later, and of those that are not usual files (see ``Stats``)."""
    lstat, regular, limit = os.lstat, stat.S_ISREG, MAX_BYTES
    keys: list[StatKey] = []
    racy, odd = [], []
    for at, path in enumerate(paths):
        try:
            st = lstat(path)
        except OSError:
            st = None
        if st is None or not regular(st.st_mode) or st.st_size > limit:
            keys.append((0, 0, 0, 0))
            odd.append(at)
            continue
        keys.append(stat_key(st))
        if st.st_mtime_ns >= since:
            racy.append(at)
    return pack_stats(keys), racy, odd
