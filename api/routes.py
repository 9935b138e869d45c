"""The HTTP routes: parse the request, call the service, shape the answer. Nothing else."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from api import schemas
from api.app import get_service
from api.problems import MEDIA_TYPE, Problem
from qa.compare import comparison_json
from qa.indicators import MAX_LISTED
from qa.search import MAX_K, MAX_QUERY_CHARS
from qa.service import PolicyService

PROBLEM = {"model": schemas.Problem, "content": {MEDIA_TYPE: {}}, "description": "RFC 9457 problem"}
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {**PROBLEM, "description": description} for status, description in {
        401: "Missing or wrong API key", 404: "Not found", 413: "Body over 64 KiB",
        415: "Not JSON", 422: "Invalid request", 503: "Index not loaded yet"}.items()}
Service = Annotated[PolicyService, Depends(get_service)]


def describe() -> str:
    return ("Verbatim provisions of Chinese policy documents with exact citations. Every `text` "
            "and `answer` is verbatim from the source file; `source.start`/`source.end` locate it. "
            "Errors are `application/problem+json` (RFC 9457).")


def require_json(request: Request) -> None:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise Problem(415, f"send the body as application/json, not {media or 'no content type'}",
                      "/problems/media-type")


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1", responses=ERRORS)

    @router.post("/search", response_model=schemas.SearchResponse, tags=["search"],
                 dependencies=[Depends(require_json)])
    def search(body: schemas.SearchRequest, service: Service) -> Any:
        """The provisions that answer a question, the asked jurisdiction first.

        `jurisdiction.covered` is false when no document of the corpus applies to the asked
        place; its hits are then other places' provisions, each marked `relation: other`.
        """
        return service.search(body.query, body.jurisdiction, body.top_k).to_json()

    @router.get("/search", response_model=schemas.SearchResponse, tags=["search"])
    def search_get(request: Request, service: Service,
                   q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS,
                                           pattern=schemas.TEXT_PATTERN,
                                           examples=["宿城区已建成小区托育设施每百户标准"],
                                           description="The question.")],
                   jurisdiction: Annotated[str | None, Query(min_length=1, max_length=50,
                                                             pattern=schemas.TEXT_PATTERN,
                                                             examples=["宿城区"])] = None,
                   top_k: Annotated[int, Query(ge=1, le=MAX_K, examples=[5])] = 5,
                   ) -> Any:
        """The same search as POST, for links and quick tests."""
        unknown = set(request.query_params) - {"q", "jurisdiction", "top_k"}
        if unknown:
            raise Problem(422, f"unknown query parameter(s): {', '.join(sorted(unknown))}",
                          "/problems/validation")
        return service.search(q, jurisdiction, top_k).to_json()

    @router.post("/compare", response_model=schemas.CompareResponse, tags=["search"],
                 dependencies=[Depends(require_json)])
    def compare(body: schemas.CompareRequest, service: Service) -> Any:
        """One figure per place for the question, with the provision it comes from: the place's
        indicator that measures what is asked (its final target, or the year asked), else the
        standard its provisions set for the subject asked. A place that sets none says so
        (`figure: null`, `note`); a place with nothing relevant has `hit: null`."""
        rows = service.compare(body.query, body.jurisdictions, body.year)
        return comparison_json(body.query, rows, body.year)

    @router.get("/indicators", response_model=schemas.IndicatorList, tags=["search"])
    def indicators(request: Request, service: Service,
                   q: Annotated[str | None, Query(min_length=1, max_length=MAX_QUERY_CHARS,
                                                  pattern=schemas.TEXT_PATTERN,
                                                  examples=["护理型床位占比"],
                                                  description="An indicator, as staff would name it; "
                                                              "default: every indicator.")] = None,
                   jurisdiction: Annotated[str | None, Query(min_length=1, max_length=50,
                                                             pattern=schemas.TEXT_PATTERN,
                                                             examples=["如皋市"])] = None,
                   limit: Annotated[int, Query(ge=1, le=MAX_LISTED)] = 100) -> Any:
        """The indicators the plans state (from their indicator tables and their sentences),
        each with its baseline, yearly targets, attribute and the provision and offsets every
        value was read from; those matching `q` best first."""
        unknown = set(request.query_params) - {"q", "jurisdiction", "limit"}
        if unknown:
            raise Problem(422, f"unknown query parameter(s): {', '.join(sorted(unknown))}",
                          "/problems/validation")
        listed = service.indicators(q, jurisdiction, limit)
        return {"query": q, "jurisdiction": jurisdiction,
                "indicators": [item.to_json() for item in listed]}

    @router.post("/similar", response_model=schemas.SimilarResponse, tags=["drafting"],
                 dependencies=[Depends(require_json)])
    def similar(body: schemas.SimilarRequest, service: Service) -> Any:
        """The provisions across the corpus closest to a paragraph of a draft."""
        hits = service.similar(body.text, body.top_k, body.exclude_jurisdiction)
        return {"hits": [hit.to_json() for hit in hits]}

    @router.get("/cite", response_model=schemas.CiteResponse, tags=["drafting"])
    def cite(service: Service,
             ref: Annotated[str, Query(min_length=1, max_length=200,
                                       examples=["苏政办发〔2021〕75号（十一）"],
                                       description="文号 or title, then a label: "
                                                   "（十一）, 四（二）3, 附件2, 第十一条")],
             ) -> Any:
        """Resolve a citation to its provision(s); 404 says whether the document or the label
        did not resolve."""
        return service.cite(ref).to_json(ref)

    @router.get("/documents", response_model=schemas.DocumentList, tags=["corpus"])
    def documents(service: Service) -> Any:
        """The documents of the corpus with their metadata and number of provisions."""
        counts = service.index.provision_counts
        return {"documents": [{**d.to_json(), "provisions": counts.get(d.id, 0)}
                              for d in service.documents()]}

    @router.get("/documents/{document_id}", response_model=schemas.DocumentDetail, tags=["corpus"])
    def document(service: Service,
                 document_id: Annotated[str, Path(examples=["rugao-2023"], max_length=100)]) -> Any:
        """A document's metadata and outline (its heading tree)."""
        record, outline, count = service.document(document_id)
        return {**record.to_json(), "provisions": count, "outline": [h.to_json() for h in outline]}

    @router.get("/provisions/{provision_id}", response_model=schemas.ProvisionDetail, tags=["corpus"])
    def provision(service: Service,
                  provision_id: Annotated[str, Path(examples=["rugao-2023:四（二）3"], max_length=200)]
                  ) -> Any:
        """A provision with its heading path and the provisions before and after it."""
        context = service.provision(provision_id)
        return {"provision": context.provision.to_json(), "citation": context.citation,
                "document": context.document.to_json(),
                "previous": context.previous.to_json() if context.previous else None,
                "next": context.next.to_json() if context.next else None}

    @router.get("/info", response_model=schemas.Info, tags=["service"])
    def info(service: Service) -> Any:
        """The index manifest: corpus hash, counts, encoder, build time."""
        return service.info()

    return router

