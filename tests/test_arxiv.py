"""``awesome-catalog add arxiv:ID`` against an arXiv-like API on the loopback address.

The server answers from hand-written Atom files in the real API's format
(``tests/net/*.atom.xml``), or with a 503, a dropped connection or no answer in time.
Host names other than the loopback ones do not resolve during these tests.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
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
    assert add(mini, server, "arxiv:2211.00593", "--section", "heads", "--techniques", "activation-patching") == 0
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
        ("arxiv:2301.00005", ["--techniques", "causal tracing"], 2, "did you mean `activation-patching`", False),
        ("arxiv:2301.00005", ["--section", "methods", "--evaluation", "faithfulness"], 2, "does not show", False),
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
