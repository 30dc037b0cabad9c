"""The canonical city of R-LEAD-01 lives in ``ppcore.cities``, shared with the gateway's directory."""

from __future__ import annotations

from ppcore.cities import canonical_city, same_city

__all__ = ["canonical_city", "same_city"]
