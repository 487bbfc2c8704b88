"""Identity: the id rule of entries, and when two records are the same work.

``entry_id`` is the one rule that turns a title into an entry id, for every command that
creates entries. The normal forms of URLs, titles and arXiv ids are shared by the
checker (one work, one file) and the importer (merge rows of one work).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from urllib.parse import unquote, urlsplit, urlunsplit

_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf|html)/(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?/?$", re.I)
_VENUE_SUFFIX = re.compile(r"\s*[\(\[][^()\[\]]*\d{2,4}[^()\[\]]*[\)\]]\s*$")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
"""An entry, section or term id: lowercase kebab-case."""
MAX_ID_LENGTH = 50
ARTICLES = frozenset({"a", "an", "the"})
STOP_WORDS = frozenset({*ARTICLES, "and", "at", "by", "for", "from", "in", "is", "of", "on", "to", "via", "with"})
"""Small words an id does not end with."""


_LAYOUT = "\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff"
CONTROL_CHARACTERS = f"\x00-\x08\x0b-\x1f{_LAYOUT}"
"""What no catalog text may hold, as a regex class: C0 controls but tab and line feed,
DEL, C1 controls, the line and paragraph separators, the bidi embeddings, overrides and
isolates (they reorder what a reader sees) and the byte order mark (invisible)."""
LINE_CONTROL_CHARACTERS = f"\x00-\x08\x0b\x0c\x0e-\x1f{_LAYOUT}"
"""``CONTROL_CHARACTERS`` but the carriage return, which ends lines in CRLF files."""
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SHOWN_RAW = re.compile(f"\r(?!\n)|[{LINE_CONTROL_CHARACTERS}]")


def visible(text: str) -> str:
    """``text`` safe to print on a terminal: each control character (see
    ``CONTROL_CHARACTERS``; a CR only when it ends no line) written as an escape such as
    ``\\x1b``, so that none can colour, move or reorder what is shown."""
    return _SHOWN_RAW.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


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


_PLAIN_URL = re.compile(r"(https?)://([A-Za-z0-9.-]+)(/[A-Za-z0-9._~!$&'()*+,;=:@/-]*)?", re.ASCII)
"""The URLs most links are: a scheme, a host of ASCII letters, digits, dots and hyphens,
and a path without escapes; no user, port, query or fragment. ``url_problem`` and
``link_key`` read them without ``urlsplit`` (the tests show both ways agree)."""


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a catalog link although it looks like one, or None:
    ``urlsplit`` refuses it (``https://[::1/x``), its port is not a number, it has no
    host, or it carries a user name or password."""
    if _PLAIN_URL.fullmatch(url.strip()):
        return None
    return careful_url_problem(url)


def careful_url_problem(url: str) -> str | None:
    """``url_problem`` through ``urlsplit``, for every URL."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - reading it checks it
    except ValueError as err:
        return f"it cannot be read as a URL ({err})"
    if "@" in parts.netloc:
        return "it holds a user name or password before the host"
    if not parts.hostname:
        return "it has no host"
    return None


def ascii_host(host: str) -> str:
    """``host`` with its internationalised labels in their IDNA form (``bücher.example``
    is ``xn--bcher-kva.example``); unchanged when it is ASCII or not a valid IDN."""
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def written_url(url: str) -> str:
    """``url`` with its host as written: Markdown parsers percent-encode every non-ASCII
    character, which turns ``bücher.example`` into ``b%C3%BCcher.example``; the host is
    decoded back (the rest stays encoded, which means the same)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    end = next((i for i, c in enumerate(rest) if c in "/?#"), len(rest))
    host = rest[:end]
    if "%" not in host:
        return url
    decoded = unquote(host, errors="strict") if _decodes(host) else host
    if any(not c.isprintable() or c.isspace() for c in decoded):
        return url
    return f"{scheme}://{decoded}{rest[end:]}"


def _decodes(host: str) -> bool:
    try:
        unquote(host, errors="strict")
    except UnicodeDecodeError:
        return False
    return True


@functools.lru_cache(maxsize=4096)  # the rules ask for each URL's keys more than once
def url_key(url: str) -> str:
    """A normal form under which two links to the same page compare equal.

    arXiv ``/pdf/`` and versioned links become ``/abs/<id>``; OpenReview ``pdf?id=``
    becomes ``forum?id=``; scheme, ``www.``, a trailing ``index.html`` or slash and
    the ``#fragment`` do not count.
    """
    found = arxiv_id(url)
    if found:
        return f"arxiv.org/abs/{found}"
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # not a URL (the checker reports it): only equal to itself
        return url.strip()
    host = ascii_host(parts.netloc.lower()).removeprefix("www.")
    path = parts.path
    if host == "openreview.net" and path in ("/pdf", "/forum"):
        path = "/forum"
    path = re.sub(r"/index\.html?$", "/", path).rstrip("/")
    return urlunsplit(("", host, path, parts.query, "")).lstrip("/")



_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING = re.compile(r"^utm_\w+", re.I)


@functools.lru_cache(maxsize=4096)
def link_key(url: str) -> str:
    """The form under which awesome-lint's ``double-link`` rule compares two links (its
    ``normalize-url`` options, near enough): scheme, ``www.``, a default port, a trailing
    slash or ``index.<ext>``, ``utm_`` parameters and the order of the others do not count;
    unlike ``url_key``, the ``#fragment`` does, and arXiv links keep their form."""
    text = url.strip()
    plain = _PLAIN_URL.fullmatch(text)
    if plain and "//" not in (plain[3] or "") and not plain[2].lower().startswith("www."):
        return plain[2].lower() + re.sub(r"/index\.[a-z]+$", "/", plain[3] or "").rstrip("/")
    return careful_link_key(url)


def careful_link_key(url: str) -> str:
    """``link_key`` through ``urlsplit``, for every URL."""
    text = url.strip()
    if text.startswith("#"):
        return text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    host = ascii_host((parts.hostname or "").lower()).removeprefix("www.")
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host += f":{port}"
    path = re.sub(r"/index\.[a-z]+$", "/", re.sub(r"/{2,}", "/", unquote(parts.path))).rstrip("/")
    query = "&".join(sorted(p for p in parts.query.split("&") if p and not _TRACKING.match(p)))
    fragment = "" if parts.fragment.startswith(":~:") else parts.fragment
    return urlunsplit(("", host, path, query, fragment)).lstrip("/")

# Cyrillic and Greek letters that look like Latin ones, folded for comparison only
# (before case folding: Greek capital eta looks like H, small eta like n).
_LOOK_ALIKES = str.maketrans(  # written as escapes: the letters look Latin on purpose
    "\u0410\u0412\u0415\u0405\u0406\u0408\u041a\u041c\u041d\u041e\u0420\u0421"
    "\u0422\u0425\u0423\u0501\u0435\u0455\u0456\u0458\u043e\u0440\u0441\u0445"
    "\u0443\u04bb\u051b\u051d\u04cf\u0430\u050c\u051c\u0391\u0392\u0395\u0396"
    "\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7\u03bf\u03b1"
    "\u03b9\u03b7\u03ba\u03bd\u03c1\u03c4\u03c5\u03c7",
    "ABESIJKMHOPCTXYdesijopcxyhqwlaGWABEZHIKMNOPTYXoainkvptux",
)


def _invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf"


def title_key(title: str) -> str:
    """A normal form of a title: no venue suffix like "(ICLR'23)", case and punctuation
    folded, invisible format characters (zero-width space, bidi marks) dropped, and
    Cyrillic or Greek look-alikes of Latin letters read as those letters, so that a
    title cannot pass for new by looking the same."""
    text = unicodedata.normalize("NFKC", title)
    if not text.isascii():
        text = "".join(c for c in text if not _invisible(c)).translate(_LOOK_ALIKES)
    text = text.strip()
    while True:
        stripped = _VENUE_SUFFIX.sub("", text)
        if stripped == text:
            break
        text = stripped
    return _NON_WORD.sub(" ", text.casefold()).strip()
