"""Synthesise a valid awesome list of any size, for the benchmark.

``entry_files(n, seed, taxonomy, vocabulary)`` is a pure function: the same arguments
give the same files, byte for byte. The works are varied (titles, authors, venues,
links, one to five appearances in different sections, terms with and without a
detail) and unique where the checker wants them unique (ids, titles, URLs, arXiv ids,
summaries). ``write_list`` writes a whole list repository around them: the taxonomy,
vocabulary and schemas copied from a source list, the entries, and a README whose
generated regions ``fill_readme`` fills with ``awesome-catalog generate``.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ENTRY_HEADER = "# yaml-language-server: $schema=../../schema/entry.schema.json\n"
TOOL_SHARE = 0.03
APPEARANCE_WEIGHTS = (40, 30, 15, 10, 5)  # how often a work appears in 1, 2, 3, 4 or 5 sections

ADJECTIVES = (
    "Sparse", "Linear", "Causal", "Monosemantic", "Polysemantic", "Interpretable", "Emergent",
    "Compositional", "Automated", "Scalable", "Faithful", "Universal", "Hierarchical", "Latent",
    "Contextual", "Mechanistic", "Robust", "Distributed", "Low-Rank", "Multilingual", "Geometric",
    "Temporal", "Modular", "Shared", "Hidden", "Abstract", "Safety-Relevant", "Factual", "Syntactic",
    "Positional",
)
OBJECTS = (
    "Features", "Circuits", "Representations", "Attention Heads", "Neurons", "Directions", "Subspaces",
    "Mechanisms", "Algorithms", "Concepts", "Dictionaries", "Superposition", "Induction Heads",
    "Residual Streams", "MLP Layers", "Embeddings", "Feature Geometry", "World Models", "Truth Directions",
    "Refusal Directions", "Copy Suppression", "Memorisation", "Knowledge Neurons", "Value Vectors",
    "Latent Variables",
)
MODELS = (
    "Language Models", "Small Transformers", "GPT-2 Small", "Pythia Models", "Llama 2", "Gemma 2",
    "Vision Transformers", "Chess-Playing Transformers", "Toy Models", "Instruction-Tuned Models",
    "Multilingual Models", "Code Models", "Reward Models", "Othello-GPT", "Mixture-of-Experts Models",
)
TASKS = (
    "Arithmetic", "Factual Recall", "In-Context Learning", "Indirect Object Identification", "Negation",
    "Multi-Step Reasoning", "Syntax", "Translation", "Refusal", "Deception", "Sycophancy",
    "Entity Tracking", "Greater-Than Comparison", "Modular Addition", "Code Completion", "Retrieval",
    "Gender Bias", "Hallucination", "Planning", "Variable Binding",
)
METHODS = (
    "Activation Patching", "Sparse Autoencoders", "Linear Probes", "Attribution Graphs", "Path Patching",
    "Causal Scrubbing", "Steering Vectors", "Transcoders", "the Logit Lens", "Crosscoders",
    "Distributed Alignment Search", "Ablation Studies", "Gradient Attribution", "Representation Engineering",
    "Automated Interpretability",
)
GERUNDS = (
    "Finding", "Tracing", "Explaining", "Editing", "Steering", "Decomposing", "Localizing", "Measuring",
    "Evaluating", "Disentangling", "Probing", "Ablating", "Discovering", "Comparing", "Scaling",
)
STUDIES = ("Case Study", "Mechanistic Study", "Causal Analysis", "Systematic Evaluation", "Survey", "Replication")
TITLE_TEMPLATES = (
    "{gerund} {adj} {obj} in {model}",
    "{adj} {obj} for {task} in {model}",
    "{adj} {obj} of {task}, as Seen Through {method}",
    "How Do {model} Perform {task}? {gerund} the {adj} {obj}",
    "{task} in {model}: A {study} of {adj} {obj}",
    "Do {model} Use {adj} {obj} for {task}?",
    "Towards {adj} {obj}: {gerund} {model} with {method}",
)
TOOL_HEADS = ("Circuit", "Feature", "Neuron", "Probe", "Patch", "Atlas", "Trace", "Graph", "Dict", "Steer",
              "Attn", "Logit", "Sparse", "Head", "Lens")
TOOL_TAILS = ("Lens", "Kit", "Scope", "Viz", "Bench", "Tracer", "Lab", "Forge", "Board", "Explorer", "Hub", "Py")
TOOL_TEMPLATES = ("{head}{tail}", "{head}{tail}: {adj} {obj} Explorer for {model}")

OPENERS = ("Finds", "Traces", "Localises", "Measures", "Identifies", "Decomposes", "Compares", "Edits",
           "Steers", "Characterises", "Maps", "Explains")
DATASETS = ("the Pile", "OpenWebText", "synthetic prompts", "IOI prompts", "a factual-recall set", "TinyStories",
            "code from public repositories", "chess games", "Wikipedia", "multilingual Wikipedia",
            "arithmetic problems", "exam questions", "jailbreak prompts", "a curated set of prompts", "dialogue data")
FINDINGS = ("account for most of the behaviour", "are shared across layers", "transfer to larger models",
            "form a small circuit of a few heads", "emerge abruptly during training", "are linearly decodable",
            "can be ablated with little loss", "compose into a readable algorithm", "are reused across tasks",
            "depend on the position of the token", "are suppressed by later layers", "survive fine-tuning",
            "predict the model's errors", "split into finer features at larger dictionary sizes",
            "are causally necessary but not sufficient")
QUALIFIERS = ("with {pct}% of the effect recovered", "across {k} model sizes", "after {k} thousand training steps",
              "in {k} of the layers studied", "on {pct}% of held-out prompts", "for {k} languages")
EXTRAS = ("", " The code and the trained dictionaries are released.", " A simple baseline matches the method.",
          " The results hold for two other model families.", " Negative results are reported in full.")
DETAILS = ("knowledge editing", "lm generation steering", "unlearning", "bias mitigation", "jailbreak detection",
           "model diffing", "cross-layer", "attention outputs", "residual stream", "toy models")
GIVEN = ("Ada", "Bilal", "Chen", "Dana", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jonas", "Kavya", "Lars",
         "Mina", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor", "Wen", "Yara", "Zoe")
FAMILY = ("Abe", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ivanova", "Jensen",
          "Kim", "Lopez", "Moreau", "Nakamura", "Okafor", "Petrov", "Quist", "Rossi", "Singh", "Tanaka",
          "Ueda", "Varga", "Weber", "Xu", "Yilmaz", "Zhang")
VENUES = ("ICLR", "NeurIPS", "ICML", "ACL", "EMNLP", "NAACL", "COLM", "TMLR", "BlackboxNLP Workshop")
BLOG_HOSTS = ("transformer-circuits.pub", "www.lesswrong.com", "www.alignmentforum.org", "distill.pub")


@dataclass(frozen=True)
class Work:
    """One synthetic entry: where it goes and what it holds."""

    folder: str
    id: str
    data: Mapping[str, Any]

    @property
    def path(self) -> str:
        return f"catalog/{self.folder}/{self.id}.yaml"


def entry_files(n: int, seed: int, taxonomy: Mapping[str, Any],
                vocabulary: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """The ``n`` entry files of the synthetic list as (path, text), in a fixed order."""
    for work in works(n, seed, taxonomy, vocabulary):
        yield work.path, render(work.data)


def works(n: int, seed: int, taxonomy: Mapping[str, Any], vocabulary: Mapping[str, Any]) -> Iterator[Work]:
    """``n`` valid, unique works for a list with this taxonomy and vocabulary.

    The first works take the ids that the vocabulary's ``introduced_by`` names, and the
    first appearances cover every section that has a table, so no rule is left unmet.
    """
    rng = random.Random(seed)
    leaves = [s for s in _walk(taxonomy["sections"]) if s.get("columns")]
    reserved = sorted({t["introduced_by"] for kind in ("techniques", "evaluation")
                       for t in vocabulary.get(kind, ()) if t.get("introduced_by")})
    if n < len(reserved):
        raise ValueError(f"the vocabulary names {len(reserved)} entries in introduced_by; n must be at least that")
    terms = {kind: [t["id"] for t in vocabulary.get(kind, ())] for kind in ("techniques", "evaluation")}
    unique = _Unique()
    for entry_id in reserved:
        unique.claim(f"id:{entry_id}")
    tool_sections = [s for s in leaves if s["id"] == "tools"]
    paper_sections = [s for s in leaves if s["id"] != "tools"] or leaves
    arxiv_numbers = rng.sample(range(100, 99_999), k=min(n, 99_899))
    for i in range(n):
        first = leaves[i] if i < len(leaves) else None
        is_tool = first in tool_sections if first else bool(tool_sections) and rng.random() < TOOL_SHARE
        title = unique.draw(rng, _tool_title if is_tool else _paper_title, _title_key)
        entry_id = reserved[i] if i < len(reserved) else unique.claim_id(_slug(title))
        sections = _choose_sections(rng, tool_sections if is_tool else paper_sections, first)
        folder = "tools" if is_tool else "papers"
        data = _work_data(rng, i, entry_id, title, folder, arxiv_numbers, unique)
        data["sections"] = [_appearance(rng, s, terms, unique) for s in sections]
        yield Work(folder, entry_id, data)


def render(data: Mapping[str, Any]) -> str:
    """An entry file as a person writes one: fields in the usual order, folded summaries."""
    lines = [ENTRY_HEADER.rstrip("\n")]
    for key in ("title", "url", "kind", "year", "venue", "arxiv"):
        if key in data:
            lines.append(f"{key}: {_scalar(data[key])}")
    if "authors" in data:
        lines.append(f"authors: [{', '.join(_scalar(a) for a in data['authors'])}]")
    if "links" in data:
        lines.append("links:")
        lines += [f"  {k}: {_scalar(v)}" for k, v in data["links"].items()]
    lines.append("sections:")
    for app in data["sections"]:
        lines.append(f"  - section: {app['section']}")
        for kind in ("techniques", "evaluation"):
            if kind in app:
                lines.append(f"    {kind}: [{', '.join(_term(t) for t in app[kind])}]")
        lines.append("    summary: >-")
        lines += [f"      {line}" for line in _wrap(app["summary"])]
    return "\n".join(lines) + "\n"


def write_list(dest: Path, n: int, seed: int, source: Path) -> int:
    """Write a synthetic list of ``n`` works into ``dest``; returns the number of files.

    ``source`` is a list repository whose settings, taxonomy, vocabulary and schemas are copied.
    The README gets the generated regions' markers, empty: run ``fill_readme`` next.
    """
    catalog = dest / "catalog"
    catalog.mkdir(parents=True, exist_ok=True)
    texts = {name: (source / "catalog" / name).read_text(encoding="utf-8")
             for name in ("list.yaml", "taxonomy.yaml", "vocabulary.yaml")}
    for name, text in texts.items():
        (catalog / name).write_text(text, encoding="utf-8")
    shutil.copytree(source / "schema", dest / "schema", dirs_exist_ok=True)
    taxonomy, vocabulary = (yaml.safe_load(texts[name]) for name in ("taxonomy.yaml", "vocabulary.yaml"))
    count = 0
    for rel, text in entry_files(n, seed, taxonomy, vocabulary):
        path = dest / rel
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        count += 1
    (dest / "README.md").write_text(readme_skeleton(n), encoding="utf-8")
    return count


def readme_skeleton(n: int) -> str:
    """A README with every generated region's markers and nothing between them.

    The region names (``render.REGIONS``) and the marker format (``regions.marker``) are
    the tool's own, read at run time, so the benchmark follows the tool.
    """
    from awesome_catalog.readme import regions, render

    markers = "\n\n".join(f"{regions.marker('begin', name)}\n{regions.marker('end', name)}" for name in render.REGIONS)
    return f"# Synthetic list\n\nA synthetic list of {n:,} works, written by benchmarks/synth.py.\n\n{markers}\n"


def fill_readme(dest: Path) -> None:
    """Fill the README's generated regions with ``awesome-catalog generate``."""
    done = subprocess.run([sys.executable, "-m", "awesome_catalog", "--root", str(dest), "generate"],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"awesome-catalog generate failed ({done.returncode}): {done.stderr or done.stdout}")


def revise_summary(text: str, revision: int) -> str:
    """An entry file's text with its first summary changed, still valid and unique."""
    marker = "    summary: >-\n"
    start = text.index(marker) + len(marker)
    end = start
    while text.startswith("      ", end):
        end = text.index("\n", end) + 1
    old = " ".join(line.strip() for line in text[start:end].splitlines())
    old = re.sub(r" It was revised \d+ times\.$", "", old)
    new = f"{old} It was revised {revision} times."
    return text[:start] + "".join(f"      {line}\n" for line in _wrap(new)) + text[end:]


BREAKAGES = {"schema": (r"(?m)^url: .*\n", ""), "yaml": (r"(?m)^title: ", "title: [")}
"""The mistakes ``break_entry`` makes, by name: (pattern, replacement) of the first match."""


def break_entry(text: str, kind: str) -> str:
    """An entry file's text with one mistake a contributor makes: ``schema``, its ``url:``
    line removed (a required key missing); ``yaml``, its title opening a flow sequence
    that is never closed (a syntax error)."""
    if kind not in BREAKAGES:
        raise ValueError(f"unknown breakage {kind!r}: one of {', '.join(BREAKAGES)}")
    broken, count = re.subn(*BREAKAGES[kind], text, count=1)
    if not count:
        raise ValueError(f"no place for a {kind} error in this entry")
    return broken


def _wrap(text: str) -> list[str]:
    """Lines of a folded scalar: broken at spaces only, so folding gives the text back."""
    return textwrap.wrap(text, 96, break_on_hyphens=False, break_long_words=False)


class _Unique:
    """The keys already used, so that every title, id, URL and summary is drawn once."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def draw(self, rng: random.Random, make: Callable[[random.Random], str], key: Callable[[str], str]) -> str:
        while True:
            value = make(rng)
            if self.claim(key(value)):
                return value

    def claim(self, key: str) -> bool:
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def claim_id(self, base: str) -> str:
        candidate, k = base, 1
        while not self.claim(f"id:{candidate}"):
            k += 1
            candidate = f"{base}-{k}"
        return candidate


def _walk(sections: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    for section in sections:
        yield section
        yield from _walk(section.get("children", ()))


def _title_key(title: str) -> str:
    return "title:" + re.sub(r"[\W_]+", " ", title.casefold()).strip()


def _summary_key(summary: str) -> str:
    return "summary:" + " ".join(summary.casefold().split())


def _slug(title: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", title.lower()).split()
    return "-".join(words[:7])


def _paper_title(rng: random.Random) -> str:
    return rng.choice(TITLE_TEMPLATES).format(
        gerund=rng.choice(GERUNDS), adj=rng.choice(ADJECTIVES), obj=rng.choice(OBJECTS), model=rng.choice(MODELS),
        task=rng.choice(TASKS), method=rng.choice(METHODS), study=rng.choice(STUDIES))


def _tool_title(rng: random.Random) -> str:
    return rng.choice(TOOL_TEMPLATES).format(head=rng.choice(TOOL_HEADS), tail=rng.choice(TOOL_TAILS),
                                             adj=rng.choice(ADJECTIVES), obj=rng.choice(OBJECTS),
                                             model=rng.choice(MODELS))


def _summary(rng: random.Random) -> str:
    qualifier = rng.choice(QUALIFIERS).format(pct=rng.randint(40, 99), k=rng.randint(2, 12))
    return (f"{rng.choice(OPENERS)} {_lower(rng.choice(ADJECTIVES))} {_lower(rng.choice(OBJECTS))} in "
            f"{rng.choice(MODELS)} by {_lower(rng.choice(METHODS))} on {rng.choice(DATASETS)}; "
            f"they {rng.choice(FINDINGS)}, {qualifier}.{rng.choice(EXTRAS)}")


def _lower(text: str) -> str:
    """Title case to running text, keeping acronyms such as MLP."""
    return " ".join(w if sum(c.isupper() for c in w) > 1 else w.lower() for w in text.split())


def _choose_sections(rng: random.Random, pool: list[Mapping[str, Any]],
                     first: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    """One to five different sections of ``pool``, starting with ``first`` when given."""
    count = rng.choices(range(1, len(APPEARANCE_WEIGHTS) + 1), weights=APPEARANCE_WEIGHTS)[0]
    chosen = [first] if first is not None else []
    others = [s for s in pool if s not in chosen]
    return chosen + rng.sample(others, k=min(len(others), count - len(chosen)))


def _work_data(rng: random.Random, i: int, entry_id: str, title: str, folder: str, arxiv_numbers: list[int],
               unique: _Unique) -> dict[str, Any]:
    year = rng.randint(2016, 2025)
    data: dict[str, Any] = {"title": title}
    authors = [f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}" for _ in range(rng.randint(1, 8))]
    if folder == "tools":
        data["url"] = f"https://github.com/{rng.choice(FAMILY).lower()}-lab/{entry_id}"
        data["year"] = year
        if rng.random() < 0.5:
            data["links"] = {"docs": f"https://{entry_id}.readthedocs.io/"}
        return data
    kind = rng.choices(("paper", "blog", "report"), weights=(80, 15, 5))[0]
    if kind == "paper" and i < len(arxiv_numbers):
        arxiv = f"{year % 100:02d}{rng.randint(1, 12):02d}.{arxiv_numbers[i]:05d}"
        data["url"] = f"https://arxiv.org/abs/{arxiv}"
        data["year"] = year
        if rng.random() < 0.6:
            data["venue"] = f"{rng.choice(VENUES)} {year + rng.randint(0, 1)}"
        data["arxiv"] = arxiv
    else:
        data["url"] = f"https://{rng.choice(BLOG_HOSTS)}/{year}/{entry_id}"
        if kind != "paper":
            data["kind"] = kind
        data["year"] = year
    data["authors"] = authors
    links: dict[str, str] = {}
    if rng.random() < 0.3:
        links["code"] = f"https://github.com/{rng.choice(FAMILY).lower()}-lab/{entry_id}"
    if rng.random() < 0.15:
        token = unique.draw(rng, lambda r: "".join(r.choices("abcdefghijkLMNOPQRSTxyz0123456789", k=10)),
                            lambda t: f"openreview:{t}")
        links["openreview"] = f"https://openreview.net/forum?id={token}"
    if links:
        data["links"] = links
    return data


def _appearance(rng: random.Random, section: Mapping[str, Any], terms: Mapping[str, list[str]],
                unique: _Unique) -> dict[str, Any]:
    app: dict[str, Any] = {"section": section["id"]}
    for kind in ("techniques", "evaluation"):
        if kind in section["columns"]:
            ids = rng.sample(terms[kind], k=min(len(terms[kind]), rng.choice((0, 1, 1, 2, 2, 3))))
            app[kind] = [{"term": t, "detail": rng.choice(DETAILS)} if t == "extrinsic" or rng.random() < 0.05 else t
                         for t in ids]
    app["summary"] = unique.draw(rng, _summary, _summary_key)
    return app


def _term(term: str | Mapping[str, str]) -> str:
    return term if isinstance(term, str) else f"{{term: {term['term']}, detail: {term['detail']}}}"


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 .()?'/:=_~-]*")
_NOT_TEXT = re.compile(r"(?i:y|n|yes|no|true|false|on|off|null)")


def _scalar(value: Any) -> str:
    """A YAML scalar: plain when it reads back as the same string, else double-quoted."""
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and ": " not in text and not text.endswith(":") and not _NOT_TEXT.fullmatch(text):
        return text
    return json.dumps(text, ensure_ascii=False)


MARKDOWN_SECTIONS = 40
LICENCES = ("MIT", "Apache-2.0", "GPL-3.0", "BSD-3-Clause", "MPL-2.0", "AGPL-3.0")
LANGUAGES = ("Python", "Go", "Rust", "JavaScript", "C", "Java", "Ruby")


def markdown_list(n: int, seed: int) -> str:
    """A hand-written-looking awesome list of ``n`` bullet items, for ``init --from``: a
    title and introduction, a contents list, ``MARKDOWN_SECTIONS`` sections of
    ``- [Name](url) - Description. `Licence` `Language```, each sorted by name, and a
    Contributing section. A pure function of ``n`` and ``seed``."""
    rng = random.Random(seed)
    headings = [f"{ADJECTIVES[k % len(ADJECTIVES)]} {OBJECTS[k // len(ADJECTIVES) % len(OBJECTS)]} {k + 1}"
                for k in range(MARKDOWN_SECTIONS)]
    items: list[list[tuple[str, str]]] = [[] for _ in headings]
    for i in range(n):
        name = f"{rng.choice(TOOL_HEADS)}{rng.choice(TOOL_TAILS)} {i + 1}"
        line = (f"- [{name}](https://example.org/{_slug(name)}) - {_summary(rng)} "
                f"`{rng.choice(LICENCES)}` `{rng.choice(LANGUAGES)}`\n")
        items[i % len(headings)].append((name.casefold(), line))
    parts = [f"# Awesome Synthetic [![Awesome](https://awesome.re/badge.svg)](https://awesome.re)\n\n"
             f"> A synthetic list of {n:,} items, written by benchmarks/synth.py.\n\n## Contents\n\n",
             *(f"- [{h}](#{_slug(h)})\n" for h in headings), "\n"]
    for heading, section in zip(headings, items, strict=True):
        parts += [f"## {heading}\n\n", *(line for _, line in sorted(section)), "\n"]
    parts.append("## Contributing\n\nRead the [contribution guidelines](CONTRIBUTING.md) first.\n")
    return "".join(parts)
