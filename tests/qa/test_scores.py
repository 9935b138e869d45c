"""How one question's ranking becomes metrics (qa/evaluation.py's Scores)."""

from __future__ import annotations

from qa.evaluation import Expected, Outcome, Question, Scores


def _question(*expected: str) -> Question:
    return Question("q1", "lay_legal", "邻居装修天天吵怎么办", None,
                    tuple(Expected(p, "") for p in expected), (), True)


def test_recall_at_50_reads_deeper_than_the_top_ten() -> None:
    ranked = [{f"p{i}"} for i in range(50)]
    scores = Scores()
    scores.add(_question("p3", "p30", "p70"), Outcome(ranked, "", [], None, None))
    summary = scores.summary()
    assert summary["hit@1"] == 0.0 and summary["hit@5"] == 1.0 and summary["mrr@10"] == 0.25
    assert summary["recall@10"] == 1 / 3  # p3 only
    assert summary["recall@50"] == 2 / 3  # p3 and p30; p70 was not returned
