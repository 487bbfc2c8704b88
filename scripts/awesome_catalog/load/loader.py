"""Load stage: read the schemas, the taxonomy, the vocabulary, the list's settings and every entry file.

Returns the typed ``Catalog`` built from every file that loaded and validated, plus all
diagnostics found on the way. A broken file is reported and left out; it never stops
the others from being read.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from awesome_catalog.core.diagnostics import Diagnostic
from awesome_catalog.core.identity import ID_PATTERN, suggest_id
from awesome_catalog.core.model import Catalog, Entry, Settings, Taxonomy, Vocabulary
from awesome_catalog.core.project import (
    MAX_SCHEMA_BYTES,
    SCHEMA_NAMES,
    EntryFile,
    NotRegularFile,
    Project,
    describe_os_error,
    read_regular,
)
from awesome_catalog.load import inputs, yamlload

if TYPE_CHECKING:
    from awesome_catalog.load.validate import Validator

class SourceTexts:
    """The text of catalog files, read on first request (only files with problems need it)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._texts: dict[str, str] = {}

    def __setitem__(self, rel: str, text: str) -> None:
        self._texts[rel] = text

    def get(self, rel: str) -> str | None:
        if rel not in self._texts:
            try:
                raw = read_regular(self.project.root / rel, inputs.MAX_BYTES)
                self._texts[rel] = raw.decode("utf-8")
            except (OSError, UnicodeDecodeError):
                return None
        return self._texts[rel]


@dataclass
class LoadedCatalog:
    """What the load stage produced. ``catalog`` is None when the taxonomy or the
    vocabulary could not be used; ``texts`` gives each file's text so that later
    stages can locate values in it."""

    catalog: Catalog | None
    texts: SourceTexts
    diagnostics: list[Diagnostic] = field(default_factory=list)
    validators: dict[str, Validator] = field(default_factory=dict)


def load_schemas(project: Project, names: Sequence[str] = SCHEMA_NAMES, *,
                 checked: bool = False) -> tuple[dict[str, Validator], list[Diagnostic]]:
    """A validator for each of the project's schemas that can be used, and the problems
    of those that cannot.

    Every JSON file of ``schema/`` is read, since one schema may refer to another by file
    name or ``$id``; a schema that reaches anything else, or is not a valid JSON Schema,
    is reported and left out (see ``validate.build_validators``). What is not a regular
    file is never opened (E118). ``names``: the schemas wanted; ``checked``: the files
    are known to pass the metaschema.
    """
    from awesome_catalog.load import validate

    problems: list[Diagnostic] = []
    wanted = {name: project.schema_file(name).name for name in names}
    files: list[validate.SchemaFile] = []
    try:
        with os.scandir(project.schema_dir) as found:
            names = sorted(e.name for e in found if e.name.endswith(".json") and e.is_file())
    except OSError:
        names = []
    for name in sorted({*names, *wanted.values()}):
        path = project.schema_dir / name
        rel = project.rel(path)
        required = name in wanted.values()
        try:
            text = read_regular(path, MAX_SCHEMA_BYTES).decode("utf-8-sig")
            files.append(validate.SchemaFile(rel, name, json.loads(text), text))
        except FileNotFoundError:
            if required:
                problems.append(Diagnostic(rel, 0, 0, "E112", "schema file is missing",
                                           "run from the list's root, or pass --root"))
        except NotRegularFile as err:
            problems.append(Diagnostic(rel, 0, 0, "E118", f"schema cannot be read: {err.strerror}"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as err:
            if required:
                line, col = getattr(err, "lineno", 0), getattr(err, "colno", 0)
                why = err.strerror if isinstance(err, OSError) else err
                problems.append(Diagnostic(rel, line, col, "E112", f"schema cannot be read: {why}"))
    validators, invalid = validate.build_validators(files, wanted, checked=checked)
    return validators, problems + invalid


def check_name(rel: str, name: str) -> Diagnostic | None:
    """E110 when an entry file's name is not ``<id>.yaml``."""
    stem, dot, suffix = name.rpartition(".")
    if dot and suffix == "yaml" and ID_PATTERN.match(stem):
        return None
    suggestion = f"{suggest_id(stem or name)}.yaml"
    foreign = sorted({c for c in name if not c.isascii()})
    why = ""
    if foreign:
        import unicodedata

        why = "; it contains " + ", ".join(
            f"byte 0x{ord(c) - 0xDC00:02x}, which is not UTF-8" if 0xDC80 <= ord(c) <= 0xDCFF  # os.fsdecode's escape
            else f"{c!r} ({unicodedata.name(c, 'unnamed')})" for c in foreign)
    # the name is quoted as it is: reporters escape what is not printable
    return Diagnostic(rel, 0, 0, "E110", f"file name '{name}' is not a valid id followed by .yaml{why}",
                      f"rename it to {suggestion}")


@dataclass(frozen=True)
class ListContext:
    """What every entry is read against: the schemas' validators, the list's settings,
    taxonomy and vocabulary (as a ``Catalog`` without entries), and the problems found
    reading them. ``catalog`` is None when the taxonomy, the vocabulary or the settings
    cannot be used; ``complete`` is False when a schema is missing or broken, and then
    entry files are read and parsed but not checked, so no catalog is built from them."""

    validators: dict[str, Validator]
    catalog: Catalog | None
    complete: bool
    diagnostics: tuple[Diagnostic, ...]
    data: tuple[Any, Any, Any] = (None, None, None)
    """The data of the taxonomy, the vocabulary and the settings (None where unusable)."""
    schemas_sound: bool = False
    """Whether every schema file passed the metaschema and every ``$ref`` check."""


def load_context(project: Project, texts: SourceTexts) -> ListContext:
    """Read the schemas, the taxonomy, the vocabulary and the list's settings."""
    validators, problems = load_schemas(project)
    diagnostics = list(problems)
    complete = all(name in validators for name in SCHEMA_NAMES)
    found: dict[str, Any] = {}
    hint = "run from the list's root, or pass --root"
    for special, schema in ((project.taxonomy_file, "taxonomy"), (project.vocabulary_file, "vocabulary")):
        found[schema] = load_file(project, str(special), project.rel(special), validators.get(schema), texts,
                                  diagnostics, hint)
    settings_data: Any = {}  # without catalog/list.yaml, the defaults
    if project.list_file.is_file():
        settings_data = load_file(project, str(project.list_file), project.rel(project.list_file),
                                  validators.get("list"), texts, diagnostics)
    settings = None if settings_data is None else Settings.from_data(settings_data)
    catalog = None
    if found["taxonomy"] is not None and found["vocabulary"] is not None and complete and settings is not None:
        catalog = Catalog(taxonomy=Taxonomy.from_data(found["taxonomy"]),
                          vocabulary=Vocabulary.from_data(found["vocabulary"], settings.tag_sets),
                          entries=(), settings=settings)
    return ListContext(validators, catalog, complete, tuple(diagnostics),
                       (found["taxonomy"], found["vocabulary"], settings_data), not problems)


def load_file(project: Project, path: str, rel: str, validator: Validator | None, texts: SourceTexts,
              diagnostics: list[Diagnostic], missing_hint: str | None = None) -> Any:
    """The data of one file, or None when it cannot be read, parsed or validated (its
    problems go to ``diagnostics``)."""
    st = inputs.file_stat(project, path, rel, diagnostics, missing_hint)
    if st is None:
        return None
    try:
        raw = read_regular(path, inputs.MAX_BYTES)  # a file swapped meanwhile is still not read unbounded
    except OSError as err:
        diagnostics.append(read_error(rel, err))
        return None
    return parse(raw, rel, validator, texts, diagnostics)


def read_error(rel: str, err: OSError) -> Diagnostic:
    """Why a file that was there could not be read (E118 for what is not a regular file)."""
    if isinstance(err, NotRegularFile):
        return Diagnostic(rel, 0, 0, "E118", f"file cannot be read: {err.strerror}")
    return Diagnostic(rel, 0, 0, "E112", f"file cannot be read: {describe_os_error(err)}")


def parse(raw: bytes, rel: str, validator: Validator | None, texts: SourceTexts,
          diagnostics: list[Diagnostic]) -> Any:
    """Parse and validate one file's bytes: its data, or None when it has a problem
    (which goes to ``diagnostics``)."""
    from awesome_catalog.load import validate

    loaded = yamlload.load(raw, rel)
    found = list(loaded.diagnostics)
    if loaded.data is not None and validator is not None:
        found.extend(validate.validate(validator, loaded.data, rel, loaded.text or "", loaded.floats))
    if found and loaded.text is not None:
        texts[rel] = loaded.text  # kept to locate later problems; others are read again if needed
    diagnostics.extend(found)
    return None if found else loaded.data


def entry_of(file: EntryFile, data: Any, context: ListContext, name_ok: bool) -> Entry | None:
    """The entry of a file whose data loaded, when it can join the catalog: its name is
    an id and the context is usable."""
    if data is None or not name_ok or context.catalog is None:
        return None
    return Entry.from_data(file.name[: -len(".yaml")], file.rel, file.folder, data, context.catalog.settings)


def load_catalog(project: Project) -> LoadedCatalog:
    """Load the whole catalog, every file read."""
    texts = SourceTexts(project)
    context = load_context(project, texts)
    result = LoadedCatalog(None, texts, list(context.diagnostics), context.validators)
    entries: list[Entry] = []
    listing = project.scan()
    result.diagnostics.extend(listing.problems)
    for file in listing.files:
        name_problem = check_name(file.rel, file.name)
        if name_problem:
            result.diagnostics.append(name_problem)
        data = load_file(project, file.path, file.rel, context.validators.get("entry"), texts,
                         result.diagnostics)
        entry = entry_of(file, data, context, name_problem is None)
        if entry is not None:
            entries.append(entry)
    if context.catalog is not None:
        result.catalog = dataclasses.replace(context.catalog, entries=tuple(sorted(entries, key=lambda e: e.id)))
    return result
