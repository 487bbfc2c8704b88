"""The floor of the benchmark: read and parse every catalog file with libyaml, nothing else.

No safety checks, no validation, no rules, no README: any checker of these files does
at least this much, so ``awesome-catalog check`` is measured as a multiple of it.

    python benchmarks/floor.py [ROOT]
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import yaml


def catalog_files(root: Path) -> list[Path]:
    """The files ``check`` parses: the taxonomy, the vocabulary and every entry file."""
    catalog = root / "catalog"
    return sorted(catalog.glob("*.yaml")) + sorted(catalog.glob("*/*.yaml"))


def main(argv: Sequence[str]) -> int:
    """Parse every file; print how many were parsed."""
    if not getattr(yaml, "__with_libyaml__", False):
        print("floor: PyYAML was built without libyaml; the floor needs the C loader", file=sys.stderr)
        return 2
    files = catalog_files(Path(argv[0]) if argv else Path("."))
    for path in files:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    print(f"parsed {len(files)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
