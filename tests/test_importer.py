"""``awesome-catalog import``: Markdown awesome lists (tables, bullet lists, the README that
``generate`` writes) into catalog entries, against the mini list's vocabulary and taxonomy.

Each case is ``tests/importer/<name>.md`` with its expected outcome in ``<name>.yaml``:
the entry files (their content as data, keyed by path), the problems and notes as
``[line, kind]``, the merges as ``{entry: [lines]}`` and optionally the status of rows.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from awesome_catalog.cli import main
from awesome_catalog.core.identity import entry_id
from awesome_catalog.core.model import Catalog, Entry
from awesome_catalog.core.project import Project
from awesome_catalog.formats.entry_yaml import entry_text
from awesome_catalog.load.loader import load_catalog
from awesome_catalog.markdown.importer import ImportResult, import_markdown, split_title
from awesome_catalog.readme import regions, render
from conftest import make_project

CASES = Path(__file__).resolve().parent / "importer"


def _catalog(project: Project) -> Catalog:
    catalog = load_catalog(project).catalog
    assert catalog is not None
    return catalog


def _import(project: Project, text: str) -> ImportResult:
    catalog = _catalog(project)
    return import_markdown(text, catalog.vocabulary, catalog.taxonomy)


def _as_data(text: str) -> dict[str, Any]:
    """An entry file as data, its sections keyed by section id."""
    data: dict[str, Any] = yaml.safe_load(text)
    data["sections"] = {s.pop("section"): s for s in data["sections"]}
    return data


@pytest.mark.parametrize("name", sorted(p.stem for p in CASES.glob("*.md")))
def test_case(name: str, mini: Project) -> None:
    expected = yaml.safe_load((CASES / f"{name}.yaml").read_text(encoding="utf-8"))
    result = _import(mini, (CASES / f"{name}.md").read_text(encoding="utf-8"))

    assert {e.path: _as_data(entry_text(e)) for e in result.entries} == expected["entries"]
    assert [[p.line, p.kind] for p in result.problems] == expected["problems"]
    assert [[p.line, p.kind] for p in result.notes] == expected["notes"]
    assert {m.entry: list(m.lines) for m in result.merges} == expected["merges"]
    if "rows" in expected:
        assert {r.line: r.status for r in result.rows} == expected["rows"]
    # every row is accounted for: an appearance, or a problem reported at its line
    problem_lines = {p.line for p in result.problems}
    assert all(r.status == "appearance" or r.line in problem_lines for r in result.rows)
    assert sum(r.status == "appearance" for r in result.rows) == sum(len(e.appearances) for e in result.entries)


@pytest.mark.parametrize(("title", "taken", "expected"), [
    ("Interpretability in the Wild: a Circuit for Indirect Object Identification in GPT-2 small", set(),
     "interpretability-in-the-wild"),
    ("AtP*: An efficient and scalable method for localizing LLM behavior to components", set(),
     "atp-an-efficient-and-scalable-method"),  # cut at 50 characters, then "for" dropped
    ("Towards Automated Circuit Discovery for Mechanistic Interpretability", set(),
     "towards-automated-circuit-discovery"),
    ("In-context Learning and Induction Heads", set(), "in-context-learning-and-induction-heads"),
    ("The Clock and the Pizza", {"clock-and-the-pizza"}, "clock-and-the-pizza-2"),
    ("Über 🙂", set(), "uber"),
    ("🙂", set(), "entry"),
])
def test_ids_are_short_and_unique(title: str, taken: set[str], expected: str) -> None:
    assert entry_id(title, taken) == expected
    assert expected in taken


@pytest.mark.parametrize(("written", "title", "venue", "year"), [
    ("Interpretability in the Wild (ICLR'23)", "Interpretability in the Wild", "ICLR 2023", 2023),
    ("Emergent linear representations (ACL'23 BlackboxNLP)", "Emergent linear representations",
     "ACL 2023 BlackboxNLP", 2023),
    ("Causal Scrubbing [Redwood Research]", "Causal Scrubbing", None, None),
    ("A toy model (2022)", "A toy model", None, 2022),
    ("[Interim research report] Taking features out of superposition",
     "[Interim research report] Taking features out of superposition", None, None),
    ("Language models (GPT-2)", "Language models (GPT-2)", None, None),
])
def test_titles_lose_their_venue(written: str, title: str, venue: str | None, year: int | None) -> None:
    assert split_title(written)[:3] == (title, venue, year)


def test_written_files_are_valid_entries(mini: Project) -> None:
    """What the import writes loads and passes the entry schema (no E1xx or E2xx)."""
    assert main(["--root", str(mini.root), "import", str(CASES / "merge-arxiv.md")]) == 0
    written = {"catalog/papers/towards-automated-circuit-discovery.yaml",
               "catalog/papers/sparse-autoencoders-find-highly-interpretable.yaml"}
    loaded = load_catalog(mini)
    assert [d for d in loaded.diagnostics if d.path in written] == []
    assert written <= {e.path for e in _catalog(mini).entries}
    text = (mini.root / "catalog/papers/towards-automated-circuit-discovery.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schema/entry.schema.json\n")
    assert 'arxiv: "2304.14997"\n' in text  # quoted: never read back as a number


def test_generated_readme_round_trip(tmp_path: Path) -> None:
    """Importing the README that ``generate`` writes recovers the catalog's works,
    appearances, terms and summaries, hostile markup included."""
    project = make_project(tmp_path / "list")
    shutil.copytree(CASES / "roundtrip", project.root, dirs_exist_ok=True)
    catalog = _catalog(project)
    text = regions.render_readme(project.readme.read_text(encoding="utf-8"), render.Listing.of(catalog))
    result = import_markdown(text, catalog.vocabulary, catalog.taxonomy)

    assert (result.problems, result.notes) == ((), ())

    def works(entries: Iterable[Entry]) -> set[tuple[Any, ...]]:
        return {(e.title, e.url, e.arxiv, e.venue, tuple(sorted(e.links.items())),
                 frozenset(e.appearances)) for e in entries}

    assert works(result.entries) == works(catalog.entries)
    assert {e.title for e in result.entries if e.kind == "tool"} == {e.title for e in catalog.entries
                                                                      if e.kind == "tool"}


def _run(root: Path, *args: str) -> int:
    return main(["--root", str(root), "import", str(CASES / "table.md"), "--into", "imported", *args])


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_cli_writes_and_reports(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(mini.root) == 0
    out = capsys.readouterr().out
    assert "5 rows -> 5 works, 5 appearances; 0 problems, 3 notes" in out
    assert "table.md:9: note: [Redwood Research] was removed from the title" in out
    assert "summaries were copied from the source" in out
    assert sorted(_tree(mini.root / "imported")) == [
        "papers/causal-scrubbing.yaml", "papers/interpretability-in-the-wild.yaml", "papers/interpreting-gpt.yaml",
        "papers/pipes-and-entities.yaml", "papers/row-with-no-terms.yaml"]


def test_cli_never_overwrites_without_force(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(mini.root) == 0
    folder = mini.root / "imported"
    edited = folder / "papers/interpreting-gpt.yaml"
    edited.write_text("hand-written\n", encoding="utf-8")
    (folder / "papers/causal-scrubbing.yaml").unlink()
    before = _tree(folder)
    capsys.readouterr()

    assert _run(mini.root) == 1  # all or nothing: the missing file is not written either
    err = capsys.readouterr().err
    assert "refusing to overwrite 4 existing files (use --force); nothing was written" in err
    assert "imported/papers/interpreting-gpt.yaml" in err
    assert _tree(folder) == before

    assert _run(mini.root, "--force") == 0
    assert edited.read_text(encoding="utf-8").startswith("# yaml-language-server:")
    assert (folder / "papers/causal-scrubbing.yaml").is_file()
    assert not [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


def test_cli_dry_run_writes_nothing(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    before = _tree(mini.root)
    assert _run(mini.root, "--dry-run") == 0
    assert "dry run: 5 files would be written under imported; nothing was written" in capsys.readouterr().out
    assert _tree(mini.root) == before


@pytest.mark.parametrize(("args", "code", "message"), [
    (["import", "problems.md", "--into", "out"], 1, "problems.md:11: techniques: 'Telepathy' is not in the"),
    (["import", "missing.md"], 2, "awesome-catalog import: cannot read"),
])
def test_cli_exit_codes(mini: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                        args: list[str], code: int, message: str) -> None:
    monkeypatch.chdir(CASES)
    assert main(["--root", str(mini.root), *args]) == code
    captured = capsys.readouterr()
    assert message in captured.out + captured.err


def test_cli_needs_the_vocabulary(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    mini.vocabulary_file.unlink()
    assert _run(mini.root) == 2
    assert "the taxonomy or the vocabulary cannot be used; nothing was written" in capsys.readouterr().err
    assert not (mini.root / "imported").exists()


# --- Works already in the catalog, and what is not read ----------------------------------------

KNOWN = """# A list that repeats the catalog

## Methods

| Paper | Techniques | TL;DR |
| --- | --- | --- |
| [Interpretability in the Wild: a Circuit for Indirect Object Identification in GPT-2 small](https://arxiv.org/abs/2211.00593v2) · [code](https://github.com/redwoodresearch/Easy-Transformer) | Activation patching | Patches activations to find the heads that move names. |
| [A Brand New Work on Probes](https://example.org/probes) | Logit lens | A new work the catalog does not have yet. |
| [Interpreting GPT: the logit lens](https://www.lesswrong.com/posts/AcKRB8wDpdaN6v6ru/interpreting-gpt-the-logit-lens/) | Logit lens | The same post, under a link with a trailing slash. |

## Attention Heads

| Paper | Techniques | Evaluation | TL;DR |
| --- | --- | --- | --- |
| [In-context learning and induction heads](https://arxiv.org/abs/2209.11895) | Visualization | Faithfulness | Another summary of a section the catalog's entry already has. |"""  # noqa: E501


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_import_adds_to_works_the_catalog_has_and_never_replaces_them(
        force: list[str], mini: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ioi_authors = _catalog(mini).entries
    known_authors = next(e.authors for e in ioi_authors if e.id == "ioi-circuit")
    assert known_authors  # the fixture names them; the Markdown below does not
    before = {p.name: p.read_text(encoding="utf-8") for p in mini.catalog_dir.rglob("*.yaml")}
    source = tmp_path / "known.md"
    source.write_text(KNOWN, encoding="utf-8")
    assert main(["--root", str(mini.root), "import", str(source), *force]) == 0
    out = capsys.readouterr().out
    after = {p.name: p.read_text(encoding="utf-8") for p in mini.catalog_dir.rglob("*.yaml")}
    assert set(after) - set(before) == {"brand-new-work-on-probes.yaml"}  # no duplicate of a known work
    assert "added to catalog/papers/ioi-circuit.yaml" in out and "wrote 1 new file and 2 files of the catalog" in out
    entries = {e.id: e for e in _catalog(mini).entries}
    ioi_entry, heads = entries["ioi-circuit"], entries["induction-heads"]
    assert ioi_entry.authors == known_authors  # never dropped: the Markdown has no authors
    assert (ioi_entry.venue, ioi_entry.year, ioi_entry.arxiv) == ("ICLR 2023", 2022, "2211.00593")
    assert [a.section for a in ioi_entry.appearances] == ["heads", "methods"]
    assert ioi_entry.appearances[0].summary.startswith("Name-mover and inhibition heads")
    assert ioi_entry.links == {"code": "https://github.com/redwoodresearch/Easy-Transformer",
                               "openreview": "https://openreview.net/forum?id=NpsVSN6o4ul"}
    assert heads.arxiv == "2209.11895" and heads.appearances[0].summary.startswith("Heads that copy")
    assert after["logit-lens-post.yaml"] == before["logit-lens-post.yaml"]  # nothing new: left as it is
    assert "already in the catalog: catalog/papers/logit-lens-post.yaml" in out
    assert main(["--root", str(mini.root), "check", "--no-cache", "--format", "json"]) in (0, 1)
    codes = {d["code"] for d in json.loads(capsys.readouterr().out)["diagnostics"]}
    assert codes <= {"E406", "W302"}, codes  # the README is stale and the new work has no authors yet: no error


def test_import_never_rewrites_a_file_with_comments(mini: Project, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    ioi = mini.catalog_dir / "papers" / "ioi-circuit.yaml"
    ioi.write_text(ioi.read_text(encoding="utf-8").replace("year: 2022", "year: 2022  # of the preprint"),
                   encoding="utf-8")
    before = ioi.read_bytes()
    source = tmp_path / "known.md"
    source.write_text(KNOWN, encoding="utf-8")
    assert main(["--root", str(mini.root), "import", str(source), "--force"]) == 1
    out = capsys.readouterr().out
    assert ioi.read_bytes() == before
    assert "catalog/papers/ioi-circuit.yaml has comments that writing it again would lose; add by hand: " \
           "section `methods`" in out


HTML_BLOCKS = {
    "a table": ('<table>\n<tr><th>Paper</th><th>TL;DR</th></tr>\n<tr><td><a href="https://example.org/a">A</a></td>'
                "<td>x</td></tr>\n<tr><td><a href='https://example.org/b'>B</a></td><td>y</td></tr>\n</table>",
                "an HTML <table> with 2 rows holding links (lines 5 to 9) is not read"),
    "a list": ('<ul>\n  <li><a href="https://example.org/a">A</a> - x</li>\n</ul>',
               "an HTML list with 1 item holding links (lines 5 to 7) is not read"),
    "a Markdown list item that is an HTML link": ('- <a href="https://example.org/a">A</a> - x',
                                                  "this list item starts with an HTML link"),
    "upper-case tags": ('<TABLE>\n<TR><TD><A HREF="https://example.org/a">A</A></TD></TR>\n</TABLE>',
                        "an HTML <table> with 1 row holding links"),
}


@pytest.mark.parametrize("name", sorted(HTML_BLOCKS))
def test_items_in_html_are_reported_never_dropped_silently(name: str, mini: Project, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    html, message = HTML_BLOCKS[name]
    source = tmp_path / "html.md"
    source.write_text(f"# List\n\n## Methods\n\n{html}\n\n<p align=\"center\"><a href=\"https://x.org\">badge</a></p>\n",
                      encoding="utf-8")
    assert main(["--root", str(mini.root), "import", str(source), "--into", "out"]) == 1
    out = capsys.readouterr().out
    assert f"{source}:5: {message}" in out
    assert "; 1 problem\n" in out  # the badge holds no item


# --- Headings without a section: the closest one, or a new one (--new-sections) ----------------


@pytest.mark.parametrize(("heading", "said"), [
    ("Attention Head", "heading 'Attention Head' is not a section of the taxonomy; did you mean `heads` "
     "(Attention Heads)? (--new-sections creates it)"),
    ("Universalities", "did you mean `universality` (Universality)?"),
    ("Something Else Entirely", "heading 'Something Else Entirely' is not a section of the taxonomy "
     "(--new-sections creates it)"),
])
def test_a_heading_without_a_section_names_the_closest_one(mini: Project, heading: str, said: str) -> None:
    result = _import(mini, f"## {heading}\n\n- [A work](https://example.org/a) - What it found, in a sentence.\n")
    assert [(p.line, p.kind) for p in result.problems] == [(3, "unplaced")]
    assert said in result.problems[0].message


NESTED = """# Awesome Things

## Results

### Probing Studies

- [A probe](https://example.org/probe) - Probes find what the model holds, layer by layer.

## Methods

| Paper | Techniques | TL;DR |
|---|---|---|
| [Known](https://example.org/known) | Logit Lens | A work under a heading the taxonomy already has. |

### Patching Variants

- [A patch](https://example.org/patch) - Patching finds which components matter for a task.

## Heads

- [A head](https://example.org/head) - One head that copies tokens it has seen before.

## Grouping Only

### Attention Head Studies

| Paper | Techniques | Evaluation | TL;DR |
|---|---|---|---|
| [Heads again](https://example.org/heads-again) | Activation Patching | Faithfulness | Heads that copy names. |
| [Heads twice](https://example.org/heads-twice) | Visualization | Extrinsic | Another study of the same heads. |
"""


def test_new_sections_are_placed_named_and_shaped_from_the_taxonomy(mini: Project) -> None:
    from awesome_catalog.markdown.importer import new_sections

    planned = new_sections(NESTED, _catalog(mini).taxonomy)
    assert [(s.id, s.title, s.parent, s.columns, s.like, s.line) for s in planned] == [
        # nested under a grouping section: its child, shaped like the last leaf there
        ("probing-studies", "Probing Studies", "results", ("summary",), "universality", 7),
        # under a section that holds items (which cannot take children): at the end of the tree
        ("patching-variants", "Patching Variants", None, ("summary",), "tools", 17),
        # the id `heads` is taken: made unique; no title is close, so shaped like the last leaf
        ("heads-2", "Heads", None, ("summary",), "tools", 21),
        # the enclosing heading has no section: at the end of the tree; shaped like the closest title;
        # one section for two items
        ("attention-head-studies", "Attention Head Studies", None, ("techniques", "evaluation", "summary"),
         "heads", 29),
    ]


def _taxonomy_source(project: Project, text: str) -> None:
    project.taxonomy_file.write_text(text, encoding="utf-8")


def test_new_sections_are_appended_to_the_taxonomy_with_the_entries(mini: Project, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from awesome_catalog.load.pipeline import run_check

    before = mini.taxonomy_file.read_text(encoding="utf-8").replace(
        "sections:\n", "# The sections, hand-ordered.\nsections:  # keep this comment\n")
    _taxonomy_source(mini, before)
    source = tmp_path / "nested.md"
    source.write_text(NESTED, encoding="utf-8")
    assert main(["--root", str(mini.root), "import", str(source), "--new-sections"]) == 0
    out = capsys.readouterr().out
    assert "new section `probing-studies` (Probing Studies) under `results`, columns [summary] as in " \
           "`universality`, for the items from line 7" in out
    assert "new section `heads-2` (Heads) at the end of the tree" in out
    assert "and added 4 new sections to taxonomy.yaml" in out
    after = mini.taxonomy_file.read_text(encoding="utf-8")
    added = ["      - id: probing-studies\n", "        title: Probing Studies\n", "        columns: [summary]\n"]
    assert after.replace("".join(added), "").startswith(before)  # nothing of the file is rewritten
    assert after.endswith("  - id: attention-head-studies\n    title: Attention Head Studies\n"
                          "    columns: [techniques, evaluation, summary]\n")
    catalog = _catalog(mini)
    sections = {e.title: [a.section for a in e.appearances] for e in catalog.entries}
    assert (sections["A probe"], sections["Heads again"], sections["Known"]) == (
        ["probing-studies"], ["attention-head-studies"], ["methods"])
    assert not [d for d in run_check(mini).diagnostics if d.code.startswith("E3")]


def _tree_bytes(project: Project) -> dict[str, bytes]:
    return _tree(project.catalog_dir)


@pytest.mark.parametrize(("setup", "args", "code", "said"), [
    ("flow", [], 2, "cannot add sections to catalog/taxonomy.yaml"),
    ("full-disk", [], 2, "cannot write under catalog: No space left on device"),
    ("", ["--dry-run"], 0, "would be written under catalog, and 4 new sections added to taxonomy.yaml; "
     "nothing was written"),
    ("", ["--into", "elsewhere"], 2, "--new-sections adds to the list's own taxonomy"),
])
def test_new_sections_are_all_or_nothing(mini: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch, setup: str, args: list[str], code: int,
                                         said: str) -> None:
    if setup == "flow":
        _taxonomy_source(mini, "sections: [{id: methods, title: Methods, columns: [summary]}, "
                         "{id: tools, title: Tools, columns: [summary]}]\n")
    if setup == "full-disk":  # the taxonomy, staged last, cannot be written: no entry is written either
        from awesome_catalog.core import writing

        staged = writing._staged

        def full(path: Path, data: bytes, sync: bool = True) -> Any:
            if path.name == "taxonomy.yaml":
                raise OSError(28, "No space left on device")
            return staged(path, data, sync)

        monkeypatch.setattr(writing, "_staged", full)
    source = tmp_path / "nested.md"
    source.write_text(NESTED, encoding="utf-8")
    before = _tree_bytes(mini)
    assert main(["--root", str(mini.root), "import", str(source), "--new-sections", *args]) == code
    captured = capsys.readouterr()
    assert said in captured.out + captured.err
    assert _tree_bytes(mini) == before
    assert not (mini.root / "elsewhere").exists()


NEW = {"id": "new", "title": "New: one #1", "columns": ["summary"]}


@pytest.mark.parametrize(("before", "parent", "after"), [
    # the last section ends with a folded description, blank lines and a comment after it
    ("sections:\n  - id: a\n    title: A\n    description: >-\n      Long\n      text.\n\n# end\n", None,
     "sections:\n  - id: a\n    title: A\n    description: >-\n      Long\n      text.\n"
     "  - id: new\n    title: \"New: one #1\"\n    columns: [summary]\n\n# end\n"),
    # CRLF line endings, no final newline, other indentation: all kept
    ("sections:\r\n- id: a\r\n  title: A\r\n  columns: [summary]", None,
     "sections:\r\n- id: a\r\n  title: A\r\n  columns: [summary]\r\n"
     "- id: new\r\n  title: \"New: one #1\"\r\n  columns: [summary]\r\n"),
    # under a section without children: `children:` is opened at its keys' indentation
    ("sections:\n  - id: a  # a comment\n    title: A\n  - id: b\n    title: B\n", "a",
     "sections:\n  - id: a  # a comment\n    title: A\n    children:\n      - id: new\n"
     "        title: \"New: one #1\"\n        columns: [summary]\n  - id: b\n    title: B\n"),
])
def test_sections_are_added_as_text(before: str, parent: str | None, after: str) -> None:
    from awesome_catalog.formats.taxonomy_yaml import add_sections

    assert add_sections(before, {parent: [NEW]}) == after


@pytest.mark.parametrize(("before", "parent"), [
    ("sections: [{id: a, title: A}]\n", None),
    ("sections:\n  - {id: a, title: A}\n", "a"),
    ("sections:\n  - id: a\n    title: A\n", "missing"),
])
def test_sections_are_never_added_where_the_text_cannot_take_them(before: str, parent: str | None) -> None:
    from awesome_catalog.formats.taxonomy_yaml import add_sections

    with pytest.raises(ValueError):
        add_sections(before, {parent: [NEW]})
