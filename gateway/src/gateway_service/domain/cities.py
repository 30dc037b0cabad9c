"""The canonical city of R-LEAD-01: the one ``ppcore.cities`` implementation status keys with.

The directory filter and the partner's key must agree with status's, so that "Київ",
"м. Київ", "Kyiv", "Kiev" and "Киев" are one place in the leads and in the public list.
"""

from __future__ import annotations

from ppcore.cities import canonical_city, same_city

__all__ = ["canonical_city", "same_city"]
