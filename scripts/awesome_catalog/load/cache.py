"""Result cache: what loading and validating each file found, keyed by the file's stat.

A file whose size and modification time match the cached ones is not read again. The
whole cache is keyed by the tool's version, a digest of its own source, the Python
version and the schemas' content, so a changed schema, a changed rule or a new
interpreter re-checks everything. The result of the last whole run is kept apart, keyed
by the stat of every input, so a run in which nothing changed reads only that. The cache
lives in the user's cache folder (``$AWESOME_CATALOG_CACHE_DIR``, else
``$XDG_CACHE_HOME/awesome-catalog``, else ``~/.cache/awesome-catalog``), never inside
the repository: a clean clone and CI start without it, a cloned repository cannot plant
one, and deleting it is always safe. With no such folder (no home directory, as for a
user without a passwd entry in a container; relative paths do not count, so a cache can
never land in the current directory), the run goes on without a cache.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import sys
from dataclasses import astuple
from pathlib import Path
from typing import Any

from awesome_catalog import __version__
from awesome_catalog.core import writing
from awesome_catalog.core.diagnostics import Diagnostic

CACHE_ENV = "AWESOME_CATALOG_CACHE_DIR"
_FORMAT = 3  # 3: the loader refuses more (control characters, non-text keys...): old results must not answer

Stat = tuple[int, int]


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
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"{sys.version}\0{sys.implementation.cache_tag}\0".encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".js", ".css", ".json") and path.is_file():
            digest.update(f"{path.relative_to(package).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def stat_key(st: os.stat_result) -> Stat:
    return (st.st_mtime_ns, st.st_size)


class FileCache:
    """Per-file results of the load and schema stages, plus the last whole run.

    Each part is read on first use and written only when it changed; a cache that
    cannot be read or written only costs time.
    """

    def __init__(self, root: Path, salt: str, enabled: bool = True) -> None:
        folder = cache_dir()
        self.enabled = enabled and folder is not None
        stem = (folder or Path()) / hashlib.sha256(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:20]
        self._files_path, self._run_path = stem.with_suffix(".files"), stem.with_suffix(".run")
        self.salt = f"{_FORMAT}:{__version__}:{tool_digest()}:{salt}"
        self._files: dict[str, tuple[Stat, bytes, list[tuple[Any, ...]]]] | None = None
        self._seen: set[str] = set()
        self._dirty: set[str] = set()
        self._run: tuple[str, Any] | None = None

    def _read(self, path: Path) -> Any:
        if not self.enabled:
            return None
        try:
            with open(path, "rb") as handle:
                salt, payload = marshal.load(handle)
        except (OSError, EOFError, ValueError, TypeError):
            return None
        return payload if salt == self.salt else None

    @property
    def files(self) -> dict[str, tuple[Stat, bytes, list[tuple[Any, ...]]]]:
        if self._files is None:
            found = self._read(self._files_path)
            self._files = found if isinstance(found, dict) else {}
        return self._files

    def get(self, rel: str, stat: Stat) -> tuple[Any, list[Diagnostic]] | None:
        """The cached (data, diagnostics) of a file whose stat has not changed."""
        self._seen.add(rel)
        hit = self.files.get(rel)
        if hit is None or tuple(hit[0]) != stat:
            return None
        return marshal.loads(hit[1]), [Diagnostic(*d) for d in hit[2]]

    def put(self, rel: str, stat: Stat, data: Any, diagnostics: list[Diagnostic]) -> None:
        self._seen.add(rel)
        if self.enabled:
            # kept serialised: a live copy of every file's data would double the memory
            self.files[rel] = (stat, marshal.dumps(data), [astuple(d) for d in diagnostics])
            self._dirty.add("files")

    def run_result(self, key: str) -> Any:
        """The stored result of a whole run whose inputs had ``key``, or None."""
        stored = self._read(self._run_path)
        if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key:
            return stored[1]
        return None

    def store_run(self, key: str, result: Any) -> None:
        self._run = (key, result)
        self._dirty.add("run")

    def save(self) -> None:
        """Write what changed; files not seen in this run are dropped."""
        if not self.enabled:
            return
        if self._files is not None and self._seen:
            for rel in set(self._files) - self._seen:
                del self._files[rel]
                self._dirty.add("files")
        parts = {"files": (self._files_path, self._files), "run": (self._run_path, self._run)}
        for name in sorted(self._dirty):
            path, payload = parts[name]
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                writing.replace(path, marshal.dumps((self.salt, payload)), sync=False)
            except (OSError, ValueError):
                pass  # a cache that cannot be written only costs time
