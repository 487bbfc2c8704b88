"""The layers of the package, read from the code: each module imports only from its
own layer or the layers below it, and no command imports another command.

The table is the one in docs/architecture.md; a new package needs a row here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "scripts" / "awesome_catalog"
ROOT = "awesome_catalog"

# layer -> the layers it may import from (besides itself and the package's version and URL)
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "markdown": {"core"},
    "readme": {"core", "markdown"},
    "formats": {"core"},
    "net": {"core"},
    "load": {"core", "markdown", "readme", "formats"},
    "entries": {"core", "load", "formats"},
    "commands": {"core", "markdown", "readme", "formats", "net", "load", "entries"},
    "": {"core", "commands"},  # cli.py, __main__.py, __init__.py
}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (PACKAGE / parts[1]).is_dir() else ""


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(rel.parts).removesuffix(".__init__")


def _imports(path: Path) -> set[str]:
    """Every module of the package that ``path`` imports, at any depth of its code."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith(ROOT)}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(ROOT):
            if node.module == ROOT:
                found |= {f"{ROOT}.{a.name}" for a in node.names}
            else:
                found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names
                                          if (PACKAGE.parent / node.module.replace(".", "/") / f"{a.name}.py").exists()}
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_package_has_a_layer() -> None:
    packages = {p.parent.name for p in MODULES if p.parent != PACKAGE}
    assert packages == set(ALLOWED) - {""}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_imports_go_only_down_the_layers(path: Path) -> None:
    me = _module_name(path)
    layer = _layer(me)
    wrong = []
    for target in _imports(path):
        if target in (ROOT, f"{ROOT}.__version__", f"{ROOT}.__url__"):
            continue
        other = _layer(target)
        if other == layer:
            if layer == "commands" and target != me and target != f"{ROOT}.commands":
                wrong.append(f"{target} (commands never import each other)")
        elif other not in ALLOWED[layer]:
            wrong.append(f"{target} (layer {other or 'top'} is not below {layer or 'top'})")
    assert not wrong, f"{me} imports: {', '.join(sorted(wrong))}"


def test_the_checker_reads_imports_inside_functions_too(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    source = "def f():\n    from awesome_catalog.commands import check\n    import awesome_catalog.load.rules\n"
    module.write_text(source, encoding="utf-8")
    assert _imports(module) >= {"awesome_catalog.commands.check", "awesome_catalog.load.rules"}
