"""README stage: find the generated regions, rewrite their bodies, check the whole file.

A region is the lines between ``<!-- awesome-catalog:begin:NAME -->`` and
``<!-- awesome-catalog:end:NAME -->``, each marker alone on its line, for every NAME of
``render.REGIONS``. Only region bodies are ever rewritten; every other byte of the file,
markers included, is kept, and a body is written with the line ending of its begin
marker's line (so CRLF files stay CRLF). A marker inside a fenced code block is text, not
a marker, and is reported as such.

Anchors are numbered over the whole file in order, hand-written headings included, the
way GitHub numbers them; ``check_readme`` verifies every ``#anchor`` link against them.
"""

from __future__ import annotations

import difflib
import itertools
import re
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, AnyStr
from urllib.parse import unquote

from awesome_catalog.core.diagnostics import Diagnostic, Severity
from awesome_catalog.core.identity import visible
from awesome_catalog.core.project import Project, read_regular
from awesome_catalog.markdown import slug
from awesome_catalog.readme import render

MARKER = re.compile(r"^(?P<indent>[ \t]*)<!--\s*awesome-catalog:(?P<kind>begin|end):(?P<name>[^\s>]*)\s*-->\s*$")
_FENCE_OPEN = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_FENCE_CLOSE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})[ \t]*$")
_HTML_TARGET = re.compile(r"""\b(?:id|name)\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
STALE_HINT = "run `awesome-catalog generate`"
BOM = "\ufeff"  # a byte-order mark: kept in the file, never part of its first line's Markdown


def marker(kind: str, name: str) -> str:
    """The marker line (without line ending) that begins or ends region ``name``."""
    return f"<!-- awesome-catalog:{kind}:{name} -->"


@dataclass(frozen=True)
class Region:
    """A generated region: ``begin`` and ``end`` are the 0-based lines of its markers;
    ``open_start`` and ``open_end`` the offsets in the text where the begin marker's
    line starts and ends (after its line ending), ``close_start`` and ``close_end``
    those of the end marker's line."""

    name: str
    begin: int
    end: int
    open_start: int = 0
    open_end: int = 0
    close_start: int = 0
    close_end: int = 0


class MarkerError(Exception):
    """The markers are broken; ``diagnostics`` say which line is wrong."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} marker problem(s)")
        self.diagnostics = diagnostics


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` with their endings; only ``\\n`` ends a line."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


# Text that looks like a marker: the tool's name (in any case, spaced or not) and begin/end.
_NEAR = re.compile(r"awesome[\s_-]*catalog\s*:\s*(?:begin|end|start|stop)\b", re.IGNORECASE)
_NEAR_NAME = re.compile(r"awesome[\s_-]*catalog", re.IGNORECASE)
_QUOTE_OR_ITEM = re.compile(r"^[ \t]*(?:>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+)+")


@dataclass(frozen=True)
class NearMiss:
    """A line that looks like a marker but is not one: its 0-based index, the marker it
    was probably meant to be (kind and name, when they can be told) and what is wrong."""

    line: int
    kind: str
    name: str
    why: str


def _respelt(content: str) -> str:
    """A line that looks like a marker, with the tool's name, spaces and case made regular."""
    text = _NEAR_NAME.sub("awesome-catalog", content.lower())
    text = re.sub(r"\s*:\s*", ":", text)
    return re.sub(r"<!--\s*", "<!-- ", re.sub(r"\s*-->", " -->", text)).strip()


def _near_miss(i: int, content: str) -> NearMiss | None:
    """What is wrong with a line that is not a marker but looks like one, or None."""
    found = _NEAR.search(content)
    if found is None or content[:found.start()].count("`") % 2:  # inside `inline code`: text about markers
        return None
    for attempt, why in (
            (content.lower(), "it is not in lower case"),
            (_QUOTE_OR_ITEM.sub("", content), "it is inside a block quote or a list item, where it marks nothing"),
            (_respelt(content), "it has spaces or a different spelling inside"),
    ):
        match = MARKER.match(attempt)
        if match and match["name"] in render.REGIONS:
            return NearMiss(i, match["kind"], match["name"], why)
    inner = MARKER.pattern.strip("^$").replace("(?P<indent>[ \\t]*)", "")
    embedded = re.search(inner, content)
    if embedded and embedded["name"] in render.REGIONS:
        return NearMiss(i, embedded["kind"], embedded["name"], "it shares its line with other text")
    return NearMiss(i, "", "", "it does not have the marker's form")


_NOTABLE = ("<!--", "`", "~", "\u017f")
"""A line ``_scan`` acts on holds one of these or the tool's name in any case (``awesome``):
a marker holds ``<!--``, a fence a backtick or a tilde, a near miss the tool's name (the
long s, U+017F, is an ``s`` to ``re.IGNORECASE``); on every other line it does nothing."""


_CHUNK = 1 << 20


def _notable(text: str) -> list[int]:
    """Where ``text`` holds a string of ``_NOTABLE`` or ``awesome`` in any case: each
    found by a plain search (a regular expression would step through 16 MB one
    character at a time); the name in the text's UTF-8 bytes, whose ASCII letters
    ``_name_hits`` folds without moving anything (``re.IGNORECASE`` folds no other
    character to a letter of ``awesome`` but the long s, searched apart)."""
    found = [at for needle in _NOTABLE for at in _finds(text, needle)]
    for base in range(0, len(text), _CHUNK):  # a chunk at a time: the bytes of 16 MB take room
        data = text[base:base + _CHUNK + len(_NAME) - 1].encode("utf-8", "surrogatepass")
        for at in _name_hits(data):
            offset = len(data[:at].decode("utf-8", "surrogatepass"))  # the byte offset as a character offset
            if offset < _CHUNK:  # else the next chunk finds it
                found.append(base + offset)
    return sorted(found)


_NAME = b"awesome"
_LOWER = bytes.maketrans(string.ascii_uppercase.encode(), string.ascii_lowercase.encode())
"""``bytes.lower`` as a table: the same bytes, three times quicker."""


def _name_hits(data: bytes, start: int = 0, end: int | None = None) -> Iterator[int]:
    """Every place of the tool's name, in any case, in ``data[start:end]``: lowered a
    chunk at a time (``_LOWER`` folds ASCII letters without moving anything)."""
    end = len(data) if end is None else end
    for at in range(start, end, _CHUNK):
        folded = data[at:min(at + _CHUNK + len(_NAME) - 1, end)].translate(_LOWER)
        yield from (at + i for i in _finds(folded, _NAME) if i < _CHUNK)  # else the next chunk finds it


def _lines(text: str, every: bool = False) -> Iterator[tuple[int, int, str]]:
    """(index, start, line with its ending) of each line of ``text`` that ``_scan`` acts
    on (``every``: of each line; the tests prove both give the same regions); only
    ``\\n`` ends a line. A README of ten thousand works is 16 MB: only these few are cut out."""
    if every:
        start = 0
        for i, line in enumerate(split_lines(text)):
            yield i, start, line
            start += len(line)
        return
    index, counted, at = 0, 0, 0
    for hit in _notable(text):
        if hit < at:
            continue  # on a line already given
        start = text.rfind("\n", 0, hit) + 1
        end = text.find("\n", hit)
        at = len(text) if end < 0 else end + 1
        index += text.count("\n", counted, start)
        counted = start
        yield index, start, text[start:at]


def _scan(lines: Iterable[tuple[int, int, str]], path: str) -> tuple[dict[tuple[str, str], list[int]],
                                                                  list[Diagnostic], list[NearMiss]]:
    """Every marker by (kind, name) -> line indexes, skipping fenced code blocks, and
    the lines outside code blocks that look like markers but are not; ``lines`` as
    ``_lines`` gives them."""
    found: dict[tuple[str, str], list[int]] = {}
    problems: list[Diagnostic] = []
    near: list[NearMiss] = []
    fence: str | None = None
    for i, _, line in lines:
        content = line.rstrip("\r\n")
        if i == 0:
            content = content.removeprefix(BOM)
        match = MARKER.match(content)
        if fence is not None:
            close = _FENCE_CLOSE.match(content)
            if close and close["fence"][0] == fence[0] and len(close["fence"]) >= len(fence):
                fence = None
            elif match:
                problems.append(Diagnostic(path, i + 1, 1, "E408", "this marker is inside a fenced code block, "
                                           "so it is text and marks nothing", "move it out of the code block"))
            continue
        if match:
            if len(match["indent"].expandtabs(4)) >= 4:
                problems.append(Diagnostic(path, i + 1, 1, "E408", "this marker is indented by 4 spaces or more, "
                                           "so Markdown reads it as code", "start the marker at the line's start"))
            elif match["name"] not in render.REGIONS:
                problems.append(Diagnostic(path, i + 1, 1, "E403", f"unknown region `{match['name']}` in this marker",
                                           f"the regions are: {', '.join(render.REGIONS)}"))
            else:
                found.setdefault((match["kind"], match["name"]), []).append(i)
            continue
        opening = _FENCE_OPEN.match(content)
        if opening and not (opening["fence"][0] == "`" and "`" in opening["info"]):
            fence = opening["fence"]
        elif (miss := _near_miss(i, content)) is not None:
            near.append(miss)
            form = f"`{marker(miss.kind, miss.name)}`" if miss.name else "`<!-- awesome-catalog:begin:NAME -->`"
            problems.append(Diagnostic(path, i + 1, 1, "W401", f"this line looks like a marker but is not one: "
                                       f"{miss.why}", f"write the marker alone on its line, exactly as {form}"))
    return found, problems, near


def find_regions(text: str, path: str = "README.md", *, every: bool = False) -> tuple[list[Region], list[Diagnostic]]:
    """The regions of a README in file order, and every problem with its markers
    (``every``: scanning every line, not only those that can hold a marker; the same)."""
    if "\r" in text and "\n" not in text:
        return [], [Diagnostic(path, 0, 0, "E409", "README.md's line endings are CR only (as on classic Mac OS), "
                               "so it reads as one line and none of its markers can be found",
                               "save it with LF (or CRLF) line endings")]
    starts: dict[int, int] = {}  # where each line _scan acted on starts, and the line after it

    def noted() -> Iterator[tuple[int, int, str]]:
        for i, start, line in _lines(text, every):
            starts[i], starts[i + 1] = start, start + len(line)
            yield i, start, line

    found, problems, near = _scan(noted(), path)
    regions: list[Region] = []
    for name in render.REGIONS:
        begins, ends = found.get(("begin", name), []), found.get(("end", name), [])
        for kind, lines in (("begin", begins), ("end", ends)):
            problems += [Diagnostic(path, i + 1, 1, "E404", f"{kind} marker of region `{name}` repeated "
                                    f"(first on line {lines[0] + 1})", "keep one and delete the others")
                         for i in lines[1:]]
        if not begins and not ends and name != "sections":
            continue  # a README may leave out the diagram and the contents, never the sections
        if not begins or not ends:
            problems.append(_missing(path, name, begins, ends, near))
        elif ends[0] < begins[0]:
            problems.append(Diagnostic(path, ends[0] + 1, 1, "E405", f"end marker of region `{name}` comes before "
                                       f"its begin marker (line {begins[0] + 1})", "swap the two marker lines"))
        elif len(begins) == len(ends) == 1:
            begin, end = begins[0], ends[0]
            regions.append(Region(name, begin, end, starts[begin], starts[begin + 1], starts[end], starts[end + 1]))
    regions.sort(key=lambda r: r.begin)
    for outer, inner in itertools.pairwise(regions):
        if inner.begin < outer.end:
            problems.append(Diagnostic(path, inner.begin + 1, 1, "E405", f"region `{inner.name}` begins inside region "
                                       f"`{outer.name}` (lines {outer.begin + 1}-{outer.end + 1})",
                                       "end each region before the next one begins"))
    return regions, problems


def _missing(path: str, name: str, begins: list[int], ends: list[int], near: list[NearMiss]) -> Diagnostic:
    if begins or ends:
        missing, other, where = ("begin", "end", ends[0]) if ends else ("end", "begin", begins[0])
        hint = f"add the line `{marker(missing, name)}`"
        miss = next((m for m in near if (m.kind, m.name) == (missing, name)), None)
        if miss:
            hint = f"line {miss.line + 1} looks like it but {miss.why}: write it as `{marker(missing, name)}`"
        return Diagnostic(path, where + 1, 1, "E403", f"region `{name}` has {_a(other)} marker here but no "
                          f"{missing} marker", hint)
    hint = f"add the lines `{marker('begin', name)}` and `{marker('end', name)}` where it belongs"
    misses = [m for m in near if m.name == name]
    if misses:
        lines = ", ".join(str(m.line + 1) for m in misses)
        hint = (f"line {lines} looks like one but {misses[0].why}; " if len(misses) == 1 else
                f"lines {lines} look like them but {misses[0].why}; ") + hint
    return Diagnostic(path, 0, 0, "E403", f"region `{name}` ({render.REGIONS[name]}) has no markers", hint)


def _a(word: str) -> str:
    """``word`` with its indefinite article: "a begin", "an end"."""
    return ("an " if word[0] in "aeiou" else "a ") + word


def _regions(text: str, path: str) -> list[Region]:
    regions, problems = find_regions(text, path)
    if any(d.severity is Severity.ERROR for d in problems):
        raise MarkerError(problems)
    return regions


def splice(text: str, bodies: Mapping[str, str], path: str = "README.md",
           regions: list[Region] | None = None) -> str:
    """``text`` with the body of each region named in ``bodies`` replaced; every other
    byte kept. Bodies use ``\\n`` and are written with their begin marker's line ending.
    Raises ``MarkerError`` when the markers are broken (``regions``, when given, are the
    text's regions, already found)."""
    out: list[str] = []
    start = 0
    for region in _regions(text, path) if regions is None else regions:
        out.append(text[start:region.open_end])
        out.append(_body(text, region, bodies))
        start = region.close_start
    out.append(text[start:])
    return "".join(out)


def _body(text: str, region: Region, bodies: Mapping[str, str]) -> str:
    """What ``splice`` writes between the markers of ``region``: its new body, with its
    begin marker's line ending, or the old one when ``bodies`` has none."""
    if region.name not in bodies:
        return text[region.open_end:region.close_start]
    newline = "\r\n" if text.endswith("\r\n", 0, region.open_end) else "\n"
    return bodies[region.name].replace("\n", newline)


def _hand_written(text: str, regions: list[Region]) -> list[str]:
    """The hand-written stretches of ``text``: before, between and after the regions."""
    pieces, start = [], 0
    for region in regions:
        pieces.append(text[start:region.open_start])
        start = region.close_end
    return [*pieces, text[start:]]


def outline(text: str, regions: list[Region],
            tree: render.HasTaxonomy) -> tuple[dict[str, str], list[render.OutlineHeading]]:
    """The anchor of every generated heading, numbered over the whole file in order,
    counting the hand-written headings before it; and every heading after the contents
    heading, hand-written or generated, in file order (what the contents list)."""
    slugger = slug.Slugger()
    found: dict[str, str] = {}
    after: list[render.OutlineHeading] = []
    seen_toc = False
    pieces = _hand_written(text, regions)
    for region, before in itertools.zip_longest(regions, pieces):
        for level, heading in slug.headings(before.removeprefix(BOM)):
            anchor = slugger.slug(heading)
            if seen_toc:
                after.append(render.OutlineHeading(level, heading, anchor))
        if region is None:
            break
        for generated in render.headings(tree, region.name):
            heading = slug.inline_text(generated.markdown)
            found[generated.key] = anchor = slugger.slug(heading)
            if seen_toc:
                after.append(render.OutlineHeading(generated.level, heading, anchor))
            seen_toc = seen_toc or generated.key == render.TOC_KEY
    return found, after


@dataclass(frozen=True)
class Layout:
    """Where the pieces of the sections region (``render.sections_pieces``) lie in a
    README whose region is exactly as generated: (key, start, end) in bytes of its UTF-8
    text, and how many line ends each holds. ``line`` is the 0-based line of the
    region's begin marker; a README without a sections region has no pieces (nothing in
    it depends on the entries)."""

    line: int
    pieces: tuple[tuple[str, int, int, int], ...]
    anchors: tuple[tuple[str, str], ...] = ()
    """The anchors of the generated headings, by key (``outline``)."""


def regenerate(text: str, listing: render.Listing, path: str = "README.md",
               regions: list[Region] | None = None, *, check: bool = False) -> tuple[str | None, Layout | None]:
    """The README with every region regenerated from ``listing``, and the layout of the
    new README's sections region (None when its line endings are not ``\\n``, which the
    layout does not follow). With ``check``, the new README is None when it would be
    ``text`` itself, found without writing it out (a README of ten thousand works is 16
    MB), and the layout is then ``text``'s. Raises ``MarkerError`` when the markers are broken."""
    regions = _regions(text, path) if regions is None else regions
    targets, bodies, others_hold = _others(text, regions, listing)
    region = next((r for r in regions if r.name == "sections"), None)
    pieces: list[tuple[str, str]] | None = None
    if check and others_hold:
        if region is not None and not text.endswith("\r\n", 0, region.open_end):
            held = _held_sizes(text, region.open_end, region.close_start, render.each_piece(listing, targets))
            if held is not None:  # each piece compared as it is rendered, and let go
                return None, _layout(text, region, region.begin, 0, held, targets)
        else:
            pieces = render.sections_pieces(listing, targets)
            if region is None or _body(text, region, {"sections": render.sections_body(pieces)}) == (
                    text[region.open_end:region.close_start]):
                return None, _layout(text, region, region.begin if region else -1, 0, _sizes(pieces), targets)
    pieces = render.sections_pieces(listing, targets) if pieces is None else pieces
    if region is not None:
        bodies["sections"] = render.sections_body(pieces)
    new = splice(text, bodies, path, regions)
    if region is None:
        return new, _layout(new, None, -1, 0, [], targets)
    # where the region's body starts in the new text: its begin marker moved by what the regions before it grew
    before = [(_body(text, r, bodies), text[r.open_end:r.close_start]) for r in regions if r.begin < region.begin]
    shift = sum(len(new_body) - len(old_body) for new_body, old_body in before)
    line = region.begin + sum(new_body.count("\n") - old_body.count("\n") for new_body, old_body in before)
    return new, _layout(new, region, line, shift, _sizes(pieces), targets)


def _others(text: str, regions: list[Region],
            listing: render.Listing) -> tuple[dict[str, str], dict[str, str], bool]:
    """The anchors of the generated headings, the new body of each region but the
    sections, and whether those bodies are the ones ``text`` holds."""
    targets, after_toc = outline(text, regions, listing)
    bodies = {r.name: render.RENDERERS[r.name](listing, targets, after_toc) for r in regions if r.name != "sections"}
    return targets, bodies, all(_body(text, r, bodies) == text[r.open_end:r.close_start]
                                for r in regions if r.name in bodies)


def _sizes(pieces: Iterable[tuple[str, str]]) -> list[tuple[str, int, int]]:
    return [(key, len(piece.encode("utf-8", "surrogatepass")), piece.count("\n")) for key, piece in pieces]


def _held_sizes(body: Any, at: int, close: int,
                pieces: Iterable[tuple[str, str]]) -> list[tuple[str, int, int]] | None:
    """When ``body[at:close]`` (text, or its UTF-8 bytes) is the sections region's body
    that ``pieces`` make (as ``render.sections_body`` joins them), compared in place,
    each piece's key, size in UTF-8 and line ends; else None. Only one piece is held at
    a time."""
    newline = "\n" if isinstance(body, str) else b"\n"
    sizes: list[tuple[str, int, int]] = []
    for key, piece in pieces:
        encoded = piece.encode("utf-8", "surrogatepass")
        shown = piece if isinstance(body, str) else encoded
        gap = newline * (2 if sizes else 1)
        if not (body.startswith(gap, at) and body.startswith(shown, at + len(gap))):
            return None
        at += len(gap) + len(shown)
        sizes.append((key, len(encoded), piece.count("\n")))
    end = 2 if sizes else 3
    return sizes if body.startswith(newline * end, at) and at + end == close else None


def _layout(text: str, region: Region | None, line: int, shift: int, sizes: list[tuple[str, int, int]],
            targets: Mapping[str, str]) -> Layout | None:
    """The layout of the sections region of ``text`` (whose body starts ``shift``
    characters after ``region.open_end``), of pieces of ``sizes`` (key, bytes in
    UTF-8, line ends), or None when its line endings are not ``\\n``."""
    if region is None:
        return Layout(-1, (), tuple(targets.items()))
    if text.endswith("\r\n", 0, region.open_end + shift):
        return None
    at = len(text[:region.open_end + shift].encode("utf-8", "surrogatepass")) + 1  # after the body's first "\n"
    found = []
    for key, size, lines in sizes:
        found.append((key, at, at + size, lines))
        at += size + 2
    return Layout(line, tuple(found), tuple(targets.items()))


def render_readme(text: str, listing: render.Listing, path: str = "README.md",
                  regions: list[Region] | None = None) -> str:
    """The README with every region regenerated from ``listing``.
    Raises ``MarkerError`` when the markers are broken."""
    new = regenerate(text, listing, path, regions)[0]
    assert new is not None
    return new


_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


def _common_head(a: AnyStr, b: AnyStr) -> int:
    """How many characters ``a`` and ``b`` share at their start (compared in blocks, each
    half the one before, so a few dozen comparisons find it)."""
    at, block, most = 0, 1 << 16, min(len(a), len(b))
    while block:
        while at + block <= most and a[at:at + block] == b[at:at + block]:
            at += block
        block //= 2
    return at


def _common_tail(a: AnyStr, b: AnyStr) -> int:
    """How many characters ``a`` and ``b`` share at their end (compared as ``_common_head`` does)."""
    at, block, most = 0, 1 << 16, min(len(a), len(b))
    while block:
        while at + block <= most and a[len(a) - at - block:len(a) - at] == b[len(b) - at - block:len(b) - at]:
            at += block
        block //= 2
    return at


def unified_diff(old: AnyStr, new: AnyStr, context: int = 3, first_line: int = 0, more_lines: int = 0) -> str:
    """What ``generate`` would change, as a unified diff of ``a/README.md`` and ``b/README.md``.

    Only the stretch between the first and the last difference, with ``context`` lines
    around it, is split into lines and compared (a README of ten thousand works is a
    hundred thousand lines, of which a change touches a few); hunk headers still give
    line numbers in the whole files. Of UTF-8 bytes, only that stretch is decoded.
    ``old`` and ``new`` may be windows of the files, after ``first_line`` lines of the
    old file and ``first_line + more_lines`` of the new one (a window after others that
    changed the number of lines): the line numbers still count from the files' start."""
    newline: Any = "\n" if isinstance(old, str) else b"\n"
    head = _common_head(old, new)
    tail = min(_common_tail(old, new), len(old) - head, len(new) - head)
    start = head
    for _ in range(context + 1):  # back to the start of the line, then ``context`` lines more
        start = old.rfind(newline, 0, max(start - 1, 0)) + 1 if start > 0 else 0
    old_end, new_end = len(old) - tail, len(new) - tail
    for _ in range(context + 1):  # on to the end of the line, then ``context`` lines more
        found = old.find(newline, old_end)
        if found < 0:
            old_end, new_end = len(old), len(new)
            break
        new_end += found + 1 - old_end
        old_end = found + 1
    skip = old.count(newline, 0, start) + first_line
    before, after = old[start:old_end], new[start:new_end]
    if isinstance(before, bytes) and isinstance(after, bytes):  # cut at line ends, so at characters
        before_text, after_text = before.decode("utf-8"), after.decode("utf-8")
    else:
        before_text, after_text = str(before), str(after)
    diff = difflib.unified_diff(split_lines(before_text), split_lines(after_text),
                                "a/README.md", "b/README.md", n=context)

    def shifted(line: str) -> str:
        match = _HUNK.match(line)
        if match is None or not (skip or more_lines):
            return line
        old_start, old_len, new_start, new_len = match.groups()
        return (f"@@ -{int(old_start) + skip}{old_len or ''} +{int(new_start) + skip + more_lines}{new_len or ''} @@"
                + line[match.end():])

    return visible("".join(shifted(line) if line.endswith("\n") else shifted(line) + "\n\\ No newline at end of file\n"
                           for line in diff))  # a control character in the README never reaches the terminal


def read(project: Project) -> tuple[str | None, list[Diagnostic]]:
    """The README's text, or the reason it cannot be used (E401, E402)."""
    path = project.rel(project.readme)
    try:
        raw = read_regular(project.readme)  # a FIFO or a device is reported, never read
    except OSError as err:
        return None, [unreadable(path, err)]
    return decode(raw, path)


def unreadable(path: str, err: OSError) -> Diagnostic:
    """E401: the README is missing or cannot be read."""
    if isinstance(err, FileNotFoundError):
        return Diagnostic(path, 0, 0, "E401", "README.md does not exist",
                          "create it with the markers of the generated regions")
    return Diagnostic(path, 0, 0, "E401", f"README.md cannot be read: {err.strerror}")


def decode(raw: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """The README's bytes as text, or why they are not UTF-8 (E402)."""
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        return None, [Diagnostic(path, line, 0, "E402", f"README.md is not UTF-8 text (byte {err.start})",
                                 "save the file as UTF-8")]


@dataclass
class _Anchors:
    """Headings (as anchors) and ``#anchor`` links found while reading a README in order."""

    slugger: slug.Slugger = field(default_factory=slug.Slugger)
    targets: set[str] = field(default_factory=lambda: {"", "top"})
    links: list[str] = field(default_factory=list)

    def read(self, markdown: str) -> None:
        """Take in the headings, links and HTML ids of a piece of Markdown."""
        for node in slug.walk(slug.parse(markdown.removeprefix(BOM))):
            kind = node["type"]
            if kind == "heading":
                self.slugger.slug(slug.plain_text(node["children"]))
            elif kind == "link" and node["attrs"]["url"].startswith("#"):
                self.links.append(unquote(node["attrs"]["url"][1:]))
            elif kind in ("inline_html", "block_html"):
                self.targets.update(_HTML_TARGET.findall(node["raw"]))

    def broken(self, text: str, path: str) -> list[Diagnostic]:
        """E407 for every link taken in that names no heading (nor HTML id)."""
        targets = self.targets | self.slugger.taken
        problems = []
        cursor = 0
        for fragment in self.links:
            if fragment in targets:
                continue
            at = text.find(f"#{fragment}", cursor)
            cursor = at + 1 if at >= 0 else cursor
            line = text.count("\n", 0, at) + 1 if at >= 0 else 0
            close = difflib.get_close_matches(fragment, sorted(targets - {"", "top"}), n=1)
            problems.append(Diagnostic(path, line, 0, "E407", f"link to `#{fragment}` leads to no heading",
                                       f"did you mean `#{close[0]}`?" if close else
                                       "link to an existing heading's anchor"))
        return problems


def broken_anchors(text: str, path: str = "README.md") -> list[Diagnostic]:
    """E407 for every ``#anchor`` link of ``text`` that names no heading (nor HTML id)."""
    found = _Anchors()
    found.read(text)
    return found.broken(text, path)


def broken_hand_written_anchors(text: str, regions: list[Region], tree: render.HasTaxonomy,
                                path: str = "README.md") -> list[Diagnostic]:
    """``broken_anchors`` for a README whose regions are exactly as generated: only the
    hand-written text is parsed, since the generated headings are known and the
    generated links lead to them by construction."""
    found = _Anchors()
    pieces = _hand_written(text, regions)
    for region, before in zip(regions, pieces, strict=False):
        found.read(before)
        for generated in render.headings(tree, region.name):
            found.slugger.slug(slug.inline_text(generated.markdown))
    found.read(pieces[-1])
    return found.broken(text, path)


def check_readme(project: Project, listing: render.Listing | None,
                 tree: render.HasTaxonomy | None = None) -> tuple[list[Diagnostic], str | None]:
    """Every problem of the README, and the diff that ``generate`` would apply when it
    is stale. ``listing`` is None when the catalog has errors: staleness is not tested,
    and ``tree`` (the taxonomy, when it can be used) gives the generated headings."""
    text, problems = read(project)
    if text is None:
        return problems, None
    found = check_text(text, listing, project.rel(project.readme), tree)
    return found.problems, found.diff


@dataclass(frozen=True)
class ReadmeCheck:
    """What ``check_text`` found: the README's problems; when it is stale, the diff and
    the README as ``generate`` would write it; and the layout of the README as
    generated (the one checked when up to date, else ``new``; see ``regenerate``)."""

    problems: list[Diagnostic]
    diff: str | None = None
    new: str | None = None
    layout: Layout | None = None
    markers_ok: bool = True


def check_text(text: str, listing: render.Listing | None, path: str = "README.md",
               tree: render.HasTaxonomy | None = None) -> ReadmeCheck:
    """``check_readme`` of the README's text."""
    regions, problems = find_regions(text, path)
    markers_ok = not any(d.severity is Severity.ERROR for d in problems)
    headings = listing or tree
    if headings is None or not markers_ok:  # the regions or their headings are unknown: every link is checked
        return ReadmeCheck(problems + broken_anchors(text, path), markers_ok=markers_ok)
    # Links inside the regions are the generator's (a stale region is reported as such):
    # only the hand-written links are checked, against the headings the README will have.
    problems += broken_hand_written_anchors(text, regions, headings, path)
    if listing is None:
        return ReadmeCheck(problems)
    new, layout = regenerate(text, listing, path, regions, check=True)
    if new is None:
        return ReadmeCheck(problems, None, None, layout)
    old_lines, new_lines = split_lines(text), split_lines(new)
    first = next((i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=False)) if a != b),
                 min(len(old_lines), len(new_lines)))
    region = next((r for r in regions if r.end >= first), regions[-1])
    problems.append(stale(path, region.begin, region.name))
    return ReadmeCheck(problems, unified_diff(text, new), new, layout)


def check_plain(raw: bytes, listing: render.Listing, path: str = "README.md") -> ReadmeCheck | None:
    """``check_text`` of the README's bytes ``raw``, answered without decoding its
    sections region (a README of ten thousand works is 16 MB of bytes, and 32 MB of
    text) when that region is exactly as generated and its body holds nothing that
    ``find_regions`` acts on (no fence, no marker nor anything like one) nor a CR;
    None in every other case, which ``check_text`` answers. The rest of the README is
    checked as text with the body's lines left empty, so every line keeps its number
    and the markers and hand-written links are found as in the whole text (a broken
    link, whose line may be searched for in the body, is left to ``check_text``)."""
    span = _plain_sections_body(raw)
    if span is None:
        return None
    start, end = span
    try:
        text = (raw[:start] + b"\n" * raw.count(b"\n", start, end) + raw[end:]).decode("utf-8")
    except UnicodeDecodeError:
        return None
    regions, problems = find_regions(text, path)
    region = next((r for r in regions if r.name == "sections"), None)
    if (any(d.severity is Severity.ERROR for d in problems) or region is None
            or len(text[:region.open_end].encode("utf-8", "surrogatepass")) != start):
        return None
    problems += broken_hand_written_anchors(text, regions, listing, path)
    if any(d.code == "E407" for d in problems):
        return None
    targets, _, others_hold = _others(text, regions, listing)
    held = _held_sizes(raw, start, end, render.each_piece(listing, targets)) if others_hold else None
    if held is None:
        return None
    return ReadmeCheck(problems, layout=_layout(text, region, region.begin, 0, held, targets))


_SECTIONS_OPEN = (marker("begin", "sections") + "\n").encode()
_SECTIONS_CLOSE = ("\n" + marker("end", "sections")).encode()


def _plain_sections_body(raw: bytes) -> tuple[int, int] | None:
    """Where the body of the first sections region of ``raw`` starts and ends (after
    the begin marker's line, before the end marker's), when its markers are exact and
    no line of the body is one ``_scan`` acts on (a fence, a marker or what looks like
    one), and ``raw`` holds no CR."""
    if b"\r" in raw:
        return None
    opened = raw.find(_SECTIONS_OPEN)
    if opened < 0 or (opened and raw[opened - 1] != ord("\n")):
        return None
    start = opened + len(_SECTIONS_OPEN)
    end = raw.find(_SECTIONS_CLOSE, start - 1) + 1
    after = end + len(_SECTIONS_CLOSE) - 1
    if not end or raw[after:after + 1] not in (b"", b"\n"):
        return None
    if any(_opens_line(raw, at) for fence in (b"```", b"~~~") for at in _finds(raw, fence, start, end)):
        return None  # a fence
    # the tool's name in any case, and the long s, which re.IGNORECASE takes for an s
    for hit in itertools.chain(_name_hits(raw, start, end), _finds(raw, "\u017f".encode(), start, end)):
        line = raw[raw.rfind(b"\n", 0, hit) + 1:raw.find(b"\n", hit)]
        try:
            if _NEAR.search(line.decode("utf-8")):
                return None
        except UnicodeDecodeError:
            return None
    return start, end


def _opens_line(raw: bytes, at: int) -> bool:
    """Whether ``raw[at]`` opens its line, after at most three spaces (as a fence does)."""
    line = raw.rfind(b"\n", 0, at) + 1
    return at - line <= 3 and not raw[line:at].strip(b" ")


_JUMPS = 64
"""How many places of a needle's first character ``_finds`` looks at one by one."""


def _finds(data: AnyStr, needle: AnyStr, start: int = 0, end: int | None = None) -> Iterator[int]:
    """Every place of ``needle`` in ``data[start:end]`` (text or bytes). Its first
    character is looked for first, a place at a time: one character is found at the
    speed of ``memchr``, while a longer needle is searched for a few bytes at a time (20
    ms for "```" in 16 MB). Past ``_JUMPS`` places of that character, the whole needle is."""
    first = needle[:1]
    at = data.find(first, start, end)
    for _ in range(_JUMPS):
        if at < 0:
            return
        if data.startswith(needle, at, end):
            yield at
        at = data.find(first, at + 1, end)
    at = data.find(needle, at, end) if at >= 0 else -1
    while at >= 0:
        yield at
        at = data.find(needle, at + 1, end)


def stale(path: str, begin: int, name: str) -> Diagnostic:
    """E406: the region whose begin marker is on (0-based) line ``begin`` is stale."""
    return Diagnostic(path, begin + 1, 0, "E406", f"generated region `{name}` differs from the catalog", STALE_HINT)
