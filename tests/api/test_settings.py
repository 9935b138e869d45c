"""Settings come from POLICY_QA_* environment variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.settings import Settings


def test_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_QA_INDEX", "/srv/index")
    monkeypatch.setenv("POLICY_QA_PORT", "9000")
    monkeypatch.setenv("POLICY_QA_CORS_ORIGINS", "https://a.gov.cn, https://b.gov.cn")
    monkeypatch.setenv("POLICY_QA_API_KEY", "s3cret-value")
    settings = Settings()
    assert settings.index == Path("/srv/index") and settings.port == 9000
    assert settings.cors_origins == ["https://a.gov.cn", "https://b.gov.cn"]
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "s3cret-value"
    assert "s3cret-value" not in repr(settings)


def test_an_empty_key_means_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_QA_API_KEY", "")
    assert Settings().api_key is None


def test_bad_settings_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_QA_PORT", "99999")
    with pytest.raises(ValueError, match="port"):
        Settings()
