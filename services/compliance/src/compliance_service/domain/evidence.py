"""Evidence attached to a violation case (R-VIO-01, R-ETH-01, R-PRC-03)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ppcore.errors import InvalidArgument

# Attached files are kept elsewhere; the case holds their content hashes so the evidence
# cannot be swapped afterwards without the mismatch showing.
_CONTENT_HASH = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class Evidence:
    """What staff (or the price check) saw: the facts a confirmation or dismissal rests on."""

    description: str
    references: tuple[str, ...] = ()
    file_hashes: tuple[str, ...] = ()
    observed_price_uah: Decimal | None = None
    list_price_uah: Decimal | None = None
    answer_wait_seconds: int | None = None
    order_id: str = ""
    edition_code: str = ""
    # A hidden discount (R-PRC-02, 8.2 "open or hidden"): a nominal price
    # at or above list with money handed back or extras given free.
    rebate_uah: Decimal | None = None
    free_extras: str = ""

    @property
    def hidden_discount(self) -> bool:
        return self.rebate_uah is not None or bool(self.free_extras.strip())

    def validate(self) -> None:
        """Refuse evidence that is empty or malformed, naming the field (R-VIO-01)."""
        if not self.description.strip():
            raise InvalidArgument.for_field(
                "evidence.description", "must describe what was observed", reason="EVIDENCE_EMPTY", rule="R-VIO-01"
            )
        for index, content_hash in enumerate(self.file_hashes):
            if not _CONTENT_HASH.match(content_hash):
                raise InvalidArgument.for_field(
                    f"evidence.file_hashes[{index}]",
                    "must be 'sha256:' followed by 64 lowercase hex digits",
                    reason="EVIDENCE_BAD_FILE_HASH",
                    rule="R-VIO-01",
                )
        for index, reference in enumerate(self.references):
            if not reference.strip():
                raise InvalidArgument.for_field(
                    f"evidence.references[{index}]",
                    "must not be blank",
                    reason="EVIDENCE_BAD_REFERENCE",
                    rule="R-VIO-01",
                )
        for field_name, price in (
            ("evidence.observed_price_uah", self.observed_price_uah),
            ("evidence.list_price_uah", self.list_price_uah),
            ("evidence.rebate_uah", self.rebate_uah),
        ):
            if price is not None and not (price.is_finite() and price > 0):
                raise InvalidArgument.for_field(
                    field_name, "must be a positive amount", reason="EVIDENCE_BAD_PRICE", rule="R-PRC-01"
                )
        if self.answer_wait_seconds is not None and self.answer_wait_seconds < 0:
            raise InvalidArgument.for_field(
                "evidence.answer_wait_seconds", "must not be negative", reason="EVIDENCE_BAD_WAIT", rule="R-VIO-01"
            )
