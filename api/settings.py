"""Settings of the service, read once from environment variables prefixed ``POLICY_QA_``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """``POLICY_QA_INDEX=/srv/index POLICY_QA_API_KEY=… policy-qa serve``.

    ``POLICY_QA_CORS_ORIGINS`` takes a comma-separated list of origins.
    """

    model_config = SettingsConfigDict(env_prefix="POLICY_QA_", extra="ignore")

    index: Path = Path("var/index")
    cache: Path = Path("var/cache")
    corpus: Path = Path("var/corpus")  # created from the default documents when missing
    encoder: str | None = None  # default: the encoder the index was built with
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    cors_origins: Annotated[list[str], NoDecode] = []
    api_key: SecretStr | None = None  # searches need it in X-API-Key when set
    admin_key: SecretStr | None = None  # changing the corpus needs it; unset, writes are disabled
    max_body_bytes: int = 64 * 1024  # JSON requests
    max_upload_bytes: int = 50 * 1024 * 1024  # a document uploaded to POST /v1/documents
    work: Path = Path("var/work")  # uploads waiting for their job
    watch_seconds: float = Field(default=2.0, gt=0)  # how often a newly published version is looked for
    # Admission control (api/admission.py): heavy requests run this many at a time, and are
    # answered 503 with Retry-After rather than wait longer than search_wait_seconds for a slot.
    search_concurrency: int = Field(default_factory=lambda: max(2, os.cpu_count() or 2), ge=1, le=256)
    search_wait_seconds: float = Field(default=1.0, gt=0, le=60)
    # Connections (api/server.py): a request head must arrive within header_timeout_seconds and
    # a body within body_timeout_seconds; connections beyond max_connections are closed at once.
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    body_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)
    max_connections: int = Field(default=4096, ge=16)
    # Where the index lives (index/backend.py): local files (index above), or an engine, seekdb
    # or OceanBase, at engine_url (mysql://user:password@host:port/database). With seekdb and
    # no URL, `policy-qa serve` starts a seekdb of its own with its files in engine_data.
    backend: Literal["local", "seekdb"] = "local"
    engine_url: SecretStr | None = None
    engine_data: Path = Path("var/engine")

    @field_validator("api_key", "admin_key", "engine_url", mode="before")
    @classmethod
    def _no_empty_key(cls, value: object) -> object:
        """An empty POLICY_QA_API_KEY means no key, not a key that is the empty string."""
        return None if value == "" else value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        """A comma-separated list, as people write it in an environment variable."""
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value
