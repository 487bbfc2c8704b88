"""The write edge: every file the tool writes appears whole or not at all.

Data goes to a temporary file in the target's folder, is flushed to disk, and is then
renamed over the target (``replace``) or hard-linked to a name that must not exist yet
(``create``). If anything fails, or the process is interrupted, before the rename, the
target is untouched and the temporary file is removed.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path


def _usual_mode(path: Path) -> int:
    """The target's own mode when it exists, else what the umask gives a new file."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def _staged(path: Path, data: bytes | Sequence[bytes | memoryview], sync: bool = True) -> Iterator[str]:
    """A complete (and, with ``sync``, synced) temporary copy of ``data`` (or of its
    pieces, one after the other) beside ``path``; removed afterwards."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            for piece in (data,) if isinstance(data, bytes) else data:
                stream.write(piece)
            stream.flush()
            if sync:
                os.fsync(stream.fileno())
        os.chmod(temp, _usual_mode(path))
        yield temp
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def replace(path: Path, data: bytes | Sequence[bytes | memoryview], *, sync: bool = True) -> None:
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
