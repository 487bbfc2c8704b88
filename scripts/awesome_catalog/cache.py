"""Result cache: what loading and validating each file found, keyed by the file's stat.

A file whose size and modification time match the cached ones is not read again. The
whole cache is keyed by the tool's version and the schemas' content, so a changed
schema re-checks everything. It lives in the user's cache folder
(``$AWESOME_CATALOG_CACHE_DIR``, else ``$XDG_CACHE_HOME/awesome-catalog``, else
``~/.cache/awesome-catalog``), one file per list, never inside the repository: a clean
clone and CI start without it, a cloned repository cannot plant one, and deleting it
is always safe.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from dataclasses import astuple
from pathlib import Path
from typing import Any

from awesome_catalog import __version__, writing
from awesome_catalog.diagnostics import Diagnostic

CACHE_ENV = "AWESOME_CATALOG_CACHE_DIR"
_FORMAT = 1

Stat = tuple[int, int]


def cache_dir() -> Path:
    """The folder that holds the caches of every list on this machine."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "awesome-catalog"


def stat_key(st: os.stat_result) -> Stat:
    return (st.st_mtime_ns, st.st_size)


class FileCache:
    """Per-file results of the load and schema stages, plus the last whole run."""

    def __init__(self, root: Path, salt: str, enabled: bool = True) -> None:
        self.enabled = enabled
        self.path = cache_dir() / f"{hashlib.sha256(str(root).encode()).hexdigest()[:20]}.cache"
        self.salt = f"{_FORMAT}:{__version__}:{salt}"
        self.files: dict[str, tuple[Stat, Any, list[tuple[Any, ...]]]] = {}
        self.last_run: tuple[str, Any] | None = None
        self._seen: set[str] = set()
        self._dirty = False
        if enabled:
            self._read()

    def _read(self) -> None:
        try:
            with open(self.path, "rb") as handle:
                salt, files, last_run = marshal.load(handle)
        except (OSError, EOFError, ValueError, TypeError):
            return
        if salt == self.salt and isinstance(files, dict):
            self.files, self.last_run = files, last_run

    def get(self, rel: str, stat: Stat) -> tuple[Any, list[Diagnostic]] | None:
        """The cached (data, diagnostics) of a file whose stat has not changed."""
        self._seen.add(rel)
        hit = self.files.get(rel)
        if hit is None or tuple(hit[0]) != stat:
            return None
        return hit[1], [Diagnostic(*d) for d in hit[2]]

    def put(self, rel: str, stat: Stat, data: Any, diagnostics: list[Diagnostic]) -> None:
        self._seen.add(rel)
        if self.enabled:
            self.files[rel] = (stat, data, [astuple(d) for d in diagnostics])
            self._dirty = True

    def run_result(self, key: str) -> Any:
        """The stored result of a whole run whose inputs had ``key``, or None."""
        if self.last_run and self.last_run[0] == key:
            return self.last_run[1]
        return None

    def store_run(self, key: str, result: Any) -> None:
        self.last_run = (key, result)
        self._dirty = True

    def save(self) -> None:
        """Write the cache atomically; files not seen in this run are dropped. Never fails."""
        if not self.enabled:
            return
        stale = set(self.files) - self._seen
        if stale and self._seen:
            for rel in stale:
                del self.files[rel]
            self._dirty = True
        if not self._dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            writing.replace(self.path, marshal.dumps((self.salt, self.files, self.last_run)))
        except (OSError, ValueError):
            pass  # a cache that cannot be written only costs time
