"""Every fast path agrees with the careful one it stands in for.

- The compiled schema check is used only for schemas whose every keyword it enforces
  as Draft 2020-12 does; otherwise the full validator decides.
- On random instances, the compiled check and the full validator agree for every
  shipped schema.
- On random YAML texts, the fast YAML path and the careful one give equal data and
  diagnostics; on texts with raw control characters, escapes and odd line ends, the
  fast path builds nothing the careful one refuses.
- The metaschema check: where the compiled check finds a schema valid, jsonschema
  does too, on generated schemas; the flat metaschema it runs is made from
  jsonschema's own copy.
- The README's search of a string by its first character finds what the plain search finds.
- The result cache is keyed by the tool's own code: a changed rule is never answered
  from a result computed before the change.
- The listing recorded in the cache (the names of each entry folder whose stat stands
  for them) gives the scan a fresh listing gives, after any sequence of changes to the
  folders; a folder changed less than ``RACY_NS`` before the run that recorded it is
  listed again; and a run whose folders did not change lists none of them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

import fastjsonschema
import pytest
import yaml
from fastjsonschema.draft07 import CodeGeneratorDraft07
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from awesome_catalog.cli import main
from awesome_catalog.core.project import EntryFile, Project
from awesome_catalog.load import fileindex, inputs, metaschema, section_rows, shards, yamlload
from awesome_catalog.load import validate as schema_check
from awesome_catalog.load.cache import Store
from awesome_catalog.load.validate import ANNOTATIONS, FAST_KEYWORDS, Validator, unsupported_keywords, validate
from awesome_catalog.readme import regions

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = sorted((REPO / "schema").glob("*.schema.json"))


def _schema(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


# --- The compiled schema check ------------------------------------------------------------------


def test_every_fast_keyword_is_implemented_by_both_validators() -> None:
    within_if = {"then", "else"}  # both read them as part of `if`
    compiled = set(CodeGeneratorDraft07({})._json_keywords_to_function) | {"$ref"} | within_if
    full = set(Draft202012Validator.VALIDATORS) | within_if
    assert compiled >= FAST_KEYWORDS, FAST_KEYWORDS - compiled
    assert full >= FAST_KEYWORDS, FAST_KEYWORDS - full
    assert not FAST_KEYWORDS & ANNOTATIONS


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_the_shipped_schemas_use_only_keywords_the_compiled_check_enforces(path: Path) -> None:
    assert unsupported_keywords(_schema(path)) == set()
    assert Validator(_schema(path)).fast


TIGHTENED = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {"venue": {"type": "string"}, "year": {"type": "integer"}},
    "dependentRequired": {"venue": ["year"]},
    "unevaluatedProperties": False,
}


@pytest.mark.parametrize(("schema", "keywords"), [
    (TIGHTENED, {"dependentRequired", "unevaluatedProperties"}),
    ({"prefixItems": [{"type": "string"}]}, {"prefixItems"}),
    ({"items": [{"type": "string"}]}, {"items (as a list)"}),
    ({"$ref": "#/$defs/a", "minLength": 2, "$defs": {"a": {"type": "string"}}}, {"$ref (beside other keywords)"}),
    ({"properties": {"a": {"dependentSchemas": {}}}}, {"dependentSchemas"}),
    ({"anyOf": [{"minContains": 1}]}, {"minContains"}),
    ({"type": "string", "description": "x", "$defs": {"a": {"const": 1}}}, set()),
])
def test_keywords_the_compiled_check_would_miss_are_found_at_any_depth(schema: dict[str, Any],
                                                                         keywords: set[str]) -> None:
    assert unsupported_keywords(schema) == keywords


def test_a_2020_12_keyword_is_enforced_not_skipped_by_the_fast_path() -> None:
    # fastjsonschema knows neither keyword: alone, it calls this instance valid
    instance = {"venue": "ICLR 2023", "extra": 1}
    fastjsonschema.compile(TIGHTENED)(instance)
    problems = validate(Validator(TIGHTENED), instance, "x.yaml", "venue: ICLR 2023\nextra: 1\n")
    assert len(problems) == 2, problems


def test_a_list_that_tightens_its_schema_gets_the_rule_in_check(mini: Project) -> None:
    from awesome_catalog.load.pipeline import run_check

    path = mini.schema_file("entry")
    schema = _schema(path)
    schema["dependentRequired"] = {"venue": ["year"]}
    path.write_text(json.dumps(schema), encoding="utf-8")
    entry = mini.catalog_dir / "papers" / "ioi-circuit.yaml"
    entry.write_text(entry.read_text(encoding="utf-8").replace("\nyear: 2022", ""), encoding="utf-8")
    found = [d for d in run_check(mini).diagnostics if d.path.endswith("ioi-circuit.yaml")]
    assert [d.code for d in found] == ["E201"], found


_NAMED = "x.format(**locals())"


@pytest.mark.parametrize(("schema", "instances"), [
    ({"$ref": "#/$defs/a", "$defs": {"a": {"type": "array", "items": {"$ref": "#/$defs/b"}}, "b": {"type": "string"}}},
     [["a", "b"], ["a", 1], [], "a"]),
    ({"type": "object", "properties": {"xs": {"type": "array", "items": {"$ref": "#/$defs/t"}}},
      "$defs": {"t": {"oneOf": [{"type": "string", "pattern": "^[a-z]+$"}, {"type": "object", "required": ["term"]}]}}},
     [{"xs": ["ab", {"term": 1}]}, {"xs": ["AB"]}, {"xs": [{}]}, {"xs": [["a"]]}]),
    ({"type": "object", "required": [_NAMED], "properties": {_NAMED: {"type": "array", "items": {"$ref": "#/$defs/s"}}},
      "$defs": {"s": {"enum": [_NAMED, "{x}"]}}},
     [{_NAMED: [_NAMED, "{x}"]}, {_NAMED: ["y"]}, {}, {_NAMED: []}]),
], ids=["root-ref", "items-one-of", "schema-text-like-the-code"])
def test_the_compiled_check_answers_as_fastjsonschema_and_jsonschema(schema: dict[str, Any],
                                                                      instances: list[Any]) -> None:
    # the compiled check leaves out how fastjsonschema names list items for its messages
    validator = Validator(schema)
    plain = fastjsonschema.compile(schema)
    for instance in instances:
        try:
            plain(instance)
            expected = True
        except fastjsonschema.JsonSchemaException:
            expected = False
        assert validator.is_valid(instance) == expected == (next(validator.errors(instance), None) is None), instance
    assert {validator.is_valid(i) for i in instances} == {True, False}


# --- Compiled and full validators agree on random instances -----------------------------------

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-3000, 3000), st.floats(allow_nan=False, width=32),
                     st.text(max_size=12), st.sampled_from(["https://arxiv.org/abs/2211.00593", "2211.00593",
                                                           "logit-lens", "techniques", "ICLR 2023", " x", ""]))
_keys = st.sampled_from(["title", "url", "year", "venue", "arxiv", "authors", "links", "sections", "section",
                         "summary", "techniques", "evaluation", "term", "detail", "id", "label", "aliases",
                         "columns", "children", "description", "introduced_by", "kind", "pdf", "code", "x"])
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(_keys, inner, max_size=6)), max_leaves=25)


def _valid_examples() -> list[Any]:
    catalog = REPO / "catalog"
    files = [catalog / "taxonomy.yaml", catalog / "vocabulary.yaml", *sorted(catalog.glob("*/*.yaml"))[:20]]
    return [yaml.safe_load(f.read_text(encoding="utf-8")) for f in files]


def _mutate(value: Any, data: st.DataObject) -> Any:
    """The value with one random change somewhere inside it."""
    if isinstance(value, dict) and value and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(value)))
        return {**value, key: _mutate(value[key], data)}
    if isinstance(value, list) and value and data.draw(st.booleans()):
        i = data.draw(st.integers(0, len(value) - 1))
        return [*value[:i], _mutate(value[i], data), *value[i + 1:]]
    return data.draw(_values)


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_compiled_and_full_validators_agree(path: Path, data: st.DataObject) -> None:
    validator = Validator(_schema(path))
    assert validator.fast
    instance = _mutate(data.draw(st.sampled_from(_valid_examples())), data) if data.draw(st.booleans()) \
        else data.draw(_values)
    assert validator.is_valid(instance) == (next(validator.errors(instance), None) is None), instance


# --- The metaschema check: compiled and full agree ---------------------------------------------

_META = Draft202012Validator(Draft202012Validator.META_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_the_shipped_flat_metaschema_is_made_from_jsonschemas_own_copy() -> None:
    from jsonschema_specifications import REGISTRY

    made = metaschema.text(metaschema.flatten(REGISTRY.contents))
    assert metaschema.FLAT.read_text(encoding="utf-8") == made, \
        "run `python -m awesome_catalog.load.metaschema` to write it again"
    assert unsupported_keywords(metaschema.flat()) == set()  # every keyword one the compiled check enforces


def test_the_compiled_metaschema_check_leaves_out_only_formats_jsonschema_does_not_check() -> None:
    from jsonschema_specifications import REGISTRY

    def formats(node: Any) -> set[str]:
        if isinstance(node, dict):
            own = {node["format"]} if isinstance(node.get("format"), str) else set()
            return own.union(*(formats(v) for v in node.values()))
        return set().union(*(formats(v) for v in node)) if isinstance(node, list) else set()

    used = set().union(*(formats(REGISTRY.contents(f"{metaschema.BASE}{name}"))
                         for name in ["schema", *(f"meta/{v}" for v in metaschema.VOCABULARIES)]))
    checked = used & set(Draft202012Validator.FORMAT_CHECKER.checkers)
    uri_checked = any(importlib.util.find_spec(m) for m in metaschema.URI_FORMAT_MODULES)
    assert checked - metaschema.KEPT_FORMATS <= ({"uri", "uri-reference"} if uri_checked else set())
    assert (schema_check._meta_check() is None) == uri_checked


_junk = st.one_of(st.none(), st.booleans(), st.integers(-2, 3), st.sampled_from([1.0, 0.5, "", "x", [], {}]))
_names = st.lists(st.sampled_from(["a", "b", "$id", "type"]), max_size=3)
_patterns = st.sampled_from(["^a+$", "a|b", "(", "a{2", "[z-a]", "\\d", "x)"])
_texts = st.sampled_from(["#/$defs/a", "#x", "x#", "https://e.org/s", "s.json", "", "a", "#"])


def _keyword_value(key: str, schema: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Values of one keyword: mostly of the form the metaschema asks, sometimes not."""
    counts = st.integers(-1, 3)
    forms: dict[str, st.SearchStrategy[Any]] = {
        "type": st.one_of(st.sampled_from(["string", "object", "integer", "null", "strin"]),
                          st.lists(st.sampled_from(["string", "array", "string", "numbr"]), max_size=3)),
        "pattern": _patterns, "format": st.sampled_from(["uri", "date", "own"]),
        "required": _names, "enum": st.lists(_junk, max_size=3), "const": _junk,
        "properties": st.dictionaries(st.sampled_from(["a", "b"]), schema, max_size=2),
        "patternProperties": st.dictionaries(_patterns, schema, max_size=2),
        "dependentRequired": st.dictionaries(st.sampled_from(["a", "b"]), _names, max_size=2),
        "$vocabulary": st.dictionaries(_texts, _junk, max_size=2),
        **dict.fromkeys(["allOf", "anyOf", "oneOf", "prefixItems"], st.lists(schema, max_size=2)),
        **dict.fromkeys(["$ref", "$dynamicRef", "$id", "$anchor", "$schema", "$comment", "title"], _texts),
        **dict.fromkeys(["minLength", "maxLength", "minItems", "minContains", "maxProperties"], counts),
        **dict.fromkeys(["minimum", "maximum", "multipleOf", "exclusiveMinimum"], st.integers(-1, 2)),
    }
    mapped = {"$defs", "dependentSchemas"}
    if key in mapped:
        return st.one_of(st.dictionaries(st.sampled_from(["a", "b"]), schema, max_size=2), _junk)
    return st.one_of(forms.get(key, schema), _junk) if key in forms or key in _SUBSCHEMA_KEYS else _junk


_SUBSCHEMA_KEYS = {"items", "not", "if", "then", "else", "additionalProperties", "contains", "propertyNames",
                   "unevaluatedProperties"}
_META_KEYS = sorted({*FAST_KEYWORDS, *ANNOTATIONS, "prefixItems", "dependentRequired", "dependentSchemas",
                     "unevaluatedProperties", "$anchor", "$dynamicRef", "$vocabulary", "minContains",
                     "contentMediaType", "x-own"})
_meta_schemas: st.SearchStrategy[Any] = st.deferred(lambda: st.one_of(st.booleans(), st.fixed_dictionaries(
    {}, optional={key: _keyword_value(key, _meta_schemas) for key in _META_KEYS}).filter(lambda d: len(d) <= 4)))


@settings(max_examples=600, deadline=None)
@given(schema=_meta_schemas)
def test_the_compiled_metaschema_check_answers_as_jsonschema(schema: Any) -> None:
    """Where the compiled check answers (``surely_sound``), jsonschema finds the schema
    valid; and it answers for every valid schema without a float, so it is not a check
    that says little."""
    careful = _META.is_valid(schema)
    if schema_check.surely_sound(schema):
        assert careful, schema
    elif careful and schema_check._meta_check() is not None:
        assert schema_check._has_float(schema), schema


def test_a_schema_that_fails_the_metaschema_is_reported_by_jsonschema(mini: Project) -> None:
    path = mini.schema_dir / "entry.schema.json"
    broken = _schema(path)
    broken["properties"]["title"]["minLength"] = -1
    path.write_text(json.dumps(broken, indent=2), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "awesome_catalog", "--root", str(mini.root), "check", "--no-cache"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 1
    assert "E120 not a valid JSON Schema (draft 2020-12): $.properties.title.minLength" in run.stdout


def test_a_schema_with_a_regex_format_and_a_number_is_compiled() -> None:
    # fastjsonschema's code for `format: regex` leaves out its import of Decimal, which `minimum` needs
    validator = Validator({"type": "object", "properties": {"p": {"type": "string", "format": "regex"},
                                                            "n": {"type": "integer", "minimum": 1}}})
    assert validator.is_valid({"p": "^a$", "n": 2})
    assert not validator.is_valid({"p": "(", "n": 2})
    assert not validator.is_valid({"p": "^a$", "n": 0})


# --- The README's search of a string, first by its first character ------------------------------


@settings(max_examples=300, deadline=None)
@given(data=st.text(alphabet="`~a\n ", max_size=400), needle=st.sampled_from(["```", "~~~", "``", "`", "a`a"]),
       bounds=st.tuples(st.integers(0, 400), st.one_of(st.none(), st.integers(0, 400))), encoded=st.booleans())
def test_the_search_by_first_character_finds_every_place_the_plain_search_finds(
        data: str, needle: str, bounds: tuple[int, int | None], encoded: bool) -> None:
    start, end = bounds
    haystack: Any = data.encode() if encoded else data
    wanted: Any = needle.encode() if encoded else needle
    plain, at = [], haystack.find(wanted, start, end)
    while at >= 0:
        plain.append(at)
        at = haystack.find(wanted, at + 1, end)
    assert list(regions._finds(haystack, wanted, start, end)) == plain


# --- Fast and careful YAML paths agree ----------------------------------------------------------

_yaml_scalars = st.one_of(
    _scalars,
    st.sampled_from(["yes", "No", "on", "~", "null", "0x1f", "0o17", "1_000", "1e3", ".inf", "-.nan", "2024-01-02",
                     "12:30", "=", "'q'", '"d"', "a: b", "- x", "#c", "&a", "*a", "!x", "<<", "%", "@x", "`x"]),
)
_yaml_values = st.recursive(_yaml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(_keys, _yaml_scalars.filter(lambda v: v is not None)),
                                                 inner, max_size=5)), max_leaves=20)
_noise = st.sampled_from(["", "a: &x 1\nb: *x\n", "a: 1\na: 2\n", "<<: {a: 1}\n", "t: !!str 1\n", "y: 2024.0\n",
                          "d: 2024-01-02\n", "k: [1, 2\n", "? [a]\n: b\n", "1: x\n", "null: y\n", "e: '\\x1b'\n",
                          "b: !!binary aGk=\n", "\ufeffa: 1\n", "a:\n  - b\n  -\n", "s: |\n  x\n   y\n"])


@settings(max_examples=400, deadline=None)
@given(value=_yaml_values, flow=st.booleans(), style=st.sampled_from([None, '"', "'"]), noise=_noise,
       at_end=st.booleans())
def test_fast_and_careful_yaml_paths_agree(value: Any, flow: bool, style: str | None, noise: str,
                                           at_end: bool) -> None:
    try:
        body = yaml.safe_dump(value, default_flow_style=flow, default_style=style, allow_unicode=True)
    except yaml.YAMLError:
        return
    text = body + noise if at_end else noise + body
    raw = text.encode("utf-8")
    fast, careful = yamlload.load(raw, "x.yaml"), yamlload.load(raw, "x.yaml", careful=True)
    assert fast.data == careful.data
    assert type(fast.data) is type(careful.data)
    assert fast.diagnostics == careful.diagnostics


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(st.text(max_size=6), st.sampled_from(["yes", "No", "on", "OFF", "~", "null", "Null", "", "true",
                                                              "2024", "-1", "0x1f", "1e3", ".inf", "<<", "=", "!"])))
def test_the_fast_resolver_gives_pyyamls_tags_every_time(value: str) -> None:
    from yaml.nodes import ScalarNode

    fast = yamlload._FastLoader("")
    try:
        expected = yamlload._Resolver().resolve(ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
        for _ in range(2):  # the second answer may come from what the first kept
            assert fast.resolve(ScalarNode, value, (True, False)) == expected
        assert fast.resolve(ScalarNode, value, (False, True)) == "tag:yaml.org,2002:str"
    finally:
        fast.dispose()


_hostile = list("ab\r\n\t \x85\u2028\u2029\ufeff\u200b\u3000\x1b\x7f\u202e\u2066\x9b\\\"'#:-")
_raw_values = st.one_of(st.text(max_size=6), st.lists(st.sampled_from(_hostile), min_size=1, max_size=4).map("".join))
_escapes = st.sampled_from(["\\x1b", "\\e", "\\u202e", "\\t", "\\r", "\\n", "\\N", "\\L", "\\P", "\\_", "\\0",
                            "\\x85", "\\ufeff", "\\\\", "\\\""])
_layouts = st.sampled_from(["k: {v}\n", "- {v}\n", 'k: "{v}"\n', "k: '{v}'\n", "k: |\n  {v}\n", "k: >\n  {v}\n  {v}\n",
                            "{v}: x\n", "k: [{v}, b]\n", 'k: "a{e}b"\n', 'k: "{e}"\n', '"k{e}": 1\n', "k: x\r\n",
                            "k: x\ry: {v}\n", "k: '\n  {v}'\n"])


@settings(max_examples=500, deadline=None)
@given(parts=st.lists(st.tuples(_layouts, _raw_values, _escapes), min_size=1, max_size=4))
def test_the_fast_yaml_path_builds_only_what_the_careful_one_accepts(parts: list[tuple[str, str, str]]) -> None:
    # straight to the fast path, past load's own refusal of raw control characters, so
    # that its shortcut (no text is searched when the file holds no control character
    # and no escape) is tried on files that hold them
    text = "".join(layout.format(v=value, e=escape) for layout, value, escape in parts)
    try:
        fast = yamlload._load_fast(text)
    except (yamlload._Fallback, yaml.YAMLError, RecursionError):
        return
    careful = yamlload._load_careful(text, "x.yaml")
    assert not isinstance(careful, yamlload.Loaded), careful
    assert fast == careful
    assert type(fast) is type(careful)


@pytest.mark.parametrize("code", range(128))
def test_the_quick_ascii_answer_is_the_control_patterns(code: int) -> None:
    char = chr(code)
    for text in (char, f"a{char}b"):
        assert yamlload._ascii_only(text, yamlload._ASCII_SHOWN) == (not yamlload._CONTROL.search(text))
        assert yamlload._ascii_only(text, yamlload._ASCII_LINES) == (not yamlload._RAW_CONTROL.search(text))
    assert not yamlload._ascii_only("caf\u00e9", yamlload._ASCII_SHOWN)  # not ASCII: the pattern decides


# --- The result cache and the tool's own code ---------------------------------------------------

ALWAYS_FAILS = '''

_checked_cross_rules = cross_rules


def cross_rules(*args, **kwargs):  # type: ignore[no-redef]
    return [*_checked_cross_rules(*args, **kwargs), Diagnostic("catalog/taxonomy.yaml", 1, 1, "E301", "a new rule")]
'''


def test_a_changed_rule_is_never_answered_from_the_cache(mini: Project, tmp_path: Path) -> None:
    tool = tmp_path / "tool"
    shutil.copytree(REPO / "scripts" / "awesome_catalog", tool / "awesome_catalog",
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(tool), "AWESOME_CATALOG_CACHE_DIR": str(tmp_path / "cache"),
           "PYTHONDONTWRITEBYTECODE": "1"}

    def check() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "awesome_catalog", "--root", str(mini.root), "check"],
                              capture_output=True, text=True, env=env, timeout=60, check=False)

    assert check().returncode == 0
    assert check().returncode == 0  # answered from the cache
    rules = tool / "awesome_catalog" / "load" / "crossfile.py"
    rules.write_text(rules.read_text(encoding="utf-8") + ALWAYS_FAILS, encoding="utf-8")
    changed = check()
    assert changed.returncode == 1, changed.stdout + changed.stderr
    assert "a new rule" in changed.stdout


# --- Plain URLs read without urlsplit ------------------------------------------------------------

_hosts = st.lists(st.sampled_from(["www", "Example", "arxiv", "org", "com", "a-b", "x1", "", "-", "xn--bcher-kva",
                                   "bücher", "[::1", "user@host", "host:443", "host:99999"]),
                  min_size=1, max_size=4).map(".".join)
_paths = st.lists(st.sampled_from(["", "abs", "2211.00593", "index.html", "index.htm", "a b", "%20", "~x", "@",
                                   "(1)", "a;b", ":", "", "x?y=1", "#frag", "utm_source=z"]),
                  max_size=4).map("/".join)


@settings(max_examples=500, deadline=None)
@given(scheme=st.sampled_from(["https", "http", "HTTP", "ftp", ""]), host=_hosts, path=_paths,
       slash=st.booleans(), space=st.sampled_from(["", " ", "\t"]))
def test_plain_urls_read_without_urlsplit_give_what_urlsplit_gives(scheme: str, host: str, path: str,
                                                                    slash: bool, space: str) -> None:
    from awesome_catalog.core import identity

    url = f"{space}{scheme}://{host}{'/' if slash else ''}{path}{space}"
    assert identity.url_problem(url) == identity.careful_url_problem(url)
    assert identity.link_key(url) == identity.careful_link_key(url)


_NAMES = st.lists(st.sampled_from([f"catalog/papers/{c}{i}.yaml" for c in "abé" for i in range(40)]),
                  unique=True).map(sorted)
_STATS = st.tuples(st.integers(-(2**63), 2**64), st.integers(0, 3), st.integers(0, 3), st.integers(0, 2**64 - 1))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), kept=_NAMES, found=_NAMES)
def test_the_file_index_finds_what_a_file_by_file_comparison_finds(data: st.DataObject, kept: list[str],
                                                                   found: list[str]) -> None:
    """The index compares stats in bulk, block by block, and keeps them packed: the files
    it says to read, with their records, and the files gone, are those a plain comparison
    of each file's record finds; and after records are set and dropped, the index packed
    again holds exactly the records a plain dictionary holds. Stats past 2**63 included."""
    if data.draw(st.booleans()):
        found = list(kept)  # the same files: the bulk comparison
    with mock.patch.object(fileindex, "_BLOCK", data.draw(st.sampled_from([1, 3, 256]))):  # blocks of any size
        _compare_and_change(data, kept, found)


def _compare_and_change(data: st.DataObject, kept: list[str], found: list[str]) -> None:
    records = {rel: (data.draw(_STATS), data.draw(st.booleans()), bytes([i % 256]) * inputs.DIGEST_SIZE)
               for i, rel in enumerate(kept)}
    index = fileindex.FileIndex(fileindex.FileIndex.packed(records))
    packed = inputs.pack_stats(records[rel][0] for rel in kept)  # wrapped as the index keeps them
    wrapped = {rel: (inputs.unpack_stat(packed, i), *records[rel][1:]) for i, rel in enumerate(kept)}
    stats = {rel: wrapped[rel][0] if rel in wrapped and data.draw(st.booleans()) else data.draw(_STATS)
             for rel in found}
    todo, gone = index.compare("\0".join(found), inputs.pack_stats(stats[rel] for rel in found))
    found_stats = inputs.pack_stats(stats[rel] for rel in found)
    expected = [(at, wrapped.get(rel)) for at, rel in enumerate(found)
                if rel not in wrapped or not wrapped[rel][1]
                or inputs.unpack_stat(found_stats, at) != wrapped[rel][0]]
    assert (todo, gone) == (expected, set(kept) - set(found))

    plain = dict(wrapped)
    for rel in data.draw(st.lists(st.sampled_from(kept))) if kept else []:
        del index[rel]
        plain.pop(rel, None)
    for rel in data.draw(st.lists(st.sampled_from(found))) if found else []:
        record = (data.draw(_STATS), data.draw(st.booleans()), b"n" * inputs.DIGEST_SIZE)
        index[rel] = record
        plain[rel] = (inputs.unpack_stat(inputs.pack_stats([record[0]]), 0), *record[1:])
    again = fileindex.FileIndex(index.state())
    assert {rel: again.get(rel) for rel in again} == plain
    assert list(again) == sorted(plain)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), first=st.dictionaries(st.text(max_size=6) | st.binary(max_size=6), st.integers(), max_size=60),
       per_shard=st.sampled_from([1, 3, 256]))
def test_shards_hold_what_a_plain_dictionary_holds(data: st.DataObject, first: dict[Any, int],
                                                   per_shard: int) -> None:
    """A mapping kept in shards (as many as its size asks for when first packed), changed
    over runs that each unpack only the shards they touch and pack the others as they
    were, holds after every run exactly what a plain dictionary changed alike holds."""
    with mock.patch.object(shards, "PER_SHARD", per_shard), mock.patch.object(shards, "COUNT", 2):
        kept, plain = shards.Shards(), dict(first)
        for key, value in first.items():
            kept[key] = value
        for _run in range(data.draw(st.integers(1, 4))):
            kept = shards.Shards(kept.pack())
            known = sorted(plain, key=repr)
            for key in data.draw(st.lists(st.sampled_from(known), max_size=5, unique=True)) if known else []:
                assert kept.pop(key) == plain.pop(key)
            for key, value in data.draw(st.dictionaries(st.text(max_size=6), st.integers(), max_size=5)).items():
                kept[key] = plain[key] = value
            known = sorted(plain, key=repr)
            for key in data.draw(st.lists(st.sampled_from(known), max_size=3)) if known else []:
                assert key in kept and kept[key] == plain[key]
        again = shards.Shards(kept.pack())
        assert {key: again[key] for key in again} == plain


def test_the_stats_taken_by_two_processes_are_those_one_takes(tmp_path: Path) -> None:
    """The stats of many files, half taken by a forked copy of the process, are those
    one process takes, in order: regular files (two modified just now, one in each
    half), a link, a folder, a FIFO, a file too large to read, and two files that are
    gone (one in each half)."""
    paths = []
    for i in range(40):
        path = tmp_path / f"f{i:02}.yaml"
        path.write_text("x" * i, encoding="utf-8")
        os.utime(path, ns=(10**18, 10**18 + i))
        paths.append(str(path))
    for name in ("f05.yaml", "f30.yaml"):  # one in each half
        (tmp_path / name).write_text("now", encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "f01.yaml")
    (tmp_path / "folder.yaml").mkdir()
    os.mkfifo(tmp_path / "fifo.yaml")
    (tmp_path / "large.yaml").write_bytes(b"x" * (inputs.MAX_BYTES + 1))
    paths[3:3] = [str(tmp_path / n) for n in ("link.yaml", "folder.yaml", "fifo.yaml", "large.yaml", "gone.yaml")]
    paths.insert(40, str(tmp_path / "gone-too.yaml"))  # and one in the second half
    since = time.time_ns() - inputs.RACY_NS
    alone = inputs._stat_some(paths, since)
    assert alone[2] == [3, 4, 5, 6, 7, 40]
    assert alone[1] == [paths.index(str(tmp_path / n)) for n in ("f05.yaml", "f30.yaml")]
    with mock.patch.object(inputs, "PARALLEL_STAT_FROM", 2):
        assert inputs._stat_all(lambda start, stop: paths[start:stop], len(paths), since) == alone


def test_the_listing_gives_the_files_sorted_by_path_made_when_asked_for(tmp_path: Path) -> None:
    """The entry files, made one by one when asked for, are those a sorted list of
    every file gives, by place (from either end) and in order, and their paths and
    relative paths are theirs: with folders whose names sort otherwise than their
    files' paths (``papers`` and ``papers-old``: ``-`` sorts before ``/``)."""
    project = Project(tmp_path)
    for folder, names in {"papers": ["b.yaml", "a.yaml", "Z.yaml"], "papers-old": ["a.yaml"], "tools": [],
                          "a.b": ["x.yaml"], "papers0": ["c.yaml"]}.items():
        (tmp_path / "catalog" / folder).mkdir(parents=True)
        for name in names:
            (tmp_path / "catalog" / folder / name).write_text("x", encoding="utf-8")
    files = project.scan().files
    expected = sorted(EntryFile(f"catalog/{p.parent.name}/{p.name}", str(p), p.parent.name, p.name)
                      for p in (tmp_path / "catalog").glob("*/*.yaml"))
    assert list(files) == expected and len(files) == len(expected) == 6
    assert [files[at] for at in range(6)] == expected == [files[at - 6] for at in range(6)]
    assert files.paths() == [f.path for f in expected] and files.packed_rels() == "\0".join(f.rel for f in expected)
    assert [files.paths(start, stop) for start, stop in [(0, 3), (1, 4), (3, 6), (5, 9), (2, 2)]] == [
        [f.path for f in expected[start:stop]] for start, stop in [(0, 3), (1, 4), (3, 6), (5, 9), (2, 2)]]
    assert files[2:4] == expected[2:4]
    with pytest.raises(IndexError):
        files[6]


# --- A section's rows kept in chunks ------------------------------------------------------------

_ROW_KEYS = st.tuples(st.integers(2015, 2018), st.sampled_from(["a", "b", "c"]), st.integers(0, 3))


def _rows_of(file: str, keys: list[tuple[Any, ...]], data: st.DataObject) -> list[section_rows.Item]:
    """Rows of one file as ``Kept`` holds them: a mark drawn from few values, so that
    rows share marks, and the tool flag and cells that the index sums and packs."""
    return [(file, ("s", key, data.draw(st.booleans()), (f"{file} {key}",), file, None),
             data.draw(st.integers(0, 7) | st.integers(0, 2**64 - 1))) for key in keys]


@settings(max_examples=200, deadline=None)
@given(data=st.data(), files=st.lists(st.lists(_ROW_KEYS, max_size=3), max_size=40), rounds=st.integers(1, 4),
       chunk=st.sampled_from([1, 2, 3, 5]))
def test_a_section_edited_chunk_by_chunk_holds_the_rows_packed_anew(
        data: st.DataObject, files: list[list[tuple[Any, ...]]], rounds: int, chunk: int) -> None:
    """Rows dropped by their marks and added by their keys, a few chunks packed again,
    give the rows and figures of the section packed anew from every row, in the order
    a stable sort gives (the kept rows of a key first); the places found are the
    places in that order, and a row's place is the count of rows sorting with or before it."""
    with mock.patch.object(section_rows, "CHUNK", chunk):
        _edit_rounds(data, files, rounds)


def _edit_rounds(data: st.DataObject, files: list[list[tuple[Any, ...]]], rounds: int) -> None:
    held = {f"f{i}": _rows_of(f"f{i}", keys, data) for i, keys in enumerate(files)}
    kept = sorted((item for rows in held.values() for item in rows), key=lambda item: item[1][1])
    stored = section_rows.SectionRows(section_rows.pack(kept, 1))
    for round_ in range(rounds):
        changed = set(data.draw(st.lists(st.sampled_from([*held, f"new{round_}"]), max_size=6)))
        dropped = [item[2] for rel in changed for item in held.get(rel, [])]
        added = [item for rel in sorted(changed) for item in _rows_of(rel, data.draw(st.lists(_ROW_KEYS, max_size=2)),
                                                                        data)]
        edits = stored.edits(dropped, changed, added)
        expected = sorted([*(item for item in kept if item[0] not in changed), *added], key=lambda item: item[1][1])
        assert edits is not None
        assert [stored.item(place) for place, _ in edits.dropped] == [item for item in kept if item[0] in changed]
        for place, item in edits.added:
            assert place == sum(1 for old in kept if old[1][1] <= item[1][1])
        stored = section_rows.SectionRows(stored.edited(edits, round_))
        assert stored.items() == expected
        assert (stored.mark, stored.count, stored.tools) == (round_ * bool(expected), len(expected),
                                                             sum(item[1][2] for item in expected))
        assert all(stored.with_mark(item[2]) for item in expected)
        kept = expected
        for rel in changed:
            held[rel] = [item for item in added if item[0] == rel]

# --- The listing recorded -----------------------------------------------------------------------

OLD_NS = 10**18  # 2001: a time long past, at which a folder's stat stands for its names
_FOLDERS = ["papers", "tools", "more"]
_FILES = ["a.yaml", "b.yaml", "c.yml", "d.txt", "\udcff.yaml"]  # the last: not UTF-8 on disk
_OPERATIONS = ["add", "remove", "rename", "subfolder", "link", "enlarge", "top-yaml", "add-folder",
               "remove-folder", "swap-folders", "link-folder", "age"]


def _write(path: Path, text: str = "title: x\n") -> None:
    """A file written long ago (its own stat answers; only its folder's may not)."""
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(OLD_NS, OLD_NS))


def _set_mtime(folder: Path, mtime: int, ctime_before: int) -> None:
    """The folder's modification time set to ``mtime``; its change time then differs from
    ``ctime_before`` (on a kernel whose change times tick coarsely, once the tick is past)."""
    os.utime(folder, ns=(mtime, mtime))
    while os.stat(folder).st_ctime_ns == ctime_before:
        time.sleep(0.001)
        os.utime(folder, ns=(mtime, mtime))


def _age(catalog: Path) -> None:
    """Every folder of the catalog set back long ago (links left as they are)."""
    for each in [catalog, *filter(Path.is_dir, catalog.iterdir())]:
        os.utime(each, ns=(OLD_NS, OLD_NS), follow_symlinks=False)


def _operate(catalog: Path, operation: str, folder: str, name: str, other: str) -> Path | None:
    """One change of the folders; the folder changed (None when none was, or when only
    the times were)."""
    where = catalog / folder
    target = where / name
    if operation == "age":
        _age(catalog)
        return None
    if operation in ("add-folder", "remove-folder", "swap-folders", "link-folder", "top-yaml"):
        if operation == "add-folder" and not os.path.lexists(where):
            where.mkdir()
        elif operation == "remove-folder" and where.is_dir():
            shutil.rmtree(where)
        elif operation == "swap-folders" and where.is_dir():  # with the next one, or renamed to it
            (catalog / "swapped").mkdir()
            where.rename(catalog / "swapped" / folder)
            following = catalog / _FOLDERS[(_FOLDERS.index(folder) + 1) % len(_FOLDERS)]
            if following.is_dir():
                following.rename(where)
            (catalog / "swapped" / folder).rename(following)
            (catalog / "swapped").rmdir()
        elif operation == "link-folder" and not os.path.lexists(catalog / f"{folder}-link"):
            (catalog / f"{folder}-link").symlink_to(folder)
        elif operation == "top-yaml" and not os.path.lexists(catalog / name):
            _write(catalog / name)
        return catalog
    if not where.is_dir() or where.is_symlink():
        return None
    if operation == "add" and not os.path.lexists(target):
        _write(target)
    elif operation == "remove" and os.path.lexists(target) and not target.is_dir():
        target.unlink()
    elif operation == "rename" and os.path.lexists(target) and not os.path.lexists(where / other):
        target.rename(where / other)
    elif operation == "subfolder" and not os.path.lexists(where / "sub"):
        (where / "sub").mkdir()
    elif operation == "link" and not os.path.lexists(target):
        target.symlink_to(other)
    elif operation == "enlarge" and target.is_file() and not target.is_symlink():
        _write(target, "x" * (inputs.MAX_BYTES + 1))  # in place: not a usual file, its folder unchanged
        return None
    return where


def _same(scanned: inputs.Scan, fresh: inputs.Scan) -> None:
    """Two scans alike in every field but the time they were made."""
    assert dataclasses.replace(scanned, ns=0) == dataclasses.replace(fresh, ns=0)
    assert list(scanned.files) == list(fresh.files) and scanned.listing.problems == fresh.listing.problems


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=st.lists(st.tuples(st.sampled_from(_OPERATIONS), st.sampled_from(_FOLDERS), st.sampled_from(_FILES),
                                st.sampled_from(_FILES), st.sampled_from(["now", "old", "same"])),
                      min_size=1, max_size=10))
def test_the_listing_recorded_gives_the_scan_a_fresh_listing_gives(
        steps: list[tuple[str, str, str, str, str]]) -> None:
    """After each change of the folders (a file added, removed, renamed or grown past
    the limit in place; a folder, a link or a file link put in an entry folder; a YAML
    file put directly in catalog/; an entry folder added, removed, swapped with another
    or linked), the folder left changed just now, or set back long ago, or set back to
    exactly the time it had (its change time tells the change): a scan that uses the
    listing recorded, and one right after that uses what it recorded, give what a fresh
    scan gives, field by field; and where a file is not a usual one, the listing is
    made afresh."""
    root = Path(tempfile.mkdtemp(prefix="listing-"))
    project, store = Project(root), Store(root)
    try:
        for folder in _FOLDERS[:2]:
            (root / "catalog" / folder).mkdir(parents=True)
            for name in _FILES[:3]:
                _write(root / "catalog" / folder / name)
        _age(project.catalog_dir)
        inputs.scan(project, store)
        for operation, folder, name, other, when in steps:
            before = {path: os.stat(path) for path in (project.catalog_dir, project.catalog_dir / folder)
                      if path.is_dir()}
            changed = _operate(project.catalog_dir, operation, folder, name, other)
            if changed in before and when != "now":
                was = before[changed]
                _set_mtime(changed, OLD_NS if when == "old" else was.st_mtime_ns, was.st_ctime_ns)
            fresh = inputs.scan(project)
            for scanned in (inputs.scan(project, store), inputs.scan(project, store)):
                _same(scanned, fresh)
                if inputs._stat_all(fresh.listing.files.paths, len(fresh.listing.files), 0)[2]:
                    assert not scanned.listing.known
    finally:
        shutil.rmtree(root, ignore_errors=True)
        store.path("listing").unlink(missing_ok=True)


def test_a_folder_changed_within_racy_ns_of_the_run_that_recorded_it_is_listed_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a file system whose folder stat tells only the second of the last change, a
    file added to a folder within the second of the run that recorded the listing leaves
    the folder's stat as it was: that folder, changed less than ``RACY_NS`` before the
    run, was not recorded (the other one, older, was), and the next run lists it again
    and finds the file."""
    monkeypatch.setattr(inputs, "folder_key", lambda st: (st.st_mtime_ns // 1_000_000_000, 0, 0, 0))
    project, store = Project(tmp_path), Store(tmp_path)
    papers, tools = project.catalog_dir / "papers", project.catalog_dir / "tools"
    for folder in (papers, tools):
        folder.mkdir(parents=True)
        _write(folder / "a.yaml")
    os.utime(tools, ns=(OLD_NS, OLD_NS))
    now = time.time_ns()
    os.utime(papers, ns=(now, now))
    inputs.scan(project, store)
    assert set(store.load("listing")) == {"tools"}
    _write(papers / "b.yaml")
    os.utime(papers, ns=(now, now))  # within the same second: the stat recorded, were it recorded
    found = inputs.scan(project, store)
    _same(found, inputs.scan(project))
    assert "catalog/papers/b.yaml" in found.names.split("\0") and found.listing.known == {"tools"}


def _run(root: Path, *args: str) -> tuple[int, str]:
    """Exit code and standard output of one in-process run of the tool."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["--root", str(root), *args])
    return code, out.getvalue()


def test_a_check_whose_entry_folders_did_not_change_lists_none_of_them(mini: Project, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Entry folders changed long ago: a check lists them and records their names; after
    an entry is edited in place (its folder's stat stays), the next check lists
    ``catalog/`` alone, writes no listing, and reports what ``check --no-cache`` reports,
    which lists every folder."""
    monkeypatch.setenv("AWESOME_CATALOG_CACHE_DIR", str(tmp_path / "cache"))
    folders = [path for path in mini.catalog_dir.iterdir() if path.is_dir()]
    for folder in [mini.catalog_dir, *folders]:
        os.utime(folder, ns=(OLD_NS, OLD_NS))
    assert _run(mini.root, "check")[0] == 0
    listed: list[str] = []
    saved: list[str] = []
    scandir, save = os.scandir, Store.save

    def listing(path: str) -> Any:
        listed.append(os.fspath(path))
        return scandir(path)

    def saving(store: Store, value: Any, part: str = "state", blobs: Any = ()) -> None:
        saved.append(part)
        save(store, value, part, blobs)

    monkeypatch.setattr(os, "scandir", listing)
    monkeypatch.setattr(Store, "save", saving)
    entry = mini.catalog_dir / "papers" / "ioi-circuit.yaml"
    entry.write_text(entry.read_text(encoding="utf-8").replace("summary: ", "summary: Now ", 1), encoding="utf-8")
    cached = _run(mini.root, "check")
    assert cached[0] == 1 and "E406" in cached[1]
    assert str(mini.catalog_dir) in listed and not {str(folder) for folder in folders} & set(listed)
    assert "listing" not in saved
    listed.clear()
    assert _run(mini.root, "check", "--no-cache") == cached
    assert {str(folder) for folder in folders} <= set(listed)
