"""``awesome-catalog links``: check that every URL of the catalog still works.

Collects each entry's ``url`` and ``links``, checks them with ``net.http`` and reports
through the usual reporters at the line of each URL: E501 for a dead link (the only
problem that fails the run), W501 for a permanent redirect (with the new address), and
W502 for a link that could not be checked (busy server, server error, a refusal, deadline).

How a list's URLs are judged is the list's setting, ``links`` in ``catalog/list.yaml``
(``core.model.LinkSettings``), never the tool's code: ``refuse_scripts`` names the hosts
(and their subdomains) that turn every script away, so that a 401, 403 or 429 from them
is "works, but could not be verified" and reported as nothing; a refusal from any other
host is reported unchecked (W502, with the hint to name the host there), or dead (E501)
when ``refusal_is_dead`` is true. A URL that starts with one of the ``skip`` prefixes is
never asked and never reported: the list chose so, and a warning on every run that
nothing can silence would hide the others. It is counted in the run's last line.

With ``--cache FILE``, results that are not problems are kept in a JSON file
``{"version": 1, "results": {url: {"outcome", "status", "checked_at", "final_url",
"moved_to", "detail"}}}`` and reused while younger than ``--max-age`` seconds, so a
nightly run does not ask the same hosts again; dead and unchecked links are always
asked again. Progress goes to standard error on a terminal only.

Offline, no request reaches any server: when every URL failed on resolving its host or
on connecting, the run says so once, reports the links as unchecked (W502), not dead,
and exits 2, as for any environment error: a run that checked nothing never passes.
Every limit must be a finite number: ``nan`` or ``inf`` is a usage error.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from awesome_catalog.core.diagnostics import EXIT_PROBLEMS, EXIT_USAGE
from awesome_catalog.core.project import Project
from awesome_catalog.formats.report import REPORTERS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from awesome_catalog.core.diagnostics import Diagnostic
    from awesome_catalog.core.model import LinkSettings
    from awesome_catalog.load.rules import TextSource
    from awesome_catalog.net.http import Options, Progress, Result

Places = dict[str, list[tuple[str, tuple[str, ...]]]]
"""url -> every (file, path of the value in the file) where it is written."""


NAME = "links"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """The ``links`` sub-command's options."""
    parser = commands.add_parser(NAME, help="check that every URL of the catalog still works")
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds per request (default 15)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight overall (default 8)")
    parser.add_argument("--per-host", type=int, default=2, help="requests in flight per host (default 2)")
    parser.add_argument("--delay", type=float, default=0.5,
                        help="seconds between requests to one host (default 0.5)")
    parser.add_argument("--retries", type=int, default=2, help="retries after a timeout, 429 or 503 (default 2)")
    parser.add_argument("--deadline", type=float, default=600.0, help="seconds for the whole run (default 600)")
    parser.add_argument("--cache", type=Path, help="JSON file of earlier results, reused while fresh")
    parser.add_argument("--max-age", type=float, default=7 * 86400.0, help="seconds a cached result stays fresh")
    parser.add_argument("--format", choices=tuple(REPORTERS), default="text")
    return parser


def collect(project: Project) -> tuple[Places, TextSource, LinkSettings] | None:
    """Every URL of the catalog with where it is written, the files' texts and the
    list's link settings; None when the catalog cannot be loaded."""
    from awesome_catalog.load.loader import load_catalog

    loaded = load_catalog(project)
    if loaded.catalog is None:
        return None
    places: Places = {}
    for entry in loaded.catalog.entries:
        for name, url in entry.urls():
            places.setdefault(url, []).append((entry.path, tuple(name.split("."))))
    return places, loaded.texts, loaded.catalog.settings.links


def skipped(url: str, settings: LinkSettings) -> bool:
    """Whether the list's settings say never to check ``url``."""
    return url.startswith(settings.skip)


def diagnostics(results: Mapping[str, Result], places: Places, texts: TextSource) -> list[Diagnostic]:
    """One diagnostic per place of each problem URL, at the URL's line."""
    from awesome_catalog.core.diagnostics import Diagnostic
    from awesome_catalog.load.rules import make_locator
    from awesome_catalog.net.results import diagnose

    where = make_locator(texts)  # each file parsed for positions once
    found: list[Diagnostic] = []
    for url, result in results.items():
        for path, parts in places.get(url, ()):
            problem = diagnose(result, ".".join(parts))
            if problem:
                line, column = where(path, parts, False)
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


def options_from(args: argparse.Namespace, settings: LinkSettings | None = None) -> Options:
    """Engine options from the command line's limits and the list's link settings; a
    ValueError names a bad limit."""
    for name in ("timeout", "delay", "deadline", "max_age"):
        if not math.isfinite(getattr(args, name)):
            raise ValueError(f"--{name.replace('_', '-')} must be a finite number of seconds")
    for name in ("timeout", "concurrency", "per_host", "deadline"):
        if getattr(args, name) <= 0:
            raise ValueError(f"--{name.replace('_', '-')} must be more than 0")
    for name in ("delay", "retries", "max_age"):
        if getattr(args, name) < 0:
            raise ValueError(f"--{name.replace('_', '-')} must not be negative")
    from awesome_catalog.net.http import Options

    hosts, dead = (frozenset(settings.refuse_scripts), settings.refusal_is_dead) if settings else (frozenset(), False)
    return Options(timeout=args.timeout, concurrency=args.concurrency, per_host=args.per_host, delay=args.delay,
                   retries=args.retries, deadline=args.deadline, refuse_scripts=hosts, refusal_is_dead=dead)


def still_true(result: Result, options: Options) -> bool:
    """Whether a cached result still holds under the list's settings: one that trusted a
    host the list no longer says refuses scripts is asked again."""
    from awesome_catalog.net.http import Outcome, host_of, refuses_scripts

    return result.outcome is not Outcome.UNVERIFIED or refuses_scripts(
        host_of(result.final_url or result.url), options.refuse_scripts)


def run(args: argparse.Namespace, project: Project) -> int:
    """``awesome-catalog links``."""
    from awesome_catalog.core.diagnostics import exit_code
    from awesome_catalog.formats import report
    from awesome_catalog.net.http import Outcome, check_urls, offline
    from awesome_catalog.net.results import load_cache, save_cache

    try:
        options_from(args)  # a bad limit is a usage error, whatever the catalog
    except ValueError as err:
        print(f"awesome-catalog links: {err}", file=sys.stderr)
        return EXIT_USAGE
    collected = collect(project)
    if collected is None:
        print("awesome-catalog links: the catalog cannot be loaded; run `awesome-catalog check`", file=sys.stderr)
        return EXIT_PROBLEMS
    places, texts, settings = collected
    options = options_from(args, settings)
    skip = [url for url in places if skipped(url, settings)]
    places = {url: where for url, where in places.items() if not skipped(url, settings)}
    now = time.time()
    cached = load_cache(args.cache, now, args.max_age) if args.cache else {}
    known = {url: cached[url] for url in places if url in cached and still_true(cached[url][0], options)}
    progress = progress_printer(sys.stderr) if sys.stderr.isatty() else None
    fresh = check_urls([u for u in places if u not in known], options, progress)
    if progress and fresh:
        sys.stderr.write("\n")  # end the progress line, also when the deadline cut the run short
    unreachable = offline(fresh.values())
    if unreachable:
        print("awesome-catalog links: no request reached the network (no host name resolved, no connection was "
              "made); the links are reported unchecked", file=sys.stderr)
        fresh = {url: dataclasses.replace(result, outcome=Outcome.UNCHECKED, detail="the network cannot be reached")
                 for url, result in fresh.items()}
    checked_at = time.time()
    timed = {**known, **{url: (result, checked_at) for url, result in fresh.items()}}
    if args.cache:
        try:
            save_cache(args.cache, timed)
        except OSError as err:
            print(f"awesome-catalog links: cannot write the cache {args.cache}: {err}", file=sys.stderr)
    found = diagnostics({url: r for url, (r, _) in timed.items()}, places, texts)
    skipping = f" (and {len(skip)} skipped by the list's settings)" if skip else ""
    footer = f"{len(places)} URLs{skipping}, {len(known)} of them from the cache: {report.summary(found)}"
    report.write(args.format, found, sys.stdout, color=report.use_color(sys.stdout), footer=footer)
    return EXIT_USAGE if unreachable else exit_code(found)
