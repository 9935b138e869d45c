"""Give every question of an evaluation set a fixed split: ``dev`` (tune on it) or ``test`` (only score).

Within each kind, questions are ordered by a hash of their id and the first half goes to dev, the
rest (the larger half when odd) to test, so a split never depends on the order of the lines or
on what is measured. A question that already has a split keeps it: adding questions to a set
never moves old ones between the parts.

    .venv/bin/python tools/split_eval.py qa/eval/public.jsonl [qa/eval/citizens.jsonl …]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import defaultdict
from pathlib import Path

SPLITS = ("dev", "test")


def assign(rows: list[dict[str, object]]) -> None:
    """Set ``split`` on the rows that have none, half per kind by hash order."""
    by_kind: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        by_kind[str(row.get("kind", ""))].append(row)
    for members in by_kind.values():
        counts = {split: sum(1 for r in members if r.get("split") == split) for split in SPLITS}
        fresh = sorted((r for r in members if r.get("split") not in SPLITS),
                       key=lambda r: hashlib.sha256(str(r["id"]).encode()).hexdigest())
        for row in fresh:
            # The part with fewer questions takes the next one; test wins ties.
            split = "dev" if counts["dev"] < counts["test"] else "test"
            row["split"] = split
            counts[split] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    for path in parser.parse_args().files:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        rows = [json.loads(line) for line in lines]
        assign(rows)
        path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
        tally = defaultdict(int)
        for row in rows:
            tally[row["split"]] += 1
        print(f"{path}: {dict(tally)}")


if __name__ == "__main__":
    main()
