"""The reader of any Markdown awesome list (``markdown/listdoc``), the ground of ``init --from``.

Small fixtures of our own, one per feature of an item, of the document's structure and of
hostile input; then the three real lists of ``../shared/lists/`` and the seed, skipped with
the reason when ``../shared/`` is not beside the repository. Those are test data: their
prose is read here, never copied.

The test every list must pass is ``skeleton``: the source with its item lines, table
headers and heading lines taken out is exactly the concatenation of the hand-written
parts (``head``, each block's ``intro``, ``between`` and ``outro``, in document order),
so that a README rebuilt from them keeps every hand-written byte.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import mistune
import pytest

from awesome_catalog.markdown.listdoc import Block, Item, ItemStyle, ListDoc, read_list

SHARED = Path(__file__).resolve().parents[2] / "shared"
REAL_LISTS = {
    "awesome-nodejs": SHARED / "lists" / "awesome-nodejs.README.md",
    "awesome": SHARED / "lists" / "awesome.README.md",
    "awesome-sysadmin": SHARED / "lists" / "awesome-sysadmin.README.md",
    "seed": SHARED / "seed" / "awesome-mi-lm-papers.README.md",
}


def items_in(items: Sequence[Item]) -> Iterator[Item]:
    """Items and their nested items, in reading order."""
    for item in items:
        yield item
        yield from items_in(item.children)


def all_items(doc: ListDoc) -> list[Item]:
    """Every item of every block (not the toc's), at every depth."""
    return [nested for _, item in doc.walk() for nested in items_in([item])]


def only_item(markdown: str) -> Item:
    doc = read_list("## Section\n\n" + markdown + "\n")
    items = all_items(doc)
    assert len(items) == 1, items
    return items[0]


def skeleton(text: str, doc: ListDoc) -> tuple[str, str]:
    """(the source without its item lines, table headers and heading lines; the
    concatenation of the document's hand-written parts)."""
    taken: set[int] = set()
    parts = [doc.head]

    def visit(block: Block) -> None:
        if block.level:
            taken.add(block.line)
        parts.append(block.intro)
        between = dict(block.between)
        for index in range(len(block.items)):
            if index in between:
                parts.append(between[index])
        own = {item.line for item in items_in(block.items)}
        taken.update(own)
        if block.layout == "table":
            taken.update(n for line in own if line - 1 not in own for n in (line - 1, line - 2))
        parts.append(block.outro)
        for child in block.children:
            visit(child)

    blocks = list(doc.blocks)
    if doc.toc is not None:
        blocks.insert(doc.toc_index, doc.toc)
    for block in blocks:
        visit(block)
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+", text)
    return "".join(line for n, line in enumerate(lines, 1) if n not in taken), "".join(parts)


# ------------------------------------------------------------------------------- items

ITEMS: list[tuple[str, str, dict[str, Any]]] = [
    ("canonical", "- [Name](https://n.example) - Does things.",
     {"name": "Name", "url": "https://n.example", "description": "Does things.", "separator": " - "}),
    ("colon", "- [Name](https://n.example): Does things.", {"description": "Does things.", "separator": ": "}),
    ("em dash", "- [Name](https://n.example) \u2014 Does things.", {"separator": " \u2014 "}),
    ("no description", "- [Name](https://n.example)", {"description": "", "separator": ""}),
    ("space only", "- [Name](https://n.example) does things", {"description": "does things", "separator": " "}),
    ("star bullet", "* [Name](https://n.example) - D.", {"name": "Name", "description": "D."}),
    ("plus bullet", "+ [Name](https://n.example) - D.", {"name": "Name"}),
    ("numbered", "1. [Name](https://n.example) - D.", {"name": "Name", "description": "D."}),
    ("numbered paren", "1) [Name](https://n.example) - D.", {"name": "Name"}),
    ("code in name", "- [`pkg`](https://n.example) - D.", {"name": "`pkg`"}),
    ("markup kept", "- [Name](https://n.example) - A *fast* `tool` for **you**.",
     {"description": "A *fast* `tool` for **you**."}),
    ("bold link", "- **[Name](https://n.example)** - D.", {"name": "Name", "emphasis": "**", "description": "D."}),
    ("brackets in text", "- [A [beta] tool](https://n.example) - D.", {"name": "A [beta] tool"}),
    ("parens in url", "- [Foo](https://en.wikipedia.org/wiki/Foo_(bar)) - D.",
     {"url": "https://en.wikipedia.org/wiki/Foo_(bar)", "description": "D."}),
    ("angle url", "- [Foo](<https://n.example/a b>) - D.", {"url": "https://n.example/a b"}),
    ("title", '- [Foo](https://n.example "Home") - D.', {"url": "https://n.example", "description": "D."}),
    ("reference", "- [Foo][foo] - D.\n\n[foo]: https://ref.example", {"name": "Foo", "url": "https://ref.example"}),
    ("collapsed reference", "- [Foo][] - D.\n\n[foo]: https://ref.example", {"url": "https://ref.example"}),
    ("shortcut reference", "- [Foo] - D.\n\n[Foo]: https://ref.example", {"url": "https://ref.example"}),
    ("autolink", "- <https://n.example> - D.", {"name": "https://n.example", "url": "https://n.example"}),
    ("tags", "- [Name](https://n.example) - Does things. `MIT` `Go`",
     {"description": "Does things.", "tags": ("MIT", "Go")}),
    ("code at the end is no tag", "- [Name](https://n.example) - Wraps `fetch`",
     {"description": "Wraps `fetch`", "tags": ()}),
    ("hecat", "- [Name](https://n.example) `\u26a0` - Does things. ([Demo](https://d.example), "
              "[Source Code](https://s.example)) `GPL-2.0` `Python`",
     {"name": "Name", "description": "Does things.", "tags": ("GPL-2.0", "Python"), "marks": ("`\u26a0`",),
      "links": (("Demo", "https://d.example"), ("Source Code", "https://s.example")), "separator": " - "}),
    ("hecat source only", "- [Name](https://n.example) - D. ([Source Code](https://s.example)) `MIT` `C`",
     {"links": (("Source Code", "https://s.example"),), "tags": ("MIT", "C"), "description": "D."}),
    ("parenthesis is prose", "- [Name](https://n.example) - D (see [docs](https://d.example) first).",
     {"links": (), "description": "D (see [docs](https://d.example) first)."}),
    ("badge first", "- [![CI](https://img.example/ci.svg)](https://ci.example) [Name](https://n.example) - D.",
     {"name": "Name", "marks": ("[![CI](https://img.example/ci.svg)](https://ci.example)",),
      "lead": "[![CI](https://img.example/ci.svg)](https://ci.example) "}),
    ("emoji first", "- \U0001f525 [Name](https://n.example) - D.", {"name": "Name", "marks": ("\U0001f525",)}),
    ("badge after", "- [Name](https://n.example) ![stars](https://img.example/s.svg) - D.",
     {"marks": ("![stars](https://img.example/s.svg)",), "description": "D.", "separator": " - "}),
    ("badge at the end", "- [Name](https://n.example) - D. ![stars](https://img.example/s.svg)",
     {"marks": ("![stars](https://img.example/s.svg)",), "description": "D."}),
    ("html inside", "- [Name](https://n.example) - Press <kbd>Ctrl</kbd> twice.",
     {"description": "Press <kbd>Ctrl</kbd> twice."}),
    ("key first", "- `MIT` - [MIT License](https://spdx.example/MIT)",
     {"name": "MIT License", "url": "https://spdx.example/MIT", "marks": ("`MIT`",), "lead": "`MIT` - "}),
    ("continued", "- [Name](https://n.example) - Does\n  many things.", {"description": "Does many things."}),
    ("escaped", r"- [Na\]me](https://n.example) - A \| B.", {"name": r"Na\]me", "description": r"A \| B."}),
]


@pytest.mark.parametrize(("markdown", "expected"), [(m, e) for _, m, e in ITEMS], ids=[i for i, _, _ in ITEMS])
def test_item(markdown: str, expected: dict[str, Any]) -> None:
    item = only_item(markdown)
    assert {key: getattr(item, key) for key in expected} == expected
    assert item.line == 3


# --------------------------------------------------------------------------- structure

NESTED = """\
# My List

Intro with a [link](https://i.example).

## Tools

Hand-written description.

- [A](https://a.example) - First.
  - [A1](https://a1.example) - Child.
    - [A1x](https://a1x.example) - Grandchild.
- Group
  - [B1](https://b1.example)
- Platforms - Operating systems.
  - [C1](https://c1.example)

Between the lists.

* [D](https://d.example) - Other list.

Footnote of the section.

### Deeper

- [E](https://e.example) - Under a subheading.

## Contributing

Open a pull request.
"""


def test_nested_items_groups_and_lines() -> None:
    doc = read_list(NESTED)
    assert doc.title == "My List"
    assert doc.head == "# My List\n\nIntro with a [link](https://i.example).\n\n"
    tools, contributing = doc.blocks
    assert (tools.heading, tools.level, tools.line, tools.layout) == ("Tools", 2, 5, "list")
    assert [(i.name, i.url, i.line) for i in tools.items] == [
        ("A", "https://a.example", 9), ("Group", "", 12), ("Platforms", "", 14), ("D", "https://d.example", 19)]
    a, group, platforms, _ = tools.items
    assert [(c.name, c.line) for c in a.children] == [("A1", 10)]
    assert [(c.name, c.line) for c in a.children[0].children] == [("A1x", 11)]
    assert [(c.name, c.line) for c in group.children] == [("B1", 13)]
    assert (platforms.description, [c.name for c in platforms.children]) == ("Operating systems.", ["C1"])
    assert tools.intro == "\nHand-written description.\n\n"
    assert tools.between == ((3, "\nBetween the lists.\n\n"),)
    assert tools.outro == "\nFootnote of the section.\n\n"
    assert [(c.heading, c.level, [i.name for i in c.items]) for c in tools.children] == [("Deeper", 3, ["E"])]
    assert (contributing.layout, contributing.items, contributing.intro) == ("text", (), "\nOpen a pull request.\n")
    assert doc.problems == ()
    assert [tuple(b.heading for b in chain) for chain, _ in doc.walk()] == [("Tools",)] * 4 + [("Tools", "Deeper")]
    assert skeleton(NESTED, doc)[0] == skeleton(NESTED, doc)[1]


TABLES = """\
## Papers

| Paper | Techniques | TL;DR |
| --- | --- | --- |
| [P1](https://p1.example) (ICLR'23) [[code](https://c.example)] | patching | Short. |
| [P2](https://p2.example) | probing | Other. |

## Tools

| # | Tool | Licence |
|---|------|---------|
| 1 | [T1](https://t1.example) | MIT |
| 2 | [T2](https://t2.example) | GPL |
| 2 | [T2](https://t2.example) | GPL |
"""


def test_tables_with_any_columns() -> None:
    doc = read_list(TABLES)
    papers, tools = doc.blocks
    assert (papers.layout, papers.columns) == ("table", ("Paper", "Techniques", "TL;DR"))
    p1, p2 = papers.items
    assert (p1.line, p1.name, p1.url, p2.line) == (5, "P1", "https://p1.example", 6)
    assert p1.cells == {"Paper": "[P1](https://p1.example) (ICLR'23) [[code](https://c.example)]",
                        "Techniques": "patching", "TL;DR": "Short."}
    assert p1.description == "(ICLR'23) [[code](https://c.example)]"
    assert tools.columns == ("#", "Tool", "Licence")  # the name column is the first one holding a link
    assert [(i.name, i.cells["Licence"], i.line) for i in tools.items] == [
        ("T1", "MIT", 12), ("T2", "GPL", 13), ("T2", "GPL", 14)]
    assert doc.problems == ()
    assert skeleton(TABLES, doc)[0] == skeleton(TABLES, doc)[1]


TOCS = {
    "own heading": ("# T\n\n## Contents\n\n- [A](#a)\n  - [A1](#a1)\n- [B](#b)\n\n## A\n\n- [x](https://x.example)\n"
                    "\n### A1\n\n## B\n", "Contents", 0),
    "bare in the head": ("# T\n\nIntro.\n\n- [A](#a)\n- [B](#b)\n\nMore intro.\n\n## A\n\n## B\n", "", 0),
    "after a block": ("# T\n\n## News\n\nNothing.\n\n## Table of contents\n\n- [A](#a)\n\n## A\n\n"
                      "- [x](https://x.example)\n", "Table of contents", 1),
}


@pytest.mark.parametrize(("markdown", "heading", "index"), TOCS.values(), ids=TOCS.keys())
def test_table_of_contents(markdown: str, heading: str, index: int) -> None:
    doc = read_list(markdown)
    assert doc.toc is not None
    assert (doc.toc.heading, doc.toc_index) == (heading, index)
    assert all(i.url.startswith("#") for i in items_in(doc.toc.items))
    assert doc.toc.heading not in [b.heading for b in doc.blocks]
    assert skeleton(markdown, doc)[0] == skeleton(markdown, doc)[1]


def test_bare_toc_splits_the_head() -> None:
    doc = read_list(TOCS["bare in the head"][0])
    assert doc.toc is not None
    assert (doc.head, doc.toc.line, doc.toc.outro) == ("# T\n\nIntro.\n\n", 5, "\nMore intro.\n\n")


def test_no_toc_and_no_title() -> None:
    doc = read_list("Intro.\n\n## A\n\n- [x](https://x.example) - [y](#y)\n")
    assert (doc.title, doc.toc, doc.head) == (None, None, "Intro.\n\n")


def test_shallowest_level_is_the_top() -> None:
    doc = read_list("# T\n\n### A\n\n- [a](https://a.example)\n\n#### A1\n\n- [b](https://b.example)\n\n"
                    "### B\n\n- [c](https://c.example)\n")
    assert [(b.heading, b.level, [c.heading for c in b.children]) for b in doc.blocks] == [
        ("A", 3, ["A1"]), ("B", 3, [])]


def test_setext_headings_and_crlf_are_kept_verbatim() -> None:
    text = "Title\r\n=====\r\n\r\nIntro.\r\n\r\nTools\r\n-----\r\n\r\n- [a](https://a.example) - A.\r\n\r\nEnd.\r\n"
    doc = read_list(text)
    assert doc.title == "Title"
    (tools,) = doc.blocks
    assert (tools.heading, tools.level, tools.line, tools.items[0].line) == ("Tools", 2, 6, 9)
    assert (tools.intro, tools.outro) == ("\r\n", "\r\nEnd.\r\n")
    assert doc.head == "Title\r\n=====\r\n\r\nIntro.\r\n\r\n"


STYLES = {
    "canonical": ("- [a](https://a.example) - A.\n- [b](https://b.example) - B.\n* [c](https://c.example): C\n",
                  ItemStyle("-", " - ", True)),
    "numbered": ("1. [a](https://a.example): A\n2. [b](https://b.example): B\n", ItemStyle("1.", ": ", False)),
    "stars": ("* [a](https://a.example) \u2014 A.\n* [b](https://b.example) \u2014 B!\n",
              ItemStyle("*", " \u2014 ", True)),
}


@pytest.mark.parametrize(("markdown", "style"), STYLES.values(), ids=STYLES.keys())
def test_style(markdown: str, style: ItemStyle) -> None:
    assert read_list("## S\n\n" + markdown).style == style


@pytest.mark.parametrize(("names", "expected"), [
    (["alpha", "Beta", "`gamma`", "**Delta**"], False),
    (["alpha", "Beta", "`gamma`", "zeta"], True),
    (["b", "a"], False),
    ([], True),
])
def test_sorted_by_name(names: list[str], expected: bool) -> None:
    doc = read_list("## S\n\n" + "".join(f"- [{n}](https://{i}.example)\n" for i, n in enumerate(names)))
    (block,) = doc.blocks if names else (Block("S", 2, 1, "text", (), (), "", "", ()),)
    assert doc.sorted_by_name(block) is expected


# ---------------------------------------------------------------------------- problems

PROBLEMS = {
    "undefined reference": ("- [a](https://a.example)\n- [b][nowhere] - B.\n", [(4, "undefined-reference")]),
    "html item": ("- [a](https://a.example)\n- <a href=\"https://b.example\">b</a> - B.\n", [(4, "html-item")]),
    "link not first": ("- [a](https://a.example)\n- See [b](https://b.example).\n", [(4, "not-an-item")]),
    "html table": ("<table><tr><td><a href=\"https://a.example\">a</a></td></tr></table>\n", [(3, "html-table")]),
    "ragged table": ("| Name | Note |\n|---|---|\n| [a](https://a.example) | x | y |\n", [(3, "bad-table")]),
    "row without link": ("| Name | Note |\n|---|---|\n| [a](https://a.example) | x |\n| b | y |\n",
                         [(6, "no-link")]),
    "second paragraph": ("- [a](https://a.example) - A.\n\n  More about a.\n- [b](https://b.example)\n",
                         [(3, "extra-block")]),
    "nested too deep": ("".join("  " * i + f"- [n{i}](https://{i}.example)\n" for i in range(30)),
                        [(n, "unread") for n in range(23, 33)]),
    "nul characters": ("- [a](https://a.example) - A\x00.\n", [(3, "binary")]),
}


@pytest.mark.parametrize(("markdown", "expected"), PROBLEMS.values(), ids=PROBLEMS.keys())
def test_problems(markdown: str, expected: list[tuple[int, str]]) -> None:
    doc = read_list("## S\n\n" + markdown)
    assert [(p.line, p.kind) for p in doc.problems] == expected
    assert all(p.message for p in doc.problems)
    without_items, hand_written = skeleton("## S\n\n" + markdown, doc)
    assert without_items == hand_written or {p.kind for p in doc.problems} & {"extra-block", "unread"}


def test_undefined_reference_names_it() -> None:
    (problem,) = read_list("## S\n\n- [b][nowhere] - B.\n").problems
    assert "[nowhere]" in problem.message


def _seconds(function: Any, *args: Any) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def _mistune_seconds(text: str) -> float:
    return _seconds(mistune.create_markdown(renderer=None, plugins=["table"]), text)


HOSTILE = {
    "1 MB line": "## S\n\n- [a](https://a.example) - " + "x" * 1_000_000 + "\n",
    "1 MB paragraph line": "## S\n\n" + "word [" * 170_000 + "\n",
    "brackets and backticks": "## S\n\n- [a](https://a.example) - " + "[`(<*" * 40_000 + "\n",
    "unclosed brackets": "## S\n\n- " + "[" * 200_000 + "\n- [a](https://a.example)\n",
    "backtick runs": "## S\n\n- [a](https://a.example) " + "".join("`" * (i % 40 + 1) + "x" for i in range(20_000)),
    "deep quotes": ">" * 5_000 + " - [a](https://a.example)\n",
    "deep bullets": "- " * 3_000 + "[a](https://a.example)\n",
    "binary": bytes(random.Random(15).randrange(256) for _ in range(200_000)).decode("latin-1"),
    "empty": "",
    "only newlines": "\n\r\n\r" * 1000,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_is_read_in_linear_time(text: str) -> None:
    seconds = _seconds(read_list, text)
    assert seconds <= 1.0 + 4 * _mistune_seconds(text)


def test_binary_garbage_with_nul_is_reported() -> None:
    garbage = "\x00\x01\x02\xff[](\x00" * 1000
    doc = read_list(garbage)
    assert [p.kind for p in doc.problems] == ["binary"]


def test_100k_items() -> None:
    text = "## S\n\n" + "".join(f"- [n{i}](https://x.example/{i}) - D {i}.\n" for i in range(100_000))
    start = time.perf_counter()
    doc = read_list(text)
    seconds = time.perf_counter() - start
    (block,) = doc.blocks
    assert len(block.items) == 100_000
    assert [(i.line, i.name) for i in block.items[::25_000]] == [
        (3, "n0"), (25_003, "n25000"), (50_003, "n50000"), (75_003, "n75000")]
    assert doc.problems == ()
    assert seconds <= 2.0 + 4 * 10 * _mistune_seconds(text[:len(text) // 10])


# -------------------------------------------------------------------------- real lists

BULLET_LINK = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+.*\[[^\]]*\]\(")
ROW_LINK = re.compile(r"^\s*\|.*\[[^\]]*\]\(")

# name -> (heading chain) on a few items of each real list
SPOT_CHECKS: dict[str, dict[str, tuple[str, ...]]] = {
    "awesome-nodejs": {"sparkly": ("Packages", "Command-line utilities"), "humanize-url": ("Packages", "URL"),
                       "v8-perf": ("Resources", "Miscellaneous")},
    "awesome": {"Node.js": ("Platforms",), "Storybook": ("Front-End Development",), "Linux": ("Platforms",)},
    "awesome-sysadmin": {"Apache Ant": ("Software", "Automation"), "LXC": ("Software", "Software Containers"),
                         "Gentoo Wiki": ("External links", "Websites")},
    "seed": {"Toy Models of Superposition": ("Paper Collection", "Findings and Applications",
                                             "Findings on Features"),
             "nninsight": ("Paper Collection", "Tools")},
}
TOC_HEADINGS = {"awesome-nodejs": "Contents", "awesome": "Contents", "awesome-sysadmin": "Table of contents",
                "seed": "Table of Contents"}


def load(name: str) -> tuple[str, str, ListDoc]:
    """A real list, its text and what the reader makes of it; skips when it is absent."""
    path = REAL_LISTS[name]
    if not path.is_file():
        pytest.skip(f"the real list {path.name} of ../shared/ is not beside the repository")
    text = path.read_text(encoding="utf-8")
    return name, text, read_list(text)


@pytest.fixture(params=list(REAL_LISTS), ids=list(REAL_LISTS))
def real(request: pytest.FixtureRequest) -> tuple[str, str, ListDoc]:
    return load(request.param)


def test_real_list_items_are_read(real: tuple[str, str, ListDoc]) -> None:
    _, text, doc = real
    toc_lines = {i.line for i in items_in(doc.toc.items)} if doc.toc else set()
    candidates = {n for n, line in enumerate(text.splitlines(), 1)
                  if (BULLET_LINK.match(line) or ROW_LINK.match(line)) and n not in toc_lines}
    read = {item.line for item in all_items(doc)}
    assert len(candidates & read) >= 0.95 * len(candidates)
    assert doc.problems == ()


def test_real_list_keeps_every_hand_written_byte(real: tuple[str, str, ListDoc]) -> None:
    _, text, doc = real
    without_items, hand_written = skeleton(text, doc)
    assert without_items == hand_written


def test_real_list_headings_and_toc(real: tuple[str, str, ListDoc]) -> None:
    name, _, doc = real
    chains: dict[str, tuple[str, ...]] = {}
    for chain, item in doc.walk():
        chains.setdefault(item.name, tuple(b.heading for b in chain))
    assert {item: chains.get(item) for item in SPOT_CHECKS[name]} == SPOT_CHECKS[name]
    assert doc.toc is not None
    assert doc.toc.heading == TOC_HEADINGS[name]


def test_sysadmin_tags_and_links() -> None:
    _, _, doc = load("awesome-sysadmin")
    software = [item for chain, item in doc.walk() if chain[0].heading == "Software"]
    assert len(software) > 250
    assert all(len(item.tags) == 2 for item in software)  # a licence and a language
    assert sum(any(label == "Source Code" for label, _ in item.links) for item in software) > 0.8 * len(software)
    assert any(label == "Demo" for item in software for label, _ in item.links)
    assert not any(item.description.endswith(("`", ")")) or "[Source Code]" in item.description for item in software)
    licences = next(b for b in doc.blocks if b.heading == "List of Licenses")
    assert licences.layout == "list" and all(item.marks and item.url for item in licences.items)


def test_nodejs_style() -> None:
    _, _, doc = load("awesome-nodejs")
    assert doc.style == ItemStyle("-", " - ", True)


def test_awesome_group_labels() -> None:
    _, _, doc = load("awesome")
    labels = [item for _, item in doc.walk() if not item.url]
    assert labels and all(item.children and all(c.url for c in item.children) for item in labels)


def test_seed_tables() -> None:
    _, _, doc = load("seed")
    assert doc.toc_index == 1  # the toc stands after "Updates"
    layouts = {chain[-1].heading.strip(): chain[-1].columns for chain, _ in doc.walk()}
    assert len(set(layouts.values())) >= 3  # columns differ from section to section
    assert all(item.cells and item.url for chain, item in doc.walk())


def test_marker_like_lines_do_not_shift_positions() -> None:
    text = ("## S\n\n- [a](https://a.example) - A.\n\n  ```\n  - [not](https://not.example) an item\n  ```\n"
            "- [b](https://b.example) - B.\n  * [c](https://c.example)\n")
    doc = read_list(text)
    (block,) = doc.blocks
    assert [(i.name, i.line) for i in items_in(block.items)] == [("a", 3), ("b", 8), ("c", 9)]
    assert [(p.line, p.kind) for p in doc.problems] == [(3, "extra-block"), (6, "unread")]  # the code block is lost
