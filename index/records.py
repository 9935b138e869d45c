"""What an index keeps about a document, and the text of a provision its retrievers read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from corpus import Provision
from index.analysis import Analyzer


@dataclass(frozen=True)
class DocumentRecord:
    """What a search hit says about the document it comes from."""

    id: str
    file: str  # the original, relative to the corpus folder: documents/…
    rendition: str  # the text the offsets index, relative to the corpus folder
    title: str
    number: str | None
    issuers: tuple[str, ...]
    jurisdiction: str
    level: str
    parents: tuple[str, ...]
    published: str | None
    written: str | None = None
    effective: str | None = None
    expires: str | None = None
    format: str = "text"

    @property
    def issuer(self) -> str | None:
        return self.issuers[0] if self.issuers else None

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "file": self.file, "rendition": self.rendition, "title": self.title,
                "number": self.number, "issuer": self.issuer, "issuers": list(self.issuers),
                "jurisdiction": self.jurisdiction, "level": self.level, "parents": list(self.parents),
                "published": self.published, "written": self.written, "effective": self.effective,
                "expires": self.expires, "format": self.format}

    def summary(self) -> dict[str, object]:
        """The fields a search hit carries."""
        return {"id": self.id, "title": self.title, "number": self.number, "issuer": self.issuer,
                "issuers": list(self.issuers), "jurisdiction": self.jurisdiction, "level": self.level,
                "published": self.published, "effective": self.effective, "expires": self.expires,
                "format": self.format}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> DocumentRecord:
        return cls(raw["id"], raw["file"], raw["rendition"], raw["title"], raw["number"],
                   tuple(raw["issuers"]), raw["jurisdiction"], raw["level"], tuple(raw["parents"]),
                   raw["published"], raw.get("written"), raw.get("effective"), raw.get("expires"),
                   raw.get("format", "text"))


def lexical_tokens(analyzer: Analyzer, provision: Provision, document: DocumentRecord) -> list[str]:
    """A provision's text, then its heading path and document title as context."""
    return (analyzer.tokens(provision.text) + analyzer.tokens(" ".join(provision.path))
            + analyzer.tokens(document.title))


def passage_text(provision: Provision, document: DocumentRecord) -> str:
    """What the dense encoder reads: the provision with its document title and the nearest
    heading that is not the provision's own first line (an article's path ends with the article
    itself, 第一条 为了…; its chapter says more, and the encoder need not read a line twice)."""
    start = "".join(provision.text[:200].split())
    heading = next((h for h in reversed(provision.path) if not start.startswith("".join(h.split()))), "")
    return f"{document.title} {heading} {provision.text}".strip()


