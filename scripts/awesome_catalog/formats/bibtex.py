"""BibTeX for the catalog: citation keys, entry types, and LaTeX escaping.

Citation keys
    The key of a work is its entry id, the file name without ``.yaml`` (``causal-scrubbing``,
    ``interpretability-in-the-wild``): lowercase ASCII letters, digits and hyphens, unique in the
    catalog (``check`` refuses two files with one id) and never changed once given. A
    key therefore depends on nothing but the work's own file: adding, removing or
    editing any other work never changes it, and neither does correcting the work's own
    authors, title or year. The same key names the work in CSL-JSON.

Entry types
    A work with a venue was published there, and is cited as published: when the venue
    is a journal or a journal-like series (a venue naming TMLR, JMLR, Transactions,
    Journal, Letters, Distill, a Thread, Nature or PNAS) it is an ``@article`` with
    ``journal``, with any other venue an ``@inproceedings`` with ``booktitle``. This
    holds for papers, reports and tools (a tool that carries its paper's venue is cited
    as that paper); a blog post is always a ``@misc``. Without a venue, a paper with an
    arXiv id, and a tool that carries its paper's arXiv id, is a ``@misc`` preprint with
    ``eprint`` and ``archivePrefix = {arXiv}``; a paper without one is a ``@misc`` with
    ``howpublished = {\\url{...}}``. Blog posts, and reports and tools without a venue
    or paper, are ``@misc`` with ``howpublished`` and a ``note`` saying what they are.
    Every entry has ``url``; ``eprint`` is given whenever the work has an arXiv id.

Years
    The catalog's ``year`` is the year of the first public version (it orders the rows).
    An ``@article`` or ``@inproceedings`` gives instead the year of its venue, the
    publication it cites: the four-digit year the venue names ("ICLR 2025" gives 2025,
    "Findings of ACL 2024" gives 2024), or the catalog's year when the venue names none
    ("Transformer Circuits Thread"). A ``@misc`` gives the catalog's year. CSL-JSON's
    ``issued`` follows the same rule.

Text
    The title is wrapped in a second pair of braces, ``title = {{...}}``, so that no
    style changes its capitalisation: it prints exactly as the catalog writes it.
    LaTeX specials are escaped: ``\\&``, ``\\%``, ``\\$``, ``\\#``, ``\\_``, and
    ``\\textbraceleft{}``, ``\\textbraceright{}``, ``\\textbackslash{}``,
    ``\\textasciitilde{}``, ``\\textasciicircum{}`` (whose braces stay balanced, as
    BibTeX requires); ``<``, ``>`` and ``|``, which print as other glyphs in LaTeX's
    default font encoding, become ``\\textless{}``, ``\\textgreater{}`` and
    ``\\textbar{}``. Accented Latin letters become LaTeX accents (``{\\"{u}}``); a few
    letters and typographic marks get their LaTeX names (``{\\ss}``, ``--``, ``---``,
    quotes); any other non-ASCII character is kept as UTF-8, which biber and LaTeX's
    default UTF-8 input read. URLs are percent-encoded to ASCII (non-ASCII letters,
    spaces, braces, backslashes, ``<>"|^``); inside ``\\url{...}`` in ``howpublished``,
    ``%`` and ``#`` are written ``\\%`` and ``\\#``, which ``\\url`` reads as ``%``
    and ``#`` even inside another command's argument.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from awesome_catalog.core.identity import ascii_host
from awesome_catalog.core.model import Catalog, Entry

_VENUE_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")

_JOURNAL = re.compile(r"\b(TMLR|JMLR|Transactions|Journal|Letters|Distill|Thread|Nature|PNAS)\b", re.IGNORECASE)

_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}

_LETTERS = {
    "ß": r"{\ss}", "æ": r"{\ae}", "Æ": r"{\AE}", "œ": r"{\oe}", "Œ": r"{\OE}",
    "ø": r"{\o}", "Ø": r"{\O}", "ł": r"{\l}", "Ł": r"{\L}", "\N{LATIN SMALL LETTER DOTLESS I}": r"{\i}",
    "\N{EN DASH}": "--", "\N{EM DASH}": "---", "\N{LEFT SINGLE QUOTATION MARK}": "`",
    "\N{RIGHT SINGLE QUOTATION MARK}": "'", "\N{LEFT DOUBLE QUOTATION MARK}": "``",
    "\N{RIGHT DOUBLE QUOTATION MARK}": "''", "\N{HORIZONTAL ELLIPSIS}": r"\ldots{}", "\N{NO-BREAK SPACE}": "~",
}

# combining mark -> LaTeX accent command
_ACCENTS = {
    "\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=", "\u0306": "u",
    "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H", "\u030c": "v", "\u0327": "c", "\u0328": "k",
}
_BELOW = frozenset("\u0327\u0328")

_URL_SAFE = "!#$%&'()*+,-./:;=?@[]~_"


def publication_type(entry: Entry) -> str:
    """What kind of publication an entry is cited as, for citation formats.

    ``journal`` or ``conference`` for a work with a venue (any kind but a blog post);
    ``preprint`` for a paper, or a tool that carries its paper, with an arXiv id and no
    venue; ``online`` for a paper with neither; the entry's kind (``blog``, ``report``,
    ``tool``) otherwise.
    """
    if entry.venue and entry.kind != "blog":
        return "journal" if _JOURNAL.search(entry.venue) else "conference"
    if entry.kind == "paper":
        return "preprint" if entry.arxiv else "online"
    if entry.kind == "tool" and entry.arxiv:
        return "preprint"
    return entry.kind


_MISC_NOTES = {"blog": "Blog post", "report": "Report", "tool": "Software"}

PUBLISHED = frozenset(("journal", "conference"))
"""The publication types cited as published at their venue (``@article``, ``@inproceedings``)."""


def venue_year(venue: str | None) -> int | None:
    """The year a venue names ("ICLR 2025" gives 2025; the last one when it names
    several); None when it names none ("Transformer Circuits Thread")."""
    years = _VENUE_YEAR.findall(venue or "")
    return int(years[-1]) if years else None


def citation_year(entry: Entry) -> int | None:
    """The year a citation of the entry gives: the venue's year for a work cited as
    published there (when the venue names one), the catalog's year otherwise."""
    if publication_type(entry) in PUBLISHED:
        return venue_year(entry.venue) or entry.year
    return entry.year


def citation_key(entry: Entry) -> str:
    """The citation key of a work: its entry id (see the module docstring)."""
    return entry.id


def escape(text: str) -> str:
    """``text`` as LaTeX for a BibTeX field: specials escaped, accents as LaTeX commands."""
    return "".join(_escape_char(c) for c in text)


def _escape_char(char: str) -> str:
    if char in _SPECIALS:
        return _SPECIALS[char]
    if char.isascii():
        return char
    if char in _LETTERS:
        return _LETTERS[char]
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    if not base.isascii() or not marks or any(m not in _ACCENTS for m in marks):
        return char
    latex = base
    for mark in marks:
        if latex in "ij" and mark not in _BELOW:
            latex = "\\" + latex
        latex = f"\\{_ACCENTS[mark]}{{{latex}}}"
    return "{" + latex + "}"


# BibTeX splits ``author`` on the word "and" in any case, reads "others" as "et al." and a
# comma as "Last, First"; a name that starts with a command (an escaped brace, backslash...)
# is misread by name parsers too. Such a name is braced whole, so it stays one name as written.
_SPLITS_A_NAME = re.compile(r"(?:^|\s)and(?:\s|$)|^\s*others\s*$|,", re.IGNORECASE)


def author_name(name: str) -> str:
    """One author for the ``author`` field: escaped, and braced whole when BibTeX would
    otherwise split it or read it as something else."""
    escaped = escape(name)
    return "{" + escaped + "}" if _SPLITS_A_NAME.search(name) or escaped.startswith("\\") else escaped


def escape_url(url: str) -> str:
    """The URL in ASCII, safe inside a braced field: an internationalised host in its
    IDNA form (``xn--...``, the one ASCII spelling of a host), and every other character
    that may not appear in a URI as such (non-ASCII, space, braces, backslash,
    ``<>"|^``) percent-encoded."""
    scheme, sep, rest = url.partition("://")
    end = next((i for i, c in enumerate(rest) if c in "/?#"), len(rest))
    if sep and not rest[:end].isascii():
        userinfo, at, host = rest[:end].rpartition("@")
        url = f"{scheme}://{userinfo}{at}{ascii_host(host)}{rest[end:]}"
    return quote(url, safe=_URL_SAFE)


def url_command(url: str) -> str:
    """``\\url{...}`` for ``howpublished``, with ``%`` and ``#`` escaped so that the
    command still works inside another command's argument."""
    return r"\url{" + escape_url(url).replace("%", r"\%").replace("#", r"\#") + "}"


def entry_fields(entry: Entry) -> tuple[str, list[tuple[str, str]]]:
    """The BibTeX entry type and the (field, value) pairs of one entry, in output order."""
    kind = publication_type(entry)
    fields: list[tuple[str, str]] = []
    if entry.authors:
        fields.append(("author", " and ".join(author_name(a) for a in entry.authors)))
    fields.append(("title", "{" + escape(entry.title) + "}"))
    url = escape_url(entry.url)
    if kind == "journal":
        entry_type = "article"
        fields.append(("journal", escape(entry.venue or "")))
    elif kind == "conference":
        entry_type = "inproceedings"
        fields.append(("booktitle", escape(entry.venue or "")))
    else:
        entry_type = "misc"
    year = citation_year(entry)
    if year is not None:
        fields.append(("year", str(year)))
    if entry_type == "misc" and kind != "preprint":
        fields.append(("howpublished", url_command(entry.url)))
    if entry.arxiv:
        fields += [("eprint", entry.arxiv), ("archivePrefix", "arXiv")]
    fields.append(("url", url))
    if kind in _MISC_NOTES:
        note = _MISC_NOTES[kind] + (f", {entry.venue}" if entry.venue else "")
        fields.append(("note", escape(note)))
    return entry_type, fields


def render_entry(key: str, entry: Entry) -> str:
    """One ``@type{key, field = {value}, ...}`` block, ending with a newline."""
    entry_type, fields = entry_fields(entry)
    width = max(len(name) for name, _ in fields)
    lines = [f"@{entry_type}{{{key},"]
    lines += [f"  {name.ljust(width)} = {{{value}}}," for name, value in fields]
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(catalog: Catalog) -> str:
    """The whole catalog as a BibTeX file, entries in id order, one blank line apart."""
    header = "% The works of the catalog, written by awesome-catalog export. Do not edit by hand.\n"
    blocks = [render_entry(citation_key(e), e) for e in sorted(catalog.entries, key=lambda e: e.id)]
    return header + "\n" + "\n".join(blocks)
