"""``POST /v1/chat/completions``: the OpenAI chat-completions protocol for portal chatbots.

Front ends that speak OpenAI's protocol (streaming or not) can point at this service unchanged.
The reply is extractive (see ``qa.chat``); the structured search result travels in the extra
field ``policy_qa`` of the completion (and of the last chunk when streaming).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from api.app import get_service
from api.routes import ERRORS, require_json
from api.schemas import TopK
from qa.chat import Turn, answer
from qa.search import MAX_QUERY_CHARS
from qa.service import PolicyService


class TextPart(BaseModel):
    type: Literal["text"]
    text: str


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[TextPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text for part in self.content)
        return self.content or ""


class ChatRequest(BaseModel):
    """OpenAI's request; its sampling parameters (temperature…) are accepted and ignored."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [{
        "model": "policy-qa", "stream": False,
        "messages": [{"role": "user", "content": "如皋市新建小区托育服务用房每百户配建标准是多少"},
                     {"role": "assistant", "content": "…"},
                     {"role": "user", "content": "那宿城区呢？"}]}]})

    model: str = Field(default="policy-qa", max_length=100)
    messages: Annotated[list[Message], Field(min_length=1, max_length=50)]
    stream: bool = False
    jurisdiction: str | None = Field(default=None, max_length=50, description=(
        "policy-qa extension: the portal's own place, which questions are answered for."))
    top_k: TopK = 5


def _turns(request: ChatRequest) -> list[Turn]:
    turns = []
    for message in request.messages:
        text = message.text()
        if message.role == "user" and len(text) > MAX_QUERY_CHARS:
            from qa.errors import BadQuery

            raise BadQuery(f"a user message has {len(text)} characters; the limit is {MAX_QUERY_CHARS}")
        turns.append(Turn(message.role, text))
    return turns


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1", responses=ERRORS)

    @router.post("/chat/completions", tags=["chatbot"], dependencies=[Depends(require_json)])
    def completions(body: ChatRequest, service: Annotated[PolicyService, Depends(get_service)]) -> Any:
        """OpenAI-compatible chat completion; `stream: true` answers as server-sent events."""
        reply = answer(service, _turns(body), body.jurisdiction, body.top_k)
        identifier = f"chatcmpl-{uuid.uuid4().hex}"
        created = int(time.time())
        extra = reply.to_json()
        if not body.stream:
            return {"id": identifier, "object": "chat.completion", "created": created,
                    "model": body.model,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.text},
                                 "finish_reason": "stop", "logprobs": None}],
                    # No language model runs here: no tokens are spent.
                    "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                    "policy_qa": extra}

        def events() -> Iterator[str]:
            def chunk(delta: dict[str, Any], finish: str | None, **more: Any) -> str:
                data = {"id": identifier, "object": "chat.completion.chunk", "created": created,
                        "model": body.model,
                        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **more}
                return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

            yield chunk({"role": "assistant", "content": ""}, None)
            lines = reply.text.split("\n")
            for number, line in enumerate(lines):
                yield chunk({"content": line + ("\n" if number < len(lines) - 1 else "")}, None)
            yield chunk({}, "stop", policy_qa=extra)
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})

    @router.get("/models", tags=["chatbot"])
    def models() -> dict[str, Any]:
        """OpenAI's model list, which chatbot front ends call to configure themselves."""
        return {"object": "list", "data": [{"id": "policy-qa", "object": "model", "created": 0,
                                            "owned_by": "policy-qa"}]}

    return router
