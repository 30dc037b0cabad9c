"""Settings of the compliance process: environment variables prefixed COMPLIANCE_."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ppcore.settings import ServiceSettings


class ComplianceSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COMPLIANCE_", extra="ignore", frozen=True)

    grpc_port: int = Field(default=50054, ge=0, le=65535)
    database_url: str = "sqlite:///var/compliance.db"
    # How often the embedded job lifts sanctions whose end has come (R-SAN-01); runs only
    # with scheduler_enabled, otherwise a CronJob calls RunSanctionLifts.
    sanction_lift_interval_seconds: float = Field(default=300.0, gt=0)
