"""``awesome-catalog add arxiv:ID`` against an arXiv-like API on the loopback address.

The server answers from hand-written Atom files in the real API's format
(``tests/net/*.atom.xml``), or with a 503, a dropped connection or no answer in time.
Host names other than the loopback ones do not resolve during these tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from awesome_catalog import cli
from awesome_catalog.core.diagnostics import Refusal
from awesome_catalog.core.project import Project
from awesome_catalog.net.arxiv import parse_identifier
from net.local_server import Handler, LocalServer, offline, serve

NET = Path(__file__).resolve().parent / "net"
IOI = (NET / "arxiv-2211.00593.atom.xml").read_bytes()
IOI_TITLE = "Interpretability in the Wild: a Circuit for Indirect Object Identification in GPT-2 small"
AUTHORS = ["Kevin Wang", "Alexandre Variengien", "Arthur Conmy", "Buck Shlegeris", "Jacob Steinhardt"]
# Another id whose title is that of a work already in the mini list.
SAME_TITLE = IOI.replace(b"2211.00593", b"2209.11895").replace(
    b"Interpretability in the Wild: a Circuit for Indirect Object Identification\n  in GPT-2 small",
    b"In-context Learning and Induction Heads")
FEEDS = {
    "2211.00593": IOI,
    "2209.11895": SAME_TITLE,
    "2211.99999": (NET / "arxiv-error.atom.xml").read_bytes(),
    "2212.00001": (NET / "arxiv-empty.atom.xml").read_bytes(),
    "2301.00003": (NET / "arxiv-entity.atom.xml").read_bytes(),
}
AGENTS: list[str] = []


def app(h: Handler, method: str) -> None:
    ident = parse_qs(urlsplit(h.path).query).get("id_list", [""])[0]
    AGENTS.append(h.headers.get("User-Agent", ""))
    if ident == "2301.00001":
        h.answer(503, {"Retry-After": "30"})
    elif ident == "2301.00002":
        h.reset()
    elif ident == "2301.00004":
        time.sleep(1.0)
        h.answer(200, {"Content-Type": "application/atom+xml"}, IOI)
    else:
        h.answer(200, {"Content-Type": "application/atom+xml; charset=utf-8"}, FEEDS[ident])


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    offline(monkeypatch)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    AGENTS.clear()
    with serve(app) as running:
        yield running


def add(project: Project, server: LocalServer, identifier: str, *args: str) -> int:
    return cli.main(["--root", str(project.root), "add", identifier, "--api", server.url("/api/query"),
                     "--timeout", "0.5", *args])


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("written", ["arxiv:2211.00593", "ARXIV:2211.00593", "2211.00593", "2211.00593v2",
                                     "https://arxiv.org/abs/2211.00593v2", "http://arxiv.org/pdf/2211.00593.pdf"])
def test_identifier_forms(written: str) -> None:
    assert parse_identifier(written) == "2211.00593"


@pytest.mark.parametrize("written", ["hep-th/9901001", "arxiv:2211.005", "2211.00593x", "doi:10.1/x", "",
                                     "https://example.org/abs/2211.00593", "https://notarxiv.org/abs/2211.00593"])
def test_other_identifiers_are_refused(written: str) -> None:
    with pytest.raises(Refusal, match="not an arXiv identifier"):
        parse_identifier(written)


def test_add_creates_a_valid_entry(mini: Project, server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    (mini.catalog_dir / "papers" / "ioi-circuit.yaml").unlink()
    assert add(mini, server, "arxiv:2211.00593", "--section", "heads", "--tag", "techniques=activation-patching") == 0
    path = mini.catalog_dir / "papers" / "interpretability-in-the-wild.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    summary = data["sections"][0].pop("summary")
    assert data == {
        "title": IOI_TITLE, "url": "https://arxiv.org/abs/2211.00593", "year": 2022, "arxiv": "2211.00593",
        "authors": AUTHORS,
        "sections": [{"section": "heads", "techniques": ["activation-patching"], "evaluation": []}],
    }
    assert summary.startswith("TODO")
    assert AGENTS and all(agent.startswith("awesome-catalog/") for agent in AGENTS)
    assert "next steps" in capsys.readouterr().out
    assert cli.main(["--root", str(mini.root), "check", "--no-cache", "--format", "json"]) == 1
    out = capsys.readouterr().out
    assert '"code": "E311"' in out and out.count('"code"') == 1


def test_add_keeps_a_file_that_has_the_id_and_numbers_the_new_one(mini: Project, server: LocalServer) -> None:
    (mini.catalog_dir / "papers" / "ioi-circuit.yaml").unlink()
    taken = mini.catalog_dir / "papers" / "interpretability-in-the-wild.yaml"
    taken.write_text("# a draft of another work\n", encoding="utf-8")
    assert add(mini, server, "2211.00593", "--section", "universality") == 0
    assert taken.read_text(encoding="utf-8") == "# a draft of another work\n"
    longer = taken.with_name(f"{taken.stem}-2.yaml")
    assert yaml.safe_load(longer.read_text(encoding="utf-8"))["arxiv"] == "2211.00593"


@pytest.mark.parametrize(
    ("identifier", "args", "code", "message", "asked"),
    [
        ("arxiv:2211.00593", [], 1, "arXiv 2211.00593", False),  # already ioi-circuit.yaml
        ("2209.11895", [], 1, "shares the title", True),
        ("arxiv:2211.99999", [], 1, "arXiv has no paper 2211.99999: incorrect id format", True),
        ("arxiv:2212.00001", [], 1, "arXiv has no paper 2212.00001", True),
        ("arxiv:2301.00001", [], 1, "HTTP 503", True),
        ("arxiv:2301.00002", [], 1, "connection", True),
        ("arxiv:2301.00003", [], 1, "DTD or entities", True),
        ("arxiv:2301.00004", [], 1, "did not answer within 0.5 s", True),
        ("hep-th/9901001", [], 2, "not an arXiv identifier", False),
        ("arxiv:2301.00005", ["--section", "head"], 2, "did you mean `heads`", False),
        ("arxiv:2301.00005", ["--section", "results"], 2, "only groups", False),
        ("arxiv:2301.00005", ["--tag", "techniques=causal tracing"], 2, "did you mean `activation-patching`", False),
        ("arxiv:2301.00005", ["--section", "methods", "--tag", "evaluation=faithfulness"], 2, "does not show", False),
    ],
)
def test_add_refuses_and_writes_nothing(mini: Project, server: LocalServer, capsys: pytest.CaptureFixture[str],
                                        identifier: str, args: list[str], code: int, message: str,
                                        asked: bool) -> None:
    before = snapshot(mini.root)
    section = [] if "--section" in args else ["--section", "heads"]
    assert add(mini, server, identifier, *section, *args) == code
    assert message in capsys.readouterr().err
    assert snapshot(mini.root) == before
    assert bool(server.requests()) is asked


def test_api_must_be_http(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--root", str(mini.root), "add", "2301.00005", "--section", "heads", "--api", "file:///etc/passwd"]
    assert cli.main(argv) == 2
    assert "not an http(s) URL" in capsys.readouterr().err


ENTITY = (NET / "arxiv-entity.atom.xml").read_text(encoding="utf-8")
IOI_TEXT = IOI.decode("utf-8")


def _encoded(text: str, encoding: str, *, bom: bytes = b"") -> bytes:
    return bom + text.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"').encode(encoding)


# Every way of spelling the same document: the DTD is refused by the parser, whatever the bytes.
SPELLINGS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8 with a BOM": lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
    "utf-16 with a BOM": lambda t: _encoded(t, "utf-16"),
    "utf-16-le with a BOM, declared utf-16": lambda t: b"\xff\xfe" + t.replace(
        'encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le"),
    "utf-16-be with a BOM, declared utf-16": lambda t: b"\xfe\xff" + t.replace(
        'encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-be"),
    "utf-16 without the XML declaration": lambda t: t.split("\n", 1)[1].encode("utf-16"),
    "latin-1, declared": lambda t: t.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1"),
    "doctype in another case": lambda t: t.replace("<!DOCTYPE", "<!doctype").encode("utf-8"),
}


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_a_dtd_is_refused_in_any_encoding_and_a_plain_feed_is_read(spelling: str) -> None:
    from awesome_catalog.net.arxiv import parse_feed

    encode = SPELLINGS[spelling]
    with pytest.raises(Refusal, match=r"(DTD or entities|not valid XML)") as refused:
        parse_feed(encode(ENTITY), "2211.00593")
    if "doctype in another case" not in spelling:  # <!doctype is not XML: refused as such
        assert "DTD or entities" in refused.value.message
    assert "lol" not in refused.value.message
    assert parse_feed(encode(IOI_TEXT), "2211.00593").title == IOI_TITLE


def test_an_external_entity_or_notation_is_refused() -> None:
    from awesome_catalog.net.arxiv import parse_feed

    for declared in ('<!DOCTYPE feed SYSTEM "http://127.0.0.1:9/x.dtd">', '<!DOCTYPE feed>'):
        body = _encoded(IOI_TEXT.replace("<feed ", declared + "\n<feed ", 1), "utf-16")
        with pytest.raises(Refusal, match="DTD or entities"):
            parse_feed(body, "2211.00593")


def _trickle(part: str) -> Callable[[Handler, str], None]:
    """A server that sends one byte every 0.1 s, in the status line and headers or in the body."""

    def app(h: Handler, method: str) -> None:
        h.server.done(h)
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/atom+xml\r\n"
        head += f"Content-Length: {len(IOI) * 4}\r\n\r\n".encode()
        slow = head if part == "headers" else IOI * 4
        if part == "body":
            h.wfile.write(head)
        try:
            for i in range(len(slow)):
                h.wfile.write(slow[i:i + 1])
                h.wfile.flush()
                time.sleep(0.1)
        except OSError:
            return

    return app


@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_server_that_trickles_bytes_cannot_outlast_the_timeout(part: str, mini: Project,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with serve(_trickle(part)) as slow:
        started = time.monotonic()
        code = add(mini, slow, "arxiv:2301.00005", "--section", "heads")
        elapsed = time.monotonic() - started
    assert code == 1 and "did not answer within 0.5 s" in capsys.readouterr().err
    assert elapsed < 0.5 + 1.0, f"{elapsed:.1f} s despite --timeout 0.5"
