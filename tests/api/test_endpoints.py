"""Every endpoint and its errors, through the ASGI app."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from qa.service import PolicyService
from tests.api.conftest import corpus_text, make_app, wait_ready

PROBLEM = "application/problem+json"
SEARCH = {"query": "托育服务用房每百户配建标准是多少", "jurisdiction": "如皋市", "top_k": 3}


def assert_problem(response, status: int, fragment: str = "") -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail"} and body["status"] == status
    assert fragment in body["detail"]
    assert "Traceback" not in response.text
    return body


def test_search_returns_verbatim_cited_hits(client: TestClient) -> None:
    body = client.post("/v1/search", json=SEARCH).json()
    assert body["jurisdiction"] == {"requested": "如皋市", "detected": [], "covered": True, "local": True,
                                    "scope": ["如皋市", "南通市", "江苏省", "全国"]}
    assert body["hits"][0]["relation"] == "exact"
    for hit in body["hits"]:
        source = hit["source"]
        if hit["kind"] == "clause":
            assert corpus_text(source["rendition"])[source["start"]:source["end"]] == hit["text"]
            assert source["file"] == source["rendition"] and source["page"] is None
        offsets = hit["answer_offsets"]
        assert hit["text"][offsets["start"]:offsets["end"]] == hit["answer"]
        assert hit["citation"].startswith(f"《{hit['document']['title']}》")
        for figure in hit["figures"]:
            assert hit["text"][figure["start"]:figure["end"]] == figure["text"]


def test_get_search_matches_post(client: TestClient) -> None:
    got = client.get("/v1/search", params={"q": SEARCH["query"], "jurisdiction": "如皋市", "top_k": "3"})
    assert got.status_code == 200
    assert got.json() == client.post("/v1/search", json=SEARCH).json()


def test_uncovered_place(client: TestClient) -> None:
    body = client.post("/v1/search", json={"query": "北京市托育补贴"}).json()
    assert body["jurisdiction"]["covered"] is False
    assert all(hit["relation"] == "other" for hit in body["hits"])


def test_compare_has_a_row_per_jurisdiction(client: TestClient) -> None:
    body = client.post("/v1/compare", json={"query": "托育服务用房每百户配建标准"}).json()
    assert [row["jurisdiction"] for row in body["rows"]] == ["江苏省", "随州市", "如皋市", "宿城区", "涟水县"]
    for row in body["rows"]:
        # A row without a figure says why (no provision, or none sets this figure).
        assert (row["figure"] is None) == (row["note"] is not None)
        if row["hit"]:
            assert row["hit"]["document"]["jurisdiction"] == row["jurisdiction"]
        if row["figure"]:
            assert row["hit"]["text"][row["figure"]["start"]:row["figure"]["end"]] == row["figure"]["text"]
    cells = {row["jurisdiction"]: row["figure"] and row["figure"]["value"] for row in body["rows"]}
    assert cells["如皋市"] == 20 and cells["宿城区"] == 48 and cells["江苏省"] is None
    asked = client.post("/v1/compare", json={"query": "托育服务用房每百户配建标准",
                                             "jurisdictions": ["宿城区", "北京市"]}).json()
    assert asked["rows"][1] == {"jurisdiction": "北京市", "level": None, "covered": False,
                                "relevance": 0.0, "note": "语料中没有该地区的文件", "figure": None,
                                "years": [], "hit": None}


def test_compare_takes_a_year(client: TestClient) -> None:
    body = client.post("/v1/compare", json={"query": "每千人口托位数", "year": 2024}).json()
    assert body["year"] == 2024 and body["note"] is None
    cells = {row["jurisdiction"]: row["figure"] and row["figure"]["value"] for row in body["rows"]}
    assert cells == {"江苏省": None, "随州市": None, "如皋市": None, "宿城区": 4.0, "涟水县": 3.3}
    later = client.post("/v1/compare", json={"query": "每千人口托位数", "year": 2035}).json()
    assert later["note"] == "没有地区给出2035年的数值；各地给出的年份：2022、2023、2024、2025年"
    bad = client.post("/v1/compare", json={"query": "每千人口托位数", "year": 99999})
    assert bad.status_code == 422


def test_indicators_are_listed_with_their_sources(client: TestClient) -> None:
    body = client.get("/v1/indicators", params={"q": "护理型床位占比", "jurisdiction": "如皋市"}).json()
    (general,) = body["indicators"]
    assert general["name"] == "护理型床位数占养老机构床位比例（%）" and general["key"] == "护理型床位占比"
    assert general["attribute"] == "约束性" and general["targets"][0]["value"] == 75
    provision = client.get(f"/v1/provisions/{general['provision_id']}").json()["provision"]
    assert provision["text"][general["start"]:general["end"]] == general["name"]
    target = general["targets"][0]
    assert provision["text"][target["start"]:target["end"]] == target["text"]
    everything = client.get("/v1/indicators", params={"limit": 5}).json()["indicators"]
    assert len(everything) == 5
    unknown = client.get("/v1/indicators", params={"jurisdiction": "火星市"})
    assert unknown.status_code == 404 and "火星市" in unknown.text  # as for /v1/search
    assert client.get("/v1/indicators", params={"place": "如皋"}).status_code == 422
    assert client.get("/v1/indicators", params={"limit": 0}).status_code == 422


def test_similar_can_exclude_a_jurisdiction(client: TestClient) -> None:
    draft = "新建居住区应当按照每百户不少于20平方米的标准配套建设养老服务用房，并与住宅同步交付。"
    body = client.post("/v1/similar", json={"text": draft, "top_k": 5, "exclude_jurisdiction": "如皋市"})
    assert body.status_code == 200
    hits = body.json()["hits"]
    assert len(hits) == 5 and all(hit["document"]["jurisdiction"] != "如皋市" for hit in hits)


def test_cite_resolves_and_says_what_failed(client: TestClient) -> None:
    body = client.get("/v1/cite", params={"ref": "苏政办发〔2021〕75号（十一）"}).json()
    assert [p["id"] for p in body["provisions"]] == ["jiangsu-2021:（十一）"]
    assert body["citations"] == [
        "《省政府办公厅关于促进养老托育服务高质量发展的实施意见》（苏政办发〔2021〕75号）（十一）"]
    heading = client.get("/v1/cite", params={"ref": "皋政发〔2023〕4号 四（二）"}).json()
    assert [p["label"] for p in heading["provisions"]] == ["四（二）1", "四（二）2", "四（二）3"]
    reference = "《宿城区促进养老托育服务高质量发展实施方案》附件2 第8行"
    row = client.get("/v1/cite", params={"ref": reference}).json()
    assert row["provisions"][0]["text"].endswith("2024年：4.0｜2025年：4.5左右｜牵头部门：卫健局")
    missing = client.get("/v1/cite", params={"ref": "苏政办发〔2021〕75号（三十）"})
    label = assert_problem(missing, 404, "（三十）")
    assert label["type"] == "/problems/citation-label-not-found"
    document = assert_problem(client.get("/v1/cite", params={"ref": "京政发〔2020〕1号（一）"}), 404)
    assert document["type"] == "/problems/citation-document-not-found"


def test_documents_and_provisions(client: TestClient) -> None:
    documents = client.get("/v1/documents").json()["documents"]
    assert {d["id"] for d in documents} == {"rugao-2023", "jiangsu-2021", "suizhou-2022", "lianshui-2022",
                                            "suicheng-2023"}
    detail = client.get("/v1/documents/suicheng-2023").json()
    assert detail["number"] is None and detail["provisions"] == 157
    assert (detail["level"], detail["parents"]) == ("county", ["宿迁市", "江苏省", "全国"])
    assert detail["outline"][2]["children"][1] | {"children": []} == {
        "label": "三（二）", "marker": "", "title": "促进普惠养老托育发展", "inferred": True, "tables": [],
        "children": [], "start": detail["outline"][2]["children"][1]["start"],
        "end": detail["outline"][2]["children"][1]["end"]}
    assert_problem(client.get("/v1/documents/nope"), 404, "nope")
    provision = client.get("/v1/provisions/rugao-2023:四（二）3").json()
    assert provision["previous"]["id"] == "rugao-2023:四（二）2"
    assert provision["next"]["id"] == "rugao-2023:四（三）1"
    assert provision["provision"]["path"][:2] == ["四、完善要素支撑", "（二）强化土地规划空间保障"]
    first = client.get("/v1/provisions/rugao-2023:印发通知").json()
    assert first["previous"] is None and first["next"]["id"] == "rugao-2023:引言"
    assert_problem(client.get("/v1/provisions/rugao-2023:九十九"), 404)


def test_info_and_health(client: TestClient) -> None:
    info = client.get("/v1/info").json()
    assert info["counts"]["provisions"] == 502 and info["encoder"]["name"] == "hash-bigrams-64"
    assert len(info["corpus_hash"]) == 64
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize(("body", "fragment"), [
    ({"query": ""}, "query"),
    ({"query": "   "}, "visible text"),
    ({"query": "托" * 501}, "at most 500"),
    ({"query": "托育", "top_k": 0}, "top_k"),
    ({"query": "托育", "top_k": -1}, "top_k"),
    ({"query": "托育", "top_k": 10**9}, "top_k"),
    ({"query": "托育", "top_k": None}, "top_k"),
    ({"query": "托育", "top_k": "5"}, "top_k"),
    ({"query": "托育", "top_k": 2.5}, "top_k"),
    ({"query": "托育", "top_k": True}, "top_k"),
    ({"query": "托育\u0000"}, "control characters"),
    ({"query": "托育", "colour": "red"}, "colour"),
    ({"top_k": 3}, "query"),
])
def test_bad_search_bodies(client: TestClient, body: dict, fragment: str) -> None:  # type: ignore[type-arg]
    assert_problem(client.post("/v1/search", json=body), 422, fragment)


def test_bad_encodings_and_media(client: TestClient) -> None:
    surrogate = client.post("/v1/search", content=b'{"query": "\\ud800"}',
                            headers={"content-type": "application/json"})
    assert_problem(surrogate, 422)
    assert_problem(client.post("/v1/search", content=b"{not json",
                               headers={"content-type": "application/json"}), 422)
    assert_problem(client.post("/v1/search", content="query=托育".encode(),
                               headers={"content-type": "text/plain"}), 415, "application/json")
    unknown = assert_problem(client.post("/v1/search", json={"query": "托育", "jurisdiction": "火星市"}),
                             404, "unknown jurisdiction")
    assert unknown["type"] == "/problems/unknown-jurisdiction"
    assert_problem(client.get("/v1/search", params={"q": "托育", "top_k": "many"}), 422, "top_k")
    assert_problem(client.get("/v1/search", params={"q": "托育", "top_k": "0"}), 422, "top_k")
    assert_problem(client.get("/v1/search", params={"q": "托" * 501}), 422, "q")
    assert_problem(client.get("/v1/search", params={"q": "托育", "k": "3"}), 422, "unknown query parameter")
    assert_problem(client.get("/v1/search"), 422, "q")
    assert_problem(client.get("/nowhere"), 404)
    assert_problem(client.delete("/v1/search"), 405)


def test_body_limits(client: TestClient) -> None:
    big = b'{"query": "' + b"a" * (1024 * 1024) + b'"}'
    assert_problem(client.post("/v1/search", content=big, headers={"content-type": "application/json"}),
                   413, "65536")

    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"a" * 1024

    assert_problem(client.post("/v1/search", content=chunks(), headers={"content-type": "application/json"}),
                   413)
    draft = {"text": "托" * 5001}
    assert_problem(client.post("/v1/similar", json=draft), 422, "5000")


def test_readyz_is_503_until_the_index_is_loaded(service: PolicyService) -> None:
    release = threading.Event()

    def slow_load(_: Settings, previous: PolicyService | None) -> PolicyService:
        release.wait(5)
        return service

    with TestClient(create_app(Settings(), load=slow_load)) as client:
        assert_problem(client.get("/readyz"), 503, "loading")
        assert client.get("/healthz").status_code == 200
        assert_problem(client.post("/v1/search", json=SEARCH), 503)
        release.set()
        wait_ready(client)
        assert client.post("/v1/search", json=SEARCH).status_code == 200


def test_a_failed_load_is_reported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(Settings(index=tmp_path / "none"))) as client:
        for _ in range(200):
            response = client.get("/readyz")
            if "could not be loaded" in response.text:
                break
            threading.Event().wait(0.01)
        assert_problem(response, 503, "policy-qa build")


def test_api_key_guards_v1_but_not_health(service: PolicyService) -> None:
    with TestClient(make_app(service, api_key="s3cret")) as client:
        wait_ready(client)
        assert client.get("/healthz").status_code == 200
        assert_problem(client.post("/v1/search", json=SEARCH), 401, "X-API-Key")
        assert_problem(client.post("/v1/search", json=SEARCH, headers={"X-API-Key": "wrong"}), 401)
        assert client.post("/v1/search", json=SEARCH, headers={"X-API-Key": "s3cret"}).status_code == 200


def test_cors_allows_configured_origins_only(service: PolicyService) -> None:
    with TestClient(make_app(service, cors_origins=["https://portal.example.gov.cn"])) as client:
        wait_ready(client)
        preflight = client.options("/v1/search", headers={
            "Origin": "https://portal.example.gov.cn", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        assert preflight.headers["access-control-allow-origin"] == "https://portal.example.gov.cn"
        other = client.post("/v1/search", json=SEARCH, headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in other.headers


def test_openapi_documents_every_endpoint_with_examples(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ["/v1/search", "/v1/compare", "/v1/similar", "/v1/cite", "/v1/documents",
                 "/v1/documents/{document_id}", "/v1/provisions/{provision_id}", "/v1/info", "/healthz",
                 "/readyz"]:
        assert path in paths
    schemas = spec["components"]["schemas"]
    assert "每百户" in str(schemas["SearchRequest"]["examples"])
    assert "（十一）" in str(paths["/v1/cite"]["get"]["parameters"])
    assert client.get("/docs").status_code == 200
