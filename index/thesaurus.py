"""Citizens' words and English words to the documents' official terms, for queries only.

Three tables in ``index/data/`` feed it, all general domain knowledge written from what the terms
mean (never from a question set that is scored):

- ``thesaurus.tsv``: ``official term<TAB>plain form|plain form|…`` (喘息服务 ← 帮忙照看几天);
- ``english.tsv``: ``english phrase<TAB>official term official term`` (respite care → 喘息服务);
- ``query_expansions.tsv``: ``phrase<TAB>official terms``, either language (the first, short table).

A query's phrases are found in one pass: Chinese phrases by their first character (a dict of
candidates per character, so thousands of phrases cost a few dictionary look-ups per character),
English phrases as runs of whole words after a light stemming (beds = bed, nurseries = nursery),
so "bed" never matches inside "embedded". Hand-written because no library on the registries does
phrase look-up with this stemming, and an Aho–Corasick package would only replace the dict.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
MAX_WORDS = 6  # the longest English phrase looked up, in words


def stem(word: str) -> str:
    """A light English stemmer: possessives and plurals only (children's → child, cities → city)."""
    word = re.sub(r"['’]s?$", "", word)
    irregular = {"children": "child", "people": "person", "women": "woman", "men": "man"}
    if word in irregular:
        return irregular[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _english_key(phrase: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in _WORD.findall(phrase.lower()))


@dataclass
class Thesaurus:
    """Official terms by the phrases that stand for them."""

    chinese: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=lambda: defaultdict(dict))
    english: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)

    def add(self, phrase: str, terms: Iterable[str]) -> None:
        terms = tuple(t for t in terms if t)
        if not phrase or not terms:
            return
        if phrase.isascii():
            key = _english_key(phrase)
            if key:
                self.english[key] = tuple(dict.fromkeys((*self.english.get(key, ()), *terms)))
        else:
            known = self.chinese[phrase[0]].get(phrase, ())
            self.chinese[phrase[0]][phrase] = tuple(dict.fromkeys((*known, *terms)))

    @classmethod
    def load(cls, expansions: Path, thesaurus: Path | None = None, english: Path | None = None) -> Thesaurus:
        """Read the tables; a missing optional table is none.

        Raises:
            ValueError: a line without its tab, naming the file and line.
        """
        found = cls()
        for path, inverted in ((expansions, False), (english, False), (thesaurus, True)):
            if path is None or not path.exists():
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if not line.strip() or line.startswith("#"):
                    continue
                left, tab, right = line.partition("\t")
                if not tab or not left.strip() or not right.strip():
                    raise ValueError(f"{path}:{number}: expected two fields separated by a tab")
                if inverted:  # official term, then its plain forms
                    for plain in right.split("|"):
                        found.add(plain.strip(), [left.strip()])
                else:
                    found.add(left.strip(), right.split())
        return found

    def terms(self, query: str) -> list[str]:
        """The official terms the query's phrases stand for, longer phrases' terms first, each
        once."""
        matched: list[tuple[int, tuple[str, ...]]] = []
        for i, char in enumerate(query):
            for phrase, terms in self.chinese.get(char, {}).items():
                if query.startswith(phrase, i):
                    matched.append((len(phrase), terms))
        words = [stem(w) for w in _WORD.findall(query.lower())]
        for i in range(len(words)):
            for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
                terms_found = self.english.get(tuple(words[i:i + n]))
                if terms_found:
                    matched.append((10 * n, terms_found))
        matched.sort(key=lambda item: -item[0])
        found: list[str] = []
        for _, terms in matched:
            found.extend(term for term in terms if term not in found)
        return found
