"""The policy-qa command line: parse, meta and outline, in-process and as the installed script."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from cli.main import main
from tests.conftest import DATA, DOCUMENTS

RUGAO = DOCUMENTS / "rugao-2023-yilao-yixiao.txt"


def test_parse_prints_one_json_object_per_provision() -> None:
    result = CliRunner().invoke(main, ["parse", str(RUGAO)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    text = RUGAO.read_bytes().decode("utf-8")
    assert {"id", "document_id", "kind", "label", "path", "text", "start", "end",
            "departments"} <= set(records[0])
    assert all(r["document_id"] == "rugao-2023" for r in records)
    for record in records:
        if record["kind"] == "clause":
            assert text[record["start"]:record["end"]] == record["text"]
    (standard,) = [r for r in records if r["label"] == "四（二）3"]
    assert "每百户不少于30平方米" in standard["text"]


def test_parse_any_file_gives_the_id_it_would_have_in_a_corpus() -> None:
    result = CliRunner().invoke(main, ["parse", str(DATA / "article-style.txt")])
    assert result.exit_code == 0
    # The regulation names no real place: unknown place, its year, a hash of its title.
    first = json.loads(result.output.splitlines()[0])["id"]
    assert re.fullmatch(r"unknown-2024-[0-9a-f]{6}:第一条", first)
    again = CliRunner().invoke(main, ["parse", str(DATA / "article-style.txt"), "--jurisdiction", "广州市"])
    assert re.fullmatch(r"guangzhou-2024-[0-9a-f]{6}:第一条", json.loads(again.output.splitlines()[0])["id"])
    named = CliRunner().invoke(main, ["parse", str(DATA / "article-style.txt"), "--id", "reg"])
    assert json.loads(named.output.splitlines()[0])["id"] == "reg:第一条"


def test_meta_prints_the_parsed_header() -> None:
    result = CliRunner().invoke(main, ["meta", str(RUGAO)])
    assert result.exit_code == 0
    meta = json.loads(result.output)
    assert (meta["title"], meta["number"], meta["issuer"], meta["jurisdiction"], meta["published"]) \
        == ("如皋市“一老一小”整体解决方案", "皋政发〔2023〕4号", "如皋市人民政府", "如皋市", "2023-02-14")


def test_outline_shows_the_heading_tree() -> None:
    result = CliRunner().invoke(main, ["outline", str(DOCUMENTS / "suicheng-2023-yanglao-tuoyu.txt")])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "  [三（二）] 促进普惠养老托育发展  (restored)" in lines
    assert "    [三（二）1] 1.养老领域" in lines
    assert any(line.strip().startswith("[附件2] 表：宿城区托育方面主要指标分解表（23行）") for line in lines)


def test_bad_files_give_a_one_line_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "data.bin"
    binary.write_bytes(b"\x00\x01\x02binary")
    for path, message in [(empty, "empty"), (binary, "binary")]:
        result = CliRunner().invoke(main, ["parse", str(path)])
        assert result.exit_code == 1
        assert message in result.output and "Traceback" not in result.output
    missing = CliRunner().invoke(main, ["meta", str(tmp_path / "missing.txt")])
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_the_installed_script_runs() -> None:
    script = shutil.which("policy-qa", path=str(Path(sys.executable).parent))
    assert script, "policy-qa is not installed beside this Python"
    completed = subprocess.run([script, "meta", str(RUGAO)], capture_output=True, text=True,
                               check=True)
    assert json.loads(completed.stdout)["number"] == "皋政发〔2023〕4号"
