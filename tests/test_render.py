"""The generated Markdown: escaping, tables, order of rows, headings, figures, diagram."""

from __future__ import annotations

import difflib
import re
from typing import Any

import pytest

from awesome_catalog.core.model import (
    Appearance,
    Catalog,
    Entry,
    Section,
    Settings,
    TagSet,
    Taxonomy,
    Term,
    TermRef,
    Vocabulary,
)
from awesome_catalog.core.project import Project
from awesome_catalog.load.loader import load_catalog
from awesome_catalog.markdown.slug import parse, plain_text, walk
from awesome_catalog.readme import render

SECTION = Section("heads", "Attention Heads", 0, ("techniques", "evaluation", "summary"))
SETTINGS = Settings(tag_sets=(TagSet("techniques", "Techniques"), TagSet("evaluation", "Evaluation")))
VOCABULARY = Vocabulary({
    "techniques": (Term("activation-patching", "Activation Patching"), Term("logit-lens", "Logit Lens")),
    "evaluation": (Term("extrinsic", "Extrinsic"),),
})


def entry(title: str = "A Paper", summary: str = "What it found, in our words.", *, year: int | None = 2023,
          url: str = "https://example.org/paper", kind: str = "paper", entry_id: str = "a-paper",
          techniques: tuple[TermRef, ...] | None = (), evaluation: tuple[TermRef, ...] | None = ()) -> Entry:
    tags = {k: v for k, v in (("techniques", techniques), ("evaluation", evaluation)) if v is not None}
    appearance = Appearance(SECTION.id, summary, tags)
    return Entry(entry_id, f"catalog/papers/{entry_id}.yaml", kind, title, url, (appearance,), year=year)


def catalog(*entries: Entry, sections: tuple[Section, ...] = (SECTION,)) -> Catalog:
    return Catalog(Taxonomy(sections), VOCABULARY, entries, SETTINGS)


def _table(*entries: Entry) -> list[str]:
    """The table of SECTION holding ``entries``."""
    listing = render.Listing.of(catalog(*entries))
    return render.table(SECTION, sorted((r for p in listing.parts for r in p.rows), key=lambda r: r.key), SETTINGS)


def body_rows(markdown: str) -> list[dict[str, Any]]:
    """The body rows of the one table in ``markdown``, as mistune parses it."""
    tables = [n for n in walk(parse(markdown)) if n["type"] == "table"]
    assert len(tables) == 1
    body = next(c for c in tables[0]["children"] if c["type"] == "table_body")
    rows: list[dict[str, Any]] = body["children"]
    return rows


def one_row(item: Entry) -> list[dict[str, Any]]:
    rows = body_rows("\n".join(_table(item)))
    assert len(rows) == 1
    cells: list[dict[str, Any]] = rows[0]["children"]
    return cells


HOSTILE = [
    "pipes | in | text",
    "a line\nbreak and\r\nanother",
    "<script>alert(1)</script> and <b>bold</b>",
    "an image ![x](https://example.org/y.png) here",
    "a link [a](https://example.org/b) here, and [ref][1]",
    "*emphasis* _under_ `code` ~~strike~~ **strong**",
    "bare https://example.org/x and www.example.org and me@example.org",
    "math $x^2$, emoji :smile:, entity &amp; and a backslash \\ at the end \\",
    "#1 and trailing ] ) \\| |",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_no_title_or_summary_breaks_the_table(text: str) -> None:
    cells = one_row(entry(title=text, summary=text))
    assert len(cells) == 1 + len(SECTION.columns)
    nodes = list(walk(cells))
    links = [n for n in nodes if n["type"] == "link"]
    assert [n["attrs"]["url"] for n in links] == ["https://example.org/paper"]
    assert not [n for n in nodes if n["type"] in ("image", "inline_html", "codespan", "emphasis", "strong")]
    flat = " ".join(text.replace("\r\n", "\n").split("\n"))
    assert plain_text(links[0]["children"]) == flat
    assert plain_text(cells[-1]["children"]) == flat


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        ("https://en.wikipedia.org/wiki/Circuit_(computer_science)", "https://en.wikipedia.org/wiki/Circuit_%28computer_science%29"),
        ("https://example.org/a|b<c>", "https://example.org/a%7Cb%3Cc%3E"),
        ("https://example.org/a b", "https://example.org/a%20b"),
    ],
)
def test_urls_cannot_end_the_link_or_the_cell(raw: str, encoded: str) -> None:
    cells = one_row(entry(url=raw))
    assert len(cells) == 1 + len(SECTION.columns)
    links = [n for n in walk(cells) if n["type"] == "link"]
    assert [n["attrs"]["url"] for n in links] == [encoded]


def test_work_cell_shows_venue_else_year_then_other_links() -> None:
    plain = entry(year=2021)
    assert render.work_cell(plain) == "[A Paper](https://example.org/paper) (2021)"
    rich = Entry("b", "catalog/papers/b.yaml", "paper", "B", "https://example.org/b", plain.appearances, year=2022,
                 venue="ICLR 2023", links={"code": "https://example.org/code", "pdf": "https://example.org/pdf"})
    assert render.work_cell(rich) == ("[B](https://example.org/b) (ICLR 2023) · [pdf](https://example.org/pdf)"
                                      " · [code](https://example.org/code)")
    assert render.work_cell(entry(year=None)) == "[A Paper](https://example.org/paper)"


def test_term_cells_use_the_vocabulary_labels_and_a_dash_when_empty() -> None:
    item = entry(techniques=(TermRef("logit-lens"), TermRef("activation-patching", "on heads")),
                 evaluation=())
    cells = one_row(item)
    assert plain_text(cells[1]["children"]) == "Logit Lens, Activation Patching (on heads)"
    assert plain_text(cells[2]["children"]) == "—"


def test_first_column_is_tool_when_most_rows_are_tools() -> None:
    tool = entry(kind="tool", entry_id="t1", year=None)
    paper = entry(entry_id="p1")
    assert _table(tool)[0].startswith("| Tool ")
    assert _table(tool, paper)[0].startswith("| Work ")


def test_adding_an_entry_inserts_its_row_and_moves_no_other() -> None:
    entries = [entry(f"Title {n}", f"Summary number {n} of the list.", year=2020 + n % 3, entry_id=f"e{n}")
               for n in range(8)]
    anchors = {render.TOC_KEY: "contents", SECTION.id: "heads"}
    before = render.sections(render.Listing.of(catalog(*entries[:7])), anchors)
    after = render.sections(render.Listing.of(catalog(*entries)), anchors)
    old, new = before.splitlines(), after.splitlines()
    changes = [op for op in difflib.SequenceMatcher(None, old, new).get_opcodes() if op[0] != "equal"]
    # the two lines of figures change; the new row (no wider than the others) is inserted, nothing else moves
    figures, row = changes
    assert figures[0] == "replace" and "8 works" in new[figures[3]] and "2021: 3" in new[figures[3] + 1]
    assert row[0] == "insert" and row[4] - row[3] == 1 and "Title 7" in new[row[3]]


@pytest.mark.parametrize(("title", "width"), [
    ("plain", 5), ("Résumé", 6), ("漢字", 2), ("emoji 😀", 8), ("flag 🇫🇷", 9),
], ids=["ascii", "accents", "cjk", "astral-emoji", "flag"])
def test_pipes_align_as_awesome_lint_measures_width(title: str, width: int) -> None:
    # remark measures cells in UTF-16 code units, not terminal columns: so does the renderer.
    assert render.width(title) == width
    lines = _table(entry(title, entry_id="a"), entry("A much longer title than the other one", entry_id="b"))
    assert len({_pipe_offsets(line) for line in lines}) == 1, lines


def _pipe_offsets(line: str) -> tuple[int, ...]:
    """Where the pipes of a table line are, in UTF-16 code units."""
    offsets, at = [], 0
    for char in line:
        if char == "|":
            offsets.append(at)
        at += 2 if ord(char) > 0xFFFF else 1
    return tuple(offsets)


def test_headings_follow_the_nesting() -> None:
    deep = Section("s6", "Six", 6)
    for depth, name in reversed(list(enumerate(["s0", "s1", "s2", "s3", "s4", "s5"]))):
        deep = Section(name, name.upper(), depth, children=(deep,))
    levels = [h.level for h in render.headings(catalog(sections=(deep,)), "sections")]
    assert levels == [2, 3, 4, 5, 6, 6, 6]


@pytest.mark.parametrize("text", ["- a list?", "+ plus", "1. numbered", "12) also", "= setext?", "> quote?"])
def test_descriptions_stay_one_paragraph(text: str) -> None:
    nodes = parse(render.paragraph(text))
    assert [n["type"] for n in nodes] == ["paragraph"]
    assert plain_text(nodes[0]["children"]) == text


@pytest.mark.parametrize("title", ['A "quoted" title', "Hash #1 & <b>tags</b>", "back`ticks` ```fence", "line\nbreak"])
def test_mermaid_labels_are_quoted_and_read_back(title: str) -> None:
    label = render.mermaid_label(title)
    inner = label[1:-1]
    assert label[0] == label[-1] == '"'
    assert not set(inner) & set('"<>`&')
    decoded = re.sub(r"#(\d+);", lambda m: chr(int(m[1])), inner)
    assert decoded == title.replace("\n", " ")


def test_taxonomy_diagram_has_every_section_and_edge() -> None:
    child = Section("findings-on-circuits", "Findings on Circuits", 1, ("summary",))
    parent = Section("findings", "Findings", 0, children=(child,))
    diagram = render.taxonomy(catalog(sections=(parent, SECTION)))
    assert diagram.count("```") == 2
    assert '["Findings on Circuits"]' in diagram
    assert "sec_findings --> sec_findings_on_circuits" in diagram
    assert "-->" not in diagram.replace("sec_findings --> sec_findings_on_circuits", "")


def test_figures_count_works_appearances_tools_and_sections(mini: Project) -> None:
    loaded = load_catalog(mini)
    assert loaded.catalog is not None
    assert render.figures(render.Listing.of(loaded.catalog)) == "3 works · 5 appearances · 1 tool · 5 sections"
    assert render.figures(render.Listing.of(catalog(entry()))) == "1 work · 1 appearance · 0 tools · 1 section"


def test_growth_counts_works_per_year_without_tools(mini: Project) -> None:
    loaded = load_catalog(mini)
    assert loaded.catalog is not None
    assert render.growth(render.Listing.of(loaded.catalog)) == "Works per year: 2020: 1 · 2022: 2"
    assert render.growth(render.Listing.of(catalog(entry(year=None)))) is None
