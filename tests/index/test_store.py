"""The index folder: build, round trip, and refusal of mismatched or tampered folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from corpus import DEFAULT_FOLDER
from index.analysis import Analyzer
from index.errors import IndexMismatch, IndexNotFound
from index.records import sentence_texts
from index.store import PolicyIndex, corpus_hash
from tests.index.fakes import HashEncoder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[PolicyIndex, Path, Analyzer]:
    root = tmp_path_factory.mktemp("index")
    analyzer = Analyzer(root / "cache" / "jieba")
    index = PolicyIndex.build(DEFAULT_FOLDER, root / "index", HashEncoder(), analyzer, root / "cache")
    return index, root, analyzer


def test_build_writes_a_self_describing_folder(built: tuple[PolicyIndex, Path, Analyzer]) -> None:
    index, root, _ = built
    folder = index.folder  # the published version: var/index/versions/<id>, pointed at by current
    assert (root / "index" / "current").resolve() == folder.resolve()
    assert folder.parent.name == "versions" and index.version == folder.name
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {"manifest.json", "documents.json", "provisions.sqlite", "vectors.npy", "indicators.jsonl",
            "sentences.npy", "owners.npy", "bm25/vocab.index.json", "bm25/params.index.json"} <= names
    assert "ann.faiss" not in names  # a small corpus is searched exactly
    assert not any(name.endswith((".pkl", ".pickle")) for name in names)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format_version"] == 6
    assert manifest["encoder"] == {"name": "hash-bigrams-64", "dimension": 64, "spec": "hash-bigrams-64"}
    assert manifest["corpus"]["hash"] == corpus_hash(DEFAULT_FOLDER)
    assert manifest["counts"]["provisions"] == len(index.provisions) == 502
    # Long provisions' sentences have vectors of their own, under their provision's row.
    long_rows = {row for row, p in enumerate(index.provisions) if sentence_texts(p, index.document_of(p))}
    assert manifest["counts"]["sentences"] == len(index.dense.owners) > len(long_rows) > 50
    assert set(index.dense.owners.tolist()) == long_rows
    assert set(manifest["checksums"]) == names - {"manifest.json"}


def test_round_trip(built: tuple[PolicyIndex, Path, Analyzer]) -> None:
    index, root, analyzer = built
    loaded = PolicyIndex.load(root / "index", HashEncoder(), analyzer)
    assert list(loaded.provisions) == list(index.provisions) and len(loaded.provisions) == 502
    assert loaded.documents == index.documents
    assert loaded.outline("jiangsu-2021") == index.outline("jiangsu-2021")
    assert loaded.outline("jiangsu-2021")[2].children[1].label == "（十一）"
    for row in (0, 250, 501):
        provision = loaded.provisions[row]
        assert loaded.key_of(provision.id) == row and loaded.provisions[row] == provision
    assert loaded.key_of("nope:一") is None
    # The indicators read at build time come back, by document, with every value's provision.
    assert loaded.indicators() == index.indicators() and len(loaded.indicators()) > 100
    rugao = {i.name: i for i in loaded.indicators(["rugao-2023"])}
    assert rugao["护理型床位数占养老机构床位比例（%）"].target().value == 75  # type: ignore[union-attr]
    assert {i.document_id for i in loaded.indicators(["rugao-2023", "lianshui-2022"])} == {
        "rugao-2023", "lianshui-2022"}
    assert loaded.indicators(["nope"]) == []
    with pytest.raises(IndexError):
        loaded.provisions[502]
    # Every document's provisions are its range of rows, in document order.
    for document_id, (start, end) in loaded.document_rows.items():
        provisions = loaded.provisions_of(document_id)
        assert len(provisions) == end - start == loaded.provision_counts[document_id]
        assert {p.document_id for p in provisions} == {document_id}
        assert [p.start for p in provisions if p.kind.value == "clause"] == sorted(
            p.start for p in provisions if p.kind.value == "clause")
    vector = HashEncoder().encode_queries(["托育服务用房"])[0]
    assert loaded.dense.search(vector, 5) == index.dense.search(vector, 5)
    tokens = analyzer.tokens("每百户托育服务用房")
    assert loaded.lexical.search(tokens, 5) == index.lexical.search(tokens, 5)
    (start, end), = loaded.own(["宿城区"])
    assert end > start and all(loaded.provisions[r].document_id == "suicheng-2023" for r in range(start, end))


def test_rows_are_laid_out_by_place(built: tuple[PolicyIndex, Path, Analyzer]) -> None:
    """The province comes before its cities and counties, and each place's subtree is one range."""
    index, _, _ = built
    order = list(index.document_rows)
    assert order[0] == "jiangsu-2021" and order[-1] == "suizhou-2022"  # 江苏省 < its places < 湖北省
    starts = [start for start, _ in index.document_rows.values()]
    assert starts == sorted(starts) and starts[0] == 0
    jiangsu = index.places.subtree(("全国", "江苏省"))
    (first, last), = jiangsu
    assert {index.provisions[r].document_id for r in (first, last - 1)} == {"jiangsu-2021", "lianshui-2022"}
    assert index.places.own(("全国", "江苏省", "南通市", "如皋市")) == (index.document_rows["rugao-2023"],)
    assert index.places.subtree(("全国", "江苏省", "南通市")) == (index.document_rows["rugao-2023"],)
    assert index.places.own(("全国", "江苏省", "南通市")) == ()


def test_rebuild_reencodes_nothing_when_the_corpus_is_unchanged(
        built: tuple[PolicyIndex, Path, Analyzer]) -> None:
    _, root, analyzer = built
    encoder = HashEncoder()
    again = PolicyIndex.build(DEFAULT_FOLDER, root / "again", encoder, analyzer, root / "cache")
    assert encoder.passages_encoded == 0
    assert again.manifest["counts"]["encoded"] == 0  # type: ignore[index]


def _copy(root: Path, name: str) -> Path:
    """A copy of the published version's folder, loadable on its own."""
    target = root / "copies" / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree((root / "index" / "current").resolve(), target)
    return target


def test_load_refuses_what_does_not_match(built: tuple[PolicyIndex, Path, Analyzer], tmp_path: Path) -> None:
    _, root, analyzer = built
    with pytest.raises(IndexNotFound, match="policy-qa build"):
        PolicyIndex.load(tmp_path / "nothing", HashEncoder(), analyzer)

    class OtherEncoder(HashEncoder):
        name = "another-model"

    with pytest.raises(IndexMismatch, match="built with encoder hash-bigrams-64"):
        PolicyIndex.load(root / "index", OtherEncoder(), analyzer)

    dictionary = tmp_path / "dict.txt"
    dictionary.write_text("托位 50000\n", encoding="utf-8")
    with pytest.raises(IndexMismatch, match="analyzer"):
        PolicyIndex.load(root / "index", HashEncoder(), Analyzer(tmp_path / "j", dictionary=dictionary))

    folder = _copy(root, "copy")
    with (folder / "provisions.sqlite").open("ab") as handle:
        handle.write(b"\n")
    with pytest.raises(IndexMismatch, match=r"provisions\.sqlite"):
        PolicyIndex.load(folder, HashEncoder(), analyzer)

    old = _copy(root, "old")
    manifest = json.loads((old / "manifest.json").read_text(encoding="utf-8"))
    manifest["format_version"] = 0
    (old / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexMismatch, match="format 0"):
        PolicyIndex.load(old, HashEncoder(), analyzer)


def test_a_failed_build_leaves_the_old_index(built: tuple[PolicyIndex, Path, Analyzer],
                                            tmp_path: Path) -> None:
    _, root, analyzer = built
    target = tmp_path / "index"
    shutil.copytree(root / "index", target, symlinks=True)

    class Broken(HashEncoder):
        name = "broken"

        def encode_passages(self, texts):  # type: ignore[no-untyped-def]
            raise RuntimeError("encoder crashed")

    with pytest.raises(RuntimeError):
        PolicyIndex.build(DEFAULT_FOLDER, target, Broken(), analyzer, tmp_path / "cache")
    assert PolicyIndex.load(target, HashEncoder(), analyzer).manifest["counts"]["provisions"] == 502  # type: ignore[index]
    assert PolicyIndex.load(target, HashEncoder(), analyzer).own(["江苏省"])


def test_parsing_in_worker_processes_gives_the_same_index(
        built: tuple[PolicyIndex, Path, Analyzer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from index import parsing

    serial, _, _ = built
    monkeypatch.setattr(parsing, "PARALLEL_FROM", 1)  # five documents: two worker processes
    analyzer = Analyzer(tmp_path / "cache" / "jieba")
    parallel = PolicyIndex.build(DEFAULT_FOLDER, tmp_path / "index", HashEncoder(), analyzer,
                                 tmp_path / "cache")
    assert parallel.manifest["counts"]["parsed"] == 5  # type: ignore[index]
    assert list(parallel.provisions) == list(serial.provisions)
    assert parallel.document_rows == serial.document_rows
    tokens = analyzer.tokens("每百户托育服务用房")
    assert parallel.lexical.search(tokens, 10) == serial.lexical.search(tokens, 10)
