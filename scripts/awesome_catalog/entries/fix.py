"""``check --fix``: the safe fixes of the rules (``load.rules.safe_fixes``), made in the entry files.

Each fix edits only the characters of the value it fixes, where the file writes that value:
comments, quoting, layout and every other value stay byte for byte (nothing is dumped
again). An edit is made only where it is certain: the characters it replaces must occur in
the written value as often as in the value itself, so that the one to change is known;
then the edited file is read again, and its data must equal the data before with only
that value changed. When any fix is not certain, or two fixes of one value disagree, no
file is written at all. Rules a list turns off (``rules:`` in catalog/list.yaml) are not fixed.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from awesome_catalog.core import writing
from awesome_catalog.core.diagnostics import CODES
from awesome_catalog.core.project import Project
from awesome_catalog.load import yamlload
from awesome_catalog.load.rules import Edit, Fix, safe_fixes


@dataclass(frozen=True)
class Change:
    """What a fix changed, or why it could not: ``path:line: what``."""

    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


@dataclass
class FixPlan:
    """The files to write (none when anything was refused), what changes, what was refused."""

    files: list[tuple[Path, bytes]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    refused: list[Change] = field(default_factory=list)


def plan_fixes(project: Project, named: Sequence[str] | None = None) -> FixPlan:
    """Every safe fix of the catalog's entry files (only those ``named`` by ``check``'s
    PATHs, when given), made in memory and verified; nothing is written here."""
    from awesome_catalog.load.loader import load_catalog
    from awesome_catalog.load.pipeline import is_named

    loaded = load_catalog(project)
    catalog = loaded.catalog
    plan = FixPlan()
    if catalog is None:
        return plan
    off = {name for name, level in catalog.settings.rules if level == "off"}
    by_file: dict[str, dict[tuple[str | int, ...], list[Fix]]] = {}
    for fix in safe_fixes(catalog):
        if CODES[fix.code][0] in off or (named is not None and not is_named(fix.path, named)):
            continue
        by_file.setdefault(fix.path, {}).setdefault(tuple(fix.parts), []).append(fix)
    for rel, values in sorted(by_file.items()):
        original = loaded.texts.get(rel)
        if original is None:
            continue
        text = original
        for parts, fixes in values.items():
            line = yamlload.locate(original, parts)[0]
            edits, conflict = _agreed([f.edit for f in fixes])
            if conflict:
                plan.refused.append(Change(rel, line, f"the fixes {conflict} of one value disagree"))
                continue
            value = fixes[0].value
            for edit in sorted(edits, key=lambda e: e.start, reverse=True):
                done = _apply(text, rel, parts, value, edit)
                if isinstance(done, str):
                    plan.refused.append(Change(rel, line, f"cannot fix {edit.what} safely: {done}"))
                    break
                text, value = done
                plan.changes.append(Change(rel, line, f"{parts[-1]}: {edit.what}"))
        if text != original:
            plan.files.append((project.root / rel, text.encode("utf-8")))
    plan.changes.sort(key=lambda c: (c.path, c.line))
    if plan.refused:
        plan.files = []
    return plan


def write(plan: FixPlan) -> None:
    """Write the planned files, all or none (``writing.replace_all``)."""
    if plan.files:
        writing.replace_all(plan.files)


def _agreed(edits: list[Edit]) -> tuple[list[Edit], str | None]:
    """The edits without those another one already makes (a name's correction starts with
    the capital letter it would add); the two that disagree, if any overlap otherwise."""
    kept: list[Edit] = []
    for edit in sorted(edits, key=lambda e: (e.start, -(e.end - e.start))):
        last = kept[-1] if kept else None
        if last is None or edit.start >= last.end or (edit.start == edit.end == last.end):
            kept.append(edit)
            continue
        inside = last.start <= edit.start and edit.end <= last.end and len(last.text) == last.end - last.start
        if inside and last.text[edit.start - last.start:edit.end - last.start] == edit.text:
            continue
        return [], f"{last.what} and {edit.what}"
    return kept, None


def _occurrences(text: str, needle: str) -> list[int]:
    found, i = [], text.find(needle)
    while i >= 0:
        found.append(i)
        i = text.find(needle, i + 1)
    return found


def _apply(text: str, rel: str, parts: tuple[str | int, ...], value: str, edit: Edit) -> tuple[str, str] | str:
    """``text`` with ``edit`` made in the value at ``parts`` (which reads ``value``), and the
    new value; or why it cannot be made with certainty."""
    span = yamlload.value_span(text, parts)
    if span is None:
        return "the value is not where it was read"
    start, end = edit.start, edit.end
    if start == end:  # an insertion: replace the character before with itself and the text
        start -= 1
    if start < 0:
        return "nothing to anchor the insertion to"
    needle = value[start:end]
    new_value = value[:edit.start] + edit.text + value[edit.end:]
    in_value, in_file = _occurrences(value, needle), _occurrences(text[span[0]:span[1]], needle)
    if len(in_value) != len(in_file) or start not in in_value:
        return f"the file writes {needle!r} otherwise than the value reads (quotes, escapes or folded lines)"
    at = span[0] + in_file[in_value.index(start)]
    replacement = value[start:edit.start] + edit.text
    new_text = text[:at] + replacement + text[at + len(needle):]
    before, after = yamlload.load(text.encode("utf-8"), rel), yamlload.load(new_text.encode("utf-8"), rel)
    expected = _with_value(before.data, parts, new_value)
    if after.diagnostics or expected is None or after.data != expected:
        return "the edited file would not read as the fixed value"
    return new_text, new_value


def _with_value(data: Any, parts: tuple[str | int, ...], value: str) -> Any:
    """A copy of ``data`` with the value at ``parts`` replaced; None when there is none."""
    if not parts:
        return None
    out = copy.deepcopy(data)
    here = out
    try:
        for part in parts[:-1]:
            here = here[part]
        if not isinstance(here[parts[-1]], str):
            return None
        here[parts[-1]] = value
    except (KeyError, IndexError, TypeError):
        return None
    return out
