from datetime import UTC, datetime, timedelta, timezone

from google.protobuf.timestamp_pb2 import Timestamp

from ppcore.timestamps import optional_timestamp, timestamp


def _reference(instant: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(instant)
    return ts


def test_timestamp_equals_protobufs_own_conversion() -> None:
    instants = [
        datetime(2026, 3, 29, 0, 59, 59, 999_999, tzinfo=UTC),
        datetime(2024, 2, 29, 23, 0, tzinfo=timezone(timedelta(hours=2))),
        datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC),
        datetime(2026, 11, 25, 21, 0),  # naive: UTC
    ]
    for instant in instants:
        assert timestamp(instant) == _reference(instant), instant


def test_no_instant_is_no_timestamp() -> None:
    assert optional_timestamp(None) is None
    assert optional_timestamp(datetime(2026, 1, 1, tzinfo=UTC)) == _reference(datetime(2026, 1, 1, tzinfo=UTC))
