"""The parsed shape of a policy document: its metadata, heading tree, provisions and tables.

Every span is a pair of code-point offsets into the document's text, the file decoded
without newline translation, so that ``document.text[start:end]`` re-reads the source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What a provision is made of."""

    CLAUSE = "clause"
    TABLE_ROW = "table_row"


class ElementKind(StrEnum):
    """Every non-blank character of a document belongs to exactly one element of these kinds."""

    HEADER = "header"  # 版头: document number, title, addressee, signature, date
    HEADING = "heading"  # a heading line with no body of its own, attachment markers and titles
    PROVISION = "provision"
    TABLE_TITLE = "table_title"
    TABLE_HEADER = "table_header"
    TABLE_CAPTION = "table_caption"  # a group row inside a table, e.g. 一、养老（8个）
    ATTACHMENT_LIST = "attachment_list"  # 附件：1.… at the end of the main text
    SIGNATURE = "signature"  # the main text's closing issuer, date and disclosure note
    FOOTER = "footer"  # 版记: 抄送… 印发, and portal links trailing a crawled page


@dataclass(frozen=True)
class Element:
    kind: ElementKind
    start: int
    end: int


@dataclass(frozen=True)
class Cell:
    """One cell of a table row.

    ``value`` is the cell's text with extraction line breaks and spacing removed; ``start``/``end``
    span its source lines. A value carried down from a merged cell above keeps the span of the
    cell it came from and says so with ``carried``.
    """

    column: str
    value: str
    start: int
    end: int
    carried: bool = False


@dataclass(frozen=True)
class Provision:
    """The unit we index and cite: the smallest numbered unit with body text, or a table row.

    For a clause ``text == document_text[start:end]``. For a table row ``text`` is a rendered,
    self-contained statement and ``start``/``end`` span the row's own cells.
    """

    id: str
    document_id: str
    kind: Kind
    label: str
    part: int | None
    path: tuple[str, ...]
    text: str
    start: int
    end: int
    departments: tuple[str, ...] = ()
    cells: tuple[Cell, ...] = ()
    table: str | None = None  # the table's label, for rows and table notes
    page: int | None = None  # the page it starts on, for formats with pages (PDF, OFD)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "id": self.id,
            "document_id": self.document_id,
            "kind": self.kind.value,
            "label": self.label,
            "part": self.part,
            "path": list(self.path),
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "departments": list(self.departments),
        }
        if self.kind is Kind.TABLE_ROW or self.table:
            data["table"] = self.table
        if self.page is not None:
            data["page"] = self.page
        if self.cells:
            data["cells"] = [
                {"column": c.column, "value": c.value, "start": c.start, "end": c.end,
                 "carried": c.carried}
                for c in self.cells
            ]
        return data

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Provision:
        cells = tuple(Cell(c["column"], c["value"], c["start"], c["end"], c["carried"])
                      for c in raw.get("cells", []))
        return cls(raw["id"], raw["document_id"], Kind(raw["kind"]), raw["label"], raw["part"],
                   tuple(raw["path"]), raw["text"], raw["start"], raw["end"],
                   tuple(raw["departments"]), cells, raw.get("table"), raw.get("page"))


@dataclass(frozen=True)
class Table:
    """A table rebuilt from one-cell-per-line extraction."""

    label: str
    title: str
    columns: tuple[str, ...]
    row_ids: tuple[str, ...]
    note_ids: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True)
class Heading:
    """A node of the heading tree (the outline).

    ``label`` is the citation label of the unit (e.g. ``四（二）``); ``marker`` the number as
    written (``（二）``), empty for an attachment without a number. ``inferred`` marks a heading
    whose number was lost in extraction and restored from its siblings.
    """

    label: str
    marker: str
    title: str
    start: int
    end: int
    inferred: bool = False
    children: tuple[Heading, ...] = ()
    tables: tuple[str, ...] = ()  # labels of the tables directly under this heading

    def to_json(self) -> dict[str, object]:
        return {"label": self.label, "marker": self.marker, "title": self.title, "start": self.start,
                "end": self.end, "inferred": self.inferred, "tables": list(self.tables),
                "children": [child.to_json() for child in self.children]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Heading:
        return cls(data["label"], data["marker"], data["title"], data["start"], data["end"],
                   data["inferred"], tuple(cls.from_json(child) for child in data["children"]),
                   tuple(data["tables"]))


@dataclass(frozen=True)
class DocumentMeta:
    """What a document says about itself (see :mod:`corpus.metadata`)."""

    title: str | None
    number: str | None  # 文号, e.g. 皋政发〔2023〕4号
    jurisdiction: str | None  # 如皋市; 全国 for a national body
    published: dt.date | None  # 发布日期: as the portal states it, else the printing date, else written
    encoding: str = "utf-8"
    issuers: tuple[str, ...] = ()  # several for a joint document
    level: str | None = None  # national, province, prefecture or county
    parents: tuple[str, ...] = ()  # the places enclosing the jurisdiction, nearest first
    written: dt.date | None = None  # 成文日期: the date under the signature
    effective: dt.date | None = None  # 施行日期
    expires: dt.date | None = None  # the last day of validity, when the document states one
    format: str = "text"  # the format of the file it was read from

    @property
    def issuer(self) -> str | None:
        """The first (or only) issuer."""
        return self.issuers[0] if self.issuers else None

    def to_json(self) -> dict[str, object]:
        def day(value: dt.date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "title": self.title,
            "number": self.number,
            "issuer": self.issuer,
            "issuers": list(self.issuers),
            "jurisdiction": self.jurisdiction,
            "level": self.level,
            "parents": list(self.parents),
            "published": day(self.published),
            "written": day(self.written),
            "effective": day(self.effective),
            "expires": day(self.expires),
            "format": self.format,
            "encoding": self.encoding,
        }


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    meta: DocumentMeta
    headings: tuple[Heading, ...]
    provisions: tuple[Provision, ...]
    tables: tuple[Table, ...]
    elements: tuple[Element, ...] = field(repr=False)
    warnings: tuple[str, ...] = ()  # what reading the file could not do cleanly

    def provision(self, provision_id: str) -> Provision:
        for provision in self.provisions:
            if provision.id == provision_id:
                return provision
        raise KeyError(provision_id)
