"""The JSON Schemas of a list, made from its settings (``catalog/list.yaml``).

``init`` writes them into the new list's ``schema/`` folder: strict (Draft 2020-12,
``additionalProperties: false`` everywhere), with a description on every key for
editors, and with the list's own tag sets and link kinds as named keys, so that a typo
in a key is an error with a suggestion and an editor completes the real names. They are
then the list's own files: a maintainer may tighten them, and ``check`` uses them as
they are.
"""

from __future__ import annotations

import json
from typing import Any

from awesome_catalog.core.diagnostics import CODES, RULE_LEVELS, configurable_rules
from awesome_catalog.core.link_kinds import LINK_KINDS
from awesome_catalog.core.model import BUILT_IN_COLUMNS, MAX_TEXT, MAX_TITLE, Settings

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ID = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}
URL = {"type": "string", "format": "uri", "maxLength": 2000, "pattern": "^https?://[^\\s/?#]+[^\\s]*$"}
NAMES = ("entry", "taxonomy", "vocabulary", "list")


def _doc(name: str, title: str, description: str, body: dict[str, Any], base: str) -> dict[str, Any]:
    return {"$schema": DRAFT, "$id": f"{base}{name}.schema.json", "title": title, "description": description,
            "type": "object", "additionalProperties": False, **body}


def _text(description: str, most: int, least: int = 1) -> dict[str, Any]:
    return {"description": description, "type": "string", "minLength": least, "maxLength": most, "pattern": "\\S"}


def _terms(label: str) -> dict[str, Any]:
    return {"description": f"{label}: ids from catalog/vocabulary.yaml; an empty list means none applies.",
            "type": "array", "items": {"$ref": "#/$defs/term"}}


def entry_schema(settings: Settings, summary_min: int = 1, base: str = "") -> dict[str, Any]:
    """The schema of one entry file."""
    kinds = {**LINK_KINDS, **settings.link_kinds}
    per_entry = {s.id: _terms(s.label) for s in settings.tag_sets if s.per == "entry"}
    per_appearance = {s.id: _terms(s.label) for s in settings.tag_sets if s.per == "appearance"}
    return _doc("entry", "Catalog entry", "One item of the list (a work, a tool, a resource). The file's name, "
                "without .yaml, is the entry's id.", {
        "required": ["title", "url", "sections"],
        "properties": {
            "title": {"description": "The item's exact name or title.", "type": "string", "minLength": 1,
                      "maxLength": MAX_TITLE, "pattern": "^\\S(.*\\S)?$"},
            "url": {"description": "The canonical link. arXiv works use https://arxiv.org/abs/<id>.",
                    "$ref": "#/$defs/url"},
            "kind": {"description": "What the item is. Defaults to 'paper' under catalog/papers/, 'tool' under "
                     "catalog/tools/ and 'resource' (a project, a site, a dataset...) elsewhere.",
                     "enum": ["paper", "blog", "report", "tool", "resource"]},
            "year": {"description": "Year of the first public version (for tools: of the latest release).",
                     "type": "integer", "minimum": 1950, "maximum": 2100},
            "venue": _text("Where the work was published, e.g. 'ICLR 2023'. Leave out when unknown.", 120),
            "arxiv": {"description": "The arXiv identifier, always a quoted string such as \"2211.00593\".",
                      "type": "string", "pattern": "^[0-9]{4}\\.[0-9]{4,5}$"},
            "authors": {"description": "Authors in order, each as 'Given Family'.", "type": "array",
                        "items": {"type": "string", "minLength": 1, "maxLength": 120}, "minItems": 1},
            "description": _text("What the item is, in one or two sentences; shown in every section unless an "
                                  "appearance gives its own summary.", MAX_TEXT, summary_min),
            "lead": _text("Markdown written before the item's link, such as the key of a glossary item "
                          "(`MIT` - [MIT License](...)).", 300),
            "marks": {"description": "Marks shown beside the item, such as a warning sign or a badge, as Markdown.",
                      "type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 300}},
            **per_entry,
            "links": {"description": "Other links to the same item, by kind.", "type": "object",
                      "additionalProperties": False, "minProperties": 1,
                      "properties": {kind: {"description": f"{label}.", "$ref": "#/$defs/url"}
                                     for kind, label in kinds.items()}},
            "sections": {"description": "Where the item appears: one appearance per section.", "type": "array",
                         "minItems": 1, "items": {"$ref": "#/$defs/appearance"}},
        },
        "$defs": {
            "url": URL,
            "id": ID,
            "term": {"description": "A vocabulary id, or an object naming a term and a detail.", "oneOf": [
                {"$ref": "#/$defs/id"},
                {"type": "object", "additionalProperties": False, "required": ["term", "detail"], "properties": {
                    "term": {"description": "A vocabulary id.", "$ref": "#/$defs/id"},
                    "detail": {"description": "What the term is applied to, e.g. 'knowledge editing'.",
                               "type": "string", "minLength": 1, "maxLength": 120}}}]},
            "appearance": {"type": "object", "additionalProperties": False, "required": ["section"], "properties": {
                "section": {"description": "The id of a section of catalog/taxonomy.yaml.", "$ref": "#/$defs/id"},
                **per_appearance,
                "summary": _text("One or two sentences on the item as seen from this section.", MAX_TEXT, summary_min),
                "rank": {"description": "The item's place in a section sorted by hand (sort: manual): lower first.",
                         "type": "integer", "minimum": 0, "maximum": 1000000000},
                "parent": {"description": "The id of the entry this item stands under, as a nested item.",
                           "$ref": "#/$defs/id"},
            }},
        },
    }, base)


def taxonomy_schema(settings: Settings, base: str = "") -> dict[str, Any]:
    """The schema of ``catalog/taxonomy.yaml``."""
    shown = [*BUILT_IN_COLUMNS, *(s.id for s in settings.tag_sets)]
    section = {"type": "object", "additionalProperties": False, "required": ["id", "title"], "properties": {
        "id": {"description": "Lowercase kebab-case id, unique across the tree.", **ID},
        "title": {"description": "The heading text, as Markdown.", "type": "string", "minLength": 1,
                  "maxLength": 300},
        "description": {"description": "Markdown shown under the heading.", "type": "string", "minLength": 1,
                        "maxLength": 20000},
        "layout": {"description": "How the items are shown: a table, or a bulleted list.", "enum": ["table", "list"]},
        "columns": {"description": "What each item shows besides its name and link, in order: the summary, year, "
                    "venue, other links, or a tag set. A grouping section has none.", "type": "array",
                    "uniqueItems": True, "items": {"enum": shown}},
        "items": {"description": "Whether items may appear here even with no columns (a list of names and links).",
                  "type": "boolean"},
        "sort": {"description": "The order of the items: by year then name, by name, or by hand (each "
                 "appearance's rank).", "enum": ["year", "name", "manual"]},
        "children": {"description": "Nested sections.", "type": "array", "minItems": 1,
                     "items": {"$ref": "#/$defs/section"}},
    }}
    return _doc("taxonomy", "Taxonomy", "The section tree of the list, in reading order.", {
        "required": ["sections"],
        "properties": {"sections": {"description": "Top-level sections.", "type": "array", "minItems": 1,
                                    "items": {"$ref": "#/$defs/section"}}},
        "$defs": {"section": section},
    }, base)


def vocabulary_schema(settings: Settings, base: str = "") -> dict[str, Any]:
    """The schema of ``catalog/vocabulary.yaml``: one list of terms per tag set."""
    term = {"type": "object", "additionalProperties": False, "required": ["id", "label"], "properties": {
        "id": {"description": "Lowercase kebab-case id used in entries.", **ID},
        "label": {"description": "How the term is shown in the README.", "type": "string", "minLength": 1,
                  "maxLength": 80},
        "aliases": {"description": "Other spellings, matched case-insensitively by the importer and in suggestions.",
                    "type": "array", "uniqueItems": True, "items": {"type": "string", "minLength": 1}},
        "description": {"description": "One sentence on what the term means.", "type": "string", "minLength": 1,
                        "maxLength": 400},
        "introduced_by": {"description": "The id of the catalog entry that introduced or defines the term.", **ID},
    }}
    return _doc("vocabulary", "Vocabulary", "The controlled terms of each tag set of catalog/list.yaml.", {
        "properties": {s.id: {"description": f"{s.label} terms.", "type": "array", "items": {"$ref": "#/$defs/term"}}
                       for s in settings.tag_sets},
        "$defs": {"term": term},
    }, base)


def _rule_levels() -> dict[str, Any]:
    levels = [*RULE_LEVELS, False]
    return {"description": "How check enforces each rule on the content of the catalog, by the name check reports it "
            "under (docs/codes.md): error (check fails), warning (check fails only with --strict) or off (not "
            "reported, and check --fix leaves it alone; YAML reads an unquoted off as false, which means the same). "
            "A rule left out keeps its usual severity. Only the warnings on the content (W3xx) and two errors on "
            "it (duplicate-work, duplicate-summary) can be set: other errors keep the catalog readable.",
            "type": "object", "additionalProperties": False,
            "properties": {name: {"description": f"{code}: {text}", "enum": levels}
                           for code, (name, text) in CODES.items() if name in configurable_rules()}}


def list_schema(base: str = "") -> dict[str, Any]:
    """The schema of ``catalog/list.yaml``, the list's own settings."""
    return _doc("list", "List settings", "The list's own settings, in catalog/list.yaml. The file is optional and "
                "so is every setting: what is left out keeps its default.", {"properties": {
        "rules": _rule_levels(),
        "tag_sets": {"description": "The sets of controlled terms items are tagged with (their terms are in "
                     "catalog/vocabulary.yaml).", "type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["id", "label"], "properties": {
                "id": {"description": "The key entries use for this set.", **ID},
                "label": {"description": "The set's name, as a column title.", "type": "string", "minLength": 1,
                          "maxLength": 80},
                "per": {"description": "Whether terms are given once per entry (a licence) or per appearance "
                        "(what a work contributes to one section).", "enum": ["entry", "appearance"]},
                "description": {"description": "What the set says of an item.", "type": "string", "minLength": 1,
                                "maxLength": 400}}}},
        "link_kinds": {"description": "Kinds of other links beyond the built-in ones (pdf, code, website...), each "
                       "with its label.", "type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["id", "label"], "properties": {
                "id": {"description": "The key under links: in an entry.", **ID},
                "label": {"description": "The link's text in the README.", "type": "string", "minLength": 1,
                          "maxLength": 60}}}},
        "items": {"description": "How a bulleted section writes an item: '- [Name](url) - Description.'",
                  "type": "object", "additionalProperties": False, "properties": {
                      "bullet": {"description": "The list marker.", "enum": ["-", "*", "+", "1."]},
                      "separator": {"description": "What stands between the link and the description.",
                                    "enum": [" - ", " \u2013 ", " \u2014 ", ": ", " "]},
                      "markdown": {"description": "Whether names and descriptions are Markdown, written into the "
                                   "README as they are (links, code, emphasis); otherwise they are plain text and "
                                   "escaped.", "type": "boolean"}}},
        "readme": {"description": "What the generated parts of the README show besides the items.", "type": "object",
                   "additionalProperties": False, "properties": {
                       "toc_title": {"description": "The heading of the table of contents.", "type": "string",
                                     "minLength": 1, "maxLength": 120},
                       "notes": {"description": "Whether each generated region says that it is generated.",
                                 "type": "boolean"},
                       "figures": {"description": "Whether a line of figures (works, sections, works per year) "
                                   "comes before the sections.", "type": "boolean"},
                       "back_links": {"description": "Whether each section links back to the table of contents.",
                                      "type": "boolean"}}},
        "links": {"description": "How `awesome-catalog links` judges this list's URLs.", "type": "object",
                  "additionalProperties": False, "properties": {
                      "refuse_scripts": {"description": "Hosts (and their subdomains) that refuse scripts: a 401, "
                                         "403 or 429 from them is not a problem.", "type": "array",
                                         "uniqueItems": True, "items": {"type": "string", "pattern": "^[a-z0-9.-]+$"}},
                      "skip": {"description": "URL prefixes that are never checked nor reported (the run's last line "
                               "counts them).", "type": "array",
                               "uniqueItems": True, "items": URL},
                      "refusal_is_dead": {"description": "Whether a 401, 403 or 429 from any other host counts as "
                                          "a dead link (by default it is reported as unchecked).",
                                          "type": "boolean"}}},
        "lint": {"description": "How the generated README stands with awesome-lint, the awesome-list ecosystem's "
                 "linter.", "type": "object", "additionalProperties": False, "properties": {
            "disable": {"description": "awesome-lint rules the list breaks on purpose. generate turns each one off "
                        "in the generated sections with awesome-lint's own marker, next to a visible sentence "
                        "giving the reason; there is no way to turn every rule off.", "type": "array", "items": {
                "description": "One rule turned off, and why.", "type": "object", "additionalProperties": False,
                "required": ["rule", "why"], "properties": {
                    "rule": {"description": "The rule's name as awesome-lint reports it, such as double-link.",
                             "type": "string", "pattern": "^[a-z][a-z0-9]*(-[a-z0-9]+)*$"},
                    "why": {"description": "Why the list breaks this rule, as one sentence for the README's "
                            "readers.", "type": "string", "minLength": 10, "maxLength": 300, "pattern": "\\S"}}}}}},
    }}, base)


def schemas(settings: Settings, summary_min: int = 1, base: str = "") -> dict[str, dict[str, Any]]:
    """Every schema of a list, by name (``schema/<name>.schema.json``); ``base`` starts
    each ``$id`` (where the list publishes its schemas, if it does)."""
    return {"entry": entry_schema(settings, summary_min, base), "taxonomy": taxonomy_schema(settings, base),
            "vocabulary": vocabulary_schema(settings, base), "list": list_schema(base)}


def to_json(value: Any, indent: int = 0, width: int = 120) -> str:
    """``value`` as JSON for people: a mapping or list on one line when it fits in
    ``width``, else one item per line, indented by two spaces; a final newline at the top."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) + indent <= width or not isinstance(value, (dict, list)) or not value:
        text = flat
    else:
        pad = " " * (indent + 2)
        if isinstance(value, dict):
            items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {to_json(v, indent + 2, width).strip()}"
                     for k, v in value.items()]
            text = "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
        else:
            items = [pad + to_json(v, indent + 2, width).strip() for v in value]
            text = "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
    return text + "\n" if indent == 0 else text
