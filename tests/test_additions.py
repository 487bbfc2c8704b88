"""The verified additions (../shared/additions/mi-additions*.tsv) are in the catalog as given.

Each work's title, URL and arXiv id must match its file exactly, and the work must appear in
the section the file suggests; the two works of mi-additions.tsv that concern tools the list
already had update those entries instead of adding files.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from awesome_catalog.core.identity import url_key
from awesome_catalog.core.model import Catalog, Entry
from awesome_catalog.core.project import Project
from awesome_catalog.load.loader import load_catalog

REPO = Path(__file__).resolve().parent.parent
ADDITIONS = REPO.parent / "shared" / "additions"
FILES = {  # file of verified additions -> how many works it holds
    "mi-additions.tsv": 50,
    "mi-additions-2.tsv": 36,
}
UPDATES = {  # works that update an existing tool entry: TSV title -> entry id
    "TransformerLens 3.0": "transformerlens",
    "NNsight and NDIF: Democratizing Access to Open-Weight Foundation Model Internals": "nnsight",
}

pytestmark = pytest.mark.skipif(not ADDITIONS.is_dir(), reason="../shared/additions/ is not beside the repo")


def _rows(name: str) -> list[dict[str, str]]:
    with (ADDITIONS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _files() -> list[str]:
    return [name for name in FILES if (ADDITIONS / name).is_file()]


def _cases() -> list[object]:
    return [pytest.param(row, id=f"{name}:{row['title'][:40]}") for name in _files() for row in _rows(name)]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    loaded = load_catalog(Project(REPO))
    assert loaded.catalog is not None
    return loaded.catalog


def _by_url(catalog: Catalog) -> dict[str, Entry]:
    return {url_key(url): e for e in catalog.entries for _, url in e.urls()}


@pytest.mark.parametrize("name", list(FILES))
def test_each_file_holds_its_works(name: str) -> None:
    if not (ADDITIONS / name).is_file():
        pytest.skip(f"../shared/additions/{name} is not beside the repo")
    assert len(_rows(name)) == FILES[name]


@pytest.mark.parametrize("row", _cases())
def test_each_addition_is_in_the_catalog(row: dict[str, str], catalog: Catalog) -> None:
    entry = _by_url(catalog).get(url_key(row["url"]))
    assert entry is not None, f"no entry links to {row['url']}"
    if row["title"] in UPDATES:
        assert entry.id == UPDATES[row["title"]]
        return
    assert entry.title == row["title"]
    assert entry.url == row["url"]
    assert (entry.arxiv or "") == row["arxiv"]
    assert entry.year == int(row["year"])
    if row["venue"]:
        assert entry.venue == row["venue"]
    sections = {a.section for a in entry.appearances}
    assert row["section"] in sections


def test_updated_tools_carry_their_new_facts(catalog: Catalog) -> None:
    by_id = {e.id: e for e in catalog.entries}
    assert by_id["transformerlens"].year == 2026
    assert "release-3.0" in by_id["transformerlens"].links["release"]
    nnsight = by_id["nnsight"]
    assert nnsight.links["paper"] == "https://arxiv.org/abs/2407.14561"
    assert (nnsight.arxiv, nnsight.venue, nnsight.year) == ("2407.14561", "ICLR 2025", 2024)
    assert nnsight.title == "NNsight and NDIF: Democratizing Access to Open-Weight Foundation Model Internals"
    assert by_id["saelens"].url == "https://github.com/decoderesearch/SAELens"
    assert by_id["circuit-tracer"].url == "https://github.com/decoderesearch/circuit-tracer"


def test_surveys_section_holds_the_surveys(catalog: Catalog) -> None:
    surveys = {e.arxiv for e in catalog.entries for a in e.appearances if a.section == "surveys"}
    assert {"2407.02646", "2404.14082", "2501.16496"} <= surveys


def test_new_terms_exist_and_point_at_works(catalog: Catalog) -> None:
    ids = {e.id for e in catalog.entries}
    techniques = catalog.vocabulary.by_id("techniques")
    for term in ("transcoders", "crosscoders", "attribution-graphs", "distributed-alignment-search",
                 "steering-vectors", "leace", "rasp", "tracr", "edge-pruning",
                 "attribution-based-parameter-decomposition"):
        assert term in techniques
        assert techniques[term].description
        assert techniques[term].introduced_by in ids
