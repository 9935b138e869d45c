"""A searcher over the real corpus with a small deterministic encoder, built once per module."""

from __future__ import annotations

import pytest

from corpus import DEFAULT_FOLDER
from corpus.gazetteer import default_gazetteer
from index.analysis import Analyzer
from index.store import PolicyIndex
from qa.search import Searcher
from tests.index.fakes import HashEncoder


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    root = tmp_path_factory.mktemp("search")
    index = PolicyIndex.build(DEFAULT_FOLDER, root / "index", HashEncoder(),
                              Analyzer(root / "cache" / "jieba"), root / "cache")
    return Searcher(index, default_gazetteer())
