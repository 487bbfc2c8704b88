"""``awesome-catalog links`` and its HTTP engine, against a server on the loopback address.

The server plays every kind of host the checker meets: fine, slow, busy with
Retry-After, redirecting, gone, dropping connections, refusing HEAD. It counts what it
is asked, so politeness (bounds, delay, Retry-After) is measured, not assumed. Host
names other than the loopback ones do not resolve during these tests.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from awesome_catalog import cli
from awesome_catalog.commands.links import progress_printer
from awesome_catalog.core.project import Project
from awesome_catalog.net.http import Options, Outcome, check_urls, refuses_scripts, retry_after
from net.local_server import Handler, LocalServer, offline, serve

FAST = Options(timeout=0.5, concurrency=4, per_host=2, delay=0.0, retries=1, deadline=20.0, backoff=0.05)


def app(h: Handler, method: str) -> None:
    """The server's behaviour, by path."""
    parts = urlsplit(h.path)
    path, query = parts.path, parse_qs(parts.query)
    first = len(h.server.requests(h.path)) == 1
    if path.startswith("/slow"):
        time.sleep(float(query["t"][0]))
        h.answer(200)
    elif path.startswith(("/ok", "/item/")):
        time.sleep(float(query.get("t", ["0"])[0]))
        h.answer(200, body=b"fine")
    elif path.startswith(("/dead/", "/404")):
        h.answer(404)
    elif path == "/410":
        h.answer(410)
    elif path == "/forbidden":
        h.answer(403)
    elif path == "/unauthorized":
        h.answer(401)
    elif path == "/too-many":
        h.answer(429, {"Retry-After": "0"})
    elif path == "/500":
        h.answer(500)
    elif path.startswith("/limited/"):
        h.answer(429, {"Retry-After": "1"}) if first else h.answer(200)
    elif path == "/busy":
        h.answer(503, {"Retry-After": "0"})
    elif path == "/moved":
        h.answer(301, {"Location": "/ok"})
    elif path == "/temp":
        h.answer(302, {"Location": "/ok?temp"})
    elif path == "/chain":
        h.answer(308, {"Location": "/temp"})
    elif path == "/loop":
        h.answer(301, {"Location": "/loop"})
    elif path == "/nohead":
        h.answer(405) if method == "HEAD" else h.answer(200)
    elif path == "/reset":
        h.reset()
    else:
        h.answer(500)


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    offline(monkeypatch)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with serve(app) as running:
        yield running


@pytest.mark.parametrize(
    ("path", "outcome", "detail", "moved_to", "methods"),
    [
        ("/ok", Outcome.OK, "HTTP 200", None, ["HEAD"]),
        ("/nohead", Outcome.OK, "HTTP 200", None, ["HEAD", "GET"]),
        ("/temp", Outcome.OK, "HTTP 200", None, ["HEAD"]),
        ("/moved", Outcome.MOVED, "moved permanently", "/ok", ["HEAD"]),
        ("/chain", Outcome.MOVED, "moved permanently", "/temp", ["HEAD"]),
        ("/404", Outcome.DEAD, "HTTP 404", None, ["HEAD", "GET"]),
        ("/410", Outcome.DEAD, "HTTP 410", None, ["HEAD", "GET"]),
        ("/forbidden", Outcome.UNCHECKED, "HTTP 403, the host refused", None, ["HEAD", "GET"]),
        ("/loop", Outcome.DEAD, "redirects", None, ["HEAD"] * 11),
        ("/reset", Outcome.DEAD, "connection dropped", None, ["HEAD", "HEAD"]),
        ("/slow?t=2", Outcome.DEAD, "no answer within 0.5 s, 2 tries", None, ["HEAD", "HEAD"]),
        ("/busy", Outcome.UNCHECKED, "still HTTP 503 after 2 tries", None, ["HEAD", "HEAD"]),
        ("/500", Outcome.UNCHECKED, "HTTP 500", None, ["HEAD", "GET"]),
    ],
)
def test_each_kind_of_answer(server: LocalServer, path: str, outcome: Outcome, detail: str,
                             moved_to: str | None, methods: list[str]) -> None:
    url = server.url(path)
    result = check_urls([url], FAST)[url]
    assert (result.outcome, result.moved_to) == (outcome, moved_to and server.url(moved_to))
    assert detail in result.detail
    assert [r[2] for r in server.requests(path)] == methods


def test_retry_after_is_honoured(server: LocalServer) -> None:
    url = server.url("/limited/a")
    result = check_urls([url], FAST)[url]
    assert result.outcome is Outcome.OK
    (first, *_), (second, *_) = server.requests("/limited/a")
    assert second - first >= 1.0


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("120", 120.0), ("0", 0.0), ("Thu, 01 Jan 1970 00:02:00 GMT", 60.0), ("Thu, 01 Jan 1970 00:00:30 GMT", 0.0),
     ("soon", None), ("-5", None), ("", None), (None, None)],
)
def test_retry_after_header(header: str | None, seconds: float | None) -> None:
    assert retry_after(header, now=60.0) == seconds


def test_unknown_host_is_dead_at_once() -> None:
    url = "http://no-such-host.invalid/paper"
    result = check_urls([url], FAST)[url]
    assert result.outcome is Outcome.DEAD
    assert "does not resolve" in result.detail


@pytest.mark.parametrize(
    ("path", "settings", "outcome"),
    [
        # a refusal from a host the list names is no problem; from any other host it is
        # unchecked, or dead when the list says so
        ("/forbidden", {}, Outcome.UNCHECKED),
        ("/forbidden", {"refuse_scripts": frozenset({"localhost"})}, Outcome.UNVERIFIED),
        ("/forbidden", {"refuse_scripts": frozenset({"127.0.0.1"})}, Outcome.UNCHECKED),  # another host
        ("/forbidden", {"refusal_is_dead": True}, Outcome.DEAD),
        ("/forbidden", {"refuse_scripts": frozenset({"localhost"}), "refusal_is_dead": True}, Outcome.UNVERIFIED),
        ("/unauthorized", {}, Outcome.UNCHECKED),
        ("/unauthorized", {"refusal_is_dead": True}, Outcome.DEAD),
        ("/too-many", {}, Outcome.UNCHECKED),
        ("/too-many", {"refuse_scripts": frozenset({"localhost"})}, Outcome.UNVERIFIED),
        ("/too-many", {"refusal_is_dead": True}, Outcome.DEAD),
        # what is not a refusal is judged as always
        ("/404", {}, Outcome.DEAD),
        ("/404", {"refuse_scripts": frozenset({"localhost"})}, Outcome.DEAD),
        ("/busy", {"refusal_is_dead": True}, Outcome.UNCHECKED),
    ],
)
def test_refusals_are_judged_by_the_list_settings(server: LocalServer, path: str, settings: dict[str, object],
                                                  outcome: Outcome) -> None:
    url = server.url(path, "localhost")
    options = Options(**{**FAST.__dict__, **settings})  # type: ignore[arg-type]
    assert check_urls([url], options)[url].outcome is outcome


@pytest.mark.parametrize(
    ("host", "listed"),
    [("dl.acm.org", True), ("www.dl.acm.org", True), ("acm.org", False), ("evil-dl.acm.org", False),
     ("dl.acm.org.example", False), ("", False)],
)
def test_a_listed_host_covers_its_subdomains_only(host: str, listed: bool) -> None:
    assert refuses_scripts(host, frozenset({"dl.acm.org"})) is listed


def test_deadline_stops_the_run_and_leaves_the_rest_unchecked(server: LocalServer) -> None:
    urls = [server.url(f"/slow?t=3&n={n}") for n in range(8)]
    options = Options(**{**FAST.__dict__, "timeout": 10.0, "deadline": 0.6})
    results = check_urls(urls, options)
    # the run did not wait for the answers in flight (they would have said OK after 3 s),
    # and sent nothing more once the deadline came
    assert {r.outcome for r in results.values()} == {Outcome.UNCHECKED}
    assert len(server.requests()) == options.per_host
    assert all("deadline" in r.detail for r in results.values())


def test_concurrency_is_bounded_overall_and_per_host(server: LocalServer) -> None:
    urls = [server.url(f"/ok?t=0.1&n={n}", host) for n in range(12) for host in ("127.0.0.1", "localhost")]
    options = Options(timeout=5.0, concurrency=3, per_host=2, delay=0.0, retries=0, deadline=20.0)
    results = check_urls(urls, options)
    assert {r.outcome for r in results.values()} == {Outcome.OK}
    assert server.max_total == 3
    assert dict(server.max_per_host) == {"127.0.0.1": 2, "localhost": 2}


def test_requests_to_one_host_are_spaced_by_the_delay(server: LocalServer) -> None:
    urls = [server.url(f"/ok?n={n}", host) for n in range(12) for host in ("127.0.0.1", "localhost")]
    options = Options(timeout=5.0, concurrency=8, per_host=2, delay=0.05, retries=0, deadline=20.0)
    check_urls(urls, options)
    asked = {host: [t for t, h, _, _ in server.requests() if h == host] for host in ("127.0.0.1", "localhost")}
    # the two hosts are asked side by side, not one after the other
    assert asked["localhost"][0] < asked["127.0.0.1"][-1] and asked["127.0.0.1"][0] < asked["localhost"][-1]
    for host in ("127.0.0.1", "localhost"):
        starts = [t for t, h, _, _ in server.requests() if h == host]
        # 11 gaps of at least 0.05 s; the first request's own latency may eat into the span
        assert starts[-1] - starts[0] >= 11 * 0.05 - 0.1


def test_a_thousand_urls_within_the_deadline(server: LocalServer) -> None:
    hosts = ("127.0.0.1", "localhost")
    urls = [server.url(f"/dead/{n}" if n % 37 == 0 else f"/item/{n}?t=0.02", hosts[n % 2]) for n in range(1000)]
    options = Options(timeout=5.0, concurrency=16, per_host=8, delay=0.001, retries=1, deadline=30.0)
    results = check_urls(urls, options)
    dead = {url for url, r in results.items() if r.outcome is Outcome.DEAD}
    assert dead == {url for url in urls if "/dead/" in url}
    assert {r.outcome for url, r in results.items() if url not in dead} == {Outcome.OK}
    assert server.max_total <= 16
    assert max(server.max_per_host.values()) <= 8


def test_progress_is_rewritten_in_place() -> None:
    stream = io.StringIO()
    show = progress_printer(stream, every=0.0)
    for done, dead in ((1, 0), (2, 1), (3, 1)):
        show(done, 3, dead)
    assert stream.getvalue() == "\r checked 1/3, 0 dead\r checked 2/3, 1 dead\r checked 3/3, 1 dead"


# The command, on the mini list with its URLs pointed at the local server.

MINI_URLS = (
    "https://transformer-circuits.pub/2022/in-context-learning-and-induction-heads/index.html",
    "https://arxiv.org/abs/2211.00593",
    "https://openreview.net/forum?id=NpsVSN6o4ul",
    "https://www.lesswrong.com/posts/AcKRB8wDpdaN6v6ru/interpreting-gpt-the-logit-lens",
    "https://github.com/TransformerLensOrg/CircuitsVis",
)


def localize(project: Project, server: LocalServer, paths: tuple[str, ...]) -> None:
    """Replace the mini list's URLs, in the order of MINI_URLS, by paths on the server."""
    for file in project.entry_files():
        text = file.read_text(encoding="utf-8")
        for real, path in zip(MINI_URLS, paths, strict=True):
            text = text.replace(real, server.url(path))
        assert "https://" not in text
        file.write_text(text, encoding="utf-8")


def links(project: Project, *args: str) -> int:
    return cli.main(["--root", str(project.root), "links", "--delay", "0", "--timeout", "2", "--retries", "0", *args])


def test_problems_are_reported_at_the_line_of_the_url(mini: Project, server: LocalServer,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    localize(mini, server, ("/ok", "/404", "/moved", "/nohead", "/busy"))
    assert links(mini, "--format", "json") == 1
    out, err = capsys.readouterr()
    found = [(d["path"], d["line"], d["code"]) for d in json.loads(out)["diagnostics"]]
    assert found == [
        ("catalog/papers/ioi-circuit.yaml", 3, "E501"),
        ("catalog/papers/ioi-circuit.yaml", 9, "W501"),
        ("catalog/tools/circuitsvis.yaml", 3, "W502"),
    ]
    assert err == ""  # no progress when standard error is not a terminal
    assert links(mini, "--format", "github") == 1
    assert "::error file=catalog/papers/ioi-circuit.yaml,line=3," in capsys.readouterr().out


def test_cache_spares_the_hosts_while_fresh(mini: Project, server: LocalServer, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    localize(mini, server, ("/ok?1", "/ok?2", "/moved", "/ok?3", "/ok?4"))
    cache = tmp_path / "links-cache.json"
    assert links(mini, "--cache", str(cache)) == 0
    asked = len(server.requests())
    first = capsys.readouterr().out
    assert asked > 0 and "W501" in first
    assert json.loads(cache.read_text(encoding="utf-8"))["version"] == 1
    assert links(mini, "--cache", str(cache)) == 0
    assert len(server.requests()) == asked
    assert "W501" in capsys.readouterr().out  # a cached redirect is still reported
    assert links(mini, "--cache", str(cache), "--max-age", "0") == 0
    assert len(server.requests()) == 2 * asked


def test_dead_links_are_not_cached(mini: Project, server: LocalServer, tmp_path: Path) -> None:
    localize(mini, server, ("/ok?1", "/404", "/ok?2", "/ok?3", "/ok?4"))
    cache = tmp_path / "links-cache.json"
    assert links(mini, "--cache", str(cache)) == 1
    assert links(mini, "--cache", str(cache)) == 1
    assert [r[2] for r in server.requests("/404")] == ["HEAD", "GET", "HEAD", "GET"]


@pytest.mark.parametrize("args", [["--concurrency", "0"], ["--per-host", "0"], ["--delay", "-1"], ["--timeout", "0"],
                                  *([f"--{name}={value}"] for name in ("delay", "timeout", "deadline", "max-age")
                                    for value in ("nan", "inf", "-inf"))])
def test_bad_limits_are_usage_errors(mini: Project, args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert links(mini, *args) == 2
    assert "must" in capsys.readouterr().err


def test_connections_to_one_host_are_reused() -> None:
    with serve(app, keep_alive=True) as running:
        urls = [running.url(f"/item/{i}") for i in range(40)]
        results = check_urls(urls, Options(timeout=2, concurrency=2, per_host=2, delay=0.0, retries=0))
        assert {r.outcome for r in results.values()} == {Outcome.OK}
        assert len(running.requests()) == 40
        assert len(running.connections) <= 4  # not one per URL


def test_links_go_through_the_proxy_named_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    def proxy(h: Handler, method: str) -> None:
        h.answer(200 if h.path.startswith("http://far.example/") else 502)

    with serve(proxy) as running:
        monkeypatch.setenv("HTTP_PROXY", running.url(""))
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        results = check_urls(["http://far.example/paper"], FAST)
    assert results["http://far.example/paper"].outcome is Outcome.OK  # far.example does not resolve here
    assert [r[3] for r in running.requests()] == ["http://far.example/paper"]


def _settings(project: Project, server: LocalServer, text: str) -> None:
    """Append a ``links:`` block to the list's settings; ``{server}`` is the server's address."""
    settings = project.catalog_dir / "list.yaml"
    block = text.replace("{server}", server.url("")).replace("{host}", "127.0.0.1")
    settings.write_text(settings.read_text(encoding="utf-8") + block, encoding="utf-8")


@pytest.mark.parametrize(
    ("settings", "code", "found", "said"),
    [
        ("", 0, [("catalog/papers/ioi-circuit.yaml", 3, "W502")],
         "hint: if 127.0.0.1 refuses every script, add it to links.refuse_scripts in catalog/list.yaml; else it is "
         "checked again next run"),
        ("links:\n  refuse_scripts: [{host}]\n", 0, [], "5 URLs, 0 of them from the cache"),
        ("links:\n  refusal_is_dead: true\n", 1, [("catalog/papers/ioi-circuit.yaml", 3, "E501")],
         "hint: if 127.0.0.1 refuses every script, add it to links.refuse_scripts in catalog/list.yaml\n"),
        ("links:\n  skip: [{server}/forbidden]\n", 0, [], "4 URLs (and 1 skipped by the list's settings), "
         "0 of them from the cache: no problems found"),
    ],
    ids=["default", "refuse-scripts", "refusal-is-dead", "skip"],
)
def test_the_list_settings_decide_what_a_refusal_means(
        mini: Project, server: LocalServer, capsys: pytest.CaptureFixture[str], settings: str, code: int,
        found: list[tuple[str, int, str]], said: str) -> None:
    localize(mini, server, ("/ok", "/forbidden", "/ok?2", "/ok?3", "/ok?4"))
    _settings(mini, server, settings)
    assert links(mini, "--format", "json") == code
    assert [(d["path"], d["line"], d["code"]) for d in json.loads(capsys.readouterr().out)["diagnostics"]] == found
    assert links(mini) == code
    assert said in capsys.readouterr().out
    asked = len(server.requests("/forbidden"))
    assert asked == (0 if "skip" in settings else 4)  # HEAD then GET, in each of the two runs


def test_a_cached_refusal_is_asked_again_once_the_host_is_no_longer_listed(
        mini: Project, server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    localize(mini, server, ("/ok", "/forbidden", "/ok?2", "/ok?3", "/ok?4"))
    cache = tmp_path / "links-cache.json"
    before = (mini.catalog_dir / "list.yaml").read_text(encoding="utf-8")
    _settings(mini, server, "links:\n  refuse_scripts: [{host}]\n")
    assert links(mini, "--cache", str(cache)) == 0
    capsys.readouterr()
    (mini.catalog_dir / "list.yaml").write_text(before, encoding="utf-8")
    assert links(mini, "--cache", str(cache), "--format", "json") == 0
    assert [d["code"] for d in json.loads(capsys.readouterr().out)["diagnostics"]] == ["W502"]
    assert len(server.requests("/forbidden")) == 4  # HEAD and GET in each run: not answered from the cache


def test_offline_links_are_unchecked_not_dead(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """No request reaches any server (no host resolves, see ``_offline``): said once,
    links unchecked, exit 2."""
    assert links(mini, "--format", "json") == 2
    out, err = capsys.readouterr()
    assert {d["code"] for d in json.loads(out)["diagnostics"]} == {"W502"}
    assert err.count("no request reached the network") == 1


def test_one_answer_means_the_network_is_there(mini: Project, server: LocalServer,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    localize(mini, server, ("/ok", "/ok?2", "/ok?3", "/ok?4", "/ok?5"))
    first = mini.catalog_dir / "papers" / "induction-heads.yaml"
    first.write_text(first.read_text(encoding="utf-8").replace(server.url("/ok"), "http://gone.invalid/x"),
                     encoding="utf-8")
    assert links(mini, "--format", "json") == 1
    out, err = capsys.readouterr()
    assert [d["code"] for d in json.loads(out)["diagnostics"]] == ["E501"]
    assert "no request reached" not in err
