"""The schemas editors and the checker use, and the shipped catalog against them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from awesome_catalog.core.project import SCHEMA_NAMES, Project
from awesome_catalog.load.pipeline import run_check

REPO = Path(__file__).resolve().parent.parent
SHIPPED = Project(REPO)


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SHIPPED.schema_file(name).read_text(encoding="utf-8"))
    return schema


def _objects(node: Any, where: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every sub-schema that declares properties, with where it is."""
    if isinstance(node, dict):
        if "properties" in node:
            yield where, node
        for key, value in node.items():
            yield from _objects(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _objects(value, f"{where}[{i}]")


@pytest.mark.parametrize("name", [*SCHEMA_NAMES, "export"])
def test_schema_is_valid_draft_2020_12_and_documented(name: str) -> None:
    schema = _schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(f"/schema/{name}.schema.json") and schema["title"] and schema["description"]
    for where, obj in _objects(schema):
        assert obj.get("additionalProperties") is False, where
        for key, prop in obj["properties"].items():
            assert prop.get("description"), f"{where}.properties.{key} has no description"


@pytest.mark.parametrize("document", [
    {"url": "https://example.org/x", "sections": [{"section": "techniques", "summary": "A long enough summary."}]},
    {"title": "T", "url": "https://example.org/x", "extra": 1,
     "sections": [{"section": "techniques", "summary": "A long enough summary."}]},
    {"title": "T", "url": "https://example.org/x", "arxiv": 2211.00593,
     "sections": [{"section": "techniques", "summary": "A long enough summary."}]},
    {"title": "T", "url": "javascript:alert(1)",
     "sections": [{"section": "techniques", "summary": "A long enough summary."}]},
    {"title": "T", "url": "https://example.org/x",
     "sections": [{"section": "Techniques_1", "summary": "A long enough summary."}]},
], ids=["missing-title", "unknown-key", "numeric-arxiv", "javascript-url", "non-kebab-section"])
def test_entry_schema_rejects(document: dict[str, Any]) -> None:
    assert not jsonschema.Draft202012Validator(_schema("entry")).is_valid(document)


def test_taxonomy_schema_rejects_a_non_kebab_section_id() -> None:
    validator = jsonschema.Draft202012Validator(_schema("taxonomy"))
    assert validator.is_valid({"sections": [{"id": "tools", "title": "Tools"}]})
    assert not validator.is_valid({"sections": [{"id": "Tools", "title": "Tools"}]})


def test_every_catalog_file_names_its_schema_for_editors() -> None:
    for path in sorted(SHIPPED.catalog_dir.rglob("*.yaml")):
        depth = len(path.relative_to(SHIPPED.catalog_dir).parts) - 1
        special = {"taxonomy.yaml": "taxonomy", "vocabulary.yaml": "vocabulary", "list.yaml": "list"}
        kind = special.get(path.name, "entry")
        expected = f"# yaml-language-server: $schema={'../' * (depth + 1)}schema/{kind}.schema.json"
        assert path.read_text(encoding="utf-8").splitlines()[0] == expected, path.name


def test_the_shipped_catalog_and_readme_check_clean() -> None:
    result = run_check(SHIPPED)
    assert result.diagnostics == []
    assert result.entries >= 111 and result.appearances >= 155


def test_the_shipped_schemas_are_the_ones_made_from_the_list_settings() -> None:
    """schema/*.schema.json are written from catalog/list.yaml by formats/schemas.py (as
    init writes a new list's): a tag set added to the settings needs them written again."""
    from awesome_catalog.core.model import Settings
    from awesome_catalog.formats.schemas import schemas, to_json

    settings = Settings.from_data(yaml.safe_load((REPO / "catalog" / "list.yaml").read_text(encoding="utf-8")))
    made = schemas(settings, summary_min=20, base="https://github.com/awesome-mi/awesome-mi/schema/")
    for name, schema in made.items():
        assert (REPO / "schema" / f"{name}.schema.json").read_text(encoding="utf-8") == to_json(schema), name
