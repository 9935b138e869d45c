"""Resolving a citation as people write it: 苏政办发〔2021〕75号（十一）, 《如皋市“一老一小”整体
解决方案》四（二）3, 皋政发〔2023〕4号 附件2, 宿城区促进养老托育服务高质量发展实施方案附件2第8行.

The document is named by its 文号, its title (with or without 《》) or its id; the rest is a
citation label. A label that names a heading rather than a provision (四（二）, 附件2) resolves
to every provision under it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from corpus import Provision
from index.backend import SearchBackend
from index.records import DocumentRecord
from qa.results import citation


class CitationNotFound(LookupError):
    """The citation did not resolve; ``part`` says which part failed: document or label."""

    def __init__(self, part: str, message: str) -> None:
        super().__init__(message)
        self.part = part


@dataclass(frozen=True)
class Resolution:
    document: DocumentRecord
    label: str  # the label as normalised for matching ("" for the whole document)
    provisions: tuple[Provision, ...]

    def to_json(self, reference: str) -> dict[str, object]:
        return {"reference": reference, "document": self.document.to_json(), "label": self.label,
                "provisions": [p.to_json() for p in self.provisions],
                "citations": [citation(self.document, p.label) for p in self.provisions]}


_BRACKETS = str.maketrans({"(": "（", ")": "）", "[": "〔", "]": "〕", "［": "〔", "］": "〕"})


def normalise_label(label: str) -> str:
    """Spaces out, brackets full-width, ASCII digits: 附件2 第8行 → 附件2第8行, (十一) → （十一）."""
    text = unicodedata.normalize("NFKC", label).translate(_BRACKETS)
    text = text.replace("(", "（").replace(")", "）")
    return re.sub(r"\s+", "", text).strip("，,。.、：:")


def resolve(index: SearchBackend, reference: str) -> Resolution:
    """Find the provisions a citation points at.

    Raises:
        CitationNotFound: no document matches (``part`` "document") or the document has no such
            label (``part`` "label").
    """
    reference = reference.strip()
    if not reference:
        raise CitationNotFound("document", "the citation is empty")
    document, rest = _document(index, reference)
    label = normalise_label(rest)
    provisions = index.provisions_of(document.id)
    if not label:
        return Resolution(document, "", tuple(provisions))
    exact = [p for p in provisions if normalise_label(p.label) == label]
    if exact:
        return Resolution(document, label, tuple(exact))
    # A heading's label: every provision whose label continues it (四（二） → 四（二）1, 四（二）2…).
    under = [p for p in provisions if normalise_label(p.label).startswith(label)
             and _continues(normalise_label(p.label), label)]
    if under:
        return Resolution(document, label, tuple(under))
    raise CitationNotFound("label", f"《{document.title}》 has no provision labelled {rest.strip()!r}")


def _continues(full: str, prefix: str) -> bool:
    """四（二）3 continues 四（二）; 十一 does not continue 十 (（十一） vs （十）)."""
    if len(full) == len(prefix):
        return True
    following = full[len(prefix)]
    previous = prefix[-1]
    digits = "0123456789"
    numerals = "一二三四五六七八九十百零"
    return not ((previous in digits and following in digits)
                or (previous in numerals and following in numerals))


def _document(index: SearchBackend, reference: str) -> tuple[DocumentRecord, str]:
    compact = normalise_label(reference)
    best: tuple[int, DocumentRecord, str] | None = None
    for document in index.documents.values():
        names = [document.number or "", f"《{document.title}》", document.title, document.id]
        for name in names:
            key = normalise_label(name)
            if key and key in compact:
                start = compact.index(key)
                if start == 0 or compact[:start] in ("《", ""):
                    rest = compact[start + len(key):]
                    if best is None or len(key) > best[0]:
                        best = (len(key), document, rest)
    if best is None:
        raise CitationNotFound("document", f"no document in the corpus matches {reference!r}: "
                                           "give its 文号 (e.g. 苏政办发〔2021〕75号) or its title")
    rest = best[2]
    if rest.startswith("》"):
        rest = rest[1:]
    return best[1], rest
