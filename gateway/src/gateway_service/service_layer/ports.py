"""What the gateway needs from the four backends, as ports; adapters speak gRPC."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any


class BackendFailure(Exception):
    """A backend did not give a usable answer; ``code`` is the gRPC status name."""

    def __init__(self, backend: str, code: str, message: str = "", reason: str = "") -> None:
        super().__init__(f"{backend}: {code} {message}".strip())
        self.backend = backend
        self.code = code
        self.message = message
        self.reason = reason  # the backend's ErrorInfo reason, when it gave one


# One section's read: (partner_id, deadline in seconds) -> the section's content.
SectionRead = Callable[[str, float], Coroutine[Any, Any, object]]
