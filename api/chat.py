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
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api.app import get_service
from api.routes import ERRORS, require_json
from api.schemas import TopK
from qa.chat import Turn, answer
from qa.search import MAX_QUERY_CHARS
from qa.service import PolicyService


class TextPart(BaseModel):
    type: Literal["text"]
    text: str


class _Message(BaseModel):
    model_config = ConfigDict(extra="ignore")

    def text(self) -> str:
        content = getattr(self, "content", None)
        if isinstance(content, list):
            return "".join(part.text for part in content)
        return content or ""


class UserMessage(_Message):
    role: Literal["user"]
    content: Annotated[str, Field(max_length=MAX_QUERY_CHARS)] | list[TextPart] | None = None


class OtherMessage(_Message):
    """System prompts and earlier answers: context only, never searched."""

    role: Literal["system", "developer", "assistant", "tool"]
    content: Annotated[str, Field(max_length=20_000)] | list[TextPart] | None = None


Message = Annotated[UserMessage | OtherMessage, Field(discriminator="role")]


MAX_MESSAGES = 1000  # the body limit (64 KiB) bounds a conversation long before this
WINDOW = 20  # the latest messages a reply reads: ten exchanges of follow-ups are plenty


class ChatRequest(BaseModel):
    """OpenAI's request; its sampling parameters (temperature…) are accepted and ignored."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [{
        "model": "policy-qa", "stream": False,
        "messages": [{"role": "user", "content": "如皋市新建小区托育服务用房每百户配建标准是多少"},
                     {"role": "assistant", "content": "…"},
                     {"role": "user", "content": "那宿城区呢？"}]}]})

    model: str = Field(default="policy-qa", max_length=100)
    messages: Annotated[list[Message], Field(min_length=1, max_length=MAX_MESSAGES, description=(
        f"The conversation, oldest first; only the last {WINDOW} messages are read (a long "
        "conversation keeps being answered)."))]
    stream: StrictBool = False
    jurisdiction: str | None = Field(default=None, max_length=50, description=(
        "policy-qa extension: the portal's own place, which questions are answered for."))
    top_k: TopK = 5


CHUNKS = ("Server-sent events: each `data:` is a chat.completion.chunk object (the last one carries "
          "`policy_qa`), then `data: [DONE]`.")


def _turns(request: ChatRequest) -> list[Turn]:
    """The latest messages only: an answer depends on the last few turns, and the cost of a
    request must not grow with the length of a conversation."""
    return [Turn(message.role, message.text()) for message in request.messages[-WINDOW:]]


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1", responses=ERRORS)

    @router.post("/chat/completions", tags=["chatbot"], dependencies=[Depends(require_json)],
                 responses={200: {"description": "A chat.completion, or chunks when streaming",
                                  "content": {"application/json": {},
                                              "text/event-stream": {"schema": {"description": CHUNKS}}}}})
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
