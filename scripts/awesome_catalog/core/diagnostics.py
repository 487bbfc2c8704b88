"""Problems as values: the ``Diagnostic`` record, the table of stable codes, and exit codes.

Every stage returns diagnostics instead of raising, so one run reports every problem.
``exit_code`` is the one place that turns results into the process's exit status.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum


class Severity(StrEnum):
    """How bad a problem is; warnings fail only under ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


# code -> (name, what it means). Stable: never renumber, only add. docs/codes.md mirrors it.
CODES: dict[str, tuple[str, str]] = {
    # Files and YAML
    "E101": ("not-utf8", "The file is not valid UTF-8 text (binary data or another encoding)."),
    "E102": ("yaml-syntax", "The file is not valid YAML."),
    "E103": ("duplicate-key", "A mapping has the same key twice; YAML would silently keep the last."),
    "E104": ("unsafe-tag", "A YAML tag such as !!python/object, !!binary or !!str;"
                           " catalog files hold plain data only."),
    "E105": ("yaml-alias", "A YAML anchor or alias; catalog files must spell out every value."),
    "E106": ("empty-file", "The file is empty or holds only comments."),
    "E107": ("not-a-mapping", "The top level of the file is not a mapping of keys to values."),
    "E108": ("file-too-large", "The file is larger than any catalog file needs to be."),
    "E109": ("too-deep", "The file nests values deeper than any catalog file needs."),
    "E110": ("bad-file-name", "The file name is not a valid id: lowercase kebab-case ending in .yaml."),
    "E111": ("outside-catalog", "A symbolic link leads outside the catalog folder."),
    "E112": ("missing-file", "A required file (taxonomy, vocabulary or schema) is missing or unreadable."),
    "E113": ("control-character", "A control character (escape, NUL, bell, DEL...), a bidi control"
                                  " or a stray byte order mark."),
    "E114": ("invisible-text", "A text that shows nothing: only spaces or invisible characters"
                               " such as a zero-width space."),
    "E115": ("key-not-text", "A key that YAML reads as a number, true/false, null or a list instead of text."),
    "E116": ("number-too-long", "A number longer than any catalog number (a year has 4 digits)."),
    "E117": ("merge-key", "A YAML merge key `<<`, which can hide a repeated key."),
    "E118": ("not-regular-file", "A catalog file is a folder, a named pipe, a socket or a device; it is not read."),
    "E119": ("misplaced-file", "A file or folder where the tool reads nothing: YAML directly in catalog/, a folder "
                               "inside an entry folder."),
    "E120": ("bad-schema", "A schema is not a valid JSON Schema, or a $ref leads outside schema/ (never fetched)."),
    # Schema
    "E201": ("missing-key", "A required key is missing."),
    "E202": ("unknown-key", "A key the schema does not allow."),
    "E203": ("wrong-type", "A value has the wrong type."),
    "E204": ("invalid-value", "A value does not have the allowed form (pattern, length, choices)."),
    "E205": ("unquoted-arxiv", "An arXiv id written as a number, which YAML reads as a float."),
    "E206": ("bad-url", "A URL that is not http(s) (javascript:, data:), cannot be read, or holds a password."),
    # Rules across files
    "E301": ("unknown-section", "An appearance names a section that is not in the taxonomy, or one that holds no"
                                " items."),
    "E302": ("unknown-term", "A term of a tag set (a technique, an evaluation, a licence...) that is not in the"
                             " vocabulary."),
    "E303": ("missing-column", "An appearance lacks a column its section shows."),
    "E304": ("extra-column", "An appearance gives a column its section does not show."),
    "E305": ("duplicate-work", "Two files describe the same work (same arXiv id, URL or title)."),
    "E306": ("url-two-titles", "One URL is used for two different works."),
    "E307": ("repeated-section", "A work appears twice in the same section."),
    "E308": ("duplicate-id", "Two sections or two terms share an id or an alias."),
    "E309": ("duplicate-summary", "Two appearances share the same summary text."),
    "E310": ("unknown-reference", "A vocabulary term or a nested item points at an entry that does not exist."),
    "E311": ("placeholder", "A placeholder left by `awesome-catalog new` has not been replaced."),
    "E312": ("unknown-column", "A section shows a column that is neither built in nor a tag set of the list."),
    "W301": ("unused-section", "A taxonomy section that no work uses."),
    "W302": ("paper-without-authors", "A paper or report (or a tool cited as its paper) has no `authors`."),
    "W303": ("summary-style", "A summary does not start with a capital letter or does not end with punctuation."),
    "W304": ("summary-repeats-title", "A summary starts with the work's own title."),
    "W305": ("name-spelling", "A title or summary spells a product's or project's name otherwise than awesome-lint's"
                              " word list (javascript, Github, MacOS...)."),
    "W306": ("unbalanced-punctuation", "A title or summary opens a bracket, parenthesis or quote it does not close,"
                                       " or closes one it did not open."),
    "W307": ("duplicate-link", "A link the README would show twice: twice in one work, in two works that"
                               " awesome-lint counts as one link, or in each section of a work repeated across"
                               " sections."),
    # README
    "E401": ("readme-missing", "README.md does not exist."),
    "E402": ("readme-not-utf8", "README.md is not valid UTF-8 text."),
    "E403": ("marker-missing", "A generated region's start or end marker is missing."),
    "E404": ("marker-repeated", "A marker appears more than once."),
    "E405": ("marker-order", "Markers are out of order or nested."),
    "E406": ("readme-stale", "A generated region differs from what `generate` writes."),
    "E407": ("broken-anchor", "A #anchor link points at no heading."),
    "E408": ("marker-in-code", "A marker sits inside a code block, where it is only text."),
    "E409": ("readme-cr-only", "README.md's line endings are CR only, so no line (and no marker) can be told apart."),
    "W401": ("marker-near-miss", "A line looks like a marker but is not one (case, spaces, text, a quote or list)."),
    # Links
    "E501": ("dead-link", "A URL is dead: 404 or 410, a host that does not resolve, or no answer on every try."),
    "W501": ("permanent-redirect", "A URL redirects permanently: the link should name the new address."),
    "W502": ("link-unchecked", "A URL could not be checked: busy server, server error, a refusal (401, 403, 429), "
             "or the deadline came."),
}


@dataclass(frozen=True)
class Diagnostic:
    """One problem at one place. ``line`` and ``column`` are 1-based; 0 means unknown."""

    path: str
    line: int
    column: int
    code: str
    message: str
    hint: str | None = None
    level: str = ""
    """``error`` or ``warning`` when the list's settings change the code's own severity."""

    @property
    def severity(self) -> Severity:
        if self.level:
            return Severity(self.level)
        return Severity.WARNING if self.code.startswith("W") else Severity.ERROR

    @property
    def name(self) -> str:
        return CODES[self.code][0]

    def as_tuple(self) -> tuple[str, int, int, str, str, str | None, str]:
        """The fields in order, as plain data: ``Diagnostic(*d.as_tuple()) == d``."""
        return (self.path, self.line, self.column, self.code, self.message, self.hint, self.level)


RULE_LEVELS = ("error", "warning", "off")
"""What a list may make of a rule in its settings (``rules:`` in catalog/list.yaml)."""


CONTENT_ERRORS = ("E305", "E309")
"""Errors on the content, not the shape, that a list may lower: two works of one title
(in a list of projects, two may share a name) and two equal summaries."""


def configurable_rules() -> dict[str, str]:
    """The rules a list may make errors, warnings or turn off, by name: the warnings on
    the content of the catalog (W3xx) and ``CONTENT_ERRORS``. Other errors keep the
    catalog readable and its works distinct, so no setting lowers them."""
    return {name: code for code, (name, _) in CODES.items() if code.startswith("W3") or code in CONTENT_ERRORS}


def apply_levels(diagnostics: Iterable[Diagnostic], levels: Mapping[str, str]) -> list[Diagnostic]:
    """``diagnostics`` as the list's settings want them: ``levels`` maps a rule's name
    (see ``configurable_rules``; other names change nothing) to ``error``, ``warning`` or
    ``off``; the diagnostics of other rules are kept as they are."""
    wanted = {code: levels[name] for name, code in configurable_rules().items() if name in levels}
    if not wanted:
        return list(diagnostics)
    kept = []
    for d in diagnostics:
        level = wanted.get(d.code)
        if level == "off":
            continue
        if level is not None and level != d.severity.value:
            d = replace(d, level=level)
        kept.append(d)
    return kept


def plural(n: int, word: str) -> str:
    """``n`` and ``word``, in the plural unless ``n`` is 1: "1 file", "3 files", "2 entries"."""
    if n == 1:
        return f"{n} {word}"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u", ""):
        return f"{n} {word[:-1]}ies"
    return f"{n} {word}s"


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    """Diagnostics are reported by file, then position, then code."""
    return (d.path, d.line, d.column, d.code)


def in_order(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics in one order that depends on nothing but their values (by file,
    position, code, then text), so that two runs finding the same problems in another
    order report them alike."""
    return sorted(diagnostics, key=lambda d: (*sort_key(d), d.message, d.hint or "", d.level))


EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class Refusal(Exception):
    """Why a command writes nothing; ``code`` is the exit status, ``hint`` how to go on."""

    def __init__(self, message: str, code: int = EXIT_USAGE, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.code, self.hint = message, code, hint


def exit_code(diagnostics: Iterable[Diagnostic], *, strict: bool = False) -> int:
    """0 when clean (warnings allowed unless ``strict``), 1 when any problem counts."""
    for d in diagnostics:
        if strict or d.severity is Severity.ERROR:
            return EXIT_PROBLEMS
    return EXIT_OK
