"""The chatbot endpoint through the ASGI app: follow-ups, coverage, streaming, errors."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

QUESTION = "如皋市新建小区托育服务用房每百户配建标准是多少"


def _chat(client: TestClient, *messages: str, **extra: object) -> dict:  # type: ignore[type-arg]
    turns = [{"role": "user" if i % 2 == 0 else "assistant", "content": m} for i, m in enumerate(messages)]
    response = client.post("/v1/chat/completions", json={"model": "policy-qa", "messages": turns, **extra})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_completion_is_built_from_verbatim_answers(client: TestClient) -> None:
    body = _chat(client, QUESTION)
    assert body["object"] == "chat.completion"
    content = body["choices"][0]["message"]["content"]
    hits = body["policy_qa"]["result"]["hits"]
    shown = [hit for hit in hits if f"〔{hits.index(hit) + 1}〕{hit['citation']}" in content]
    assert shown and all(hit["relation"] in ("exact", "ancestor") for hit in shown)
    for number, hit in enumerate(shown, start=1):
        assert f"{hit['answer']}〔{number}〕" in content
        assert hit["text"][hit["answer_offsets"]["start"]:hit["answer_offsets"]["end"]] == hit["answer"]


def test_a_follow_up_reuses_the_question_for_the_new_place(client: TestClient) -> None:
    body = _chat(client, QUESTION, "……", "那宿城区呢？")
    extra = body["policy_qa"]
    assert extra["follow_up"] and extra["jurisdiction"] == "宿城区"
    assert extra["question"] == "新建小区托育服务用房每百户配建标准是多少"
    relations = {hit["relation"] for hit in extra["result"]["hits"][:3]}
    assert relations <= {"exact", "ancestor"}


def test_the_portal_place_and_an_uncovered_place(client: TestClient) -> None:
    portal = _chat(client, "托育服务用房标准", jurisdiction="涟水县")
    assert portal["policy_qa"]["jurisdiction"] == "涟水县"
    uncovered = _chat(client, "上海市托育服务用房标准")
    content = uncovered["choices"][0]["message"]["content"]
    assert content.startswith("本库没有上海市或其上级地区的政策文件")
    assert "不适用于上海市" in content


def test_streaming_sends_openai_chunks(client: TestClient) -> None:
    response = client.post("/v1/chat/completions", json={
        "model": "policy-qa", "stream": True, "messages": [{"role": "user", "content": QUESTION}]})
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [line[len("data: "):] for line in response.text.split("\n\n") if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(event) for event in events[:-1]]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and "policy_qa" in chunks[-1]
    streamed = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    plain = _chat(client, QUESTION)["choices"][0]["message"]["content"]
    assert streamed == plain


def test_chat_errors(client: TestClient) -> None:
    none = client.post("/v1/chat/completions", json={"model": "x", "messages": []})
    assert none.status_code == 422 and none.headers["content-type"] == "application/problem+json"
    only_system = client.post("/v1/chat/completions",
                              json={"model": "x", "messages": [{"role": "system", "content": "你好"}]})
    assert only_system.status_code == 200
    assert only_system.json()["choices"][0]["message"]["content"].startswith("没有收到问题")
    assert only_system.json()["policy_qa"]["result"] is None
    long = client.post("/v1/chat/completions",
                       json={"model": "x", "messages": [{"role": "user", "content": "托" * 501}]})
    assert long.status_code == 422
    parts = client.post("/v1/chat/completions", json={"model": "x", "messages": [
        {"role": "user", "content": [{"type": "text", "text": "宿城区托育用房标准"}]}]})
    assert parts.status_code == 200
