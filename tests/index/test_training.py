"""Training the encoder: its data, its bad inputs, and a short real run that writes a model file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from cli.main import main
from corpus import CorpusFolder
from index.encoders import create_encoder
from index.training import Plan, train
from index.training.loop import Stage
from index.training.pairs import TrainingDataError, held_out, read_questions


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    CorpusFolder.working(folder)  # the default plans
    return folder


def _questions(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def test_a_malformed_question_line_is_named_by_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"
    path.write_text('{"query": "托儿所归谁管", "file": "a.txt", "label": "（一）"}\n{"query": "x"\n',
                    encoding="utf-8")
    with pytest.raises(TrainingDataError, match=r"questions.jsonl:2: not a training question"):
        read_questions([path])


def test_a_corpus_without_provisions_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    (empty / "documents").mkdir(parents=True)
    result = CliRunner().invoke(main, ["encoder", "train", "--corpus", str(empty),
                                       "--work", str(tmp_path / "w"), "--cache", str(tmp_path / "cache"),
                                       "--out", str(tmp_path / "m.npz")])
    assert result.exit_code == 1 and "has no provisions to train on" in result.output
    result = CliRunner().invoke(main, ["encoder", "train", "--corpus", str(tmp_path / "nothing"),
                                       "--out", str(tmp_path / "m.npz")])
    assert result.exit_code == 1 and "is not a corpus folder" in result.output


def test_provisions_a_scored_set_expects_are_held_out(tmp_path: Path) -> None:
    scored = _questions(tmp_path / "set.jsonl", [
        {"id": "q1", "expected": [{"provision": "rugao-2023:四（二）3", "contains": "x"},
                                  {"file": "gz.html", "label": "第二十六条", "contains": "y"}]}])
    compare = _questions(tmp_path / "compare.jsonl", [
        {"id": "c1", "expected": {"如皋市": {"provision": "rugao-2023:二（三）表1第14行"}, "江苏省": None}}])
    assert held_out([scored, compare], {"gz.html": "guangzhou-2022"}) == {
        "rugao-2023:四（二）3", ("guangzhou-2022", "第二十六条"), "rugao-2023:二（三）表1第14行"}


@pytest.mark.slow
def test_a_short_run_trains_a_student_and_writes_a_model_the_encoder_loads(corpus: Path,
                                                                          tmp_path: Path) -> None:
    questions = _questions(tmp_path / "questions.jsonl", [
        {"query": "托儿所的房子每一百户配多大", "file": "rugao-2023-yilao-yixiao.txt", "label": "四（二）3"},
        {"query": "家里有瘫痪老人能不能有人替班照顾几天", "file": "rugao-2023-yilao-yixiao.txt",
         "label": "三（一）2"},
        {"query": "江苏养老托育用地怎么保障", "file": "jiangsu-2021-yanglao-tuoyu.txt", "label": "（十）"},
        {"query": "nursery places per thousand people", "file": "suizhou-2022-yilao-yixiao.txt",
         "label": "表3 第10行"}])
    tiny = Stage(steps=2, learning_rate=1e-5, pairs_per_step=2, texts_per_step=2, passage_tokens=32)
    plan = Plan(teacher=tiny, student=tiny, layers=(0, 11), distilled_texts=8, headings=4, negatives=1,
                name="test-model", questions=(questions,))
    out, lines = tmp_path / "model.npz", []
    manifest = train(corpus, [], tmp_path / "work", out, tmp_path / "cache", plan, report=lines.append)
    assert manifest is not None and manifest["layers"] == [0, 11]
    assert manifest["data"]["written_questions"] == 4
    assert any("stage 2" in line for line in lines)
    encoder = create_encoder(f"policy:{out}")
    vectors = encoder.encode_passages(["托育服务用房", "养老服务用房"])
    assert vectors.shape == (2, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    # A question whose provision is not in the corpus stops the run with its file and line.
    _questions(questions, [{"query": "x", "file": "rugao-2023-yilao-yixiao.txt", "label": "九（九）9"}])
    with pytest.raises(TrainingDataError, match=r"questions.jsonl:1: .*九（九）9 is not in the corpus"):
        train(corpus, [], tmp_path / "work2", out, tmp_path / "cache", plan, report=lines.append)


def test_the_shipped_training_questions_are_well_formed() -> None:
    from index.training.pairs import QUESTIONS

    questions = read_questions(sorted(QUESTIONS.glob("*.jsonl")))
    assert len(questions) > 1500 and all(q.query and q.file and q.label for q in questions)
