"""The key registry and VerifyKey over gRPC (R-NFR-10)."""

import random

import grpc
import pytest

from licensing_service.domain import LicenseKey
from partnerprogram.licensing.v1 import license_key_pb2 as key_pb
from partnerprogram.licensing.v1 import licensing_service_pb2 as pb

pytestmark = [pytest.mark.postgres, pytest.mark.nats]

RNG = random.Random(7)


def _key() -> str:
    return LicenseKey.generate(RNG.randbytes).value


async def _register(licensing, key, request_id, **fields):
    values = {"edition": "SM_START", "owner_client_id": "client-1", "activated": True, "demo": False}
    values.update(fields)
    return await licensing.stub.RegisterLicenseKey(
        pb.RegisterLicenseKeyRequest(request_id=request_id, key=key, **values), metadata=licensing.system()
    )


async def _reason(licensing, key, owner=""):
    reply = await licensing.stub.VerifyKey(
        pb.VerifyKeyRequest(key=key, expected_owner_id=owner),
        metadata=licensing.tokens.metadata(licensing.tokens.sales_platform()),
    )
    return reply.verdict.reason


async def test_verify_answers_each_reason_in_the_fixed_order(licensing):
    """R-NFR-10: malformed (no look-up), unknown, expired, demo, not activated, owner mismatch, valid."""
    valid, expired, demo, inactive = _key(), _key(), _key(), _key()
    await _register(licensing, valid, "r1", valid_until_date="2027-01-01")
    await _register(licensing, expired, "r2", valid_until_date="2026-03-01", demo=True)
    await _register(licensing, demo, "r3", demo=True, activated=False)
    await _register(licensing, inactive, "r4", activated=False)
    typo = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    assert await _reason(licensing, typo) == key_pb.VERIFY_REASON_MALFORMED
    assert await _reason(licensing, _key()) == key_pb.VERIFY_REASON_UNKNOWN
    assert await _reason(licensing, expired) == key_pb.VERIFY_REASON_EXPIRED
    assert await _reason(licensing, demo) == key_pb.VERIFY_REASON_DEMO
    assert await _reason(licensing, inactive) == key_pb.VERIFY_REASON_NOT_ACTIVATED
    assert await _reason(licensing, valid, owner="client-2") == key_pb.VERIFY_REASON_OWNER_MISMATCH
    reply = await licensing.stub.VerifyKey(pb.VerifyKeyRequest(key=valid.lower()), metadata=licensing.system())
    assert reply.verdict == key_pb.KeyVerdict(
        valid=True,
        reason=key_pb.VERIFY_REASON_VALID,
        key=valid,
        kind=key_pb.KEY_KIND_COMMERCIAL,
        owner_id="client-1",
        edition="SM_START",
        valid_until_date="2027-01-01",
        activated=True,
    )


async def test_activation_is_recorded_on_a_second_report_and_retries_are_idempotent(licensing):
    """R-NFR-10: the order system reports the sale, then the activation; a retried report acts once."""
    key = _key()
    first = await _register(licensing, key, "sale", activated=False)
    assert await _register(licensing, key, "sale", activated=False) == first
    assert await _reason(licensing, key) == key_pb.VERIFY_REASON_NOT_ACTIVATED
    await _register(licensing, key, "activation", activated=True)
    assert await _reason(licensing, key) == key_pb.VERIFY_REASON_VALID
    assert await licensing.scalar("SELECT count(*) FROM license_keys") == 1


async def test_registration_refusals_write_nothing(licensing):
    """R-NFR-10: one key, one owner; bad keys, editions and dates are invalid input."""
    key = _key()
    await _register(licensing, key, "r1")
    before = await licensing.counts()
    await licensing.refused(
        _register(licensing, key, "r2", owner_client_id="client-2"),
        grpc.StatusCode.ALREADY_EXISTS,
        "KEY_ALREADY_REGISTERED",
    )
    await licensing.refused(
        _register(licensing, "ABCDE-12345", "r3"), grpc.StatusCode.INVALID_ARGUMENT, "KEY_MALFORMED"
    )
    await licensing.refused(
        _register(licensing, _key(), "r4", edition="SM_NOPE"), grpc.StatusCode.INVALID_ARGUMENT, "EDITION_UNKNOWN"
    )
    await licensing.refused(
        _register(licensing, _key(), "r5", valid_until_date="31.12.2026"),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_FIELD",
    )
    await licensing.refused(
        _register(licensing, _key(), "r6", owner_client_id=" "), grpc.StatusCode.INVALID_ARGUMENT, "OWNER_REQUIRED"
    )
    assert await licensing.counts() == before


async def test_editions_come_from_the_policy_in_rank_order(licensing):
    """R-POL-01: the edition catalogue with prices in UAH, points values and sites allowed."""
    reply = await licensing.stub.ListEditions(pb.ListEditionsRequest(page_size=2), metadata=licensing.partner("p1"))
    assert len(reply.editions) == 2 and reply.editions[0].code == "SM_START"
    assert reply.next_page_token  # opaque (ppcore.paging); it leads to the third edition
    following = await licensing.stub.ListEditions(
        pb.ListEditionsRequest(page_size=2, page_token=reply.next_page_token), metadata=licensing.partner("p1")
    )
    assert following.editions[0].code not in {e.code for e in reply.editions}
    assert reply.policy_version
    everything = await licensing.stub.ListEditions(pb.ListEditionsRequest(page_size=100), metadata=licensing.staff())
    business = next(e for e in everything.editions if e.code == "SM_BUSINESS")
    assert (business.price_uah, business.points_value, business.sites_allowed) == ("72900", 40, 2)
    assert everything.next_page_token == ""


async def test_a_vendor_license_system_key_is_registered_and_verified(licensing):
    """R-NFR-10, R-PRJ-04: the order system registers a client project's key in the vendor's format
    (the policy pattern); VerifyKey answers for it; a text of neither format is KEY_MALFORMED.

    Document 5.4: "Активаційний ключ проекту повинен бути активований та зареєстрований в
    установленому порядку."
    """
    reply = await _register(licensing, "smb-ua-4f7k2q9x1m3b8d", "v1", valid_until_date="2027-03-01")
    assert reply.license_key.key == "SMB-UA-4F7K2Q9X1M3B8D"
    assert await _reason(licensing, "SMB-UA-4F7K2Q9X1M3B8D", owner="client-1") == key_pb.VERIFY_REASON_VALID
    assert await _reason(licensing, "SMB-UA-4F7K2Q9X1M3B8E") == key_pb.VERIFY_REASON_UNKNOWN
    assert await _reason(licensing, "NOT-A-KEY") == key_pb.VERIFY_REASON_MALFORMED
    await licensing.refused(_register(licensing, "NOT-A-KEY", "v2"), grpc.StatusCode.INVALID_ARGUMENT, "KEY_MALFORMED")
