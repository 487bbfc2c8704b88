"""Shared fixtures: a small valid list copied into a temporary folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from awesome_catalog.core.project import Project

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def make_project(dest: Path, fixture: str = "mini") -> Project:
    """Copy ``tests/fixtures/<fixture>`` and the repository's schemas into ``dest``."""
    shutil.copytree(FIXTURES / fixture, dest, dirs_exist_ok=True)
    shutil.copytree(REPO / "schema", dest / "schema", dirs_exist_ok=True)
    return Project(dest)


@pytest.fixture
def mini(tmp_path: Path) -> Project:
    """A small valid list (catalog, schemas, README) in a temporary folder."""
    return make_project(tmp_path / "mini")


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the tool's result cache out of the user's own cache folder during tests."""
    patch = pytest.MonkeyPatch()
    patch.setenv("AWESOME_CATALOG_CACHE_DIR", str(tmp_path_factory.mktemp("awesome-catalog-cache")))
    yield
    patch.undo()
