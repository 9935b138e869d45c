"""policy-qa build, ask and eval end to end, with the real default encoder on a one-document corpus."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from corpus import DEFAULT_FOLDER

JIANGSU = """[[document]]
id = "jiangsu-2021"
file = "jiangsu-2021-yanglao-tuoyu.txt"
published = 2021-09-29
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    (root / "corpus" / "documents").mkdir(parents=True)
    (root / "corpus" / "catalog.toml").write_text(JIANGSU, encoding="utf-8")
    shutil.copy(DEFAULT_FOLDER / "documents" / "jiangsu-2021-yanglao-tuoyu.txt",
                root / "corpus" / "documents")
    result = CliRunner().invoke(main, ["build", "--corpus", str(root / "corpus"),
                                       "--out", str(root / "index"), "--cache", str(root / "cache")])
    assert result.exit_code == 0, result.output
    built = re.search(r"24 provisions \(0 table rows, (\d+) sentence vectors\), (\d+) newly encoded "
                      r"with policy-e5-small-", result.output)
    assert built is not None, result.output
    sentences, encoded = int(built[1]), int(built[2])
    assert sentences > 24 and encoded == 24 + sentences  # the plan's provisions are long
    return root


def _options(root: Path) -> list[str]:
    return ["--index", str(root / "index"), "--cache", str(root / "cache")]


def test_a_second_build_encodes_nothing(workspace: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--corpus", str(workspace / "corpus"), "--out",
                                       str(workspace / "index2"), "--cache", str(workspace / "cache")])
    assert result.exit_code == 0 and "0 newly encoded" in result.output


def test_a_build_without_sentence_vectors_is_rebuilt_without_them(workspace: Path) -> None:
    build = ["build", "--corpus", str(workspace / "corpus"), "--out", str(workspace / "index3"),
             "--cache", str(workspace / "cache")]
    def sentences(options: list[str]) -> int:
        result = CliRunner().invoke(main, [*build, *options])
        found = re.search(r" (\d+) sentence vectors\), 0 newly encoded", result.output)
        assert result.exit_code == 0 and found is not None, result.output
        return int(found[1])

    assert sentences(["--no-sentences"]) == 0
    assert sentences([]) == 0  # a rebuild keeps what the published version has
    assert sentences(["--sentences"]) > 24


def test_ask_prints_citation_answer_and_provision(workspace: Path) -> None:
    result = CliRunner().invoke(main, ["ask", "新建居住小区养老服务用房每百户配建标准", "-k", "2",
                                       *_options(workspace)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == ("1. 《省政府办公厅关于促进养老托育服务高质量发展的实施意见》"
                        "（苏政办发〔2021〕75号）（三）")
    assert "每百户20平方米以上" in lines[1] and lines[1].startswith("   答：")


def test_ask_json_is_the_result_object(workspace: Path) -> None:
    result = CliRunner().invoke(main, ["ask", "北京市托育服务用房标准", "--json", *_options(workspace)])
    data = json.loads(result.stdout)
    assert set(data) == {"query", "jurisdiction", "hits"}
    assert data["jurisdiction"] == {"requested": None, "detected": ["北京市"], "scope": ["北京市", "全国"],
                                    "covered": False, "local": False}
    hit = data["hits"][0]
    assert hit["relation"] == "other"
    assert {"rank", "provision_id", "score", "scores", "kind", "text", "answer", "figures", "path",
            "label", "citation", "document", "source"} <= set(hit)
    text = (workspace / "corpus" / hit["source"]["file"]).read_text(encoding="utf-8")
    assert text[hit["source"]["start"]:hit["source"]["end"]] == hit["text"]


def test_ask_errors_are_one_line(workspace: Path, tmp_path: Path) -> None:
    empty = CliRunner().invoke(main, ["ask", "  ", *_options(workspace)])
    assert empty.exit_code == 1 and "empty" in empty.output
    missing = CliRunner().invoke(main, ["ask", "托育", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "policy-qa build" in missing.output
    wrong = CliRunner().invoke(main, ["ask", "托育", "-j", "火星市", *_options(workspace)])
    assert wrong.exit_code == 1 and "unknown jurisdiction" in wrong.output


@pytest.mark.slow
def test_eval_prints_every_system_side_by_side(workspace: Path, tmp_path: Path) -> None:
    questions = tmp_path / "questions.jsonl"
    rows = [
        {"id": "a", "kind": "numeric", "question": "新建居住小区养老服务用房每百户多少平方米",
         "jurisdiction": None, "detected": [], "covered": True,
         "expected": [{"provision": "jiangsu-2021:（三）", "contains": "每百户20平方米以上"}]},
        {"id": "b", "kind": "uncovered", "question": "上海市托育补贴", "jurisdiction": None,
         "detected": ["上海市"], "covered": False, "expected": []},
    ]
    questions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(questions), "--corpus", str(workspace / "corpus"),
                                       "--json", *_options(workspace)])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert set(scores) == {"bm25", "dense", "hybrid", "chatchat"}
    assert scores["hybrid"]["all"]["hit@1"] == 1.0
    assert scores["hybrid"]["all"]["abstention"] == 1.0
    assert scores["chatchat"]["all"]["abstention"] == 0.0
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json", encoding="utf-8")
    broken = CliRunner().invoke(main, ["eval", str(bad), "--no-baseline", *_options(workspace)])
    assert broken.exit_code == 1 and "not a question" in broken.output


def test_eval_scores_a_compare_set(workspace: Path, tmp_path: Path) -> None:
    questions = tmp_path / "questions.jsonl"
    questions.write_text(json.dumps(
        {"id": "a", "kind": "numeric", "question": "新建居住小区养老服务用房每百户多少平方米",
         "jurisdiction": None, "detected": [], "covered": True,
         "expected": [{"provision": "jiangsu-2021:（三）", "contains": "每百户20平方米以上"}]},
        ensure_ascii=False), encoding="utf-8")
    cells = tmp_path / "compare.jsonl"
    cells.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in [
        {"id": "c1", "question": "护理型床位占比", "expected": {"江苏省": {"value": 70, "unit": "%"}}},
        {"id": "c2", "question": "养老服务的总体要求", "expected": {"江苏省": None}},
        {"id": "c3", "question": "每千人口托位数", "expected": {"江苏省": {"value": 5, "unit": "个"}}},
    ]), encoding="utf-8")
    options = [str(questions), "--no-baseline", "--compare", str(cells), *_options(workspace)]
    result = CliRunner().invoke(main, ["eval", *options, "--json"])
    assert result.exit_code == 0, result.output
    compared = json.loads(result.stdout)["compare"]
    assert (compared["cells"], compared["right"]) == (3, 2)
    assert compared["wrong"] == ["c3 每千人口托位数 · 江苏省: expected 5个, got 4.5个"]
    table = CliRunner().invoke(main, ["eval", *options])
    assert "compare: 2 of 3 cells right (0.667)" in table.stdout


def test_compare_and_indicators_commands(workspace: Path) -> None:
    result = CliRunner().invoke(main, ["compare", "护理型床位占比", *_options(workspace)])
    assert result.exit_code == 0, result.output
    assert "| 江苏省 | 达到70%以上（2025年） | 《省政府办公厅关于促进养老托育服务高质量发展的实施意见》" \
        in result.stdout
    later = CliRunner().invoke(main, ["compare", "护理型床位占比", "--year", "2035", "--json",
                                      *_options(workspace)])
    body = json.loads(later.stdout)
    assert body["rows"][0]["figure"] is None and body["note"].startswith("没有地区给出2035年的数值")
    listed = CliRunner().invoke(main, ["indicators", "护理型床位占比", *_options(workspace)])
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.startswith("江苏省 · 护理型床位数占养老机构床位比例（%）：2025：达到70%以上")
    unknown = CliRunner().invoke(main, ["indicators", "-j", "火星市", *_options(workspace)])
    assert unknown.exit_code == 1 and "火星市" in unknown.output
