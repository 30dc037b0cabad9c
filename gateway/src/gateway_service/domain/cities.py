# ruff: noqa: RUF001 - Ukrainian and Russian city names and apostrophes are the point here
"""One canonical city per place (the data rule of R-LEAD-01, used by the directory filter).

"Київ", "м. Київ", "місто Київ" and "Kyiv" are one city: the key is the casefolded name
without the settlement prefix, with the usual Latin and Russian spellings of the large
cities mapped to the Ukrainian name.
"""

from __future__ import annotations

import re

_PREFIX = re.compile(r"^(м\.|м\s|місто\s|г\.|город\s|city of\s|smt\.?\s|смт\.?\s)\s*")
_ALIASES = {
    "kyiv": "київ",
    "kiev": "київ",
    "киев": "київ",
    "lviv": "львів",
    "lvov": "львів",
    "львов": "львів",
    "kharkiv": "харків",
    "kharkov": "харків",
    "харьков": "харків",
    "odesa": "одеса",
    "odessa": "одеса",
    "одесса": "одеса",
    "dnipro": "дніпро",
    "днепр": "дніпро",
    "zaporizhzhia": "запоріжжя",
    "запорожье": "запоріжжя",
    "vinnytsia": "вінниця",
    "винница": "вінниця",
}


def canonical_city(name: str) -> str:
    """The key of a city name; empty for an empty name."""
    text = " ".join(name.casefold().replace("’", "'").replace("ʼ", "'").split())
    text = _PREFIX.sub("", text).strip(" ,.")
    return _ALIASES.get(text, text)
