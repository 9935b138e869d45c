"""Ingestion quality on real documents: metadata fields right, sampled provisions found verbatim
under the right label, clauses whose offsets do not re-read their text, and page chrome.

Usage::

    .venv/bin/python bench/ingestion.py                      # ../shared/realdocs + the fixtures
    .venv/bin/python bench/ingestion.py --docs DIR --expected FILE [--json]

The expectations file (default ``tests/data/realdocs/expected.json``) maps a file, relative to
``--docs`` (or ``fixtures/NAME`` for a fixture under ``tests/data/fixtures``), to what a reader of
the document finds in it: ``metadata`` (title, number, issuers, jurisdiction, level, written,
published, effective, expires; null where the document does not say) and a sample of
``provisions`` (``label`` as people cite it, ``contains``: a verbatim phrase of its text). A
fixture made from a real document names it with ``same_as`` and lists the fields that differ in
its ``metadata``. The expectations were written by reading the documents, not the parser's output.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus import Kind, parse_rendition  # noqa: E402
from corpus.errors import CorpusError  # noqa: E402
from corpus.readers import read_path  # noqa: E402

FIELDS = ("title", "number", "issuers", "jurisdiction", "level", "written", "published", "effective",
          "expires")
# Text that belongs to a portal page or a printed page, never to a provision.
CHROME = ("扫一扫", "分享到", "网站标识码", "版权所有", "ICP备", "当前位置", "返回顶部", "关闭窗口",
          "相关新闻", "打印本页", "字号：", "浏览次数", "责任编辑", "公网安备")
_PAGE_NUMBER_LINE = re.compile(r"(?m)^\s*[-—–]\s*\d{1,3}\s*[-—–]\s*$")


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def measure(path: Path, expected: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        rendition = read_path(path)
        document = parse_rendition(rendition, "doc")
    except CorpusError as error:
        return {"error": str(error)}
    meta = document.meta.to_json()
    fields = {}
    for field in FIELDS:
        if field not in expected["metadata"]:
            continue
        want, got = expected["metadata"][field], meta.get(field)
        if field == "issuers":
            want, got = sorted(want or []), sorted(got or [])
        fields[field] = (want == got, want, got)
    labels: dict[str, list[str]] = {}
    for provision in document.provisions:
        labels.setdefault(compact(provision.label), []).append(compact(provision.text))
    found = []
    for sample in expected.get("provisions", []):
        texts = labels.get(compact(sample["label"]), [])
        found.append((any(compact(sample["contains"]) in text for text in texts), sample))
    offsets = sum(1 for p in document.provisions
                  if p.kind is Kind.CLAUSE and rendition.text[p.start:p.end] != p.text)
    chrome = [(p.label, marker) for p in document.provisions for marker in CHROME if marker in p.text]
    chrome += [(p.label, "page number") for p in document.provisions if _PAGE_NUMBER_LINE.search(p.text)]
    return {"format": rendition.format, "provisions": len(document.provisions), "fields": fields,
            "found": found, "offset_failures": offsets, "chrome": chrome,
            "seconds": time.perf_counter() - started}


def expectations(path: Path) -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    resolved = {}
    for name, entry in data.items():
        if "same_as" in entry:
            base = data[entry["same_as"]]
            entry = {"metadata": {**base["metadata"], **entry.get("metadata", {})},
                     "provisions": entry.get("provisions", base["provisions"])}
        resolved[name] = entry
    return resolved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=ROOT.parent / "shared" / "realdocs")
    parser.add_argument("--fixtures", type=Path, default=ROOT / "tests" / "data" / "fixtures")
    parser.add_argument("--expected", type=Path,
                        default=ROOT / "tests" / "data" / "realdocs" / "expected.json")
    parser.add_argument("--json", action="store_true", help="print the per-file results as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args()
    expected = expectations(args.expected)
    print(f"documents: {args.docs}; fixtures: {args.fixtures}; expectations: {args.expected} "
          f"({len(expected)} files, written by reading the documents)\n")
    results = {}
    for name, entry in expected.items():
        fixture = name.startswith("fixtures/")
        path = args.fixtures / name.removeprefix("fixtures/") if fixture else args.docs / name
        if not path.is_file():
            print(f"{name}: missing, skipped")
            continue
        results[name] = measure(path, entry)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, default=str, indent=1))
        return
    totals = {"fields": [0, 0], "found": [0, 0], "offsets": 0, "chrome": 0, "errors": 0}
    print(f"{'file':58} {'format':8} {'metadata':>9} {'labels':>9} {'offsets':>7} {'chrome':>6} {'s':>5}")
    for name, result in results.items():
        if "error" in result:
            totals["errors"] += 1
            print(f"{name:58} error: {result['error']}")
            continue
        right = sum(ok for ok, _, _ in result["fields"].values())
        hits = sum(ok for ok, _ in result["found"])
        totals["fields"][0] += right
        totals["fields"][1] += len(result["fields"])
        totals["found"][0] += hits
        totals["found"][1] += len(result["found"])
        totals["offsets"] += result["offset_failures"]
        totals["chrome"] += len(result["chrome"])
        print(f"{name:58} {result['format']:8} {right:>4}/{len(result['fields']):<4} "
              f"{hits:>4}/{len(result['found']):<4} {result['offset_failures']:>7} "
              f"{len(result['chrome']):>6} {result['seconds']:5.1f}")
        if args.verbose:
            for field, (ok, want, got) in result["fields"].items():
                if not ok:
                    print(f"    metadata {field}: expected {want!r}, got {got!r}")
            for ok, sample in result["found"]:
                if not ok:
                    print(f"    provision {sample['label']!r} with {sample['contains']!r}: not found")
            for label, marker in result["chrome"]:
                print(f"    chrome {marker!r} in {label}")
    fields, found = totals["fields"], totals["found"]
    print(f"\nmetadata fields right: {fields[0]}/{fields[1]} = {fields[0] / max(1, fields[1]):.3f}")
    print(f"sampled provisions found verbatim under the right label: {found[0]}/{found[1]} = "
          f"{found[0] / max(1, found[1]):.3f}")
    print(f"clauses failing text == rendition[start:end]: {totals['offsets']}")
    print(f"provisions holding page chrome: {totals['chrome']}; "
          f"files that failed to read: {totals['errors']}")


if __name__ == "__main__":
    main()
