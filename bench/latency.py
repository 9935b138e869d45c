"""In-process query latency: analyzer + BM25 + encoder + FAISS + fusion + answers.

Usage (after `policy-qa build`):

    .venv/bin/python bench/latency.py [--index var/index] [--rounds 3]

Runs every question of the public set through ``Searcher.search`` (k=5) after a warm-up and
prints the median, 90th and 99th percentile, and the share spent encoding the query.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from cli.main import open_searcher
from qa.evaluation import load_questions


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("var/index"))
    parser.add_argument("--cache", type=Path, default=Path("var/cache"))
    parser.add_argument("--questions", type=Path, default=Path("qa/eval/public.jsonl"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    searcher = open_searcher(args.index, args.cache, None)
    questions = [q.question for q in load_questions(args.questions)]
    for question in questions[:10]:  # warm-up: jieba, FAISS, the encoder's first calls
        searcher.search(question, None, 5)
    totals, encodings = [], []
    first_round: list[float] = []
    for round_number in range(args.rounds):
        for question in questions:
            start = time.perf_counter()
            searcher.search(question, None, 5)
            totals.append(time.perf_counter() - start)
            if round_number == 0:
                first_round.append(totals[-1] * 1000)
    for question in questions:  # separately, so that neither measurement warms the other
        start = time.perf_counter()
        searcher.index.encoder.encode_queries([question + "？"])
        encodings.append(time.perf_counter() - start)
    ms = [t * 1000 for t in totals]
    print(f"{len(ms)} searches ({len(questions)} questions × {args.rounds} rounds), k=5, "
          f"encoder {searcher.index.encoder.name}")
    print(f"search latency ms: median {statistics.median(ms):.1f}  p90 {percentile(ms, 0.9):.1f}  "
          f"p99 {percentile(ms, 0.99):.1f}  max {max(ms):.1f}")
    print(f"first round only (sentence-token cache cold): median {statistics.median(first_round):.1f}  "
          f"p99 {percentile(first_round, 0.99):.1f}")
    print(f"query encoding alone ms: median {statistics.median(encodings) * 1000:.1f}")
    long_query = "养老托育" * 125  # 500 characters, the documented limit
    start = time.perf_counter()
    searcher.search(long_query, None, 5)
    print(f"a 500-character query: {(time.perf_counter() - start) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
