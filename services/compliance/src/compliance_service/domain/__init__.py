"""Pure compliance rules and entities.

Imports only the standard library and ppcore's errors, clock, calendar and policy; time,
ids and the policy are passed in by the caller (a test enforces it).
"""
