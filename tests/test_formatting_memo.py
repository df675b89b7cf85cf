"""Memoised formatting prints exactly what Babel prints: compact numbers and money
(dashboard/i18n/compact.py) and month names."""
from __future__ import annotations

import random
from decimal import Decimal

from babel import dates, numbers

from dashboard.i18n import formatting
from dashboard.i18n.formatting import TENGE, format_money, format_number, month_name


def babel_money(tiyn: int, lang: str) -> str:
    """format_money(compact=True) as it was before the memo: Babel on every call."""
    locale = formatting._locale(lang)
    amount = Decimal(tiyn) / 100
    if lang == "en":
        return f"{numbers.format_compact_decimal(amount, locale=locale, fraction_digits=1)} {TENGE}"
    return numbers.format_compact_currency(amount, "KZT", locale=locale, fraction_digits=1)


def babel_number(value, lang: str) -> str:
    return numbers.format_compact_decimal(value, locale=formatting._locale(lang), fraction_digits=1)


def tiyn_values() -> list[int]:
    rng = random.Random(11)
    values = [0, 1, -1, 5, 99, 100, 12345, -12345]
    for digits in range(1, 19):  # up to 10^16 tenge: past the largest pattern (10^14)
        for _ in range(300):
            values.append(rng.randrange(10 ** (digits - 1), 10 ** digits) * rng.choice((1, 1, -1)))
    for power in range(3, 17):  # around every magnitude and rounding boundary, in tenge
        for tenge in (10 ** power, 10 ** power - 1, 10 ** power + 1):
            values += [tenge * 100, tenge * 100 - 1, tenge * 100 + 1, -tenge * 100]
        unit = 10 ** (power - power % 3)  # the unit the pattern divides by
        for shown in ("1.25", "1.35", "9.95", "99.95", "999.95", "999.94", "12.05", "0.95"):
            exact = int(Decimal(shown) * unit * 100)
            values += [exact, exact - 1, exact + 1]
    return values


def test_compact_money_is_babels_text_in_every_language():
    values = tiyn_values()
    for lang in ("kk", "ru", "en"):
        for tiyn in values + values:  # the second pass is served from the memo
            assert format_money(tiyn, lang) == babel_money(tiyn, lang), (lang, tiyn)
    # The memo works: far fewer texts made than values shown.
    assert 0 < len(formatting._compact_money.memo) < 3 * len(set(values))


def test_compact_number_is_babels_text_for_ints_floats_and_decimals():
    rng = random.Random(5)
    values = [0, 1, 999, 1000, 999_950, 999_949, 1_250_000, -1_350_000, 12.5, 999.95, 1234.5, 1e15,
              Decimal("1234.50"), Decimal("1234.5"), Decimal("-0"), float("nan"), float("inf")]
    values += [rng.randrange(10 ** 12) for _ in range(2000)] + [rng.uniform(-1e9, 1e9) for _ in range(2000)]
    for lang in ("kk", "ru", "en"):
        for value in values + values:
            assert format_number(value, lang, compact=True) == babel_number(value, lang), (lang, value)


def test_equal_values_with_other_digits_are_not_confused():
    # Decimal('5') and Decimal('5.0') are equal as keys; Babel may print them differently.
    for lang in ("kk", "ru", "en"):
        for value in (Decimal("5"), Decimal("5.0"), Decimal("5.00"), 5, 5.0, Decimal("1000.0"), Decimal("1000")):
            assert format_number(value, lang, compact=True) == babel_number(value, lang), (lang, value)


def test_month_names_are_babels():
    for lang in ("kk", "ru", "en", "xx"):
        for width in ("abbreviated", "wide", "narrow"):
            names = dates.get_month_names(width, context="stand-alone", locale=formatting._locale(lang))
            for _ in range(2):  # the second time from the memo
                assert [month_name(m, lang, width) for m in range(1, 13)] == [names[m] for m in range(1, 13)]
