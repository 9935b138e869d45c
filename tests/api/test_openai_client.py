"""The chatbot endpoint with the official openai client, against a real server process."""

from __future__ import annotations

import openai
import pytest


@pytest.fixture(scope="module")
def client(live_server: tuple[str, list[int]]) -> openai.OpenAI:
    base, _ = live_server
    return openai.OpenAI(base_url=f"{base}/v1", api_key="unused", max_retries=0)


@pytest.mark.slow
def test_completion_is_extractive_with_citations(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="policy-qa",
        messages=[{"role": "user", "content": "新建居住小区养老服务用房每百户配建标准是多少"}])
    message = completion.choices[0].message
    assert message.role == "assistant" and completion.choices[0].finish_reason == "stop"
    extra = completion.model_extra["policy_qa"]  # type: ignore[index]
    hits = extra["result"]["hits"]
    assert hits[0]["provision_id"] == "jiangsu-2021:（三）"
    # Every numbered answer is a hit's verbatim answer, every source its citation.
    body, sources = message.content.split("\n\n来源：\n")  # type: ignore[union-attr]
    for number, line in enumerate(body.splitlines(), start=1):
        assert line == f"{hits[number - 1]['answer']}〔{number}〕"
        assert f"〔{number}〕{hits[number - 1]['citation']}" in sources.splitlines()
    assert [m.id for m in client.models.list().data] == ["policy-qa"]


@pytest.mark.slow
def test_streaming_and_follow_up(client: openai.OpenAI) -> None:
    first = "江苏省新建居住小区养老服务用房每百户配建标准是多少"
    stream = client.chat.completions.create(
        model="policy-qa", stream=True,
        messages=[{"role": "user", "content": first},
                  {"role": "assistant", "content": "……"},
                  {"role": "user", "content": "那北京市呢？"}])
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert chunks[-1].choices[0].finish_reason == "stop"
    extra = chunks[-1].model_extra["policy_qa"]  # type: ignore[index]
    assert extra["follow_up"] is True and extra["jurisdiction"] == "北京市"
    assert extra["question"] == "新建居住小区养老服务用房每百户配建标准是多少"
    assert extra["result"]["jurisdiction"]["covered"] is False
    assert text.startswith("本库没有北京市或其上级地区的政策文件")


@pytest.mark.slow
def test_errors_reach_the_client(client: openai.OpenAI) -> None:
    with pytest.raises(openai.UnprocessableEntityError):
        client.chat.completions.create(model="policy-qa", messages=[{"role": "user", "content": "托" * 501}])
    silent = client.chat.completions.create(model="policy-qa", messages=[{"role": "system", "content": "x"}])
    assert silent.choices[0].message.content == "没有收到问题。请输入您想查询的养老、托育政策问题。"
