"""The web page in a real browser: headless Chromium driven by Playwright.

The page is generated at test time from the shipped catalog (and, for the hostile test,
from mini plus tests/export/hostile), served from 127.0.0.1, and every request that
leaves the loopback address is blocked and reported. Expected results are computed in
Python from the catalog. Screenshots are written for people to look at, into
``$AWESOME_CATALOG_SCREENSHOTS`` or else a folder under the system's temporary folder,
never into the repository. Skipped, with the reason, where Chromium or Playwright is missing
(``apt-get install chromium``; Playwright's own browser download is not used).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from awesome_catalog.cli import main
from awesome_catalog.core.model import Catalog, Entry
from awesome_catalog.core.project import Project
from conftest import REPO
from test_export import catalog_of, hostile_project

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install playwright")

pytestmark = pytest.mark.browser

ARTIFACTS = Path(os.environ.get("AWESOME_CATALOG_SCREENSHOTS") or tempfile.gettempdir()) / "awesome-catalog-screenshots"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VISIBLE_WORKS = "els => els.filter(e => !e.hidden).map(e => e.id.slice('work-'.length))"


def find_chromium() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Catalog]]]:
    """Pages built from the shipped catalog and from the hostile fixture, served on loopback."""
    root = tmp_path_factory.mktemp("sites")
    projects = {"shipped": Project(REPO), "hostile": hostile_project(root / "hostile-list")}
    catalogs = {}
    for name, project in projects.items():
        assert main(["--root", str(project.root), "site", "-o", str(root / name)]) == 0, f"{name} page not built"
        catalogs[name] = catalog_of(project)
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", catalogs
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no Chromium installed: apt-get install chromium")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Session:
    """A fresh browser page that blocks and records every request off the loopback
    address, and records dialogs, console errors and script errors."""

    def __init__(self, browser: Any, base: str, width: int = 1280, height: int = 900) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("dialog", self._dialog)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(self.base + "/"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, site: str, query: str = "") -> Any:
        self.page.goto(f"{self.base}/{site}/index.html" + (f"?{query}" if query else ""))
        self.page.wait_for_function("document.documentElement.classList.contains('js')")
        return self.page

    def visible(self) -> set[str]:
        return set(self.page.eval_on_selector_all("li.work", VISIBLE_WORKS))

    def count(self) -> str:
        return str(self.page.text_content("#count"))


@pytest.fixture
def session(browser: Any, site_root: tuple[str, dict[str, Catalog]]) -> Iterator[Session]:
    opened = Session(browser, site_root[0])
    yield opened
    opened.context.close()
    assert opened.blocked == [], "the page tried to reach the network"
    assert opened.errors == [], "the page logged errors"


@pytest.fixture
def shipped(site_root: tuple[str, dict[str, Catalog]]) -> Catalog:
    return site_root[1]["shipped"]


def technique_ids(entry: Entry) -> set[str]:
    return {ref.id for a in entry.appearances for ref in a.terms("techniques") or ()}


def search_text(entry: Entry) -> str:
    return " ".join([entry.title, *entry.authors, entry.venue or "", *(a.summary for a in entry.appearances)]).lower()


def works_with(catalog: Catalog, keep: Callable[[Entry], bool]) -> set[str]:
    return {e.id for e in catalog.entries if keep(e)}


def techniques_by_use(catalog: Catalog) -> list[str]:
    """Technique ids used by some work, most used first (ties by id)."""
    uses = Counter(t for e in catalog.entries for t in technique_ids(e))
    return sorted(uses, key=lambda t: (-uses[t], t))


def common_title_word(catalog: Catalog) -> str:
    """An ASCII word of the titles that some works contain and others do not."""
    words: Counter[str] = Counter(w for e in catalog.entries for w in set(re.findall(r"[a-z]{6,}", e.title.lower())))
    total = len(catalog.entries)
    return min((w for w, n in words.items() if n < total), key=lambda w: (-words[w], w))


@pytest.mark.parametrize("pick", [0, -1], ids=["most-used", "least-used"])
def test_filtering_by_a_technique_shows_exactly_the_works_that_use_it(session: Session, shipped: Catalog,
                                                                      pick: int) -> None:
    technique = techniques_by_use(shipped)[pick]
    expected = works_with(shipped, lambda e: technique in technique_ids(e))
    page = session.open("shipped")
    assert session.count() == f"{len(shipped.entries)} of {len(shipped.entries)} works"
    page.select_option("#f-techniques", technique)
    assert session.visible() == expected
    assert session.count() == f"{len(expected)} of {len(shipped.entries)} works"
    assert parse_qs(urlsplit(page.url).query) == {"techniques": [technique]}


def test_search_narrows_and_combines_with_a_technique(session: Session, shipped: Catalog) -> None:
    word = common_title_word(shipped)
    matching = works_with(shipped, lambda e: word in search_text(e))
    page = session.open("shipped")
    page.fill("#f-q", word.upper())
    assert session.visible() == matching
    assert 0 < len(matching) < len(shipped.entries)
    by_id = {e.id: e for e in shipped.entries}
    uses = Counter(t for w in matching for t in technique_ids(by_id[w]))
    technique = min(uses, key=lambda t: (-uses[t], t))  # the one most used among the matches
    page.select_option("#f-techniques", technique)
    assert session.visible() == {w for w in matching if technique in technique_ids(by_id[w])}


def test_the_url_restores_filters_and_results(session: Session, browser: Any, shipped: Catalog) -> None:
    page = session.open("shipped")
    technique = techniques_by_use(shipped)[0]
    years = sorted({e.year for e in shipped.entries if e.year is not None})
    page.select_option("#f-techniques", technique)
    page.select_option("#f-from", str(years[len(years) // 2]))
    page.fill("#f-q", "the")
    shown = session.visible()
    url = page.url
    assert parse_qs(urlsplit(url).query) == {"techniques": [technique], "from": [str(years[len(years) // 2])],
                                             "q": ["the"]}
    other = Session(browser, session.base)
    try:
        reopened = other.page
        reopened.goto(url)
        reopened.wait_for_function("document.documentElement.classList.contains('js')")
        assert reopened.input_value("#f-techniques") == technique
        assert reopened.input_value("#f-q") == "the"
        assert other.visible() == shown
        assert other.count() == session.count()
    finally:
        other.context.close()


def test_unknown_values_in_the_url_are_ignored(session: Session, shipped: Catalog) -> None:
    page = session.open("shipped", "techniques=no-such-technique&section=%3Cscript%3E")
    assert page.input_value("#f-techniques") == "" and page.input_value("#f-section") == ""
    assert len(session.visible()) == len(shipped.entries)
    assert urlsplit(page.url).query == ""


def test_a_technique_tag_in_the_list_filters_by_it(session: Session, shipped: Catalog) -> None:
    page = session.open("shipped")
    tag = page.locator("a.tag-techniques").first
    technique = str(tag.get_attribute("data-value"))
    tag.click()
    assert page.input_value("#f-techniques") == technique
    assert session.visible() == works_with(shipped, lambda e: technique in technique_ids(e))


def test_filters_work_from_the_keyboard(session: Session, shipped: Catalog) -> None:
    page = session.open("shipped")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-q"
    word = common_title_word(shipped)
    page.keyboard.type(word)
    assert session.visible() == works_with(shipped, lambda e: word in search_text(e))
    page.focus("#f-reset")
    page.keyboard.press("Enter")
    assert len(session.visible()) == len(shipped.entries)
    assert page.evaluate("document.activeElement.id") == "f-q"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "keyboard focus must be visible"


def test_hostile_catalog_text_shows_as_text_and_runs_nothing(session: Session,
                                                             site_root: tuple[str, dict[str, Catalog]]) -> None:
    hostile = next(e for e in site_root[1]["hostile"].entries if e.id == "hostile-markup")
    page = session.open("hostile")
    assert page.text_content("#title-hostile-markup") == hostile.title
    assert hostile.appearances[0].summary in str(page.text_content("#work-hostile-markup"))
    page.fill("#f-q", "pwned")
    assert session.visible() == {"hostile-markup"}
    assert page.locator("#work-hostile-markup img, #work-hostile-markup script, #work-hostile-markup b").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert session.dialogs == []


@pytest.mark.parametrize(("width", "name"), [(1280, "site.png"), (375, "site-phone.png")])
def test_page_fits_the_screen_and_a_screenshot_is_saved(browser: Any, site_root: tuple[str, dict[str, Catalog]],
                                                        shipped: Catalog, width: int, name: str) -> None:
    session = Session(browser, site_root[0], width=width, height=900)
    try:
        page = session.open("shipped", f"techniques={techniques_by_use(shipped)[0]}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
        assert page.is_visible("#f-techniques") and page.is_visible("#count")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / name))
        assert session.blocked == [] and session.errors == []
    finally:
        session.context.close()
