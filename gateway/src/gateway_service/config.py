"""Settings of the gateway process: environment variables prefixed GATEWAY_."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

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
    # How often status's scheduled policy versions are re-read for the directory ranking (R-POL-01).
    policy_versions_refresh_seconds: float = Field(default=5.0, gt=0)
    # The whole cabinet fan-out answers within this; a backend slower than it is a missing section.
    cabinet_deadline_seconds: float = Field(default=1.5, gt=0)
    # Per backend, the deadline of its sections (unset: cabinet_deadline_seconds); the view
    # answers within the largest of them.
    cabinet_status_deadline_seconds: float | None = Field(default=None, gt=0)
    cabinet_points_deadline_seconds: float | None = Field(default=None, gt=0)
    cabinet_licensing_deadline_seconds: float | None = Field(default=None, gt=0)
    cabinet_compliance_deadline_seconds: float | None = Field(default=None, gt=0)
    # The backends' partner-view answers are kept in memory and dropped by the backends'
    # events; this is the most any answer is kept (a safety net; 0 turns the cache off).
    cabinet_cache_seconds: float = Field(default=60.0, ge=0)
    # At most this many answers (one per backend, partner, sections, date and viewer kind).
    cabinet_cache_entries: int = Field(default=20_000, ge=1)
    # Default window of the cabinet's expiring-points figure, Kyiv calendar days.
    cabinet_expiring_within_days: int = Field(default=30, ge=1, le=366)
    # The entitlement facade is on the checkout path: fail fast rather than hold the buyer.
    entitlement_deadline_seconds: float = Field(default=0.5, gt=0)
    # Directory pages are served from memory for this long (0: always from the read model).
    directory_cache_seconds: float = Field(default=2.0, ge=0)
    # The HTTP/JSON side (ASGI, uvicorn in this process): make run 8050, Kubernetes 8080.
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8050, ge=0, le=65535)
    # Browser origins (the vendor's sites) allowed by CORS, comma-separated; empty: none.
    http_cors_origins: Annotated[tuple[str, ...], NoDecode] = ()
    # Deadline of a transcoded HTTP call on the process's own gRPC server.
    http_call_timeout_seconds: float = Field(default=5.0, gt=0)
    # With TLS on, the HTTP side calls the gRPC port as this host name (the certificate's).
    http_loopback_server_name: str = "gateway"

    # The web pages (directory, cabinet, staff console) on the HTTP side.
    web_enabled: bool = True
    # Signs the session cookie; set it in production (shared by replicas). Unset: a random
    # secret per process start, so sessions end on restart.
    web_session_secret: SecretStr | None = None
    web_secure_cookies: bool = False
    # The development sign-in (pick a demo person): make run only, never in production.
    web_dev_signin: bool = False
    # Logins the development sign-in offers: "login=what it is", separated by ";".
    web_demo_logins: Annotated[tuple[str, ...], NoDecode] = ()
    # OpenID Connect sign-in (production); off while the issuer URL is empty.
    web_oidc_issuer_url: str = ""
    web_oidc_client_id: str = ""
    web_oidc_client_secret: SecretStr | None = None
    web_oidc_staff_group: str = "partner-program-staff"

    @field_validator("web_demo_logins", mode="before")
    @classmethod
    def _semicolon_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(item.strip() for item in value.split(";") if item.strip())
        return value

    @field_validator("http_cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(origin.strip() for origin in value.split(",") if origin.strip())
        return value

    def backend_deadline(self, backend: str) -> float:
        """The deadline of ``backend``'s sections of the partner view."""
        value: float | None = getattr(self, f"cabinet_{backend}_deadline_seconds")
        return value if value is not None else self.cabinet_deadline_seconds
