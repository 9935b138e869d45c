"""Stage 3 of the pipeline: retrieval, hybrid ranking, jurisdiction awareness, extractive answers
and the evaluation harness.

Imports flow corpus → index → qa → api: this package may import ``corpus`` and ``index``, never
``api``. The retrieval milestone (issue 3) fills it in.
"""
