"""Properties that must hold for any valid catalog (hypothesis).

For any valid catalog: the generated README checks clean; generating twice gives the
same bytes; and importing the generated README recovers the same works, appearances,
terms and summaries, so the generator and the importer agree.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awesome_catalog.cli import main
from awesome_catalog.core.model import Entry
from awesome_catalog.core.project import Project
from awesome_catalog.load.loader import load_catalog
from awesome_catalog.markdown.importer import import_markdown
from conftest import make_project

VOCABULARY = {
    "techniques": [
        {"id": "logit-lens", "label": "Logit Lens"},
        {"id": "activation-patching", "label": "Activation Patching"},
        {"id": "visualization", "label": "Visualization"},
    ],
    "evaluation": [
        {"id": "faithfulness", "label": "Faithfulness"},
        {"id": "extrinsic", "label": "Extrinsic"},
    ],
}
COLUMNS = {"methods": ["techniques"], "heads": ["techniques", "evaluation"], "universality": [], "tools": []}

# Letters of several scripts, digits, Markdown and HTML punctuation, an emoji.
ALPHABET = st.sampled_from([*"abcxyzABC0129 éßж中 |<>&*_`[]()!#~\\-:'\".,;/", "🙂"])


def _text(min_size: int) -> st.SearchStrategy[str]:
    return st.text(ALPHABET, min_size=min_size, max_size=60).map(lambda s: " ".join(s.split())).filter(
        lambda s: len(s) >= min_size
    )


def _terms(kind: str) -> st.SearchStrategy[list[Any]]:
    ids = [t["id"] for t in VOCABULARY[kind]]
    plain = st.sampled_from(ids)
    detailed = st.builds(lambda t, d: {"term": t, "detail": d}, st.sampled_from(ids),
                         st.text(st.sampled_from(list("abc xyz-")), min_size=1, max_size=12)
                         .map(lambda s: " ".join(s.split())).filter(bool))
    return st.lists(st.one_of(plain, detailed), max_size=3, unique_by=lambda t: json.dumps(t, sort_keys=True))


@st.composite
def catalogs(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A list of valid entry documents with unique titles, URLs and summaries."""
    works = []
    for i in range(draw(st.integers(1, 5))):
        sections = draw(st.lists(st.sampled_from(sorted(COLUMNS)), min_size=1, max_size=3, unique=True))
        appearances = []
        for j, section in enumerate(sections):
            app: dict[str, Any] = {"section": section}
            for kind in COLUMNS[section]:
                app[kind] = draw(_terms(kind))
            app["summary"] = f"{draw(_text(0))} summary {i}.{j} of the work".strip()
            appearances.append(app)
        doc: dict[str, Any] = {"title": f"{draw(_text(1))} n{i}", "url": f"https://example.org/{i}/x"}
        year = draw(st.none() | st.integers(1990, 2030))
        if year is not None:
            doc["year"] = year
        doc["sections"] = appearances
        works.append(doc)
    return works


@contextmanager
def listed(works: list[dict[str, Any]]) -> Iterator[Project]:
    """A temporary list holding ``works`` (and the mini taxonomy) with its README generated."""
    folder = Path(tempfile.mkdtemp())
    try:
        project = make_project(folder / "list")
        shutil.rmtree(project.catalog_dir / "papers")
        shutil.rmtree(project.catalog_dir / "tools")
        (project.catalog_dir / "papers").mkdir()
        project.vocabulary_file.write_text(yaml.safe_dump(VOCABULARY), encoding="utf-8")
        for i, doc in enumerate(works):
            text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
            (project.catalog_dir / "papers" / f"work-{i}.yaml").write_text(text, encoding="utf-8")
        yield project
    finally:
        shutil.rmtree(folder)


def _fold(text: str) -> str:
    return " ".join(text.split())


PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(catalogs())
def test_generated_readme_checks_clean_and_is_stable(works: list[dict[str, Any]]) -> None:
    with listed(works) as project:
        root = str(project.root)
        assert main(["--root", root, "generate"]) == 0
        first = project.readme.read_bytes()
        assert main(["--root", root, "check", "--no-cache", "--format", "json"]) == 0
        assert main(["--root", root, "generate"]) == 0
        assert project.readme.read_bytes() == first


def _generate_and_import(project: Project) -> tuple[tuple[Entry, ...], tuple[Entry, ...]]:
    """(the catalog's entries, the entries imported back from the README generated from it)."""
    assert main(["--root", str(project.root), "generate"]) == 0
    loaded = load_catalog(project)
    assert loaded.catalog is not None
    result = import_markdown(project.readme.read_text(encoding="utf-8"), loaded.catalog.vocabulary,
                             loaded.catalog.taxonomy)
    return loaded.catalog.entries, result.entries


def _shape(entries: tuple[Entry, ...]) -> dict[tuple[str, str], list[Any]]:
    return {
        (_fold(e.title), e.url): sorted(
            (a.section, _fold(a.summary or ""), a.terms("techniques"), a.terms("evaluation")) for a in e.appearances
        )
        for e in entries
    }


@PROPERTY
@given(catalogs())
def test_importing_the_generated_readme_recovers_the_catalog(works: list[dict[str, Any]]) -> None:
    with listed(works) as project:
        shipped, imported = _generate_and_import(project)
        assert _shape(imported) == _shape(shipped)


@pytest.mark.parametrize("title", ["Ends with a year (2023)", "Pipes | and <b>tags</b>", "[Not](a link)"])
def test_round_trip_of_awkward_titles(title: str) -> None:
    works = [{"title": title, "url": "https://example.org/0/x", "year": 2024,
              "sections": [{"section": "universality", "summary": "A summary long enough to pass."}]}]
    with listed(works) as project:
        _, imported = _generate_and_import(project)
        assert [e.title for e in imported] == [title]
