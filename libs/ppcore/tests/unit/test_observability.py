"""Traces, job metrics and per-issuer token keys, without I/O beyond temporary files."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import REGISTRY
from structlog.testing import capture_logs

from partnerprogram.events.v1.envelope_pb2 import EventEnvelope
from ppcore import tracing
from ppcore.auth import Caller, CallerKind, TokenIssuer, TokenVerifier
from ppcore.clock import SystemClock
from ppcore.errors import Unauthenticated
from ppcore.events import make_envelope
from ppcore.metrics import job_run
from ppcore.server import loggable_caller

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use_provider(provider)
    yield exporter
    tracing.use_provider(None)


def test_a_trace_goes_from_the_server_span_through_the_envelope_into_the_consumer_span(spans):
    with tracing.span("/svc/Call", tracing.SpanKind.SERVER, CALLER) as server_trace:
        envelope = make_envelope(
            EventEnvelope(), source="status", time=datetime.now(UTC), traceparent=tracing.current_traceparent()
        )
    with tracing.span("consumer", tracing.SpanKind.CONSUMER, envelope.traceparent) as consumer_trace:
        pass
    assert server_trace == consumer_trace == TRACE_ID
    server, consumer = spans.get_finished_spans()
    assert server.kind is tracing.SpanKind.SERVER and server.parent.span_id == 0x00F067AA0BA902B7
    assert consumer.parent.span_id == server.context.span_id


def test_without_a_provider_a_callers_trace_id_is_passed_on_but_nothing_is_recorded():
    assert not tracing.tracing_enabled()
    with tracing.span("/svc/Call", tracing.SpanKind.SERVER, CALLER) as trace_id:
        assert trace_id == TRACE_ID
        assert tracing.current_traceparent() == CALLER
    with tracing.span("/svc/Call", tracing.SpanKind.SERVER) as untraced:
        assert untraced == "" and tracing.current_traceparent() == ""
    assert tracing.current_traceparent() == ""


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_long_job_logs_progress_and_a_summary_and_records_its_last_success():
    before = _sample("pp_job_runs_total", daily_job="unit_job", outcome="succeeded")
    with capture_logs() as lines, job_run("unit_job", every=0.0, business_date="2026-12-01") as run:
        for done in range(1, 4):
            run.progress(done, 3)
        run.counts["reviewed_partners"] = 3
    events = [line["event"] for line in lines]
    assert events == ["job.started", "job.progress", "job.progress", "job.progress", "job.finished"]
    assert lines[-1]["reviewed_partners"] == 3 and lines[-1]["business_date"] == "2026-12-01"
    assert _sample("pp_job_runs_total", daily_job="unit_job", outcome="succeeded") == before + 1
    assert _sample("pp_job_last_success_timestamp_seconds", daily_job="unit_job") > 0


def test_a_failed_job_is_counted_as_failed_and_keeps_its_last_success():
    with pytest.raises(RuntimeError), job_run("unit_failing_job"):
        raise RuntimeError("database gone")
    assert _sample("pp_job_runs_total", daily_job="unit_failing_job", outcome="failed") == 1
    assert _sample("pp_job_last_success_timestamp_seconds", daily_job="unit_failing_job") == 0


def _key_pair(directory, issuer):
    private = Ed25519PrivateKey.generate()
    pem = private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (directory / f"{issuer}.pem").write_bytes(pem)
    key_file = directory.parent / f"{issuer}-private.pem"
    key_file.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return key_file


def _issuer(key_file, name):
    return TokenIssuer(
        algorithm="EdDSA", clock=SystemClock(), private_key_file=key_file, issuer=name, audience="partnerprogram"
    )


def test_each_issuer_is_checked_with_its_own_key(tmp_path):
    """Production: one key pair per issuer; a token is verified with the key of the issuer
    it names, and a token naming another issuer than the key that signed it is refused."""
    keys = tmp_path / "issuers"
    keys.mkdir()
    status_key, points_key = _key_pair(keys, "status"), _key_pair(keys, "points")
    verifier = TokenVerifier(algorithm="EdDSA", public_keys_dir=keys, issuer="unused", audience="partnerprogram")
    caller = Caller(CallerKind.SYSTEM, "service:status")
    assert verifier.verify(_issuer(status_key, "status").mint(caller)) == caller
    assert verifier.verify(_issuer(points_key, "points").mint(caller)).subject == "service:status"
    with pytest.raises(Unauthenticated):
        verifier.verify(_issuer(status_key, "points").mint(caller))  # signed by status, claims points
    with pytest.raises(Unauthenticated):
        verifier.verify(_issuer(status_key, "stranger").mint(caller))


def test_log_lines_name_people_by_a_digest_of_their_login_and_systems_by_name():
    """Logs carry no personal data: a partner user's or staff member's login (often an
    e-mail address) is replaced by a stable digest; internal systems keep their names."""
    person = Caller(CallerKind.PARTNER_USER, "olena@example.ua", "P1")
    named = loggable_caller(person)
    assert "olena" not in named and named.startswith("partner_user:~")
    assert loggable_caller(person) == named  # the same person is recognisable across lines
    assert loggable_caller(Caller(CallerKind.STAFF, "staff:moderator")) != "staff:staff:moderator"
    assert loggable_caller(Caller(CallerKind.SYSTEM, "system:cronjob:points-daily-totals")).endswith(
        "points-daily-totals"
    )
