"""``awesome-catalog export``: BibTeX that a real parser reads back, JSON that matches its
schema, CSL-JSON, and refusal to export a broken catalog.

Fixtures: ``mini`` (tests/fixtures/mini), ``hostile`` (mini plus tests/export/hostile:
LaTeX specials, accents, markup and a citation-key collision), and the overlays under
tests/export/broken, each of which breaks the catalog. Golden files under
tests/export/golden are the reviewed exports of ``mini``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares import SeparateCoAuthors
from hypothesis import given
from hypothesis import strategies as st
from pylatexenc.latex2text import (  # type: ignore[import-untyped]
    LatexNodes2Text,
    MacroTextSpec,
    get_default_latex_context_db,
)

from awesome_catalog.cli import main
from awesome_catalog.core.model import Appearance, Catalog, Entry
from awesome_catalog.core.project import Project
from awesome_catalog.formats import bibtex
from awesome_catalog.load.loader import load_catalog
from conftest import REPO, make_project

EXPORT_FIXTURES = Path(__file__).resolve().parent / "export"
GOLDEN = EXPORT_FIXTURES / "golden"
BROKEN_CASES = {"unknown-term": "E302", "missing-key": "E201", "yaml-syntax": "E102"}
FORMATS = ("bibtex", "json", "csl-json")


def overlay_project(dest: Path, *overlays: Path) -> Project:
    """The mini list with the files of each overlay folder copied over it."""
    project = make_project(dest)
    for folder in overlays:
        shutil.copytree(folder, dest, dirs_exist_ok=True)
    return project


def hostile_project(dest: Path) -> Project:
    """mini plus tests/export/hostile."""
    return overlay_project(dest, EXPORT_FIXTURES / "hostile")


@pytest.fixture
def hostile(tmp_path: Path) -> Project:
    return hostile_project(tmp_path / "hostile")


def catalog_of(project: Project) -> Catalog:
    loaded = load_catalog(project)
    assert loaded.catalog is not None and not loaded.diagnostics, loaded.diagnostics
    return loaded.catalog


def run_export(project: Project, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["--root", str(project.root), "export", "--format", fmt]) == 0
    return capsys.readouterr().out


# LaTeX macros the exporter writes that pylatexenc does not know; their meaning is standard LaTeX.
DECODER_MACROS = {"textbraceleft": "{", "textbraceright": "}", "textasciicircum": "^",
                  "textless": "<", "textgreater": ">", "textbar": "|"}


def latex_decoder() -> LatexNodes2Text:
    context = get_default_latex_context_db()
    context.add_context_category("export-test", prepend=True,
                                 macros=[MacroTextSpec(name, text) for name, text in DECODER_MACROS.items()])
    return LatexNodes2Text(latex_context=context)


def parse_bibtex(text: str) -> dict[str, dict[str, Any]]:
    """Citation key -> fields (and ``ENTRYTYPE``), as bibtexparser 2 reads them."""
    library = parse_string(text, append_middleware=[SeparateCoAuthors()])
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    parsed: dict[str, dict[str, Any]] = {}
    for entry in library.entries:
        assert entry.key not in parsed, f"duplicate key {entry.key}"
        parsed[entry.key] = {f.key: f.value for f in entry.fields} | {"ENTRYTYPE": entry.entry_type}
    return parsed


# --- BibTeX -----------------------------------------------------------------------------


@pytest.mark.parametrize("project_name", ["mini", "hostile"])
def test_bibtex_parses_back_to_the_same_titles_years_urls_and_authors(
        project_name: str, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> None:
    project: Project = request.getfixturevalue(project_name)
    catalog = catalog_of(project)
    parsed = parse_bibtex(run_export(project, "bibtex", capsys))
    decode = latex_decoder().latex_to_text
    assert len(parsed) == len(catalog.entries)
    by_title = {decode(fields["title"]): fields for fields in parsed.values()}
    for entry in catalog.entries:
        fields = by_title[entry.title]
        assert fields.get("year") == (str(entry.year) if entry.year else None)
        assert fields["url"].isascii() and unquote(fields["url"]) == unquote(entry.url)
        assert [decode(a) for a in fields.get("author", [])] == list(entry.authors)


def test_hostile_title_survives_every_latex_special(hostile: Project, capsys: pytest.CaptureFixture[str]) -> None:
    text = run_export(hostile, "bibtex", capsys)
    fields = parse_bibtex(text)["muller2021uber"]
    raw_title = fields["title"]
    assert raw_title.count("{") == raw_title.count("}")
    for special in "&%$#_":
        assert f"\\{special}" in raw_title
    assert latex_decoder().latex_to_text(fields["journal"]) == "Journal of R&D_Studies"


@pytest.mark.parametrize(("entry_id", "entry_type", "expected"), [
    ("ioi-circuit", "inproceedings", {"booktitle": "ICLR 2023", "eprint": "2211.00593", "archivePrefix": "arXiv"}),
    ("hostile-latex", "article", {"journal": r"Journal of R\&D\_Studies"}),
    ("induction-heads", "misc", {"howpublished": r"\url{https://transformer-circuits.pub/2022/"
                                                 r"in-context-learning-and-induction-heads/index.html}"}),
    ("logit-lens-post", "misc", {"note": "Blog post"}),
    ("circuitsvis", "misc", {"note": "Software"}),
    ("hostile-markup", "misc", {"note": r'Software, \textless{}b onmouseover="alert(3)"\textgreater{}Venue'
                                        r"\textless{}/b\textgreater{}"}),
])
def test_entry_types_follow_the_kind_and_venue(hostile: Project, capsys: pytest.CaptureFixture[str],
                                               entry_id: str, entry_type: str, expected: dict[str, str]) -> None:
    catalog = catalog_of(hostile)
    key = bibtex.citation_keys(catalog.entries)[entry_id]
    fields = parse_bibtex(run_export(hostile, "bibtex", capsys))[key]
    assert fields["ENTRYTYPE"] == entry_type
    assert {name: fields.get(name) for name in expected} == expected


def _entry(title: str, authors: tuple[str, ...] = (), year: int | None = 2022, entry_id: str = "x") -> Entry:
    return Entry(id=entry_id, path="catalog/papers/x.yaml", kind="paper", title=title, url="https://example.org/",
                 appearances=(Appearance("methods", "summary"),), year=year, authors=authors)


@pytest.mark.parametrize(("title", "authors", "year", "key"), [
    ("Interpretability in the Wild", ("Kevin Wang", "Arthur Conmy"), 2022, "wang2022interpretability"),
    ("On the Biology of a Large Language Model", (), 2025, "biology2025large"),
    ("Towards Monosemanticity", ("Trenton Bricken",), 2023, "bricken2023monosemanticity"),
    ("Über die Circuits", ("Jürgen Müller",), 2021, "muller2021uber"),
    ("GPT-2's Heads", ("Ludwig Straße",), None, "strassegpt2s"),
    ("The", ("Plato",), 2000, "plato2000the"),
    ("CircuitsVis", (), None, "circuitsvis"),
])
def test_citation_key_rule(title: str, authors: tuple[str, ...], year: int | None, key: str) -> None:
    assert bibtex.base_key(_entry(title, authors, year)) == key


def test_colliding_keys_get_suffixes_in_id_order() -> None:
    entries = [_entry("Circuits", ("Ann Lee",), 2020, entry_id=i) for i in ("c-work", "a-work", "b-work")]
    assert bibtex.citation_keys(entries) == {"a-work": "lee2020circuits", "b-work": "lee2020circuitsb",
                                             "c-work": "lee2020circuitsc"}


def test_hostile_collision_is_suffixed(hostile: Project) -> None:
    keys = bibtex.citation_keys(catalog_of(hostile).entries)
    assert (keys["hostile-latex"], keys["hostile-same-key"]) == ("muller2021uber", "muller2021uberb")
    assert len(set(keys.values())) == len(keys)


_TEXT = st.text(st.sampled_from(list("aZ09 .,:;!?()[]/&%$#_{}~^\\<>|\"üéñçøßÅłΩ")), min_size=1, max_size=40)


@given(_TEXT)
def test_escaped_text_keeps_braces_balanced_and_decodes_back(text: str) -> None:
    escaped = bibtex.escape(text)
    depth = 0
    for char in escaped:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    assert latex_decoder().latex_to_text(escaped) == text


def test_bibtex_matches_the_reviewed_golden_file(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_export(mini, "bibtex", capsys) == (GOLDEN / "mini.bib").read_text(encoding="utf-8")


# --- JSON -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def export_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((REPO / "schema" / "export.schema.json").read_text(encoding="utf-8"))
    return schema


@pytest.mark.parametrize("project_name", ["mini", "hostile", "shipped"])
def test_json_export_validates_against_its_schema(project_name: str, request: pytest.FixtureRequest,
                                                  export_schema: dict[str, Any],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    project = Project(REPO) if project_name == "shipped" else request.getfixturevalue(project_name)
    document = json.loads(run_export(project, "json", capsys))
    jsonschema.Draft202012Validator(export_schema).validate(document)
    assert [w["id"] for w in document["works"]] == sorted(e.id for e in catalog_of(project).entries)


def test_json_resolves_labels_and_keeps_absent_columns_apart(mini: Project,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads(run_export(mini, "json", capsys))
    works = {w["id"]: w for w in document["works"]}
    heads, universality = works["induction-heads"]["appearances"]
    assert heads["section_title"] == "Attention Heads"
    assert heads["techniques"] == [{"id": "visualization", "label": "Visualization", "detail": None}]
    assert universality["techniques"] is None and universality["evaluation"] is None
    assert works["ioi-circuit"]["appearances"][0]["evaluation"][1] == {
        "id": "extrinsic", "label": "Extrinsic", "detail": "adversarial examples"}
    assert works["ioi-circuit"]["links"] == {"openreview": "https://openreview.net/forum?id=NpsVSN6o4ul"}
    assert works["circuitsvis"]["kind"] == "tool" and works["circuitsvis"]["year"] is None
    assert [(s["id"], s["parent"], s["depth"]) for s in document["taxonomy"]] == [
        ("methods", None, 0), ("results", None, 0), ("heads", "results", 1),
        ("universality", "results", 1), ("tools", None, 0)]
    assert [t["id"] for t in document["vocabulary"]["evaluation"]] == ["faithfulness", "extrinsic"]


# --- CSL-JSON ---------------------------------------------------------------------------


def test_csl_items_match_the_reviewed_golden_file(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_export(mini, "csl-json", capsys) == (GOLDEN / "mini.csl.json").read_text(encoding="utf-8")


def test_csl_uses_bibtex_keys_types_and_split_names(hostile: Project, capsys: pytest.CaptureFixture[str]) -> None:
    items = {i["id"]: i for i in json.loads(run_export(hostile, "csl-json", capsys))}
    assert set(items) == set(parse_bibtex(run_export(hostile, "bibtex", capsys)))
    work = items["muller2021uber"]
    assert work["type"] == "article-journal"
    assert work["author"] == [{"given": "Jürgen", "family": "Müller"},
                              {"given": "Zoë", "family": "Łukasiewicz-Ørsted"}, {"literal": "Plato"}]
    assert work["issued"] == {"date-parts": [[2021]]}
    assert work["title"].startswith('Über "Quoted" Circuits')
    assert items["interpretability2022wild"]["type"] == "paper-conference"
    assert items["interpreting2020gpt"]["type"] == "post-weblog"
    assert items["circuitsvis"]["type"] == "software"


# --- command line -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_file_equals_stdout_and_is_deterministic(mini: Project, tmp_path: Path, fmt: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / f"out.{fmt}"
    assert main(["--root", str(mini.root), "export", "--format", fmt, "-o", str(out)]) == 0
    assert capsys.readouterr().out == ""
    elsewhere = make_project(tmp_path / "another" / "place")
    assert out.read_bytes() == run_export(mini, fmt, capsys).encode() == run_export(elsewhere, fmt, capsys).encode()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("case", "code"), BROKEN_CASES.items())
def test_broken_catalog_is_refused_and_nothing_is_written(tmp_path: Path, case: str, code: str, fmt: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    project = overlay_project(tmp_path / "list", EXPORT_FIXTURES / "broken" / case)
    out = tmp_path / "out"
    out.write_text("kept\n", encoding="utf-8")
    assert main(["--root", str(project.root), "export", "--format", fmt, "-o", str(out)]) == 1
    captured = capsys.readouterr()
    assert f" {code} " in captured.err and "nothing was written" in captured.err
    assert captured.out == ""
    assert out.read_text(encoding="utf-8") == "kept\n"


def test_unwritable_output_is_a_one_line_error(mini: Project, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "missing-folder" / "catalog.bib"
    assert main(["--root", str(mini.root), "export", "--format", "bibtex", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("awesome-catalog: error: cannot write") and err.count("\n") == 1



AUTHOR_NAMES = [
    "Research and Development Team", "Testing AND Evaluation Group", "Research\tand Development",
    "and", "Team And", "And Co", "others", "Others", "Google, Inc.", "Smith, Jr., John",
    "Anderson Andrews", "Sandy Landers", "{Braced} Name", "Name with } brace", "Ørsted and Sons", "Plato",
]


@pytest.mark.parametrize("name", AUTHOR_NAMES)
def test_every_author_stays_one_author_as_written(name: str) -> None:
    from awesome_catalog.core.model import Entry
    from awesome_catalog.formats.bibtex import render_entry

    authors = ["Ada Lovelace", name, "Alan Turing"]
    entry = Entry.from_data("work", "catalog/papers/work.yaml", "papers", {
        "title": "A Work", "url": "https://example.org/work", "year": 2024, "authors": authors,
        "sections": [{"section": "heads", "summary": "A summary that is long enough to be valid."}]})
    fields = parse_bibtex(render_entry("key2024work", entry))["key2024work"]
    decode = latex_decoder().latex_to_text
    assert [decode(a) for a in fields["author"]] == authors
