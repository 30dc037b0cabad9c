from __future__ import annotations

import secrets

import pytest

from licensing_service.domain import LicenseKey
from ppcore.errors import InvalidArgument


def _fixed(byte: int):
    return lambda n: bytes([byte]) * n


def test_key_is_made_of_128_random_bits_from_the_source():
    """R-NFR-10: a key draws 16 bytes (128 bits) from the randomness source passed in."""
    asked: list[int] = []

    def source(n: int) -> bytes:
        asked.append(n)
        return secrets.token_bytes(n)

    LicenseKey.generate(source)
    assert asked == [16]


def test_different_random_bits_give_different_keys():
    """R-NFR-10: keys are unique because their bodies are the random bits."""
    assert LicenseKey.generate(_fixed(1)) != LicenseKey.generate(_fixed(2))
    keys = {LicenseKey.generate(secrets.token_bytes) for _ in range(1000)}
    assert len(keys) == 1000


def test_generated_key_parses_back_to_itself_in_any_case_and_spacing():
    """R-NFR-10: the canonical form survives lower case, missing dashes and look-alike letters."""
    key = LicenseKey.generate(secrets.token_bytes)
    assert LicenseKey.parse(key.value) == key
    assert LicenseKey.parse(key.value.lower().replace("-", " ")) == key
    assert LicenseKey.parse(key.value.replace("0", "O").replace("1", "l")) == key


def test_every_single_character_typo_fails_the_check_part():
    """R-NFR-10: a mistyped key is told apart from an unknown one without a look-up."""
    key = LicenseKey.generate(_fixed(0xA5)).value.replace("-", "")
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    for position, original in enumerate(key):
        for replacement in alphabet:
            if replacement != original:
                typo = key[:position] + replacement + key[position + 1 :]
                assert LicenseKey.try_parse(typo) is None, typo


def test_swapping_two_neighbouring_characters_fails_the_check_part():
    """R-NFR-10: transposed characters are caught like any other typo."""
    key = LicenseKey.generate(_fixed(0x3C)).value.replace("-", "")
    for i in range(len(key) - 1):
        if key[i] != key[i + 1]:
            swapped = key[:i] + key[i + 1] + key[i] + key[i + 2 :]
            assert LicenseKey.try_parse(swapped) is None


@pytest.mark.parametrize("text", ["", "ABC", "0" * 31, "U" * 30, "!" * 30])
def test_malformed_text_is_refused_with_key_malformed(text: str):
    """R-NFR-10: wrong length or characters is invalid input naming the field and the rule."""
    with pytest.raises(InvalidArgument) as refused:
        LicenseKey.parse(text, field="key")
    assert refused.value.reason == "KEY_MALFORMED"
    assert refused.value.rule == "R-NFR-10"
    assert refused.value.violations[0].field == "key"


def test_randomness_source_returning_too_few_bytes_is_an_error():
    """R-NFR-10: a key never carries fewer than 128 random bits."""
    with pytest.raises(ValueError, match="expected 16"):
        LicenseKey.generate(lambda n: b"\x00" * (n - 1))
