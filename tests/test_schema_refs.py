"""Schemas are data, never code: no ``$ref`` makes the checker fetch anything.

A loopback server stands for any remote host and counts what it is asked: every ref
that leads outside ``schema/`` (directly, through another schema, by ``$id`` or by
``$dynamicRef``) must be reported on the schema file, with zero requests made.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from awesome_catalog.cli import main
from awesome_catalog.core.project import Project
from awesome_catalog.load.pipeline import run_check

sys.path.insert(0, str(Path(__file__).resolve().parent / "net"))
from local_server import Handler, serve

REMOTE_SCHEMA = json.dumps({"$defs": {"url": {"type": "string"}}}).encode()


def _answer(handler: Handler, method: str) -> None:
    handler.answer(200, {"Content-Type": "application/schema+json"}, REMOTE_SCHEMA)


def _edit(project: Project, name: str, old: str, new: str) -> None:
    path = project.schema_dir / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


URL_REF = '"$ref": "#/$defs/url"'

# name -> (edits as (file, old, new) with {remote} for the server's URL, extra files, files reported)
CASES: dict[str, tuple[list[tuple[str, str, str]], dict[str, Any], set[str]]] = {
    "http ref": ([("entry.schema.json", URL_REF, '"$ref": "{remote}#/$defs/url"')], {}, {"entry.schema.json"}),
    "ref through another schema of the folder": (
        [("entry.schema.json", URL_REF, '"$ref": "common.schema.json#/$defs/url"')],
        {"common.schema.json": {"$defs": {"url": {"$ref": "{remote}#/$defs/url"}}}},
        {"entry.schema.json", "common.schema.json"}),
    "$id set to the remote address, ref to a part it lacks": (
        [("entry.schema.json", URL_REF, '"$ref": "{remote}#/$defs/url"')],
        {"common.schema.json": {"$id": "{remote}", "$defs": {}}}, {"entry.schema.json"}),
    "$dynamicRef": ([("entry.schema.json", URL_REF, '"$dynamicRef": "{remote}#meta"')], {},
                    {"entry.schema.json"}),
    "$schema names the remote address (not a ref: ignored, never fetched)": (
        [("taxonomy.schema.json", '"$schema": "https://json-schema.org/draft/2020-12/schema"',
          '"$schema": "{remote}"')], {}, set()),
    "ref to a file of the folder by name": (
        [("entry.schema.json", URL_REF, '"$ref": "common.schema.json#/$defs/url"')],
        {"common.schema.json": {"$defs": {"url": {"type": "string"}}}}, set()),
    "ref by the $id of a file of the folder, an address that looks remote": (
        [("entry.schema.json", URL_REF, '"$ref": "{remote}#/$defs/url"')],
        {"common.schema.json": {"$id": "{remote}", "$defs": {"url": {"type": "string"}}}}, set()),
    "ref that is no URI at all": ([("entry.schema.json", URL_REF, '"$ref": "http://[::1/x"')], {},
                                  {"entry.schema.json"}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_ref_is_ever_fetched(name: str, mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    edits, extra, reported = CASES[name]
    with serve(_answer) as server:
        remote = server.url("/schemas/common.json")
        for file, old, new in edits:
            _edit(mini, file, old, new.replace("{remote}", remote))
        for file, data in extra.items():
            (mini.schema_dir / file).write_text(json.dumps(data).replace("{remote}", remote), encoding="utf-8")
        result = run_check(mini)
        code = main(["--root", str(mini.root), "check", "--no-cache"])
        out, err = capsys.readouterr()
        assert server.requests() == [], "a schema made the checker send a request"
    flagged = {Path(d.path).name for d in result.diagnostics if d.code == "E120"}
    assert flagged == reported, result.diagnostics
    assert code == (1 if reported else 0) and "Traceback" not in out + err and "internal error" not in out + err
    if reported:
        assert "is not used" in out or "not used" in out


def test_a_broken_schema_leaves_the_others_in_use(mini: Project) -> None:
    """Only the schema with the problem is left out; E112/E120 never hide entry problems."""
    _edit(mini, "taxonomy.schema.json", '"type": "object"', '"type": 5')
    (mini.catalog_dir / "papers" / "bad.yaml").write_text("title: [\n", encoding="utf-8")
    codes = {(Path(d.path).name, d.code) for d in run_check(mini).diagnostics}
    assert codes == {("taxonomy.schema.json", "E120"), ("bad.yaml", "E102")}
