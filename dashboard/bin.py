"""Kazakhstan business identification numbers (BIN): 12 digits, the last a check digit."""
from __future__ import annotations

_W1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def check_digit(first11: str) -> int | None:
    """The check digit for 11 digits, or None when no valid BIN can end them."""
    digits = [int(c) for c in first11]
    total = sum(d * w for d, w in zip(digits, _W1)) % 11
    if total == 10:
        total = sum(d * w for d, w in zip(digits, _W2)) % 11
    return None if total == 10 else total


def is_valid_bin(value: str) -> bool:
    """True for a 12-digit string whose last digit is the correct check digit."""
    if not isinstance(value, str) or len(value) != 12 or not value.isascii() or not value.isdigit():
        return False
    return check_digit(value[:11]) == int(value[11])


def make_bin(year: int, month: int, serial: int, entity: str = "4", attribute: str = "0") -> str | None:
    """Build a BIN: YYMM of registration, entity kind (4 = resident legal entity),
    attribute (0 = head office), a 5-digit serial and the check digit; None if uncheckable."""
    first11 = f"{year % 100:02d}{month:02d}{entity}{attribute}{serial:05d}"
    digit = check_digit(first11)
    return None if digit is None else first11 + str(digit)
