"""Domain enums and value objects to their proto forms and back.

Proto enum names are the domain value behind a prefix (``SANCTION_KIND_`` +
``DISCOUNT_BLOCK``), so one pair of helpers converts every enum by name; an enum added
on one side only fails loudly here instead of being mapped to a wrong value.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from compliance_service.domain.sanction_catalogue import SanctionParameters
from partnerprogram.compliance.v1 import case_pb2, personal_data_pb2, pricing_pb2, sanction_pb2
from ppcore.policy import Tier
from ppcore.timestamps import optional_timestamp

E = TypeVar("E", bound=StrEnum)

# (proto enum wrapper, name prefix) per domain enum.
VIOLATION_TYPE = (case_pb2.ViolationType, "VIOLATION_TYPE_")
MYSTERY_SHOPPER_KIND = (case_pb2.MysteryShopperKind, "MYSTERY_SHOPPER_KIND_")
CASE_STATE = (case_pb2.CaseState, "CASE_STATE_")
SANCTION_KIND = (sanction_pb2.SanctionKind, "SANCTION_KIND_")
SANCTION_STATE = (sanction_pb2.SanctionState, "SANCTION_STATE_")
LIFT_REASON = (sanction_pb2.SanctionLiftReason, "SANCTION_LIFT_REASON_")
TARGET_TIER = (sanction_pb2.SanctionTargetTier, "SANCTION_TARGET_TIER_")
PD_KIND = (personal_data_pb2.PersonalDataRequestKind, "PERSONAL_DATA_REQUEST_KIND_")
PD_STATE = (personal_data_pb2.PersonalDataRequestState, "PERSONAL_DATA_REQUEST_STATE_")
SALE_KIND = (pricing_pb2.SaleKind, "SALE_KIND_")
LEGAL_BASIS = (personal_data_pb2.LegalBasis, "LEGAL_BASIS_")


def enum_to_proto(spec: tuple[Any, str], value: StrEnum | str | None) -> Any:
    """The proto number of a domain enum value; 0 (UNSPECIFIED) for None."""
    if value is None:
        return 0
    wrapper, prefix = spec
    return wrapper.Value(prefix + str(value))


def enum_from_proto(spec: tuple[Any, str], number: int, enum_cls: type[E]) -> E | None:
    """The domain value of a proto enum number; None for UNSPECIFIED or an unknown number."""
    wrapper, prefix = spec
    if number == 0:
        return None
    try:
        name: str = wrapper.Name(number)
    except ValueError:
        return None
    return enum_cls(name.removeprefix(prefix))


timestamp = optional_timestamp


def iso(day: date | None) -> str:
    return day.isoformat() if day is not None else ""


def parameters_to_proto(parameters: SanctionParameters) -> sanction_pb2.SanctionParameters:
    return sanction_pb2.SanctionParameters(
        target_tier=enum_to_proto(TARGET_TIER, parameters.target_tier),
        competency_codes=list(parameters.competency_codes),
        nfr_key_ids=list(parameters.nfr_key_ids),
    )


def parameters_from_proto(message: sanction_pb2.SanctionParameters) -> SanctionParameters:
    return SanctionParameters(
        target_tier=enum_from_proto(TARGET_TIER, message.target_tier, Tier),
        competency_codes=tuple(message.competency_codes),
        nfr_key_ids=tuple(message.nfr_key_ids),
    )
