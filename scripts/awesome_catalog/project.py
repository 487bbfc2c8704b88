"""Where things are in a list's repository: the catalog, the schemas and the README.

The tool works on the repository in the current directory (or ``--root``); it never
looks for the catalog relative to its own code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SCHEMA_NAMES = ("entry", "taxonomy", "vocabulary")


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

    def schema_file(self, name: str) -> Path:
        return self.schema_dir / f"{name}.schema.json"

    def entry_files(self) -> list[Path]:
        """Every file in the catalog's entry folders (``catalog/<folder>/*``), sorted.

        Hidden files are skipped; everything else is returned so that a wrongly named
        file is reported instead of silently ignored.
        """
        if not self.catalog_dir.is_dir():
            return []
        return sorted(
            path
            for folder in self.catalog_dir.iterdir()
            if folder.is_dir() and not folder.name.startswith(".")
            for path in folder.iterdir()
            if not path.name.startswith(".") and not path.is_dir()
        )

    def rel(self, path: Path) -> str:
        """``path`` relative to the root, with forward slashes, as diagnostics show it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()
