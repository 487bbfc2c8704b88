"""Where things are in a list's repository: the catalog, the schemas and the README.

The tool works on the repository in the current directory (or ``--root``); it never
looks for the catalog relative to its own code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

SCHEMA_NAMES = ("entry", "taxonomy", "vocabulary", "list")


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
        """Every file in the catalog's entry folders (``catalog/<folder>/*``), sorted.

        Hidden files are skipped; everything else is listed so that a wrongly named file
        is reported instead of silently ignored.
        """
        prefix = self.rel(self.catalog_dir)
        found: list[EntryFile] = []
        try:
            folders = os.scandir(self.catalog_dir)
        except (FileNotFoundError, NotADirectoryError):
            return []
        with folders:
            for folder in folders:
                if folder.name.startswith(".") or not folder.is_dir():
                    continue
                with os.scandir(folder.path) as files:
                    found += [EntryFile(f"{prefix}/{folder.name}/{f.name}", f.path, folder.name, f.name)
                              for f in files if not f.name.startswith(".") and not f.is_dir()]
        found.sort()
        return found

    def entry_files(self) -> list[Path]:
        """The paths of ``entry_listing``."""
        return [Path(f.path) for f in self.entry_listing()]

    def rel(self, path: Path) -> str:
        """``path`` relative to the root, with forward slashes, as diagnostics show it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()
