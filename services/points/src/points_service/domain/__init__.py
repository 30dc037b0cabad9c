"""Pure points rules and entities (R-PTS-*, R-PRJ-*, R-QM-*).

Imports only the standard library and ppcore's errors, clock, calendar and policy;
time, ids and outside facts (license keys, sanctions) are passed in.
"""
