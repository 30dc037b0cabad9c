"""The gateway unit of work: one transaction over the directory read model."""

from __future__ import annotations

from typing import Any

from gateway_service.adapters.directory_repository import DirectoryRepository
from ppcore.policy import ProgramPolicy
from ppcore.uow import SqlUnitOfWork


class GatewayUnitOfWork(SqlUnitOfWork):
    directory: DirectoryRepository

    def __init__(self, *args: Any, policy: ProgramPolicy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The ranking weights and course list every projection step scores with (R-CARD-03, R-EMP-06).
        self.policy = policy

    async def _on_enter(self) -> None:
        self.directory = DirectoryRepository(self.session, self.db.engine.dialect.name)
