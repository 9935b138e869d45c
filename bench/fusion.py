"""Which fusion of BM25 and dense rankings works best on the public evaluation set.

Usage (after `policy-qa build`):

    .venv/bin/python bench/fusion.py [--index var/index] [--questions qa/eval/public.jsonl …] [--split dev]

Prints hit@1, hit@5, MRR@10, answer@1 of the hybrid search for each ranking choice, so that the
default in qa/search.py is a measured one. Choose on the dev split (``--split dev``, the
default); the test split is for reporting the choice, not for making it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.main import open_searcher
from qa.evaluation import Scores, load_questions, run_searcher
from qa.search import Ranking

CHOICES = {
    "rrf k=60": Ranking(method="rrf", bm25_weight=1.0, dense_weight=1.0),
    "rrf k=20": Ranking(method="rrf", rrf_k=20, bm25_weight=1.0, dense_weight=1.0),
    "rrf k=60 bm25×2": Ranking(method="rrf", bm25_weight=2.0, dense_weight=1.0),
    "rrf k=60 dense×2": Ranking(method="rrf", bm25_weight=1.0, dense_weight=2.0),
    "rrf k=60 boost 0.3": Ranking(method="rrf", bm25_weight=1.0, dense_weight=1.0, verbatim_boost=0.3),
    "convex 0.5/0.5": Ranking(method="convex", bm25_weight=0.5, dense_weight=0.5),
    "convex 0.6/0.4, fixed": Ranking(method="convex", bm25_weight=0.6, dense_weight=0.4,
                                     agreement=False),
    "convex 0.6/0.4 × agreement (default)": Ranking(),
    "convex 0.7/0.3 (RAGFlow)": Ranking(method="convex", bm25_weight=0.7, dense_weight=0.3),
    "convex 0.8/0.2": Ranking(method="convex", bm25_weight=0.8, dense_weight=0.2),
    "convex 0.4/0.6": Ranking(method="convex", bm25_weight=0.4, dense_weight=0.6),
    "convex 0.3/0.7": Ranking(method="convex", bm25_weight=0.3, dense_weight=0.7),
    "convex 0.5/0.5 boost 0.5": Ranking(method="convex", bm25_weight=0.5, dense_weight=0.5,
                                        verbatim_boost=0.5),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("var/index"))
    parser.add_argument("--cache", type=Path, default=Path("var/cache"))
    parser.add_argument("--questions", type=Path, nargs="+", default=[Path("qa/eval/public.jsonl")])
    parser.add_argument("--split", choices=["dev", "test", "all"], default="dev")
    args = parser.parse_args()
    searcher = open_searcher(args.index, args.cache, None)
    questions = [q for path in args.questions for q in load_questions(path)
                 if args.split == "all" or q.split == args.split]
    print(f"# {len(questions)} questions ({args.split} split) from {', '.join(map(str, args.questions))}")
    print(f"{'ranking':<30}{'hit@1':>8}{'hit@5':>8}{'mrr@10':>8}{'recall@10':>10}{'answer@1':>9}")
    for name, ranking in CHOICES.items():
        searcher.ranking = ranking
        scores = Scores()
        for question in questions:
            scores.add(question, run_searcher(searcher, question, "hybrid"))
        s = scores.summary()
        print(f"{name:<30}{s['hit@1']:>8.3f}{s['hit@5']:>8.3f}{s['mrr@10']:>8.3f}"
              f"{s['recall@10']:>10.3f}{s['answer@1']:>9.3f}")


if __name__ == "__main__":
    main()
