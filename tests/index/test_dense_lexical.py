"""Dense search (exact inside ranges of rows, approximate over a large corpus) and BM25 with scopes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.dense import ANN, DenseIndex
from index.lexical import LexicalIndex
from index.places import Ranges, complement, count, merge

RNG = np.random.default_rng(7)
VECTORS = RNG.normal(size=(300, 16)).astype(np.float32)
VECTORS /= np.linalg.norm(VECTORS, axis=1, keepdims=True)
DENSE = DenseIndex(VECTORS)


def _brute(vectors: np.ndarray, query: np.ndarray, rows: list[int], k: int) -> list[int]:
    return sorted(rows, key=lambda row: (-float(vectors[row] @ query), row))[:k]


ranges_strategy = st.lists(st.tuples(st.integers(0, 300), st.integers(0, 40)), max_size=5).map(
    lambda pairs: merge((start, min(300, start + length)) for start, length in pairs))


@settings(max_examples=200, deadline=None)
@given(ranges_strategy, st.integers(0, 299), st.integers(1, 60))
def test_a_scoped_search_is_exact_and_never_leaves_its_ranges(ranges: Ranges, query: int, k: int) -> None:
    found = DENSE.search(VECTORS[query], k, ranges)
    rows = [row for start, end in ranges for row in range(start, end)]
    assert {row for row, _ in found} <= set(rows)
    assert len(found) == min(k, len(rows))
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True)
    assert [row for row, _ in found] == _brute(VECTORS, VECTORS[query], rows, k)


# Sentence vectors: rows 0..299 own 0 to 3 sentences each, in row order.
OWNERS = np.sort(RNG.integers(0, 300, 400)).astype(np.int64)
SENTENCES = RNG.normal(size=(400, 16)).astype(np.float32)
SENTENCES /= np.linalg.norm(SENTENCES, axis=1, keepdims=True)
WITH_SENTENCES = DenseIndex(VECTORS, sentences=SENTENCES, owners=OWNERS)


def _best_of(query: np.ndarray) -> np.ndarray:
    """Each row's score: the best of its own vector's and its sentences'."""
    scores = VECTORS @ query
    for sentence, owner in zip(SENTENCES, OWNERS, strict=True):
        scores[owner] = max(scores[owner], float(sentence @ query))
    return scores


@settings(max_examples=200, deadline=None)
@given(ranges_strategy, st.integers(0, 399), st.integers(1, 60))
def test_a_row_scores_as_its_best_sentence(ranges: Ranges, query: int, k: int) -> None:
    vector = SENTENCES[query]
    best = _best_of(vector)
    rows = [row for start, end in ranges for row in range(start, end)]
    found = WITH_SENTENCES.search(vector, k, ranges)
    assert [row for row, _ in found] == sorted(rows, key=lambda row: (-float(best[row]), row))[:k]
    assert all(abs(score - best[row]) < 1e-5 for row, score in found)
    assert np.allclose(WITH_SENTENCES.score(vector, np.arange(300)), best, atol=1e-5)
    if any(s <= OWNERS[query] < e for s, e in ranges):  # a sentence's own row comes first
        assert found[0][1] > 0.999


def test_sentence_vectors_round_trip_and_damage_is_refused(tmp_path: Path) -> None:
    built = DenseIndex.build(VECTORS, tmp_path, sentences=SENTENCES, owners=OWNERS)
    loaded = DenseIndex.load(tmp_path)
    expected = WITH_SENTENCES.search(SENTENCES[7], 5)
    assert loaded.search(SENTENCES[7], 5) == built.search(SENTENCES[7], 5) == expected
    assert loaded.search(SENTENCES[7], 1)[0][0] == OWNERS[7]
    np.save(tmp_path / "owners.npy", OWNERS[::-1].copy())  # not in row order
    with pytest.raises(ValueError, match="row order"):
        DenseIndex.load(tmp_path)
    np.save(tmp_path / "owners.npy", OWNERS[:10])  # fewer owners than sentences
    with pytest.raises(ValueError, match="owners"):
        DenseIndex.load(tmp_path)
    np.save(tmp_path / "owners.npy", OWNERS + 300)  # rows the index does not have
    with pytest.raises(ValueError, match="row order"):
        DenseIndex.load(tmp_path)


def test_dense_round_trip(tmp_path: Path) -> None:
    built = DenseIndex.build(VECTORS, tmp_path)
    assert not (tmp_path / ANN).exists()  # small: exact only
    loaded = DenseIndex.load(tmp_path)
    assert loaded.search(VECTORS[5], 3) == DENSE.search(VECTORS[5], 3) == built.search(VECTORS[5], 3)
    assert loaded.search(VECTORS[5], 3)[0][0] == 5


def _clustered(rows: int, dimension: int = 32, centres: int = 40) -> np.ndarray:
    """Vectors around a few centres, as passages on a few subjects are."""
    generator = np.random.default_rng(3)
    middle = generator.normal(size=(centres, dimension))
    vectors = middle[generator.integers(0, centres, rows)] + 0.35 * generator.normal(size=(rows, dimension))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32)


def test_the_approximate_index_reaches_its_recall_and_small_scopes_fall_back_to_exact(tmp_path: Path) -> None:
    vectors = _clustered(6000)
    index = DenseIndex.build(vectors, tmp_path, ann_min_rows=5000)
    assert index.ann is not None and (tmp_path / ANN).is_file() and index.nprobe > 0
    loaded = DenseIndex.load(tmp_path, index.nprobe)
    queries = _clustered(6100)[6000:]
    everything = list(range(6000))
    recall = np.mean([len({r for r, _ in loaded.search(q, 10)} & set(_brute(vectors, q, everything, 10))) / 10
                      for q in queries])
    assert recall >= 0.9
    # A county-sized scope (0.1% of the rows) is searched exactly: every row of it comes back, as
    # brute force ranks them (an IVF search under such a filter would find few of them).
    small: Ranges = ((4200, 4206),)
    assert [r for r, _ in loaded.search(queries[0], 10, small)] == _brute(vectors, queries[0],
                                                                           list(range(4200, 4206)), 10)
    # A filter too large to scan exactly goes through the approximate index, and stays inside.
    loaded.exact_max_rows = 1000
    large: Ranges = merge([(0, 1500), (3000, 5000)])
    for query in queries[:20]:
        found = loaded.search(query, 10, large)
        assert len(found) == 10 and all(any(s <= r < e for s, e in large) for r, _ in found)
    rest = complement(large, 6000)
    assert count(rest) == 2500
    assert all(any(s <= r < e for s, e in rest) for r, _ in loaded.search(queries[1], 10, rest))


def test_lexical_scope_and_out_of_vocabulary(tmp_path: Path) -> None:
    index = LexicalIndex.build([["托育", "标准"], ["养老"], [], ["托育", "托位"]])
    assert sorted(row for row, _ in index.search(["托育"], 5)) == [0, 3]
    assert [row for row, _ in index.search(["托育"], 5, ((3, 4),))] == [3]
    assert index.search(["养老"], 5, ((3, 4),)) == []  # in-vocabulary but out of scope: nothing, not zeros
    assert index.search(["养老"], 5, ()) == []
    assert index.search(["不存在"], 5) == []
    assert index.search([], 5) == []
    scores = index.scores(["托育"])
    assert index.search(["托育"], 1, ((0, 4),), scores) == index.search(["托育"], 1, ((0, 4),))
    index.save(tmp_path / "bm25")
    assert not any(p.suffix == ".pkl" for p in (tmp_path / "bm25").iterdir())
    assert LexicalIndex.load(tmp_path / "bm25").search(["托育"], 5) == index.search(["托育"], 5)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["托育", "养老", "标准", "托位", "用房"]), max_size=4),
                min_size=1, max_size=30), ranges_strategy, st.integers(1, 10))
def test_lexical_ranges_equal_filtering_every_row(rows: list[list[str]], ranges: Ranges, k: int) -> None:
    index = LexicalIndex.build(rows)
    ranges = merge((min(s, len(rows)), min(e, len(rows))) for s, e in ranges)
    scores = index.scores(["托育", "用房"])
    inside = [r for s, e in ranges for r in range(s, e) if scores[r] > 0]
    expected = sorted(inside, key=lambda r: (-scores[r], r))[:k]
    assert [r for r, _ in index.search(["托育", "用房"], k, ranges)] == expected


def test_the_approximate_index_finds_a_row_by_its_sentence(tmp_path: Path) -> None:
    vectors = _clustered(6000)
    sentences = _clustered(9000)[6000:]  # 3,000 sentences, mostly elsewhere than their rows
    owners = np.sort(np.random.default_rng(5).integers(0, 6000, 3000)).astype(np.int64)
    index = DenseIndex.build(vectors, tmp_path, ann_min_rows=5000, sentences=sentences, owners=owners)
    loaded = DenseIndex.load(tmp_path, index.nprobe)
    assert loaded.ann is not None and loaded.ann.ntotal == 9000
    for position in (0, 1234, 2999):
        found = loaded.search(sentences[position], 3)  # unscoped: through the approximate index
        assert found[0][0] == owners[position] and found[0][1] > 0.999
        assert len({row for row, _ in found}) == 3  # a row's several ids give one result
        loaded.exact_max_rows = 1000  # a large filter, approximately, keeps the sentence's row
        large: Ranges = merge([(0, 1500), (int(owners[position]), int(owners[position]) + 1), (3000, 5000)])
        assert loaded.search(sentences[position], 3, large)[0][0] == owners[position]
        loaded.exact_max_rows = 60_000


def test_a_rebuild_reuses_the_trained_approximate_index_until_the_corpus_doubles(tmp_path: Path) -> None:
    import faiss

    vectors = _clustered(6000)
    first = DenseIndex.build(vectors, _folder(tmp_path, "first"), ann_min_rows=5000)
    changed = np.vstack([vectors[:5900], _clustered(6300)[6000:]])  # 100 gone, 300 new
    second = DenseIndex.build(changed, _folder(tmp_path, "second"), ann_min_rows=5000, previous=first)

    def centroids(index: DenseIndex) -> np.ndarray:
        quantizer = faiss.extract_index_ivf(index.ann).quantizer
        return quantizer.reconstruct_n(0, quantizer.ntotal)

    assert second.ann is not None and second.ann.ntotal == len(changed) and second.nprobe == first.nprobe
    assert np.array_equal(centroids(first), centroids(second))  # not trained again
    for row in (0, 3000, 6150):
        assert second.search(changed[row], 1)[0][0] == row  # ids are the new rows
    doubled = np.vstack([changed, _clustered(13000)[6000:]])  # more than twice as many rows
    third = DenseIndex.build(doubled, _folder(tmp_path, "third"), ann_min_rows=5000, previous=second)
    assert third.ann is not None and third.ann.ntotal == len(doubled)
    assert not np.array_equal(centroids(third)[: len(centroids(second))], centroids(second))


def _folder(root: Path, name: str) -> Path:
    (root / name).mkdir()
    return root / name
