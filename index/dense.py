"""The dense index: unit vectors by provision row, searched exactly inside a scope and, for a
large corpus, approximately over the rest.

``vectors.npy`` holds every provision's vector (float32, row order) and is memory-mapped: the
operating system keeps in memory what searches touch. Vectors are unit length, so the inner
product is the cosine similarity.

A scope (a county with its city, province and 全国) is a few ranges of rows (:mod:`index.places`)
and is searched exactly, a matrix-vector product over those rows: approximate indexes lose most
of their recall under a filter that keeps a tiny share of the data (faiss #4727, #3186), and
Lucene and OpenSearch switch to exact search for small filters for the same reason. A corpus of
``ANN_MIN_ROWS`` or more also gets ``ann.faiss``, an inverted-file index with 8-bit scalar
quantisation (``IVF{nlist},SQ8``), for unscoped queries and for filters too large to scan
exactly; it proposes ``REFINE`` times the rows asked for, which are scored exactly from the
vectors. Its ``nprobe`` is chosen at build time as the smallest that reaches ``RECALL_TARGET``
against exact search on sample queries (and at least a sixteenth of the lists), and widened for
filtered searches in proportion to the share of rows the filter keeps.

A long provision also has a vector for each of its sentences (``sentences.npy``, with the row
each belongs to in ``owners.npy``, in row order): a provision's score is the best of its own
vector's and its sentences'. A question usually asks about one sentence of a 300-character
provision, and one vector for the whole text blurs that sentence with the others (max-passage
scoring, as in Dai & Callan's MaxP for BERT ranking). The approximate index holds the sentence
vectors under their provision's row, so a filter by rows needs nothing more.
"""

from __future__ import annotations

import logging
import math
import mmap
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

from index.places import Ranges, count

log = logging.getLogger("policy_qa.build")

VECTORS = "vectors.npy"
SENTENCES = "sentences.npy"
OWNERS = "owners.npy"
ANN = "ann.faiss"
ANN_MIN_ROWS = 50_000  # below this an exact scan of every row takes a few milliseconds
EXACT_MAX_ROWS = 60_000  # a filter keeping more rows than this is searched approximately
RECALL_TARGET = 0.99  # recall@10 of the approximate index against exact search, when tuning nprobe
NPROBES = (8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)
REFINE = 4  # the approximate index proposes this many times k rows; their exact scores decide

Vectors = npt.NDArray[np.float32]
Owners = npt.NDArray[np.int64]
Found = list[tuple[int, float]]


class DenseIndex:
    def __init__(self, vectors: Vectors, ann: faiss.Index | None = None, nprobe: int = 0,
                 exact_max_rows: int = EXACT_MAX_ROWS, sentences: Vectors | None = None,
                 owners: Owners | None = None) -> None:
        self.vectors = vectors
        self.ann = ann
        self.nprobe = nprobe
        self.exact_max_rows = exact_max_rows
        self.sentences = sentences if sentences is not None else np.zeros((0, vectors.shape[1]), np.float32)
        self.owners = owners if owners is not None else np.zeros(0, np.int64)
        if len(self.sentences) != len(self.owners):
            raise ValueError(f"{len(self.sentences)} sentence vectors for {len(self.owners)} owners")
        if len(self.owners) and (self.owners[0] < 0 or self.owners[-1] >= len(vectors)
                                 or np.any(np.diff(self.owners) < 0)):
            raise ValueError("sentence owners are not rows of the index in row order")
        # Row r's sentences are sentences[starts[r]:starts[r + 1]].
        self._starts = np.searchsorted(self.owners, np.arange(len(vectors) + 1)).astype(np.int64)

    @property
    def dimension(self) -> int:
        return int(self.vectors.shape[1])

    @property
    def size(self) -> int:
        return int(self.vectors.shape[0])

    # Building ------------------------------------------------------------------------------

    @classmethod
    def build(cls, vectors: Vectors, folder: Path, ann_min_rows: int = ANN_MIN_ROWS,
              previous: DenseIndex | None = None, sentences: Vectors | None = None,
              owners: Owners | None = None) -> DenseIndex:
        """Write ``vectors.npy`` (and ``ann.faiss`` from ``ann_min_rows`` rows) into ``folder``,
        with the sentence vectors and their rows when there are any.

        The approximate index of ``previous`` (the published version) is reused when the corpus
        has not halved or doubled since: its lists are emptied and filled with the new vectors,
        and its nprobe kept, so that a change to a large corpus does not train and tune again
        (a minute at a million provisions)."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        np.save(folder / VECTORS, vectors, allow_pickle=False)
        if owners is None or sentences is None or len(owners) == 0:  # (none without an encoder)
            index = cls(vectors)
        else:
            index = cls(vectors, sentences=np.ascontiguousarray(sentences, dtype=np.float32),
                        owners=np.asarray(owners, dtype=np.int64))
        if len(index.owners):
            np.save(folder / SENTENCES, index.sentences, allow_pickle=False)
            np.save(folder / OWNERS, index.owners, allow_pickle=False)
        ann, nprobe = (None, 0)
        if len(vectors) >= ann_min_rows and vectors.shape[1] > 0:
            if previous is not None and previous.ann is not None and previous.dimension == vectors.shape[1] \
                    and previous.size / 2 <= len(vectors) <= previous.size * 2:
                log.info("reusing the previous version's trained approximate index")
                ann, nprobe = faiss.clone_index(previous.ann), previous.nprobe
                ann.reset()
                _add(ann, vectors)
            else:
                ann, nprobe = _train_ann(vectors)
            _add(ann, index.sentences, index.owners)
            faiss.write_index(ann, str(folder / ANN))
        index.ann, index.nprobe = ann, nprobe
        return index

    @classmethod
    def load(cls, folder: Path, nprobe: int = 0, read_ahead: bool = True) -> DenseIndex:
        """The dense index of a version folder; ``read_ahead`` asks the kernel to read the vectors
        in the background, so that a scope's rows are in memory before the first question about
        that place, without making the load wait (a build that wants only the approximate index
        of the published version does not ask)."""
        vectors = np.load(folder / VECTORS, mmap_mode="r", allow_pickle=False)
        if vectors.ndim != 2 or vectors.dtype != np.float32:
            raise ValueError(f"{VECTORS} holds {vectors.dtype} of shape {vectors.shape}, not rows of float32")
        mapping = getattr(vectors, "_mmap", None)
        if read_ahead and mapping is not None and hasattr(mmap, "MADV_WILLNEED"):
            mapping.madvise(mmap.MADV_WILLNEED)
        sentences, owners = None, None
        if (folder / OWNERS).is_file() or (folder / SENTENCES).is_file():
            sentences = np.load(folder / SENTENCES, mmap_mode="r", allow_pickle=False)
            owners = np.load(folder / OWNERS, allow_pickle=False)
            if sentences.ndim != 2 or sentences.dtype != np.float32 \
                    or sentences.shape[1] != vectors.shape[1] \
                    or owners.ndim != 1 or owners.dtype != np.int64:
                raise ValueError(f"{SENTENCES} or {OWNERS} do not match {VECTORS}")
        ann = faiss.read_index(str(folder / ANN)) if (folder / ANN).is_file() else None
        total = len(vectors) + (0 if owners is None else len(owners))
        if ann is not None and (ann.ntotal != total or nprobe <= 0):
            raise ValueError(f"{ANN} does not match {VECTORS}")
        return cls(vectors, ann, nprobe, sentences=sentences, owners=owners)

    # Searching -----------------------------------------------------------------------------

    def search(self, vector: npt.NDArray[np.float32], k: int, ranges: Ranges | None = None) -> Found:
        """The ``k`` nearest rows, best first; only rows inside ``ranges`` when given."""
        if k <= 0 or self.size == 0 or self.dimension == 0:  # an index without vectors (BM25 alone)
            return []
        query = np.ascontiguousarray(vector, dtype=np.float32).reshape(-1)
        if ranges is None:
            if self.ann is None:
                return self.exact(query, k, ((0, self.size),))
            return self._approximate(query, k, None, 1.0)
        rows = count(ranges)
        if rows == 0:
            return []
        if self.ann is None or rows <= self.exact_max_rows:
            return self.exact(query, k, ranges)
        return self._approximate(query, k, ranges, rows / self.size)

    def exact(self, query: npt.NDArray[np.float32], k: int, ranges: Ranges) -> Found:
        """Exact inner-product search over the rows of ``ranges``."""
        best_rows: list[npt.NDArray[np.int64]] = []
        best_scores: list[npt.NDArray[np.float32]] = []
        for start, end in ranges:
            scores = self.vectors[start:end] @ query
            first, last = self._starts[start], self._starts[end]
            if last > first:  # the rows' sentences: each row keeps its best
                sentence_scores = self.sentences[first:last] @ query
                owners = self.owners[first:last]
                groups = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
                rows = owners[groups] - start
                scores[rows] = np.maximum(scores[rows], np.maximum.reduceat(sentence_scores, groups))
            top = _top(scores, k)
            best_rows.append(top + start)
            best_scores.append(scores[top])
        rows = np.concatenate(best_rows)
        scores = np.concatenate(best_scores)
        order = np.lexsort((rows, -scores))[:k]
        return [(int(rows[i]), float(scores[i])) for i in order]

    def _approximate(self, query: npt.NDArray[np.float32], k: int, ranges: Ranges | None,
                     share: float) -> Found:
        assert self.ann is not None
        nlist = int(faiss.extract_index_ivf(self.ann).nlist)
        # A filter keeping a share of the rows leaves that share of each probed list: probe more.
        nprobe = min(nlist, math.ceil(self.nprobe / max(share, 1e-6)))
        selectors = _ranges_selectors(ranges) if ranges is not None else [None]
        params = faiss.SearchParametersIVF(nprobe=nprobe, sel=selectors[-1])  # type: ignore[call-arg]
        _, ids = self.ann.search(query.reshape(1, -1), k * REFINE, params=params)
        # FAISS pads with -1 when fewer ids qualify than were asked for. The proposals are scored
        # exactly from the vectors, so scores mean the same as an exact search's.
        rows = np.unique(ids[0][ids[0] >= 0])  # a row's sentences carry its id too
        scores = self.score(query, rows)
        order = np.lexsort((rows, -scores))[:k]
        return [(int(rows[i]), float(scores[i])) for i in order]

    def score(self, query: npt.NDArray[np.float32], rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        """The exact scores of ``rows``: each the best of its own vector and its sentences'."""
        scores = np.asarray(self.vectors[rows] @ query, dtype=np.float32)
        first, last = self._starts[rows], self._starts[rows + 1]
        has = last > first
        if not has.any():
            return scores
        lengths = (last - first)[has]
        ends = np.cumsum(lengths)
        positions = np.repeat(first[has] - (ends - lengths), lengths) + np.arange(ends[-1])
        best = np.maximum.reduceat(self.sentences[positions] @ query, ends - lengths)
        scores[has] = np.maximum(scores[has], best)
        return scores


def _top(scores: npt.NDArray[np.float32], k: int) -> npt.NDArray[np.int64]:
    """Positions of the ``k`` largest scores (unordered)."""
    if len(scores) <= k:
        return np.arange(len(scores), dtype=np.int64)
    return np.argpartition(-scores, k - 1)[:k].astype(np.int64)


def _ranges_selectors(ranges: Ranges) -> list[faiss.IDSelector]:
    """FAISS selectors whose last is the union of ``ranges``; the caller keeps the list alive for
    the search (the union holds raw pointers to its parts)."""
    selectors: list[faiss.IDSelector] = [faiss.IDSelectorRange(start, end) for start, end in ranges]
    union = selectors[0]
    for other in selectors[1:]:
        union = faiss.IDSelectorOr(union, other)
        selectors.append(union)
    return selectors


def _train_ann(vectors: Vectors) -> tuple[faiss.Index, int]:
    """An ``IVF{nlist},SQ8`` index over the vectors, and the nprobe that reaches the recall target."""
    rows, dimension = vectors.shape
    # About 4√N lists (4,096 at 1M), with the 39 training vectors per list FAISS asks for.
    nlist = 1 << max(4, min(round(math.log2(4 * math.sqrt(rows))), int(math.log2(rows / 39))))
    generator = np.random.default_rng(0)
    sample = vectors[np.sort(generator.choice(rows, min(rows, 40 * nlist), replace=False))]
    log.info("training the approximate index (%d lists on %d vectors)", nlist, len(sample))
    ann = faiss.index_factory(dimension, f"IVF{nlist},SQ8", faiss.METRIC_INNER_PRODUCT)
    ann.train(np.ascontiguousarray(sample))
    _add(ann, vectors)
    # Tune nprobe against exact search, searching as DenseIndex does (with the exact re-scoring),
    # on queries made from sample rows turned away from them (cosine 0.7), as a question sits
    # away from the passage that answers it.
    queries = _away(np.ascontiguousarray(vectors[np.sort(generator.choice(rows, 200, replace=False))]),
                    0.7, generator)
    truth = _exact_neighbours(vectors, queries)
    index = DenseIndex(vectors, ann, NPROBES[0])
    chosen = NPROBES[-1]
    for nprobe in NPROBES:
        index.nprobe = nprobe
        found = [[row for row, _ in index._approximate(query, 10, None, 1.0)] for query in queries]
        recall = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)])
        if recall >= RECALL_TARGET:
            chosen = nprobe
            break
    # Questions people write sit farther from passages than these queries (bench/scale.py
    # measures recall with real ones): never fewer than a sixteenth of the lists.
    chosen = max(chosen, nlist // 16)
    log.info("approximate index: nprobe %d (recall@10 %.3f on tuning queries)", chosen, recall)
    return ann, chosen


def _add(ann: faiss.Index, vectors: Vectors, rows: Owners | None = None) -> None:
    """Add every vector with its row as id (``rows[i]`` when given, else i), in blocks (a copy
    of a block, not of them all)."""
    for start in range(0, len(vectors), 100_000):
        block = np.ascontiguousarray(vectors[start:start + 100_000])
        ids = np.arange(start, start + len(block), dtype=np.int64) if rows is None else \
            np.ascontiguousarray(rows[start:start + 100_000], dtype=np.int64)
        ann.add_with_ids(block, ids)


def _away(rows: Vectors, cosine: float, generator: np.random.Generator) -> Vectors:
    """Unit vectors at ``cosine`` from each row, in random directions."""
    noise = generator.standard_normal(rows.shape).astype(np.float32)
    noise -= (noise * rows).sum(1, keepdims=True) * rows
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    queries = cosine * rows + math.sqrt(1 - cosine ** 2) * noise
    return np.ascontiguousarray(queries / np.linalg.norm(queries, axis=1, keepdims=True), dtype=np.float32)


def _exact_neighbours(vectors: Vectors, queries: Vectors) -> npt.NDArray[np.int64]:
    """The 10 exact nearest rows of each query, scanning the vectors in blocks."""
    best_scores = np.full((len(queries), 10), -np.inf, dtype=np.float32)
    best_rows = np.full((len(queries), 10), -1, dtype=np.int64)
    for start in range(0, len(vectors), 200_000):
        block = np.ascontiguousarray(vectors[start:start + 200_000])
        scores = queries @ block.T
        top = np.argpartition(-scores, min(9, scores.shape[1] - 1), axis=1)[:, :10]
        merged_scores = np.concatenate([best_scores, np.take_along_axis(scores, top, 1)], axis=1)
        merged_rows = np.concatenate([best_rows, top + start], axis=1)
        keep = np.argsort(-merged_scores, axis=1)[:, :10]
        best_scores = np.take_along_axis(merged_scores, keep, 1)
        best_rows = np.take_along_axis(merged_rows, keep, 1)
    return best_rows
