"""The README's quick start is two commands, and .ci/run runs exactly those."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _quick_start() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start for maintainers", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_is_two_commands_and_ci_runs_them_verbatim() -> None:
    commands = _quick_start()
    assert len(commands) == 2
    assert "awesome-catalog generate" in commands[0] and "awesome-catalog check" in commands[0]
    assert "pytest" in commands[1]
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for command in commands:
        assert command in ci_lines, f".ci/run does not run {command!r}"
