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
import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from awesome_catalog.core.diagnostics import Diagnostic
from awesome_catalog.core.identity import url_problem
from awesome_catalog.load.yamlload import locate, source_of

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError


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
    need. Both are built on first use.
    """

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self.fast = not unsupported_keywords(schema)
        self._fast: Callable[[Any], Any] | None = None
        self._full: Any = None

    def is_valid(self, data: Any) -> bool:
        if not self.fast:
            return not any(True for _ in self.errors(data))
        import fastjsonschema

        if self._fast is None:
            self._fast = fastjsonschema.compile(dict(self.schema), formats={"uri": _url_ok})
        try:
            self._fast(data)
        except fastjsonschema.JsonSchemaException:
            return False
        return not _has_float(data) or next(self.errors(data), None) is None

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
            self._full = strict(self.schema, format_checker=checker)
        errors: Iterator[ValidationError] = self._full.iter_errors(data)
        return errors


def build_validator(schema: Mapping[str, Any]) -> Validator:
    """A reusable validator for one schema."""
    return Validator(schema)


def validate(validator: Validator, data: Any, path: str, text: str) -> list[Diagnostic]:
    """All schema problems of one file's data, located in its text."""
    if validator.is_valid(data):
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
