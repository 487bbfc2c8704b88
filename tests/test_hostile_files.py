"""Hostile files and command lines that ``tests/cases/`` cannot hold (issue 14).

FIFOs, sockets and devices cannot be copied from a ``tree/``, names that are not UTF-8
cannot be spelt in ``case.yaml``, and some promises concern other commands than
``check``. Commands that could hang run in a child process with a timeout: a hang fails
the test instead of stopping the suite.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from awesome_catalog.cli import main
from awesome_catalog.core.project import Project
from conftest import make_project
from test_cases import snapshot

TIMEOUT_S = 30
NEW_ENTRY = """title: Heads That Count
url: https://example.org/heads-that-count
year: 2023
sections:
  - section: heads
    techniques: [visualization]
    evaluation: [faithfulness]
    summary: A small set of heads keeps a running count of repeated tokens.
"""


def tool(root: Path, *args: str, cwd: Path | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``awesome-catalog --root ROOT ARGS`` in a child process, which must end in time
    and print valid UTF-8 and no traceback."""
    environment = env if env is not None else {**os.environ, "AWESOME_CATALOG_CACHE_DIR": str(root.parent / "cache")}
    done = subprocess.run([sys.executable, "-m", "awesome_catalog", "--root", str(root), *args],
                          cwd=cwd or root.parent, env=environment, capture_output=True, timeout=TIMEOUT_S,
                          check=False)
    out, err = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")  # strict: valid UTF-8 only
    assert "Traceback" not in out + err and "internal error" not in err, err
    return subprocess.CompletedProcess(done.args, done.returncode, out, err)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    here = os.getcwd()
    os.chdir(path.parent)  # a socket's path is limited to about 100 bytes: bind a short relative one
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(path.name)
    finally:
        os.chdir(here)


def _char_device(path: Path) -> None:
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 5))  # the zero device: endless bytes if read
    except PermissionError:
        pytest.skip("creating a device needs root")


def _folder(path: Path) -> None:
    path.mkdir()


MAKERS: dict[str, Callable[[Path], None]] = {"fifo": _fifo, "socket": _socket, "char-device": _char_device,
                                             "folder": _folder}
PLACES = {  # where, and the code it gives there when it is not a regular file
    "catalog/papers/x.yaml": "E118",
    "catalog/taxonomy.yaml": "E118",
    "catalog/vocabulary.yaml": "E118",
    "schema/entry.schema.json": "E118",
    "README.md": "E401",
}


def _replace(project: Project, rel: str, kind: str) -> Path:
    path = project.root / rel
    if path.exists():
        path.unlink()
    MAKERS[kind](path)
    return path


@pytest.mark.parametrize("kind", sorted(MAKERS))
@pytest.mark.parametrize("rel", sorted(PLACES))
def test_what_is_not_a_regular_file_is_reported_and_never_read(mini: Project, rel: str, kind: str) -> None:
    _replace(mini, rel, kind)
    # a folder in an entry folder is E119: its files are not read
    expected = "E119" if kind == "folder" and rel == "catalog/papers/x.yaml" else PLACES[rel]
    done = tool(mini.root, "check", "--format", "json", "--no-cache")
    found = {(d["path"], d["code"]) for d in json.loads(done.stdout)["diagnostics"]}
    assert (rel, expected) in found, found
    assert done.returncode == 1


@pytest.mark.parametrize(("command", "code"), [
    (["generate"], 1), (["export", "--format", "json"], 1), (["site", "-o", "page"], 1),
    (["check"], 1),
])
def test_no_command_hangs_on_a_fifo(mini: Project, command: list[str], code: int) -> None:
    _replace(mini, "catalog/papers/x.yaml", "fifo")
    done = tool(mini.root, *command)
    assert done.returncode == code
    assert "catalog/papers/x.yaml" in done.stdout + done.stderr


def test_no_command_hangs_on_a_fifo_readme(mini: Project) -> None:
    _replace(mini, "README.md", "fifo")
    assert tool(mini.root, "generate").returncode == 1
    assert tool(mini.root, "export", "--format", "json").returncode == 0  # the export does not need it
    site = tool(mini.root, "site", "-o", "page")
    assert site.returncode == 1 and "README.md is not a regular file" in site.stderr


def test_a_catalog_folder_linked_outside_is_refused_and_not_walked(mini: Project, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "papers"
    shutil.move(mini.catalog_dir / "papers", outside)
    (mini.catalog_dir / "papers").symlink_to(outside)
    done = tool(mini.root, "check", "--format", "json", "--no-cache")
    found = {(d["path"], d["code"]) for d in json.loads(done.stdout)["diagnostics"]}
    assert ("catalog/papers", "E111") in found
    assert not any(path.startswith("catalog/papers/") for path, _ in found)
    assert done.returncode == 1


NAMES = {  # a file name as bytes, and how every reporter shows it
    "not UTF-8": (b"caf\xe9.yaml", "catalog/papers/caf\\xe9.yaml"),
    "ESC": (b"a\x1b[31mred.yaml", "catalog/papers/a\\x1b[31mred.yaml"),
    "newline": (b"x.yaml\nforged.yaml: E999 forged", "catalog/papers/x.yaml\\nforged.yaml: E999 forged"),
    "carriage return": (b"ok\rforged.yaml", "catalog/papers/ok\\rforged.yaml"),
}


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
@pytest.mark.parametrize("name", sorted(NAMES))
def test_file_names_are_shown_escaped_in_every_format(mini: Project, name: str, fmt: str) -> None:
    raw, shown = NAMES[name]
    with open(os.path.join(os.fsencode(mini.catalog_dir / "papers"), raw), "wb") as stream:
        stream.write(NEW_ENTRY.encode("utf-8"))
    done = tool(mini.root, "check", "--format", fmt, "--no-cache")
    assert done.returncode == 1
    assert "\x1b" not in done.stdout and "\r" not in done.stdout
    if fmt == "json":
        paths = {d["path"] for d in json.loads(done.stdout)["diagnostics"]}
        assert shown in paths
    else:
        github = "file=" + shown.replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
        assert (github if fmt == "github" else shown) in done.stdout
        lines = done.stdout.splitlines()
        assert not any("E999" in line and not line.startswith(("catalog/papers/x.yaml\\n", "::")) for line in lines)
        assert len([line for line in lines if "E110" in line]) == 1  # one line, not two


def _no_passwd_entry(uid: int) -> None:
    raise KeyError(f"getpwuid(): uid not found: {uid}")


@pytest.mark.parametrize("home", ["unset", "empty", "relative"])
def test_without_a_home_the_tool_runs_without_a_cache(mini: Project, home: str, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    import pwd

    for name in ("AWESOME_CATALOG_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)
    if home != "unset":
        monkeypatch.setenv("HOME", "" if home == "empty" else "home")
    monkeypatch.setattr(pwd, "getpwuid", _no_passwd_entry)
    monkeypatch.chdir(mini.root)
    before = snapshot(mini.root)
    assert main(["check"]) == 0
    (mini.catalog_dir / "papers" / "heads-that-count.yaml").write_text(NEW_ENTRY, encoding="utf-8")
    assert main(["generate"]) == 0
    assert main(["check"]) == 0
    assert "internal error" not in capsys.readouterr().err
    assert set(snapshot(mini.root)) - set(before) == {"catalog/papers/heads-that-count.yaml"}  # no cache here


OUTPUTS = [  # command line, exit code; run from the list's root
    (["export", "--format", "json", "-o", "catalog/all.json"], 2),
    (["export", "--format", "bibtex", "-o", "catalog/papers/x.yaml"], 2),
    (["export", "--format", "json", "-o", "schema/x.json"], 2),
    (["export", "--format", "json", "-o", ""], 2),
    (["export", "--format", "json", "-o", "all.json"], 0),
    (["site", "-o", ""], 2),
    (["site", "-o", " "], 2),
    (["site", "-o", "catalog"], 2),
    (["site", "-o", "catalog/site"], 2),
    (["site", "-o", "schema"], 2),
    (["site", "-o", "page"], 0),
]


@pytest.mark.parametrize(("args", "code"), OUTPUTS, ids=[" ".join(a) for a, _ in OUTPUTS])
def test_exports_never_write_into_the_lists_own_data(mini: Project, args: list[str], code: int,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(mini.root)
    before = snapshot(mini.root)
    assert main(args) == code
    after = snapshot(mini.root)
    if code:
        assert after == before
        assert "nothing was written" in capsys.readouterr().err
    else:
        assert set(after) > set(before)
        assert main(["check", "--no-cache"]) == 0


@pytest.fixture
def broken(mini: Project) -> Project:
    """The mini list with two entries missing their title."""
    for name in ("b", "c"):
        (mini.catalog_dir / "papers" / f"{name}.yaml").write_text(
            NEW_ENTRY.replace("title: Heads That Count\n", "").replace("heads-that-count", name), encoding="utf-8")
    return mini


PATHS = [  # PATH given to check, run from a folder outside the list; exit code; files with E201
    ("catalog/papers/b.yaml", 1, {"catalog/papers/b.yaml"}),  # relative to --root, not found from here
    ("{root}/catalog/papers/c.yaml", 1, {"catalog/papers/c.yaml"}),
    ("catalog", 1, {"catalog/papers/b.yaml", "catalog/papers/c.yaml"}),
    ("catalog/papers/", 1, {"catalog/papers/b.yaml", "catalog/papers/c.yaml"}),
    ("catalog/papers/nope.yaml", 2, set()),  # does not exist
    ("{elsewhere}/notes.txt", 2, set()),  # outside the repository
    ("notes.txt", 2, set()),  # found from here, outside the repository
    ("{root}/notes.md", 2, set()),  # in the repository, but nothing check reads
    ("{root}/../list/catalog/papers/b.yaml", 1, {"catalog/papers/b.yaml"}),
]


@pytest.mark.parametrize(("path", "code", "reported"), PATHS, ids=[p for p, _, _ in PATHS])
def test_check_paths_resolve_against_the_root_and_never_check_nothing(broken: Project, tmp_path: Path,
                                                                      path: str, code: int, reported: set[str],
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "list"
    shutil.move(broken.root, root)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "notes.txt").write_text("not an input\n", encoding="utf-8")
    (root / "notes.md").write_text("not an input\n", encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    given = path.format(root=root, elsewhere=elsewhere)
    result = main(["--root", str(root), "check", "--no-cache", "--format", "json", given])
    out, err = capsys.readouterr()
    assert result == code
    if code == 2:
        assert out == "" and given.rstrip("/").split("/")[-1] in err
        return
    found = {d["path"] for d in json.loads(out)["diagnostics"] if d["code"] == "E201"}
    assert found == reported


def test_the_result_of_generate_is_never_kept_for_files_it_did_not_see(mini: Project, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry broken while ``generate`` runs must not be answered "ok" from the cache."""
    from awesome_catalog.load import incremental

    monkeypatch.setenv("AWESOME_CATALOG_CACHE_DIR", str(tmp_path / "cache"))
    entry = mini.catalog_dir / "papers" / "heads-that-count.yaml"
    entry.write_text(NEW_ENTRY, encoding="utf-8")
    real = incremental.check_catalog

    def edited_meanwhile(*args: object, **options: object) -> object:
        found = real(*args, **options)  # type: ignore[arg-type]
        entry.write_text(NEW_ENTRY.replace("title: Heads That Count\n", ""), encoding="utf-8")  # now broken
        return found

    monkeypatch.setattr(incremental, "check_catalog", edited_meanwhile)
    assert main(["--root", str(mini.root), "generate"]) == 0
    monkeypatch.setattr(incremental, "check_catalog", real)
    assert main(["--root", str(mini.root), "check"]) == 1
    assert main(["--root", str(mini.root), "check", "--no-cache"]) == 1


def test_a_readme_link_is_written_through_to_its_target(mini: Project) -> None:
    docs = mini.root / "docs"
    docs.mkdir()
    mini.readme.rename(docs / "README.md")
    mini.readme.symlink_to("docs/README.md")
    (mini.catalog_dir / "papers" / "heads-that-count.yaml").write_text(NEW_ENTRY, encoding="utf-8")
    assert main(["--root", str(mini.root), "generate"]) == 0
    assert mini.readme.is_symlink() and os.readlink(mini.readme) == "docs/README.md"
    assert "Heads That Count" in (docs / "README.md").read_text(encoding="utf-8")
    assert main(["--root", str(mini.root), "check", "--no-cache"]) == 0


def test_a_readme_link_leading_outside_the_repository_is_refused(mini: Project, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "outside.md"
    shutil.move(mini.readme, outside)
    mini.readme.symlink_to(outside)
    (mini.catalog_dir / "papers" / "heads-that-count.yaml").write_text(NEW_ENTRY, encoding="utf-8")
    before = outside.read_bytes()
    assert main(["--root", str(mini.root), "generate"]) == 1
    assert "symbolic link to a file outside the repository" in capsys.readouterr().err
    assert mini.readme.is_symlink() and outside.read_bytes() == before


def test_a_fresh_list_copy_checks_clean(tmp_path: Path) -> None:
    """The helpers above start from a list that is clean."""
    project = make_project(tmp_path / "list")
    assert tool(project.root, "check", "--no-cache").returncode == 0
