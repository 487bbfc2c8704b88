"""Reporters: turn diagnostics into text for people, GitHub annotations, or JSON.

Reporting is separate from checking: every reporter takes the same list of
diagnostics and writes it to a stream. Every reporter shows the text of a diagnostic
through ``escape``: a file name holding ESC or a newline cannot forge a line or colour
the terminal, and one that is not valid UTF-8 is shown with its bytes (``\\xe9``)
instead of stopping the output half-written.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from typing import Protocol, TextIO

from awesome_catalog.core.diagnostics import Diagnostic, Refusal, Severity, plural, sort_key


def escape(text: str) -> str:
    """``text`` with every character that is not printable shown as an escape: control
    characters (``\\x1b``, ``\\n``), invisible formatting such as bidi overrides
    (``\\u202e``), and the bytes of a file name that were not UTF-8 (``\\xe9``)."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        code = ord(char)
        if char.isprintable():
            out.append(char)
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as os.fsdecode keeps it
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char in "\n\t\r":
            out.append(repr(char)[1:-1])
        elif code < 0x100:
            out.append(f"\\x{code:02x}")
        else:
            out.append(f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


def shown(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics as every reporter shows them: sorted, their text escaped."""
    return [dataclasses.replace(d, path=escape(d.path), message=escape(d.message),
                                hint=None if d.hint is None else escape(d.hint))
            for d in sorted(diagnostics, key=sort_key)]


def use_color(stream: TextIO, choice: str = "auto") -> bool:
    """Colour only on a terminal (or with ``--color always``), and never when NO_COLOR
    is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR") or choice == "never":
        return False
    if choice == "always":
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _paint(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color else text


def _where(d: Diagnostic) -> str:
    if d.line <= 0:
        return d.path
    return f"{d.path}:{d.line}:{d.column}" if d.column > 0 else f"{d.path}:{d.line}"


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    """One line: how many errors and warnings, in how many files."""
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    files = len({d.path for d in diagnostics})
    if not diagnostics:
        return "no problems found"
    parts = [plural(errors, "error")] if errors else []
    if warnings:
        parts.append(plural(warnings, "warning"))
    return f"{', '.join(parts)} in {plural(files, 'file')}"


def write_text(diagnostics: Sequence[Diagnostic], stream: TextIO, *, color: bool = False,
               diff: str | None = None, footer: str | None = None) -> None:
    """``path:line:col: CODE message`` and an indented hint, then the diff and a summary."""
    for d in shown(diagnostics):
        tone = "31" if d.severity is Severity.ERROR else "33"
        stream.write(f"{_paint(_where(d), '1', color)}: {_paint(d.code, '1;' + tone, color)} {d.message}\n")
        if d.hint:
            stream.write(f"  {_paint('hint:', '36', color)} {d.hint}\n")
    if diff:
        stream.write("\n" + diff + ("" if diff.endswith("\n") else "\n"))
    stream.write(footer or summary(diagnostics))
    stream.write("\n")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write_github(diagnostics: Sequence[Diagnostic], stream: TextIO, *, color: bool = False,
                 diff: str | None = None, footer: str | None = None) -> None:
    """GitHub workflow commands, so problems show on the pull request's diff."""
    for d in shown(diagnostics):
        level = "error" if d.severity is Severity.ERROR else "warning"
        props = [f"file={_escape_property(d.path)}"]
        if d.line > 0:
            props.append(f"line={d.line}")
        if d.column > 0:
            props.append(f"col={d.column}")
        props.append(f"title={_escape_property(f'{d.code} {d.name}')}")
        body = d.message + (f"\n{d.hint}" if d.hint else "")
        stream.write(f"::{level} {','.join(props)}::{_escape_data(body)}\n")
    if diff:
        stream.write("::group::README diff (run `awesome-catalog generate` to apply)\n")
        stream.write(diff + ("" if diff.endswith("\n") else "\n"))
        stream.write("::endgroup::\n")
    stream.write(summary(diagnostics) + "\n")


def write_json(diagnostics: Sequence[Diagnostic], stream: TextIO, *, color: bool = False,
               diff: str | None = None, footer: str | None = None) -> None:
    """A machine-readable document: ``{"version": 1, "diagnostics": [...], "diff": ...}``."""
    doc = {
        "version": 1,
        "diagnostics": [
            {
                "path": d.path,
                "line": d.line,
                "column": d.column,
                "code": d.code,
                "name": d.name,
                "severity": d.severity.value,
                "message": d.message,
                "hint": d.hint,
            }
            for d in shown(diagnostics)
        ],
        "diff": diff,
    }
    import json

    json.dump(doc, stream, indent=2, ensure_ascii=False)
    stream.write("\n")


class Reporter(Protocol):
    """Writes diagnostics to a stream; ``color`` and ``footer`` are hints a format may ignore."""

    def __call__(self, diagnostics: Sequence[Diagnostic], stream: TextIO, *, color: bool = False,
                 diff: str | None = None, footer: str | None = None) -> None: ...


REPORTERS: dict[str, Reporter] = {"text": write_text, "github": write_github, "json": write_json}
"""Every output format of diagnostics, by its name on the command line: the one registry of them."""


def write(fmt: str, diagnostics: Sequence[Diagnostic], stream: TextIO, *, color: bool = False,
          diff: str | None = None, footer: str | None = None) -> None:
    """Write ``diagnostics`` in format ``fmt`` (a key of ``REPORTERS``)."""
    REPORTERS[fmt](diagnostics, stream, color=color, diff=diff, footer=footer)


def write_refusal(err: Refusal, command: str, stream: TextIO) -> int:
    """Say why ``command`` wrote nothing, with the hint; returns the refusal's exit status."""
    stream.write(f"awesome-catalog {command}: {err.message}\n")
    if err.hint:
        stream.write(f"  hint: {err.hint}\n")
    return err.code
