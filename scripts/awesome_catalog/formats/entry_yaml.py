"""The one entry writer: the text of ``catalog/<folder>/<id>.yaml`` for an entry.

``new``, ``add`` and ``import`` all write entries through ``entry_text``: the schema
modeline, then the keys in the schema's order, lists on one line, long summaries as
folded blocks. Every value is written so that it reads back as exactly itself.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import yaml

from awesome_catalog.core.link_kinds import LINK_RANK
from awesome_catalog.core.model import Entry, Settings, TermRef, default_kind

MODELINE = "# yaml-language-server: $schema=../../schema/entry.schema.json"
WIDTH = 100


def flow(value: str | Sequence[object] | Mapping[str, object]) -> str:
    """A YAML scalar or flow collection on one line, quoted only where YAML needs it
    (strings in double quotes)."""
    def dump(style: str | None) -> str:
        text = yaml.safe_dump(value, default_style=style, default_flow_style=True, allow_unicode=True, width=2**31)
        return text.removesuffix("\n...\n").removesuffix("\n")

    plain = dump(None)
    return dump('"') if isinstance(value, str) and plain.startswith("'") else plain


def _terms(refs: tuple[TermRef, ...]) -> str:
    return flow([r.id if r.detail is None else {"term": r.id, "detail": r.detail} for r in refs])


def _text(key: str, value: str, indent: int) -> list[str]:
    """``key: value``, as a folded block wrapped at ``WIDTH`` when the line is long and
    folding keeps the text as it is."""
    pad = " " * indent
    one_line = f"{pad}{key}: {flow(value)}"
    if len(one_line) <= WIDTH:
        return [one_line]
    wrapped = textwrap.wrap(value, WIDTH - indent - 2, break_long_words=False, break_on_hyphens=False)
    block = [f"{pad}{key}: >-", *(f"{pad}  {line}" for line in wrapped)]
    try:
        same = yaml.safe_load("\n".join(line[indent:] for line in block)) == {key: value}
    except yaml.YAMLError:
        same = False
    return block if same else [one_line]


def entry_text(entry: Entry, term_hints: Mapping[str, str] | None = None, settings: Settings | None = None) -> str:
    """The text of an entry file. ``term_hints`` gives, by tag set, a comment written
    above an empty list of that set (``new`` lists some valid terms there);
    ``settings`` gives the order of the tag sets (else the entry's own)."""
    order = [s.id for s in settings.tag_sets] if settings else []
    lines = [MODELINE, *_text("title", entry.title, 0), f"url: {flow(entry.url)}"]
    if entry.kind != default_kind(entry.path.split("/")[-2] if "/" in entry.path else ""):
        lines.append(f"kind: {entry.kind}")
    if entry.year is not None:
        lines.append(f"year: {entry.year}")
    if entry.venue:
        lines.append(f"venue: {flow(entry.venue)}")
    if entry.arxiv:
        lines.append(f'arxiv: "{entry.arxiv}"')
    if entry.authors:
        lines.append(f"authors: {flow(list(entry.authors))}")
    if entry.description is not None:
        lines += _text("description", entry.description, 0)
    if entry.lead is not None:
        lines.append(f"lead: {flow(entry.lead)}")
    if entry.marks:
        lines.append(f"marks: {flow(list(entry.marks))}")
    for kind in _ordered(entry.tags, order):
        lines.append(f"{kind}: {_terms(entry.tags[kind])}")
    if entry.links:
        lines.append("links:")
        for kind in sorted(entry.links, key=lambda k: (LINK_RANK.get(k, len(LINK_RANK)), k)):
            lines.append(f"  {kind}: {flow(entry.links[kind])}")
    lines.append("sections:")
    for app in entry.appearances:
        lines.append(f"  - section: {app.section}")
        if app.rank is not None:
            lines.append(f"    rank: {app.rank}")
        if app.parent is not None:
            lines.append(f"    parent: {app.parent}")
        for kind in _ordered(app.tags, order):
            if not app.tags[kind] and term_hints and kind in term_hints:
                lines.append(f"    # {term_hints[kind]}")
            lines.append(f"    {kind}: {_terms(app.tags[kind])}")
        if app.summary is not None:
            lines += _text("summary", app.summary, 4)
    return "\n".join(lines) + "\n"


def _ordered(tags: Mapping[str, object], order: list[str]) -> list[str]:
    """The keys of ``tags``: those of ``order`` first, in its order, then the others as given."""
    return [k for k in order if k in tags] + [k for k in tags if k not in order]
