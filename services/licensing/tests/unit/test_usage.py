from __future__ import annotations

from datetime import date

from licensing_service.domain import USAGE_RULE_TEXT, NfrKeyIssued, PartnerNfr, UsageRestriction
from ppcore.clock import kyiv_datetime
from ppcore.policy import Tier


def test_every_nfr_key_records_the_own_use_or_demo_restriction(policy, new_id, random_bytes):
    """R-NFR-09: NFR keys are for the partner's own site or demonstrations; the grant and event say so."""
    portfolio = PartnerNfr("p1")
    on = date(2026, 1, 10)
    portfolio.apply_status(
        tier=Tier.CERTIFIED,
        effective_on=on,
        now=kyiv_datetime(on, 9),
        policy=policy,
        new_id=new_id,
        random_bytes=random_bytes,
        reason="x",
    )
    assert {g.usage_restriction for g in portfolio.grants} == {UsageRestriction.OWN_SITE_OR_DEMO}
    events = portfolio.collect_events()
    assert all(isinstance(e, NfrKeyIssued) and e.usage_restriction == "OWN_SITE_OR_DEMO" for e in events)
    assert "R-NFR-09" in USAGE_RULE_TEXT
