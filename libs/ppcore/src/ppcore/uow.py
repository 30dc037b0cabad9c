"""The unit of work: one transaction, its outbox writes, and nothing global.

A service subclasses :class:`SqlUnitOfWork` to add its repositories (built on
``self.session`` in :meth:`_on_enter`). Use cases do::

    async with uow_factory() as uow:
        ...load, call the domain, save...
        uow.publish(StatusChanged(...), partner_id=pid)
        await uow.commit()

Events published through the unit of work are outbox rows in the same transaction as
the change, so a change is never committed without its events nor the other way round.

A repository that changes a partner's data calls :meth:`SqlUnitOfWork.touched`; at commit,
each touched partner that no event of the transaction names gets the service's
``PartnerDataChanged`` (its ``partner_changed_type``), so a read model keeping a copy of
the partner's data (the gateway's partner-view cache) learns of every change, even of those
no other service needs to hear about.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession

from ppcore.clock import Clock
from ppcore.db import Database, PlatformTables, insert_many
from ppcore.events import Naming, make_envelope
from ppcore.notified_cache import WRITTEN_CHANNELS, settle
from ppcore.request_context import current_correlation_id
from ppcore.tracing import current_traceparent

Touched = Callable[[str], None]  # a repository says it changed a partner's data (SqlUnitOfWork.touched)


def untouched(partner_id: str) -> None:
    """For a repository used without a unit of work that announces changes."""


class SqlUnitOfWork:
    # The service's event announcing a change to a partner's data (``partner_id`` its one
    # field); None: touches announce nothing.
    partner_changed_type: type[Message] | None = None
    session: AsyncSession

    def __init__(
        self,
        db: Database,
        tables: PlatformTables,
        *,
        source: str,
        naming: Naming,
        clock: Clock,
        policy_version: str = "",
        after_commit: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.tables = tables
        self.source = source
        self.naming = naming
        self.clock = clock
        self.policy_version = policy_version
        self._after_commit = after_commit
        self._published = 0
        self.published_event_ids: list[str] = []
        self._touched: set[str] = set()
        self._named: set[str] = set()

    async def __aenter__(self) -> Self:
        self.session = self.db.sessionmaker()
        await self.session.begin()
        self._published = 0
        self.published_event_ids = []
        self._touched, self._named = set(), set()
        await self._on_enter()
        return self

    async def _on_enter(self) -> None:
        """Hook for subclasses: build repositories on ``self.session``."""

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self.session.in_transaction():
                await self.session.rollback()
        finally:
            await self.session.close()

    def publish(
        self,
        payload: Message,
        *,
        partner_id: str = "",
        correlation_id: str | None = None,
        event_id: str | None = None,
    ) -> str:
        """Queue an event in the outbox of this transaction; returns its event id."""
        now = self.clock.now()
        envelope = make_envelope(
            payload,
            source=self.source,
            time=now,
            partner_id=partner_id,
            correlation_id=correlation_id if correlation_id is not None else current_correlation_id(),
            policy_version=self.policy_version,
            event_id=event_id,
            traceparent=current_traceparent(),
        )
        self._pending_rows.append(
            {
                "event_id": envelope.id,
                "subject": self.naming.subject_for(envelope.type),
                "partner_id": partner_id,
                "envelope": envelope.SerializeToString(),
                "created_at": now,
            }
        )
        self._published += 1
        self.published_event_ids.append(envelope.id)
        self._named.add(partner_id)
        return envelope.id

    def touched(self, partner_id: str) -> None:
        """This transaction changes ``partner_id``'s data (see the module's docstring)."""
        if partner_id:
            self._touched.add(partner_id)

    def partner_changed_event(self, partner_id: str) -> Message | None:
        """The service's ``PartnerDataChanged`` for ``partner_id``; None: touches announce nothing."""
        return None if self.partner_changed_type is None else self.partner_changed_type(partner_id=partner_id)

    def _announce_touched(self) -> None:
        for partner_id in sorted(self._touched - self._named):
            event = self.partner_changed_event(partner_id)
            if event is not None:
                self.publish(event, partner_id=partner_id)
        self._touched.clear()

    @property
    def _pending_rows(self) -> list[dict[str, object]]:
        rows: list[dict[str, object]] | None = self.session.info.get("outbox_rows")
        if rows is None:
            rows = []
            self.session.info["outbox_rows"] = rows
        return rows

    async def flush_outbox(self) -> None:
        rows = self.session.info.pop("outbox_rows", None)
        if rows:
            await insert_many(self.session, self.tables.outbox, rows)

    async def commit(self) -> None:
        self._announce_touched()
        await self.flush_outbox()
        written = self.session.info.pop(WRITTEN_CHANNELS, None)
        await self.session.commit()
        self._named.clear()
        if written:
            await settle(written)  # this process's hot-path caches reflect the commit (read your writes)
        if self._published and self._after_commit is not None:
            self._after_commit()

    async def rollback(self) -> None:
        self.session.info.pop("outbox_rows", None)
        self.session.info.pop(WRITTEN_CHANNELS, None)
        self._touched.clear()
        await self.session.rollback()
