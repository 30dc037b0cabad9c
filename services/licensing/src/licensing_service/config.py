"""Settings of the licensing process: environment variables prefixed LICENSING_."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ppcore.settings import ServiceSettings


class LicensingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LICENSING_", extra="ignore", frozen=True)

    grpc_port: int = Field(default=50053, ge=0, le=65535)
    database_url: str = "sqlite:///var/licensing.db"
