"""Settings are validated at start; a bad value stops the process naming the variable."""

import pytest
from pydantic_settings import SettingsConfigDict

from ppcore.settings import ServiceSettings, load_settings


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_", extra="ignore", frozen=True)


def test_valid_environment_builds_settings(monkeypatch):
    monkeypatch.setenv("DEMO_GRPC_PORT", "50999")
    monkeypatch.setenv("DEMO_DATABASE_URL", "sqlite:///x.db")
    monkeypatch.setenv("DEMO_JWT_SECRET", "x" * 32)
    settings = load_settings(DemoSettings)
    assert settings.grpc_port == 50999


def test_bad_port_stops_the_process_naming_the_variable(monkeypatch, capsys):
    monkeypatch.setenv("DEMO_GRPC_PORT", "not-a-port")
    monkeypatch.setenv("DEMO_DATABASE_URL", "sqlite:///x.db")
    monkeypatch.setenv("DEMO_JWT_SECRET", "x" * 32)
    with pytest.raises(SystemExit) as exit_info:
        load_settings(DemoSettings)
    assert exit_info.value.code == 2
    assert "DEMO_GRPC_PORT" in capsys.readouterr().err


def test_missing_secret_is_named(monkeypatch, capsys):
    monkeypatch.setenv("DEMO_GRPC_PORT", "1")
    monkeypatch.setenv("DEMO_DATABASE_URL", "sqlite:///x.db")
    monkeypatch.delenv("DEMO_JWT_SECRET", raising=False)
    with pytest.raises(SystemExit):
        load_settings(DemoSettings)
    assert "DEMO_JWT_SECRET" in capsys.readouterr().err
