"""The incremental check: a check that reuses the cache finds exactly what a fresh one finds.

A hypothesis state machine edits a small list at random (adds, deletes and renames
entries, changes one field, breaks a file and mends it, touches a file without changing
it, edits a file keeping its size and setting its modification time back, as an edit
within one tick of the clock would leave it, ages every file and folder, edits the
taxonomy, the vocabulary, a schema and the README, runs ``generate``, corrupts the
cache) and, after every step, compares ``check`` with the cache against ``check
--no-cache`` (the careful path, which reads everything): the same report (diagnostics
and README diff) and the same exit code. It runs twice: with the real stat, and with a
file system whose stat tells only the size and the second of the last modification (no
change time, no inode; of a folder, only that second), where only the handling of
racily clean files and folders can tell an edit within one tick, and with the files to
read shared among processes. Two checks started at once on one tree both give the right
answer.
"""

from __future__ import annotations

import contextlib
import io
import marshal
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from awesome_catalog.cli import main
from awesome_catalog.core import writing
from awesome_catalog.core.project import Project
from awesome_catalog.load import cache, incremental, inputs, readme_state
from conftest import REPO, make_project

sys.path.insert(0, str(REPO / "benchmarks"))
import synth

WORDS = st.sampled_from(["Heads", "Circuits", "Probes", "Lens", "Features", "Copying", "Patching", "Toy"])


def run(root: Path, *args: str) -> tuple[int, str]:
    """Exit code and standard output of one in-process run of the tool."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--root", str(root), *args])
    return code, out.getvalue()


def coarse_stat_key(st: os.stat_result) -> inputs.StatKey:
    """The stat of a coarse file system: the second of the last modification, and the size."""
    return (st.st_mtime_ns // 1_000_000_000 * 1_000_000_000, 0, st.st_size, 0)


def coarse_folder_key(st: os.stat_result) -> inputs.FolderKey:
    """A folder's stat on the same file system: the second of the last modification."""
    return (st.st_mtime_ns // 1_000_000_000 * 1_000_000_000, 0, 0, 0)


class EditSequences(RuleBasedStateMachine):
    """Random edits of a list; after each, the cached check equals a fresh one."""

    coarse = False
    parallel = False

    def __init__(self) -> None:
        super().__init__()
        import tempfile

        self.real = (inputs.stat_key, inputs.folder_key, incremental.PARALLEL_FROM, incremental.SAVE_FROM,
                     inputs.PARALLEL_STAT_FROM)
        if self.coarse:
            incremental.SAVE_FROM = 1  # every run keeps what it read, so the next one trusts it or not
        if self.parallel:
            incremental.PARALLEL_FROM = 1  # every run with files to read shares them among processes
            inputs.PARALLEL_STAT_FROM = 2  # and the stats of its files
        if self.coarse:
            inputs.stat_key, inputs.folder_key = coarse_stat_key, coarse_folder_key

        self.tmp = Path(tempfile.mkdtemp(prefix="incremental-"))
        self.project: Project = make_project(self.tmp / "list")
        self.root = self.project.root
        self.cache = self.tmp / "cache"
        self.before = os.environ.get("AWESOME_CATALOG_CACHE_DIR")
        os.environ["AWESOME_CATALOG_CACHE_DIR"] = str(self.cache)
        self.added = 0

    def teardown(self) -> None:
        (inputs.stat_key, inputs.folder_key, incremental.PARALLEL_FROM, incremental.SAVE_FROM,
         inputs.PARALLEL_STAT_FROM) = self.real
        if self.before is not None:
            os.environ["AWESOME_CATALOG_CACHE_DIR"] = self.before
        shutil.rmtree(self.tmp, ignore_errors=True)

    def entries(self) -> list[Path]:
        return sorted(self.root.glob("catalog/*/*.yaml"))

    @initialize()
    def fill_cache(self) -> None:
        run(self.root, "check")

    @rule(words=st.lists(WORDS, min_size=1, max_size=3))
    def add(self, words: list[str]) -> None:
        self.added += 1
        name = f"added-{self.added}"
        (self.root / "catalog" / "papers" / f"{name}.yaml").write_text(
            f"title: {' '.join(words)} {self.added}\nurl: https://example.org/{name}\nyear: 2024\n"
            f"authors: [A. Person]\nsections:\n  - section: universality\n    summary: {' '.join(words)} again.\n",
            encoding="utf-8")

    @precondition(lambda self: len(self.entries()) > 1)
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        data.draw(st.sampled_from(self.entries())).unlink()

    @rule(data=st.data(), words=st.lists(WORDS, min_size=1, max_size=2))
    def rename(self, data: st.DataObject, words: list[str]) -> None:
        path = data.draw(st.sampled_from(self.entries()))
        path.rename(path.with_name("-".join(words).lower() + f"-{len(self.entries())}.yaml"))

    @rule(data=st.data(), word=WORDS)
    def change_summary(self, data: st.DataObject, word: str) -> None:
        path = data.draw(st.sampled_from(self.entries()))
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("summary: ", f"summary: {word} ", 1), encoding="utf-8")

    @rule(data=st.data())
    def copy(self, data: st.DataObject) -> None:
        """An entry copied under another name: one work twice (same title, links, summaries)."""
        path = data.draw(st.sampled_from(self.entries()))
        self.added += 1
        shutil.copyfile(path, path.with_name(f"copy-{self.added}.yaml"))

    @rule(data=st.data(), known=st.booleans())
    def set_parent(self, data: st.DataObject, known: bool) -> None:
        """An appearance that stands under a parent: an entry of the catalog, or no entry."""
        path = data.draw(st.sampled_from(self.entries()))
        parent = data.draw(st.sampled_from(self.entries())).stem if known else "no-such-entry"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("  - section: ", f"  - parent: {parent}\n    section: ", 1), encoding="utf-8")

    @rule(data=st.data())
    def touch(self, data: st.DataObject) -> None:
        os.utime(data.draw(st.sampled_from(self.entries())))

    @rule(data=st.data())
    def same_size_same_tick(self, data: st.DataObject) -> None:
        """An edit, a check that records it, then an edit within the same tick of the
        clock: same size, same modification time; only the content tells."""
        path = data.draw(st.sampled_from(self.entries()))
        path.write_text(path.read_text(encoding="utf-8").replace("summary: ", "summary: Z", 1), encoding="utf-8")
        run(self.root, "check")
        before = path.stat()
        text = path.read_text(encoding="utf-8")
        at = text.find("summary: ") + len("summary: ")
        swapped = "x" if text[at] != "x" else "y"
        path.write_text(text[:at] + swapped + text[at + 1:], encoding="utf-8")
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))

    @rule(data=st.data())
    def break_and_mend(self, data: st.DataObject) -> None:
        """A file broken (not YAML), or mended again."""
        path = data.draw(st.sampled_from(self.entries()))
        text = path.read_text(encoding="utf-8")
        mended = text.replace("title: [", "title: ", 1)
        path.write_text(mended if mended != text else text.replace("title: ", "title: [", 1), encoding="utf-8")

    @rule()
    def age(self) -> None:
        """Time passes: every file and folder is now an hour old, so its stat may answer
        for it (a folder's for its names: the next run takes them from the cache)."""
        past = time.time_ns() - 3600 * 1_000_000_000
        for path in [*self.root.rglob("*"), *self.cache.glob("*")]:
            os.utime(path, ns=(past, past))

    @rule(where=st.sampled_from(["hand-written", "generated"]), word=WORDS)
    def edit_readme(self, where: str, word: str) -> None:
        """A hand-written line added to the README, or a generated one changed."""
        path = self.root / "README.md"
        text = path.read_text(encoding="utf-8")
        if where == "hand-written":
            text = text.replace("\n", f"\n\n{word} [see](#{word.lower()}).\n", 1)
        else:
            text = text.replace("| [", f"| [{word} ", 1)
        path.write_text(text, encoding="utf-8")

    @rule(word=WORDS)
    def edit_taxonomy(self, word: str) -> None:
        path = self.root / "catalog" / "taxonomy.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("title: Universality", f"title: Universality {word}", 1)
                        .replace(f"title: Universality {word} ", "title: Universality ", 1), encoding="utf-8")

    @rule(word=WORDS)
    def edit_vocabulary(self, word: str) -> None:
        path = self.root / "catalog" / "vocabulary.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("label: Visualization", f"label: Visualization {word}", 1), encoding="utf-8")

    @rule(limit=st.sampled_from([20, 500]))
    def edit_schema(self, limit: int) -> None:
        """A schema that refuses long summaries, or allows them again."""
        path = self.root / "schema" / "entry.schema.json"
        original = (REPO / "schema" / "entry.schema.json").read_text(encoding="utf-8")
        text = original.replace('"summary": {', f'"summary": {{"maxLength": {limit}, ', 1)
        path.write_text(text if limit == 20 else original, encoding="utf-8")

    @rule()
    def generate(self) -> None:
        run(self.root, "generate")

    @rule(how=st.sampled_from(["garbage", "truncate", "empty", "flip"]), where=st.floats(0, 1, exclude_max=True))
    def corrupt_cache(self, how: str, where: float) -> None:
        """A cache file damaged: in its header, cut short, emptied, or one bit flipped
        further on (in the blobs of the state: a section's rows, a shard), where only
        that blob's own check can tell, when it is used."""
        for path in self.cache.glob("*"):
            data = path.read_bytes()
            header = data.find(b"\n", len(cache.MAGIC)) + 1
            whole = header and len(data) >= header + cache.SIZES.size
            blobs = header + cache.SIZES.size + cache.SIZES.unpack_from(data, header)[0] if whole else 0
            at = blobs + int((len(data) - blobs) * where)
            flipped = data[:at] + bytes([data[at] ^ 1]) + data[at + 1:] if at < len(data) else data
            path.write_bytes({"garbage": data[:40] + b"\x00garbage" + data[48:],
                              "truncate": data[: len(data) // 2], "empty": b"", "flip": flipped}[how])

    @invariant()
    def cached_equals_fresh(self) -> None:
        fresh = run(self.root, "check", "--no-cache")
        assert run(self.root, "check") == fresh
        assert run(self.root, "check") == fresh  # and again, from what the first one kept


class CoarseEditSequences(EditSequences):
    """The same, on a file system whose stat tells only the second and the size."""

    coarse = True


class ParallelEditSequences(EditSequences):
    """The same, with the files to read, and their stats, shared among processes however few they are."""

    parallel = True


TestEditSequences = EditSequences.TestCase
TestEditSequences.settings = settings(max_examples=8, stateful_step_count=10, deadline=None,
                                      suppress_health_check=list(HealthCheck),
                                      phases=[Phase.explicit, Phase.reuse, Phase.generate])  # no shrinking: slow here
TestCoarseEditSequences = CoarseEditSequences.TestCase
TestCoarseEditSequences.settings = TestEditSequences.settings
TestParallelEditSequences = ParallelEditSequences.TestCase
TestParallelEditSequences.settings = settings(TestEditSequences.settings, max_examples=4)


def test_two_checks_started_at_once_both_answer_right(mini: Project, tmp_path: Path) -> None:
    """Two processes check one tree at once, sharing one cache, right after an edit: both
    report what a fresh check reports, and so does a check after them."""
    env = {**os.environ, "AWESOME_CATALOG_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "awesome_catalog", "--root", str(mini.root), "check"]
    subprocess.run(command, env=env, capture_output=True, check=False)  # a cache to share
    entry = mini.root / "catalog" / "papers" / "ioi-circuit.yaml"
    entry.write_text(entry.read_text(encoding="utf-8").replace("summary: ", "summary: changed ", 1), encoding="utf-8")
    fresh = subprocess.run([*command, "--no-cache"], env=env, capture_output=True, text=True, check=False)
    both = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    for process in both:
        out, _ = process.communicate(timeout=120)
        assert (process.returncode, out) == (fresh.returncode, fresh.stdout)
    after = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert (after.returncode, after.stdout) == (fresh.returncode, fresh.stdout)
    assert fresh.returncode == 1 and "E406" in fresh.stdout  # the README is stale: the edit was seen


def test_a_damaged_blob_is_never_used(mini: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One bit flipped in each blob of the cache, where only each blob's own check can
    tell (the file's header and head are intact): a check after an edit of every entry,
    which uses them all, gives what a fresh check gives, and so does the next one."""
    monkeypatch.setenv("AWESOME_CATALOG_CACHE_DIR", str(tmp_path / "cache"))
    assert run(mini.root, "check")[0] == 0
    [state] = (tmp_path / "cache").glob("*.state")
    data = bytearray(state.read_bytes())
    header = data.find(b"\n", len(cache.MAGIC)) + 1
    head = header + cache.SIZES.size + cache.SIZES.unpack_from(data, header)[0]
    flipped = 0
    for length in [n for n, _ in marshal.loads(data[header + cache.SIZES.size:head])[1]]:
        if length:
            data[head + length // 2] ^= 1
            flipped += 1
        head += length
    assert flipped and head == len(data)
    state.write_bytes(bytes(data))
    for path in sorted(mini.root.glob("catalog/*/*.yaml")):
        path.write_text(path.read_text(encoding="utf-8").replace("summary: ", "summary: Now ", 1), encoding="utf-8")
    fresh = run(mini.root, "check", "--no-cache")
    assert run(mini.root, "check") == fresh
    assert run(mini.root, "check") == fresh
    assert run(mini.root, "generate")[0] == 0
    assert run(mini.root, "check") == run(mini.root, "check", "--no-cache")


def _shorten(path: Path, words: int = 0) -> None:
    """An entry's first summary made one short sentence (its table keeps its widths), or
    one of ``words`` words more, longer than any other (its table widens)."""
    short = f"    summary: A short summary of {path.stem[:12]}{' and more' * words}.\n"
    path.write_text(re.sub(r"(?m)^    summary: >-\n(      .*\n)+", short, path.read_text(encoding="utf-8"), count=1),
                    encoding="utf-8")


def _retitle(path: Path) -> None:
    """An entry's title changed so that its rows move to the start of their sections."""
    path.write_text(re.sub(r"(?m)^title: (.*)$", r"title: Aaa \1", path.read_text(encoding="utf-8"), count=1),
                    encoding="utf-8")


def _move_last(path: Path, title: str | None = None) -> None:
    """An entry made the last of its sections: of the latest year, its title's first
    letter a Z (its width the same), or its title ``title``."""
    text = re.sub(r"(?m)^year: .*$", "year: 2025", path.read_text(encoding="utf-8"), count=1)
    text = re.sub(r"(?m)^title: .*$", f"title: {title}", text, count=1) if title else \
        re.sub(r"(?m)^title: ([\"']?)\w", r"title: \1Z", text, count=1)
    path.write_text(text, encoding="utf-8")


EDITS: list[tuple[str, Callable[[Path], None]]] = [
    ("summary shortened", _shorten),
    ("summary lengthened", lambda path: path.write_text(synth.revise_summary(path.read_text(), 12345678))),
    ("summary longer than any", lambda path: _shorten(path, 80)),
    ("title changed: the rows move", _retitle),
    ("entry deleted", Path.unlink),
    ("made the last of its sections", _move_last),
    ("summary shortened again", _shorten),
]


@pytest.mark.parametrize("chunk", [readme_state.LINES_CHUNK, 7])
def test_a_table_whose_frame_stays_has_only_its_changed_rows_replaced(mini: Project, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     chunk: int) -> None:
    """On a list of 80 works, edits of every kind, one after the other (rows moved to
    the start and the end of their tables, the last row dropped): after each, a check
    from the cache reports what a fresh one reports (the README's diff included), and
    after ``generate`` the README is the one a fresh check finds up to date. Most of the
    sections touched have only their changed rows replaced, not rendered whole; their
    line ends are counted a chunk at a time, of any size."""
    monkeypatch.setenv("AWESOME_CATALOG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(readme_state, "LINES_CHUNK", chunk)
    root = tmp_path / "list"
    synth.write_list(root, 80, 3, mini.root)
    synth.fill_readme(root)
    for path in root.rglob("*"):  # written long ago: their stats answer, as in a real list
        os.utime(path, ns=(10**18, 10**18))
    replaced: list[bool] = []
    real = readme_state._rows_replaced
    monkeypatch.setattr(readme_state, "_rows_replaced",
                        lambda *args: replaced.append(real(*args) is not None) or real(*args))
    assert run(root, "generate")[0] == 0 and run(root, "check")[0] == 0
    entries = sorted(root.glob("catalog/papers/*.yaml"))
    last, two = entries[-1], entries[-3:-1]
    steps: list[list[Callable[[], None]]] = [
        *([partial(edit, entries[5 * i + 3])] for i, (_name, edit) in enumerate(EDITS * 2)),
        [partial(_move_last, last)], [partial(_shorten, last)], [partial(_move_last, last, "Zz")],
        [last.unlink],  # the last rows of their tables; one no wider than any other dropped
        [partial(_move_last, two[0], "Zy"), partial(_move_last, two[1], "Zz")],
        [two[0].unlink, two[1].unlink]]  # two rows next to each other dropped
    for step in steps:
        for edit in step:
            edit()
        fresh = run(root, "check", "--no-cache")
        assert fresh[0] == 1 and "E406" in fresh[1]
        assert run(root, "check") == fresh
        assert run(root, "generate")[0] == 0
        assert run(root, "check", "--no-cache")[0] == 0
        assert run(root, "check")[0] == 0
    assert replaced.count(True) > len(replaced) // 2 and False in replaced  # a lengthened summary widens its table


def test_a_readme_edited_within_one_tick_is_seen(mini: Project, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Right after ``generate`` and a check, the README edited keeping its size and its
    second (on a file system whose stat tells only those, the stat cannot tell the
    edit): the next check, which hashes the README by a thread while it checks the
    catalog, sees it; the check before did not take the README's stat as settled."""
    monkeypatch.setenv("AWESOME_CATALOG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(inputs, "stat_key", coarse_stat_key)
    entry = mini.root / "catalog" / "papers" / "ioi-circuit.yaml"
    entry.write_text(entry.read_text(encoding="utf-8").replace("summary: ", "summary: Now ", 1), encoding="utf-8")
    assert run(mini.root, "generate")[0] == 0
    assert run(mini.root, "check")[0] == 0
    before = os.stat(mini.readme)
    text = mini.readme.read_text(encoding="utf-8")
    mini.readme.write_text(text.replace("Now ", "Wow ", 1), encoding="utf-8")
    os.utime(mini.readme, ns=(before.st_atime_ns, before.st_mtime_ns))
    fresh = run(mini.root, "check", "--no-cache")
    assert fresh[0] == 1 and "E406" in fresh[1]
    assert run(mini.root, "check") == fresh


@pytest.mark.parametrize("written", ["as changes", "whole"])
def test_blobs_kept_as_they_are_are_kept_with_their_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           written: str) -> None:
    """A cache saved from the pieces of the one before (spans of its file) holds the same
    blobs, each passing its check, beside those made anew: as a file of changes that
    refers to the blobs kept where they are, or written whole (the blobs copied by the
    kernel) once the changes grow past a ``FOLD``-th of the file."""
    monkeypatch.setenv("AWESOME_CATALOG_CACHE_DIR", str(tmp_path / "cache"))
    if written == "whole":
        monkeypatch.setattr(cache, "FOLD", 10**9)
    store = cache.Store(tmp_path)
    made = [os.urandom(size) for size in (0, 1, 7, 5000, 70000)]
    store.save({"first": True}, "state", made)
    base = store.path("state")
    before = base.stat().st_ino
    loaded = store.load_with_blobs()
    assert loaded is not None
    kept = [loaded[1].piece(at) for at in range(len(made))]
    assert any(isinstance(piece, writing.Span) for piece in kept)
    store.save({"second": True}, "state", [b"new", *kept, b"also new"])
    assert (base.stat().st_ino == before) == store.changes_path("state").exists() == (written == "as changes")
    value, blobs = cache.Store(tmp_path).load_with_blobs() or (None, [])
    assert value == {"second": True}
    assert [bytes(blobs[at]) for at in range(len(blobs))] == [b"new", *made, b"also new"]
    # a blob damaged in the file that holds it is kept with the check it had, which it then fails
    damaged = bytearray(base.read_bytes())
    at = damaged.find(made[3])
    damaged[at + 2500] ^= 1
    base.write_bytes(bytes(damaged))
    store = cache.Store(tmp_path)
    loaded = store.load_with_blobs()
    assert loaded is not None
    store.save({"third": True}, "state", [loaded[1].piece(at) for at in range(len(blobs))])
    _, again = cache.Store(tmp_path).load_with_blobs() or (None, [])
    with pytest.raises(cache.CorruptCache):
        again[4]
    assert bytes(again[5]) == made[4]


class CacheSaves(RuleBasedStateMachine):
    """Runs that each load the cache and save it again, keeping some of its blobs as they
    are and making others, while other runs replace it whole: each load gives what the
    last save was given, unless that save wrote changes to a file another run had
    replaced meanwhile; the load then gives what that other run saved, whole."""

    def __init__(self) -> None:
        super().__init__()
        import tempfile

        self.tmp = Path(tempfile.mkdtemp(prefix="cache-saves-"))
        self.before = os.environ.get("AWESOME_CATALOG_CACHE_DIR")
        os.environ["AWESOME_CATALOG_CACHE_DIR"] = str(self.tmp / "cache")
        self.runs = 0
        self.whole: tuple[int, list[bytes]] | None = None  # the last save written whole
        self.expected: tuple[int, list[bytes]] | None = None
        self.store = cache.Store(self.tmp)
        self.loaded: tuple[object, cache.Blobs] | None = None
        self.loaded_whole: tuple[int, list[bytes]] | None = None  # the file whole that the run loaded
        self.replaced_own = False  # whether the run replaced that file by one written whole

    def teardown(self) -> None:
        if self.before is not None:
            os.environ["AWESOME_CATALOG_CACHE_DIR"] = self.before
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _saved(self, store: cache.Store, pieces: list[writing.Piece]) -> None:
        """``pieces`` saved by ``store``: what a load must now give."""
        path = store.path("state")
        before = path.stat().st_ino if path.exists() else None
        self.runs += 1
        store.save({"run": self.runs}, "state", pieces)
        saved = (self.runs, [bytes(writing.data_of(piece)) for piece in pieces])
        if path.stat().st_ino != before:  # written whole
            self.whole = self.expected = saved
            self.replaced_own |= store is self.store
        else:  # as changes: read only with the file they build on
            assert self.loaded is not None, "changes to a file the run did not load"
            assert not self.replaced_own, "changes to the file the run loaded, after it replaced that file"
            self.expected = saved if self.loaded_whole is self.whole else self.whole

    @rule()
    def start_a_run(self) -> None:
        """A new run: it loads the cache as it now stands."""
        self.store = cache.Store(self.tmp)
        self.loaded = self.store.load_with_blobs()
        self.loaded_whole = self.whole
        self.replaced_own = False

    @rule(data=st.data(), sizes=st.lists(st.integers(0, 3000), max_size=4))
    def save(self, data: st.DataObject, sizes: list[int]) -> None:
        """The run saves: some blobs it loaded kept as they are (any, in any order, some
        twice), and some made anew."""
        old = self.loaded[1] if self.loaded is not None else cache.Blobs()  # held open, even once replaced
        keep = data.draw(st.lists(st.integers(0, len(old) - 1), max_size=8)) if len(old) else []
        made = [os.urandom(size) for size in sizes]
        order = data.draw(st.permutations(range(len(keep) + len(made))))
        pieces = [old.piece(at) for at in keep] + made
        self._saved(self.store, [pieces[at] for at in order])

    @rule()
    def found_corrupt(self) -> None:
        """The run finds a blob damaged, and removes the cache: its next save is whole."""
        self.store.discard("state")
        self.whole = self.expected = None
        self.replaced_own = True

    @rule()
    def another_run_saves_whole(self) -> None:
        """Another run, started before the cache was saved, saves what it found, whole."""
        self._saved(cache.Store(self.tmp), [os.urandom(100)])

    @invariant()
    def loads_what_was_saved_last(self) -> None:
        found = cache.Store(self.tmp).load_with_blobs()
        if self.expected is None:
            assert found is None
            return
        assert found is not None
        value, blobs = found
        assert (value, [bytes(blobs[at]) for at in range(len(blobs))]) == ({"run": self.expected[0]},
                                                                            self.expected[1])


TestCacheSaves = CacheSaves.TestCase
TestCacheSaves.settings = settings(max_examples=300, stateful_step_count=12, deadline=None,
                                   suppress_health_check=list(HealthCheck))


def test_changes_that_name_another_file_are_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file of changes left beside a file it was not made for (another run replaced
    it meanwhile) is never read with it: the part is read as it stands."""
    monkeypatch.setenv("AWESOME_CATALOG_CACHE_DIR", str(tmp_path / "cache"))
    store = cache.Store(tmp_path)
    store.save({"first": True}, "state", [os.urandom(50000)])
    loaded = store.load_with_blobs()
    assert loaded is not None
    store.save({"changed": True}, "state", [loaded[1].piece(0), b"made"])
    changes = store.changes_path("state")
    stale = changes.read_bytes()
    cache.Store(tmp_path).save({"other": True}, "state", [os.urandom(50000)])
    assert not changes.exists()
    changes.write_bytes(stale)  # as if written by a run that loaded the first file, after the other one
    value, blobs = cache.Store(tmp_path).load_with_blobs() or (None, [])
    assert value == {"other": True} and len(blobs) == 1
