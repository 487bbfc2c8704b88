"""``awesome-catalog init``: a new list, and an existing Markdown list adopted as data.

With ``--from``, on the three real lists of ``../shared/lists/`` and the seed (skipped,
with the reason, when ``../shared/`` is not beside the repository): the list made by init
checks clean and its README is up to date; every item's link comes back as an entry;
every item stands under the same heading in the regenerated README; bullets stay
bullets and tables tables; awesome-sysadmin's licence and language tags come back on
each item's line. The original and the regenerated README are both read with
``markdown.listdoc.read_list``, the reader init itself uses.

Without ``--from``: a starter list that checks clean; a second init refuses and writes
nothing; ``--force`` replaces the catalog and schemas but keeps a hand-written
CONTRIBUTING.md; a failure while moving the files into place leaves the folder as it was.

Small hostile sources of our own go through the whole command: each gives a clear
message, never a traceback, and no hang.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from awesome_catalog import cli
from awesome_catalog.core.project import Project
from awesome_catalog.load.loader import load_catalog
from awesome_catalog.markdown.adopt import link_identity
from awesome_catalog.markdown.listdoc import Item, ListDoc, read_list
from test_listdoc import REAL_LISTS, items_in
from test_scaffold import snapshot

MARKERS = ("<!-- awesome-catalog:begin:toc -->", "<!-- awesome-catalog:end:toc -->",
           "<!-- awesome-catalog:begin:sections -->", "<!-- awesome-catalog:end:sections -->")


def init(*args: str) -> int:
    return cli.main(["init", *args])


def tool(root: Path, *args: str) -> int:
    return cli.main(["--root", str(root), *args])


def items_with_links(doc: ListDoc) -> list[tuple[str, Item]]:
    """(innermost heading, item) for every item and nested item with a link (not an
    in-page anchor), in reading order."""
    return [(chain[-1].heading.strip(), nested) for chain, item in doc.walk() for nested in items_in([item])
            if nested.url and not nested.url.startswith("#")]


# ------------------------------------------------------------------ the real lists


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[ListDoc, Path]]:
    """name -> (the original as read, the folder of the list init made from it); each
    list is adopted once, on first use."""
    return {}


def adopt(name: str, made: dict[str, tuple[ListDoc, Path]], tmp_path_factory: pytest.TempPathFactory,
          capsys: pytest.CaptureFixture[str]) -> tuple[ListDoc, Path]:
    source = REAL_LISTS[name]
    if not source.is_file():
        pytest.skip(f"the real list {source.name} of ../shared/ is not beside the repository")
    if name not in made:
        root = tmp_path_factory.mktemp(name) / "list"
        assert init(str(root), "--from", str(source)) == 0, capsys.readouterr().err
        capsys.readouterr()
        made[name] = (read_list(source.read_text(encoding="utf-8")), root)
    return made[name]


@pytest.fixture(params=list(REAL_LISTS), ids=list(REAL_LISTS))
def real(request: pytest.FixtureRequest, adopted: dict[str, tuple[ListDoc, Path]],
         tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]) -> tuple[str, ListDoc, Path]:
    name: str = request.param
    return (name, *adopt(name, adopted, tmp_path_factory, capsys))


def regenerated(root: Path) -> ListDoc:
    return read_list((root / "README.md").read_text(encoding="utf-8"))


def test_the_adopted_list_checks_clean_and_its_readme_is_up_to_date(real: tuple[str, ListDoc, Path]) -> None:
    _, _, root = real
    assert tool(root, "check", "--no-cache") == 0
    assert tool(root, "generate", "--check") == 0


def test_every_item_link_comes_back_as_an_entry(real: tuple[str, ListDoc, Path]) -> None:
    _, original, root = real
    catalog = load_catalog(Project(root)).catalog
    assert catalog is not None
    entries = {link_identity(e.url) for e in catalog.entries}
    links = {link_identity(item.url) for _, item in items_with_links(original)}
    back = links & entries
    assert len(back) >= 0.95 * len(links), sorted(links - entries)[:10]


def test_every_item_stands_under_the_same_heading(real: tuple[str, ListDoc, Path]) -> None:
    """Strictly: the innermost heading above the item is the original's. (A bullet that
    only groups nested items, such as awesome-nodejs's "- Promises", becomes a heading
    of its own, so those items stand one heading deeper: the 7% of awesome-nodejs.)"""
    _, original, root = real
    before = {(h, link_identity(i.url)) for h, i in items_with_links(original)}
    after = {(h, link_identity(i.url)) for h, i in items_with_links(regenerated(root))}
    assert len(before & after) >= 0.90 * len(before), sorted(before - after)[:10]


def test_bullets_stay_bullets_and_tables_tables(real: tuple[str, ListDoc, Path]) -> None:
    _, original, root = real

    def layouts(doc: ListDoc) -> dict[str, str]:
        return {chain[-1].heading.strip(): chain[-1].layout for chain, _ in doc.walk()}

    before, after = layouts(original), layouts(regenerated(root))
    assert {h: layout for h, layout in after.items() if h in before} == {h: before[h] for h in after if h in before}
    assert set(after.values()) == set(before.values())  # a bullet list makes no table, nor a table list
    assert regenerated(root).style.bullet == original.style.bullet


def test_sysadmin_tags_come_back_on_their_item(adopted: dict[str, tuple[ListDoc, Path]],
                                              tmp_path_factory: pytest.TempPathFactory,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    original, root = adopt("awesome-sysadmin", adopted, tmp_path_factory, capsys)
    tagged = [(h, i) for h, i in items_with_links(original) if i.tags]
    assert len(tagged) > 250
    lines = (root / "README.md").read_text(encoding="utf-8").splitlines()
    back = {link_identity(i.url): lines[i.line - 1] for _, i in items_with_links(regenerated(root))}
    missing = [(i.name, i.tags) for _, i in tagged
               if not all(f"`{tag}`" in back.get(link_identity(i.url), "") for tag in i.tags)]
    assert missing == []


# --------------------------------------------------------------- a list from nothing


def test_a_new_list_checks_clean_and_has_the_markers(tmp_path: Path) -> None:
    root = tmp_path / "list"
    assert init(str(root)) == 0
    assert tool(root, "check", "--no-cache") == 0
    assert tool(root, "generate", "--check") == 0
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert all(marker in readme for marker in MARKERS)
    for name in ("catalog/list.yaml", "catalog/taxonomy.yaml", "CONTRIBUTING.md", ".pre-commit-config.yaml",
                 ".github/workflows/awesome-catalog.yml"):
        assert (root / name).is_file(), name


def test_init_refuses_a_folder_that_holds_a_catalog_and_writes_nothing(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "list"
    assert init(str(root)) == 0
    (root / "catalog" / "items" / "awesome-catalog.yaml").write_text("title: changed by hand\n", encoding="utf-8")
    before = snapshot(root)
    capsys.readouterr()
    assert init(str(root)) == 1
    err = capsys.readouterr().err
    assert "already holds catalog/ and schema/" in err and "--force" in err
    assert snapshot(root) == before


def test_force_replaces_catalog_and_schemas_but_keeps_a_hand_written_contributing(tmp_path: Path) -> None:
    root = tmp_path / "list"
    assert init(str(root)) == 0
    fresh = snapshot(root)
    (root / "CONTRIBUTING.md").write_text("# How we work\n\nBy hand.\n", encoding="utf-8")
    (root / "catalog" / "items" / "stray.yaml").write_text("not: an entry\n", encoding="utf-8")
    (root / "schema" / "entry.schema.json").write_text("{}", encoding="utf-8")
    assert init(str(root), "--force") == 0
    after = snapshot(root)
    assert after["CONTRIBUTING.md"] == b"# How we work\n\nBy hand.\n"
    assert {k: v for k, v in after.items() if k != "CONTRIBUTING.md"} == \
        {k: v for k, v in fresh.items() if k != "CONTRIBUTING.md"}
    assert tool(root, "check", "--no-cache") == 0


def _tree(root: Path) -> tuple[dict[str, bytes], list[str]]:
    """The files (with their bytes) and the folders under ``root``."""
    return snapshot(root), sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir())


@pytest.mark.parametrize("existing", [False, True], ids=["empty-folder", "force-over-a-list"])
@pytest.mark.parametrize("failing", range(1, 13))
def test_a_failure_while_moving_into_place_leaves_the_folder_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], failing: int,
        existing: bool) -> None:
    """The ``failing``-th rename fails (a full disk, a folder made read-only meanwhile):
    init exits 2 with a message and the folder is exactly as before. Renames past the
    last one init makes do not happen: then init succeeds."""
    root = tmp_path / "list"
    root.mkdir()
    if existing:
        assert init(str(root), "--title", "Awesome Before") == 0
        (root / "CONTRIBUTING.md").unlink()  # so that init writes one, and a workflow folder to make
        (root / ".github" / "workflows" / "awesome-catalog.yml").unlink()
        (root / ".github" / "workflows").rmdir()
        (root / ".github").rmdir()
    before = _tree(root)
    capsys.readouterr()
    calls = 0
    rename = Path.rename

    def flaky(self: Path, target: str | os.PathLike[str]) -> Path:
        nonlocal calls
        calls += 1
        if calls == failing:
            raise OSError(28, "No space left on device")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", flaky)
    code = init(str(root), *(["--force", "--title", "Awesome After"] if existing else []))
    monkeypatch.setattr(Path, "rename", rename)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if calls < failing:  # every rename done: init succeeded
        assert code == 0, err
        assert tool(root, "check", "--no-cache") == 0
        return
    assert code == 2, err
    assert "No space left on device" in err
    assert _tree(root) == before


def test_a_failure_in_a_new_folder_leaves_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(self: Path, target: str | os.PathLike[str]) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "rename", failing)
    assert init(str(tmp_path / "new" / "list")) == 2
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ hostile sources

HOSTILE: dict[str, tuple[bytes, int, list[str]]] = {
    # name: (source, exit code, what the output says)
    "ragged table rows": (b"# T\n\n## S\n\n| Name | Note |\n|---|---|\n| [a](https://a.example) | x | y |\n"
                          b"| [b](https://b.example) | z |\n", 1,
                          ["src.md:5: Markdown does not read this as a table", "has no item to adopt",
                           "nothing was written"]),
    "html in an item": (b"# T\n\n## S\n\n- [a](https://a.example) - Press <kbd>Ctrl</kbd>.\n"
                        b"- <a href=\"https://b.example\">b</a> - B.\n", 0,
                        ["src.md:6: this item is an HTML link, not read", "1 item -> 1 entry", "1 problem"]),
    "link text with brackets": (b"# T\n\n## S\n\n- [A [beta] tool](https://a.example) - D.\n", 0,
                                ["1 item -> 1 entry", "0 problems"]),
    "url with parentheses": (b"# T\n\n## S\n\n- [Foo](https://en.wikipedia.org/wiki/Foo_(bar)) - Bar.\n", 0,
                             ["1 item -> 1 entry", "0 problems"]),
    "reference-style links": (b"# T\n\n## S\n\n- [Ref][r] - R.\n- [Other] - O.\n- [Bad][nowhere] - B.\n\n"
                              b"[r]: https://r.example\n[other]: https://o.example\n", 0,
                              ["src.md:7: the link reference [nowhere] is not defined", "2 items -> 2 entries"]),
    "a 1 MB line": (b"# T\n\n## S\n\n- [a](https://a.example) - " + b"x" * 1_000_000 + b".\n", 0,
                    ["src.md:5: the description is 1,000,001 characters long", "left out", "1 item -> 1 entry"]),
    "a 1 MB name": (b"# T\n\n## S\n\n- [" + b"n" * 1_000_000 + b"](https://a.example) - A.\n"
                    b"- [b](https://b.example) - B.\n", 0,
                    ["src.md:5: the item's name is 1,000,000 characters long", "1 item -> 1 entry"]),
    "a binary file": (bytes(range(256)) * 400, 2, ["src.md is not UTF-8 text", "nothing was written"]),
    "nul bytes": (b"# T\n\n## S\n\n- [a](https://a.example) - A\x00.\n", 1,
                  ["src.md:5: the text holds NUL characters", "nothing was written"]),
    "control characters": (b"# T\n\n## S\n\n- [a\x07](https://a.example) - A\x01\x1b[31m.\n", 0,
                           ["src.md:5: the item holds control characters (U+0001, U+0007, U+001B): left out",
                            "1 item -> 1 entry"]),
    "an empty file": (b"", 1, ["has no item to adopt", "init without --from"]),
}


@pytest.mark.parametrize(("source", "code", "said"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_sources_give_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch, source: bytes, code: int,
                                              said: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src.md").write_bytes(source)
    start = time.perf_counter()
    assert init("list", "--from", "src.md") == code
    seconds = time.perf_counter() - start
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert [s for s in said if s not in out + err] == []
    assert seconds < 20
    if code == 0:
        assert tool(tmp_path / "list", "check", "--no-cache") == 0
        assert tool(tmp_path / "list", "generate", "--check") == 0
    else:
        assert not (tmp_path / "list").exists()


def test_check_names_the_entry_file_in_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A list made by init reports item-level problems on the entry file, as ours does."""
    source = tmp_path / "src.md"
    source.write_text("# T\n\n## S\n\n- [Foo](https://foo.example) - Foo does things\n", encoding="utf-8")
    assert init(str(tmp_path / "list"), "--from", str(source)) == 0
    capsys.readouterr()
    assert tool(tmp_path / "list", "check", "--no-cache", "--format", "json") == 0
    found = {(d["path"], d["code"]) for d in json.loads(capsys.readouterr().out)["diagnostics"]}
    assert found == {("catalog/items/foo.yaml", "W303"), ("catalog/items/foo.yaml", "W304")}
