"""The list as one static, searchable web page (``awesome-catalog site``).

Writes ``index.html``, ``site.css`` and ``site.js`` into DIR. The HTML lists every work
(title, year, venue, authors, sections, the terms of each tag set, summaries, links), so
the page is complete without JavaScript; ``site.js`` only filters it by section, by a
term of each tag set, by year range and text, keeps the filters in the URL's query
string (``?techniques=sae&q=circuit``, one parameter per tag set, named by its id) and
announces "N of M works".

Safety: every catalog text is HTML-escaped; the index the script filters on is JSON in
``<script type="application/json">`` with ``<``, ``>`` and ``&`` written as ``\\u003c``,
``\\u003e`` and ``\\u0026``, so no catalog text can end the element; the script never
turns catalog text into markup; and a Content-Security-Policy allows only the page's
own files. Nothing is loaded from the network.

The output is deterministic: works newest first (then by title and id), options sorted,
no timestamps; asset URLs carry a hash of their content so browsers never mix versions.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections import Counter
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from awesome_catalog.core import writing
from awesome_catalog.core.model import Catalog, Entry, Section, TermRef
from awesome_catalog.core.project import Project

ASSETS = ("site.css", "site.js")
DEFAULT_TITLE = "Catalog"
KIND_LABELS = {"blog": "Blog post", "report": "Report", "tool": "Tool"}
SECTION_PATH = " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} "
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'none'")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def script_json(value: object) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` left."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


_BADGE = re.compile(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)|!\[[^\]]*\]\([^)]*\)")
"""A badge (an image, or an image that links) beside a title: not part of the title's text."""


def page_title(project: Project) -> str:
    """The page's title: the README's first ``# `` heading without its badges, or a plain default."""
    try:
        lines = project.readme.read_text(encoding="utf-8-sig").splitlines()  # -sig: a BOM is not the title's
    except (OSError, UnicodeDecodeError):
        return DEFAULT_TITLE
    for line in lines:
        if line.startswith("# "):
            return " ".join(_BADGE.sub("", line[2:]).split()) or DEFAULT_TITLE
    return DEFAULT_TITLE


def _order(entry: Entry) -> tuple[bool, int, str, str]:
    """Newest first; works without a year last; then by title and id."""
    return (entry.year is None, -(entry.year or 0), entry.title.casefold(), entry.id)


def _ancestors(catalog: Catalog) -> dict[str, list[str]]:
    """Section id -> the ids of the section and every section enclosing it."""
    chain: dict[str, list[str]] = {}

    def visit(sections: Iterable[Section], above: list[str]) -> None:
        for s in sections:
            chain[s.id] = [*above, s.id]
            visit(s.children, chain[s.id])

    visit(catalog.taxonomy.sections, [])
    return chain


def _term_ids(entry: Entry, kind: str) -> list[str]:
    refs = [*entry.tags.get(kind, ()), *(ref for a in entry.appearances for ref in a.terms(kind) or ())]
    return sorted({ref.id for ref in refs})


def _sections_within(entry: Entry, chain: dict[str, list[str]]) -> set[str]:
    """The sections a work appears in, and every section enclosing them."""
    return {s for a in entry.appearances for s in chain.get(a.section, [a.section])}


def _index(catalog: Catalog, works: list[Entry], chain: dict[str, list[str]]) -> dict[str, object]:
    """What the script filters on: the tag sets (each a URL parameter named by its id),
    then one item per work in page order."""
    kinds = catalog.vocabulary.kinds
    return {
        "tag_sets": list(kinds),
        "works": [
            {
                "id": w.id,
                "sections": sorted(_sections_within(w, chain)),
                "tags": {kind: _term_ids(w, kind) for kind in kinds},
                "year": w.year,
                "text": " ".join([w.title, *w.authors, w.venue or "", w.description or "",
                                  *(a.summary or "" for a in w.appearances)]),
            }
            for w in works
        ],
    }


def _options(choices: Iterable[tuple[str, str]], everything: str) -> str:
    rows = [f'<option value="">{_e(everything)}</option>']
    rows += [f'<option value="{_e(value)}">{_e(label)}</option>' for value, label in choices]
    return "".join(rows)


def _select(name: str, label: str, options: str) -> str:
    return (f'<div class="field field-{name}"><label for="f-{name}">{_e(label)}</label>'
            f'<select id="f-{name}" name="{name}">{options}</select></div>')


def _filters(catalog: Catalog, works: list[Entry], chain: dict[str, list[str]]) -> str:
    """The filter form: search, section, one choice per tag set and a year range."""
    in_section = Counter(s for w in works for s in _sections_within(w, chain))
    sections = [(s.id, "\u00a0\u00a0" * s.depth + f"{s.title} ({in_section[s.id]})")
                for s in catalog.taxonomy.walk() if in_section[s.id]]
    fields = [
        '<div class="field field-search"><label for="f-q">Search</label>'
        '<input type="search" id="f-q" name="q" autocomplete="off" spellcheck="false" '
        'placeholder="Title, summary, author or venue"></div>',
        _select("section", "Section", _options(sections, "All sections")),
    ]
    for tag_set in catalog.settings.tag_sets:
        kind, label = tag_set.id, tag_set.label
        used = Counter(t for w in works for t in _term_ids(w, kind))
        terms = sorted((t for t in catalog.vocabulary.terms(kind) if used[t.id]), key=lambda t: t.label.casefold())
        fields.append(_select(kind, label, _options(((t.id, f"{t.label} ({used[t.id]})") for t in terms),
                                                    f"Any {label.lower()}")))
    years = [str(y) for y in sorted({w.year for w in works if w.year is not None}, reverse=True)]
    year_options = [(y, y) for y in years]
    fields.append(
        '<fieldset class="field years"><legend>Year</legend><div class="range">'
        f'<label for="f-from">From</label><select id="f-from" name="from">{_options(year_options, "any")}</select>'
        f'<label for="f-to">to</label><select id="f-to" name="to">{_options(year_options, "any")}</select>'
        "</div></fieldset>"
    )
    return ('<form id="filters" class="filters" role="search" aria-label="Filter the works" action="#">'
            + "".join(fields) + "</form>")


def _filter_link(name: str, value: str, css_class: str, text: str) -> str:
    """A link that filters the list by one value; without the script, a link to that view."""
    return (f'<a class="{css_class}" href="?{_e(urlencode({name: value}))}" data-filter="{name}" '
            f'data-value="{_e(value)}">{_e(text)}</a>')


def _tag(kind: str, catalog: Catalog, ref: TermRef) -> str:
    return f"<li>{_filter_link(kind, ref.id, f'tag tag-{kind}', catalog.vocabulary.label(kind, ref))}</li>"


def _terms_block(catalog: Catalog, kind: str, refs: tuple[TermRef, ...] | None) -> str:
    tag_set = catalog.settings.tag_set(kind)
    if not refs or tag_set is None:
        return ""
    return (f'<div class="terms"><span class="terms-label">{_e(tag_set.label)}:</span> '
            f'<ul class="tags">{"".join(_tag(kind, catalog, r) for r in refs)}</ul></div>')


def _work(catalog: Catalog, sections: dict[str, Section], chain: dict[str, list[str]], entry: Entry) -> str:
    """One work as an ``<li>``: title link, facts, one block per appearance, links."""
    facts = [str(entry.year)] if entry.year is not None else []
    facts += [entry.venue] if entry.venue else []
    facts += [KIND_LABELS[entry.kind]] if entry.kind in KIND_LABELS else []
    parts = [
        f'<li class="work" id="work-{_e(entry.id)}"><article aria-labelledby="title-{_e(entry.id)}">',
        f'<h2 class="work-title" id="title-{_e(entry.id)}"><a href="{_e(entry.url)}">{_e(entry.title)}</a></h2>',
        '<p class="facts">' + "".join(f"<span>{_e(f)}</span>" for f in facts) + "</p>",
    ]
    if entry.authors:
        parts.append(f'<p class="authors">{_e(", ".join(entry.authors))}</p>')
    if entry.description:
        parts.append(f'<p class="summary">{_e(entry.description)}</p>')
    parts += [_terms_block(catalog, kind, refs) for kind, refs in entry.tags.items()]
    parts.append('<ul class="appearances">')
    for a in entry.appearances:
        path = SECTION_PATH.join(sections[s].title for s in chain.get(a.section, [])) or a.section
        link = _filter_link("section", a.section, "section-link", path)
        parts.append(f'<li class="appearance"><p class="section">{link}</p>')
        if a.summary:
            parts.append(f'<p class="summary">{_e(a.summary)}</p>')
        parts += [_terms_block(catalog, kind, refs) for kind, refs in a.tags.items()]
        parts.append("</li>")
    parts.append("</ul>")
    links = [(urlsplit(entry.url).netloc.removeprefix("www."), entry.url)]
    links += [(catalog.settings.all_link_kinds.get(k, k), v) for k, v in sorted(entry.links.items())]
    if entry.arxiv and f"arxiv.org/abs/{entry.arxiv}" not in entry.url:
        links.append(("arXiv", f"https://arxiv.org/abs/{entry.arxiv}"))
    parts.append('<p class="links">' + "".join(f'<a href="{_e(u)}">{_e(k)}</a>' for k, u in links) + "</p>")
    parts.append("</article></li>")
    return "".join(parts)


def asset_version(name: str) -> str:
    """A short hash of an asset's content, added to its URL."""
    return hashlib.sha256(_asset(name).encode()).hexdigest()[:12]


def _asset(name: str) -> str:
    return (resources.files("awesome_catalog.formats") / "assets" / name).read_text(encoding="utf-8")


def render_page(catalog: Catalog, title: str) -> str:
    """The whole ``index.html``."""
    works = sorted(catalog.entries, key=_order)
    sections = catalog.taxonomy.by_id()
    chain = _ancestors(catalog)
    total = len(works)
    noun = "work" if total == 1 else "works"
    items = "\n".join(_work(catalog, sections, chain, w) for w in works)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{_e(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="site.css?v={asset_version('site.css')}">
<script src="site.js?v={asset_version('site.js')}" defer></script>
</head>
<body>
<a class="skip" href="#works">Skip to the list</a>
<header class="page-header">
<h1>{_e(title)}</h1>
<p>{total} {noun}. Filter by section, by tag and by year, or search; \
the address of the page keeps the filters, so a filtered view can be shared.</p>
</header>
<main>
{_filters(catalog, works, chain)}
<div class="status">
<p id="count" class="count" role="status" aria-live="polite">{total} of {total} {noun}</p>
<button type="button" id="f-reset" hidden>Clear filters</button>
</div>
<noscript><p class="note">Filtering needs JavaScript; every work is listed below.</p></noscript>
<ol id="works" class="works">
{items}
</ol>
<p id="empty" class="empty" hidden>No work matches these filters.</p>
</main>
<footer class="page-footer"><p>Made with awesome-catalog from the catalog of this list.</p></footer>
<script type="application/json" id="catalog-data">{script_json(_index(catalog, works, chain))}</script>
</body>
</html>
"""


def build(catalog: Catalog, title: str, out: Path) -> None:
    """Write the page and its assets into ``out``, creating the folder if needed."""
    out.mkdir(parents=True, exist_ok=True)
    writing.replace(out / "index.html", render_page(catalog, title).encode("utf-8"))
    for name in ASSETS:
        writing.replace(out / name, _asset(name).encode("utf-8"))
