"""Loads and saves a partner's NFR portfolio: grants, cloud NFR, edition changes, histories.

Loading locks the partner's row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite
serialises writers already), so an event consumer and an RPC changing the same
partner's keys never overwrite each other. Saving also keeps ``license_keys`` in step,
so ``VerifyKey`` sees every NFR key's state without a join.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from licensing_service.adapters.key_registry import LICENSE_KEYS_CHANNEL
from licensing_service.adapters.orm import (
    CloudNfrRow,
    EditionChangeRow,
    GrantRow,
    HistoryRow,
    KeyRequestRow,
    LicenseKeyRow,
    PartnerRow,
)
from licensing_service.domain import (
    ChangeRequestState,
    CloudNfr,
    CloudNfrState,
    EditionChangeRequest,
    GrantKind,
    GrantState,
    HistoryAction,
    HistoryEntry,
    KeyRequestState,
    LicenseKey,
    NfrGrant,
    OnRequestKeyRequest,
    PartnerNfr,
    RevocationCause,
    SiteChecklist,
    SiteTopic,
    UsageRestriction,
)
from ppcore.notified_cache import mark_written
from ppcore.uow import Touched, untouched


@dataclass
class _Loaded:
    partner: PartnerRow | None
    grants: dict[str, GrantRow] = field(default_factory=dict)
    cloud: CloudNfrRow | None = None
    requests: dict[str, EditionChangeRow] = field(default_factory=dict)
    key_requests: dict[str, KeyRequestRow] = field(default_factory=dict)
    history_counts: dict[str, int] = field(default_factory=dict)


class PortfolioRepository:
    def __init__(self, session: AsyncSession, touched: Touched = untouched) -> None:
        self._session = session
        self._touched = touched  # the unit of work announces every portfolio written (PartnerDataChanged)
        self._loaded: dict[str, _Loaded] = {}

    # --- partner facts from the status events -----------------------------------
    async def partner(self, partner_id: str) -> PartnerRow:
        """The partner's row, locked for this transaction; created on first sight."""
        known = self._loaded.get(partner_id)
        if known is not None and known.partner is not None:
            return known.partner
        row = (
            await self._session.execute(
                sa.select(PartnerRow).where(PartnerRow.partner_id == partner_id).with_for_update()
            )
        ).scalar_one_or_none()
        if row is None:
            row = PartnerRow(partner_id=partner_id, tier="", terminated=False)
            self._session.add(row)
            await self._session.flush()
        return row

    # --- the aggregate ------------------------------------------------------------
    async def get(self, partner_id: str) -> PartnerNfr:
        """The portfolio, for a change: the partner's row is locked until the transaction ends."""
        return await self._load(partner_id, await self.partner(partner_id))

    async def read(self, partner_id: str) -> PartnerNfr:
        """The portfolio, for a query: no lock, and nothing to save."""
        return await self._load(partner_id, None)

    async def _load(self, partner_id: str, partner: PartnerRow | None) -> PartnerNfr:
        loaded = _Loaded(partner)
        grant_rows: list[GrantRow] = await self._rows_of(GrantRow, partner_id, GrantRow.issued_on)
        cloud_row = (
            await self._session.execute(sa.select(CloudNfrRow).where(CloudNfrRow.partner_id == partner_id))
        ).scalar_one_or_none()
        request_rows: list[EditionChangeRow] = await self._rows_of(
            EditionChangeRow, partner_id, EditionChangeRow.requested_at
        )
        key_request_rows: list[KeyRequestRow] = await self._rows_of(
            KeyRequestRow, partner_id, KeyRequestRow.requested_at
        )
        history = await self._history(partner_id)
        portfolio = PartnerNfr(partner_id)
        for row in grant_rows:
            loaded.grants[row.grant_id] = row
            entries = history.get(row.grant_id, [])
            loaded.history_counts[row.grant_id] = len(entries)
            portfolio.grants.append(_grant(row, entries))
        if cloud_row is not None:
            loaded.cloud = cloud_row
            entries = history.get(cloud_row.cloud_nfr_id, [])
            loaded.history_counts[cloud_row.cloud_nfr_id] = len(entries)
            portfolio.cloud = _cloud(cloud_row, entries)
        for request_row in request_rows:
            loaded.requests[request_row.change_request_id] = request_row
            portfolio.change_requests.append(_change_request(request_row))
        for key_request_row in key_request_rows:
            loaded.key_requests[key_request_row.key_request_id] = key_request_row
            portfolio.key_requests.append(_key_request(key_request_row))
        if partner is not None:
            self._loaded[partner_id] = loaded
        return portfolio

    async def save(self, portfolio: PartnerNfr) -> None:
        self._touched(portfolio.partner_id)
        loaded = self._loaded[portfolio.partner_id]
        for grant in portfolio.grants:
            row = loaded.grants.get(grant.grant_id)
            if row is None:
                row = GrantRow(grant_id=grant.grant_id, partner_id=grant.partner_id)
                self._session.add(row)
                loaded.grants[grant.grant_id] = row
            _fill_grant(row, grant)
            self._append_history(loaded, grant.grant_id, grant.partner_id, grant.history)
            await self._sync_keys(grant)
        cloud = portfolio.cloud
        if cloud is not None:
            if loaded.cloud is None:
                loaded.cloud = CloudNfrRow(cloud_nfr_id=cloud.cloud_nfr_id, partner_id=cloud.partner_id)
                self._session.add(loaded.cloud)
            _fill_cloud(loaded.cloud, cloud)
            self._append_history(loaded, cloud.cloud_nfr_id, cloud.partner_id, cloud.history)
        for request in portfolio.change_requests:
            request_row = loaded.requests.get(request.change_request_id)
            if request_row is None:
                request_row = EditionChangeRow(change_request_id=request.change_request_id)
                self._session.add(request_row)
                loaded.requests[request.change_request_id] = request_row
            _fill_request(request_row, request)
        for key_request in portfolio.key_requests:
            key_request_row = loaded.key_requests.get(key_request.key_request_id)
            if key_request_row is None:
                key_request_row = KeyRequestRow(key_request_id=key_request.key_request_id)
                self._session.add(key_request_row)
                loaded.key_requests[key_request.key_request_id] = key_request_row
            _fill_key_request(key_request_row, key_request)
        await self._session.flush()

    # --- look-ups by child id -------------------------------------------------------
    async def partner_of_grant(self, grant_id: str) -> str | None:
        return await self._scalar(sa.select(GrantRow.partner_id).where(GrantRow.grant_id == grant_id))

    async def partner_of_change_request(self, change_request_id: str) -> str | None:
        return await self._scalar(
            sa.select(EditionChangeRow.partner_id).where(EditionChangeRow.change_request_id == change_request_id)
        )

    async def partner_of_key_request(self, key_request_id: str) -> str | None:
        return await self._scalar(
            sa.select(KeyRequestRow.partner_id).where(KeyRequestRow.key_request_id == key_request_id)
        )

    async def key_requests(self, state: KeyRequestState | None, offset: int, limit: int) -> list[OnRequestKeyRequest]:
        """On-request key requests, oldest first (staff work the pending ones in order)."""
        query = sa.select(KeyRequestRow)
        if state is not None:
            query = query.where(KeyRequestRow.state == state.value)
        rows = await self._session.execute(
            query.order_by(KeyRequestRow.requested_at, KeyRequestRow.key_request_id).offset(offset).limit(limit)
        )
        return [_key_request(row) for row in rows.scalars()]

    async def partners_with_renewals_due(self, on: date) -> list[str]:
        """Partners holding an active grant or cloud NFR whose year ends on or before ``on``."""
        grants = sa.select(GrantRow.partner_id).where(
            GrantRow.state == GrantState.ACTIVE.value, GrantRow.valid_until <= on
        )
        clouds = sa.select(CloudNfrRow.partner_id).where(
            CloudNfrRow.state == CloudNfrState.ACTIVE.value, CloudNfrRow.valid_until <= on
        )
        result = await self._session.execute(sa.union(grants, clouds))
        return sorted(str(partner_id) for partner_id in result.scalars().all())

    async def expiring(self, start: date, end: date, after: tuple[date, str] | None, limit: int) -> list[NfrGrant]:
        """Active grants (without history) whose last valid day is within [start, end], soonest
        first, after the grant keyed (valid_until, grant_id) ``after`` (keyset on
        ix_nfr_grants_state_valid_until)."""
        query = sa.select(GrantRow).where(
            GrantRow.state == GrantState.ACTIVE.value, GrantRow.valid_until.between(start, end)
        )
        if after is not None:
            query = query.where(sa.tuple_(GrantRow.valid_until, GrantRow.grant_id) > sa.tuple_(*after))
        rows = await self._session.execute(query.order_by(GrantRow.valid_until, GrantRow.grant_id).limit(limit))
        return [_grant(row, []) for row in rows.scalars()]

    async def grants_page(
        self, partner_id: str, *, active_only: bool, after: tuple[date, str] | None, limit: int
    ) -> list[NfrGrant]:
        """A partner's grants (without history) by (issued_on, grant_id), after ``after``: one
        bounded query instead of the whole portfolio (ix_nfr_grants_partner_id)."""
        query = sa.select(GrantRow).where(GrantRow.partner_id == partner_id)
        if active_only:
            query = query.where(GrantRow.state == GrantState.ACTIVE.value)
        if after is not None:
            query = query.where(sa.tuple_(GrantRow.issued_on, GrantRow.grant_id) > sa.tuple_(*after))
        rows = await self._session.execute(query.order_by(GrantRow.issued_on, GrantRow.grant_id).limit(limit))
        return [_grant(row, []) for row in rows.scalars()]

    # --- helpers --------------------------------------------------------------------
    async def _rows_of(self, row_type: Any, partner_id: str, order_by: Any) -> list[Any]:
        """A partner's rows of one table, in ``order_by`` order."""
        statement = sa.select(row_type).where(row_type.partner_id == partner_id).order_by(order_by)
        return list((await self._session.execute(statement)).scalars().all())

    async def _scalar(self, statement: sa.Select[Any]) -> str | None:
        value = (await self._session.execute(statement)).scalar_one_or_none()
        return None if value is None else str(value)

    async def _history(self, partner_id: str) -> dict[str, list[HistoryEntry]]:
        rows = await self._session.execute(
            sa.select(HistoryRow).where(HistoryRow.partner_id == partner_id).order_by(HistoryRow.history_id)
        )
        history: dict[str, list[HistoryEntry]] = {}
        for row in rows.scalars():
            history.setdefault(row.subject_id, []).append(
                HistoryEntry(
                    at=row.at,
                    action=HistoryAction(row.action),
                    reason=row.reason,
                    rule=row.rule,
                    policy_version=row.policy_version,
                    key=row.key,
                    detail=row.detail,
                    valid_until=row.valid_until,
                )
            )
        return history

    def _append_history(self, loaded: _Loaded, subject_id: str, partner_id: str, entries: list[HistoryEntry]) -> None:
        known = loaded.history_counts.get(subject_id, 0)
        for entry in entries[known:]:
            self._session.add(
                HistoryRow(
                    subject_id=subject_id,
                    partner_id=partner_id,
                    at=entry.at,
                    action=entry.action.value,
                    reason=entry.reason,
                    rule=entry.rule,
                    policy_version=entry.policy_version,
                    key=entry.key,
                    detail=entry.detail,
                    valid_until=entry.valid_until,
                )
            )
        loaded.history_counts[subject_id] = len(entries)

    async def _sync_keys(self, grant: NfrGrant) -> None:
        mark_written(self._session.info, LICENSE_KEYS_CHANNEL)  # VerifyKey's cache reads this commit
        for key in grant.all_keys():
            facts = grant.facts(key)
            row = await self._session.get(LicenseKeyRow, key.value)
            now = grant.history[-1].at  # every grant records its issue
            if row is None:
                row = LicenseKeyRow(key=key.value, registered_at=now, grant_id=grant.grant_id)
                self._session.add(row)
            row.kind = facts.kind.value
            row.edition = facts.edition
            row.owner_id = facts.owner_id
            row.activated = facts.activated
            row.demo = facts.demo
            row.revoked = facts.revoked
            row.valid_until = facts.valid_until
            row.updated_at = now


def _grant(row: GrantRow, history: list[HistoryEntry]) -> NfrGrant:
    return NfrGrant(
        grant_id=row.grant_id,
        partner_id=row.partner_id,
        kind=GrantKind(row.kind),
        entitlement=row.entitlement,
        edition=row.edition,
        key=LicenseKey(row.key),
        issued_on=row.issued_on,
        valid_until=row.valid_until,
        state=GrantState(row.state),
        revocation_cause=RevocationCause(row.revocation_cause) if row.revocation_cause else None,
        edition_changed=row.edition_changed,
        years_renewed=row.years_renewed,
        site_url=row.site_url,
        usage_restriction=UsageRestriction(row.usage_restriction),
        retired_keys=[LicenseKey(key) for key in row.retired_keys],
        site_checked_on=row.site_checked_on,
        site_requirements_hold=row.site_requirements_hold,
        history=history,
    )


def _fill_grant(row: GrantRow, grant: NfrGrant) -> None:
    row.kind = grant.kind.value
    row.entitlement = grant.entitlement
    row.edition = grant.edition
    row.key = grant.key.value
    row.issued_on = grant.issued_on
    row.valid_until = grant.valid_until
    row.state = grant.state.value
    row.revocation_cause = grant.revocation_cause.value if grant.revocation_cause else None
    row.edition_changed = grant.edition_changed
    row.years_renewed = grant.years_renewed
    row.site_url = grant.site_url
    row.usage_restriction = grant.usage_restriction.value
    row.retired_keys = [key.value for key in grant.retired_keys]
    row.site_checked_on = grant.site_checked_on
    row.site_requirements_hold = grant.site_requirements_hold


def _cloud(row: CloudNfrRow, history: list[HistoryEntry]) -> CloudNfr:
    return CloudNfr(
        cloud_nfr_id=row.cloud_nfr_id,
        partner_id=row.partner_id,
        portal_domain=row.portal_domain,
        plan=row.plan,
        disk_gb=row.disk_gb,
        custom_domain_allowed=row.custom_domain_allowed,
        issued_on=row.issued_on,
        valid_until=row.valid_until,
        years_renewed=row.years_renewed,
        state=CloudNfrState(row.state),
        revocation_cause=RevocationCause(row.revocation_cause) if row.revocation_cause else None,
        history=history,
    )


def _fill_cloud(row: CloudNfrRow, cloud: CloudNfr) -> None:
    row.portal_domain = cloud.portal_domain
    row.plan = cloud.plan
    row.disk_gb = cloud.disk_gb
    row.custom_domain_allowed = cloud.custom_domain_allowed
    row.issued_on = cloud.issued_on
    row.valid_until = cloud.valid_until
    row.years_renewed = cloud.years_renewed
    row.state = cloud.state.value
    row.revocation_cause = cloud.revocation_cause.value if cloud.revocation_cause else None


def _change_request(row: EditionChangeRow) -> EditionChangeRequest:
    return EditionChangeRequest(
        change_request_id=row.change_request_id,
        partner_id=row.partner_id,
        grant_id=row.grant_id,
        from_edition=row.from_edition,
        to_edition=row.to_edition,
        requested_at=row.requested_at,
        state=ChangeRequestState(row.state),
        decided_at=row.decided_at,
        decision_note=row.decision_note,
    )


def _fill_request(row: EditionChangeRow, request: EditionChangeRequest) -> None:
    row.partner_id = request.partner_id
    row.grant_id = request.grant_id
    row.from_edition = request.from_edition
    row.to_edition = request.to_edition
    row.requested_at = request.requested_at
    row.state = request.state.value
    row.decided_at = request.decided_at
    row.decision_note = request.decision_note


def _key_request(row: KeyRequestRow) -> OnRequestKeyRequest:
    return OnRequestKeyRequest(
        key_request_id=row.key_request_id,
        partner_id=row.partner_id,
        site_url=row.site_url,
        edition=row.edition,
        site_on_product=row.site_on_product,
        checklist=SiteChecklist(**row.checklist),
        original_design=row.original_design,
        site_topic=SiteTopic(row.site_topic),
        requested_at=row.requested_at,
        state=KeyRequestState(row.state),
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        decision_note=row.decision_note,
        grant_id=row.grant_id,
    )


def _fill_key_request(row: KeyRequestRow, request: OnRequestKeyRequest) -> None:
    row.partner_id = request.partner_id
    row.site_url = request.site_url
    row.edition = request.edition
    row.site_on_product = request.site_on_product
    row.checklist = asdict(request.checklist)
    row.original_design = request.original_design
    row.site_topic = request.site_topic.value
    row.requested_at = request.requested_at
    row.state = request.state.value
    row.decided_at = request.decided_at
    row.decided_by = request.decided_by
    row.decision_note = request.decision_note
    row.grant_id = request.grant_id
