"""Stage 4 of the pipeline: HTTP only. It reaches the index through ``qa`` and never imports faiss
or jieba. The HTTP API milestone (issue 4) fills it in.
"""
