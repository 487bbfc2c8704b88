"""The benchmark's synthetic lists and harness, at a tiny size (no timing is asserted).

A synthetic list must pass ``awesome-catalog check``, or the benchmark times the
reporting of errors instead of a check; it must be the same for the same seed, or two
runs of the benchmark measure different lists.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from awesome_catalog.core.project import Project

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import bench
import synth


def _tool(root: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWESOME_CATALOG_CACHE_DIR": str(tmp_path / "cache")}
    return subprocess.run([sys.executable, "-m", "awesome_catalog", *args], cwd=root, env=env,
                          capture_output=True, text=True, check=False)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _source_data(source: Project) -> tuple[dict[str, object], dict[str, object]]:
    return yaml.safe_load(source.taxonomy_file.read_text()), yaml.safe_load(source.vocabulary_file.read_text())


@pytest.mark.parametrize("seed", [0, 7])
def test_a_synthetic_list_passes_check_and_stays_valid_when_an_entry_is_revised(mini: Project, tmp_path: Path,
                                                                                  seed: int) -> None:
    root = tmp_path / "list"
    assert synth.write_list(root, 30, seed, mini.root) == 30
    synth.fill_readme(root)
    done = _tool(root, tmp_path, "check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "30 entries" in done.stdout

    entry = sorted(root.glob("catalog/papers/*.yaml"))[5]
    for revision in (1, 2):  # what the benchmark's one-file-changed case does before each run
        entry.write_text(synth.revise_summary(entry.read_text(), revision))
        synth.fill_readme(root)
        done = _tool(root, tmp_path, "check")
        assert done.returncode == 0, done.stdout + done.stderr
    summary = yaml.safe_load(entry.read_text())["sections"][0]["summary"]
    assert summary.endswith(" It was revised 2 times.") and "revised 1 times" not in summary


@pytest.mark.parametrize(("kind", "code"), [("schema", "E201"), ("yaml", "E102")])
def test_a_broken_entry_gives_one_error_whether_cached_or_not_and_mending_it_checks_clean(
        mini: Project, tmp_path: Path, kind: str, code: str) -> None:
    """What the benchmark's one-file-broken case does around each run."""
    root = tmp_path / "list"
    synth.write_list(root, 30, 0, mini.root)
    synth.fill_readme(root)
    assert _tool(root, tmp_path, "check").returncode == 0  # the cache now holds the clean list
    entry = sorted(root.glob("catalog/papers/*.yaml"))[9]
    intact = entry.read_text()
    entry.write_text(synth.break_entry(intact, kind))
    cached, cold = _tool(root, tmp_path, "check"), _tool(root, tmp_path, "check", "--no-cache")
    assert (cached.returncode, cached.stdout, cached.stderr) == (cold.returncode, cold.stdout, cold.stderr)
    assert cached.returncode == 1 and f" {code} " in cached.stdout and "1 error in 1 file" in cached.stdout
    entry.write_text(intact)
    done = _tool(root, tmp_path, "check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_unknown_breakage_or_one_with_no_place_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown breakage"):
        synth.break_entry("title: A\nurl: https://example.org/a\n", "typo")
    with pytest.raises(ValueError, match="no place"):
        synth.break_entry("title: A\n", "schema")


def test_the_same_seed_gives_the_same_bytes_and_another_seed_another_list(mini: Project, tmp_path: Path) -> None:
    trees = []
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        synth.write_list(tmp_path / name, 30, seed, mini.root)
        synth.fill_readme(tmp_path / name)
        trees.append(_tree(tmp_path / name))
    assert trees[0] == trees[1]
    entries = [{k: v for k, v in tree.items() if k.startswith("catalog/papers/")} for tree in trees]
    assert entries[0] != entries[2]


def test_every_entry_reads_back_as_the_data_it_was_built_from(mini: Project) -> None:
    taxonomy, vocabulary = _source_data(mini)
    works = list(synth.works(300, 1, taxonomy, vocabulary))
    assert [yaml.safe_load(synth.render(w.data)) for w in works] == [w.data for w in works]
    assert len({w.id for w in works}) == 300
    counts = {len(w.data["sections"]) for w in works}
    assert counts == {1, 2, 3}  # the mini taxonomy has three sections for papers


def test_too_few_works_for_the_vocabulary_is_refused(mini: Project) -> None:
    taxonomy, vocabulary = _source_data(mini)
    with pytest.raises(ValueError, match="introduced_by"):
        list(synth.works(0, 0, taxonomy, vocabulary))  # the mini vocabulary names one entry


@pytest.mark.parametrize("count", [1, 5_000, 100_000])
def test_check_jsonschema_batches_keep_every_file_once_in_order(tmp_path: Path, count: int) -> None:
    files = [f"catalog/papers/work-number-{i}.yaml" for i in range(count)]
    batches = bench.jsonschema_batches(tmp_path, files)
    assert [f for b in batches for f in b[3:]] == files
    assert all(b[1:3] == ["--schemafile", "schema/entry.schema.json"] for b in batches)
    assert max(sum(len(a) + 1 for a in b) for b in batches) <= min(os.sysconf("SC_ARG_MAX"), 2**21) // 4


def test_the_harness_runs_end_to_end_and_saves_a_report_without_paths(mini: Project, tmp_path: Path) -> None:
    out = tmp_path / "results"
    code = bench.main(["--sizes", "30", "--runs", "1", "--out", str(out), "--no-profile", "--source", str(mini.root)])
    assert code == 0
    (saved,) = out.iterdir()
    text = saved.read_text()
    for case in (bench.FLOOR, bench.COLD, bench.WARM, bench.STALE, bench.TOUCHED, bench.BROKEN, bench.GENERATE_EDIT,
                 bench.GENERATE, bench.GENERATE_CHECK, bench.JSONSCHEMA, "awesome-catalog --version"):
        assert f"| {case} |" in text
    # the broken entry was reported as a cold check reports it, and the cache and catalog were measured
    assert f"- {bench.BROKEN}: the same diagnostics as a cold check (`check --no-cache` on the same tree): yes" in text
    assert re.search(r"^- result cache on disk after the runs: \d+ kB; the catalog: \d+ kB \(\S+x\)$", text, re.M)
    assert "| cache on disk at most 2x the catalog | not measured | - |" in text  # only measured at 10,000
    assert str(tmp_path) not in text and str(bench.REPO) not in text
    assert not re.search(rf"\b{re.escape(os.uname().nodename)}\b", text)


def _size(seconds: dict[str, float], cache_bytes: int = 0, catalog_bytes: int = 0,
          same_as_cold: bool | None = None, peak_mb: float = 100) -> bench.SizeRun:
    results = [bench.Result(case, [value], [peak_mb]) for case, value in seconds.items()]
    return bench.SizeRun(results, cache_bytes, catalog_bytes, same_as_cold)


def _verdicts(lines: list[str]) -> dict[str, tuple[str, str]]:
    rows = [line.strip("|").split(" | ") for line in lines if line.startswith("| ") and "---" not in line]
    return {name.strip(): (shown.strip(), verdict.strip()) for name, shown, verdict in rows[1:]}


def test_the_targets_of_the_one_file_cases_the_cache_and_the_growth_are_judged() -> None:
    small = {bench.FLOOR: 1.0, bench.COLD: 1.8, bench.STALE: 0.2, bench.BROKEN: 0.3, bench.GENERATE_EDIT: 0.25}
    large = {bench.FLOOR: 10.0, bench.COLD: 18.0, bench.STALE: 0.5, bench.BROKEN: 0.95, bench.GENERATE_EDIT: 0.9}
    rows = _verdicts(bench.targets({10_000: _size(small, 3_000_000, 2_000_000, same_as_cold=False),
                                    100_000: _size(large)}))
    assert rows[f"{bench.STALE} within 0.25x the floor"] == ("0.20x", "met")
    assert rows[f"{bench.BROKEN} within 0.25x the floor"] == ("0.30x", "**not met**")
    assert rows[f"{bench.GENERATE_EDIT} within 0.3x the floor"] == ("0.25x", "met")
    assert rows[f"{bench.BROKEN}: the same diagnostics as a cold check"] == ("no", "**not met**")
    assert rows[f"{bench.COLD}: peak memory under 150 MB"] == ("100 MB", "met")
    assert rows["cache on disk at most 2x the catalog"] == ("3.0 MB for 2.0 MB (1.50x)", "met")
    assert rows[f"{bench.STALE}: 100,000 works cost less than 3x 10,000"] == ("2.50x", "met")
    assert rows[f"{bench.BROKEN}: 100,000 works cost less than 3x 10,000"] == ("3.17x", "**not met**")
    assert rows[f"{bench.GENERATE_EDIT}: 100,000 works cost less than 3x 10,000"] == ("3.60x", "**not met**")
    assert rows[f"{bench.COLD}: 100,000 works cost at most 11x 10,000"] == ("10x", "met")

    rows = _verdicts(bench.targets({10_000: _size(small, 5_000_000, 2_000_000, same_as_cold=True)}))
    assert rows["cache on disk at most 2x the catalog"] == ("5.0 MB for 2.0 MB (2.50x)", "**not met**")
    assert rows[f"{bench.BROKEN}: the same diagnostics as a cold check"] == ("yes", "met")
    assert rows[f"{bench.STALE}: 100,000 works cost less than 3x 10,000"] == ("not measured", "-")


def test_the_synthetic_markdown_list_is_adopted_whole(tmp_path: Path) -> None:
    """What the init case times: every item comes back, the list checks clean, and the
    same seed gives the same Markdown."""
    text = synth.markdown_list(120, 3)
    assert text == synth.markdown_list(120, 3) != synth.markdown_list(120, 4)
    (tmp_path / "list.md").write_text(text, encoding="utf-8")
    done = _tool(tmp_path, tmp_path, "init", "adopted", "--from", "list.md")
    assert done.returncode == 0, done.stderr
    assert "120 items -> 120 entries" in done.stdout and "0 problems" in done.stdout
    done = _tool(tmp_path / "adopted", tmp_path, "check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_init_case_runs_alone(tmp_path: Path) -> None:
    out = tmp_path / "results"
    assert bench.main(["--cases", "init", "--init-items", "60", "--runs", "1", "--out", str(out)]) == 0
    (saved,) = out.iterdir()
    text = saved.read_text()
    assert "### init --from, 60 bullet items" in text
    assert f"| {bench.INIT} |" in text and f"| {bench.MISTUNE} |" in text
    assert bench.COLD not in text and str(tmp_path) not in text


def test_unknown_cases_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        bench.parse_args(["--cases", "init,nothing"])
    assert "--cases takes check and init" in capsys.readouterr().err
