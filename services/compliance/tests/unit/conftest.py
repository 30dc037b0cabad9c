"""Shared fixtures for the compliance unit tests: the real policy file and case builders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from compliance_service.domain.cases import ViolationCase, open_case
from compliance_service.domain.evidence import Evidence
from compliance_service.domain.violation_types import ViolationType
from ppcore.clock import kyiv_datetime
from ppcore.policy import ProgramPolicy, load_policy

OpenedCase = Callable[..., ViolationCase]


@pytest.fixture(scope="session")
def policy() -> ProgramPolicy:
    return load_policy()


@pytest.fixture
def confirmed_case(policy: ProgramPolicy) -> OpenedCase:
    """Build a case confirmed at 10:00 Kyiv on ``confirmed_on``."""

    def build(
        *,
        case_id: str = "case-1",
        partner_id: str = "p-1",
        violation_type: ViolationType = ViolationType.OTHER,
        confirmed_on: date = date(2026, 3, 2),
    ) -> ViolationCase:
        evidence = Evidence(description="seen on the partner's site")
        if violation_type is ViolationType.DUMPING:
            evidence = Evidence(
                description="quoted below list", observed_price_uah=Decimal(15000), list_price_uah=Decimal(17900)
            )
        case = open_case(
            case_id=case_id,
            partner_id=partner_id,
            violation_type=violation_type,
            violation_date=confirmed_on,
            evidence=evidence,
            opened_by="staff-1",
            now=kyiv_datetime(confirmed_on, 9),
            policy=policy,
        )
        case.confirm(
            reason="evidence checked", decided_by="staff-2", now=kyiv_datetime(confirmed_on, 10), policy=policy
        )
        return case

    return build
