"""``awesome-catalog site``: the static page as HTML, read without a browser.

The page must list every work with its facts even without JavaScript, escape every
catalog text, load nothing from elsewhere, label every control, and be the same bytes
for the same catalog. tests/test_browser.py drives the page in Chromium.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from awesome_catalog.cli import main
from awesome_catalog.core.project import Project
from conftest import make_project
from test_export import BROKEN_CASES, EXPORT_FIXTURES, catalog_of, hostile_project, overlay_project

PAGE_FILES = ["index.html", "site.css", "site.js"]


class Page(HTMLParser):
    """The parts of index.html the tests look at."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.texts: dict[str, str] = {}  # element id -> its text
        self.options: dict[str, list[list[str]]] = {}  # select id -> [value, text] of each option
        self.data_json = ""
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if tag == "option":
            self.options.setdefault(self.stack[-1][1]["id"], []).append([attributes["value"], ""])
        if tag not in ("meta", "link", "input", "br", "img"):
            self.stack.append((tag, attributes))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        for _, attributes in self.stack:
            if "id" in attributes:
                self.texts[attributes["id"]] = self.texts.get(attributes["id"], "") + data
        if self.stack and self.stack[-1][1].get("id") == "catalog-data":
            self.data_json += data
        if self.stack and self.stack[-1][0] == "option":
            select = self.stack[-2][1]["id"]
            self.options[select][-1][1] += data

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if "id" in a}


def build(project: Project, out: Path) -> int:
    return main(["--root", str(project.root), "site", "-o", str(out)])


@pytest.fixture
def mini_page(mini: Project, tmp_path: Path) -> Path:
    out = tmp_path / "page"
    assert build(mini, out) == 0
    return out


@pytest.fixture
def hostile_page(tmp_path: Path) -> tuple[Project, Path]:
    project = hostile_project(tmp_path / "hostile")
    out = tmp_path / "page"
    assert build(project, out) == 0
    return project, out


def read_page(out: Path) -> tuple[str, Page]:
    text = (out / "index.html").read_text(encoding="utf-8")
    return text, Page(text)


def test_page_lists_every_work_with_its_facts_without_javascript(mini: Project, mini_page: Path) -> None:
    assert sorted(p.name for p in mini_page.iterdir()) == PAGE_FILES
    _, page = read_page(mini_page)
    catalog = catalog_of(mini)
    for entry in catalog.entries:
        item = page.texts[f"work-{entry.id}"]
        assert entry.title in item
        assert all(a.summary in item for a in entry.appearances)
        assert entry.venue is None or entry.venue in item
        assert entry.year is None or str(entry.year) in item
    ioi = page.texts["work-ioi-circuit"]
    for label in ("Activation Patching", "Faithfulness", "Extrinsic (adversarial examples)", "OpenReview",
                  "Results \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} Attention Heads"):
        assert label in ioi
    assert page.texts["count"] == "4 of 4 works"


def test_works_are_newest_first(mini_page: Path) -> None:
    _, page = read_page(mini_page)
    order = [a["id"] for tag, a in page.tags if tag == "li" and a.get("class") == "work"]
    assert order == ["work-induction-heads", "work-ioi-circuit", "work-logit-lens-post", "work-circuitsvis"]


def test_filters_offer_only_what_is_used_with_counts(mini_page: Path) -> None:
    _, page = read_page(mini_page)
    assert page.options["f-techniques"] == [
        ["", "Any techniques"], ["activation-patching", "Activation Patching (1)"], ["logit-lens", "Logit Lens (1)"],
        ["visualization", "Visualization (1)"]]
    assert page.options["f-evaluation"] == [["", "Any evaluation"], ["extrinsic", "Extrinsic (1)"],
                                            ["faithfulness", "Faithfulness (2)"]]
    assert page.options["f-from"] == page.options["f-to"] == [["", "any"], ["2022", "2022"], ["2020", "2020"]]
    indent = "\u00a0\u00a0"
    assert page.options["f-section"] == [
        ["", "All sections"], ["methods", "Methods (1)"], ["results", "Results (2)"],
        ["heads", f"{indent}Attention Heads (2)"], ["universality", f"{indent}Universality (1)"],
        ["tools", "Tools (1)"]]


def test_every_control_has_a_label(mini_page: Path) -> None:
    _, page = read_page(mini_page)
    labelled = {a["for"] for tag, a in page.tags if tag == "label"}
    controls = {a["id"] for tag, a in page.tags if tag in ("input", "select")}
    assert controls == {"f-q", "f-section", "f-techniques", "f-evaluation", "f-from", "f-to"}
    assert controls <= labelled
    live = [a for tag, a in page.tags if a.get("id") == "count"]
    assert live and live[0]["aria-live"] == "polite"


def test_page_loads_nothing_from_elsewhere(mini_page: Path) -> None:
    _, page = read_page(mini_page)
    resources = [a.get("src") or a.get("href") or "" for tag, a in page.tags if tag in ("script", "link")]
    resources = [r for r in resources if r]
    assert sorted(r.split("?")[0] for r in resources) == ["data:,", "site.css", "site.js"]
    css = (mini_page / "site.css").read_text(encoding="utf-8")
    assert not re.search(r"url\(|@import", css)
    csp = next(a["content"] for tag, a in page.tags if a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "script-src 'self'" in csp


def test_hostile_text_is_escaped_in_the_markup_and_the_data(hostile_page: tuple[Project, Path]) -> None:
    project, out = hostile_page
    text, page = read_page(out)
    tool = next(e for e in catalog_of(project).entries if e.id == "hostile-markup")
    assert "<script>window" not in text and "<img" not in text and "<b " not in text
    assert tool.title in page.texts["title-hostile-markup"]  # shown as the very text of the catalog
    data = text.split('id="catalog-data">', 1)[1].split("</script>", 1)[0]
    assert not set("<>&") & set(data)
    works = {w["id"]: w for w in json.loads(page.data_json)["works"]}
    assert works["hostile-markup"]["text"].startswith(tool.title)
    assert tool.appearances[0].summary in works["hostile-markup"]["text"]


def test_index_lists_sections_with_their_ancestors(mini_page: Path) -> None:
    _, page = read_page(mini_page)
    works = {w["id"]: w for w in json.loads(page.data_json)["works"]}
    assert works["induction-heads"]["sections"] == ["heads", "results", "universality"]
    assert works["ioi-circuit"]["tags"] == {"techniques": ["activation-patching"],
                                            "evaluation": ["extrinsic", "faithfulness"]}
    assert works["circuitsvis"]["year"] is None


def test_page_is_deterministic(mini: Project, mini_page: Path, tmp_path: Path) -> None:
    elsewhere = make_project(tmp_path / "a" / "different" / "checkout")
    again = tmp_path / "again"
    assert build(elsewhere, again) == 0
    for name in PAGE_FILES:
        assert (mini_page / name).read_bytes() == (again / name).read_bytes(), name
    assert str(tmp_path) not in (again / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("readme", "title"), [
    ("# Awesome <Things> & Co\n\nText.\n", "Awesome &lt;Things&gt; &amp; Co"),
    ("No heading here\n", "Catalog"),
    (None, "Catalog"),
])
def test_title_comes_from_the_readme_heading(mini: Project, tmp_path: Path, readme: str | None, title: str) -> None:
    mini.readme.unlink(missing_ok=True)
    if readme is not None:
        mini.readme.write_text(readme, encoding="utf-8")
    assert build(mini, tmp_path / "page") == 0
    text = (tmp_path / "page" / "index.html").read_text(encoding="utf-8")
    assert f"<title>{title}</title>" in text and f"<h1>{title}</h1>" in text


@pytest.mark.parametrize("case", sorted(BROKEN_CASES))
def test_broken_catalog_writes_no_page(tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]) -> None:
    project = overlay_project(tmp_path / "list", EXPORT_FIXTURES / "broken" / case)
    out = tmp_path / "page"
    assert build(project, out) == 1
    assert BROKEN_CASES[case] in capsys.readouterr().err
    assert not out.exists()


def test_output_that_is_a_file_is_a_one_line_error(mini: Project, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "page"
    out.write_text("a file\n", encoding="utf-8")
    assert build(mini, out) == 2
    err = capsys.readouterr().err
    assert err.startswith("awesome-catalog: error: cannot write the page") and err.count("\n") == 1
    assert out.read_text(encoding="utf-8") == "a file\n"
