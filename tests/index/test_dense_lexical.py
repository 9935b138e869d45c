"""FAISS filtering inside the search, and BM25 scoring with scopes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from index.dense import DenseIndex
from index.lexical import LexicalIndex

RNG = np.random.default_rng(7)
VECTORS = RNG.normal(size=(300, 16)).astype(np.float32)
VECTORS /= np.linalg.norm(VECTORS, axis=1, keepdims=True)
DENSE = DenseIndex.build(VECTORS)


@settings(max_examples=200, deadline=None)
@given(st.sets(st.integers(0, 299), max_size=40), st.integers(0, 299), st.integers(1, 60))
def test_a_filtered_search_never_returns_an_out_of_scope_id(scope: set[int], query: int, k: int) -> None:
    allowed = np.array(sorted(scope), dtype=np.int64)
    found = DENSE.search(VECTORS[query], k, allowed)
    assert {row for row, _ in found} <= scope
    assert len(found) == min(k, len(scope))
    # The filter is exact: the same as ranking the scope by brute force.
    if scope:
        brute = sorted(scope, key=lambda row: -float(VECTORS[row] @ VECTORS[query]))[: len(found)]
        assert [row for row, _ in found] == brute


def test_dense_round_trip(tmp_path: Path) -> None:
    DENSE.save(tmp_path / "dense.faiss")
    loaded = DenseIndex.load(tmp_path / "dense.faiss")
    assert loaded.search(VECTORS[5], 3) == DENSE.search(VECTORS[5], 3)
    assert loaded.search(VECTORS[5], 3)[0][0] == 5


def test_lexical_scope_and_out_of_vocabulary(tmp_path: Path) -> None:
    index = LexicalIndex.build([["托育", "标准"], ["养老"], [], ["托育", "托位"]])
    assert sorted(row for row, _ in index.search(["托育"], 5)) == [0, 3]
    mask = np.array([False, False, False, True])
    assert [row for row, _ in index.search(["托育"], 5, mask)] == [3]
    assert index.search(["养老"], 5, mask) == []  # in-vocabulary but out of scope: nothing, not zeros
    assert index.search(["不存在"], 5) == []
    assert index.search([], 5) == []
    index.save(tmp_path / "bm25")
    assert not any(p.suffix == ".pkl" for p in (tmp_path / "bm25").iterdir())
    assert LexicalIndex.load(tmp_path / "bm25").search(["托育"], 5) == index.search(["托育"], 5)
