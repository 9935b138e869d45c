"""Rows laid out by place, so that a jurisdiction scope is a few ranges of rows, not a list.

A build puts documents in the order of their place's path from 全国 down, then by id::

    全国                      national laws and rules
    全国/江苏省               the province's own documents
    全国/江苏省/南通市        …
    全国/江苏省/南通市/如皋市

so every place's own provisions are one contiguous range of rows, and so is its subtree (the
place with every place inside it). The scope of a question asked for 如皋市 (the county, its
city, its province and 全国) is then at most four ranges, searched exactly; its descendants are
the subtree's range without the place's own; everything else is the complement. Ranges are
half-open ``(start, end)`` pairs, sorted and disjoint.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

PlacePath = tuple[str, ...]
Range = tuple[int, int]
Ranges = tuple[Range, ...]


def place_path(jurisdiction: str, parents: Sequence[str]) -> PlacePath:
    """The path of a document's place from 全国 down: its parents (nearest first) reversed,
    then the place itself. 全国 itself has no parents."""
    return (*reversed(parents), jurisdiction)


def merge(ranges: Iterable[Range]) -> Ranges:
    """Sorted, disjoint ranges covering the same rows; empty ranges dropped."""
    merged: list[list[int]] = []
    for start, end in sorted(r for r in ranges if r[1] > r[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


def subtract(ranges: Ranges, minus: Ranges) -> Ranges:
    """The rows of ``ranges`` that are not in ``minus``."""
    result: list[Range] = []
    for start, end in ranges:
        cursor = start
        for cut_start, cut_end in minus:
            if cut_end <= cursor or cut_start >= end:
                continue
            if cut_start > cursor:
                result.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
        if cursor < end:
            result.append((cursor, end))
    return merge(result)


def complement(ranges: Ranges, size: int) -> Ranges:
    """The rows of ``range(size)`` outside ``ranges``."""
    return subtract(((0, size),), ranges)


def count(ranges: Ranges) -> int:
    return sum(end - start for start, end in ranges)


class PlaceRows:
    """Where each place's rows are: its own provisions' range and its subtree's.

    Args:
        documents: ``(path, start, end)`` of every document, in row order.
        size: the number of rows.
    """

    def __init__(self, documents: Iterable[tuple[PlacePath, int, int]], size: int) -> None:
        self.size = size
        own: dict[PlacePath, list[Range]] = {}
        subtree: dict[PlacePath, list[int]] = {}
        previous: PlacePath | None = None
        for path, start, end in documents:
            if previous is not None and path < previous:
                raise ValueError(f"documents are not in place order: {'/'.join(path)} after "
                                 f"{'/'.join(previous)}")
            previous = path
            own.setdefault(path, []).append((start, end))
            for depth in range(1, len(path) + 1):
                bounds = subtree.setdefault(path[:depth], [start, end])
                bounds[0], bounds[1] = min(bounds[0], start), max(bounds[1], end)
        self._own = {path: merge(ranges) for path, ranges in own.items()}
        self._subtree = {path: ((start, end),) for path, (start, end) in subtree.items()}
        for path, ranges in self._own.items():
            if len(ranges) != 1:  # the order above makes this impossible; a damaged index might not
                raise ValueError(f"the rows of {'/'.join(path)} are not contiguous")

    def own(self, path: PlacePath) -> Ranges:
        """The rows of documents of exactly this place (none: an empty tuple)."""
        return self._own.get(path, ())

    def subtree(self, path: PlacePath) -> Ranges:
        """The rows of documents of this place and every place inside it."""
        return self._subtree.get(path, ())

    def paths(self) -> list[PlacePath]:
        """The places that have documents of their own."""
        return list(self._own)
