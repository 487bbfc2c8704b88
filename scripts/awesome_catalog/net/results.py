"""Results of a link check kept between runs, and the diagnostics they give.

The cache is a JSON file ``{"version": 1, "results": {url: {"outcome", "status",
"checked_at", "final_url", "moved_to", "detail"}}}``; results that are not problems are
reused while younger than the maximum age, so a nightly run does not ask the same hosts
again. Dead and unchecked links are always asked again.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from awesome_catalog.core import writing
from awesome_catalog.net.http import REFUSALS, Outcome, Result, host_of

CACHE_VERSION = 1
CACHED = frozenset({Outcome.OK, Outcome.MOVED, Outcome.UNVERIFIED})
"""Outcomes worth keeping: a problem is always checked again."""

def load_cache(path: Path, now: float, max_age: float) -> dict[str, tuple[Result, float]]:
    """The fresh, reusable results of an earlier run with their times; a missing or
    unreadable cache is empty (it is only an optimisation)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        rows = doc["results"] if doc.get("version") == CACHE_VERSION else {}
        fresh: dict[str, tuple[Result, float]] = {}
        for url, row in rows.items():
            checked_at = float(row["checked_at"])
            outcome = Outcome(row["outcome"])
            if outcome in CACHED and 0 <= now - checked_at <= max_age:
                result = Result(url, outcome, str(row["detail"]), row.get("status"), row.get("final_url"),
                                row.get("moved_to"))
                fresh[url] = (result, checked_at)
        return fresh
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as err:
        print(f"awesome-catalog links: ignoring the unreadable cache {path}: {err}", file=sys.stderr)
        return {}


def save_cache(path: Path, results: Mapping[str, tuple[Result, float]]) -> None:
    """Write the reusable results atomically, sorted, one run's URLs only."""
    rows: dict[str, Any] = {}
    for url, (result, checked_at) in sorted(results.items()):
        if result.outcome in CACHED:
            row = {k: v for k, v in asdict(result).items() if k not in ("url", "reached")}
            rows[url] = {**row, "outcome": result.outcome.value, "checked_at": int(checked_at)}
    text = json.dumps({"version": CACHE_VERSION, "results": rows}, indent=1, sort_keys=True, ensure_ascii=False)
    writing.replace(path, (text + "\n").encode("utf-8"))


def diagnose(result: Result, field: str) -> tuple[str, str, str | None] | None:
    """(code, message, hint) for a result that deserves one."""
    refusal = (f"if {host_of(result.final_url or result.url)} refuses every script, add it to "
               "links.refuse_scripts in catalog/list.yaml") if result.status in REFUSALS else None
    if result.outcome is Outcome.DEAD:
        hint = refusal or "fix or remove the link; an archived copy may help"
        via = f" (redirected to {result.final_url})" if result.final_url else ""
        return "E501", f"{field} {result.url} is dead: {result.detail}{via}", hint
    if result.outcome is Outcome.MOVED:
        return "W501", f"{field} {result.url} moved permanently to {result.moved_to}", f"use {result.moved_to}"
    if result.outcome is Outcome.UNCHECKED:
        return "W502", f"{field} {result.url} could not be checked: {result.detail}", (
            f"{refusal}; else it is checked again next run" if refusal else "it is checked again next run")
    return None
