"""Load stage: read the schemas, the taxonomy, the vocabulary and every entry file.

Returns the typed ``Catalog`` built from every file that loaded and validated, plus all
diagnostics found on the way. A broken file is reported and left out; it never stops
the others from being read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from awesome_catalog import yamlload
from awesome_catalog.diagnostics import Diagnostic
from awesome_catalog.model import Catalog, Entry, Taxonomy, Vocabulary
from awesome_catalog.project import SCHEMA_NAMES, Project

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass
class LoadedCatalog:
    """What the load stage produced. ``catalog`` is None when the taxonomy or the
    vocabulary could not be used; ``texts`` maps each readable file to its text so that
    later stages can locate values in it."""

    catalog: Catalog | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    schemas: dict[str, Any] = field(default_factory=dict)


def suggest_id(name: str) -> str:
    """A valid id close to ``name``: ASCII, lowercase, words joined by single hyphens."""
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "entry"


def load_schemas(project: Project) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The three JSON Schemas of the project, by name."""
    schemas: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    for name in SCHEMA_NAMES:
        path = project.schema_file(name)
        try:
            schemas[name] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            problems.append(Diagnostic(project.rel(path), 0, 0, "E112", "schema file is missing",
                                       "run from the list's root, or pass --root"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            line = getattr(err, "lineno", 0)
            col = getattr(err, "colno", 0)
            problems.append(Diagnostic(project.rel(path), line, col, "E112", f"schema cannot be read: {err}"))
    return schemas, problems


def read_file(project: Project, path: Path, diagnostics: list[Diagnostic]) -> bytes | None:
    """The bytes of a catalog file, refusing links that lead outside the catalog."""
    rel = project.rel(path)
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(project.catalog_dir.resolve()):
            diagnostics.append(Diagnostic(rel, 0, 0, "E111", "symbolic link leads outside catalog/",
                                          "replace the link by a real file"))
            return None
    try:
        return path.read_bytes()
    except FileNotFoundError:
        diagnostics.append(Diagnostic(rel, 0, 0, "E112", "file is missing or is a broken link"))
    except OSError as err:
        diagnostics.append(Diagnostic(rel, 0, 0, "E112", f"file cannot be read: {err.strerror}"))
    return None


def check_name(project: Project, path: Path) -> Diagnostic | None:
    """E110 when an entry file's name is not ``<id>.yaml``."""
    if path.suffix == ".yaml" and ID_PATTERN.match(path.stem):
        return None
    suggestion = f"{suggest_id(path.stem)}.yaml"
    return Diagnostic(project.rel(path), 0, 0, "E110",
                      f"file name {path.name!r} is not a valid id followed by .yaml",
                      f"rename it to {suggestion}")


def load_catalog(project: Project, only: Iterable[Path] | None = None) -> LoadedCatalog:
    """Load the whole catalog; with ``only``, file-level diagnostics are kept for those
    files alone (every file is still read, because the catalog is needed whole)."""
    from awesome_catalog import validate

    result = LoadedCatalog(None)
    schemas, problems = load_schemas(project)
    result.schemas = schemas
    result.diagnostics.extend(problems)
    validators = {name: validate.build_validator(s) for name, s in schemas.items()}

    def load_one(path: Path, schema: str) -> Any:
        rel = project.rel(path)
        raw = read_file(project, path, result.diagnostics)
        if raw is None:
            return None
        loaded = yamlload.load(raw, rel)
        if loaded.text is not None:
            result.texts[rel] = loaded.text
        result.diagnostics.extend(loaded.diagnostics)
        if loaded.data is None:
            return None
        validator = validators.get(schema)
        if validator is None:
            return None
        found = validate.validate(validator, loaded.data, rel, loaded.text or "")
        result.diagnostics.extend(found)
        return None if found else loaded.data

    taxonomy_data = load_one(project.taxonomy_file, "taxonomy") if _exists(project, project.taxonomy_file, result) else None
    vocabulary_data = load_one(project.vocabulary_file, "vocabulary") if _exists(project, project.vocabulary_file, result) else None

    keep = None if only is None else {p.resolve() for p in only}
    entries: list[Entry] = []
    for path in project.entry_files():
        before = len(result.diagnostics)
        name_problem = check_name(project, path)
        if name_problem:
            result.diagnostics.append(name_problem)
        data = load_one(path, "entry")
        if keep is not None and path.resolve() not in keep:
            del result.diagnostics[before:]
        if data is not None and name_problem is None:
            entries.append(Entry.from_data(path.stem, project.rel(path), path.parent.name, data))

    if taxonomy_data is not None and vocabulary_data is not None:
        result.catalog = Catalog(
            taxonomy=Taxonomy.from_data(taxonomy_data),
            vocabulary=Vocabulary.from_data(vocabulary_data),
            entries=tuple(sorted(entries, key=lambda e: e.id)),
        )
    return result


def _exists(project: Project, path: Path, result: LoadedCatalog) -> bool:
    if path.is_file():
        return True
    result.diagnostics.append(Diagnostic(project.rel(path), 0, 0, "E112", "file is missing",
                                         "run from the list's root, or pass --root"))
    return False
