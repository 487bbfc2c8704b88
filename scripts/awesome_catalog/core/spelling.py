"""Names of products and projects spelt as awesome-lint's ``awesome-spell-check`` rule wants.

The word list is awesome-lint's own (``lib/spell-check-rules.js``, MIT licence), vendored as
``spell_check_rules.json`` beside this module so that no node is needed at run time; the
file names its source and version, and a test keeps it equal to the pinned package.

The rule is ported as awesome-lint applies it to one text of the README: the text is cut
at white space, pieces that are URLs are left out, and the rest is joined with single
spaces. Each rule's tests are tried in order; a match that is already the right spelling,
or that touches ``-``, ``_`` or ``.``, does not count. awesome-lint stops at the first
wrong match of each rule; ``misspellings`` returns every one, so that a fix corrects them
all at once. JavaScript regular expressions become Python ones: ``\\b`` and ``\\s`` over
ASCII as in JavaScript without the ``u`` flag, and the leading look-behind of a rule
(``(?<=\\busing\\s+)parcel\\b``, of variable width, which Python's ``re`` refuses) becomes
a check of the text before the match.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

_DATA = "spell_check_rules.json"
_WORD_BREAK = frozenset("-_.")
"""Characters next to a match that make it part of another name (``awesome_package``, ``.NET``)."""
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S*$")
"""What ``new URL()`` accepts, near enough: a scheme, a colon, anything without spaces."""


@dataclass(frozen=True)
class Misspelling:
    """A name spelt otherwise than awesome-lint wants: ``text[start:end]`` is ``found``."""

    start: int
    end: int
    found: str
    correct: str


_FLAGS = re.ASCII | re.IGNORECASE


@dataclass(frozen=True)
class _Test:
    """One test of a rule, compiled on first use (a run of ``check`` on a few files tries
    few of the 236 rules)."""

    source: str
    before_source: str | None  # a look-behind, checked on the text before the match

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.source, _FLAGS)

    @cached_property
    def before(self) -> re.Pattern[str] | None:
        return re.compile(f"(?:{self.before_source})\\Z", _FLAGS) if self.before_source else None


@dataclass(frozen=True)
class _Rule:
    correct: str
    tests: tuple[_Test, ...]


def source() -> dict[str, object]:
    """The vendored file as data: its source, version, licence and rules."""
    text = Path(__file__).with_name(_DATA).read_text(encoding="utf-8")  # installed beside this module
    data: dict[str, object] = json.loads(text)
    return data


def _split_lookbehind(pattern: str) -> tuple[str | None, str]:
    """``(?<=X)Y`` as (``X``, ``Y``); (None, pattern) without a leading look-behind."""
    if not pattern.startswith("(?<="):
        return None, pattern
    depth, i = 1, 4
    while i < len(pattern) and depth:
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        i += 1
    return pattern[4:i - 1], pattern[i:]


def _test(spec: object) -> _Test:
    if isinstance(spec, str):  # a whole word, in any case
        return _Test(rf"\b{re.escape(spec)}\b", None)
    assert isinstance(spec, dict) and set(spec["flags"]) <= set("gi"), spec
    before, body = _split_lookbehind(spec["source"])
    return _Test(body, before)


@cache
def _rules() -> tuple[_Rule, ...]:
    rules = source()["rules"]
    assert isinstance(rules, list)
    return tuple(_Rule(r["value"], tuple(_test(t) for t in r["test"])) for r in rules)


def _words(text: str) -> tuple[str, list[int]]:
    """The text as awesome-lint reads it (pieces without URLs, joined by one space) and,
    for each of its characters, where it comes from in ``text``."""
    out: list[str] = []
    where: list[int] = []
    for piece in re.finditer(r"\S+", text):
        if _URL.match(piece[0]):
            continue
        if out:
            out.append(" ")
            where.append(piece.start() - 1)
        out.append(piece[0])
        where.extend(range(piece.start(), piece.end()))
    return "".join(out), where


def _fragments(pattern: str) -> tuple[str, ...] | None:
    """Lowercased runs of plain characters that every match of ``pattern`` holds, read from
    its top-level sequence (``\\bafter\\s?effects\\b`` gives ``("after", "effects")``);
    None when the pattern has none (a group or an alternation at its top)."""
    try:
        from re import _parser  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - another Python: always try the rule
        return None
    runs: list[str] = []
    current: list[str] = []
    for op, value in _parser.parse(pattern, _FLAGS):
        if op is _parser.LITERAL:
            current.append(chr(value))
            continue
        if current:
            runs.append("".join(current).lower())
            current = []
        if op is _parser.AT:  # \b, ^, $: they hold no character
            continue
        if op not in (_parser.IN, _parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.ASSERT, _parser.ASSERT_NOT,
                      _parser.ANY, _parser.SUBPATTERN, _parser.BRANCH, _parser.CATEGORY, _parser.NOT_LITERAL):
            return None
    if current:
        runs.append("".join(current).lower())
    return tuple(r for r in runs if r.strip()) or None


_SEPARATOR = "\0"
"""Between the texts when they are searched as one: no run of a rule holds it (``_triggers``
makes sure), so a run found there lies inside one text."""


def _pieces(runs: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """``runs`` cut at white space and at the separator (no rule has such a run today), so
    that each lies inside one piece of one text; None when nothing is left."""
    if runs is None:
        return None
    return tuple(piece for run in runs for piece in run.replace(_SEPARATOR, " ").split()) or None


@cache
def _triggers() -> tuple[tuple[tuple[tuple[str, ...], ...] | None, _Rule], ...]:
    """Each rule with, for each of its tests, the runs of characters every match holds: a
    text can hold a wrong spelling only if it holds every run of one test (None: a test
    has no such run, so the rule is always tried)."""
    out = []
    for rule in _rules():
        runs = [_pieces(_fragments(test.source)) for test in rule.tests]
        out.append((None if None in runs else tuple(r for r in runs if r is not None), rule))
    return tuple(out)


def misspellings(text: str) -> list[Misspelling]:
    """Every name in ``text`` that awesome-lint's word list spells otherwise, in order."""
    return misspellings_in([text])[0]


def misspellings_in(texts: Sequence[str]) -> list[list[Misspelling]]:
    """``misspellings`` of each text, at the cost of a few scans of them all.

    A rule is tried on a text only when the text holds every run of plain characters of
    one of its tests. Which rules can match at all is found once, on the distinct pieces
    (between white space) of all the texts: a catalog names few of the 236 projects. The
    texts that hold a live rule's runs are then found by searching all the texts, joined,
    for one run of each test, and only those texts are tried. The result is the one
    ``each_rule`` gives, as the tests show."""
    lowered = [text.lower() for text in texts]
    joined = _SEPARATOR.join(lowered)
    starts = [0]
    for lower in lowered:
        starts.append(starts[-1] + len(lower) + 1)  # starts[-1]: past the end, as if a text followed
    # a run (no white space in it, see _triggers) lies inside one piece of a text between
    # white space: looking for it among the distinct pieces is as good as looking in every
    # text, and quicker
    pieces = _SEPARATOR.join(set(joined.split()))
    holding: dict[str, list[int]] = {}  # run -> the texts that hold it, for runs searched
    chosen: dict[int, list[_Rule]] = {}  # text -> the rules to try on it, for texts that have any
    for runs, rule in _triggers():
        if runs is None:
            holders: Iterable[int] = range(len(texts))
        else:
            found: set[int] = set()
            for test in runs:
                if all(run in pieces for run in test):
                    # the run that seems rarest (fewest distinct pieces hold it) is searched in
                    # every text, the others only in the texts that hold it
                    key = min(test, key=lambda run: (pieces.count(run), -len(run)))
                    if key not in holding:
                        holding[key] = _holding(key, joined, starts)
                    found.update(i for i in holding[key] if all(run in lowered[i] for run in test))
            holders = sorted(found)
        for i in holders:
            chosen.setdefault(i, []).append(rule)
    result: list[list[Misspelling]] = [[] for _ in texts]
    for i, rules in chosen.items():
        # whether a test matches at all, on the text as awesome-lint reads it
        text = texts[i]
        pieces_of_text = text.split()
        value = " ".join(pieces_of_text if ":" not in text  # a URL has a colon
                         else (piece for piece in pieces_of_text if not _URL.match(piece)))
        tried = tuple(rule for rule in rules if any(test.pattern.search(value) for test in rule.tests))
        if tried:
            result[i] = each_rule(text, tried)
    return result


def _holding(run: str, joined: str, starts: list[int]) -> list[int]:
    """The index of each text that holds ``run``, the texts being ``joined`` by the
    separator and beginning at ``starts``."""
    found = []
    at = joined.find(run)
    while at >= 0:
        i = bisect_right(starts, at) - 1
        found.append(i)
        at = joined.find(run, starts[i + 1])
    return found


def each_rule(text: str, rules: tuple[_Rule, ...] | None = None) -> list[Misspelling]:
    """``misspellings`` the careful way: every rule (or those of ``rules``) tried on the
    text as awesome-lint reads it."""
    value, where = _words(text)
    if not value:
        return []
    found: list[Misspelling] = []
    for rule in _rules() if rules is None else rules:
        for test in rule.tests:
            hits = []
            for match in test.pattern.finditer(value):
                if match[0] == rule.correct:
                    continue
                start, end = match.span()
                if (start > 0 and value[start - 1] in _WORD_BREAK) or (end < len(value) and value[end] in _WORD_BREAK):
                    continue
                if test.before is not None and not test.before.search(value, 0, start):
                    continue
                hits.append(Misspelling(where[start], where[end - 1] + 1, match[0], rule.correct))
            if hits:  # like awesome-lint, a rule's later tests are not tried once one has found
                found += hits
                break
    return sorted(found, key=lambda m: (m.start, -m.end))
