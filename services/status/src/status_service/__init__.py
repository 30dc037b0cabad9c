"""The status service: partners, cards, employees, certificates, competencies, statuses and entitlements."""
