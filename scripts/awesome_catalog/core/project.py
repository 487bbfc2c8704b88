"""Where things are in a list's repository: the catalog, the schemas and the README.

The tool works on the repository in the current directory (or ``--root``); it never
looks for the catalog relative to its own code.
"""

from __future__ import annotations

import bisect
import errno
import mmap
import operator
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, overload

from awesome_catalog.core.diagnostics import Diagnostic

SCHEMA_NAMES = ("entry", "taxonomy", "vocabulary", "list")
MAX_SCHEMA_BYTES = 16 * 1024 * 1024
"""Schemas are a few kilobytes; a larger one is not read whole."""
SPECIAL_NAMES = ("taxonomy.yaml", "vocabulary.yaml", "list.yaml")
"""The files read directly in ``catalog/``; every other entry lives one folder down."""

_KINDS: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISLNK, "a symbolic link"),
)


def kind_of(mode: int) -> str:
    """What a file of ``mode`` is, in words: "a regular file", "a folder", "a named pipe (FIFO)"..."""
    if stat.S_ISREG(mode):
        return "a regular file"
    return next((words for test, words in _KINDS if test(mode)), "not a regular file")


class NotRegularFile(OSError):
    """A path that should hold a regular file holds something else (``strerror`` says what)."""


def not_regular(path: str | Path, mode: int) -> NotRegularFile:
    """The error for ``path``, whose mode is ``mode``, where a regular file was expected."""
    return NotRegularFile(errno.EINVAL, f"it is {kind_of(mode)}, not a regular file", str(path))


def read_regular(path: str | Path, limit: int | None = None) -> bytes:
    """The bytes of the regular file at ``path``: at most ``limit`` + 1 of them, so that
    a caller can tell a file over the limit without reading it all.

    Anything else (a folder, a FIFO, a socket, a device) raises ``NotRegularFile`` and is
    never read: its type is checked before opening, and again on the open file, which is
    opened without blocking so that a FIFO swapped in meanwhile cannot hang the run.
    """
    fd, st = _open_regular(path)
    try:
        chunks: list[bytes] = []
        left = -1 if limit is None else limit + 1
        size = max(st.st_size + 1, 1 << 16)  # the whole file in one read, as a rule
        while left != 0:
            chunk = os.read(fd, size if left < 0 else min(left, size))
            if not chunk:
                break
            chunks.append(chunk)
            left = left if left < 0 else left - len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _open_regular(path: str | Path) -> tuple[int, os.stat_result]:
    """A descriptor of the regular file at ``path``, and its stat (see ``read_regular``)."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise not_regular(path, mode)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise not_regular(path, st.st_mode)
    return fd, st


def map_regular(path: str | Path) -> bytes | mmap.mmap:
    """The regular file at ``path`` mapped, not read (a large README is then never
    copied whole; the pages a caller touches are read), or ``b""`` when it is empty.
    Refuses what is not a regular file as ``read_regular`` does."""
    fd, st = _open_regular(path)
    try:
        return mmap.mmap(fd, 0, access=mmap.ACCESS_READ) if st.st_size else b""
    finally:
        os.close(fd)


def describe_os_error(err: OSError) -> str:
    """An ``OSError`` met on a catalog path, in words for a diagnostic."""
    if err.errno == errno.ELOOP:
        return "it is a symbolic link that loops (a link to itself, or links in a circle)"
    if isinstance(err, FileNotFoundError):
        return "it is missing or is a broken link"
    return err.strerror or str(err)


class EntryFiles(Sequence["EntryFile"]):
    """The files of the entry folders, sorted by path, each made when asked for: a run
    after an edit asks for a few of a hundred thousand, which take a tenth of a second
    to make. Each folder's names are kept joined by NUL, as a cache records them, and
    split only when one is asked for."""

    def __init__(self) -> None:
        self._folders: list[tuple[str, str, str, str]] = []  # rel and path prefixes, name, file names joined
        self._names: list[list[str] | None] = []  # each folder's file names, once split
        self._ends: list[int] = []

    def add(self, rel: str, path: str, name: str, joined: str, names: list[str] | None = None) -> None:
        """The files of the folder ``rel``, after all those added: ``joined``, their
        names (sorted) joined by NUL, and ``names``, the same split, when at hand."""
        count = len(names) if names is not None else joined.count("\0") + 1 if joined else 0
        self._folders.append((f"{rel}/", os.path.join(path, ""), name, joined))
        self._names.append(names)
        self._ends.append(len(self) + count)

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EntryFiles) and self._folders == other._folders

    @overload
    def __getitem__(self, at: int) -> EntryFile: ...

    @overload
    def __getitem__(self, at: slice) -> list[EntryFile]: ...

    def __getitem__(self, at: int | slice) -> EntryFile | list[EntryFile]:
        if isinstance(at, slice):
            return list(self)[at]
        if at < 0:
            at += len(self)
        folder = bisect.bisect_right(self._ends, at)
        if not 0 <= at < len(self):
            raise IndexError(at)
        rel, path, name, _ = self._folders[folder]
        own = self._split(folder)[at - (self._ends[folder - 1] if folder else 0)]
        return EntryFile(rel + own, path + own, name, own)

    def __iter__(self) -> Iterator[EntryFile]:
        for folder, (rel, path, name, _) in enumerate(self._folders):
            for own in self._split(folder):
                yield EntryFile(rel + own, path + own, name, own)

    def _split(self, folder: int) -> list[str]:
        """The file names of the ``folder``-th folder."""
        names = self._names[folder]
        if names is None:
            joined = self._folders[folder][3]
            names = self._names[folder] = joined.split("\0") if joined else []
        return names

    def folders(self) -> Iterator[tuple[str, str]]:
        """Each folder's name and its files' names joined by NUL, in order."""
        for _, _, name, joined in self._folders:
            yield name, joined

    def paths(self, start: int = 0, stop: int | None = None) -> list[str]:
        """The path on disk of each file from place ``start`` to ``stop`` (of every file by default)."""
        stop = len(self) if stop is None else min(stop, len(self))
        if start <= 0 and stop == len(self):
            return self._joined(1).split("\0") if len(self) else []
        found: list[str] = []
        for folder in range(bisect.bisect_right(self._ends, start), len(self._folders)):
            first = self._ends[folder - 1] if folder else 0
            if first >= stop:
                break
            prefix = self._folders[folder][1]
            found += [prefix + own for own in self._split(folder)[max(start - first, 0):stop - first]]
        return found

    def packed_rels(self) -> str:
        """The path of every file relative to the root, joined by NUL."""
        return self._joined(0)

    def _joined(self, prefix: int) -> str:
        """Every file's name after its folder's rel (``prefix`` 0) or path (1) prefix, joined by NUL."""
        return "\0".join(folder[prefix] + folder[3].replace("\0", "\0" + folder[prefix])
                          for folder in self._folders if folder[3])


@dataclass
class Listing:
    """What ``Project.scan`` found: the entry files to read, and the problems of the
    layout (folders that lead outside ``catalog/``, files where none are read). Apart
    from what was found, how: each entry folder's own stat, taken before it was listed
    (None for a link, or when it could not be taken), and the folders whose names were
    known (``Known``) rather than listed."""

    files: EntryFiles = field(default_factory=EntryFiles)
    problems: list[Diagnostic] = field(default_factory=list)
    stats: dict[str, os.stat_result | None] = field(default_factory=dict, compare=False)
    known: set[str] = field(default_factory=set, compare=False)


Known = Callable[[str, os.stat_result], str | None]
"""Given an entry folder's name and its own stat, the names of its files (sorted,
joined by NUL) when they are known without listing it, else None."""


_NAME = operator.attrgetter("name")
_FIRST = operator.itemgetter(0)


def _own_stat(folder: os.DirEntry[str]) -> os.stat_result | None:
    """The stat of an entry folder itself; None for a link (what it leads to may change
    while the link stays) or when it cannot be taken."""
    try:
        return None if folder.is_symlink() else folder.stat(follow_symlinks=False)
    except OSError:
        return None


class EntryFile(NamedTuple):
    """A file of an entry folder: its path relative to the root (as diagnostics show
    it), its path on disk, its folder's name and its own name."""

    rel: str
    path: str
    folder: str
    name: str


@dataclass(frozen=True)
class Project:
    """The layout of one awesome list's repository."""

    root: Path

    @property
    def catalog_dir(self) -> Path:
        return self.root / "catalog"

    @property
    def schema_dir(self) -> Path:
        return self.root / "schema"

    @property
    def readme(self) -> Path:
        return self.root / "README.md"

    @property
    def taxonomy_file(self) -> Path:
        return self.catalog_dir / "taxonomy.yaml"

    @property
    def vocabulary_file(self) -> Path:
        return self.catalog_dir / "vocabulary.yaml"

    @property
    def list_file(self) -> Path:
        """The list's settings; optional (a list without it has the defaults)."""
        return self.catalog_dir / "list.yaml"

    def schema_file(self, name: str) -> Path:
        return self.schema_dir / f"{name}.schema.json"

    def entry_listing(self) -> list[EntryFile]:
        """Every file in the catalog's entry folders (``catalog/<folder>/*``), sorted."""
        return list(self.scan().files)

    def scan(self, known: Known | None = None) -> Listing:
        """Every file in the catalog's entry folders, sorted, and every problem of the layout.

        Hidden files are skipped; everything else is looked at, so that nothing is silently
        ignored: a wrongly named file is listed (and then reported), and the layout's
        problems are reported here: a folder link leading outside ``catalog/`` (E111, not
        walked), a YAML file directly in ``catalog/`` or a folder inside an entry folder
        (E119, not read), a link that loops or an unreadable folder (E112). ``catalog/``
        is always listed; an entry folder is not when ``known`` gives its names.
        """
        listing = Listing()
        folders: list[tuple[str, str, str, str, list[str] | None]] = []
        prefix = self.rel(self.catalog_dir)
        try:
            top = sorted(os.scandir(self.catalog_dir), key=_NAME)
        except (FileNotFoundError, NotADirectoryError):
            return listing
        for item in top:
            rel = f"{prefix}/{item.name}"
            if item.name.startswith(".") or item.name in SPECIAL_NAMES:
                continue
            try:
                is_dir = item.is_dir()
            except OSError as err:
                listing.problems.append(Diagnostic(rel, 0, 0, "E112", f"cannot be read: {describe_os_error(err)}"))
                continue
            if not is_dir:
                if item.name.lower().endswith((".yaml", ".yml")):
                    listing.problems.append(Diagnostic(
                        rel, 0, 0, "E119", "a YAML file directly in catalog/ is not read: entries live in "
                        "an entry folder", f"move it into an entry folder, e.g. {prefix}/papers/{item.name}"))
                continue
            if item.is_symlink() and self.outside_catalog(item.path):
                listing.problems.append(Diagnostic(rel, 0, 0, "E111", "symbolic link to a folder outside "
                                                   "catalog/; it is not read", "replace the link by a real folder"))
                continue
            folders.append(self._entry_folder(item, rel, listing, known))
        for rel, path, name, joined, names in sorted(folders, key=_FIRST):  # by the path and a slash: as files sort
            listing.files.add(rel[:-1], path, name, joined, names)
        return listing

    def _entry_folder(self, folder: os.DirEntry[str], prefix: str, listing: Listing,
                      known: Known | None) -> tuple[str, str, str, str, list[str] | None]:
        """One entry folder: its path relative to the root and a slash, its path, its
        name, its files' names joined by NUL, and split when it was listed (not when
        ``known`` gives them). Its stat, kept in ``listing``, is taken before it is
        listed: a change made while it is listed leaves a stat other than the one kept."""
        stat = listing.stats[folder.name] = _own_stat(folder)
        joined = known(folder.name, stat) if known is not None and stat is not None else None
        if joined is not None:
            listing.known.add(folder.name)
            return f"{prefix}/", folder.path, folder.name, joined, None
        listed = self._scan_folder(folder, prefix, listing)
        return f"{prefix}/", folder.path, folder.name, "\0".join(listed), listed

    def _scan_folder(self, folder: os.DirEntry[str], prefix: str, listing: Listing) -> list[str]:
        """The names of the files of one entry folder, sorted; folders in it are reported
        in ``listing``."""
        names: list[str] = []
        folders: list[str] = []
        try:
            with os.scandir(folder.path) as found:
                for item in found:
                    if item.name.startswith("."):
                        continue
                    try:
                        is_dir = item.is_dir()
                    except OSError:  # a link that loops: reported on the file when it is read
                        is_dir = False
                    (folders if is_dir else names).append(item.name)
        except OSError as err:
            listing.problems.append(Diagnostic(prefix, 0, 0, "E112", f"folder cannot be read: {err.strerror}"))
            return []
        names.sort()
        where = os.path.join(folder.path, "")
        for name in sorted(folders):
            rel, path = f"{prefix}/{name}", where + name
            if os.path.islink(path) and self.outside_catalog(path):
                listing.problems.append(Diagnostic(rel, 0, 0, "E111", "symbolic link to a folder outside "
                                                   "catalog/; it is not read", "replace the link by a real file"))
            else:
                what = ("is a folder, not an entry file" if name.endswith((".yaml", ".yml"))
                        else "is a folder inside an entry folder")
                listing.problems.append(Diagnostic(
                    rel, 0, 0, "E119", f"{what}: nothing in it is read",
                    f"entries are files directly in {prefix}/: move them there and remove the folder"))
        return names

    def outside_catalog(self, path: str | Path) -> bool:
        """Whether ``path``, once every link is followed, lies outside ``catalog/``."""
        return not Path(os.path.realpath(path)).is_relative_to(self.catalog_dir.resolve())

    def entry_files(self) -> list[Path]:
        """The paths of ``entry_listing``."""
        return [Path(f.path) for f in self.entry_listing()]

    def output_problem(self, raw: str) -> str | None:
        """Why ``raw``, a path to write given on the command line, is refused, or None:
        it is empty (not "the current folder"), or it lies inside ``catalog/`` or
        ``schema/``, where what is written would be read as the list's own data."""
        if not raw.strip():
            return "the output path is empty"
        full = Path(os.path.realpath(raw))
        for folder in (self.catalog_dir, self.schema_dir):
            inside = folder.resolve()
            if full == inside or full.is_relative_to(inside):
                return f"{raw} is inside {self.rel(folder)}/, which holds the list's own data"
        return None

    def rel(self, path: Path) -> str:
        """``path`` relative to the root, with forward slashes, as diagnostics show it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()
