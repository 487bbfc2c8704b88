"""Benchmark ``awesome-catalog`` on synthetic lists of 1,000 to 100,000 works.

    python benchmarks/bench.py [--sizes 1000,10000,100000] [--runs 5] [--out benchmarks/results]

For each size it writes a synthetic list (``synth.py``), then times whole processes,
median of ``--runs``, each with its peak memory: ``check`` cold (no cache), ``check``
again with nothing changed, ``check`` after one entry changed without ``generate``
(the stale README reported) and after ``generate`` (the pre-commit case), ``check``
with one entry broken (compared once with ``check --no-cache``), ``generate`` after
one entry changed and with nothing to do, ``generate --check``, the floor
(``floor.py``: parse the same files with libyaml and nothing else) and
check-jsonschema on the same entry files with the list's schema. It prints a Markdown
table of seconds, peak memory and ratios to the floor and to check-jsonschema, the
result cache's size on disk beside the catalog's, the growth from one size to the
next, the targets of the performance issues, and saves it under ``--out`` with the
machine's description.

The ``init`` case times ``awesome-catalog init --from`` on a synthetic Markdown list of
``--init-items`` bullet items (``synth.markdown_list``), as a ratio to parsing the same
Markdown once with mistune, in the same run. ``--cases`` picks the cases: ``check`` (every
case above, at every size, and the start-up), ``init``, or both (the default).
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import difflib
import functools
import io
import itertools
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import synth
import yaml

REPO = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
TOOL = [sys.executable, "-m", "awesome_catalog"]
DEFAULT_SIZES = (1_000, 10_000, 100_000)
TARGET_SIZE = 10_000

FLOOR = "floor (parse with libyaml)"
COLD = "check, cold"
WARM = "check, nothing changed"
TOUCHED = "check, one file changed"
STALE = "check, one file changed, README not regenerated"
BROKEN = "check, one file broken"
GENERATE_EDIT = "generate, one file changed"
GENERATE = "generate (README up to date)"
GENERATE_CHECK = "generate --check"
JSONSCHEMA = "check-jsonschema"
INIT = "init --from"
MISTUNE = "mistune (parse the same Markdown once)"
CASE_GROUPS = ("check", "init")
_MISTUNE = ("import sys, mistune; "
            "mistune.create_markdown(renderer=None, plugins=['table'])(open(sys.argv[1], encoding='utf-8').read())")


class BenchError(Exception):
    """A command of the benchmark failed; the message says which and how."""


@dataclass
class Result:
    """One case at one size: every run's seconds and peak memory."""

    case: str
    seconds: list[float] = field(default_factory=list)
    peaks_mb: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak_mb(self) -> float:
        return max(self.peaks_mb)


Command = list[str]
Before = Callable[[int], None]


@dataclass(frozen=True)
class Run:
    """One timed run of a case: seconds in all, the largest peak memory in MB, and the
    exit code and output (stdout and stderr together) of its last command."""

    seconds: float
    peak_mb: float
    code: int
    output: str


After = Callable[[int, Run], None]


@dataclass
class SizeRun:
    """Everything measured at one size: each case's results, the result cache on disk
    after the runs and the catalog (bytes of every file under ``catalog/``), and whether
    ``check`` with one broken file reported what a cold check does (None: not compared)."""

    results: list[Result]
    cache_bytes: int = 0
    catalog_bytes: int = 0
    same_as_cold: bool | None = None


# Runs one command and writes "exit-code max-rss-kB seconds" to the file named first.
# A small process of its own: a child's maximum resident set size starts at its
# parent's size (Linux keeps it across fork and exec), so the benchmark's own
# memory must not be the parent.
_MEASURE = """
import os, sys, time
report, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(report, "w") as out:
    out.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss} {seconds}")
"""


def run_once(commands: Sequence[Command], cwd: Path, env: dict[str, str], allow_failure: bool = False) -> Run:
    """Run commands one after the other; a non-zero exit is an error unless ``allow_failure``."""
    seconds, peak, code, text = 0.0, 0.0, "0", ""
    with tempfile.TemporaryDirectory() as tmp:
        report, output = Path(tmp) / "report", Path(tmp) / "output"
        for command in commands:
            with output.open("wb") as out:
                subprocess.run([sys.executable, "-I", "-S", "-c", _MEASURE, str(report), *command], cwd=cwd,
                               env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
            code, rss_kb, taken = report.read_text().split()
            seconds += float(taken)
            peak = max(peak, int(rss_kb) / 1024)  # kilobytes on Linux
            text = output.read_text(errors="replace")
            if int(code) != 0 and not allow_failure:
                tail = text.splitlines()[-15:]
                shown = " ".join(command[:6]) + (" ..." if len(command) > 6 else "")
                raise BenchError(f"`{shown}` exited {code}:\n" + "\n".join(tail))
    return Run(seconds, peak, int(code), text)


@dataclass(frozen=True)
class Case:
    """What to time: ``commands`` in a row; ``before(i)`` runs untimed before run ``i``,
    ``after(i, run)`` untimed after it (to look at what it reported, or to undo what
    ``before`` did, so that the next case starts where it claims to)."""

    name: str
    commands: list[Command]
    before: Before | None = None
    after: After | None = None
    allow_failure: bool = False


def measure(cases: Sequence[Case], cwd: Path, env: dict[str, str], runs: int) -> list[Result]:
    """``runs`` rounds of every case in order. Taking turns, rather than all runs of one
    case and then the next, keeps the ratios fair when the machine's load drifts."""
    results = [Result(case.name) for case in cases]
    for i in range(runs):
        for case, result in zip(cases, results, strict=True):
            if case.before:
                case.before(i)
            run = run_once(case.commands, cwd, env, case.allow_failure)
            result.seconds.append(run.seconds)
            result.peaks_mb.append(run.peak_mb)
            result.note = f"exit {run.code}" if run.code else ""
            print(f"  {case.name}: run {i + 1}/{runs}: {run.seconds:.3f} s, {run.peak_mb:.0f} MB", file=sys.stderr)
            if case.after:
                case.after(i, run)
    return results


def jsonschema_batches(root: Path, files: Sequence[str]) -> list[Command]:
    """check-jsonschema commands over ``files``, in batches that fit on a command line."""
    head = [_jsonschema_program() or "check-jsonschema", "--schemafile", "schema/entry.schema.json"]
    budget = min(os.sysconf("SC_ARG_MAX"), 2**21) // 4
    batches: list[Command] = []
    size = budget + 1
    for name in files:
        if size + len(name) + 1 > budget:
            batches.append(list(head))
            size = sum(len(a) + 1 for a in head)
        batches[-1].append(name)
        size += len(name) + 1
    return batches


def _jsonschema_program() -> str | None:
    """check-jsonschema from this interpreter's environment (the ``bench`` extra), else from PATH."""
    return shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or shutil.which("check-jsonschema")


def folder_bytes(folder: Path) -> int:
    """The bytes of every file under ``folder`` (their apparent sizes); 0 when there is none."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def bench_size(n: int, args: argparse.Namespace, workdir: Path, env: dict[str, str], cache: Path) -> SizeRun:
    """Synthesise a list of ``n`` works and time every case on it; ``env`` names ``cache``,
    a folder of this size's own, as the result cache."""
    root = workdir / f"list-{n}"
    print(f"synthesising {n:,} works ...", file=sys.stderr)
    synth.write_list(root, n, args.seed, args.source)
    synth.fill_readme(root)
    entries = sorted(p.relative_to(root).as_posix() for p in root.glob("catalog/*/*.yaml"))
    check = [[*TOOL, "check"]]
    changed = root / entries[len(entries) // 2]
    forgotten = root / entries[len(entries) // 3]
    edited = root / entries[2 * len(entries) // 3]
    # the files broken in turns: a different one each run, none that another case edits
    spare = [root / e for e in entries if root / e not in (changed, forgotten, edited)]
    breakages = list(synth.BREAKAGES)
    size = SizeRun([])
    intact: dict[Path, str] = {}

    def revise(path: Path, i: int) -> None:
        path.write_text(synth.revise_summary(path.read_text(encoding="utf-8"), i + 1), encoding="utf-8")

    def change_one(i: int) -> None:
        revise(changed, i)
        run_once([[*TOOL, "generate"]], root, env)  # as a contributor does before committing

    def broken(i: int) -> Path:
        return spare[(len(spare) // 4 + i) % len(spare)]

    def break_one(i: int) -> None:  # a schema error and a YAML error in turns
        text = intact[broken(i)] = broken(i).read_text(encoding="utf-8")
        broken(i).write_text(synth.break_entry(text, breakages[i % len(breakages)]), encoding="utf-8")

    def compare_and_mend(i: int, run: Run) -> None:
        if run.code != 1:
            raise BenchError(f"check with one broken file exited {run.code}, not 1:\n{run.output[-2000:]}")
        if i == 0:  # once a size: what the cache answered, against the careful path on the same tree
            cold = run_once([[*TOOL, "check", "--no-cache"]], root, env, allow_failure=True)
            size.same_as_cold = (cold.code, cold.output) == (run.code, run.output)
            if not size.same_as_cold:
                diff = difflib.unified_diff(cold.output.splitlines(), run.output.splitlines(),
                                            "check --no-cache", "check", lineterm="")
                print(f"  {BROKEN}: not what a cold check reports:", *itertools.islice(diff, 40), sep="\n",
                      file=sys.stderr)
        # mended and checked (exit 0), as the contributor does next: the cache holds the
        # whole clean catalog again, so the next case's edit is the only one it meets
        broken(i).write_text(intact.pop(broken(i)), encoding="utf-8")
        run_once(check, root, env)

    cases = [
        Case(FLOOR, [[sys.executable, str(HERE / "floor.py")]]),
        Case(COLD, check, before=lambda _: shutil.rmtree(cache, ignore_errors=True)),
        Case(WARM, check),  # the cold run just before left the cache holding this very state
        # the contributor forgot `generate`: check reports the stale README with its diff (exit 1)
        Case(STALE, check, before=lambda i: revise(forgotten, i), allow_failure=True),
        Case(TOUCHED, check, before=change_one),  # after `generate`, which also brings the README up to date
        Case(BROKEN, check, before=break_one, after=compare_and_mend, allow_failure=True),
        Case(GENERATE_EDIT, [[*TOOL, "generate"]], before=lambda i: revise(edited, i)),
        Case(GENERATE, [[*TOOL, "generate"]]),
        Case(GENERATE_CHECK, [[*TOOL, "generate", "--check"]]),
    ]
    skipped = None
    if n > args.jsonschema_max:
        skipped = Result(JSONSCHEMA, note=f"skipped above {args.jsonschema_max:,} works (--jsonschema-max)")
    elif not _jsonschema_program():
        skipped = Result(JSONSCHEMA, note="not installed: pip install -e '.[bench]'")
    else:
        cases.append(Case(JSONSCHEMA, jsonschema_batches(root, entries)))
    results = measure(cases, root, env, args.runs)
    size.results = [*results, skipped] if skipped else results
    size.cache_bytes, size.catalog_bytes = folder_bytes(cache), folder_bytes(root / "catalog")
    return size


def bench_init(n: int, args: argparse.Namespace, workdir: Path, env: dict[str, str]) -> list[Result]:
    """``init --from`` on a synthetic Markdown list of ``n`` bullet items, and mistune
    parsing the same file once, each as a whole process, in turns."""
    source = workdir / "synthetic.md"
    source.write_text(synth.markdown_list(n, args.seed), encoding="utf-8")
    target = workdir / "adopted"

    def fresh(_: int) -> None:
        shutil.rmtree(target, ignore_errors=True)

    return measure([
        Case(MISTUNE, [[sys.executable, "-c", _MISTUNE, str(source)]]),
        Case(INIT, [[*TOOL, "init", str(target), "--from", str(source)]], before=fresh),
    ], workdir, env, args.runs)


def init_table(n: int, results: Sequence[Result]) -> list[str]:
    """The Markdown table of the init case."""
    by_case = {r.case: r for r in results}
    base = by_case[MISTUNE].median
    return [f"### init --from, {n:,} bullet items", "", "| case | seconds (median) | peak MB | / mistune |",
            "| --- | ---: | ---: | ---: |",
            *(f"| {r.case} | {_seconds(r.median)} | {r.peak_mb:.0f} | {_ratio(r.median / base)} |" for r in results)]


def startup(runs: int, env: dict[str, str]) -> list[Result]:
    """Start-up costs: bare Python, ``--version``, and ``check`` on the shipped catalog."""
    shipped = len(list(REPO.glob("catalog/*/*.yaml")))
    return measure([
        Case("python -c pass", [[sys.executable, "-c", "pass"]]),
        Case("awesome-catalog --version", [[*TOOL, "--version"]]),
        Case(f"check --no-cache, shipped catalog ({shipped} entries)", [[*TOOL, "check", "--no-cache"]],
             allow_failure=True),
    ], REPO, env, runs)


def heaviest_imports(command: Command, env: dict[str, str], top: int = 8) -> str:
    """The modules a command imports: how many, and the slowest top-level ones."""
    done = subprocess.run([sys.executable, "-X", "importtime", *command[1:]], cwd=REPO, env=env,
                          capture_output=True, text=True, check=False)
    rows = [line.split("|") for line in done.stderr.splitlines()
            if line.startswith("import time:") and "imported package" not in line]
    # "import time: self | cumulative | name", the name indented two spaces a level
    top_level = sorted((int(cumulative), name.strip()) for _, cumulative, name in rows if not name.startswith("  "))
    listed = ", ".join(f"{name} {us / 1000:.0f} ms" for us, name in reversed(top_level[-top:]))
    return f"{len(rows)} modules; slowest top-level imports: {listed}"


def profile_cold_check(root: Path, env: dict[str, str], clear_cache: Callable[[], None], top: int = 25) -> str:
    """The ``top`` functions by cumulative time of a cold ``check`` under cProfile."""
    clear_cache()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "check.prof"
        run_once([[sys.executable, "-m", "cProfile", "-o", str(out), "-m", "awesome_catalog", "check"]], root, env)
        text = io.StringIO()
        pstats.Stats(str(out), stream=text).strip_dirs().sort_stats("cumulative").print_stats(top)
    lines = [line.rstrip() for line in text.getvalue().splitlines() if str(out) not in line]  # no temporary path
    return "\n".join(lines).strip("\n")


def machine() -> list[tuple[str, str]]:
    """What the numbers were measured on; no host name, no paths."""
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    from awesome_catalog import __version__

    program = _jsonschema_program()
    jsonschema = subprocess.run([program, "--version"], capture_output=True, text=True) if program else None
    return [
        ("CPU", f"{cpu}, {os.cpu_count()} cores ({platform.machine()})"),
        ("memory", memory or "unknown"),
        ("system", f"{platform.system()} {platform.release()}"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("PyYAML", f"{yaml.__version__}, {'with' if getattr(yaml, '__with_libyaml__', False) else 'WITHOUT'} libyaml"),
        ("awesome-catalog", f"{__version__}, commit {_commit()}; its bytecode compiled before the runs"),
        ("check-jsonschema", jsonschema.stdout.strip().rsplit(" ", 1)[-1] if jsonschema else "not installed"),
    ]


def _commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"{commit} with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else commit


def _seconds(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _ratio(value: float) -> str:
    return f"{value:.2f}x" if value < 10 else f"{value:.0f}x"


def _megabytes(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 100_000 else f"{count / 1e3:.0f} kB"


_YES_NO = {True: "yes", False: "no", None: "not compared"}


def size_table(n: int, size: SizeRun) -> list[str]:
    """The Markdown table of one size, and what was found besides the times."""
    results = size.results
    by_case = {r.case: r for r in results}
    floor, cjs = by_case.get(FLOOR), by_case.get(JSONSCHEMA)
    lines = [f"### {n:,} works", "", "| case | seconds (median) | peak MB | / floor | / check-jsonschema |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for r in results:
        if not r.seconds:
            lines.append(f"| {r.case} | {r.note} | | | |")
            continue
        to_floor = _ratio(r.median / floor.median) if floor and floor.seconds else ""
        to_cjs = _ratio(r.median / cjs.median) if cjs and cjs.seconds else ""
        lines.append(f"| {r.case} | {_seconds(r.median)} | {r.peak_mb:.0f} | {to_floor} | {to_cjs} |")
    if BROKEN in by_case:
        lines += ["", f"- {BROKEN}: the same diagnostics as a cold check (`check --no-cache` on the same tree): "
                      f"{_YES_NO[size.same_as_cold]}"]
    if size.catalog_bytes:
        lines.append(f"- result cache on disk after the runs: {_megabytes(size.cache_bytes)}; the catalog: "
                     f"{_megabytes(size.catalog_bytes)} ({_ratio(size.cache_bytes / size.catalog_bytes)})")
    return lines


def growth_table(by_size: dict[int, SizeRun]) -> list[str]:
    """Seconds of each case at every size, and the growth from one size to the next."""
    sizes = sorted(by_size)
    if len(sizes) < 2:
        return []
    steps = list(itertools.pairwise(sizes))
    head = ["case", *(f"{n:,}" for n in sizes), *(f"{b:,} / {a:,}" for a, b in steps)]
    lines = ["### Growth (median seconds)", "", "| " + " | ".join(head) + " |",
             "| --- |" + " ---: |" * (len(head) - 1)]
    for case in [r.case for r in by_size[sizes[0]].results]:
        seconds = {n: next((r.median for r in by_size[n].results if r.case == case and r.seconds), None)
                   for n in sizes}
        cells = [_seconds(s) if s is not None else "-" for s in seconds.values()]
        for a, b in steps:
            sa, sb = seconds[a], seconds[b]
            cells.append(_ratio(sb / sa) if sa and sb else "-")
        lines.append(f"| {case} | " + " | ".join(cells) + " |")
    return lines


def targets(by_size: dict[int, SizeRun]) -> list[str]:
    """The targets of the performance issues, each met or not, at 10,000 works (and the
    growth from there to 100,000)."""
    size = by_size.get(TARGET_SIZE)
    at = {r.case: r for r in (size.results if size else []) if r.seconds}
    big = {r.case: r for r in (by_size[10 * TARGET_SIZE].results if 10 * TARGET_SIZE in by_size else [])
           if r.seconds}
    rows: list[tuple[str, str, bool | None]] = []

    def ratio(case: str, base: str) -> float | None:
        return at[case].median / at[base].median if case in at and base in at else None

    for case, limit in ((COLD, 2.0), (WARM, 0.15), (TOUCHED, 0.25), (STALE, 0.25), (BROKEN, 0.25),
                        (GENERATE_EDIT, 0.3)):
        value = ratio(case, FLOOR)
        rows.append((f"{case} within {limit}x the floor", _ratio(value) if value else "not measured",
                     None if value is None else value <= limit))
    same = size.same_as_cold if size and BROKEN in at else None
    rows.append((f"{BROKEN}: the same diagnostics as a cold check", _YES_NO[same], same))
    value = ratio(JSONSCHEMA, COLD)
    rows.append(("check, cold at least 10x faster than check-jsonschema",
                 f"{_ratio(value)} faster" if value else "not measured", None if value is None else value >= 10))
    ours = [r for r in at.values() if r.case not in (FLOOR, JSONSCHEMA)]
    for name, peak in (("peak memory under 150 MB", max((r.peak_mb for r in ours), default=None)),
                       (f"{COLD}: peak memory under 150 MB", at[COLD].peak_mb if COLD in at else None)):
        rows.append((name, f"{peak:.0f} MB" if peak else "not measured", None if peak is None else peak < 150))
    if size and size.catalog_bytes:
        rows.append(("cache on disk at most 2x the catalog", f"{_megabytes(size.cache_bytes)} for "
                     f"{_megabytes(size.catalog_bytes)} ({_ratio(size.cache_bytes / size.catalog_bytes)})",
                     size.cache_bytes <= 2 * size.catalog_bytes))
    else:
        rows.append(("cache on disk at most 2x the catalog", "not measured", None))
    for case, limit, strict in ((COLD, 11, False), (STALE, 3, True), (BROKEN, 3, True), (GENERATE_EDIT, 3, True)):
        grow = big[case].median / at[case].median if case in big and case in at else None
        rows.append((f"{case}: 100,000 works cost {'less than' if strict else 'at most'} {limit}x 10,000",
                     _ratio(grow) if grow else "not measured",
                     None if grow is None else grow < limit if strict else grow <= limit))
    verdict = {True: "met", False: "**not met**", None: "-"}
    return [f"### Targets at {TARGET_SIZE:,} works", "", "| target | measured | |", "| --- | ---: | --- |",
            *(f"| {name} | {shown} | {verdict[ok]} |" for name, shown, ok in rows)]


def report(machine_rows: Sequence[tuple[str, str]], runs: int, by_size: dict[int, SizeRun],
           start: Sequence[Result], imports: Sequence[tuple[str, str]], profile: str | None,
           init: tuple[int, list[Result]] | None = None) -> str:
    """The whole Markdown report of one benchmark run."""
    lines = [f"# awesome-catalog benchmark, {datetime.date.today().isoformat()}", "",
             *(f"- {key}: {value}" for key, value in machine_rows), "",
             f"Whole-process wall time, median of {runs} runs; peak memory is the largest maximum resident set "
             "size of a run. Cold means no result cache; the operating system's file cache is warm in every case. "
             "Before each run of a one-file case one entry file is edited, untimed: its summary rewritten (and, for "
             f"`{TOUCHED}`, `generate` run, as a contributor does before committing), or, for `{BROKEN}`, its "
             "`url:` line removed or its title opening a `[` never closed, in turns, a different entry each run; "
             "that entry is mended and checked again after the run, untimed, so the next case starts from a "
             "clean list and a cache that holds it.", ""]
    for n in sorted(by_size):
        lines += [*size_table(n, by_size[n]), ""]
    growth = growth_table(by_size)
    lines += [*growth, ""] if growth else []
    lines += [*targets(by_size), ""] if by_size else []
    if init:
        lines += [*init_table(*init), ""]
    if start:
        bare = start[0].median
        lines += ["### Start-up", "", "| command | seconds (median) | over bare Python | peak MB |",
                  "| --- | ---: | ---: | ---: |"]
        for r in start:
            case = f"{r.case} ({r.note})" if r.note else r.case
            lines.append(f"| {case} | {_seconds(r.median)} | {(r.median - bare) * 1000:+.0f} ms | {r.peak_mb:.0f} |")
        lines += ["", *(f"- `{name}`: {summary}" for name, summary in imports), ""]
    if profile:
        lines += [f"### Profile of a cold `check` at {TARGET_SIZE:,} works (cProfile, top by cumulative time)", "",
                  "```", profile, "```", ""]
    return "\n".join(lines)


def result_name(today: datetime.date) -> str:
    """``<date>-<cores>cpu-<arch>-py<version>.md``: the machine's kind, never its name."""
    python = f"py{sys.version_info[0]}.{sys.version_info[1]}"
    return f"{today.isoformat()}-{os.cpu_count()}cpu-{platform.machine()}-{python}.md"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.py", description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default=",".join(str(n) for n in DEFAULT_SIZES),
                        help="comma-separated numbers of works (default: 1000,10000,100000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case; the median is reported (default 5)")
    parser.add_argument("--out", type=Path, default=HERE / "results", help="folder for the saved report")
    parser.add_argument("--jsonschema-max", type=int, default=10_000,
                        help="skip check-jsonschema above this many works (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic lists (default 0)")
    parser.add_argument("--source", type=Path, default=REPO,
                        help="the list whose taxonomy, vocabulary and schemas are copied (default: this repository)")
    parser.add_argument("--no-profile", action="store_true", help="do not profile a cold check at 10,000 works")
    parser.add_argument("--keep", action="store_true", help="keep the synthetic lists and print where they are")
    parser.add_argument("--cases", default=",".join(CASE_GROUPS),
                        help="which cases to run: check, init, or both (default: check,init)")
    parser.add_argument("--init-items", type=int, default=10_000,
                        help="bullet items of the synthetic Markdown list of the init case (default 10000)")
    args = parser.parse_args(argv)
    args.cases = {c.strip() for c in args.cases.split(",") if c.strip()}
    if not args.cases or not args.cases <= set(CASE_GROUPS):
        parser.error(f"--cases takes {' and '.join(CASE_GROUPS)}, separated by commas")
    if args.init_items < 1:
        parser.error("--init-items must be positive")
    try:
        args.sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error("--sizes takes numbers separated by commas, e.g. 1000,10000")
    if not args.sizes or min(args.sizes) < 1 or args.runs < 1:
        parser.error("--sizes and --runs must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the report and save it under ``--out``."""
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="awesome-catalog-bench-"))
    import awesome_catalog
    from awesome_catalog.load.cache import CACHE_ENV

    # The tool's bytecode, as an installed package has it and as any run writes it, unless
    # PYTHONDONTWRITEBYTECODE forbids it (some containers set it): else every run would
    # compile its modules again, a cost no installed tool pays.
    compileall.compile_dir(Path(awesome_catalog.__file__).parent, quiet=1)
    # nothing goes to the user's own caches; each size has a result cache of its own, measured after its runs
    env = {**os.environ, CACHE_ENV: str(workdir / "cache"), "XDG_CACHE_HOME": str(workdir / "xdg-cache")}
    try:
        by_size: dict[int, SizeRun] = {}
        profile = None
        start: list[Result] = []
        imports: list[tuple[str, str]] = []
        init = None
        if "check" in args.cases:
            for n in args.sizes:
                cache = workdir / f"cache-{n}"
                size_env = {**env, CACHE_ENV: str(cache)}
                by_size[n] = bench_size(n, args, workdir, size_env, cache)
                if n == TARGET_SIZE and not args.no_profile:
                    profile = profile_cold_check(workdir / f"list-{n}", size_env,
                                                 functools.partial(shutil.rmtree, cache, ignore_errors=True))
                if not args.keep:
                    shutil.rmtree(workdir / f"list-{n}", ignore_errors=True)
                    shutil.rmtree(cache, ignore_errors=True)
        if "init" in args.cases:
            print(f"init --from on {args.init_items:,} bullet items ...", file=sys.stderr)
            init = (args.init_items, bench_init(args.init_items, args, workdir, env))
        if "check" in args.cases:
            start = startup(args.runs, env)
            imports = [(" ".join(["awesome-catalog", *c[3:]]), heaviest_imports(c, env)) for c in
                       ([*TOOL, "--version"], [*TOOL, "check", "--no-cache"])]
    except BenchError as err:
        print(f"bench: {err}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"bench: the synthetic lists are in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    text = report(machine(), args.runs, by_size, start, imports, profile, init)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    saved = args.out / result_name(datetime.date.today())
    fd, tmp = tempfile.mkstemp(dir=args.out, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, saved)
    print(f"bench: saved {saved}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
