"""arXiv's public API: one paper's title, authors and year, for ``awesome-catalog add``.

Fetches ``<api>?id_list=<id>`` (an Atom feed). Standard library only. Each request has one
overall deadline, ``--timeout`` seconds for everything from connecting to the last byte (every
read waits only for what is left of it, so a server that trickles bytes cannot hold the run);
responses are read up to ``MAX_BYTES``; a response that declares a DTD or entities is refused
by the XML parser itself, whatever its encoding.
"""

from __future__ import annotations

import http.client
import io
import re
import socket
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, NoReturn, cast
from urllib.parse import urlencode
from xml.parsers import expat

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


class _Deadline:
    """A moment after which no read may wait any longer."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left; ``TimeoutError`` once none are."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError("the deadline passed")
        return left


class _DeadlineSocket:
    """A connected socket whose every read waits at most until the deadline, so that
    the status line, the headers and the body together cannot outlast it."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock, self._deadline = sock, deadline
        self._files, self._closed = 0, False

    def makefile(self, mode: str = "r", buffering: int | None = None, **_: Any) -> io.BufferedReader:
        self._files += 1
        return io.BufferedReader(socket.SocketIO(cast(socket.socket, self), "rb"))

    def _decref_socketios(self) -> None:
        """Called by a file of ``makefile`` when it closes (as ``socket.socket`` is)."""
        self._files -= 1
        if self._closed and self._files <= 0:
            self._sock.close()

    def close(self) -> None:
        """The socket closes once its files are closed too, as ``socket.socket`` does."""
        self._closed = True
        if self._files <= 0:
            self._sock.close()

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        self._sock.settimeout(self._deadline.left())
        return self._sock.recv_into(buffer, nbytes, flags)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _with_deadline(base: Any, deadline: _Deadline) -> Any:
    """A connection class of ``base`` whose socket keeps ``deadline``."""

    class Connection(base):  # type: ignore[misc]
        def connect(self) -> None:
            me: Any = self
            me.timeout = min(me.timeout, deadline.left()) if isinstance(me.timeout, (int, float)) else deadline.left()
            super().connect()
            me.sock = _DeadlineSocket(me.sock, deadline)

    return Connection


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._connection = _with_deadline(http.client.HTTPConnection, deadline)

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._connection = _with_deadline(http.client.HTTPSConnection, deadline)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)


def fetch(url: str, timeout: float) -> bytes:
    """The body of a GET request, all of it within ``timeout`` seconds (redirects
    included); every network failure becomes a refusal (exit 1)."""
    deadline = _Deadline(timeout)
    opener = urllib.request.build_opener(_HTTPHandler(deadline), _HTTPSHandler(deadline))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/atom+xml"})
    late = Refusal(f"the arXiv API did not answer within {timeout:g} s", EXIT_PROBLEMS,
                   "try again later, or raise --timeout")
    try:
        with opener.open(request, timeout=timeout) as response:  # scheme checked in query_url
            body: bytes = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as err:
        later = " (arXiv is busy: try again in a minute)" if err.code in (429, 503) else ""
        raise Refusal(f"the arXiv API answered HTTP {err.code} {err.reason}{later}", EXIT_PROBLEMS) from None
    except urllib.error.URLError as err:
        if isinstance(err.reason, TimeoutError):
            raise late from None
        raise Refusal(f"cannot reach the arXiv API: {err.reason}", EXIT_PROBLEMS,
                      "check the network connection, or try again later") from None
    except TimeoutError:
        raise late from None
    except (OSError, http.client.HTTPException) as err:
        raise Refusal(f"the connection to the arXiv API failed: {err or type(err).__name__}", EXIT_PROBLEMS,
                      "try again later") from None
    if len(body) > MAX_BYTES:
        raise Refusal(f"the arXiv API sent more than {MAX_BYTES:,} bytes for one paper", EXIT_PROBLEMS)
    return body


class _Declares(Exception):
    """The document declares a DTD, an entity or a notation."""


def _refuse_declarations(body: bytes) -> None:
    """Run the XML parser over ``body`` with every declaration refused as it is met: the
    parser decodes the body (BOM, XML declaration), so no encoding hides a DTD."""
    parser = expat.ParserCreate()

    def refuse(*_: Any) -> NoReturn:
        raise _Declares

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.NotationDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    try:
        parser.Parse(body, True)
    except _Declares:
        raise Refusal("the arXiv API response declares a DTD or entities; refusing to parse it",
                      EXIT_PROBLEMS) from None
    except expat.ExpatError as err:
        raise Refusal(f"the arXiv API response is not valid XML: {err}", EXIT_PROBLEMS) from None


def parse_feed(body: bytes, ident: str) -> Paper:
    """The paper ``ident`` in an API response, or a refusal saying why there is none."""
    _refuse_declarations(body)
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
