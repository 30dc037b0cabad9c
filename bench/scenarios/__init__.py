"""Benchmark scenarios: each module exposes ``DESCRIPTION`` and ``async def run(ctx)``."""
