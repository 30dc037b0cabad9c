"""A partner's NFR portfolio: status keys, the on-request key, the cloud NFR, edition changes.

The aggregate the service loads per partner: rules that span keys ("never twice for the
same entitlement", "once per partner", "at most one edition change") hold inside it.
Time, ids and randomness are passed in; every decision records the policy version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from licensing_service.domain.cloud import CloudNfr
from licensing_service.domain.edition_change import ChangeRequestState, EditionChangeRequest
from licensing_service.domain.editions import EditionCatalogue
from licensing_service.domain.events import LicensingEvent
from licensing_service.domain.grants import Decision, GrantKind, GrantState, NfrGrant, RevocationCause
from licensing_service.domain.keys import LicenseKey, RandomBytes
from licensing_service.domain.on_request import (
    KeyRequestState,
    OnRequestFacts,
    OnRequestKeyRequest,
    require_conditions,
)
from licensing_service.domain.renewal import (
    RenewalDue,
    RenewalSubject,
    meets_threshold,
    on_request_renewal_threshold,
    period_end,
)
from ppcore.clock import add_months, kyiv_date
from ppcore.errors import AlreadyExists, FailedPrecondition, InvalidArgument, not_found
from ppcore.policy import ProgramPolicy, Tier

IdFactory = Callable[[], str]

ON_REQUEST_ENTITLEMENT = "ON_REQUEST"
# Revocations a status event must not undo: only staff (RestoreGrant) bring these back.
_DELIBERATE_CAUSES = frozenset({RevocationCause.SANCTION, RevocationCause.STAFF})


def status_entitlements(tier: Tier, policy: ProgramPolicy) -> tuple[str, ...]:
    """The status-key slots a tier entitles to (R-NFR-01): Certified's, plus Gold's extra ones."""
    certified = tuple(f"{Tier.CERTIFIED.value}_{n}" for n in range(1, policy.nfr.certified_keys + 1))
    gold = tuple(f"{Tier.GOLD.value}_{n}" for n in range(1, policy.nfr.gold_extra_keys + 1))
    if tier is Tier.GOLD:
        return certified + gold
    if tier is Tier.CERTIFIED:
        return certified
    return ()


@dataclass
class PartnerNfr:
    partner_id: str
    grants: list[NfrGrant] = field(default_factory=list)
    cloud: CloudNfr | None = None
    change_requests: list[EditionChangeRequest] = field(default_factory=list)
    key_requests: list[OnRequestKeyRequest] = field(default_factory=list)
    _events: list[LicensingEvent] = field(default_factory=list, repr=False)

    # --- reads ------------------------------------------------------------------
    def grant(self, grant_id: str) -> NfrGrant:
        for grant in self.grants:
            if grant.grant_id == grant_id:
                return grant
        raise not_found("grant", grant_id)

    def active_grants(self) -> tuple[NfrGrant, ...]:
        return tuple(grant for grant in self.grants if grant.is_active)

    def change_request(self, change_request_id: str) -> EditionChangeRequest:
        for request in self.change_requests:
            if request.change_request_id == change_request_id:
                return request
        raise not_found("edition_change_request", change_request_id)

    def collect_events(self) -> list[LicensingEvent]:
        """Events recorded since the last collection, in order, for the outbox."""
        events = list(self._events)
        self._events.clear()
        for grant in self.grants:
            events.extend(grant.events)
            grant.events.clear()
        if self.cloud is not None:
            events.extend(self.cloud.events)
            self.cloud.events.clear()
        return sorted(events, key=lambda event: event.occurred_at)

    # --- status keys (R-NFR-01, R-NFR-03) ----------------------------------------
    def apply_status(
        self,
        *,
        tier: Tier,
        effective_on: date,
        now: datetime,
        policy: ProgramPolicy,
        new_id: IdFactory,
        random_bytes: RandomBytes,
        reason: str,
    ) -> None:
        """Bring the status keys in line with ``tier``, granted or confirmed on ``effective_on``.

        Keys of slots the tier no longer gives are revoked (R-NFR-03: Gold -> Certified
        revokes Gold's 2 and keeps Certified's 2); held keys are renewed to the new status
        year (R-NFR-03); missing slots are issued (R-NFR-01: a straight jump to Gold gets
        all 4). Replaying the same or an older status event changes nothing.
        """
        wanted = status_entitlements(tier, policy)
        for grant in self._status_grants():
            if grant.is_active and grant.entitlement not in wanted:
                grant.revoke(
                    RevocationCause.STATUS_LOST,
                    Decision(now, f"status is now {tier.value}: {reason}", "R-NFR-03", policy.version),
                )
        valid_until = add_months(effective_on, policy.nfr.key_validity_months)
        for entitlement in wanted:
            held = self._status_grant_for(entitlement)
            if held is not None and held.is_active:
                if held.valid_until < valid_until:
                    held.renew(
                        valid_until,
                        Decision(now, f"status {tier.value} confirmed: {reason}", "R-NFR-03", policy.version),
                    )
            elif held is None or not _blocks_reissue(held):
                self.grants.append(
                    NfrGrant.issue(
                        grant_id=new_id(),
                        partner_id=self.partner_id,
                        kind=GrantKind.STATUS,
                        entitlement=entitlement,
                        edition=policy.nfr.status_key_edition,
                        key=LicenseKey.generate(random_bytes),
                        valid_until=valid_until,
                        today=kyiv_date(now),
                        decision=Decision(now, f"status {tier.value} reached: {reason}", "R-NFR-01", policy.version),
                    )
                )

    # --- edition change (R-NFR-02) -------------------------------------------------
    def request_edition_change(
        self, *, change_request_id: str, grant_id: str, to_edition: str, now: datetime, policy: ProgramPolicy
    ) -> EditionChangeRequest:
        grant = self.grant(grant_id)
        self._check_edition_change(grant, to_edition, policy, ignoring=None)
        request = EditionChangeRequest(change_request_id, self.partner_id, grant_id, grant.edition, to_edition, now)
        self.change_requests.append(request)
        return request

    def approve_edition_change(
        self, *, change_request_id: str, now: datetime, policy: ProgramPolicy, note: str = ""
    ) -> NfrGrant:
        request = self.change_request(change_request_id)
        grant = self.grant(request.grant_id)
        if request.is_pending:
            self._check_edition_change(grant, request.to_edition, policy, ignoring=request)
        request.decide(ChangeRequestState.APPROVED, now, note)
        grant.change_edition(
            request.to_edition,
            change_request_id,
            Decision(now, note or "edition change approved by staff", "R-NFR-02", policy.version),
        )
        return grant

    def reject_edition_change(self, *, change_request_id: str, now: datetime, note: str) -> EditionChangeRequest:
        request = self.change_request(change_request_id)
        request.decide(ChangeRequestState.REJECTED, now, note)
        return request

    def _check_edition_change(
        self, grant: NfrGrant, to_edition: str, policy: ProgramPolicy, ignoring: EditionChangeRequest | None
    ) -> None:
        if grant.kind is not GrantKind.STATUS or not grant.is_active:
            raise FailedPrecondition(
                reason="EDITION_CHANGE_NOT_STATUS_KEY",
                message="grant_id: only an active status key of a Certified or Gold partner "
                "may change edition (R-NFR-02)",
                rule="R-NFR-02",
            )
        if not EditionCatalogue(policy.editions).is_lower(to_edition, grant.edition):
            raise InvalidArgument.for_field(
                "to_edition",
                f"{to_edition} is not a lower edition of {grant.edition} (R-NFR-02)",
                reason="EDITION_NOT_LOWER",
                rule="R-NFR-02",
            )
        used = sum(1 for g in self._status_grants() if g.is_active and g.edition_changed)
        pending = sum(1 for r in self.change_requests if r.is_pending and r is not ignoring)
        if used + pending >= policy.nfr.max_edition_changes:
            raise FailedPrecondition(
                reason="EDITION_CHANGE_LIMIT_REACHED",
                message=f"grant_id: at most {policy.nfr.max_edition_changes} status key may change edition (R-NFR-02)",
                rule="R-NFR-02",
            )

    # --- on-request key (R-NFR-04..06) ---------------------------------------------
    def key_request(self, key_request_id: str) -> OnRequestKeyRequest:
        for request in self.key_requests:
            if request.key_request_id == key_request_id:
                return request
        raise not_found("key_request", key_request_id)

    def request_on_request_key(
        self,
        *,
        key_request_id: str,
        facts: OnRequestFacts,
        site_url: str,
        edition: str | None,
        now: datetime,
        policy: ProgramPolicy,
    ) -> OnRequestKeyRequest:
        """File the partner's request for its one on-request key, for staff to verify the site (R-NFR-04).

        What can be refused at once is: a key already received, a request already waiting,
        and every condition the partner's own answers or the status service show unmet.
        """
        self._require_no_on_request_key()
        if any(request.is_pending for request in self.key_requests):
            raise AlreadyExists(
                reason="ON_REQUEST_KEY_REQUEST_PENDING",
                message=f"partner_id: partner {self.partner_id} has an on-request key request waiting for staff (R-NFR-04)",
                rule="R-NFR-04",
            )
        if not site_url.strip():
            raise InvalidArgument.for_field(
                "site_url", "is required (R-NFR-04)", reason="SITE_URL_REQUIRED", rule="R-NFR-04"
            )
        chosen = self._on_request_edition(edition, policy)
        require_conditions(facts, policy.nfr.on_request.min_certified_employees)
        request = OnRequestKeyRequest(
            key_request_id=key_request_id,
            partner_id=self.partner_id,
            site_url=site_url.strip(),
            edition=chosen,
            site_on_product=facts.site_on_product,
            checklist=facts.checklist,
            original_design=facts.original_design,
            site_topic=facts.site_topic,
            requested_at=now,
        )
        self.key_requests.append(request)
        return request

    def approve_on_request_key(
        self,
        *,
        key_request_id: str,
        grant_id: str,
        contract_accepted: bool,
        certified_employees: int,
        decided_by: str,
        note: str,
        now: datetime,
        policy: ProgramPolicy,
        random_bytes: RandomBytes,
    ) -> tuple[OnRequestKeyRequest, NfrGrant]:
        """Staff verified the site (R-NFR-05): issue the key, the partner's conditions re-checked (R-NFR-04)."""
        request = self.key_request(key_request_id)
        if request.is_pending:
            self._require_no_on_request_key()
            require_conditions(
                OnRequestFacts(
                    contract_accepted=contract_accepted,
                    certified_employees=certified_employees,
                    site_on_product=request.site_on_product,
                    checklist=request.checklist,
                    original_design=request.original_design,
                    site_topic=request.site_topic,
                ),
                policy.nfr.on_request.min_certified_employees,
            )
        request.decide(KeyRequestState.APPROVED, at=now, by=decided_by, note=note, grant_id=grant_id)
        today = kyiv_date(now)
        reason = f"site requirements verified by {decided_by}" + (f": {note.strip()}" if note.strip() else "")
        grant = NfrGrant.issue(
            grant_id=grant_id,
            partner_id=self.partner_id,
            kind=GrantKind.ON_REQUEST,
            entitlement=ON_REQUEST_ENTITLEMENT,
            edition=request.edition,
            key=LicenseKey.generate(random_bytes),
            valid_until=period_end(today, policy.nfr.key_validity_months, 1),
            today=today,
            decision=Decision(now, f"on-request key: {reason}", "R-NFR-04", policy.version),
            site_url=request.site_url,
        )
        grant.site_checked_on = today
        grant.site_requirements_hold = True
        self.grants.append(grant)
        return request, grant

    def reject_on_request_key(
        self, *, key_request_id: str, decided_by: str, reason: str, now: datetime
    ) -> OnRequestKeyRequest:
        """Staff found the site short of the requirements; the partner may ask again (R-NFR-05)."""
        request = self.key_request(key_request_id)
        request.decide(KeyRequestState.REJECTED, at=now, by=decided_by, note=reason)
        return request

    def record_site_check(
        self, *, grant_id: str, holds: bool, checked_by: str, note: str, now: datetime, policy: ProgramPolicy
    ) -> NfrGrant:
        """Staff re-check the site requirements of the on-request key; renewal needs a recent one that holds (R-NFR-06)."""
        grant = self.grant(grant_id)
        if grant.kind is not GrantKind.ON_REQUEST:
            raise FailedPrecondition(
                reason="NOT_ON_REQUEST_KEY",
                message=f"grant_id: grant {grant_id} is not the on-request key; only its site is checked (R-NFR-05)",
                rule="R-NFR-05",
            )
        if not holds and not note.strip():
            raise InvalidArgument.for_field(
                "note", "say which requirement no longer holds", reason="NOTE_REQUIRED", rule="R-NFR-05"
            )
        verdict = "hold" if holds else "no longer hold"
        reason = f"site requirements {verdict}, checked by {checked_by}" + (f": {note.strip()}" if note.strip() else "")
        grant.record_site_check(kyiv_date(now), holds, Decision(now, reason, "R-NFR-05", policy.version))
        return grant

    def _require_no_on_request_key(self) -> None:
        if any(grant.kind is GrantKind.ON_REQUEST for grant in self.grants):
            raise AlreadyExists(
                reason="ON_REQUEST_KEY_ALREADY_GRANTED",
                message=f"partner_id: partner {self.partner_id} already received its one on-request key (R-NFR-04)",
                rule="R-NFR-04",
            )

    @staticmethod
    def _on_request_edition(edition: str | None, policy: ProgramPolicy) -> str:
        """The edition asked for, which may be the policy's or any lower one (R-NFR-04: "selected edition")."""
        default = policy.nfr.on_request.edition
        if not edition or edition == default:
            return default
        if not EditionCatalogue(policy.editions).is_lower(edition, default):
            raise InvalidArgument.for_field(
                "edition",
                f"{edition} is not {default} or a lower edition of it (R-NFR-04)",
                reason="ON_REQUEST_EDITION_NOT_ALLOWED",
                rule="R-NFR-04",
            )
        return edition

    # --- cloud NFR (R-NFR-07) --------------------------------------------------------
    def issue_cloud_nfr(
        self, *, cloud_nfr_id: str, portal_domain: str, now: datetime, policy: ProgramPolicy
    ) -> CloudNfr:
        if self.cloud is not None:
            raise AlreadyExists(
                reason="CLOUD_NFR_ALREADY_ISSUED",
                message=f"partner_id: partner {self.partner_id} already has a cloud NFR "
                f"({self.cloud.portal_domain}, {self.cloud.state.value}) (R-NFR-07)",
                rule="R-NFR-07",
            )
        today = kyiv_date(now)
        self.cloud = CloudNfr.issue(
            cloud_nfr_id=cloud_nfr_id,
            partner_id=self.partner_id,
            portal_domain=portal_domain,
            limits=policy.nfr.cloud,
            today=today,
            valid_until=period_end(today, policy.nfr.key_validity_months, 1),
            decision=Decision(now, "portal domain entered in the partner card", "R-NFR-07", policy.version),
        )
        return self.cloud

    # --- yearly renewals (R-NFR-03, R-NFR-06, R-NFR-08) ------------------------------
    def renewals_due(self, on: date, policy: ProgramPolicy) -> tuple[RenewalDue, ...]:
        """Licences whose year ends on or before ``on``; a late run catches up one year per call.

        The check runs on the last valid day, so sales of that day count toward the next year.
        Status keys are due the day after their last valid day: their renewal comes from the
        status service, and a key nobody confirmed lapses.
        """
        months = policy.nfr.key_validity_months
        due: list[RenewalDue] = []
        for grant in self.active_grants():
            if grant.kind is GrantKind.ON_REQUEST and grant.valid_until <= on:
                start = period_end(grant.issued_on, months, grant.years_renewed)
                due.append(
                    RenewalDue(RenewalSubject.ON_REQUEST_KEY, grant.grant_id, self.partner_id, start, grant.valid_until)
                )
            elif grant.kind is GrantKind.STATUS and grant.valid_until < on:
                due.append(
                    RenewalDue(RenewalSubject.STATUS_KEY, grant.grant_id, self.partner_id, grant.valid_until, on)
                )
        cloud = self.cloud
        if cloud is not None and cloud.is_active and cloud.valid_until <= on:
            start = period_end(cloud.issued_on, months, cloud.years_renewed)
            due.append(
                RenewalDue(RenewalSubject.CLOUD_NFR, cloud.cloud_nfr_id, self.partner_id, start, cloud.valid_until)
            )
        return tuple(due)

    def apply_yearly_check(self, due: RenewalDue, sales_uah: Decimal, now: datetime, policy: ProgramPolicy) -> None:
        """Renew or end one due licence on the partner's sales in its year."""
        if due.subject is RenewalSubject.ON_REQUEST_KEY:
            self._check_on_request_key(self.grant(due.subject_id), sales_uah, now, policy)
        elif due.subject is RenewalSubject.CLOUD_NFR:
            self._check_cloud(sales_uah, now, policy)
        else:
            grant = self.grant(due.subject_id)
            if grant.is_active:
                grant.lapse(
                    Decision(
                        now, f"status not confirmed by {grant.valid_until.isoformat()}", "R-NFR-03", policy.version
                    )
                )

    def _check_on_request_key(self, grant: NfrGrant, sales_uah: Decimal, now: datetime, policy: ProgramPolicy) -> None:
        if not grant.is_active:
            return
        threshold = on_request_renewal_threshold(
            EditionCatalogue(policy.editions).price_uah(grant.edition),
            policy.nfr.on_request.renewal_editions_multiplier,
        )
        figures = f"sales {sales_uah} UAH, needed {threshold} UAH"
        site = site_requirements_unconfirmed(grant, kyiv_date(now), policy.nfr.on_request.site_check_valid_months)
        if site:
            grant.lapse(Decision(now, f"{site}; {figures}", "R-NFR-06", policy.version))
        elif meets_threshold(sales_uah, threshold):
            valid_until = period_end(grant.issued_on, policy.nfr.key_validity_months, grant.years_renewed + 2)
            grant.renew(valid_until, Decision(now, f"yearly sales met: {figures}", "R-NFR-06", policy.version))
        else:
            grant.lapse(Decision(now, f"yearly sales not met: {figures}", "R-NFR-06", policy.version))

    def _check_cloud(self, sales_uah: Decimal, now: datetime, policy: ProgramPolicy) -> None:
        cloud = self.cloud
        if cloud is None or not cloud.is_active:
            return
        limits = policy.nfr.cloud
        figures = f"sales {sales_uah} UAH, needed {limits.renewal_min_sales_uah} UAH"
        if meets_threshold(sales_uah, limits.renewal_min_sales_uah):
            valid_until = period_end(cloud.issued_on, policy.nfr.key_validity_months, cloud.years_renewed + 2)
            cloud.renew(valid_until, Decision(now, f"yearly sales met: {figures}", "R-NFR-08", policy.version))
        else:
            cloud.move_to_free_plan(
                limits.fallback_plan, Decision(now, f"yearly sales not met: {figures}", "R-NFR-08", policy.version)
            )

    # --- revocation and restoration (R-NFR-11, R-NFR-12) ------------------------------
    def revoke_on_termination(self, *, now: datetime, policy: ProgramPolicy, reason: str) -> None:
        """R-NFR-12: termination revokes every NFR key and the cloud NFR."""
        decision = Decision(now, f"partnership terminated: {reason}", "R-NFR-12", policy.version)
        for grant in self.active_grants():
            grant.revoke(RevocationCause.TERMINATION, decision)
        if self.cloud is not None and self.cloud.is_active:
            self.cloud.revoke(RevocationCause.TERMINATION, decision)

    def revoke_for_sanction(
        self, *, targets: Iterable[str], sanction_id: str, now: datetime, policy: ProgramPolicy, reason: str
    ) -> tuple[str, ...]:
        """R-NFR-11: revoke the keys a sanction names (a key, a grant id or the cloud NFR id).

        Returns the names that matched nothing active, for the caller to log.
        """
        decision = Decision(now, f"sanction {sanction_id}: {reason}", "R-NFR-11", policy.version)
        unmatched: list[str] = []
        for target in targets:
            grant = self._active_grant_named(target)
            if grant is not None:
                grant.revoke(RevocationCause.SANCTION, decision)
            elif self.cloud is not None and self.cloud.is_active and self.cloud.cloud_nfr_id == target:
                self.cloud.revoke(RevocationCause.SANCTION, decision)
            else:
                unmatched.append(target)
        return tuple(unmatched)

    def revoke_grant(self, *, grant_id: str, now: datetime, policy: ProgramPolicy, reason: str) -> NfrGrant:
        """A staff revocation; the reason is required because it goes in the key's history."""
        if not reason.strip():
            raise InvalidArgument.for_field("reason", "is required", reason="REASON_REQUIRED", rule="R-NFR-11")
        grant = self.grant(grant_id)
        grant.revoke(RevocationCause.STAFF, Decision(now, reason, "R-NFR-11", policy.version))
        return grant

    def restore_grant(
        self, *, grant_id: str, now: datetime, policy: ProgramPolicy, reason: str, random_bytes: RandomBytes
    ) -> NfrGrant:
        """Re-issue a revoked grant with a fresh key: the same entitlement, edition and validity."""
        grant = self.grant(grant_id)
        clash = next(
            (
                g
                for g in self.active_grants()
                if g.kind is grant.kind and g.entitlement == grant.entitlement and g is not grant
            ),
            None,
        )
        if clash is not None:
            raise FailedPrecondition(
                reason="ENTITLEMENT_ALREADY_SERVED",
                message=f"grant_id: entitlement {grant.entitlement} is held by grant {clash.grant_id} (R-NFR-01)",
                rule="R-NFR-01",
            )
        grant.restore(LicenseKey.generate(random_bytes), Decision(now, reason, "R-NFR-10", policy.version))
        return grant

    def restore_cloud_nfr(self, *, now: datetime, policy: ProgramPolicy, reason: str) -> CloudNfr:
        if self.cloud is None:
            raise not_found("cloud_nfr", self.partner_id)
        self.cloud.restore(Decision(now, reason, "R-NFR-07", policy.version))
        return self.cloud

    # --- helpers --------------------------------------------------------------------
    def _status_grants(self) -> tuple[NfrGrant, ...]:
        return tuple(grant for grant in self.grants if grant.kind is GrantKind.STATUS)

    def _status_grant_for(self, entitlement: str) -> NfrGrant | None:
        """The latest grant of a slot: the active one, else the most recent."""
        matching = [grant for grant in self._status_grants() if grant.entitlement == entitlement]
        active = [grant for grant in matching if grant.is_active]
        if active:
            return active[0]
        return matching[-1] if matching else None

    def _active_grant_named(self, name: str) -> NfrGrant | None:
        key = LicenseKey.try_parse(name)
        for grant in self.active_grants():
            if grant.grant_id == name or (key is not None and grant.key == key):
                return grant
        return None


def _blocks_reissue(grant: NfrGrant) -> bool:
    return grant.state is GrantState.REVOKED and grant.revocation_cause in _DELIBERATE_CAUSES


def expiring_within(valid_until: date, today: date, days: int) -> bool:
    """True when the last valid day falls within the next ``days`` days (queries: keys expiring soon)."""
    return today <= valid_until <= today + timedelta(days=days)


def site_requirements_unconfirmed(grant: NfrGrant, on: date, valid_months: int) -> str:
    """Why the site requirements do not count as holding at renewal, or "" when they do (R-NFR-06).

    They must hold "for as long as the key is used" (R-NFR-05): the latest staff check
    (the approval is the first) must have found them holding within ``valid_months``.
    """
    checked = grant.site_checked_on
    if checked is None:
        return "site requirements never checked by staff"
    if not grant.site_requirements_hold:
        return f"site requirements found not to hold on {checked.isoformat()}"
    if checked < add_months(on, -valid_months):
        return f"site requirements last checked on {checked.isoformat()}, more than {valid_months} months ago"
    return ""
