"""Stage 2 of the pipeline: text analysis (jieba with the domain dictionary), embeddings, and the
FAISS and BM25 indexes with their self-describing manifest.

Imports flow corpus → index → qa → api: this package may import ``corpus``, never ``qa`` or ``api``.
The retrieval milestone (issue 3) fills it in.
"""
