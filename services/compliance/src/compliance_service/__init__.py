"""The compliance service: violation cases, sanctions, resale-price checks and personal-data requests."""
