"""Error vocabulary shared by domain code and the gRPC edge.

Domain code raises these; the gRPC error interceptor maps each class to one status
code and attaches ``google.rpc.Status`` details (``ErrorInfo`` with the reason, and
``BadRequest`` field violations when a field is named). Nothing here imports gRPC, so
pure domain modules may raise them freely.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldViolation:
    """One bad field: its path in the request and what is wrong with it."""

    field: str
    description: str


@dataclass
class DomainError(Exception):
    """Base of every error that a use case may refuse a request with.

    ``reason`` is a stable UPPER_SNAKE machine code (``ErrorInfo.reason``); ``rule`` is
    the RULES.md ID behind the refusal, when there is one.
    """

    reason: str
    message: str
    rule: str | None = None
    violations: tuple[FieldViolation, ...] = field(default_factory=tuple)
    metadata: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        prefix = f"[{self.rule}] " if self.rule else ""
        return f"{prefix}{self.message}"


class InvalidArgument(DomainError):
    """The request itself is malformed or breaks a rule checked at input (INVALID_ARGUMENT)."""

    @classmethod
    def for_field(
        cls, field_path: str, description: str, *, reason: str = "INVALID_FIELD", rule: str | None = None
    ) -> InvalidArgument:
        return cls(
            reason=reason,
            message=f"{field_path}: {description}",
            rule=rule,
            violations=(FieldViolation(field_path, description),),
        )


class FailedPrecondition(DomainError):
    """A program rule says no in the current state (FAILED_PRECONDITION)."""


class NotFound(DomainError):
    """The named resource does not exist (NOT_FOUND)."""


class AlreadyExists(DomainError):
    """The resource exists already (ALREADY_EXISTS)."""


class PermissionDenied(DomainError):
    """The caller is known but may not do this (PERMISSION_DENIED)."""


class Unauthenticated(DomainError):
    """The caller could not be identified (UNAUTHENTICATED)."""


class Unavailable(DomainError):
    """A service this call depends on cannot answer now; retrying later may work (UNAVAILABLE)."""


def not_found(kind: str, ident: object) -> NotFound:
    """A uniform NOT_FOUND for ``kind`` with identifier ``ident``."""
    return NotFound(reason=f"{kind.upper()}_NOT_FOUND", message=f"{kind} {ident!s} not found")
