"""The points service: ledger, projects, quality monitoring, point requests, orders and daily totals."""
