"""The files ``init`` writes around a new list's catalog: a starting README, the
pre-commit configuration, the CI workflow and a CONTRIBUTING.md. Pure text.

The workflow pins each action by the commit of its current release (``ACTIONS``), as
this repository's own workflows do, and grants read-only permissions.
"""

from __future__ import annotations

from awesome_catalog import __url__, __version__

ACTIONS = {
    "checkout": ("actions/checkout", "3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "setup-python": ("actions/setup-python", "5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
}
"""The actions the workflow uses: (action, commit of the release, release)."""
INSTALL = f"awesome-catalog @ git+{__url__}@v{__version__}"
"""How a list's CI installs the tool (a pip requirement)."""


def uses(name: str) -> str:
    action, commit, release = ACTIONS[name]
    return f"{action}@{commit} # {release}"


def readme(title: str) -> str:
    """A new list's README: title, introduction, the generated regions, Contributing."""
    return f"""# {title} [![Awesome](https://awesome.re/badge.svg)](https://awesome.re)

> A curated list of awesome things. Say here what the list covers and what it leaves out.

<!-- awesome-catalog:begin:toc -->
<!-- awesome-catalog:end:toc -->

<!-- awesome-catalog:begin:sections -->
<!-- awesome-catalog:end:sections -->

## Contributing

Contributions are welcome: read the [contribution guidelines](CONTRIBUTING.md) first.
"""


def pre_commit_config() -> str:
    """The new list's ``.pre-commit-config.yaml``: the published hooks of awesome-catalog."""
    return f"""# Checks that run on every `git commit` once you have run `pre-commit install`.
# Run them by hand with `pre-commit run --all-files`.
repos:
  - repo: {__url__}
    rev: v{__version__}
    hooks:
      - id: check      # fail on any problem in catalog/ or a stale README
      - id: generate   # rewrite README.md from catalog/, and fail when it changed
"""


def workflow() -> str:
    """The new list's CI workflow: check the catalog and the README on every pull request."""
    return f"""# Checks every pull request and every push to main: the catalog, with annotations on
# the pull request's files, and whether README.md is what `awesome-catalog generate` writes.
name: Check the list

on:
  pull_request:
  push:
    branches: [main]

permissions:
  contents: read

concurrency:
  group: check-${{{{ github.ref }}}}
  cancel-in-progress: true

jobs:
  check:
    name: Check the catalog and the README
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - name: Check out
        uses: {uses("checkout")}
        with:
          persist-credentials: false

      - name: Set up Python 3.11
        uses: {uses("setup-python")}
        with:
          python-version: "3.11"

      - name: Install awesome-catalog
        run: python -m pip install "{INSTALL}"

      - name: Check (problems annotate the pull request)
        id: check
        run: awesome-catalog check --format github

      - name: Show how the README differs from what generate writes
        if: ${{{{ failure() && steps.check.outcome == 'failure' }}}}
        run: awesome-catalog generate --check
"""


def contributing(folder: str) -> str:
    """The new list's CONTRIBUTING.md: how to add an item, for contributors."""
    return f"""# Contributing

The list is data: one YAML file per item under `catalog/{folder}/`, checked against the
JSON Schemas in `schema/`. The sections of `README.md` between the
`<!-- awesome-catalog:... -->` markers are generated from that data by
[awesome-catalog]({__url__}): never edit them by hand.

| what | where |
| --- | --- |
| one item | `catalog/{folder}/<id>.yaml` |
| the sections, in reading order | `catalog/taxonomy.yaml` |
| the terms of each tag set | `catalog/vocabulary.yaml` |
| the list's settings | `catalog/list.yaml` |

## Add an item

1. `pip install "{INSTALL}"` once.
2. `awesome-catalog new "Name" --section SECTION --url https://...` writes
   `catalog/{folder}/<id>.yaml`; fill in its description.
3. `awesome-catalog generate` rewrites the README; `awesome-catalog check` says what is
   wrong, with the file, the line and a hint.
4. Commit the entry and README.md, and open a pull request.

With `pre-commit install`, steps 3's checks run on every commit.
"""
