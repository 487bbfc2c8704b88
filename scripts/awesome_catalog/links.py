"""``awesome-catalog links``: check that every URL of the catalog still works.

Collects each entry's ``url`` and ``links``, checks them with ``http_check`` and reports
through the usual reporters at the line of each URL: E501 for a dead link (the only
problem that fails the run), W501 for a permanent redirect (with the new address), and
W502 for a link that could not be checked (busy server, server error, deadline).

With ``--cache FILE``, results that are not problems are kept in a JSON file
``{"version": 1, "results": {url: {"outcome", "status", "checked_at", "final_url",
"moved_to", "detail"}}}`` and reused while younger than ``--max-age`` seconds, so a
nightly run does not ask the same hosts again; dead and unchecked links are always
asked again. Progress goes to standard error on a terminal only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from awesome_catalog import report, writing
from awesome_catalog.catalog import load_catalog
from awesome_catalog.diagnostics import EXIT_PROBLEMS, EXIT_USAGE, Diagnostic, exit_code
from awesome_catalog.http_check import Options, Outcome, Progress, Result, check_urls, host_of
from awesome_catalog.project import Project
from awesome_catalog.rules import TextSource
from awesome_catalog.yamlload import locate

CACHE_VERSION = 1
CACHED = frozenset({Outcome.OK, Outcome.MOVED, Outcome.UNVERIFIED})
"""Outcomes worth keeping: a problem is always checked again."""

Places = dict[str, list[tuple[str, tuple[str, ...]]]]
"""url -> every (file, path of the value in the file) where it is written."""


def collect(project: Project) -> tuple[Places, TextSource] | None:
    """Every URL of the catalog with where it is written, and the files' texts;
    None when the catalog cannot be loaded."""
    loaded = load_catalog(project)
    if loaded.catalog is None:
        return None
    places: Places = {}
    for entry in loaded.catalog.entries:
        for name, url in entry.urls():
            places.setdefault(url, []).append((entry.path, tuple(name.split("."))))
    return places, loaded.texts


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
            row = {k: v for k, v in asdict(result).items() if k != "url"}
            rows[url] = {**row, "outcome": result.outcome.value, "checked_at": int(checked_at)}
    text = json.dumps({"version": CACHE_VERSION, "results": rows}, indent=1, sort_keys=True, ensure_ascii=False)
    writing.replace(path, (text + "\n").encode("utf-8"))


def diagnose(result: Result, field: str) -> tuple[str, str, str | None] | None:
    """(code, message, hint) for a result that deserves one."""
    if result.outcome is Outcome.DEAD:
        host = host_of(result.final_url or result.url)
        hint = (f"if {host} refuses scripts, add it to ALLOWLIST in awesome_catalog/http_check.py"
                if result.status in (401, 403) else "fix or remove the link; an archived copy may help")
        via = f" (redirected to {result.final_url})" if result.final_url else ""
        return "E501", f"{field} {result.url} is dead: {result.detail}{via}", hint
    if result.outcome is Outcome.MOVED:
        return "W501", f"{field} {result.url} moved permanently to {result.moved_to}", f"use {result.moved_to}"
    if result.outcome is Outcome.UNCHECKED:
        return "W502", f"{field} {result.url} could not be checked: {result.detail}", "it is checked again next run"
    return None


def diagnostics(results: Mapping[str, Result], places: Places, texts: TextSource) -> list[Diagnostic]:
    """One diagnostic per place of each problem URL, at the URL's line."""
    found: list[Diagnostic] = []
    for url, result in results.items():
        for path, parts in places.get(url, ()):
            problem = diagnose(result, ".".join(parts))
            if problem:
                text = texts.get(path)
                line, column = locate(text, parts) if text is not None else (0, 0)
                found.append(Diagnostic(path, line, column, *problem))
    return found


def progress_printer(stream: TextIO, every: float = 0.2) -> Progress:
    """``checked N/M, D dead`` rewritten in place, at most every ``every`` seconds."""
    last = [0.0]

    def show(done: int, total: int, dead: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < every:
            return
        last[0] = now
        stream.write(f"\r checked {done}/{total}, {dead} dead")
        stream.flush()

    return show


def options_from(args: argparse.Namespace) -> Options:
    """Engine options from the command line; a ValueError names a bad one."""
    for name in ("timeout", "concurrency", "per_host", "deadline"):
        if getattr(args, name) <= 0:
            raise ValueError(f"--{name.replace('_', '-')} must be more than 0")
    for name in ("delay", "retries", "max_age"):
        if getattr(args, name) < 0:
            raise ValueError(f"--{name.replace('_', '-')} must not be negative")
    return Options(timeout=args.timeout, concurrency=args.concurrency, per_host=args.per_host, delay=args.delay,
                   retries=args.retries, deadline=args.deadline)


def run(args: argparse.Namespace, project: Project) -> int:
    """``awesome-catalog links``."""
    try:
        options = options_from(args)
    except ValueError as err:
        print(f"awesome-catalog links: {err}", file=sys.stderr)
        return EXIT_USAGE
    collected = collect(project)
    if collected is None:
        print("awesome-catalog links: the catalog cannot be loaded; run `awesome-catalog check`", file=sys.stderr)
        return EXIT_PROBLEMS
    places, texts = collected
    now = time.time()
    cached = load_cache(args.cache, now, args.max_age) if args.cache else {}
    known = {url: cached[url] for url in places if url in cached}
    progress = progress_printer(sys.stderr) if sys.stderr.isatty() else None
    fresh = check_urls([u for u in places if u not in known], options, progress)
    if progress and fresh:
        sys.stderr.write("\n")  # end the progress line, also when the deadline cut the run short
    checked_at = time.time()
    timed = {**known, **{url: (result, checked_at) for url, result in fresh.items()}}
    if args.cache:
        try:
            save_cache(args.cache, timed)
        except OSError as err:
            print(f"awesome-catalog links: cannot write the cache {args.cache}: {err}", file=sys.stderr)
    found = diagnostics({url: r for url, (r, _) in timed.items()}, places, texts)
    footer = f"{len(places)} URLs, {len(known)} of them from the cache: {report.summary(found)}"
    report.write(args.format, found, sys.stdout, color=report.use_color(sys.stdout), footer=footer)
    return exit_code(found)
