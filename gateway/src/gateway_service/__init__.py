"""The gateway: the partner cabinet, the public directory and the entitlement facade."""
