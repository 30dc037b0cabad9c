"""Settings of the status process: environment variables prefixed STATUS_."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ppcore.settings import ServiceSettings


class StatusSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STATUS_", extra="ignore", frozen=True)

    grpc_port: int = Field(default=50051, ge=0, le=65535)
    database_url: str = "sqlite:///var/status.db"
    # Kyiv wall-clock time of the embedded daily review (anniversaries, terminations, sanction ends).
    daily_review_hour: int = Field(default=0, ge=0, le=23)
    daily_review_minute: int = Field(default=10, ge=0, le=59)
