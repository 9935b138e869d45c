"""The working corpus from the command line: add, list, remove, and bad input that changes nothing."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from corpus import CorpusFolder
from tests.conftest import DATA, REALDOCS

FIXTURES = DATA / "fixtures"
PORTAL = REALDOCS / "gz-jujia-shequ-yanglao-banfa-2022.html"
CRAWLED = REALDOCS / "jx-tuoyu-shishiyijian-2020.txt"
needs_realdocs = pytest.mark.skipif(not REALDOCS.is_dir(),
                                    reason="shared/realdocs is not beside this checkout")


def run(*args: str) -> tuple[int, list[str], str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout.splitlines(), result.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@needs_realdocs
def test_add_list_replace_and_remove(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    code, lines, _ = run("add", str(PORTAL), str(CRAWLED), "--corpus", str(corpus))
    assert code == 0
    portal, crawled = (json.loads(line) for line in lines)
    assert portal["status"] == "added" and portal["format"] == "html"
    assert (portal["title"], portal["number"], portal["jurisdiction"], portal["level"]) == (
        "广州市居家社区养老服务管理办法", "穗府办规〔2022〕13号", "广州市", "prefecture")
    assert portal["issuers"] == ["广州市人民政府办公厅"] and portal["provisions"] > 50
    assert portal["id"].startswith("guangzhou-2022-")
    assert (crawled["jurisdiction"], crawled["format"]) == ("江西省", "text")
    assert crawled["written"] == "2020-02-21"
    # The working corpus started from the default documents.
    code, listed, _ = run("list", "--corpus", str(corpus), "--json")
    ids = [json.loads(line)["id"] for line in listed]
    assert code == 0 and len(ids) == 7 and {"rugao-2023", portal["id"], crawled["id"]} <= set(ids)
    code, table, _ = run("list", "--corpus", str(corpus))
    assert any(line.startswith(portal["id"] + "\t广州市\thtml\t") for line in table)
    # The same bytes again change nothing; a changed version replaces the document under its id.
    before = snapshot(corpus)
    code, again, _ = run("add", str(PORTAL), "--corpus", str(corpus))
    assert code == 0 and json.loads(again[0])["status"] == "unchanged"
    assert snapshot(corpus) == before
    changed = tmp_path / "revised.txt"
    changed.write_bytes(CRAWLED.read_bytes() + "\r\n补充说明。\r\n".encode())
    code, replaced, _ = run("add", str(changed), "--corpus", str(corpus))
    record = json.loads(replaced[0])
    assert code == 0 and record["status"] == "replaced" and record["id"] == crawled["id"]
    assert len(CorpusFolder(corpus).files()) == 7
    # A rendition is stored beside every original that is not plain text.
    name = Path(portal["file"]).name
    assert (corpus / "renditions" / f"{name}.txt").is_file()
    assert json.loads((corpus / "renditions" / f"{name}.json").read_text(encoding="utf-8"))["sha256"]
    # Unknown ids remove nothing; known ones remove the original and its rendition.
    code, _, error = run("remove", portal["id"], "nope-2020-000000", "--corpus", str(corpus))
    assert code == 1 and "nope-2020-000000" in error and len(CorpusFolder(corpus).files()) == 7
    code, out, _ = run("remove", portal["id"], "--corpus", str(corpus))
    assert code == 0 and out == [f"removed {portal['id']}"]
    assert not (corpus / "documents" / name).exists()
    assert not (corpus / "renditions" / f"{name}.txt").exists()


@needs_realdocs
def test_a_folder_adds_every_file_under_it(tmp_path: Path) -> None:
    source = tmp_path / "inbox"
    (source / "portal").mkdir(parents=True)
    shutil.copy(PORTAL, source / "portal" / PORTAL.name)
    shutil.copy(REALDOCS / "guizhou-nongcun-zhifu-xingdong-fangan-2026.md", source / "plan.md")
    (source / ".hidden.txt").write_text("不读隐藏文件", encoding="utf-8")
    (source / "notes.txt").write_text("Notes for the team: nothing to read here.\n", encoding="utf-8")
    code, lines, error = run("add", str(source), "--corpus", str(tmp_path / "corpus"))
    assert code == 1  # one file is not a policy document
    assert [json.loads(line)["jurisdiction"] for line in lines] == ["贵州省", "广州市"]
    assert error.count("Error:") == 1 and "notes.txt" in error and "not a policy document" in error
    assert error.strip().splitlines()[-1] == "2 added, 1 failed"


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


BAD_INPUTS = {
    "empty.txt": (b"", "empty"),
    "scan.png": (b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG image"),
    "table.xlsx": (_zip({"xl/workbook.xml": b"<workbook/>", "[Content_Types].xml": b"<Types/>"}),
                   "Excel workbook"),
    "broken.docx": ((FIXTURES / "not-a-zip.docx").read_bytes(),
                    "named .docx but its content is an HTML page"),
    "noise.docx": (bytes(range(256)) * 40, "named .docx but its content is binary data"),
    "noplace.txt": ("关于加强养老服务的通知\n各单位：\n一、总体要求\n（一）加强服务。"
                    "各单位要认真落实养老服务工作，提高服务质量，保障老年人合法权益。\n".encode(),
                    "pass --jurisdiction"),
    "list.html": ((DATA / "html" / "list-page.html").read_bytes(), "no article"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_and_leaves_the_corpus_as_it_was(tmp_path: Path, name: str) -> None:
    corpus = tmp_path / "corpus"
    CorpusFolder.working(corpus)
    before = snapshot(corpus)
    data, fragment = BAD_INPUTS[name]
    path = tmp_path / name
    path.write_bytes(data)
    code, out, error = run("add", str(path), "--corpus", str(corpus))
    assert code == 1 and out == []
    assert len(error.strip().splitlines()) == 1 and fragment in error, error
    assert "Traceback" not in error
    assert snapshot(corpus) == before


@pytest.mark.parametrize(("fixture", "fragment"), [
    ("jx-tuoyu-encrypted.pdf", "password"),
    ("jx-tuoyu-scanned.pdf", "no text layer: this is a scan"),
    ("gz-jujia-shequ-yanglao-banfa-2022-encrypted.docx", "password"),
])
def test_protected_and_scanned_files_are_refused(tmp_path: Path, fixture: str, fragment: str) -> None:
    corpus = tmp_path / "corpus"
    CorpusFolder.working(corpus)
    before = snapshot(corpus)
    code, _, error = run("add", str(FIXTURES / fixture), "--corpus", str(corpus))
    assert code == 1 and fragment in error.lower() and len(error.strip().splitlines()) == 1
    assert snapshot(corpus) == before


def test_a_zip_bomb_and_an_oversized_file_are_refused(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    CorpusFolder.working(corpus)
    before = snapshot(corpus)
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("word/document.xml", "w") as part:
            chunk = bytes(1 << 20)
            for _ in range(300):  # 300 MiB of zeros, about 300 KB compressed
                part.write(chunk)
    code, _, error = run("add", str(bomb), "--corpus", str(corpus))
    assert code == 1 and "zip bomb" in error
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(51 * 1024 * 1024)
    code, _, error = run("add", str(huge), "--corpus", str(corpus))
    assert code == 1 and "the limit is" in error and "50 MiB" in error
    assert snapshot(corpus) == before


def test_jurisdiction_option_places_a_document_its_text_does_not(tmp_path: Path) -> None:
    path = tmp_path / "notice.txt"
    path.write_bytes(BAD_INPUTS["noplace.txt"][0])
    code, lines, _ = run("add", str(path), "--corpus", str(tmp_path / "corpus"), "--jurisdiction", "广州市")
    record = json.loads(lines[0])
    assert code == 0 and (record["jurisdiction"], record["level"]) == ("广州市", "prefecture")
    assert record["id"].startswith("guangzhou-")
    # The choice is kept with the document: loading it again places it the same way.
    document = next(d for d in CorpusFolder(tmp_path / "corpus").load_all() if d.id == record["id"])
    assert document.meta.jurisdiction == "广州市"
    code, _, error = run("add", str(path), "--corpus", str(tmp_path / "other"), "--jurisdiction", "火星市")
    assert code == 1 and "火星市" in error


def test_national_documents_are_level_national(tmp_path: Path) -> None:
    code, lines, _ = run("add", str(DATA / "national" / "shehui-baoxian-fa-2018.md"),
                         "--corpus", str(tmp_path / "corpus"))
    record = json.loads(lines[0])
    assert code == 0 and (record["jurisdiction"], record["level"]) == ("全国", "national")
    assert record["issuers"] == ["全国人民代表大会常务委员会"] and record["id"].startswith("china-2010-")


def test_a_corpus_path_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "corpus"
    path.write_text("x", encoding="utf-8")
    code, _, error = run("list", "--corpus", str(path))
    assert code == 1 and "is not a folder" in error


@needs_realdocs
def test_text_and_meta_read_any_format() -> None:
    code, lines, _ = run("text", str(PORTAL))
    assert code == 0 and lines[0] == "穗府办规〔2022〕13号" and "分享到" not in "\n".join(lines)
    code, lines, _ = run("meta", str(PORTAL))
    meta = json.loads(lines[0])
    assert {"title", "number", "issuer", "issuers", "jurisdiction", "level", "parents", "published",
            "written", "effective", "expires", "format", "encoding", "provisions", "tables",
            "warnings"} <= set(meta)
    assert (meta["effective"], meta["expires"]) == ("2022-09-13", "2027-09-12")
