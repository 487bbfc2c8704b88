"""Identity: the id rule of entries, and when two records are the same work.

``entry_id`` is the one rule that turns a title into an entry id, for every command that
creates entries. The normal forms of URLs, titles and arXiv ids are shared by the
checker (one work, one file) and the importer (merge rows of one work).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf|html)/(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?/?$", re.I)
_VENUE_SUFFIX = re.compile(r"\s*[\(\[][^()\[\]]*\d{2,4}[^()\[\]]*[\)\]]\s*$")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
"""An entry, section or term id: lowercase kebab-case."""
MAX_ID_LENGTH = 50
ARTICLES = frozenset({"a", "an", "the"})
STOP_WORDS = frozenset({*ARTICLES, "and", "at", "by", "for", "from", "in", "is", "of", "on", "to", "via", "with"})
"""Small words an id does not end with."""


def one_line(text: str) -> str:
    """One line of text: runs of white space become one space, control characters go."""
    return " ".join("".join(c if c.isprintable() or c.isspace() else " " for c in text).split())


def suggest_id(name: str) -> str:
    """A valid id close to ``name``: ASCII, lowercase, words joined by single hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "entry"


def entry_id(title: str, taken: set[str] | None = None) -> str:
    """The id of a new entry: the words before a colon when there are two or more,
    without a leading article or trailing small words, cut between words to at most
    ``MAX_ID_LENGTH`` characters; "-2", "-3"... when the id is in ``taken`` (to which
    the result is added)."""
    head, colon, _ = title.partition(":")
    words = suggest_id(head if colon and len(head.split()) >= 2 else title).split("-")
    while len(words) > 1 and words[0] in ARTICLES:
        words.pop(0)
    kept = [words[0][:MAX_ID_LENGTH]]
    for word in words[1:]:
        if len("-".join([*kept, word])) > MAX_ID_LENGTH:
            break
        kept.append(word)
    while len(kept) > 1 and kept[-1] in STOP_WORDS:
        kept.pop()
    base = candidate = "-".join(kept)
    number = 1
    while taken is not None and candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    if taken is not None:
        taken.add(candidate)
    return candidate


def arxiv_id(url: str) -> str | None:
    """The arXiv identifier a URL points at (``/abs/``, ``/pdf/`` or ``/html/``), if any."""
    match = _ARXIV_URL.search(url.strip())
    return match.group(1) if match else None


def url_key(url: str) -> str:
    """A normal form under which two links to the same page compare equal.

    arXiv ``/pdf/`` and versioned links become ``/abs/<id>``; OpenReview ``pdf?id=``
    becomes ``forum?id=``; scheme, ``www.``, a trailing ``index.html`` or slash and
    the ``#fragment`` do not count.
    """
    found = arxiv_id(url)
    if found:
        return f"arxiv.org/abs/{found}"
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path
    if host == "openreview.net" and path in ("/pdf", "/forum"):
        path = "/forum"
    path = re.sub(r"/index\.html?$", "/", path).rstrip("/")
    return urlunsplit(("", host, path, parts.query, "")).lstrip("/")


def title_key(title: str) -> str:
    """A normal form of a title: no venue suffix like "(ICLR'23)", case and punctuation folded."""
    text = unicodedata.normalize("NFKC", title).strip()
    while True:
        stripped = _VENUE_SUFFIX.sub("", text)
        if stripped == text:
            break
        text = stripped
    return _NON_WORD.sub(" ", text.casefold()).strip()
