"""The write edge: every file the tool writes appears whole or not at all.

Data goes to a temporary file in the target's folder, is flushed to disk, and is then
renamed over the target (``replace``) or hard-linked to a name that must not exist yet
(``create``). If anything fails, or the process is interrupted, before the rename, the
target is untouched and the temporary file is removed. What is written may come in
pieces, some of them ``Span``s of a file open for reading (most of a large README is
the old one's bytes), which the kernel copies without passing them through this process.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path


class Source:
    """A file held open to copy ``Span``s from; its descriptor is closed once nothing refers to it."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        weakref.finalize(self, os.close, fd)

    @classmethod
    def of(cls, path: Path, same: tuple[int, int, int, int]) -> Source | None:
        """``path`` opened, if it is still the file whose modification time, change time,
        size and inode are ``same``; else None."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return None
        source = cls(fd)
        st = os.fstat(fd)
        return source if (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino) == same else None


@dataclass(frozen=True)
class Span:
    """Bytes of an open file: ``data`` (a view of them) lies at ``start`` in ``source``."""

    source: Source
    start: int
    data: memoryview


Piece = bytes | memoryview | Span
"""What is written, one piece after the other."""


def data_of(piece: Piece) -> bytes | memoryview:
    """The bytes a piece stands for."""
    return piece.data if isinstance(piece, Span) else piece


_NO_COPY = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF, errno.EPERM}
"""What ``copy_file_range`` answers where it cannot copy (another file system, an old
kernel, a file system that does not implement it): the bytes are then written."""


def _write(fd: int, piece: Piece) -> None:
    """Write one piece at the file position of ``fd``: a span copied by the kernel where
    it can, the rest through this process."""
    data = piece.data[_copied(fd, piece):] if isinstance(piece, Span) else memoryview(piece)
    while data:
        data = data[os.write(fd, data):]


def _copied(fd: int, span: Span) -> int:
    """How many bytes of ``span`` the kernel copied to ``fd`` (all of them, where it can)."""
    copy, done = getattr(os, "copy_file_range", None), 0
    while copy is not None and done < len(span.data):
        try:
            copied = copy(span.source.fd, fd, len(span.data) - done, span.start + done)
        except OSError as err:
            if err.errno not in _NO_COPY:
                raise
            break
        if not copied:
            break
        done += copied
    return done


def _usual_mode(path: Path) -> int:
    """The target's own mode when it exists, else what the umask gives a new file."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def _staged(path: Path, data: bytes | Sequence[Piece], sync: bool = True) -> Iterator[str]:
    """A complete (and, with ``sync``, synced) temporary copy of ``data`` (or of its
    pieces, one after the other) beside ``path``; removed afterwards."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            for piece in (data,) if isinstance(data, bytes) else data:
                _write(fd, piece)
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(temp, _usual_mode(path))
        yield temp
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def replace(path: Path, data: bytes | Sequence[Piece], *, sync: bool = True) -> None:
    """Write ``data`` (or its pieces, in order) to ``path``, replacing it in one step;
    keeps an existing file's mode.
    ``sync=False`` skips flushing to the disk, for files that may be lost (caches)."""
    with _staged(path, data, sync) as temp:
        os.replace(temp, path)


def replace_all(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write several files; the renames start only once every file is staged, so a
    failure while writing (a full disk, a folder without permission) changes none."""
    with contextlib.ExitStack() as stack:
        staged = [(stack.enter_context(_staged(path, data)), path) for path, data in files]
        for temp, path in staged:
            os.replace(temp, path)


def create(path: Path, data: bytes) -> None:
    """Write a new file; raises ``FileExistsError`` instead of replacing one, even one
    created meanwhile by someone else."""
    with _staged(path, data) as temp:
        try:
            os.link(temp, path)  # fails if ``path`` exists; never replaces it
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: exclusive, if not atomic
            with open(path, "xb") as stream:
                stream.write(data)
