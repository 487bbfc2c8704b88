"""Draft 2020-12's metaschema as one document that the compiled check can run.

Every schema file is checked against the metaschema before the list's data is checked
against it. jsonschema does that in 50 ms, after a 40 ms import; the compiled check
(fastjsonschema, drafts 4 to 7) takes 2 ms. ``flatten`` turns the metaschema and its
seven vocabularies into one draft 7 document that says the same of a schema:

- each ``$dynamicRef: "#meta"`` becomes ``$ref: "#"``: the whole metaschema, as the
  dynamic reference finds it for a schema that adds no vocabulary of its own;
- each reference to a vocabulary, or to a definition inside one, points into
  ``$defs`` where that vocabulary now lies;
- a ``$ref`` with other keywords beside it goes into an ``allOf`` (draft 7 ignores what
  stands beside a ``$ref``, 2020-12 applies it);
- annotations go, and so does each ``format`` but ``regex``: the others it names (``uri``,
  ``uri-reference``) are checked by jsonschema only when a module it looks for is
  installed (``URI_FORMAT_MODULES``), and then ``validate`` leaves the check to it.

The document is shipped (``FLAT``) and written by ``python -m awesome_catalog.load.metaschema``
from jsonschema's own copy of the metaschema; the tests write it again and compare, and
prove on generated schemas that both checks give the same answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

FLAT = Path(__file__).with_name("metaschema-2020-12.json")
BASE = "https://json-schema.org/draft/2020-12/"
VOCABULARIES = ("core", "applicator", "unevaluated", "validation", "meta-data", "format-annotation", "content")
KEPT_FORMATS = frozenset({"regex"})
URI_FORMAT_MODULES = ("rfc3987", "rfc3986_validator")
"""The modules whose presence makes jsonschema check the ``uri`` and ``uri-reference``
formats (``jsonschema._format``); without them, it checks neither."""

_DROPPED = frozenset({"$id", "$schema", "$vocabulary", "$dynamicAnchor", "$comment", "title", "description",
                      "default", "deprecated", "examples"})
_MAPS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})
"""Keywords whose value maps names to schemas (the names are data, never keywords)."""


def flatten(contents: Callable[[str], Any]) -> dict[str, Any]:
    """The metaschema as one draft 7 document; ``contents`` gives the document at a URI."""
    flat: dict[str, Any] = _node(contents(f"{BASE}schema"), None)
    flat["$defs"] = {name: _node(contents(f"{BASE}meta/{name}"), name) for name in VOCABULARIES}
    return flat


def _node(node: Any, vocabulary: str | None) -> Any:
    """One schema of the vocabulary ``vocabulary`` (None: the metaschema itself), rewritten."""
    if isinstance(node, list):
        return [_node(item, vocabulary) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROPPED or (key == "format" and value not in KEPT_FORMATS):
            continue
        if key == "$dynamicRef":
            if value != "#meta":
                raise ValueError(f"unexpected $dynamicRef {value!r}")
            out["$ref"] = "#"
        elif key == "$ref":
            out["$ref"] = _target(value, vocabulary)
        elif key in _MAPS:
            out[key] = {name: _node(schema, vocabulary) for name, schema in value.items()}
        else:
            out[key] = _node(value, vocabulary)
    if "$ref" in out and len(out) > 1:
        out = {"allOf": [{"$ref": out.pop("$ref")}], **out}
    return out


def _target(ref: str, vocabulary: str | None) -> str:
    """Where ``ref``, written in ``vocabulary``, points in the flat document."""
    where, _, pointer = ref.partition("#")
    if where:  # "meta/validation#/$defs/stringArray": another vocabulary
        vocabulary = where.rsplit("/", 1)[-1]
        if vocabulary not in VOCABULARIES:
            raise ValueError(f"unexpected $ref {ref!r}")
    return f"#/$defs/{vocabulary}{pointer}" if vocabulary else f"#{pointer}"


def flat() -> Any:
    """The shipped document."""
    return json.loads(FLAT.read_text(encoding="utf-8"))


def text(document: Any) -> str:
    """The document as the shipped file holds it."""
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":  # write FLAT again from jsonschema's copy of the metaschema
    from jsonschema_specifications import REGISTRY

    FLAT.write_text(text(flatten(REGISTRY.contents)), encoding="utf-8")
    print(f"wrote {FLAT.name}")
