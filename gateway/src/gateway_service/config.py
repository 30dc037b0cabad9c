"""Settings of the gateway process: environment variables prefixed GATEWAY_."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ppcore.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    grpc_port: int = Field(default=50050, ge=0, le=65535)
    database_url: str = "sqlite:///var/gateway.db"
