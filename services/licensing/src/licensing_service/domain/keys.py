"""License key formats (R-NFR-10): the suite's own NFR keys, and the vendor's keys.

The suite's NFR key (the format ``licensing.v1.LicenseKey`` documents) is 128 random bits in Crockford base32 (26 characters) followed by a 4-character
check part (20 bits of a keyed BLAKE2s digest of the body). A mistyped key fails the
check without any database look-up, so it is told apart from a well-formed key that is
simply not registered. The canonical form is six dash-separated groups of five.

Keys the vendor's license system issues for client projects have that system's format,
which the program policy states as a pattern (``license_keys.vendor_key_pattern``); the
registry records them too (R-NFR-10, R-PRJ-04), canonical in upper case without spaces.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from ppcore.errors import InvalidArgument

RandomBytes = Callable[[int], bytes]
"""A randomness source: returns that many random bytes (``secrets.token_bytes`` in production)."""

RANDOM_BITS = 128
_RANDOM_BYTES = RANDOM_BITS // 8
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BODY_CHARS = 26  # ceil(128 / 5)
_CHECK_CHARS = 4
_GROUP = 5
_KEY_CHARS = _BODY_CHARS + _CHECK_CHARS
# Characters people confuse when copying a key by hand read as the digit they resemble.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_CHECK_PERSON = b"pplickey"
# Copied for each key: cheaper than a new keyed digest (a verification's largest cost).
_CHECK_DIGEST = hashlib.blake2s(digest_size=4, person=_CHECK_PERSON)
_CHAR = "[0-9A-HJKMNP-TV-Z]"  # one character of _ALPHABET
_KEY_TEXT = re.compile(f"{_CHAR}{{{_KEY_CHARS}}}")
# The canonical form, as keys are printed and usually sent: read without normalising.
_CANONICAL = re.compile(f"{_CHAR}{{{_GROUP}}}(?:-{_CHAR}{{{_GROUP}}}){{{_KEY_CHARS // _GROUP - 1}}}")
_BODY_FIRST = frozenset(_ALPHABET[:8])  # 26 base32 characters hold 130 bits; 128 are used
# The key column's width: a vendor key longer than this is not a key.
MAX_KEY_CHARS = 40


def _encode(value: int, width: int) -> str:
    return "".join([_ALPHABET[(value >> shift) & 31] for shift in range(5 * (width - 1), -1, -5)])


def _check_part(body: str) -> str:
    digest = _CHECK_DIGEST.copy()
    digest.update(body.encode("ascii"))
    return _encode(int.from_bytes(digest.digest(), "big") >> (32 - 5 * _CHECK_CHARS), _CHECK_CHARS)


def _group(chars: str) -> str:
    return "-".join(chars[i : i + _GROUP] for i in range(0, len(chars), _GROUP))


def _normalise(text: str) -> str:
    return "".join(text.split()).replace("-", "").upper().translate(_LOOKALIKES)


@dataclass(frozen=True, order=True)
class LicenseKey:
    """A well-formed key in canonical form. Build with :meth:`generate` or :meth:`parse`."""

    value: str

    @classmethod
    def generate(cls, random_bytes: RandomBytes) -> LicenseKey:
        """A new key from ``random_bytes`` (R-NFR-10: at least 128 random bits)."""
        raw = random_bytes(_RANDOM_BYTES)
        if len(raw) != _RANDOM_BYTES:
            raise ValueError(f"randomness source returned {len(raw)} bytes, expected {_RANDOM_BYTES}")
        body = _encode(int.from_bytes(raw, "big"), _BODY_CHARS)
        return cls(_group(body + _check_part(body)))

    @classmethod
    def parse(cls, text: str, *, field: str = "key", vendor_format: re.Pattern[str] | None = None) -> LicenseKey:
        """The canonical key of ``text``; a key of neither format is KEY_MALFORMED (R-NFR-10)."""
        key = cls.try_parse(text, vendor_format)
        if key is None:
            formats = "a suite NFR key (length, characters or check part)"
            if vendor_format is not None:
                formats += f" nor a vendor license key matching {vendor_format.pattern}"
            raise InvalidArgument.for_field(
                field,
                f"is not a well-formed license key: neither {formats} (R-NFR-10)",
                reason="KEY_MALFORMED",
                rule="R-NFR-10",
            )
        return key

    @classmethod
    def try_parse(cls, text: str, vendor_format: re.Pattern[str] | None = None) -> LicenseKey | None:
        """The canonical key of ``text``, or None when it is malformed or fails its check part.

        With ``vendor_format``, a text that is not a suite key but matches the vendor's
        license-system pattern is a key too (R-NFR-10), kept upper case without spaces.
        """
        suite = cls._try_parse_suite(text)
        if suite is not None or vendor_format is None:
            return suite
        vendor = "".join(text.split()).upper()
        if len(vendor) <= MAX_KEY_CHARS and vendor_format.fullmatch(vendor):
            return cls(vendor)
        return None

    @classmethod
    def _try_parse_suite(cls, text: str) -> LicenseKey | None:
        if _CANONICAL.fullmatch(text):
            canonical, chars = text, text.replace("-", "")
        else:
            chars = _normalise(text)
            if not _KEY_TEXT.fullmatch(chars):
                return None
            canonical = ""
        body, check = chars[:_BODY_CHARS], chars[_BODY_CHARS:]
        # A generated body never sets the top two of its 130 bits.
        if body[0] not in _BODY_FIRST or _check_part(body) != check:
            return None
        return cls(canonical or _group(chars))

    def __str__(self) -> str:
        return self.value
