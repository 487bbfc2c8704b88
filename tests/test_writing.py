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
from hypothesis import given
from hypothesis import strategies as st

from awesome_catalog.cli import main
from awesome_catalog.core import writing
from awesome_catalog.core.project import Project
from awesome_catalog.load import readme_state

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


Patch = Callable[[Callable[..., Any]], Callable[..., Any]]
FAILURES: dict[str, tuple[str, Patch, int]] = {
    # name: (what to patch, replacement, expected exit code)
    "disk-full-while-writing": ("write", lambda real: _disk_full, 2),
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


_COPY = getattr(os, "copy_file_range", None)
SPAN_FAILURES: dict[str, tuple[Callable[..., Any], int]] = {
    # name: (copy_file_range's replacement, expected exit code)
    "disk-full-while-copying": (_disk_full, 2),
    "interrupted-while-copying": (_interrupt, 130),
    "another-file-system": (lambda *_: (_ for _ in ()).throw(OSError(errno.EXDEV, "cross-device")), 0),
    "no-such-call": (lambda *_: (_ for _ in ()).throw(OSError(errno.ENOSYS, "not implemented")), 0),
    "a-few-bytes-at-a-time": (lambda src, dst, count, offset: _COPY(src, dst, min(count, 7), offset), 0),
}


@pytest.mark.skipif(not hasattr(os, "copy_file_range"), reason="the kernel's copy is Linux's")
@pytest.mark.parametrize("failure", sorted(SPAN_FAILURES))
def test_generate_copying_the_old_readme_writes_it_whole_or_not_at_all(
        failure: str, mini: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """After a check recorded the README's layout, generate writes most of it as spans of
    the old file, copied by the kernel: a failure there leaves the README as it was, and
    a kernel or file system that cannot copy (or copies a little at a time) gives the
    README a run without the cache writes."""
    monkeypatch.setattr(readme_state, "SPAN_FROM", 0)
    assert main(["--root", str(mini.root), "check"]) == 0
    (mini.catalog_dir / "papers" / "new-work.yaml").write_text(NEW_ENTRY, encoding="utf-8")
    before = mini.readme.read_bytes()
    copies: list[int] = []
    make, expected = SPAN_FAILURES[failure]

    def copy(*args: Any) -> Any:
        copies.append(args[2])
        return make(*args)

    monkeypatch.setattr(os, "copy_file_range", copy)
    assert main(["--root", str(mini.root), "generate"]) == expected
    assert copies, "no span of the old README was copied: the kernel's copy went untested"
    assert _leftovers(mini.root) == []
    assert "Traceback" not in capsys.readouterr().err
    if expected:
        assert mini.readme.read_bytes() == before
        return
    written = mini.readme.read_bytes()
    monkeypatch.undo()
    monkeypatch.setenv("AWESOME_CATALOG_CACHE_DIR", str(mini.root.parent / "no-cache-yet"))
    mini.readme.write_bytes(before)
    assert main(["--root", str(mini.root), "generate"]) == 0
    assert written == mini.readme.read_bytes() != before


@given(data=st.binary(max_size=4000), cuts=st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 4000),
                                                             st.booleans(), st.binary(max_size=20)), max_size=6))
def test_pieces_and_spans_are_written_as_their_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes,
                                                    cuts: list[tuple[int, int, bool, bytes]]) -> None:
    """Any mix of bytes and spans of an open file is written as the bytes they stand for."""
    folder = tmp_path_factory.mktemp("spans")
    old = folder / "old"
    old.write_bytes(data)
    source = writing.Source(os.open(old, os.O_RDONLY))
    view = memoryview(data)
    pieces: list[writing.Piece] = []
    for a, b, as_span, extra in cuts:
        start, end = sorted((min(a, len(data)), min(b, len(data))))
        pieces += [writing.Span(source, start, view[start:end]) if as_span else view[start:end], extra]
    writing.replace(folder / "new", pieces)
    assert (folder / "new").read_bytes() == b"".join(map(writing.data_of, pieces))
