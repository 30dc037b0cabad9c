"""Settings of the gateway process: environment variables prefixed GATEWAY_."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ppcore.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    grpc_port: int = Field(default=50050, ge=0, le=65535)
    database_url: str = "sqlite:///var/gateway.db"
    # The four backends the cabinet fans out to (calls authenticated as the gateway).
    status_address: str = "127.0.0.1:50051"
    points_address: str = "127.0.0.1:50052"
    licensing_address: str = "127.0.0.1:50053"
    compliance_address: str = "127.0.0.1:50054"
    # The whole cabinet fan-out answers within this; a backend slower than it is a missing section.
    cabinet_deadline_seconds: float = Field(default=1.5, gt=0)
    # Default window of the cabinet's expiring-points figure, Kyiv calendar days.
    cabinet_expiring_within_days: int = Field(default=30, ge=1, le=366)
    # The entitlement facade is on the checkout path: fail fast rather than hold the buyer.
    entitlement_deadline_seconds: float = Field(default=0.5, gt=0)
    # Directory pages are served from memory for this long (0: always from the read model).
    directory_cache_seconds: float = Field(default=2.0, ge=0)
