"""arXiv's public API: one paper's title, authors and year, for ``awesome-catalog add``.

Fetches ``<api>?id_list=<id>`` (an Atom feed). Standard library only; a response that declares a DTD
or entities is refused before parsing, and responses are read up to ``MAX_BYTES``.
"""

from __future__ import annotations

import http.client
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlencode

from awesome_catalog.core.diagnostics import EXIT_PROBLEMS, Refusal
from awesome_catalog.core.identity import arxiv_id, one_line
from awesome_catalog.net.http import USER_AGENT, host_of

MAX_BYTES = 2 * 1024 * 1024
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org"})
_BARE_ID = re.compile(r"(?:arxiv:)?(\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE)


@dataclass(frozen=True)
class Paper:
    """What arXiv says about one paper."""

    id: str
    title: str
    authors: tuple[str, ...]
    year: int

    @property
    def url(self) -> str:
        return f"https://arxiv.org/abs/{self.id}"


def parse_identifier(text: str) -> str:
    """The bare arXiv id (no version) of ``arxiv:ID``, ``ID`` or an arxiv.org link."""
    written = text.strip()
    match = _BARE_ID.fullmatch(written)
    found = match.group(1) if match else None
    if found is None and host_of(written) in ARXIV_HOSTS:
        found = arxiv_id(written)
    if found is None:
        raise Refusal(f"{text!r} is not an arXiv identifier",
                      hint="write it as arxiv:2211.00593, 2211.00593 or https://arxiv.org/abs/2211.00593 "
                           "(old ids such as hep-th/9901001 are not supported: use `awesome-catalog new`)")
    return found


def query_url(api: str, ident: str) -> str:
    """The API request for one id; only http(s) endpoints are accepted."""
    if not api.lower().startswith(("http://", "https://")) or not host_of(api):
        raise Refusal(f"--api {api} is not an http(s) URL")
    return f"{api}{'&' if '?' in api else '?'}{urlencode({'id_list': ident})}"


def fetch(url: str, timeout: float) -> bytes:
    """The body of a GET request; every network failure becomes a refusal (exit 1)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/atom+xml"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # scheme checked in query_url
            body: bytes = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as err:
        later = " (arXiv is busy: try again in a minute)" if err.code in (429, 503) else ""
        raise Refusal(f"the arXiv API answered HTTP {err.code} {err.reason}{later}", EXIT_PROBLEMS) from None
    except urllib.error.URLError as err:
        raise Refusal(f"cannot reach the arXiv API: {err.reason}", EXIT_PROBLEMS,
                      "check the network connection, or try again later") from None
    except TimeoutError:
        raise Refusal(f"the arXiv API did not answer within {timeout:g} s", EXIT_PROBLEMS,
                      "try again later, or raise --timeout") from None
    except (OSError, http.client.HTTPException) as err:
        raise Refusal(f"the connection to the arXiv API failed: {err or type(err).__name__}", EXIT_PROBLEMS,
                      "try again later") from None
    if len(body) > MAX_BYTES:
        raise Refusal(f"the arXiv API sent more than {MAX_BYTES:,} bytes for one paper", EXIT_PROBLEMS)
    return body


def parse_feed(body: bytes, ident: str) -> Paper:
    """The paper ``ident`` in an API response, or a refusal saying why there is none."""
    head = body.lower()
    if b"<!doctype" in head or b"<!entity" in head:
        raise Refusal("the arXiv API response declares a DTD or entities; refusing to parse it", EXIT_PROBLEMS)
    try:
        feed = ET.fromstring(body)
    except ET.ParseError as err:
        raise Refusal(f"the arXiv API response is not valid XML: {err}", EXIT_PROBLEMS) from None
    entry = feed.find(f"{ATOM}entry")
    entry_url = (entry.findtext(f"{ATOM}id") or "") if entry is not None else ""
    if entry is None or "/api/errors" in entry_url:
        reason = entry.findtext(f"{ATOM}summary") if entry is not None else None
        raise Refusal(f"arXiv has no paper {ident}" + (f": {one_line(reason)}" if reason else ""), EXIT_PROBLEMS,
                      "check the identifier on https://arxiv.org")
    title = one_line(entry.findtext(f"{ATOM}title") or "")
    published = (entry.findtext(f"{ATOM}published") or "").strip()
    if arxiv_id(entry_url) != ident or not title or not published[:4].isdigit():
        raise Refusal(f"the arXiv API answer for {ident} lacks its id, title or date", EXIT_PROBLEMS)
    authors = tuple(name for a in entry.iter(f"{ATOM}author") if (name := one_line(a.findtext(f"{ATOM}name") or "")))
    return Paper(ident, title, authors, int(published[:4]))
