"""A baseline that mimics Langchain-Chatchat, for side-by-side evaluation.

Chatchat cuts each file into fixed windows (chunk_size 750, overlap 150), indexes them with
jieba BM25 and a dense FAISS store, and fuses the two rankings; it knows nothing of headings,
tables or jurisdictions. We rebuild exactly that from the same files and the same encoder, so
that the comparison isolates what structure and jurisdiction awareness bring.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import jieba

from corpus import CorpusFolder
from index.dense import DenseIndex
from index.encoders import EmbeddingCache, Encoder
from index.lexical import LexicalIndex

WINDOW = 750
OVERLAP = 150
RRF_K = 60


@dataclass(frozen=True)
class Window:
    document_id: str
    start: int
    end: int
    text: str


class ChatchatBaseline:
    def __init__(self, windows: list[Window], lexical: LexicalIndex, dense: DenseIndex,
                 encoder: Encoder, tokenizer: jieba.Tokenizer) -> None:
        self.windows = windows
        self._lexical = lexical
        self._dense = dense
        self._encoder = encoder
        self._tokenizer = tokenizer

    @classmethod
    def build(cls, corpus: Path, encoder: Encoder, cache: Path) -> ChatchatBaseline:
        windows = []
        for document in CorpusFolder(corpus).load_all():
            text = document.text
            for start in range(0, max(1, len(text) - OVERLAP), WINDOW - OVERLAP):
                end = min(len(text), start + WINDOW)
                windows.append(Window(document.id, start, end, text[start:end]))
        logging.getLogger("jieba").setLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()  # jieba's own dictionary, as Chatchat uses it
        tokenizer.tmp_dir = str(cache / "jieba-plain")
        (cache / "jieba-plain").mkdir(parents=True, exist_ok=True)
        lexical = LexicalIndex.build([_tokens(tokenizer, w.text) for w in windows])
        vectors, _ = EmbeddingCache(cache / "embeddings", encoder).encode_passages(
            [w.text for w in windows])
        return cls(windows, lexical, DenseIndex(vectors), encoder, tokenizer)  # in memory, exact

    def search(self, query: str, k: int) -> list[Window]:
        fused: dict[int, float] = {}
        for rank, (row, _) in enumerate(self._lexical.search(_tokens(self._tokenizer, query), 50), 1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank)
        vector = self._encoder.encode_queries([query])[0]
        for rank, (row, _) in enumerate(self._dense.search(vector, 50), 1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank)
        order = sorted(fused, key=lambda row: (-fused[row], row))[:k]
        return [self.windows[row] for row in order]


def _tokens(tokenizer: jieba.Tokenizer, text: str) -> list[str]:
    return [word for word in tokenizer.lcut_for_search(text) if word.strip()]
