"""What the encoder learns from: questions with the provisions that answer them, and texts.

- **Written questions** (``index/training/questions/*.jsonl``): a question as people ask it and
  the provision that answers it, by the file its document was added from and its label
  (``{"query": …, "file": "劳动合同法(2012-12-28).md", "label": "第三十条", "kind": …}``). They
  were written for training by reading the regulations corpus (laws, national and local
  regulations), never from a question set that is scored, and any provision a scored set
  (``qa/eval/*.jsonl``) expects is left out of training, so a test question never meets its
  own answer during training.
- **Mined pairs**: a heading and the provision under it, in every document of the corpus.
- **Texts for distillation**: provisions (as the index encodes them: title, heading and text)
  and short queries (headings, the thesaurus's terms and plain forms, English phrases).
- **Hard negatives**: for each written question, provisions BM25 ranks high that are not its
  answer (ranks 3–12), so the model learns what tells near misses apart.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corpus import Provision
from index.records import DocumentRecord, passage_text

QUESTIONS = Path(__file__).parent / "questions"
_NUMBERING = re.compile(r"^(第[^章节条]{1,8}[章节条](之[一二三四五六七八九十]+)?"
                        r"|[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+[、．.]|\d+[.．、]"
                        r"|[一二三四五六七八九十]+是)\s*")


class TrainingDataError(ValueError):
    """Training data that cannot be used, with the file and line it is in."""


@dataclass(frozen=True)
class WrittenQuestion:
    query: str
    file: str
    label: str
    kind: str
    where: str  # file:line, for messages


@dataclass(frozen=True)
class Pair:
    """A query and the passage that answers it (as the encoder reads passages)."""

    query: str
    passage: str
    negatives: tuple[str, ...] = field(default=())
    source: str = ""  # "question" (written) or "heading" (mined)


def read_questions(paths: Iterable[Path]) -> list[WrittenQuestion]:
    """The written questions of every file.

    Raises:
        TrainingDataError: a line that is not a JSON object with query, file and label.
    """
    questions = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                questions.append(WrittenQuestion(str(raw["query"]), str(raw["file"]), str(raw["label"]),
                                                 str(raw.get("kind", "")), f"{path}:{number}"))
            except (json.JSONDecodeError, KeyError, TypeError) as error:
                raise TrainingDataError(f"{path}:{number}: not a training question ({error})") from error
            if not questions[-1].query.strip():
                raise TrainingDataError(f"{path}:{number}: the query is empty")
    return questions


def held_out(eval_files: Iterable[Path], sources: dict[str, str]) -> set[str | tuple[str, str]]:
    """What the scored sets expect: provision ids, and (document id, label) for expectations
    given by file and label. ``sources``: document id by the file name it was added from."""
    expected: set[str | tuple[str, str]] = set()
    for path in eval_files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            expected_items = json.loads(line).get("expected", [])
            if isinstance(expected_items, dict):  # a compare set: a cell per place, or null
                expected_items = [cell for cell in expected_items.values() if isinstance(cell, dict)]
            for item in expected_items:
                if item.get("provision"):
                    expected.add(str(item["provision"]))
                if item.get("file") in sources and item.get("label"):
                    expected.add((sources[item["file"]], _compact(str(item["label"]))))
    return expected


def _compact(text: str) -> str:
    return "".join(text.split())


@dataclass
class Corpus:
    """The provisions training reads, with their documents, found by id or by file and label."""

    provisions: list[Provision]
    documents: dict[str, DocumentRecord]
    sources: dict[str, str]  # document id by the file name it was added from

    def __post_init__(self) -> None:
        self._by_label: dict[tuple[str, str], list[Provision]] = {}
        for provision in self.provisions:
            key = (provision.document_id, _compact(provision.label))
            self._by_label.setdefault(key, []).append(provision)

    def passage(self, provision: Provision) -> str:
        return passage_text(provision, self.documents[provision.document_id])

    def labelled(self, file: str, label: str) -> list[Provision]:
        document = self.sources.get(file)
        return self._by_label.get((document, _compact(label)), []) if document else []


def question_pairs(questions: Sequence[WrittenQuestion], corpus: Corpus,
                   excluded: set[str | tuple[str, str]]) -> tuple[list[Pair], int]:
    """A pair per written question whose provision is in the corpus and not held out; how many
    were left out because a scored set expects their provision.

    Raises:
        TrainingDataError: a question whose file or label is not in the corpus.
    """
    pairs, dropped = [], 0
    for question in questions:
        found = corpus.labelled(question.file, question.label)
        if not found:
            raise TrainingDataError(f"{question.where}: {question.file} {question.label} is not in the "
                                    "corpus (add the document, or fix the label)")
        provision = found[0]
        if provision.id in excluded or (provision.document_id, _compact(provision.label)) in excluded:
            dropped += 1
            continue
        pairs.append(Pair(question.query, corpus.passage(provision), source="question"))
    return pairs, dropped


def heading_pairs(corpus: Corpus, excluded: set[str | tuple[str, str]], limit: int = 4000,
                  seed: int = 0) -> list[Pair]:
    """A heading (its numbering left out) and the provision right under it, when the heading
    says something of its own (4–40 characters, not the provision's own first line)."""
    pairs = []
    for provision in corpus.provisions:
        if not provision.path or provision.id in excluded:
            continue
        heading = _NUMBERING.sub("", provision.path[-1]).strip("。：: ")
        if 4 <= len(heading) <= 40 and heading not in provision.text[:len(heading) + 8]:
            pairs.append(Pair(heading, corpus.passage(provision), source="heading"))
    random.Random(seed).shuffle(pairs)
    return pairs[:limit]


def distillation_queries(corpus: Corpus, tables: Iterable[Path]) -> list[str]:
    """Short texts a query encoder must read well: headings, and the thesaurus's official terms,
    plain forms and English phrases (index/data/)."""
    queries = [heading for provision in corpus.provisions for heading in provision.path[-1:]]
    for path in tables:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or "\t" not in line:
                continue
            left, right = line.split("\t", 1)
            queries.append(left)
            if path.name == "thesaurus.tsv":
                queries.extend(right.split("|"))
    return list(dict.fromkeys(q.strip() for q in queries if q.strip()))
