"""What a case can be about (R-VIO-01, R-ETH-01, R-PRT-08, R-PRC-01)."""

from __future__ import annotations

from enum import StrEnum


class ViolationType(StrEnum):
    """The kind of breach a case records.

    Every ethics rule of section 10 is its own type (R-ETH-01). The program document
    numbers them 10.1 and 10.3-10.16: there is no 10.2, so there is no ETHICS_10_2.
    """

    DUMPING = "DUMPING"  # R-PRC-01, section 8.2-8.3
    MYSTERY_SHOPPER = "MYSTERY_SHOPPER"  # R-VIO-01, section 1.4
    BRAND_MISUSE = "BRAND_MISUSE"  # R-PRT-08
    NFR_MISUSE = "NFR_MISUSE"  # R-NFR-09
    OTHER = "OTHER"
    ETHICS_10_1 = "ETHICS_10_1"  # business image and reputation of the network
    ETHICS_10_3 = "ETHICS_10_3"  # brand, trademark and copyright rules
    ETHICS_10_4 = "ETHICS_10_4"  # licensed software only
    ETHICS_10_5 = "ETHICS_10_5"  # obligations to clients
    ETHICS_10_6 = "ETHICS_10_6"  # compete on quality, no extra discounts, tenders included
    ETHICS_10_7 = "ETHICS_10_7"  # true and current product, price and discount information
    ETHICS_10_8 = "ETHICS_10_8"  # truthful partnership, status, competency, staff claims
    ETHICS_10_9 = "ETHICS_10_9"  # no negative or untrue statements about the vendor or partners
    ETHICS_10_10 = "ETHICS_10_10"  # confidentiality of individually addressed information
    ETHICS_10_11 = "ETHICS_10_11"  # report known violations
    ETHICS_10_12 = "ETHICS_10_12"  # NFR licenses only for their purpose
    ETHICS_10_13 = "ETHICS_10_13"  # no poaching of clients or staff
    ETHICS_10_14 = "ETHICS_10_14"  # no unlawful mass mailing (spam)
    ETHICS_10_15 = "ETHICS_10_15"  # personal data per annex 1
    ETHICS_10_16 = "ETHICS_10_16"  # true end-user contacts on orders and registrations

    @property
    def is_ethics_rule(self) -> bool:
        return self.value.startswith("ETHICS_")


class MysteryShopperKind(StrEnum):
    """The findings a mystery-shopper check can make (R-VIO-01, section 1.4)."""

    PHONE_NOT_WORKING = "PHONE_NOT_WORKING"
    ANSWER_WAIT_TOO_LONG = "ANSWER_WAIT_TOO_LONG"
    COMPROMISING_PRODUCT_BRAND_OR_STAFF = "COMPROMISING_PRODUCT_BRAND_OR_STAFF"
    LOW_PRODUCT_KNOWLEDGE = "LOW_PRODUCT_KNOWLEDGE"
    LOW_BUSINESS_COMMUNICATION_SKILLS = "LOW_BUSINESS_COMMUNICATION_SKILLS"
