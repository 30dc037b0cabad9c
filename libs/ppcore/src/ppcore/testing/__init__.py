"""Test infrastructure shared by every service's tests (no service-specific code here).

- ``plugin``: the pytest plugin (PostgreSQL databases, nats-server, clock, tokens)
- ``service``: a service's ServerApp in-process, its channel, fake gRPC peers, the base harness
- ``events``: ``publish_envelope`` and ``EventTap`` on real JetStream
- ``errors``: ``Refusal`` (status code, ErrorInfo reason and rule, field violations)
- ``polling``: ``eventually``, a bounded poll
- ``migrations``: ``assert_round_trip`` (up, down, up; optionally compared with the ORM)
- ``purity``: ``assert_package_imports_only`` (architecture import walker)
- ``grpc``, ``nats``, ``postgres``: raw calls and the auth matrix, nats-server, databases
"""
