"""awesome-lint's spell-check word list, vendored, and the rule as ``check`` applies it (W305).

The list is read at run time from ``core/spell_check_rules.json``; the test that it equals
the pinned awesome-lint's own skips, saying why, where node or the package is absent.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awesome_catalog.core import spelling
from awesome_catalog.core.spelling import misspellings, source

REPO = Path(__file__).resolve().parent.parent
LINT = REPO / "tests" / "awesome-lint"


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (LINT / "node_modules" / "awesome-lint" / "package.json").exists():
        return "awesome-lint is not installed: run `npm ci --prefix tests/awesome-lint`"
    return None


@pytest.mark.skipif(_missing() is not None, reason=_missing() or "")
def test_vendored_word_list_is_the_installed_awesome_lints() -> None:
    done = subprocess.run(["node", str(LINT / "spell-check-rules.mjs")], cwd=LINT, capture_output=True, text=True,
                          timeout=60, check=True)
    installed = json.loads(done.stdout)
    vendored = source()
    assert (vendored["version"], vendored["rules"]) == (installed["version"], installed["rules"])
    assert installed["license"] == "MIT" and vendored["licence"].startswith("MIT")  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "expected"), [
    ("Written in javascript and typescript for the web", [("javascript", "JavaScript"), ("typescript", "TypeScript")]),
    ("Hosted on github", [("github", "GitHub")]),
    ("Runs on macos and Github too", [("macos", "macOS"), ("Github", "GitHub")]),
    ("A node.js server", [("node.js", "Node.js")]),
    ("built with   parcel bundler", [("parcel", "Parcel")]),  # a look-behind of variable width
    ("A parcel of works", []),  # the word alone is no name
    ("JavaScript, GitHub and macOS", []),
    ("The javascript-parser and my_javascript module", []),  # touching - or _ is another name
    ("See https://github.com/javascript for more", []),  # URLs are left out
], ids=lambda v: v if isinstance(v, str) else None)
def test_names_spelt_otherwise(text: str, expected: list[tuple[str, str]]) -> None:
    found = misspellings(text)
    assert [(m.found, m.correct) for m in found] == expected
    assert all(text[m.start:m.end] == m.found for m in found)


_words_of_rules = sorted({w for rule in spelling._rules() for w in re.findall(r"[\w#+.]+", rule.correct)}
                         | {"os", "x", "mac", "js", "on", "the", "using", "python", "programming", "language"})
_pieces = st.one_of(st.sampled_from(_words_of_rules), st.sampled_from(_words_of_rules).map(str.lower),
                    st.sampled_from(_words_of_rules).map(str.upper), st.text(max_size=6),
                    st.sampled_from([" ", ", ", ".", "-", "_", "https://x.org/a", "(", ")", "`"]))


@settings(max_examples=400, deadline=None)
@given(texts=st.lists(st.lists(_pieces, max_size=12).map(" ".join), min_size=1, max_size=5))
def test_the_fast_spell_check_finds_what_trying_every_rule_finds(texts: list[str]) -> None:
    assert spelling.misspellings_in(texts) == [spelling.each_rule(text) for text in texts]


# Halves of the rules' words, so that a name may be cut between two texts (which the fast
# check searches joined by a NUL), or written whole inside one; NUL inside a text too.
_halves = st.sampled_from(_words_of_rules).flatmap(
    lambda w: st.integers(0, len(w)).map(lambda cut: (w[:cut], w[cut:])))
_glued = st.lists(st.one_of(_halves.map(lambda h: h[0]), _halves.map(lambda h: h[1]), _pieces, st.just("\0")),
                  max_size=8)


@settings(max_examples=400, deadline=None)
@given(texts=st.lists(st.tuples(_glued, st.sampled_from(["", " ", "\0"])).map(lambda t: t[1].join(t[0])),
                      min_size=1, max_size=6))
def test_names_cut_between_two_texts_are_found_in_neither(texts: list[str]) -> None:
    assert spelling.misspellings_in(texts) == [spelling.each_rule(text) for text in texts]


@pytest.mark.parametrize("texts", [
    ["on git", "hub pages"], ["uses mac", "os x"], ["scal", "a code"], ["c+", "+ and c", "# too"],
    ["git\0hub and macos\0", "github"], ["", "javascript", ""], ["os", "x", "osx"],
], ids=repr)
def test_texts_searched_together_give_what_each_gives_alone(texts: list[str]) -> None:
    assert spelling.misspellings_in(texts) == [spelling.misspellings(text) for text in texts] \
        == [spelling.each_rule(text) for text in texts]
