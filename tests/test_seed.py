"""The shipped catalog against the seed list it was curated from.

Imports the seed README (``../shared/seed/`` beside the repository) in memory with the
shipped vocabulary and taxonomy, then checks that the catalog holds every work and every
appearance of the seed, with every term the seed names, except for the curation fixes
documented below; that no summary is a seed TL;DR copied; and that what the import finds
wrong in the seed is exactly the list of defects documented here.

Unlike the other tests, this one depends on the state of ``catalog/``: that is its point.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from awesome_catalog.commands.import_ import format_report
from awesome_catalog.core.identity import title_key, url_key
from awesome_catalog.core.model import Catalog, Entry, TermRef
from awesome_catalog.core.project import Project
from awesome_catalog.load.loader import load_catalog
from awesome_catalog.markdown.importer import Findings, ImportResult, TermReader, import_markdown
from awesome_catalog.markdown.rows import read_rows

REPO = Path(__file__).resolve().parents[1]
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "awesome-mi-lm-papers.README.md"
SEED_ROWS = 94

pytestmark = pytest.mark.skipif(not SEED.is_file(), reason="the seed list ../shared/seed/ is not beside the repository")

# Terms a seed row names that its shipped appearance does not hold, and why:
# (shipped entry id, section, column the seed puts it in, term as the seed names it).
TERM_FIXES = {
    ("sparse-autoencoders-find-highly-interpretable-features", "findings-on-features", "evaluation", "knockout"):
        "Knockout is a technique, not an evaluation: moved to techniques",
    ("sparse-autoencoders-find-highly-interpretable-features", "interpreting-lm-behaviors", "techniques",
     "automated-explanation-score"):
        "Automated Explanation Score is an evaluation, not a technique: moved to evaluation",
    ("transformer-feed-forward-layers-build-predictions", "applications", "evaluation",
     "extrinsic (early exit prediction, toxic language generation impression)"):
        "one detail naming two tasks: split in two, and 'impression' corrected to 'suppression'",
    ("finding-skill-neurons", "findings-on-features", "evaluation",
     "extrinsic (model pruning, cross-task prompt transfer indicator)"):
        "one detail naming two tasks: split into two extrinsic terms",
}
MOVED = {key for key, why in TERM_FIXES.items() if "moved to" in why}

# Links the seed gets wrong, by title: the arXiv id the work really has.
LINK_FIXES = {
    "Dissecting Recall of Factual Associations in Auto-Regressive Language Models (EMNLP'23)": "2304.14767",
}

# What the import of the seed reports, by line: problems (information it could not use)...
SEED_PROBLEMS = [
    (98, "wrong-column"),  # 'Knockout' in the Evaluation column of "Sparse Autoencoders Find ..."
    (113, "wrong-column"),  # 'Automated Explanation Score' in the Techniques column of the same work
    (177, "shared-link"),  # "Dissecting Recall" linked to arXiv 2202.05262, which is ROME's
]
# ... and notes (oddities read correctly anyway).
SEED_NOTES = [
    (65, "title"),  # "[Redwood Research]" after the title of Causal Scrubbing
    (71, "spelling"),  # 'Attribution Patching' for Attribution Patching (AtP)
    (89, "spelling"),  # 'Extrinsic evaluation' for Extrinsic
    (90, "spelling"),  # 'Extrinsic Evaluation'
    (94, "empty-term"),  # "Plausibility, Automated Explanation Score," (a trailing comma)
    (95, "same-summary"),  # the TL;DR of line 94, word for word
    (95, "spelling"),  # 'Extrinsic Evaluation'
    (96, "same-summary"),  # the TL;DR of line 94 again
    (98, "same-summary"),  # and again
    (110, "same-summary"),  # "Discovered the circuit for modular addition", as on line 109
    (112, "spelling"),  # 'Attribution Patching'
    (114, "same-summary"),  # the TL;DR of line 97 ("the same components are reused ...")
    (115, "same-summary"),  # the same again
    (170, "spelling"),  # 'Minimaliity' for Minimality
]
# Works the seed links under two different URLs (shipped ids).
SEVERAL_URLS = {
    "finding-neurons-in-a-haystack",  # arXiv and OpenReview
    "language-models-can-explain-neurons",  # the paper's page and OpenAI's post
    "towards-automated-circuit-discovery",  # arXiv and the NeurIPS proceedings
    "sparse-autoencoders-find-highly-interpretable-features",  # arXiv and OpenReview
    "the-clock-and-the-pizza",  # the NeurIPS proceedings and OpenReview
    "circuit-component-reuse-across-tasks",  # arXiv and OpenReview
    "successor-heads",  # OpenReview and arXiv
}


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    catalog = load_catalog(Project(REPO)).catalog
    assert catalog is not None, "the shipped catalog does not load: run awesome-catalog check"
    return catalog


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def imported(shipped: Catalog, seed_text: str) -> ImportResult:
    result = import_markdown(seed_text, shipped.vocabulary, shipped.taxonomy)
    print(format_report(result, "seed"))  # shown by pytest -s, and on failure
    return result


def _keys(entry: Entry) -> Iterator[str]:
    yield f"title:{title_key(entry.title)}"
    if entry.arxiv:
        yield f"url:arxiv.org/abs/{entry.arxiv}"
    for _, url in entry.urls():
        yield f"url:{url_key(url)}"


@pytest.fixture(scope="module")
def matches(shipped: Catalog, imported: ImportResult) -> dict[str, Entry]:
    """Imported work id -> the one shipped entry with the same arXiv id, URL or title."""
    index: dict[str, set[str]] = {}
    for entry in shipped.entries:
        for key in _keys(entry):
            index.setdefault(key, set()).add(entry.id)
    by_id = {e.id: e for e in shipped.entries}
    found, wrong = {}, []
    for work in imported.entries:
        keys = set(_keys(work))
        for row in imported.rows:
            if row.entry == work.id and row.title.strip() in LINK_FIXES:
                keys = {f"title:{title_key(work.title)}", f"url:arxiv.org/abs/{LINK_FIXES[row.title.strip()]}"}
        hits = set().union(*(index.get(k, set()) for k in keys))
        if len(hits) == 1:
            found[work.id] = by_id[hits.pop()]
        else:
            wrong.append(f"{work.title!r} ({work.url}) matches {sorted(hits) or 'no entry'}")
    assert wrong == [], "seed works without exactly one shipped entry:\n" + "\n".join(wrong)
    return found


def test_every_row_is_accounted_for(imported: ImportResult) -> None:
    assert len(imported.rows) == SEED_ROWS
    assert [(r.line, r.title, r.status) for r in imported.rows if r.status != "appearance"] == []
    assert sum(len(e.appearances) for e in imported.entries) == SEED_ROWS


def test_one_shipped_entry_per_work(matches: dict[str, Entry], imported: ImportResult) -> None:
    assert len(matches) == len(imported.entries)
    shipped_ids = [e.id for e in matches.values()]
    assert sorted(i for i in set(shipped_ids) if shipped_ids.count(i) > 1) == [], "works merged by the catalog"


def test_every_appearance_and_term_is_shipped(shipped: Catalog, imported: ImportResult,
                                              matches: dict[str, Entry], seed_text: str) -> None:
    terms = TermReader(shipped.vocabulary)
    missing, used = [], set()
    for row, outcome in zip(read_rows(seed_text).rows, imported.rows, strict=True):
        entry = matches[str(outcome.entry)]
        appearance = next((a for a in entry.appearances if a.section == outcome.section), None)
        if appearance is None:
            missing.append(f"line {row.line}: {entry.path} has no appearance in `{outcome.section}`")
            continue
        for kind, other in (("techniques", "evaluation"), ("evaluation", "techniques")):
            cell = row.cells.get(kind, "")
            for ref in terms.read(kind, cell, row.line, Findings()):
                key = (entry.id, appearance.section, kind, _spelled(ref))
                if key in TERM_FIXES:
                    used.add(key)
                elif ref not in (appearance.terms(kind) or ()):
                    missing.append(f"line {row.line}: {entry.path} `{appearance.section}` lacks {kind} {key[3]}")
            for ref in terms.read(other, cell, row.line, Findings()):  # a term of the other column
                key = (entry.id, appearance.section, kind, _spelled(ref))
                used.add(key)
                if key not in MOVED or ref not in (appearance.terms(other) or ()):
                    missing.append(f"line {row.line}: {key[3]} written under {kind} is not in the shipped {other}")
    assert missing == [], "\n".join(missing)
    assert used == set(TERM_FIXES), "TERM_FIXES lists fixes the seed no longer needs"


def _spelled(ref: TermRef) -> str:
    return f"{ref.id} ({ref.detail})" if ref.detail else ref.id


def test_link_fixes_are_shipped(shipped: Catalog) -> None:
    by_title = {title_key(e.title): e for e in shipped.entries}
    assert {t: by_title[title_key(t)].arxiv for t in LINK_FIXES} == LINK_FIXES


def test_no_seed_tldr_is_shipped(shipped: Catalog, seed_text: str) -> None:
    def fold(text: str) -> str:
        return " ".join(text.casefold().split())

    tldrs = {fold(r.cells.get("summary", "")) for r in read_rows(seed_text).rows}
    copied = [(e.path, a.section) for e in shipped.entries for a in e.appearances if fold(a.summary) in tldrs]
    assert copied == []


def test_the_defects_of_the_seed(imported: ImportResult, matches: dict[str, Entry]) -> None:
    assert [(p.line, p.kind) for p in imported.problems] == SEED_PROBLEMS
    assert [(n.line, n.kind) for n in imported.notes] == SEED_NOTES
    assert {matches[m.entry].id for m in imported.merges if len(m.urls) > 1} == SEVERAL_URLS
