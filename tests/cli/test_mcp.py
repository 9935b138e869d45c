"""The MCP tool server, spoken to by the official mcp SDK's client over stdio."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from tests.cli.test_search_commands import workspace  # noqa: F401  (the built one-document index)


async def _session_calls(root: Path) -> dict[str, Any]:
    script = Path(sys.executable).parent / "policy-qa"
    parameters = StdioServerParameters(command=str(script), args=[
        "mcp", "--index", str(root / "index"), "--cache", str(root / "cache")])
    results: dict[str, Any] = {}
    async with stdio_client(parameters) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        results["tools"] = sorted(tool.name for tool in (await session.list_tools()).tools)
        results["search"] = await session.call_tool(
            "search", {"query": "新建居住小区养老服务用房每百户配建标准", "top_k": 2})
        results["compare"] = await session.call_tool("compare", {"query": "护理型床位占比"})
        results["indicators"] = await session.call_tool("indicators", {"query": "每千人口托位数"})
        results["cite"] = await session.call_tool("cite", {"reference": "苏政办发〔2021〕75号（十一）"})
        missing = {"reference": "苏政办发〔2021〕75号（三十）"}
        results["cite_missing"] = await session.call_tool("cite", missing)
        results["bad"] = await session.call_tool("search", {"query": " "})
    return results


def _structured(result: Any) -> dict[str, Any]:
    assert not result.is_error, result
    if result.structured_content is not None:
        return result.structured_content  # type: ignore[no-any-return]
    return json.loads(result.content[0].text)  # type: ignore[no-any-return]


@pytest.mark.slow
def test_tools_over_stdio(workspace: Path) -> None:  # noqa: F811
    results = asyncio.run(_session_calls(workspace))
    assert results["tools"] == ["cite", "compare", "indicators", "search"]
    search = _structured(results["search"])
    assert search["hits"][0]["provision_id"] == "jiangsu-2021:（三）"
    assert "每百户20平方米以上" in search["hits"][0]["answer"]
    compare = _structured(results["compare"])
    assert [row["jurisdiction"] for row in compare["rows"]] == ["江苏省"]
    assert compare["rows"][0]["figure"]["text"] == "达到70%以上"  # from its sentence
    indicators = _structured(results["indicators"])["indicators"]
    assert [(i["name"], i["targets"][0]["value"]) for i in indicators] == [
        ("每千人口拥有3岁以下婴幼儿托位数", 4.5)]
    cite = _structured(results["cite"])
    assert cite["citations"] == [
        "《省政府办公厅关于促进养老托育服务高质量发展的实施意见》（苏政办发〔2021〕75号）（十一）"]
    missing = results["cite_missing"]
    assert missing.is_error and "label did not resolve" in missing.content[0].text
    assert results["bad"].is_error and "empty" in results["bad"].content[0].text
