"""The evaluation harness: retrieval and answer quality per question kind, side by side.

``policy-qa eval FILE`` runs every question of a JSON-lines set through BM25 alone, dense alone,
the full hybrid, and the Chatchat-style baseline, and prints hit@1, hit@5, MRR@10, recall@10, recall@50
over all expected provisions, answer@1, jurisdiction and abstention accuracy, and the median
length of returned provisions, per kind and overall. With a compare set (``--compare``, by
default ``qa/eval/compare.jsonl`` beside the public set) it also scores comparisons: the share
of cells (one place's figure for one question) that hold the expected figure, or are empty
where the place sets none.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from corpus import Provision
from corpus.figures import UNIT_NAMES, Figure
from qa.baseline import ChatchatBaseline
from qa.compare import compare
from qa.search import Searcher

METRICS = ("hit@1", "hit@5", "mrr@10", "recall@10", "recall@50", "answer@1", "jurisdiction", "abstention",
           "median_chars")
DEPTH = 50  # hits asked for per question: recall@50 reads them all, every other metric the top 10
SYSTEMS = ("bm25", "dense", "hybrid", "chatchat")
SPLITS = ("dev", "test")
T = TypeVar("T")


@dataclass(frozen=True)
class Expected:
    """A provision that answers: by id, or (for documents added to a corpus, whose ids are
    generated) by the file it was added from and its label, resolved by :func:`resolve`."""

    provision: str
    contains: str
    file: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    question: str
    jurisdiction: str | None
    expected: tuple[Expected, ...]
    detected: tuple[str, ...]
    covered: bool
    split: str | None = None  # "dev" (tuned on) or "test" (only scored); see tools/split_eval.py


def _json_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The non-empty lines of a JSON-lines file, numbered from 1."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            yield number, line


def load_questions(path: Path) -> list[Question]:
    """Read a question set; every line is one JSON object (see qa/eval/README.md)."""
    questions = []
    for number, line in _json_lines(path):
        try:
            raw = json.loads(line)
            questions.append(Question(
                raw["id"], raw["kind"], raw["question"], raw.get("jurisdiction"),
                tuple(Expected(e.get("provision", ""), e["contains"], e.get("file"), e.get("label"))
                      for e in raw.get("expected", [])),
                tuple(raw.get("detected", [])), bool(raw.get("covered", True)), _split(raw)))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ValueError(f"{path}:{number}: not a question ({error})") from error
    return questions


def _split(raw: Mapping[str, object]) -> str | None:
    split = raw.get("split")
    if split is not None and split not in SPLITS:
        raise TypeError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")
    return None if split is None else str(split)


def by_split(items: Sequence[T]) -> dict[str, list[T]]:
    """The items of each split, test first; an empty dict when the set has no splits."""
    parts = {split: [item for item in items if getattr(item, "split", None) == split] for split in
             ("test", "dev")}
    return {split: members for split, members in parts.items() if members}


@dataclass
class Outcome:
    """One system's result for one question."""

    ranked: list[set[str]]  # per returned item, best first: the provision ids it stands for
    answer: str
    lengths: list[int]
    jurisdiction_ok: bool | None
    abstained: bool | None


@dataclass
class Scores:
    values: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def add(self, question: Question, outcome: Outcome) -> None:
        v = self.values
        v["median_chars"].extend(outcome.lengths)
        if outcome.jurisdiction_ok is not None:
            v["jurisdiction"].append(float(outcome.jurisdiction_ok))
        if not question.covered:
            v["abstention"].append(float(bool(outcome.abstained)))
            return
        if not question.expected:
            return
        wanted = {e.provision for e in question.expected}
        top = outcome.ranked[:10]
        first = next((i for i, ids in enumerate(top, 1) if ids & wanted), None)
        v["hit@1"].append(float(first == 1))
        v["hit@5"].append(float(first is not None and first <= 5))
        v["mrr@10"].append(1.0 / first if first else 0.0)
        found = set().union(*top) if top else set()
        v["recall@10"].append(len(wanted & found) / len(wanted))
        deep = set().union(*outcome.ranked[:DEPTH]) if outcome.ranked else set()
        v["recall@50"].append(len(wanted & deep) / len(wanted))
        answered = outcome.ranked[0] if outcome.ranked else set()
        v["answer@1"].append(float(any(
            e.provision in answered and _compact(e.contains) in _compact(outcome.answer)
            for e in question.expected)))

    def summary(self) -> dict[str, float | None]:
        result: dict[str, float | None] = {}
        for metric in METRICS:
            values = self.values.get(metric, [])
            if not values:
                result[metric] = None
            elif metric == "median_chars":
                result[metric] = statistics.median(values)
            else:
                result[metric] = sum(values) / len(values)
        return result


def _compact(text: str) -> str:
    return "".join(text.split())


def resolve(questions: Sequence[Question], provisions: Iterable[Provision],
            sources: Mapping[str, str]) -> list[Question]:
    """Questions whose expectations name a file and a label, with provision ids instead.

    Args:
        provisions: the index's provisions.
        sources: document id by the name of the file it was added from.

    Raises:
        ValueError: a named file is not in the corpus, or has no provision with that label
            holding the expected text.
    """
    by_label: dict[tuple[str, str], list[Provision]] = defaultdict(list)
    for provision in provisions:
        by_label[(provision.document_id, _compact(provision.label))].append(provision)
    resolved = []
    for question in questions:
        expected = []
        for item in question.expected:
            if item.file is None or item.label is None:
                expected.append(item)
                continue
            if item.file not in sources:
                raise ValueError(f"{question.id}: {item.file} is not in the corpus: add it first "
                                 "(policy-qa add)")
            candidates = by_label.get((sources[item.file], _compact(item.label)), [])
            matching = [p for p in candidates if _compact(item.contains) in _compact(p.text)]
            if not matching:
                raise ValueError(f"{question.id}: {item.file} has no provision {item.label} holding "
                                 f"{item.contains!r}")
            expected.extend(Expected(p.id, item.contains) for p in matching)
        resolved.append(replace(question, expected=tuple(expected)))
    return resolved


def run_searcher(searcher: Searcher, question: Question, mode: str) -> Outcome:
    result = searcher.search(question.question, question.jurisdiction, DEPTH, mode)
    hits = result.hits
    in_scope = any(hit.relation in ("exact", "ancestor") for hit in hits[:10])
    return Outcome([{hit.provision_id} for hit in hits], hits[0].answer if hits else "",
                   [len(hit.text) for hit in hits[:5]],
                   set(result.jurisdiction.detected) == set(question.detected),
                   (not result.jurisdiction.covered) and not in_scope)


def run_baseline(baseline: ChatchatBaseline, spans: dict[str, list[tuple[str, int, int]]],
                 question: Question) -> Outcome:
    """A window stands for every provision it overlaps, and answers with its whole text, as
    Chatchat hands its chunk to the model. It has no notion of jurisdiction: it never abstains."""
    windows = baseline.search(question.question, DEPTH)
    ranked = [{pid for pid, start, end in spans[w.document_id] if start < w.end and w.start < end}
              for w in windows]
    return Outcome(ranked, windows[0].text if windows else "", [len(w.text) for w in windows[:5]],
                   None, False)


Table = dict[str, dict[str, "Scores"]]  # system → kind (``all`` for the whole set) → scores


def evaluate(questions: Sequence[Question], searcher: Searcher, baseline: ChatchatBaseline | None,
             progress: Callable[[], None] | None = None) -> Table:
    """Scores per system and per kind (kind ``all`` for the whole set)."""
    return evaluate_by_split(questions, searcher, baseline, progress)["all"]


def evaluate_by_split(questions: Sequence[Question], searcher: Searcher,
                      baseline: ChatchatBaseline | None,
                      progress: Callable[[], None] | None = None) -> dict[str, Table]:
    """The tables of the whole set (``all``) and of each split its questions have (``test``,
    ``dev``), each question searched once."""
    spans: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for provision in searcher.index.provisions:
        spans[provision.document_id].append((provision.id, provision.start, provision.end))
    tables: dict[str, Table] = {}
    for question in questions:
        parts = ("all", question.split) if question.split else ("all",)
        for system in SYSTEMS:
            if system == "chatchat":
                if baseline is None:
                    continue
                outcome = run_baseline(baseline, spans, question)
            else:
                outcome = run_searcher(searcher, question, system)
            for part in parts:
                table = tables.setdefault(part, {s: defaultdict(Scores) for s in SYSTEMS})
                table[system][question.kind].add(question, outcome)
                table[system]["all"].add(question, outcome)
        if progress:
            progress()
    tables.setdefault("all", {s: defaultdict(Scores) for s in SYSTEMS})
    return tables


def format_table(table: Table) -> str:
    kinds = sorted({kind for scores in table.values() for kind in scores}, key=lambda k: (k != "all", k))
    header = f"{'kind':<13}{'system':<10}" + "".join(f"{m:>13}" for m in METRICS)
    lines = [header, "-" * len(header)]
    for kind in kinds:
        for system in SYSTEMS:
            if kind not in table[system]:
                continue
            summary = table[system][kind].summary()
            cells = []
            for metric in METRICS:
                value = summary[metric]
                cells.append(f"{'—':>13}" if value is None else
                             f"{value:>13.0f}" if metric == "median_chars" else f"{value:>13.3f}")
            lines.append(f"{kind:<13}{system:<10}" + "".join(cells))
        lines.append("")
    return "\n".join(lines)


# --- comparisons ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CompareQuestion:
    """A comparison and the figure expected in each place's cell (None: the place sets none)."""

    id: str
    question: str
    expected: dict[str, tuple[float, str | None] | None]  # place → (value, unit) or None
    year: int | None = None
    split: str | None = None


def load_compare_questions(path: Path) -> list[CompareQuestion]:
    """Read a compare set; every line is one JSON object (see qa/eval/README.md)."""
    questions = []
    for number, line in _json_lines(path):
        try:
            raw = json.loads(line)
            expected: dict[str, tuple[float, str | None] | None] = {
                place: None if cell is None else (float(cell["value"]), cell.get("unit"))
                for place, cell in raw["expected"].items()}
            questions.append(CompareQuestion(raw["id"], raw["question"], expected, raw.get("year"),
                                             _split(raw)))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as error:
            raise ValueError(f"{path}:{number}: not a compare question ({error})") from error
    return questions


@dataclass
class CompareScores:
    """Cells right out of cells asked, and the wrong ones for the report."""

    cells: int = 0
    right: int = 0
    wrong: list[str] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        return self.right / self.cells if self.cells else None


def cell_right(expected: tuple[float, str | None] | None, figure: Figure | None) -> bool:
    """A cell is right when both are empty, or the values agree (and the units, when both have
    one: 4.5 个 is not 4.5 %)."""
    if expected is None or figure is None:
        return expected is None and figure is None
    value, unit = expected
    if abs(figure.value - value) > 1e-9:
        return False
    return unit is None or figure.unit is None or _unit(unit) == _unit(figure.unit)


def _unit(unit: str) -> str:
    return UNIT_NAMES.get(unit, unit)


def evaluate_compare(questions: Sequence[CompareQuestion], searcher: Searcher,
                     progress: Callable[[], None] | None = None) -> CompareScores:
    return evaluate_compare_by_split(questions, searcher, progress)["all"]


def evaluate_compare_by_split(questions: Sequence[CompareQuestion], searcher: Searcher,
                              progress: Callable[[], None] | None = None) -> dict[str, CompareScores]:
    """Cells right in the whole set (``all``) and in each split its questions have."""
    parts: dict[str, CompareScores] = {"all": CompareScores()}
    for question in questions:
        rows = {row.jurisdiction: row for row in
                compare(searcher, question.question, list(question.expected), question.year)}
        scored = [parts["all"]]
        if question.split:
            scored.append(parts.setdefault(question.split, CompareScores()))
        for place, expected in question.expected.items():
            figure = rows[place].figure if place in rows else None
            right = cell_right(expected, figure)
            for scores in scored:
                scores.cells += 1
                scores.right += right
            if not right:
                got = f"{figure.value:g}{figure.unit or ''}" if figure else "—"
                want = f"{expected[0]:g}{expected[1] or ''}" if expected else "—"
                wrong = f"{question.id} {question.question} · {place}: expected {want}, got {got}"
                for scores in scored:
                    scores.wrong.append(wrong)
        if progress:
            progress()
    return parts
