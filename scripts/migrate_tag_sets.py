"""One-off migration of awesome-mi (and the test fixture built like it) to list-defined
tag sets: run once from the repository's root, then removed.

- catalog/list.yaml declares the two tag sets the code used to name (techniques and
  evaluation, given per appearance) and the hosts that refuse scripts, which used to be
  the ALLOWLIST in the tool's code;
- schema/*.schema.json are written from those settings by formats/schemas.py, keeping
  awesome-mi's tighter rule that a summary has at least 20 characters.

Entry files do not change: their techniques and evaluation keys are now tag sets.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from awesome_catalog.core.model import Settings
from awesome_catalog.formats.schemas import schemas, to_json

TAG_SETS = """
# The sets of controlled terms the list tags its works with; their terms are in
# catalog/vocabulary.yaml. Both are given per appearance: what a work contributes to
# one section.
tag_sets:
  - id: techniques
    label: Techniques
    per: appearance
    description: The methods a work uses or introduces, as seen from one section.
  - id: evaluation
    label: Evaluation
    per: appearance
    description: How a work judges its interpretation, as seen from one section.
"""

LINKS = """
# How `awesome-catalog links` judges the list's URLs.
links:
  # Hosts that answer 401, 403 or 429 to every script: Cloudflare's bot challenge
  # (openai.com, www.science.org); the ACM Digital Library and ResearchGate.
  refuse_scripts: [openai.com, www.science.org, dl.acm.org, www.researchgate.net]
"""


def migrate(root: Path, summary_min: int, write_schemas: bool = True) -> None:
    settings_file = root / "catalog" / "list.yaml"
    text = settings_file.read_text(encoding="utf-8")
    if "tag_sets:" not in text:
        text = text.rstrip("\n") + "\n" + TAG_SETS + (LINKS if root.name != "mini" else "")
        settings_file.write_text(text, encoding="utf-8")
    if not write_schemas:  # the test fixture uses the repository's schemas
        return
    settings = Settings.from_data(yaml.safe_load(text))
    for name, schema in schemas(settings, summary_min, "https://github.com/awesome-mi/awesome-mi/schema/").items():
        path = root / "schema" / f"{name}.schema.json"
        path.write_text(to_json(schema), encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    migrate(Path.cwd(), 20)
    migrate(Path.cwd() / "tests" / "fixtures" / "mini", 20, write_schemas=False)
    sys.exit(0)
