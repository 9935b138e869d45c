"""The MCP tool server: search, compare and cite offered to assistants over stdio.

Assistants that speak the Model Context Protocol start ``policy-qa mcp`` and call the tools;
each returns the same structured result the HTTP API does, so an assistant can quote the
verbatim answer and its citation.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from qa.citations import CitationNotFound
from qa.compare import comparison_json
from qa.errors import BadQuery
from qa.service import PolicyService

INSTRUCTIONS = (
    "Answers questions about Chinese 一老一小 (elderly care and childcare) policy documents with "
    "verbatim provisions and exact citations. Quote `answer` and `citation` as given; never "
    "present a provision of another place as the asked place's (see `relation` and "
    "`jurisdiction.covered`).")


def build_server(service: PolicyService) -> MCPServer:
    server: MCPServer = MCPServer("policy-qa", instructions=INSTRUCTIONS)

    @server.tool()
    def search(query: str, jurisdiction: str | None = None, top_k: int = 5) -> dict[str, Any]:
        """Find the provisions that answer a question (in Chinese or English), the asking place's
        own and its parents' first. Each hit has a verbatim `answer`, its `figures`, a
        `citation` and a `relation` to the asked place; `jurisdiction.covered` is false when
        the corpus has no document that applies there."""
        try:
            return service.search(query, jurisdiction, top_k).to_json()
        except BadQuery as error:
            raise ToolError(str(error)) from error

    @server.tool()
    def compare(query: str, jurisdictions: list[str] | None = None, year: int | None = None
                ) -> dict[str, Any]:
        """One figure per place for a question, side by side: each row's `figure` is the
        place's value (an indicator's final target, or `year`'s; a standard for the subject
        asked), with the provision `hit` it comes from; `figure: null` and a `note` when the
        place sets none."""
        try:
            rows = service.compare(query, jurisdictions, year)
        except BadQuery as error:
            raise ToolError(str(error)) from error
        return comparison_json(query, rows, year)

    @server.tool()
    def indicators(query: str | None = None, jurisdiction: str | None = None) -> dict[str, Any]:
        """The indicators the plans state (护理型床位占比, 每千人口托位数…), each with its baseline,
        yearly targets, 约束性/预期性 attribute and the provision every value was read from; those
        matching `query` first."""
        try:
            listed = service.indicators(query, jurisdiction)
        except BadQuery as error:
            raise ToolError(str(error)) from error
        return {"query": query, "jurisdiction": jurisdiction,
                "indicators": [item.to_json() for item in listed]}

    @server.tool()
    def cite(reference: str) -> dict[str, Any]:
        """Resolve a citation such as 苏政办发〔2021〕75号（十一） or 《…》四（二）3 to its provisions."""
        try:
            return service.cite(reference).to_json(reference)
        except CitationNotFound as error:
            raise ToolError(f"{error} (the {error.part} did not resolve)") from error

    return server
