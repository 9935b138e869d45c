"""The domain dictionary for jieba, built from the corpus and a short hand-written seed list.

jieba's general dictionary splits the words this domain lives by (每千人口托位数 → 每千人/口托/位数,
护理型床位 → 护理/型/床位). The dictionary shipped in ``index/data/domain_dict.txt`` adds the
hand-written seed terms and the terms the corpus itself marks as terms: words in quotation marks
(“一老一小”, “放管服”) and the short indicator names in its tables (新生儿访视率).

Regenerate it after changing the corpus or the seeds, and commit the result::

    python -m index.dictionary
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from corpus import Document, Kind, load_corpus

DATA = Path(__file__).parent / "data"
SEEDS = DATA / "seed_terms.txt"
DICTIONARY = DATA / "domain_dict.txt"
# A high frequency makes jieba keep the term whole; cut_for_search still emits its sub-words.
FREQUENCY = 50000
_TERM = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
_QUOTED = re.compile(r"[“\"]([\u4e00-\u9fff]{2,8})[”\"]")
_INDICATOR_COLUMN = re.compile(r"指标")


def seed_terms(path: Path = SEEDS) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def corpus_terms(documents: Iterable[Document]) -> list[str]:
    """Quoted words and short indicator names, in a stable order."""
    found: set[str] = set()
    for document in documents:
        for provision in document.provisions:
            if provision.kind is Kind.CLAUSE:
                found.update(_QUOTED.findall(provision.text))
            for cell in provision.cells:
                if _INDICATOR_COLUMN.search(cell.column):
                    name = re.sub(r"[（(][^）)]*[）)]", "", cell.value)  # drop （%） and the like
                    name = name.removeprefix("其中：")
                    if _TERM.match(name):
                        found.add(name)
    return sorted(found)


def build(documents: Iterable[Document]) -> str:
    """The dictionary file's text: one ``term frequency`` line per term, sorted."""
    terms = sorted(set(seed_terms()) | set(corpus_terms(documents)))
    return "".join(f"{term} {FREQUENCY}\n" for term in terms)


def main() -> None:
    DICTIONARY.write_text(build(load_corpus()), encoding="utf-8")
    print(f"wrote {DICTIONARY} ({len(DICTIONARY.read_text(encoding='utf-8').splitlines())} terms)")


if __name__ == "__main__":
    main()
