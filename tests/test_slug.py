"""Heading anchors as GitHub computes them: the slug of one text, duplicate numbering,
and the rendered text of a Markdown heading."""

from __future__ import annotations

import pytest

from awesome_catalog.markdown.slug import Slugger, heading_texts, inline_text, slugify


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Findings on Features", "findings-on-features"),
        ("Applications of MI", "applications-of-mi"),
        # punctuation and symbols vanish, each space becomes a dash, dashes and underscores stay
        ("What's new? (2024 edition)", "whats-new-2024-edition"),
        ("exchange.bind_headers(exchange, [, cb])", "exchangebind_headersexchange--cb"),
        ("a - b", "a---b"),
        ("C++ & C#: a/b", "c--c-ab"),
        ("  padded  ", "--padded--"),
        # non-ASCII letters of every script are kept and lowercased
        ("Привет non-latin 你好", "привет-non-latin-你好"),
        ("Résumé Ünïcödé", "résumé-ünïcödé"),
        ("Ωmega ΣΑΣ", "ωmega-σας"),
        # other dashes, quotes and spaces are removed, not turned into "-"
        ("en\u2013dash em\u2014dash", "endash-emdash"),
        ("it\u2019s \u00abquoted\u00bb", "its-quoted"),
        ("no\u00a0break\u3000space", "nobreakspace"),
        # emoji and other symbols are removed; the variation selector is a mark and stays
        ("😄 unicode emoji", "-unicode-emoji"),
        ("I ♥ unicode", "i--unicode"),
        ("Tools 🛠️", "tools-\ufe0f"),
        # superscripts and circled digits are Other_Number (removed); Roman numerals are kept
        ("x² ① Ⅻ", "x--ⅻ"),
        # circled and squared Latin letters count as letters
        ("Ⓐ🄰 🄫", "ⓐ🄰-"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize(
    ("headings", "slugs"),
    [
        (["Tools", "Tools", "Tools"], ["tools", "tools-1", "tools-2"]),
        # a number already taken by a real heading is skipped
        (["foo-1", "foo", "foo"], ["foo-1", "foo", "foo-2"]),
        (["echo", "echo", "echo 1", "echo-1", "echo"], ["echo", "echo-1", "echo-1-1", "echo-1-2", "echo-2"]),
        # texts that differ only in punctuation or case share one slug
        (["Results", "Results!", "RESULTS?"], ["results", "results-1", "results-2"]),
        (["😄", "🎉", ""], ["", "-1", "-2"]),
    ],
)
def test_duplicates_are_numbered_like_github(headings: list[str], slugs: list[str]) -> None:
    slugger = Slugger()
    assert [slugger.slug(h) for h in headings] == slugs
    assert slugger.taken == frozenset(slugs)


@pytest.mark.parametrize(
    ("markdown", "texts"),
    [
        ("# Plain", ["Plain"]),
        ("## See [the *paper*](https://x.org) and `code|span`", ["See the paper and code|span"]),
        ("## <b>Bold</b> <!-- note --> text", ["Bold  text"]),
        ("## ![logo](logo.png) Tools", [" Tools"]),
        ("## Q&amp;A &copy; &#35;1 AT&T", ["Q&A © #1 AT&T"]),
        (r"## \*not emphasis\* \[not a link\](x)", ["*not emphasis* [not a link](x)"]),
        ("## Closing hashes ##", ["Closing hashes"]),
        ("Setext\n======\n\nSecond\n------", ["Setext", "Second"]),
        ("> ## In a quote\n\n- ## In a list", ["In a quote", "In a list"]),
        ("```\n# not a heading\n```\n\n    # nor this", []),
        ("# One\r\n\r\n## Two\r\n", ["One", "Two"]),
    ],
)
def test_heading_texts_are_the_rendered_text(markdown: str, texts: list[str]) -> None:
    assert heading_texts(markdown) == texts


def test_inline_text_reads_escaped_markdown_back() -> None:
    assert inline_text(r"Findings \| Results \#1") == "Findings | Results #1"
