"""Request and response models of the HTTP API: the contract integrators code against.

The library returns frozen dataclasses; they become these models in one place (``from_*``
functions at the bottom), so the API's shape is declared here and nowhere else.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from qa.search import MAX_K, MAX_QUERY_CHARS
from qa.similar import MAX_DRAFT_CHARS


def _printable(value: str) -> str:
    """Reject control characters (NUL…) and unpaired surrogates: they are never a question."""
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs":
            raise ValueError("the text contains an unpaired surrogate (invalid Unicode)")
        if category == "Cc" and char not in "\t\n\r":
            raise ValueError(f"the text contains the control character U+{ord(char):04X}")
    if not value.strip():
        raise ValueError("the text is empty")
    return value


# Printable text with at least one visible character: no control characters (NUL…) but tab and
# line breaks. Declared in the schema so that clients (and schemathesis) know what is accepted.
_ALLOWED = r"[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]"
TEXT_PATTERN = rf"^{_ALLOWED}*[^\s\x00-\x1F\x7F-\x9F]{_ALLOWED}*$"


def _whole_number(value: object) -> object:
    """A JSON integer: 5 or 5.0 (JSON Schema counts both), never "5" or true."""
    if isinstance(value, (bool, str)):
        raise ValueError("must be a JSON integer, not a string or boolean")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be a whole number")
        return int(value)
    return value


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


Query = Annotated[str, Field(min_length=1, max_length=MAX_QUERY_CHARS, pattern=TEXT_PATTERN,
                             description=f"The question, at most {MAX_QUERY_CHARS} characters.")]
TopK = Annotated[int, Field(ge=1, le=MAX_K, description=f"How many hits, 1–{MAX_K}."),
                 BeforeValidator(_whole_number)]
Place = Annotated[str, Field(min_length=1, max_length=50, pattern=TEXT_PATTERN)]


class SearchRequest(_Request):
    query: Query
    jurisdiction: Place | None = Field(default=None, description=(
        "The asking place (如皋市, 江苏省…). Its provisions and its parents' rank first. "
        "Default: the places the question names."))
    top_k: TopK = 5

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"query": "新建小区托育服务用房每百户配建标准是多少", "jurisdiction": "如皋市", "top_k": 5}]})

    _check_query = field_validator("query")(_printable)



class CompareRequest(_Request):
    query: Query
    jurisdictions: list[Place] | None = Field(
        default=None, max_length=30, description=(
            "Places to compare (at most 30); default: every place of the corpus, or, when it holds "
            "more than 30, the 30 whose provisions rank highest for the question."))
    year: int | None = Field(default=None, ge=1949, le=2100, description=(
        "The year whose value each cell shows (default: the year the question names, else each "
        "indicator's final target)."))

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"query": "托育服务用房每百户配建标准", "jurisdictions": ["如皋市", "宿城区", "江苏省"]}]})

    _check_query = field_validator("query")(_printable)


class SimilarRequest(_Request):
    text: Annotated[str, Field(min_length=1, max_length=MAX_DRAFT_CHARS, pattern=TEXT_PATTERN,
                               description=f"A paragraph of a draft, at most {MAX_DRAFT_CHARS} characters.")]
    top_k: TopK = 5
    exclude_jurisdiction: Place | None = Field(default=None, description=(
        "Leave out this place's own provisions (the drafter's own plan)."))

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"text": "新建居住区应当按照每百户不少于20平方米的标准配套建设养老服务用房，"
                 "并与住宅同步规划、同步建设、同步验收、同步交付。",
         "top_k": 5, "exclude_jurisdiction": "如皋市"}]})

    _check_text = field_validator("text")(_printable)


# --- responses ------------------------------------------------------------------------------

class RetrieverScore(BaseModel):
    score: float
    rank: int


class Figure(BaseModel):
    text: str
    start: int = Field(description="Offset in the hit's text.")
    end: int
    value: float
    unit: str | None
    operator: Literal["=", "≥", ">", "≤", "<", "≈"]
    per: str | None
    label: str | None = Field(description="In a table: the column the value stands in "
                                          "(2025年目标值, 现状值).")
    subject: str | None = Field(default=None, description=(
        "What it measures, verbatim: the phrase it qualifies (普惠性托育服务用房) or the table "
        "row's indicator (护理型床位数占养老机构床位比例（%）)."))
    year: int | None = Field(default=None, description=(
        "The year it is stated for (到2025年…, a 2025年 column)."))


class CellFigure(Figure):
    indicator: str | None = Field(description=(
        "The indicator it is a value of, as written; null for a standard."))
    attribute: str | None = Field(description="约束性, 预期性 or 指导性, when the plan says.")


class DocumentSummary(BaseModel):
    id: str
    title: str
    number: str | None = Field(description="文号, e.g. 皋政发〔2023〕4号; null when the document has none.")
    issuer: str | None
    issuers: list[str] = Field(description="Every issuing body; several for a joint document.")
    jurisdiction: str = Field(description="The place it belongs to; 全国 for a national body.")
    level: Literal["national", "province", "prefecture", "county"]
    published: str | None
    written: str | None = Field(default=None, description="成文日期: the date under its signature.")
    effective: str | None = Field(default=None, description="The date it takes effect (施行), if stated.")
    expires: str | None = Field(default=None, description="Its last day of validity, if stated.")
    format: str = Field(default="text", description="The format of the original file.")


class Source(BaseModel):
    file: str = Field(description="The original file, relative to the corpus folder.")
    rendition: str = Field(description="The text the offsets index, relative to the corpus folder: the "
                           "file itself for plain text, the frozen extracted text for other formats.")
    start: int = Field(description="Character offset: for a clause, rendition_text[start:end] == text.")
    end: int
    page: int | None = Field(default=None, description="The page it starts on (PDF, OFD).")


class Offsets(BaseModel):
    start: int
    end: int


class Hit(BaseModel):
    rank: int
    provision_id: str
    score: float
    scores: dict[str, RetrieverScore | None]
    relation: Literal["exact", "ancestor", "descendant", "other"] | None
    kind: Literal["clause", "table_row"]
    text: str
    answer: str
    answer_offsets: Offsets
    figures: list[Figure]
    path: list[str]
    label: str
    citation: str
    document: DocumentSummary
    source: Source


class Jurisdiction(BaseModel):
    requested: str | None
    detected: list[str]
    scope: list[str]
    covered: bool = Field(description="Whether any document of the corpus applies to the asked place.")
    local: bool = Field(description="Whether documents of the place itself or its prefecture or "
                        "province apply, not only national ones.")


class SearchResponse(BaseModel):
    query: str
    jurisdiction: Jurisdiction
    hits: list[Hit]


class ComparisonRow(BaseModel):
    jurisdiction: str
    level: str | None
    covered: bool = Field(description="Whether the corpus has a document of this place.")
    relevance: float
    note: str | None = Field(description=(
        "Why there is no hit (no document, nothing relevant) or no figure (the place sets none, "
        "or not for the year asked)."))
    figure: CellFigure | None = Field(description=(
        "The one figure answering the question for this place (offsets in hit.text): the "
        "indicator's final target, or the year asked; for a standard, the one for the subject "
        "asked. null when the place sets none."))
    years: list[int] = Field(description="The years this place gives values of the indicator for.")
    hit: Hit | None = Field(description="The provision the figure comes from (or the best one).")


class CompareResponse(BaseModel):
    query: str
    year: int | None = Field(description="The year asked, if any.")
    note: str | None = Field(description="For a year no place gives: the years they do give.")
    rows: list[ComparisonRow]


class IndicatorValue(BaseModel):
    year: int | None
    value: float
    operator: Literal["=", "≥", ">", "≤", "<", "≈"]
    unit: str | None
    text: str = Field(description="Verbatim, at start–end of the text of provision_id.")
    provision_id: str
    start: int
    end: int
    column: str | None = Field(description="The table column (2025年目标值, 现状值); null in a sentence.")


class IndicatorOut(BaseModel):
    name: str = Field(description="As written, at start–end of the text of provision_id.")
    key: str = Field(description="The normalised name matched across places (护理型床位占比).")
    document_id: str
    provision_id: str
    start: int
    end: int
    source: Literal["table", "text"]
    unit: str | None
    attribute: str | None
    baseline: IndicatorValue | None
    targets: list[IndicatorValue]
    jurisdiction: str
    citation: str
    score: float | None = Field(description="How well the name matches q (0–1); null without q.")


class IndicatorList(BaseModel):
    query: str | None
    jurisdiction: str | None
    indicators: list[IndicatorOut]


class SimilarResponse(BaseModel):
    hits: list[Hit]


class ProvisionOut(BaseModel):
    id: str
    document_id: str
    kind: Literal["clause", "table_row"]
    label: str
    part: int | None
    path: list[str]
    text: str
    start: int
    end: int
    departments: list[str]
    table: str | None = None
    page: int | None = None
    cells: list[dict[str, Any]] | None = None


class CiteResponse(BaseModel):
    reference: str
    document: DocumentSummary
    label: str
    provisions: list[ProvisionOut]
    citations: list[str]


class HeadingOut(BaseModel):
    label: str
    marker: str
    title: str
    start: int
    end: int
    inferred: bool
    tables: list[str]
    children: list[HeadingOut]


class DocumentDetail(DocumentSummary):
    file: str = Field(description="The original file, relative to the corpus folder.")
    rendition: str = Field(description="The text provision offsets index, relative to the corpus folder.")
    parents: list[str] = Field(description="The places enclosing its jurisdiction, nearest first "
                               "(全国 last).")
    provisions: int
    outline: list[HeadingOut]


class DocumentListItem(DocumentSummary):
    provisions: int = Field(description="How many provisions the index holds of it.")


class DocumentList(BaseModel):
    documents: list[DocumentListItem]


class ProvisionDetail(BaseModel):
    provision: ProvisionOut
    citation: str
    document: DocumentSummary
    previous: ProvisionOut | None
    next: ProvisionOut | None


class Info(BaseModel):
    format_version: int | str | None = Field(description="The local index format (4), or seekdb-N "
                                                         "for the engine's schema.")
    backend: str = Field(description="Where the index lives: local (files) or seekdb (an engine: "
                                     "seekdb or OceanBase).")
    version: str | None = Field(description="The live index version: its folder under versions/, or "
                                            "the engine's corpus generation.")
    built: str | None
    encoder: dict[str, Any] | None
    analyzer: dict[str, Any] | None
    corpus_hash: str | None
    counts: dict[str, int] | None


class JobProgress(BaseModel):
    done: int = Field(description="Passages encoded so far.")
    total: int = Field(description="Passages to encode (only those not encoded before).")


class JobOut(BaseModel):
    id: str
    kind: Literal["add", "remove"]
    target: str = Field(description="The uploaded file's name, or the id of the document to remove.")
    status: Literal["queued", "running", "succeeded", "failed"]
    created: str
    started: str | None
    finished: str | None
    stage: str | None = Field(description="reading, removing, indexing, encoding or switching, while "
                              "running.")
    progress: JobProgress
    document: dict[str, Any] | None = Field(description=(
        "The document's metadata once read (as `policy-qa add` prints it, with its `status`: added, "
        "replaced, unchanged, removed)."))
    error: str | None = Field(description="Why the job failed; the corpus and the live index are "
                              "unchanged.")
    version: str | None = Field(description="The index version that made the change live.")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None
