"""Heading anchors exactly as GitHub computes them, and the Markdown they come from.

``slugify`` and ``Slugger`` follow github-slugger (the algorithm GitHub's anchors are
emulated with): lowercase the heading's text, remove every character of the Unicode
categories Other_Number, Punctuation except connector punctuation, Symbol, Control,
Private_Use, Format, Unassigned and Separator (but keep alphabetic characters, ``-`` and
the ASCII space), then turn each space into ``-``. A repeated slug gets ``-1``, ``-2``...
and the counter skips slugs that are already taken, so ``foo``, ``foo-1``, ``foo`` give
``foo``, ``foo-1``, ``foo-2``.

github-slugger's table is generated from Unicode 13.0; Python's database is newer, so a
letter added to Unicode after 13.0 is kept here and dropped there. Such letters are rare
enough in headings that we accept the difference rather than ship a Unicode table.

A heading's text is its rendered text: link text and code spans kept, HTML tags, images
and Markdown syntax dropped, entities decoded. It is read from mistune's syntax tree,
imported only when a Markdown text is parsed.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from mistune import Markdown

Node = dict[str, Any]

# General categories github-slugger removes (before putting back alphabetic characters).
_REMOVED = frozenset({
    "No",
    "Ps", "Pe", "Pi", "Pf", "Po", "Pd",
    "Sm", "Sc", "Sk", "So",
    "Cc", "Co", "Cf", "Cn",
    "Zs", "Zl", "Zp",
})
# The only alphabetic characters in those categories: circled and squared Latin letters
# (Other_Symbol with the Other_Alphabetic property), which github-slugger keeps.
_ALPHABETIC_SYMBOLS = ((0x24B6, 0x24E9), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189))
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


@cache
def _kept(char: str) -> bool:
    if char in " -" or unicodedata.category(char) not in _REMOVED:
        return True
    point = ord(char)
    return any(low <= point <= high for low, high in _ALPHABETIC_SYMBOLS)


def slugify(text: str) -> str:
    """The slug of one heading text, before duplicates are numbered."""
    return "".join(char for char in text.lower() if _kept(char)).replace(" ", "-")


class Slugger:
    """Numbers repeated slugs the way GitHub does, over one document's headings in order."""

    def __init__(self) -> None:
        self._occurrences: dict[str, int] = {}

    def slug(self, heading_text: str) -> str:
        """The anchor of the next heading whose rendered text is ``heading_text``."""
        base = slugify(heading_text)
        result = base
        while result in self._occurrences:
            self._occurrences[base] += 1
            result = f"{base}-{self._occurrences[base]}"
        self._occurrences[result] = 0
        return result

    @property
    def taken(self) -> frozenset[str]:
        """Every slug handed out so far."""
        return frozenset(self._occurrences)


@cache
def _parser() -> Markdown:
    import mistune

    return mistune.create_markdown(renderer=None, plugins=["table"])


def parse(markdown: str) -> list[Node]:
    """mistune's syntax tree of a Markdown document (tables included, as GitHub has them)."""
    return cast(list[Node], _parser()(markdown))


def plain_text(nodes: Sequence[Node]) -> str:
    """The rendered text of inline nodes: what a reader sees, without markup."""
    parts: list[str] = []
    for node in nodes:
        kind = node["type"]
        if kind == "text":
            parts.append(_ENTITY.sub(lambda m: html.unescape(m[0]), node["raw"]))
        elif kind == "codespan":
            parts.append(node["raw"])
        elif kind in ("softbreak", "linebreak"):
            parts.append("\n")
        elif kind not in ("image", "inline_html") and "children" in node:
            parts.append(plain_text(node["children"]))
    return "".join(parts)


def walk(nodes: Sequence[Node]) -> Iterator[Node]:
    """Every node of a tree, in document order."""
    for node in nodes:
        yield node
        yield from walk(node.get("children", ()))


def headings(markdown: str) -> list[tuple[int, str]]:
    """The level and rendered text of every heading of a Markdown document, in order."""
    return [(node["attrs"]["level"], plain_text(node["children"]))
            for node in walk(parse(markdown)) if node["type"] == "heading"]


def heading_texts(markdown: str) -> list[str]:
    """The rendered text of every heading of a Markdown document, in order."""
    return [text for _level, text in headings(markdown)]


def inline_text(markdown: str) -> str:
    """The rendered text of one line of inline Markdown, as it would read in a heading."""
    texts = heading_texts(f"# {markdown}")
    return texts[0] if texts else ""
