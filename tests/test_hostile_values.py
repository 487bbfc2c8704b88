"""Values the schema or the loader could let through, or choke on.

The corpus cases (``tests/cases/``) show each refusal through ``check``; these tests pin
what lies under them: both YAML paths give equal data and diagnostics on every file we
have and on hostile snippets, URL and title normal forms never raise, look-alike titles
fold together, and internationalised hosts survive BibTeX and import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from awesome_catalog.core.identity import title_key, url_key, url_problem, visible, written_url
from awesome_catalog.core.link_kinds import link_kind
from awesome_catalog.formats.bibtex import escape_url, url_command
from awesome_catalog.load import yamlload
from awesome_catalog.load.loader import load_catalog
from awesome_catalog.markdown.importer import import_markdown
from conftest import make_project

REPO = Path(__file__).resolve().parent.parent

HOSTILE = [
    "title: A\nyear: " + "9" * 5000 + "\n",
    "title: A\nyear: -" + "1" * 30 + "\n",
    "title: A\nyear: 2024.0\n",
    "1: x\nnull: y\non: z\nTrue: t\n2.5: f\n",
    "a:\n  b:\n    off: 1\n",
    "[a, b]: c\n",
    "<<: {title: X}\ntitle: Y\n",
    "title: \"\\e[31m\"\n",
    "title: \"a\\0b\"\nsummary: \"\\a\"\n",
    "title: \"\\x9b\"\nvenue: \"\\u202e\"\n",
    "title: \"\\u200b\"\nsummary: \"   \"\nauthors: [\"\\u2060\\u00a0\"]\n",
    "title: \"\\t\"\n",
    "title: \"\\u3164\"\nvenue: \"\\u2800 \\u115f\"\n",
    "title: ''\n",
    "title: Plain\nauthors: [Ann, Bob]\nyear: 2023\nvenue: ICLR 2023\n",
    "title: a\nb: 0x1F\nc: 1_000\nd: .inf\ne: 1:30\n",
    "title: a\ntitle: b\n",
    "title: !!str x\n",
]


def _careful_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str) -> Any:
        raise yamlload._Fallback

    monkeypatch.setattr(yamlload, "_load_fast", refuse)


def _yaml_files() -> list[Path]:
    roots = [REPO / "catalog", REPO / "tests" / "fixtures" / "mini" / "catalog", REPO / "tests" / "cases"]
    return sorted(p for root in roots for p in root.rglob("*.yaml") if p.name != "case.yaml" and p.is_file())


def test_both_yaml_paths_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path and the careful path give the same data and the same diagnostics,
    on every YAML file of the repository, the corpus included, and on hostile snippets."""
    inputs = [(p.relative_to(REPO).as_posix(), p.read_bytes()) for p in _yaml_files()]
    inputs += [(f"snippet-{i}.yaml", text.encode()) for i, text in enumerate(HOSTILE)]
    fast = [yamlload.load(raw, name) for name, raw in inputs]
    _careful_only(monkeypatch)
    careful = [yamlload.load(raw, name) for name, raw in inputs]
    for (name, _), a, b in zip(inputs, fast, careful, strict=True):
        assert (a.data, a.diagnostics) == (b.data, b.diagnostics), name


@pytest.mark.parametrize(("text", "code"), [
    ("year: " + "9" * 5000 + "\n", "E116"),
    ("on: x\n", "E115"),
    ("? [a]\n: x\n", "E115"),
    ("<<: {a: 1}\n", "E117"),
    ("a: !!binary aGk=\n", "E104"),
    ("a: !!timestamp 2020-01-01\n", "E104"),
    ("a: !!pairs [{a: 1}]\n", "E104"),
    ("a: ! x\n", "E104"),
    ("a: \"\\e\"\n", "E113"),
    ("a: x\x7fy\n", "E113"),
    ("# \u2067 isolate in a comment\na: x\n", "E113"),
    ("a: x\n\ufeffb: y\n", "E113"),
    ("a: \"\\u3164\"\n", "E114"),
    ("a: 1\na: 2\n", "E103"),
])
def test_every_refusal_has_its_position_and_a_hint(text: str, code: str) -> None:
    loaded = yamlload.load(text.encode(), "f.yaml")
    assert loaded.data is None
    [found] = [d for d in loaded.diagnostics if d.code == code]
    assert found.line >= 1 and found.column >= 1 and found.hint


def test_a_leading_byte_order_mark_stays_allowed() -> None:
    assert yamlload.load("\ufefftitle: x\n".encode(), "f.yaml").data == {"title": "x"}


@pytest.mark.parametrize("url", [
    "https://[::1/x", "https://[zz]/", "https://example.org:99999/", "https://example.org:x/", "https://",
    "https://user:pass@example.org/", "https://token@example.org/", "http://[::1]:80:80/",
])
def test_unusable_urls_are_named_and_never_raise(url: str) -> None:
    assert url_problem(url)
    url_key(url)
    link_kind(url)
    escape_url(url)


@pytest.mark.parametrize("url", ["https://example.org/x", "https://[::1]/x", "https://bücher.example/ä",
                                 "https://example.org/@user"])
def test_usable_urls_pass(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize(("a", "b"), [
    ("In-context Learning and Induction Heads", "In-cоntеxt Lеarning and Induсtiоn Hеads"),  # noqa: RUF001
    ("Toy Models of Superposition", "Τoy Μodels οf Superposition"),  # noqa: RUF001
    ("Toy Models of Superposition", "Toy Mod\u200bels of Super\u2060position"),
    ("Toy Models of Superposition", "Toy Models of Superposition\u200e"),
])
def test_look_alike_titles_share_their_key(a: str, b: str) -> None:
    assert title_key(a) == title_key(b)


def test_different_titles_keep_different_keys() -> None:
    assert title_key("Головы индукции") != title_key("Induction heads")
    assert title_key("Sparse autoencoders") != title_key("Sparse auto encoders")


def test_internationalised_hosts_in_bibtex_take_their_idna_form() -> None:
    assert escape_url("https://bücher.example/ä?q=1") == "https://xn--bcher-kva.example/%C3%A4?q=1"
    assert url_command("https://bücher.example/") == r"\url{https://xn--bcher-kva.example/}"
    assert url_key("https://bücher.example/a") == url_key("https://xn--bcher-kva.example/a")


def test_internationalised_hosts_survive_import(tmp_path: Path) -> None:
    project = make_project(tmp_path / "list")
    catalog = load_catalog(project).catalog
    assert catalog is not None
    text = ("## Attention Heads\n\n| Paper | Techniques | Summary |\n| --- | --- | --- |\n"
            "| [A work on heads](https://bücher.example/paper) | Activation Patching | "
            "A summary of the work, long enough to be kept. |\n")
    [entry] = import_markdown(text, catalog.vocabulary, catalog.taxonomy).entries
    assert entry.url == "https://bücher.example/paper"
    assert written_url("https://b%C3%BCcher.example/%C3%A4") == "https://bücher.example/%C3%A4"
    assert written_url("https://b%FFcher.example/") == "https://b%FFcher.example/"  # not UTF-8: left alone


def test_unreadable_url_in_imported_markdown_is_reported(tmp_path: Path) -> None:
    project = make_project(tmp_path / "list")
    catalog = load_catalog(project).catalog
    assert catalog is not None
    text = ("## Attention Heads\n\n| Paper | Techniques | Summary |\n| --- | --- | --- |\n"
            "| [A work on heads](https://[::1/x) | Activation Patching | A summary long enough to be kept. |\n")
    result = import_markdown(text, catalog.vocabulary, catalog.taxonomy)
    assert not result.entries
    assert any("cannot be used" in p.message for p in result.problems)


def test_control_characters_are_shown_escaped() -> None:
    assert visible("a\x1b[31mb\u202ec\r\nd\re\x00") == "a\\x1b[31mb\\u202ec\r\nd\\re\\x00"
