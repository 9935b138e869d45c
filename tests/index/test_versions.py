"""Index versions: builds publish atomically, keep a few versions, clean up after killed builds,
and a build killed by SIGKILL at any moment leaves the published version loadable."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpus import DEFAULT_FOLDER, CorpusFolder
from index.analysis import Analyzer
from index.store import PolicyIndex
from index.versions import CURRENT, STAGING_PREFIX, IndexRoot
from tests.index.fakes import HashEncoder

ROOT = Path(__file__).resolve().parents[2]


def test_each_build_is_a_new_version_and_the_oldest_are_pruned(tmp_path: Path) -> None:
    analyzer = Analyzer(tmp_path / "jieba")
    ids = []
    for _ in range(4):
        index = PolicyIndex.build(DEFAULT_FOLDER, tmp_path / "index", HashEncoder(), analyzer,
                                  tmp_path / "cache")
        ids.append(index.version)
        assert IndexRoot(tmp_path / "index").current_id() == index.version
    assert len(set(ids)) == 4 and ids == sorted(ids)
    kept = sorted(p.name for p in (tmp_path / "index" / "versions").iterdir())
    assert kept == ids[1:]  # the published one and the two before it
    # The second build parsed nothing again and encoded nothing again.
    assert index.manifest["counts"]["parsed"] == 0 and index.manifest["counts"]["encoded"] == 0  # type: ignore[index]


def test_only_the_changed_document_is_parsed_and_encoded_again(tmp_path: Path) -> None:
    corpus = CorpusFolder.working(tmp_path / "corpus")
    analyzer = Analyzer(tmp_path / "jieba")
    PolicyIndex.build(corpus.path, tmp_path / "index", HashEncoder(), analyzer, tmp_path / "cache")
    name = "suizhou-2022-yilao-yixiao.txt"
    path = corpus.documents_dir / name
    path.write_bytes(path.read_bytes() + "\n（此件公开发布）\n".encode())
    encoder = HashEncoder()
    index = PolicyIndex.build(corpus.path, tmp_path / "index", encoder, analyzer, tmp_path / "cache")
    counts = index.manifest["counts"]
    assert counts["parsed"] == 1  # type: ignore[index]
    assert encoder.passages_encoded <= 2  # the provisions whose text changed, nothing else


def test_leftovers_of_killed_builds_are_removed(tmp_path: Path) -> None:
    root = IndexRoot(tmp_path / "index")
    PolicyIndex.build(DEFAULT_FOLDER, root.path, HashEncoder(), Analyzer(tmp_path / "jieba"),
                      tmp_path / "cache")
    (root.versions / f"{STAGING_PREFIX}20260101T000000Z-dead00").mkdir()
    (root.path / f".{CURRENT}-cafe").symlink_to("versions/nowhere")
    root.clean_leftovers()
    assert [p.name for p in root.versions.iterdir()] == [root.current_id()]
    assert not list(root.path.glob(f".{CURRENT}-*"))


BUILD = """
import sys, time
from pathlib import Path
from index.analysis import Analyzer
from index.store import PolicyIndex
from tests.index.fakes import HashEncoder

class Slow(HashEncoder):
    def encode_passages(self, texts):
        time.sleep(0.002 * len(texts))  # long enough for a kill to land while encoding
        return super().encode_passages(texts)

root, corpus, cache = map(Path, sys.argv[1:4])
PolicyIndex.build(corpus, root, Slow(), Analyzer(cache / "jieba"), cache)
print("published", flush=True)
"""


@pytest.mark.slow
def test_builds_killed_at_random_moments_never_break_the_published_index(tmp_path: Path) -> None:
    root = tmp_path / "index"
    analyzer = Analyzer(tmp_path / "jieba")
    first = PolicyIndex.build(DEFAULT_FOLDER, root, HashEncoder(), analyzer, tmp_path / "warm")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def start(cache: Path) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-c", BUILD, str(root), str(DEFAULT_FOLDER), str(cache)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    started = time.monotonic()
    full = start(tmp_path / "cache-timing")
    full.communicate(timeout=300)
    duration = time.monotonic() - started
    assert full.returncode == 0
    generator = random.Random(20261123)
    killed = 0
    for attempt in range(20):
        # A fresh cache each time, so that every phase (parsing, encoding, writing, publishing)
        # is where a kill may land.
        process = start(tmp_path / f"cache-{attempt}")
        time.sleep(generator.uniform(0.05, duration))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait(timeout=60)
        loaded = PolicyIndex.load(root, HashEncoder(), analyzer)  # must always load
        assert loaded.manifest["counts"]["provisions"] == first.manifest["counts"]["provisions"]  # type: ignore[index]
    assert killed >= 10, f"only {killed} of 20 builds were still running when killed"
    # The next build cleans up whatever the killed ones left.
    PolicyIndex.build(DEFAULT_FOLDER, root, HashEncoder(), analyzer, tmp_path / "warm")
    assert not [p for p in (root / "versions").iterdir() if p.name.startswith(STAGING_PREFIX)]


PHASED = """
import sys, time
from pathlib import Path
import index.parsing as parsing
from index.encoders import EmbeddingCache
from index.versions import IndexRoot
from index.analysis import Analyzer
from index.store import PolicyIndex
from tests.index.fakes import HashEncoder

def announce(name, function):
    def wrapped(*args, **kwargs):
        print(name, flush=True)
        time.sleep(0.05)  # a window for the kill to land inside this phase
        return function(*args, **kwargs)
    return wrapped

parsing._parse_cached = announce("parsing", parsing._parse_cached)
EmbeddingCache._save = announce("cache-write", EmbeddingCache._save)
IndexRoot.publish = announce("publishing", IndexRoot.publish)
HashEncoder.encode_passages = announce("encoding", HashEncoder.encode_passages)
root, corpus, cache = map(Path, sys.argv[1:4])
PolicyIndex.build(corpus, root, HashEncoder(), Analyzer(cache / "jieba"), cache)
print("published", flush=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["parsing", "encoding", "cache-write", "publishing"])
def test_builds_killed_in_every_phase(tmp_path: Path, phase: str) -> None:
    """Eight kills inside each phase of a build (32 in all): the published version always loads,
    and the next build succeeds."""
    root = tmp_path / "index"
    analyzer = Analyzer(tmp_path / "jieba")
    first = PolicyIndex.build(DEFAULT_FOLDER, root, HashEncoder(), analyzer, tmp_path / "warm")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    generator = random.Random(phase)
    for attempt in range(8):
        cache = tmp_path / f"cache-{attempt}"
        if phase == "publishing" and attempt % 2:
            cache = tmp_path / "warm"  # with a warm cache the build reaches publishing at once
        process = subprocess.Popen([sys.executable, "-c", PHASED, str(root), str(DEFAULT_FOLDER), str(cache)],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert process.stdout is not None
        for line in process.stdout:
            if line.strip() == phase:
                time.sleep(generator.uniform(0, 0.05))
                process.send_signal(signal.SIGKILL)
                break
        process.wait(timeout=120)
        assert process.returncode == -signal.SIGKILL, f"the build ended before {phase}"
        loaded = PolicyIndex.load(root, HashEncoder(), analyzer)
        assert loaded.manifest["counts"]["provisions"] == first.manifest["counts"]["provisions"]  # type: ignore[index]
        # A build after the kill, with the cache the killed one was writing, succeeds.
        PolicyIndex.build(DEFAULT_FOLDER, root, HashEncoder(), analyzer, cache)


def test_a_full_disk_fails_the_build_in_one_line_and_keeps_the_published_version(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from click.testing import CliRunner

    import index.store
    from cli.main import main

    root = tmp_path / "index"
    PolicyIndex.build(DEFAULT_FOLDER, root, HashEncoder(), Analyzer(tmp_path / "cache" / "jieba"),
                      tmp_path / "cache")
    published = IndexRoot(root).current_id()
    corpus = CorpusFolder.working(tmp_path / "corpus")
    notice = "如皋市关于加强养老服务的通知\n一、总体要求\n（一）加强服务。各单位要认真落实养老服务工作。\n"
    (corpus.path / "documents" / "extra.txt").write_text(notice, encoding="utf-8")

    def full(*args: object, **kwargs: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", str(root))

    monkeypatch.setattr(index.store, "write_table", full)
    monkeypatch.setattr("index.encoders.create_encoder", lambda spec, device="cpu": HashEncoder())
    result = CliRunner().invoke(main, ["build", "--corpus", str(corpus.path), "--out", str(root),
                                       "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no space left" in result.stderr and "published index is unchanged" in result.stderr
    assert IndexRoot(root).current_id() == published
    assert not [p for p in (root / "versions").iterdir() if p.name.startswith(STAGING_PREFIX)]
