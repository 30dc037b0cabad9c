"""The contract application and the authorization letter (R-PRT-05)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from ppcore.clock import kyiv_date
from ppcore.errors import FailedPrecondition, InvalidArgument
from status_service.domain.enums import ContractState

# Requisites are filed in Ukrainian: Cyrillic text without letters that Ukrainian lacks.
_CYRILLIC = re.compile(r"[А-Яа-яІіЇїЄєҐґ]")  # noqa: RUF001
_NOT_UKRAINIAN = re.compile(r"[ЁёЪъЫыЭэ]")
_EDRPOU = re.compile(r"^\d{8}$|^\d{10}$")
_IBAN_UA = re.compile(r"^UA\d{27}$")


@dataclass(frozen=True)
class ContractRequisites:
    legal_name: str
    legal_address: str
    # EDRPOU (8 digits) for legal entities, RNOKPP (10 digits) for individuals.
    registration_code: str
    iban: str
    signatory: str


def validate_requisites(requisites: ContractRequisites) -> None:
    for field_path, value in (
        ("requisites.legal_name", requisites.legal_name),
        ("requisites.legal_address", requisites.legal_address),
        ("requisites.signatory", requisites.signatory),
    ):
        if not _CYRILLIC.search(value) or _NOT_UKRAINIAN.search(value):
            raise InvalidArgument.for_field(
                field_path, "must be filled in Ukrainian (R-PRT-05)", reason="REQUISITES_NOT_UKRAINIAN", rule="R-PRT-05"
            )
    if not _EDRPOU.match(requisites.registration_code):
        raise InvalidArgument.for_field(
            "requisites.registration_code",
            "must be an 8-digit EDRPOU or 10-digit RNOKPP code (R-PRT-05)",
            reason="INVALID_REGISTRATION_CODE",
            rule="R-PRT-05",
        )
    if not _IBAN_UA.match(requisites.iban.replace(" ", "")):
        raise InvalidArgument.for_field(
            "requisites.iban",
            "must be a Ukrainian IBAN (UA + 27 digits) (R-PRT-05)",
            reason="INVALID_IBAN",
            rule="R-PRT-05",
        )


@dataclass(frozen=True)
class ContractApplication:
    contract_id: str
    requisites: ContractRequisites
    state: ContractState
    filed_time: datetime
    decided_time: datetime | None = None
    refusal_reason: str = ""

    @property
    def accepted_date(self) -> date | None:
        if self.state is ContractState.ACCEPTED and self.decided_time is not None:
            return kyiv_date(self.decided_time)
        return None


def file_contract(
    current: ContractApplication | None, contract_id: str, requisites: ContractRequisites, now: datetime
) -> ContractApplication:
    """File (or re-file after a refusal) the contract application (R-PRT-05)."""
    if current is not None and current.state is not ContractState.REFUSED:
        raise FailedPrecondition(
            reason="CONTRACT_ALREADY_FILED" if current.state is ContractState.FILED else "CONTRACT_ALREADY_ACCEPTED",
            message=f"contract {current.contract_id} is {current.state} (R-PRT-05)",
            rule="R-PRT-05",
        )
    validate_requisites(requisites)
    return ContractApplication(contract_id, requisites, ContractState.FILED, now)


def _require_filed(contract: ContractApplication | None, contract_id: str) -> ContractApplication:
    if contract is None or contract.contract_id != contract_id or contract.state is not ContractState.FILED:
        raise FailedPrecondition(
            reason="CONTRACT_NOT_AWAITING_DECISION",
            message=f"contract_id: {contract_id} is not a filed contract application awaiting a decision (R-PRT-05)",
            rule="R-PRT-05",
        )
    return contract


def accept_contract(contract: ContractApplication | None, contract_id: str, now: datetime) -> ContractApplication:
    return replace(_require_filed(contract, contract_id), state=ContractState.ACCEPTED, decided_time=now)


def refuse_contract(
    contract: ContractApplication | None, contract_id: str, reason: str, now: datetime
) -> ContractApplication:
    """Staff refuse an application filled or signed improperly, saying why (R-PRT-05)."""
    filed = _require_filed(contract, contract_id)
    if not reason.strip():
        raise InvalidArgument.for_field(
            "reason", "a refusal needs a reason (R-PRT-05)", reason="FIELD_REQUIRED", rule="R-PRT-05"
        )
    return replace(filed, state=ContractState.REFUSED, decided_time=now, refusal_reason=reason)
