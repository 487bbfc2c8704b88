"""Write safety: a failure at any point of a write leaves the previous file intact.

Failures are simulated where they happen for real: while writing the data (disk full),
while syncing it, at the rename, and by an interrupt (Ctrl-C) in the middle.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from awesome_catalog.cli import main
from awesome_catalog.core import writing
from awesome_catalog.core.project import Project

NEW_ENTRY = """title: A New Work for the Write Test
url: https://example.org/new-work
year: 2024
sections:
  - section: universality
    summary: Adding this work makes the README stale, so generate must write.
"""


def _disk_full(*_: Any, **__: Any) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _interrupt(*_: Any, **__: Any) -> None:
    raise KeyboardInterrupt


class _FullDiskFile:
    """Wraps the temporary file so that writing to it fails as on a full disk."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def __enter__(self) -> _FullDiskFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.real.close()

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


Patch = Callable[[Callable[..., Any]], Callable[..., Any]]
FAILURES: dict[str, tuple[str, Patch, int]] = {
    # name: (what to patch, replacement, expected exit code)
    "disk-full-while-writing": ("fdopen", lambda real: (lambda fd, mode: _FullDiskFile(real(fd, mode))), 2),
    "sync-fails": ("fsync", lambda real: _disk_full, 2),
    "rename-fails": ("replace", lambda real: _disk_full, 2),
    "interrupted-at-rename": ("replace", lambda real: _interrupt, 130),
    "interrupted-while-syncing": ("fsync", lambda real: _interrupt, 130),
}


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_generate_failing_anywhere_keeps_the_old_readme(failure: str, mini: Project,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    (mini.catalog_dir / "papers" / "new-work.yaml").write_text(NEW_ENTRY, encoding="utf-8")
    before = mini.readme.read_bytes()
    name, make, expected = FAILURES[failure]
    monkeypatch.setattr(os, name, make(getattr(os, name)))
    assert main(["--root", str(mini.root), "generate"]) == expected
    assert mini.readme.read_bytes() == before
    assert _leftovers(mini.root) == []
    err = capsys.readouterr().err
    assert "Traceback" not in err and "bug" not in err
    monkeypatch.undo()
    assert main(["--root", str(mini.root), "generate"]) == 0  # and the next run succeeds
    assert mini.readme.read_bytes() != before


def test_replace_all_changes_nothing_when_one_file_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_bytes(b"old a")
    real = os.fsync
    calls = iter([real, _disk_full])
    monkeypatch.setattr(os, "fsync", lambda fd: next(calls)(fd))
    with pytest.raises(OSError):
        writing.replace_all([(first, b"new a"), (second, b"new b")])
    assert first.read_bytes() == b"old a" and not second.exists()
    assert _leftovers(tmp_path) == []


def test_create_never_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "entry.yaml"
    target.write_bytes(b"someone else's")
    with pytest.raises(FileExistsError):
        writing.create(target, b"mine")
    assert target.read_bytes() == b"someone else's"
    assert _leftovers(tmp_path) == []


def test_replace_keeps_the_mode_and_new_files_get_the_usual_one(tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    kept.write_bytes(b"x")
    kept.chmod(0o640)
    writing.replace(kept, b"y")
    assert (kept.stat().st_mode & 0o777, kept.read_bytes()) == (0o640, b"y")
    fresh = tmp_path / "fresh"
    writing.replace(fresh, b"z")
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask
