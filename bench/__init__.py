"""Benchmarks: a load runner, the echo reference, and one scenario per hot path."""
