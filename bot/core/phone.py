"""Phone numbers: accept how people write them, store E.164."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers


@dataclass(frozen=True)
class PhoneResult:
    e164: str | None
    known_range: bool


def normalise_phone(raw: str, region: str = "VN") -> PhoneResult:
    """Parse "0912.345.678", "+84 912 345 678" or "84912345678" into E.164.

    `e164` is None when the text is not a phone number at all; `known_range` is False when it parses
    but is not a number in an allocated range (callers warn rather than refuse).
    """
    text = raw.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not 9 <= len(digits) <= 13:
        return PhoneResult(None, False)
    if text.startswith("84") or (digits.startswith("84") and not text.startswith(("0", "+"))):
        text = "+" + digits
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return PhoneResult(None, False)
    if not phonenumbers.is_possible_number(parsed):
        return PhoneResult(None, False)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return PhoneResult(e164, phonenumbers.is_valid_number(parsed))


def display_phone(e164: str) -> str:
    """A Vietnamese number as people write it: 0912 345 678."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
