"""The README's regions: markers found or refused line by line, hand-written bytes kept,
and the checks `awesome-catalog check` runs on the README."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awesome_catalog.core.project import Project
from awesome_catalog.load.loader import load_catalog
from awesome_catalog.markdown.slug import Slugger, parse, plain_text, walk
from awesome_catalog.readme import regions as readme
from awesome_catalog.readme import render

REPO = Path(__file__).resolve().parent.parent


def regions(*names: str) -> str:
    return "".join(f"{readme.marker('begin', n)}\n{readme.marker('end', n)}\n" for n in names)


ALL = regions("taxonomy", "toc", "sections")
B, E = readme.marker("begin", "toc"), readme.marker("end", "toc")
REST = regions("taxonomy", "sections")

# (README text, expected (code, line) problems); lines are 1-based, 0 for "nowhere".
BROKEN = {
    # the diagram and the contents are optional; the sections are not
    "no markers at all": ("# Title\n\nText.\n", [("E403", 0)]),
    "begin missing": (f"# T\n{E}\n{REST}", [("E403", 2)]),
    "end missing": (f"# T\n\n{B}\n{REST}", [("E403", 3)]),
    "begin repeated": (f"{B}\n{B}\n{E}\n{REST}", [("E404", 2)]),
    "end repeated": (f"{B}\n{E}\ntext\n{E}\n{REST}", [("E404", 4)]),
    "reversed": (f"# T\n{E}\n\n{B}\n{REST}", [("E405", 2)]),
    "nested": (f"{readme.marker('begin', 'sections')}\n{B}\n{E}\n{readme.marker('end', 'sections')}\n"
               f"{regions('taxonomy')}", [("E405", 2)]),
    "in a fenced block": (f"```md\n{B}\n```\n{E}\n{REST}", [("E408", 2), ("E403", 4)]),
    "in a tilde fence closed by a longer one": (f"~~~\n{B}\n{E}\n~~~~~\n{REST}", [("E408", 2), ("E408", 3)]),
    "indented as code": (f"    {B}\n{E}\n{REST}", [("E408", 1), ("E403", 2)]),
    "unknown region": (f"<!-- awesome-catalog:begin:tocs -->\n{ALL}", [("E403", 1)]),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_markers_are_reported_at_their_line(case: str) -> None:
    text, expected = BROKEN[case]
    _, problems = readme.find_regions(text)
    assert sorted((d.code, d.line) for d in problems) == sorted(expected)
    with pytest.raises(readme.MarkerError):
        readme.splice(text, {})


@pytest.mark.parametrize(
    "text",
    [
        ALL,
        f"```\ncode before\n```\n{ALL}",
        f"````\n```\n````\n{ALL}",  # a shorter fence does not close a longer one
        f"  {B}  \n{E}\t\n{REST}",  # up to three spaces before, any whitespace after
        f"<!--awesome-catalog:begin:toc-->\n{E}\n{REST}",
        f"Inline `{B}` is no marker.\n{ALL}",
    ],
)
def test_valid_markers(text: str) -> None:
    found, problems = readme.find_regions(text)
    assert problems == []
    assert sorted(r.name for r in found) == ["sections", "taxonomy", "toc"]


HAND = "\ufeff# Title \t\r\n\r\nIntro with trailing space \r\nand a lone LF\n"
CLOSING = "\r\nClosing text, no final newline  "


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_splice_keeps_every_hand_written_byte(newline: str) -> None:
    text = HAND + newline.join([B, "old body", E, *REST.splitlines(), ""]) + CLOSING
    new = readme.splice(text, {"toc": "\nnew\nbody\n\n"})
    assert new.startswith(HAND + B + newline)
    assert new.endswith(E + newline + REST.replace("\n", newline) + CLOSING)
    body = new[len(HAND + B + newline):-len(E + newline + REST.replace("\n", newline) + CLOSING)]
    assert body == newline.join(["", "new", "body", "", ""])
    assert readme.splice(new, {"toc": "\nnew\nbody\n\n"}) == new


def test_splice_leaves_regions_it_is_not_given() -> None:
    text = f"{B}\nkeep me\n{E}\n{REST}"
    assert readme.splice(text, {"sections": "\nx\n"}) == (
        f"{B}\nkeep me\n{E}\n{readme.marker('begin', 'taxonomy')}\n{readme.marker('end', 'taxonomy')}\n"
        f"{readme.marker('begin', 'sections')}\n\nx\n{readme.marker('end', 'sections')}\n")


def mini_catalog(project: Project) -> render.Listing:
    loaded = load_catalog(project)
    assert loaded.catalog is not None
    return render.Listing.of(loaded.catalog)


def test_mini_readme_is_clean(mini: Project) -> None:
    assert readme.check_readme(mini, mini_catalog(mini)) == ([], None)


def test_missing_readme(mini: Project) -> None:
    mini.readme.unlink()
    problems, diff = readme.check_readme(mini, mini_catalog(mini))
    assert [d.code for d in problems] == ["E401"] and diff is None


def test_readme_that_is_not_utf8(mini: Project) -> None:
    mini.readme.write_bytes(b"# Title\n\nline two \xff\xfe\n")
    problems, _ = readme.check_readme(mini, mini_catalog(mini))
    assert [(d.code, d.line) for d in problems] == [("E402", 3)]


def make_stale(project: Project) -> str:
    """Edit a generated cell by hand; returns the README's text from before the edit."""
    text = project.readme.read_text(encoding="utf-8")
    project.readme.write_text(text.replace("| Logit Lens |", "| Logit lens |"), encoding="utf-8")
    return text


def test_stale_region_is_reported_with_a_diff(mini: Project) -> None:
    text = make_stale(mini)
    problems, diff = readme.check_readme(mini, mini_catalog(mini))
    begin = text.splitlines().index(readme.marker("begin", "sections")) + 1
    assert [(d.code, d.line) for d in problems] == [("E406", begin)]
    assert diff is not None and diff.startswith("--- a/README.md\n+++ b/README.md\n")
    assert "-| [Interpreting GPT: the logit lens]" in diff and "| Logit lens |" in diff


def test_staleness_is_not_tested_without_a_catalog(mini: Project) -> None:
    make_stale(mini)
    assert readme.check_readme(mini, None) == ([], None)


def test_broken_anchor_links_anywhere_are_reported(mini: Project) -> None:
    text = mini.readme.read_text(encoding="utf-8")
    text += "\nSee [nothing](#no-such-heading), [methods](#Methods) and [ok](#methods-1).\n"
    text += '\n<a name="custom"></a>[custom anchors count](#custom)\n'
    mini.readme.write_text(text, encoding="utf-8")
    problems, _ = readme.check_readme(mini, mini_catalog(mini))
    line = len(text.splitlines()) - 2
    assert [(d.code, d.line, d.message) for d in problems] == [
        ("E407", line, "link to `#no-such-heading` leads to no heading"),
        ("E407", line, "link to `#Methods` leads to no heading"),
    ]
    assert problems[1].hint == "did you mean `#methods`?"


def test_every_anchor_of_the_root_readme_resolves() -> None:
    """The committed README, parsed with mistune: each `#anchor` is a heading's slug."""
    nodes = list(walk(parse((REPO / "README.md").read_text(encoding="utf-8"))))
    slugger = Slugger()
    slugs = {slugger.slug(plain_text(n["children"])) for n in nodes if n["type"] == "heading"}
    anchors = [n["attrs"]["url"] for n in nodes if n["type"] == "link" and n["attrs"]["url"].startswith("#")]
    assert len(anchors) > len(slugs) > 10
    assert [a for a in anchors if a[1:] not in slugs] == []


@pytest.mark.parametrize(("changed", "header"), [
    (0, "@@ -1,4 +1,4 @@"),
    (500, "@@ -498,7 +498,7 @@"),
    (999, "@@ -997,4 +997,4 @@"),
])
def test_the_diff_of_a_long_readme_numbers_its_lines_in_the_whole_file(changed: int, header: str) -> None:
    old = [f"| row {i} |\n" for i in range(1000)]
    new = list(old)
    new[changed] = "| edited |\n"
    diff = readme.unified_diff("".join(old), "".join(new)).splitlines()
    assert diff[:3] == ["--- a/README.md", "+++ b/README.md", header]
    assert f"-| row {changed} |" in diff and "+| edited |" in diff and len(diff) <= 11


def apply_patch(old: str, patch: str) -> str:
    """Apply a unified diff to ``old``, checking every context and removed line."""
    source = old.splitlines(keepends=True)
    out: list[str] = []
    at = 0  # lines of ``source`` used so far
    lines = patch.splitlines(keepends=True)
    i = 2 if lines and lines[0].startswith("---") else 0
    while i < len(lines):
        header = re.match(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", lines[i])
        assert header, lines[i]
        start = int(header.group(1)) - (0 if header.group(2) == "0" else 1)
        out += source[at:start]
        at = start
        i += 1
        while i < len(lines) and not lines[i].startswith("@@"):
            tag, body = lines[i][0], lines[i][1:]
            if i + 1 < len(lines) and lines[i + 1].startswith("\\ No newline"):
                body = body.removesuffix("\n")
                i += 1
            if tag in " -":
                assert source[at] == body, (source[at], body)
                at += 1
            if tag in " +":
                out.append(body)
            i += 1
    return "".join(out + source[at:])


_lines = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "\n", "| x | y |\n", "- item\n"]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(old=_lines, edits=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 3), _lines.map(lambda lines: lines[:3])),
                                  max_size=4),
       old_end=st.sampled_from(["", "z"]), new_end=st.sampled_from(["", "z", "y"]))
def test_the_trimmed_diff_applies_and_is_as_small_as_a_full_diff(
        old: list[str], edits: list[tuple[int, int, list[str]]], old_end: str, new_end: str) -> None:
    new = list(old)
    for at, cut, insert in edits:
        at = min(at, len(new))
        new[at:at + cut] = insert
    before, after = "".join(old) + old_end, "".join(new) + new_end
    patch = readme.unified_diff(before, after)
    assert apply_patch(before, patch) == after
    # it shows no line outside the stretch where the files differ as changed; and, with no line
    # repeated, it is difflib's diff of the whole files (repeated lines may be aligned otherwise
    # in a window than in the whole files: a a a b a a a a a a b, with a a b taken out)
    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    shorter = min(len(old_lines), len(new_lines))
    head = next((at for at in range(shorter) if old_lines[at] != new_lines[at]), shorter)
    tail = next((at for at in range(shorter - head) if old_lines[-1 - at] != new_lines[-1 - at]), shorter - head)
    changed = sum(line[:1] in "+-" and not line.startswith(("---", "+++")) for line in patch.splitlines())
    assert changed <= len(old_lines) + len(new_lines) - 2 * (head + tail)
    if len(set(old_lines)) == len(old_lines):
        full = list(difflib.unified_diff(old_lines, new_lines))
        assert changed == sum(line[:1] in "+-" and not line.startswith(("---", "+++")) for line in full)


def test_a_bom_is_kept_and_never_read_as_text(mini: Project) -> None:
    """A README that starts with a byte order mark: a marker on its first line is a
    marker, its first heading is the page's title, and generate keeps the BOM."""
    from awesome_catalog.cli import main
    from awesome_catalog.formats.site import page_title

    text = mini.readme.read_text(encoding="utf-8")
    first = "<!-- awesome-catalog:begin:taxonomy -->"
    start, end = text.index(first), text.index("<!-- awesome-catalog:end:taxonomy -->\n")
    moved = text[start:end] + "<!-- awesome-catalog:end:taxonomy -->\n" + text[:start] + text[end + 39:]
    regions, problems = readme.find_regions("\ufeff" + moved)
    assert problems == [] and regions[0].name == "taxonomy" and regions[0].begin == 0
    mini.readme.write_bytes(b"\xef\xbb\xbf" + text.replace("# Mini List", "# Mini list \u2014 with a BOM").encode())
    assert page_title(mini) == "Mini list \u2014 with a BOM"
    assert main(["--root", str(mini.root), "generate"]) == 0
    assert mini.readme.read_bytes().startswith(b"\xef\xbb\xbf# Mini list")
    assert main(["--root", str(mini.root), "check", "--no-cache"]) == 0


@pytest.mark.parametrize("line", [
    "Write `<!-- awesome-catalog:begin:NAME -->` on its own line.",  # text about markers, in inline code
    "The awesome-catalog tool begins here.",
    "```",  # a code block: what is inside is text
])
def test_text_about_markers_is_no_near_miss(line: str, mini: Project) -> None:
    text = mini.readme.read_text(encoding="utf-8")
    body = f"{line}\n<!-- AWESOME-CATALOG:BEGIN:TOC -->\n```\n" if line == "```" else line
    _, problems = readme.find_regions(text.replace("A small awesome list", body + "\n\nA small awesome list", 1))
    assert problems == []


_EDITS = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 3),
                            st.sampled_from(["", "\n", "\n\n", "x", "|", "## Heading\n", "\r\n", "·", "—"])),
                  max_size=3)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=_EDITS, newline=st.sampled_from(["\n", "\r\n"]))
def test_the_in_place_comparison_answers_as_writing_the_readme_out(mini: Project, edits: list[tuple[int, int, str]],
                                                                   newline: str) -> None:
    """``regenerate(check=True)`` finds a README up to date without writing the new one
    out; on READMEs edited at random, it says so exactly when the new README is the
    same, and the layout it gives then is the one of writing it out."""
    listing = mini_catalog(mini)
    text = readme.render_readme(mini.readme.read_text(encoding="utf-8"), listing).replace("\n", newline)
    for at, cut, insert in edits:
        at %= len(text) + 1
        text = text[:at] + insert + text[at + cut:]
    try:
        new, layout = readme.regenerate(text, listing)
        unchanged, checked_layout = readme.regenerate(text, listing, check=True)
    except readme.MarkerError:
        return
    assert (unchanged is None) == (new == text)
    if unchanged is None:
        assert checked_layout == layout


def test_the_layout_names_each_piece_of_the_sections_region(mini: Project) -> None:
    """The layout ``regenerate`` gives points at each piece's bytes in the new README,
    whatever the regions before the sections grew by."""
    listing = mini_catalog(mini)
    text = mini.readme.read_text(encoding="utf-8")
    stale = text.replace("flowchart LR", "flowchart LR\n    a --> b\n    c --> d", 1)  # the diagram, made longer
    for before in (text, stale):
        new, layout = readme.regenerate(before, listing)
        assert new is not None and layout is not None
        data = new.encode("utf-8")
        targets = dict(layout.anchors)
        pieces = dict(render.sections_pieces(listing, targets))
        assert [key for key, _, _, _ in layout.pieces] == list(pieces)
        for key, start, end, lines in layout.pieces:
            assert data[start:end] == pieces[key].encode("utf-8") and lines == pieces[key].count("\n")
        assert new.splitlines()[layout.line] == readme.marker("begin", "sections")


_PIECES = st.sampled_from([
    "", "\n", "\r\n", "text ", "# Title", "```", "~~~", "````md", "`code`", "<!--", "-->", " ", "    ",
    readme.marker("begin", "sections"), readme.marker("end", "sections"), readme.marker("begin", "toc"),
    readme.marker("end", "toc"), "awesome-catalog:begin:toc", "AWESOME catalog : END", "awe\u017fome-catalog:begin",
    "> ", "- ", "é", "—", "İ", "\ufeff", "\u2028",
])


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(_PIECES, max_size=40))
def test_markers_found_on_the_lines_that_can_hold_them_are_those_of_every_line(pieces: list[str]) -> None:
    """``find_regions`` looks only at the lines that can hold a marker, a fence or the
    tool's name; it finds what scanning every line finds."""
    text = "".join(pieces)
    assert readme.find_regions(text) == readme.find_regions(text, every=True)


_INSERTS = st.sampled_from([
    "", "\n", "x", "·", "<!--", "```", "\n```\n", "\n   ~~~\n", "`code`", "awesome", "AWESOME-catalog", "\u017f",
    "\r", "\r\n", "\ufeff", "[broken](#nowhere)", "[fine](#contents)", "## A heading\n", "\n\n",
    readme.marker("begin", "sections"), readme.marker("end", "sections"), "\n" + readme.marker("end", "sections"),
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 2), _INSERTS), max_size=3))
def test_the_check_of_bytes_answers_as_the_check_of_text(mini: Project, edits: list[tuple[int, int, str]]) -> None:
    """``check_plain`` compares the sections region in bytes without decoding it; on
    READMEs edited at random (inside the region or not), it answers exactly as
    ``check_text`` does, or leaves the answer to it, and it answers an up-to-date README."""
    listing = mini_catalog(mini)
    text = readme.render_readme(mini.readme.read_text(encoding="utf-8"), listing)
    assert readme.check_plain(text.encode("utf-8"), listing) == readme.check_text(text, listing)
    for at, cut, insert in edits:
        at %= len(text) + 1
        text = text[:at] + insert + text[at + cut:]
    found = readme.check_plain(text.encode("utf-8", "surrogatepass"), listing)
    assert found is None or found == readme.check_text(text, listing)
