"""Text analysis shared by indexing and querying: normalisation, synonyms, jieba segmentation.

The same :class:`Analyzer` serves documents and queries so that both sides see the same tokens.
It owns its jieba ``Tokenizer`` (no global state) loaded with the domain dictionary, and jieba's
cache goes to the folder the caller names.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from pathlib import Path

import jieba

from index.dictionary import DATA, DICTIONARY
from index.thesaurus import Thesaurus

SYNONYMS = DATA / "synonyms.tsv"
EXPANSIONS = DATA / "query_expansions.tsv"
THESAURUS = DATA / "thesaurus.tsv"  # official terms and their plain forms (see index/thesaurus.py)
ENGLISH = DATA / "english.tsv"
QUERY_WEIGHT = 2  # a query's own tokens against its expansions' (dev splits: 2 beats 1 and 3)
# Bump when normalise() or tokens() change behaviour: indexes built before then must be rebuilt.
VERSION = 2
# Function words that carry no meaning for retrieval; deliberately short (不 and 以上 stay:
# 不少于 and 70%以上 are what standards are made of).
STOPWORDS = frozenset([
    "的", "了", "和", "与", "及", "或", "是", "在", "对", "为", "将", "等", "由",
    "把", "被", "其", "并", "按", "按照", "以", "之", "中", "要", "有", "可", "各",
    "该", "哪些", "什么", "多少", "怎么", "如何", "吗", "呢", "啊", "请问", "我",
    "我们", "你", "是否",
])
_ARTEFACT = re.compile(r"(\d)\s*([.．])\s+(\d)")  # 4. 5 → 4.5, as extraction left it
_PER_ONE = re.compile(r"每一([百千万])")  # 每一百户 → 每百户
_TOKEN = re.compile(r"[\w.%+-]", re.UNICODE)


def load_synonyms(path: Path = SYNONYMS) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            variant, canonical = line.split("\t")
            pairs.append((variant.strip(), canonical.strip()))
    return sorted(pairs, key=lambda pair: -len(pair[0]))


class Analyzer:
    """Normalise, rewrite synonyms, segment with jieba and drop stopwords.

    Args:
        cache_dir: a writable folder for jieba's prefix-dictionary cache.
        dictionary: the domain dictionary (``term frequency`` per line).
        synonyms: the synonym table (``variant<TAB>canonical`` per line).
    """

    def __init__(self, cache_dir: Path, dictionary: Path = DICTIONARY,
                 synonyms: Path = SYNONYMS, expansions: Path = EXPANSIONS,
                 thesaurus: Path | None = THESAURUS, english: Path | None = ENGLISH) -> None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        # What makes the same analyzer elsewhere (in a parse worker process).
        self.arguments = (cache_dir, dictionary, synonyms, expansions, thesaurus, english)
        logging.getLogger("jieba").setLevel(logging.WARNING)  # it announces every cache load
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.tmp_dir = str(cache_dir)
        self._tokenizer.load_userdict(str(dictionary))
        self._synonyms = load_synonyms(synonyms)
        self._pattern = re.compile("|".join(re.escape(v) for v, _ in self._synonyms)) \
            if self._synonyms else None
        self._canonical = dict(self._synonyms)
        self.thesaurus = Thesaurus.load(expansions, thesaurus, english)
        self.terms = frozenset(line.split()[0] for line in dictionary.read_text(encoding="utf-8").splitlines()
                               if line.strip())
        self.fingerprint = hashlib.sha256(f"v{VERSION}".encode() + dictionary.read_bytes() + b"\0"
                                          + synonyms.read_bytes()
                                          + b"\0" + " ".join(sorted(STOPWORDS)).encode()).hexdigest()

    def normalise(self, text: str) -> str:
        """Full-width to half-width (NFKC), lower case, the 4. 5 artefact, synonyms."""
        text = unicodedata.normalize("NFKC", text).lower()
        text = _ARTEFACT.sub(r"\1.\3", text)
        text = _PER_ONE.sub(r"每\1", text)
        if self._pattern is not None:
            text = self._pattern.sub(lambda match: self._canonical[match.group(0)], text)
        return text

    def tokens(self, text: str) -> list[str]:
        """The tokens of ``text``: jieba's search-mode words (a long term and its sub-words)."""
        words = self._tokenizer.cut_for_search(self.normalise(text))
        return [word for word in (w.strip() for w in words)
                if word and _TOKEN.search(word) and word not in STOPWORDS]

    def expand(self, query: str) -> str:
        """The query with the official terms its everyday or English phrases stand for
        (托儿所 → 托育机构, nursing beds → 护理型床位) appended; documents are never expanded."""
        found = self.thesaurus.terms(query)
        return f"{query} {' '.join(found)}" if found else query

    def query_tokens(self, query: str) -> list[str]:
        """The query's tokens, each QUERY_WEIGHT times, then its expansions' tokens once: BM25
        sums repeated tokens (bm25s and the engine backend alike), so what the thesaurus adds
        weighs half what the asker wrote and cannot outrank a question's own official words
        (托育服务 also reads as 婴幼儿照护服务, which alone would favour another provision)."""
        found = self.thesaurus.terms(query)
        added = self.tokens(" ".join(found)) if found else []
        return self.tokens(query) * QUERY_WEIGHT + added
