"""BibTeX for the catalog: citation keys, entry types, and LaTeX escaping.

Citation keys
    ``<name><year><word>``, all lowercase ASCII letters and digits:

    - ``name`` is the family name of the first author (the part after the last space of
      "Given Family"), folded to ASCII ("Müller" gives "muller", "ß" gives "ss");
    - ``year`` is the work's year, left out when it has none;
    - ``word`` is the first significant word of the title: words are folded the same
      way and stripped of everything but letters and digits ("GPT-2" gives "gpt2"), and
      short function words ("a", "the", "on", "towards"...) are skipped.

    A work without authors uses its first significant title word as ``name`` and the
    next one as ``word`` ("On the Biology of a Large Language Model", 2025, gives
    ``biology2025large``). When works share a key, the first by id keeps it and the
    others get ``b``, ``c``, ... in id order. The same key names the work in CSL-JSON.

Entry types
    A paper whose venue is a journal or a journal-like series (a venue naming TMLR,
    JMLR, Transactions, Journal, Letters, Distill, a Thread, Nature or PNAS) is an
    ``@article`` with ``journal``; a paper with any other venue is an ``@inproceedings``
    with ``booktitle``; a paper without a venue is a ``@misc`` (with ``eprint`` and
    ``archivePrefix = {arXiv}`` when it has an arXiv id). Blog posts, reports and tools
    are ``@misc`` with ``howpublished = {\\url{...}}`` and a ``note`` saying what they are.
    Every entry has ``url``; ``eprint`` is given whenever the work has an arXiv id.

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
from collections.abc import Iterable
from urllib.parse import quote

from awesome_catalog.core.model import Catalog, Entry

_JOURNAL = re.compile(r"\b(TMLR|JMLR|Transactions|Journal|Letters|Distill|Thread|Nature|PNAS)\b", re.IGNORECASE)

_STOPWORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how", "i", "in", "into",
    "is", "it", "its", "of", "on", "or", "our", "the", "this", "to", "toward", "towards", "via", "we", "what", "when",
    "where", "which", "why", "with",
))

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

_ASCII_FOLD = {"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L",
               "\N{LATIN SMALL LETTER DOTLESS I}": "i"}

# combining mark -> LaTeX accent command
_ACCENTS = {
    "\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=", "\u0306": "u",
    "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H", "\u030c": "v", "\u0327": "c", "\u0328": "k",
}
_BELOW = frozenset("\u0327\u0328")

_URL_SAFE = "!#$%&'()*+,-./:;=?@[]~_"


def publication_type(entry: Entry) -> str:
    """What kind of publication an entry is, for citation formats.

    ``journal``, ``conference``, ``preprint`` (no venue, an arXiv id) or ``online`` (no
    venue, no arXiv id) for papers; the entry's kind (``blog``, ``report``, ``tool``)
    otherwise.
    """
    if entry.kind != "paper":
        return entry.kind
    if entry.venue:
        return "journal" if _JOURNAL.search(entry.venue) else "conference"
    return "preprint" if entry.arxiv else "online"


_MISC_NOTES = {"blog": "Blog post", "report": "Report", "tool": "Software"}


def fold(text: str) -> str:
    """``text`` as lowercase ASCII letters and digits only: "Müller" gives "muller"."""
    text = "".join(_ASCII_FOLD.get(c, c) for c in text)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())


def _significant_words(title: str) -> list[str]:
    words = [w for w in (fold(w) for w in title.split()) if w]
    kept = [w for w in words if w not in _STOPWORDS]
    return kept or words


def base_key(entry: Entry) -> str:
    """The citation key before collisions are resolved (see the module docstring)."""
    words = _significant_words(entry.title) or [fold(entry.id)]
    if entry.authors:
        name = fold(entry.authors[0].rsplit(" ", 1)[-1]) or words[0]
        rest = words[:1]
    else:
        name, rest = words[0], words[1:2]
    year = str(entry.year) if entry.year is not None else ""
    return name + year + "".join(rest)


def citation_keys(entries: Iterable[Entry]) -> dict[str, str]:
    """Entry id -> unique citation key; on a collision the first entry by id keeps the key."""
    keys: dict[str, str] = {}
    used: set[str] = set()
    for entry in sorted(entries, key=lambda e: e.id):
        base = key = base_key(entry)
        suffix = ord("b")
        while key in used:
            key = base + _suffix(suffix)
            suffix += 1
        used.add(key)
        keys[entry.id] = key
    return keys


def _suffix(n: int) -> str:
    """b, c, ..., z, then ba, bb, ... (never needed in practice, but never a repeat)."""
    letters = ""
    n -= ord("a")
    while True:
        n, rem = divmod(n, 26)
        letters = chr(ord("a") + rem) + letters
        if n == 0:
            return letters


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
    """The URL in ASCII, safe inside a braced field: every character that may not appear
    in a URI as such (non-ASCII, space, braces, backslash, ``<>"|^``) percent-encoded."""
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
    if entry.year is not None:
        fields.append(("year", str(entry.year)))
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
    keys = citation_keys(catalog.entries)
    header = "% The works of the catalog, written by awesome-catalog export. Do not edit by hand.\n"
    blocks = [render_entry(keys[e.id], e) for e in sorted(catalog.entries, key=lambda e: e.id)]
    return header + "\n" + "\n".join(blocks)
