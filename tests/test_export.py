"""``awesome-catalog export``: BibTeX that a real parser reads back, JSON that matches its
schema, CSL-JSON, and refusal to export a broken catalog.

Fixtures: ``mini`` (tests/fixtures/mini), ``hostile`` (mini plus tests/export/hostile:
LaTeX specials, accents, markup, and two works with the same first author, year and
title word), the shipped catalog, and the overlays under tests/export/broken, each of
which breaks the catalog. Golden files under tests/export/golden are the reviewed
exports of ``mini``.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares import SeparateCoAuthors
from hypothesis import given, settings
from hypothesis import strategies as st
from pylatexenc.latex2text import (  # type: ignore[import-untyped]
    LatexNodes2Text,
    MacroTextSpec,
    get_default_latex_context_db,
)

from awesome_catalog.cli import main
from awesome_catalog.core.model import Appearance, Catalog, Entry, Taxonomy, Vocabulary
from awesome_catalog.core.project import Project
from awesome_catalog.formats import bibtex, export
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
        year = bibtex.citation_year(entry)
        assert fields.get("year") == (str(year) if year else None)
        assert fields["url"].isascii() and unquote(fields["url"]) == unquote(entry.url)
        assert [decode(a) for a in fields.get("author", [])] == list(entry.authors)


def test_hostile_title_survives_every_latex_special(hostile: Project, capsys: pytest.CaptureFixture[str]) -> None:
    text = run_export(hostile, "bibtex", capsys)
    fields = parse_bibtex(text)["hostile-latex"]
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
    ("hostile-markup", "inproceedings", {"booktitle": r'\textless{}b onmouseover="alert(3)"\textgreater{}Venue'
                                                      r"\textless{}/b\textgreater{}"}),
])
def test_entry_types_follow_the_kind_and_venue(hostile: Project, capsys: pytest.CaptureFixture[str],
                                               entry_id: str, entry_type: str, expected: dict[str, str]) -> None:
    fields = parse_bibtex(run_export(hostile, "bibtex", capsys))[entry_id]
    assert fields["ENTRYTYPE"] == entry_type
    assert {name: fields.get(name) for name in expected} == expected


def _entry(entry_id: str = "x", kind: str = "paper", venue: str | None = None, year: int | None = 2022,
           arxiv: str | None = None, title: str = "A Work", authors: tuple[str, ...] = ("Ann Lee",)) -> Entry:
    folder = "tools" if kind == "tool" else "papers"
    return Entry(id=entry_id, path=f"catalog/{folder}/{entry_id}.yaml", kind=kind, title=title,
                 url=f"https://example.org/{entry_id}", appearances=(Appearance("methods", "summary"),), year=year,
                 venue=venue, arxiv=arxiv, authors=authors)


# kind, venue, catalog year, arXiv id -> BibTeX entry type, its year, CSL type
@pytest.mark.parametrize(("kind", "venue", "year", "arxiv", "entry_type", "cited_year", "csl_type"), [
    ("paper", "ICLR 2025", 2024, "2407.00001", "inproceedings", 2025, "paper-conference"),
    ("paper", "NeurIPS 2023", 2023, None, "inproceedings", 2023, "paper-conference"),
    ("paper", "Findings of ACL 2024", 2023, None, "inproceedings", 2024, "paper-conference"),
    ("paper", "TMLR 2025", 2024, None, "article", 2025, "article-journal"),
    ("paper", "Transformer Circuits Thread", 2022, None, "article", 2022, "article-journal"),  # no year in venue
    ("paper", "BlackboxNLP", None, None, "inproceedings", None, "paper-conference"),  # no year anywhere
    ("paper", None, 2022, "2211.00593", "misc", 2022, "article"),  # preprint: first public version
    ("paper", None, 2021, None, "misc", 2021, "article"),
    ("report", "Transformer Circuits Thread", 2023, None, "article", 2023, "article-journal"),
    ("report", None, 2023, None, "misc", 2023, "report"),
    ("blog", "Transformer Circuits Thread", 2024, None, "misc", 2024, "post-weblog"),  # a blog post stays @misc
    ("tool", "ICLR 2025", 2024, "2407.14561", "inproceedings", 2025, "paper-conference"),  # a tool with its paper
    ("tool", None, 2024, "2407.14561", "misc", 2024, "article"),  # a tool with its preprint
    ("tool", None, 2026, None, "misc", 2026, "software"),  # a tool alone: its release year
])
def test_published_works_take_their_venue_year(kind: str, venue: str | None, year: int | None,
                                               arxiv: str | None, entry_type: str, cited_year: int | None,
                                               csl_type: str) -> None:
    entry = _entry(kind=kind, venue=venue, year=year, arxiv=arxiv)
    catalog = Catalog(Taxonomy(()), Vocabulary(), (entry,))
    fields = parse_bibtex(bibtex.render(catalog))["x"]
    assert fields["ENTRYTYPE"] == entry_type
    assert fields.get("year") == (str(cited_year) if cited_year else None)
    assert ("eprint" in fields) == (arxiv is not None)
    [item] = export.csl_items(catalog)
    assert item["type"] == csl_type
    assert item.get("issued") == ({"date-parts": [[cited_year]]} if cited_year else None)


def test_works_with_one_natural_key_keep_their_own_ids(hostile: Project, capsys: pytest.CaptureFixture[str]) -> None:
    parsed = parse_bibtex(run_export(hostile, "bibtex", capsys))
    ids = {e.id for e in catalog_of(hostile).entries}
    assert set(parsed) == ids
    assert parsed["hostile-latex"]["author"][0] == parsed["hostile-same-key"]["author"][0]


_ID = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,3}", fullmatch=True)


@functools.cache
def _shipped() -> Catalog:
    return catalog_of(Project(REPO))


def _blocks(text: str) -> dict[str, str]:
    """Citation key -> its whole ``@type{key, ...}`` block."""
    return {m.group(1): m.group(0) for m in re.finditer(r"^@\w+\{([^,\n]+),\n.*?^\}\n", text, re.M | re.S)}


@st.composite
def _new_works(draw: st.DrawFn) -> Entry:
    """A work to add to the shipped catalog: a fresh id, and otherwise often the same
    title, authors, year or venue as a work already there, so that the natural keys of
    the two collide."""
    shipped = _shipped().entries
    taken = {e.id for e in shipped}
    twin = draw(st.sampled_from(shipped))
    return _entry(
        entry_id=draw(_ID.filter(lambda i: i not in taken)),
        kind=draw(st.sampled_from(["paper", "report", "blog", "tool"])),
        venue=draw(st.sampled_from([None, twin.venue, "ICLR 2025"])),
        year=draw(st.sampled_from([None, twin.year, 2024])),
        arxiv=draw(st.none() | st.just("2401.00001")),
        title=draw(st.sampled_from([twin.title, "Circuits"])),
        authors=draw(st.sampled_from([twin.authors, ("Ann Lee",), ()])),
    )


@settings(max_examples=60, deadline=None)
@given(_new_works())
def test_adding_a_work_never_changes_another_works_key_or_citation(new: Entry) -> None:
    before = _shipped()
    after = Catalog(before.taxonomy, before.vocabulary, (*before.entries, new))
    old, grown = _blocks(bibtex.render(before)), _blocks(bibtex.render(after))
    assert len(old) == len(before.entries) and len(grown) == len(old) + 1
    assert {key: grown[key] for key in old} == old
    old_ids = [i["id"] for i in export.csl_items(before)]
    assert [i["id"] for i in export.csl_items(after) if i["id"] != new.id] == old_ids


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


# --- the shipped catalog ---------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped_bibtex() -> dict[str, dict[str, Any]]:
    return parse_bibtex(bibtex.render(_shipped()))


def test_no_published_work_cites_a_year_other_than_its_venues(shipped_bibtex: dict[str, dict[str, Any]]) -> None:
    decode = latex_decoder().latex_to_text
    published = {k: f for k, f in shipped_bibtex.items() if f["ENTRYTYPE"] in ("article", "inproceedings")}
    assert len(published) > 50
    for key, fields in published.items():
        venue = decode(fields.get("journal") or fields["booktitle"])
        years = re.findall(r"\b(?:19|20)[0-9]{2}\b", venue)
        if years:
            assert fields["year"] == years[-1], f"{key}: {venue} but year {fields['year']}"


def test_transformer_circuits_thread_works_all_export_as_articles(
        shipped_bibtex: dict[str, dict[str, Any]]) -> None:
    thread = [e for e in _shipped().entries if e.url.startswith("https://transformer-circuits.pub/")]
    assert len(thread) >= 10
    for entry in thread:
        fields = shipped_bibtex[entry.id]
        assert entry.venue == "Transformer Circuits Thread" and entry.kind in ("paper", "report"), entry.id
        assert (fields["ENTRYTYPE"], fields["journal"]) == ("article", "Transformer Circuits Thread"), entry.id
        assert fields["year"] == str(entry.year) and fields["author"], entry.id


def test_nnsight_is_cited_as_its_paper(shipped_bibtex: dict[str, dict[str, Any]]) -> None:
    fields = shipped_bibtex["nnsight"]
    assert fields["ENTRYTYPE"] == "inproceedings"
    assert {k: fields[k] for k in ("booktitle", "year", "eprint")} == {
        "booktitle": "ICLR 2025", "year": "2025", "eprint": "2407.14561"}
    assert fields["title"] == "{NNsight and NDIF: Democratizing Access to Open-Weight Foundation Model Internals}"
    assert fields["author"][0] == "Jaden Fiotto-Kaufman" and fields["author"][-1] == "David Bau"


def test_at_least_95_percent_of_papers_name_their_authors() -> None:
    papers = [e for e in _shipped().entries if e.kind == "paper"]
    assert len(papers) > 100
    assert sum(bool(e.authors) for e in papers) >= 0.95 * len(papers)


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
    assert heads["tags"]["techniques"] == [{"id": "visualization", "label": "Visualization", "detail": None}]
    assert universality["tags"] == {}  # a section that shows no tag set
    assert [s["id"] for s in document["tag_sets"]] == ["techniques", "evaluation"]
    assert works["ioi-circuit"]["appearances"][0]["tags"]["evaluation"][1] == {
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
    work = items["hostile-latex"]
    assert work["type"] == "article-journal"
    assert work["author"] == [{"given": "Jürgen", "family": "Müller"},
                              {"given": "Zoë", "family": "Łukasiewicz-Ørsted"}, {"literal": "Plato"}]
    assert work["issued"] == {"date-parts": [[2021]]}
    assert work["title"].startswith('Über "Quoted" Circuits')
    assert items["ioi-circuit"]["type"] == "paper-conference"
    assert items["ioi-circuit"]["issued"] == {"date-parts": [[2023]]}  # ICLR 2023, first posted in 2022
    assert items["logit-lens-post"]["type"] == "post-weblog"
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
