"""Settings of the points process: environment variables prefixed POINTS_."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ppcore.settings import ServiceSettings


class PointsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="POINTS_", extra="ignore", frozen=True)

    grpc_port: int = Field(default=50052, ge=0, le=65535)
    database_url: str = "sqlite:///var/points.db"
    # The licensing service's key registry (VerifyKey, R-PRJ-04).
    licensing_address: str = "127.0.0.1:50053"
    licensing_deadline_seconds: float = Field(default=3.0, gt=0)
