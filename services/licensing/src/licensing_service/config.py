"""Settings of the licensing process: environment variables prefixed LICENSING_."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ppcore.settings import ServiceSettings


class LicensingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LICENSING_", extra="ignore", frozen=True)

    grpc_port: int = Field(default=50053, ge=0, le=65535)
    database_url: str = "sqlite:///var/licensing.db"
    # The status service: partner facts for the on-request key conditions (R-NFR-04).
    status_address: str = "127.0.0.1:50051"
    status_deadline_seconds: float = Field(default=3.0, gt=0)
    # How often status's scheduled policy versions are re-read (R-POL-01).
    policy_versions_refresh_seconds: float = Field(default=5.0, gt=0)
    # Kyiv wall-clock time of the daily yearly-renewals run (R-NFR-03/06/08).
    renewals_time: str = Field(default="00:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")

    @property
    def renewals_hour_minute(self) -> tuple[int, int]:
        hour, minute = self.renewals_time.split(":")
        return int(hour), int(minute)
