"""When are two records the same work? Normal forms of URLs, titles and arXiv ids.

Shared by the checker (one work, one file) and the importer (merge rows of one work).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf|html)/(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?/?$", re.I)
_VENUE_SUFFIX = re.compile(r"\s*[\(\[][^()\[\]]*\d{2,4}[^()\[\]]*[\)\]]\s*$")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


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
