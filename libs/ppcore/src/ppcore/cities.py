# ruff: noqa: RUF001, RUF003 -- Cyrillic letters are the data of this module
"""One canonical place per city, whatever the spelling (R-LEAD-01, a data rule of the digest).

Certified partners receive "всі заявки на сайт від клієнтів зі свого міста" (2.1): the
partner's city and the lead's city must compare as places, not as spellings. "Київ",
"м. Київ", "Kyiv", "Kiev" and "Киев" are one city. The key is the Ukrainian national
romanisation (Cabinet of Ministers resolution No. 55 of 2010, the system behind the
official Latin names: Kyiv, Kharkiv, Odesa, Zaporizhzhia), lower-case, with the
administrative prefix dropped, plus a short table of the older Russian-based spellings
that romanise to something else (Kiev, Odessa, Kharkov ...).
"""

from __future__ import annotations

import re
import unicodedata

# Letters whose romanisation depends on the position: word-initial, elsewhere.
_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_MEDIAL = {"є": "ie", "ї": "i", "й": "i", "ю": "iu", "я": "ia"}
_LETTERS = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "ж": "zh",
    "з": "z",
    "и": "y",
    "і": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ь": "",
    # Russian letters, for the spellings still found in addresses.
    "ы": "y",
    "э": "e",
    "ё": "e",
    "ъ": "",
}
_APOSTROPHES = "'’ʼ`´"
# "м. Київ", "місто Київ", "г. Киев", "city of Kyiv": the prefix is not part of the place.
_PREFIX = re.compile(r"^(?:м|г|смт|с|місто|город|city of|city)\s*\.?\s+|^(?:м|г|смт)\.\s*")
# Older spellings that romanise differently from the official name.
_ALIASES = {
    "kiev": "kyiv",
    "kyev": "kyiv",
    "kiiv": "kyiv",
    "kharkov": "kharkiv",
    "odessa": "odesa",
    "lvov": "lviv",
    "dnepr": "dnipro",
    "dnipropetrovsk": "dnipro",
    "dnepropetrovsk": "dnipro",
    "zaporozhye": "zaporizhzhia",
    "zaporozhe": "zaporizhzhia",
    "zaporizhia": "zaporizhzhia",
    "nikolaev": "mykolaiv",
    "nikolayev": "mykolaiv",
    "rovno": "rivne",
    "chernigov": "chernihiv",
    "chernovtsy": "chernivtsi",
    "vinnitsa": "vinnytsia",
    "zhitomir": "zhytomyr",
    "ivano-frankovsk": "ivano-frankivsk",
    "ternopol": "ternopil",
    "lugansk": "luhansk",
    "krivoy rog": "kryvyi rih",
    "kirovograd": "kropyvnytskyi",
    "kropyvnytskyy": "kropyvnytskyi",
}


def _romanise(text: str) -> str:
    out: list[str] = []
    previous = ""
    for char in text:
        if char in _APOSTROPHES:
            continue  # the apostrophe is not romanised
        if char in _INITIAL:
            out.append((_MEDIAL if previous.isalpha() else _INITIAL)[char])
        elif char == "г" and previous == "з":
            out.append("gh")  # "зг" is "zgh", so it does not read as "zh" (Zghurivka)
        else:
            out.append(_LETTERS.get(char, char))
        previous = char
    return "".join(out)


def canonical_city(name: str) -> str:
    """The key of the place ``name`` names: equal keys, same city; "" for no city."""
    text = unicodedata.normalize("NFC", name).strip().casefold()
    text = text.split(",")[0].strip()  # "Київ, Україна" -> "Київ"
    text = _PREFIX.sub("", text).strip()
    text = _romanise(text)
    text = re.sub(r"\s*-\s*", "-", text)
    text = re.sub(r"[^a-z0-9 -]+", " ", text)
    text = " ".join(text.split())
    return _ALIASES.get(text, text)


def same_city(a: str, b: str) -> bool:
    """Whether two spellings name one place; an empty city matches nothing."""
    key = canonical_city(a)
    return bool(key) and key == canonical_city(b)
