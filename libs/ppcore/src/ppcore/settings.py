"""Settings from environment variables, one prefix per process, validated at start.

Each process subclasses :class:`ServiceSettings` with its own ``env_prefix``
(``STATUS_``, ``POINTS_``, ...). :func:`load_settings` builds it once in the composition
root; a bad or missing value stops the process with a message naming the variable.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ppcore.auth import DEFAULT_MAX_LIFETIMES
from ppcore.policy import DEFAULT_POLICY_PATH


class TlsSettings(BaseSettings):
    """Paths of PEM files. All unset: plaintext (local runs). Set: TLS, mutual when a CA is given."""

    cert_file: Path | None = None
    key_file: Path | None = None
    ca_file: Path | None = None


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PP_", extra="ignore", frozen=True)

    # Where this process listens.
    grpc_host: str = "127.0.0.1"
    grpc_port: int = Field(ge=0, le=65535)
    # Server processes sharing grpc_port (SO_REUSEPORT), each with its own database pool.
    # 1 per core the process may use (a pod's CPU limit); see README "Processes per service".
    processes: int = Field(default=1, ge=1, le=64)
    # Set by the parent for each of its processes (0 .. processes-1); not an operator setting.
    process_index: int = Field(default=0, ge=0)
    # SQLAlchemy URL. postgresql:// and sqlite:/// are accepted and mapped to async drivers.
    database_url: str = Field(min_length=1)
    # Connections per process (README "Database pools"): the ORM pool (as many again may
    # overflow under bursts) and each hot-read pool (discount check, key check, as-of total).
    db_pool_size: int = Field(default=10, ge=1, le=200)
    hot_read_pool_size: int = Field(default=10, ge=1, le=200)
    # Rows the hot paths (discount check, key check) keep in memory per process, dropped when
    # PostgreSQL notifies their change (ppcore.notified_cache); 0 turns the cache off. A kept
    # row is read again after hot_read_cache_seconds whatever happens.
    hot_read_cache_entries: int = Field(default=100_000, ge=0, le=10_000_000)
    hot_read_cache_seconds: float = Field(default=300.0, gt=0, le=86_400)
    # Every node of a NATS cluster, comma-separated, so a process starts while one is down.
    nats_url: str = "nats://127.0.0.1:4222"
    # NATS security: a CA to verify the server (TLS), a client certificate and key (mutual TLS),
    # and either a .creds file (JWT + NKey) or a user and password.
    nats_tls_ca_file: Path | None = None
    nats_tls_cert_file: Path | None = None
    nats_tls_key_file: Path | None = None
    nats_credentials_file: Path | None = None
    nats_user: str | None = None
    nats_password: SecretStr | None = None
    # Prefix of JetStream stream names and subjects; tests isolate runs by changing it.
    nats_namespace: str = Field(default="partnerprogram", pattern=r"^[a-z][a-z0-9_]*$")
    # Copies JetStream keeps of each stream this process creates (3 on a 3-server cluster).
    nats_stream_replicas: int = Field(default=1, ge=1, le=5)
    policy_file: Path = DEFAULT_POLICY_PATH

    # Authentication: HS256 shared secret, or an asymmetric key pair (PEM files).
    jwt_secret: SecretStr | None = None
    jwt_public_key_file: Path | None = None
    jwt_private_key_file: Path | None = None
    # One public key per issuer: <issuer>.pem files; a token is checked with its issuer's key.
    jwt_public_keys_dir: Path | None = None
    jwt_algorithm: Literal["HS256", "RS256", "ES256", "EdDSA"] = "HS256"
    jwt_issuer: str = "partnerprogram"
    jwt_audience: str = "partnerprogram"
    # Longest accepted token lifetime (exp - iat) per caller kind, seconds; JSON in the
    # environment, e.g. {"staff": 43200, "partner_user": 43200, "sales_platform": 86400, "system": 86400}.
    jwt_max_lifetime_seconds: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_MAX_LIFETIMES))

    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    tls_ca_file: Path | None = None

    # gRPC server reflection (grpcurl, Postman): on for local runs, off in the production overlay.
    reflection_enabled: bool = True

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"
    # Share of successful calls that get an rpc.completed line; refused and failed calls always do.
    access_log_sample: float = Field(default=1.0, ge=0.0, le=1.0)
    # Prometheus /metrics (and /readyz, /livez for probes) on this port; unset: not served.
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    # OTLP/gRPC endpoint of a trace collector (http://collector:4317); empty: tracing off.
    otlp_endpoint: str = ""
    shutdown_grace_seconds: float = Field(default=10.0, ge=0)
    # On SIGTERM, health turns NOT_SERVING this long before new calls are refused, so load
    # balancers stop routing first; in-flight calls then get shutdown_grace_seconds to finish.
    shutdown_notice_seconds: float = Field(default=0.0, ge=0)
    relay_batch_size: int = Field(default=500, ge=1, le=10_000)
    relay_poll_seconds: float = Field(default=0.2, gt=0)
    consumer_max_deliver: int = Field(default=6, ge=1)
    # Run the in-process daily scheduler (embedded runs). In Kubernetes a CronJob calls the RPC instead.
    scheduler_enabled: bool = True
    # Follow the shared program-time control (NATS key-value) instead of the wall clock:
    # staging, demos and end-to-end tests only; the production overlay never sets it.
    program_time_enabled: bool = False

    @model_validator(mode="after")
    def _auth_keys_present(self) -> ServiceSettings:
        if self.jwt_algorithm == "HS256":
            if self.jwt_secret is None or len(self.jwt_secret.get_secret_value()) < 16:
                raise ValueError("jwt_secret: required for HS256 and at least 16 characters")
        elif self.jwt_public_key_file is None and self.jwt_public_keys_dir is None:
            raise ValueError(f"jwt_public_key_file: required for {self.jwt_algorithm} (or jwt_public_keys_dir)")
        if self.processes > 1 and self.grpc_port == 0:
            raise ValueError("grpc_port: a fixed port is needed to share it between processes")
        tls = [self.tls_cert_file, self.tls_key_file]
        if any(tls) and not all(tls):
            raise ValueError("tls_cert_file and tls_key_file: set both or neither")
        nats_tls = [self.nats_tls_cert_file, self.nats_tls_key_file]
        if any(nats_tls) and not all(nats_tls):
            raise ValueError("nats_tls_cert_file and nats_tls_key_file: set both or neither")
        return self

    @property
    def tls_enabled(self) -> bool:
        return self.tls_cert_file is not None


S = TypeVar("S", bound=BaseSettings)


def load_settings(cls: type[S]) -> S:
    """Build settings from the environment or stop the process naming the bad variable."""
    try:
        return cls()  # type: ignore[call-arg]
    except ValidationError as exc:
        prefix = str(cls.model_config.get("env_prefix", ""))
        lines = []
        for err in exc.errors():
            loc = "_".join(str(p) for p in err["loc"]).upper()
            msg = err["msg"]
            variable = f"{prefix}{loc}" if loc else prefix.rstrip("_")
            if not loc and ":" in msg:  # model-level check naming a field
                field_name, _, rest = msg.removeprefix("Value error, ").partition(":")
                variable, msg = f"{prefix}{field_name.strip().upper()}", rest.strip()
            lines.append(f"  {variable}: {msg}")
        sys.stderr.write(f"invalid configuration for {cls.__name__}:\n" + "\n".join(lines) + "\n")
        raise SystemExit(2) from None
