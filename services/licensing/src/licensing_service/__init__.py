"""Licensing service: editions, the license key registry, NFR keys and their renewals."""
