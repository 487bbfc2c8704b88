"""Schema stage: JSON Schema validation with messages and positions for people.

Each jsonschema error becomes a ``Diagnostic`` at the line of the offending value (or
key), with the JSON path in the message and a hint on how to fix it.

Two readings are stricter than JSON Schema's own: ``"type": "integer"`` refuses a
float even when it is whole (``year: 2024.0`` would print as "2024.0" everywhere),
and ``"format": "uri"`` is checked by ``identity.url_problem`` (a URL Python cannot
read, or one that holds a password, is refused).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import FunctionType
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin

from awesome_catalog.core.diagnostics import Diagnostic
from awesome_catalog.core.identity import url_problem
from awesome_catalog.load.yamlload import locate, source_of

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from referencing import Registry


def _url_ok(value: Any) -> bool:
    """The ``uri`` format: any URL that ``url_problem`` finds nothing wrong with."""
    return not (isinstance(value, str) and url_problem(value))


def _check_url(value: Any) -> bool:
    """``_url_ok`` for jsonschema, whose error then carries the reason."""
    problem = url_problem(value) if isinstance(value, str) else None
    if problem:
        raise ValueError(problem)
    return True


def _has_float(data: Any) -> bool:
    """Whether a float is anywhere in ``data`` (JSON Schema takes 2024.0 for an integer)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "definitions", "title", "description", "default",
                         "examples", "deprecated", "readOnly", "writeOnly"})
"""Keywords that assert nothing."""
FAST_KEYWORDS = frozenset({
    "type", "enum", "const", "minLength", "maxLength", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "multipleOf", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
    "required", "properties", "patternProperties", "additionalProperties", "propertyNames", "contains", "allOf",
    "anyOf", "oneOf", "not", "if", "then", "else", "items", "$ref",
})
"""Assertions that the compiled check (fastjsonschema, drafts 4 to 7) implements with the
meaning Draft 2020-12 gives them, with two conditions checked by ``fast_check_fits``:
``items`` only as one schema (an array of schemas is ``prefixItems`` in 2020-12), and
``$ref`` only without sibling assertions (draft 7 ignores them, 2020-12 applies them)."""
_SUBSCHEMA = ("items", "additionalProperties", "propertyNames", "contains", "not", "if", "then", "else")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf")


def unsupported_keywords(schema: Any) -> set[str]:
    """The keywords of ``schema`` (at any depth) that the compiled check would not
    enforce as Draft 2020-12 does; empty when the compiled check is exact."""
    found: set[str] = set()
    if isinstance(schema, bool):
        return found
    if not isinstance(schema, Mapping):
        return {"<not a schema>"}
    for key, value in schema.items():
        if key not in FAST_KEYWORDS and key not in ANNOTATIONS:
            found.add(key)
        elif key == "items" and not isinstance(value, (Mapping, bool)):
            found.add("items (as a list)")
        elif key == "$ref" and any(k not in ANNOTATIONS and k != "$ref" for k in schema):
            found.add("$ref (beside other keywords)")
    for key in _SUBSCHEMA:
        if key in schema and isinstance(schema[key], (Mapping, bool)):
            found |= unsupported_keywords(schema[key])
    for key in _SUBSCHEMA_MAPS:
        if isinstance(schema.get(key), Mapping):
            for sub in schema[key].values():
                found |= unsupported_keywords(sub)
    for key in _SUBSCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            for sub in schema[key]:
                found |= unsupported_keywords(sub)
    return found


class Validator:
    """One schema, compiled once and reused for every file.

    When every keyword of the schema is one the compiled check (fastjsonschema)
    enforces exactly as Draft 2020-12 does, a valid file costs one call of it; otherwise
    the full validator (jsonschema) decides, so a list that tightens its schema with any
    2020-12 keyword gets exactly the rules editors and check-jsonschema apply. Either
    way, only a file that fails, or holds a float (which only the strict integer type
    can judge), is validated again by jsonschema, whose errors carry what the messages
    need. ``local`` holds the only schemas its ``$ref``s may reach, by URI (see
    ``build_validators``): neither library ever fetches anything.
    """

    def __init__(self, schema: Any, local: Mapping[str, Any] | None = None) -> None:
        self.schema = schema
        self.fast = not unsupported_keywords(schema)
        self._registry = _Registry(local or {})
        self._local = dict(local or {})
        self._fast: Callable[[Any], Any] | None = None
        self._full: Any = None

    def compile(self) -> None:
        """Build the fast check now; raises what fastjsonschema raises on a bad schema,
        or ``KeyError`` for a ``$ref`` to anything outside ``local``."""
        if self._fast is None:
            self._fast = _compiled(self.schema, self._local)

    def is_valid(self, data: Any, floats: bool = True) -> bool:
        """Whether ``data`` is valid; ``floats`` False spares looking for a float in it."""
        if not self.fast:
            return next(self.errors(data), None) is None
        import fastjsonschema

        self.compile()
        assert self._fast is not None
        try:
            self._fast(data)
        except fastjsonschema.JsonSchemaException:
            return False
        return not (floats and _has_float(data)) or next(self.errors(data), None) is None

    def errors(self, data: Any) -> Iterator[ValidationError]:
        if self._full is None:
            from jsonschema import Draft202012Validator, FormatChecker, validators

            def integer(_checker: Any, instance: Any) -> bool:
                return isinstance(instance, int) and not isinstance(instance, bool)

            strict = validators.extend(  # type: ignore[no-untyped-call]
                Draft202012Validator,
                type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", integer),
            )
            checker = FormatChecker(formats=())
            checker.checks("uri", raises=ValueError)(_check_url)
            self._full = strict(self.schema, format_checker=checker, registry=self._registry.get())
        errors: Iterator[ValidationError] = self._full.iter_errors(data)
        return errors


_NAMING = ".format(**locals())"
"""How fastjsonschema's code names each item of a list it checks (``data.sections[2]``)."""


def _compiled(schema: Any, local: Mapping[str, Any]) -> Callable[[Any], Any]:
    """fastjsonschema's check of ``schema``, only ever asked whether data is valid.

    Its messages are never read here (jsonschema gives them): the code is made without
    the value and the schema in each exception (``detailed_exceptions``: a third of
    the code, quicker to build and to run), and without the call that names each item
    of a list it checks, when none of the schema's own text could be taken for it (no
    "locals" in the schema); the answers are the same, as the tests show.
    """
    import copy
    import decimal
    import json

    import fastjsonschema

    def made(detailed: bool) -> str:  # fastjsonschema rewrites the $refs of what it is given: hand it a copy
        return fastjsonschema.compile_to_code(copy.deepcopy(schema), handlers=_LocalOnly(local),
                                              formats={"uri": _url_ok}, detailed_exceptions=detailed)

    try:
        code = made(detailed=False)
    except KeyError:  # fastjsonschema (2.22) cannot make it for a `const`: the usual code, then
        code = made(detailed=True)
    if "locals" not in json.dumps(schema):
        code = code.replace(_NAMING, "")
    # the names its code uses; with a `format: regex`, fastjsonschema (2.22) leaves out its own import of Decimal
    namespace: dict[str, Any] = {"Decimal": decimal.Decimal}
    exec(code, namespace)  # as fastjsonschema.compile does
    # the check of the schema itself is the first function of the code, the others are its $refs'
    check = min((f for f in namespace.values() if isinstance(f, FunctionType)), key=lambda f: f.__code__.co_firstlineno)
    return functools.partial(check, custom_formats={"uri": _url_ok})


class _Registry:
    """The schemas a ``$ref`` may reach (URI -> the schema there), as a ``referencing``
    registry, built on first use: a file that passes the compiled check never needs it."""

    def __init__(self, local: Mapping[str, Any]) -> None:
        self._local: Mapping[str, Any] = local
        self._built: Registry[Any] | None = None

    def get(self) -> Registry[Any]:
        if self._built is None:
            from referencing import Registry
            from referencing.jsonschema import DRAFT202012

            self._built = Registry().with_resources(
                (uri, DRAFT202012.create_resource(node)) for uri, node in self._local.items())
        return self._built


class _LocalOnly(Mapping[str, Callable[[str], Any]]):
    """fastjsonschema's handlers, one per URI scheme: every scheme (http, file, none...)
    is answered from the list's own schemas, so it never opens a URL itself."""

    def __init__(self, local: Mapping[str, Any]) -> None:
        self._local = local

    def __getitem__(self, scheme: str) -> Callable[[str], Any]:
        return self._fetch

    def __contains__(self, scheme: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def _fetch(self, uri: str) -> Any:
        if uri not in self._local:
            raise KeyError(f"{uri} is not a schema of schema/")
        return self._local[uri]


@dataclass(frozen=True)
class SchemaFile:
    """One JSON file of the list's ``schema/`` folder, parsed."""

    rel: str  # as diagnostics show it
    name: str  # its file name, by which other schemas may refer to it
    data: Any
    text: str


_NOT_SCHEMAS = frozenset({"enum", "const", "examples", "default"})  # values there are data, not schemas
_REF_KEYS = ("$ref", "$dynamicRef")
MAX_SCHEMA_PROBLEMS = 5  # metaschema errors reported per file


def _walk(node: Any, base: str, where: list[str | int]) -> Iterator[tuple[str, str, str, list[str | int]]]:
    """Every ``$id`` (as ``("id", uri, ...)``) and every ref (``("$ref", ref, base, path)``)
    of one schema, with the base URI each ref is resolved against."""
    if isinstance(node, dict):
        ident = node.get("$id")
        if isinstance(ident, str):
            base = urljoin(base, ident)
            yield "id", urldefrag(base).url, base, where
        for key in _REF_KEYS:
            if isinstance(node.get(key), str):
                yield key, node[key], base, [*where, key]
        for key, value in node.items():
            if key not in _NOT_SCHEMAS:
                yield from _walk(value, base, [*where, key])
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, base, [*where, i])


@functools.cache
def _meta_check() -> Callable[[Any], Any] | None:
    """The compiled check against the metaschema (``load.metaschema``), or None where
    jsonschema checks a format it leaves out."""
    import importlib.util

    from awesome_catalog.load import metaschema

    if any(importlib.util.find_spec(name) for name in metaschema.URI_FORMAT_MODULES):
        return None
    return _compiled(metaschema.flat(), {})


def surely_sound(data: Any) -> bool:
    """Whether the compiled check finds ``data`` a valid schema, which it then is; when
    False, only jsonschema can tell (a float is left to it too, as in ``Validator``)."""
    import fastjsonschema

    check = _meta_check()
    if check is None or _has_float(data):
        return False
    try:
        check(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def _meta_problems(file: SchemaFile) -> list[Diagnostic]:
    """The file checked against the draft 2020-12 metaschema (regexes included): at
    once by the compiled check when it finds the file valid, else by jsonschema."""
    if surely_sound(file.data):
        return []
    from jsonschema import Draft202012Validator

    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    found = sorted(meta.iter_errors(file.data), key=lambda e: [str(p) for p in e.absolute_path])
    problems = []
    for err in found[:MAX_SCHEMA_PROBLEMS]:
        parts = list(err.absolute_path)
        line, column = locate(file.text, parts)
        problems.append(Diagnostic(file.rel, line, column, "E120",
                                   f"not a valid JSON Schema (draft 2020-12): {json_path(parts)}: {err.message}",
                                   "fix the schema: it must be a valid draft 2020-12 JSON Schema"))
    return problems


def build_validators(files: Sequence[SchemaFile], wanted: Mapping[str, str], *,
                     checked: bool = False) -> tuple[dict[str, Validator], list[Diagnostic]]:
    """A validator for each schema of ``wanted`` (name -> file name) that can be used.

    A schema is data from the repository, which may come from a stranger's pull request:
    it is checked against the metaschema, and its ``$ref``s (and those of every schema
    they lead to) may reach only the files of ``files``, by file name or by ``$id``, and
    places inside them. Anything else (``http:``, ``file:``, a file outside the folder) is
    reported on the schema and that schema is not used; nothing is ever fetched.
    ``checked``: these very files passed the metaschema and every ``$ref`` resolved in
    an earlier run (the cache knows their content), so neither check is made again.
    """
    problems: list[Diagnostic] = []
    sound: dict[str, SchemaFile] = {}
    walked: dict[str, list[tuple[str, str, str, list[str | int]]]] = {}
    for file in files:
        meta = [] if checked else _meta_problems(file)
        if not meta:
            try:
                walked[file.name] = list(_walk(file.data, file.name, []))
                sound[file.name] = file
            except ValueError as err:  # urljoin on a $id such as "http://[::1"
                meta = [Diagnostic(file.rel, 1, 1, "E120", f"a $id is not a valid URI: {err}; the schema is not used",
                                   "write $id as a plain https:// address or leave it out")]
        if meta and file.name in wanted.values():
            problems += meta
    # every URI a sound file answers to: its name, its $id and the $ids inside it
    owner: dict[str, str] = {}
    local: dict[str, Any] = {}
    # a file name is also found next to each file's own $id, as a relative ref from that file gives it
    siblings = [(_target(u, other), other) for name in sound for kind, u, _, w in walked[name]
                if kind == "id" and not w for other in sound]
    claims = [(name, uri, where) for name in sound
              for uri, where in ((name, []), *((u, w) for kind, u, _, w in walked[name] if kind == "id"))]
    claims += [(other, uri, []) for uri, other in siblings]  # after every real name and $id
    for name, uri, where in claims:
        file = sound[name]
        if uri not in owner:
            owner[uri], local[uri] = name, _at(file.data, where)

    bad: dict[str, list[Diagnostic]] = {name: [] for name in sound}
    reaches: dict[str, set[str]] = {name: set() for name in sound}
    if not checked:  # else every ref of these very files resolved in an earlier run
        from referencing.exceptions import Unresolvable

        registry = _Registry(local)
        for name, file in sound.items():
            for kind, ref, base, where in walked[name]:
                if kind == "id":
                    continue
                target = _target(base, ref)
                try:
                    registry.get().resolver(base_uri=base).lookup(ref)
                except (Unresolvable, ValueError):  # ValueError: not a URI at all, e.g. "http://[::1"
                    bad[name].append(_bad_ref(file, kind, ref, target, where, target in owner))
                    continue
                reaches[name].add(owner.get(target, name))

    validators: dict[str, Validator] = {}
    reported: set[str] = set()
    for schema_name, file_name in wanted.items():
        if file_name not in sound:
            continue
        closure, todo = {file_name}, [file_name]
        while todo:
            for nxt in reaches[todo.pop()] - closure:
                closure.add(nxt)
                todo.append(nxt)
        broken = sorted(n for n in closure if bad[n])
        for n in broken:
            if n not in reported:
                reported.add(n)
                problems += bad[n]
        file = sound[file_name]
        if broken and broken != [file_name]:
            others = ", ".join(n for n in broken if n != file_name)
            problems.append(Diagnostic(file.rel, 1, 1, "E120", f"schema not used: it refers to {others}, "
                                       "whose $refs lead outside schema/ or to nothing", "fix that schema"))
        if broken:
            continue
        validator = Validator(file.data, local)
        try:
            validator.compile()
        except Exception as err:  # a schema is data: whatever the compiler chokes on is a problem of it
            problems.append(Diagnostic(file.rel, 1, 1, "E120", f"schema cannot be compiled: {err}",
                                       "check it against the metaschema"))
            continue
        validators[schema_name] = validator
    return validators, problems


def _target(base: str, ref: str) -> str:
    """The document a ref leads to (without its fragment); the ref itself if it is no URI."""
    try:
        return urldefrag(urljoin(base, ref)).url
    except ValueError:
        return ref


def _at(node: Any, where: list[str | int]) -> Any:
    for part in where:
        node = node[part]
    return node


def _bad_ref(file: SchemaFile, kind: str, ref: str, target: str, where: list[str | int], known: bool) -> Diagnostic:
    line, column = locate(file.text, where)
    scheme_match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", target)
    scheme = scheme_match.group(1) if scheme_match else ""
    if known:
        message = f"{kind} {ref!r} points at nothing inside {target}"
        hint = "check the part after #: a JSON pointer such as #/$defs/name, or an $anchor"
    elif scheme:
        message = (f"{kind} {ref!r} points outside schema/ ({scheme}:); "
                   "schemas are read from that folder only and nothing is ever fetched")
        hint = "copy the schema it needs into schema/ and refer to it by file name or by its $id"
    else:
        message = f"{kind} {ref!r} names no file of schema/"
        hint = "refer to a file of schema/ by its name, e.g. taxonomy.schema.json#/$defs/id, or to #/$defs/..."
    return Diagnostic(file.rel, line, column, "E120", message + "; the schema is not used", hint)


def validate(validator: Validator, data: Any, path: str, text: str, floats: bool = True) -> list[Diagnostic]:
    """All schema problems of one file's data, located in its text. ``floats`` False says
    the data holds no float (the fast YAML path never builds one)."""
    if validator.is_valid(data, floats):
        return []
    errors = list(_leaves(validator.errors(data)))
    # a URL refused by its pattern (javascript:, data:) is not also said to be unreadable
    other = {tuple(e.absolute_path) for e in errors if e.validator != "format"}
    return [_diagnostic(err, path, text) for err in errors
            if err.validator != "format" or tuple(err.absolute_path) not in other]


def _leaves(errors: Iterator[ValidationError]) -> Iterator[ValidationError]:
    """Replace each ``oneOf``/``anyOf`` error by the most relevant of its sub-errors."""
    for err in errors:
        if err.validator in ("oneOf", "anyOf") and err.context:
            # the branch whose type matched says what is really wrong
            matched = [e for e in err.context if e.validator != "type" and e.validator != "$ref"]
            if matched:
                yield from _leaves(iter(matched[:1]))
                continue
        yield err


def json_path(parts: Any) -> str:
    """``['sections', 0, 'summary']`` -> ``$.sections[0].summary``."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _type_name(value: Any) -> str:
    if value is None:
        return "null (an empty value)"
    return {bool: "true/false", int: "a number", float: "a number", str: "text",
            list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_WANTED = {"string": "text", "integer": "a whole number", "array": "a list", "object": "a mapping",
           "number": "a number", "boolean": "true or false"}


def _diagnostic(err: ValidationError, path: str, text: str) -> Diagnostic:
    parts = list(err.absolute_path)
    where = json_path(parts)
    field = parts[-1] if parts else None
    instance = err.instance
    line, column = locate(text, parts)
    code, hint = "E204", None
    kind: Any = err.validator
    rule: Any = err.validator_value
    schema: Any = err.schema

    if kind == "required":
        missing = str(err.message).split("'")[1] if "'" in err.message else "?"
        message = f"missing required key `{missing}`" + (f" in {where}" if parts else " at the top level")
        described = _describe(schema, missing)
        hint = f"add `{missing}:` here" + (f"; {described}" if described else "")
        code = "E201"
    elif kind == "dependentRequired" and isinstance(rule, Mapping) and isinstance(instance, Mapping):
        given = next((k for k in rule if k in instance and any(r not in instance for r in rule[k])), "?")
        missing = next((r for r in rule.get(given, ()) if r not in instance), "?")
        message = f"missing key `{missing}`, required when `{given}` is given" + (f" in {where}" if parts else "")
        hint = f"add `{missing}:`, or remove `{given}`"
        code = "E201"
    elif kind in ("additionalProperties", "unevaluatedProperties"):
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(k for k in instance if k not in allowed) if isinstance(instance, dict) else []
        name = extra[0] if extra else "?"
        line, column = locate(text, [*parts, name], key=True)
        message = f"unknown key `{name}`" + (f" in {where}" if parts else " at the top level")
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"did you mean `{close[0]}`?" if close else f"allowed keys: {', '.join(allowed)}"
        code = "E202"
    elif kind == "type":
        wanted = rule
        wanted_text = " or ".join(str(_WANTED.get(w, w)) for w in (wanted if isinstance(wanted, list) else [wanted]))
        if field == "arxiv" and isinstance(instance, (int, float)):
            written = source_of(text, parts) or str(instance)
            message = f"arXiv id {written} is written as a number; YAML reads it as {instance!r}"
            hint = f'quote it: arxiv: "{written}"'
            code = "E205"
        else:
            message = f"{where} must be {wanted_text}, not {_type_name(instance)}"
            code = "E203"
            if instance is None:
                hint = "give a value after the colon, or remove the key"
            elif wanted == "string" and not isinstance(instance, str):
                hint = "put the value in quotes"
            elif wanted == "integer" and isinstance(instance, str) and _DATE.match(instance):
                hint = f"write the year alone: {field}: {instance[:4]}"
            elif wanted == "integer" and isinstance(instance, str):
                hint = "write the number without quotes, e.g. year: 2023"
            elif wanted == "integer" and isinstance(instance, float) and instance.is_integer():
                message = f"{where} must be a whole number, not {source_of(text, parts) or instance}"
                hint = f"write it without a decimal point: {field}: {int(instance)}"
            elif wanted == "integer" and isinstance(instance, float):
                hint = f"write a whole number, e.g. {field}: 2023"
            elif wanted == "array":
                hint = "write a list, e.g. [a, b]"
    elif kind == "format" and rule == "uri":
        reason = str(err.cause) if err.cause else "it is not a valid URL"
        message = f"{where} cannot be used: {reason}"
        code = "E206"
        hint = ("remove the user name and password; a public link needs neither" if "password" in reason
                else "write a full link such as https://example.org/page, with a valid host")
    elif kind == "pattern" and isinstance(instance, str) and ("url" in parts or "links" in parts):
        scheme = instance.split(":", 1)[0].lower() if ":" in instance else ""
        if scheme and scheme not in ("http", "https"):
            message = f"{where}: `{scheme}:` URLs are not allowed"
            code = "E206"
        else:
            message = f"{where} is not an http(s) URL: {instance!r}"
            code = "E206"
        hint = "use a full link starting with https://"
    elif kind == "pattern" and isinstance(instance, str):
        message = f"{where} has an invalid form: {instance!r}"
        if field == "arxiv" or "arxiv" in parts:
            hint = 'an arXiv id looks like "2211.00593"'
        elif field == "title":
            hint = "a title is one line, without spaces at its start or end"
        elif "[0-9a-z]" in rule or "[a-z0-9]" in rule:
            hint = "use lowercase kebab-case: letters a-z, digits and single hyphens"
        else:
            hint = f"it must match {rule}"
    elif kind == "enum":
        choices = ", ".join(repr(c) for c in rule)
        message = f"{where} is {instance!r}, which is not one of the choices"
        close = difflib.get_close_matches(str(instance), [str(c) for c in rule], n=1, cutoff=0.75)
        hint = f"did you mean {close[0]!r}?" if close else f"choose one of {choices}"
    elif kind in ("minLength", "maxLength"):
        size = len(instance) if isinstance(instance, str) else 0
        bound = rule
        message = f"{where} is {size} characters long; the {'minimum' if kind == 'minLength' else 'maximum'} is {bound}"
        hint = "write one or two full sentences" if field == "summary" else None
    elif kind in ("minItems", "maxItems", "minProperties"):
        message = f"{where} is empty" if not instance else f"{where} has the wrong number of items"
        hint = "add at least one item, or remove the key"
    elif kind in ("minimum", "maximum"):
        bound = "at least" if kind == "minimum" else "at most"
        message = f"{where} is {instance!r}, out of range ({bound} {rule})"
    elif kind == "uniqueItems":
        message = f"{where} lists the same item twice"
        hint = "remove the repeated item"
    elif kind == "oneOf":
        message = f"{where} is not valid: {err.message}"
        hint = "a term is an id, e.g. logit-lens, or {term: extrinsic, detail: knowledge editing}"
    else:
        message = f"{where}: {err.message}"
    return Diagnostic(path, line, column, code, message, hint)


def _describe(schema: Mapping[str, Any], key: str) -> str | None:
    prop = schema.get("properties", {}).get(key, {})
    desc = prop.get("description")
    return str(desc) if desc else None
