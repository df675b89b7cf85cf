"""dashboard.i18n.patterns and the formatters built on it print exactly what Babel prints."""
from __future__ import annotations

import decimal
import random

import pytest
from babel import numbers

from dashboard.i18n import formatting
from dashboard.i18n.formatting import _locale
from dashboard.i18n.patterns import pattern

EDGES = [0, 1, -1, 5, -5, 99_999, 100_000, 99_950_000, 99_949_999, 95_000_000, 104_999_999_999, 10**17,
         5 * 10**8, -5 * 10**8, 2**63 - 1, -(2**63)]


def _values(seed: int, n: int = 3000) -> list[int]:
    rng = random.Random(seed)
    return EDGES + [rng.choice([rng.randint(-10**6, 10**6), rng.randint(-10**12, 10**12), rng.randint(-10**18, 10**18),
                                rng.randint(0, 999_999)]) for _ in range(n)]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_money_numbers_and_percentages_as_babel_prints_them(lang):
    loc = _locale(lang)
    for v in _values(hash(lang) % 1000):
        amount = decimal.Decimal(v) / 100
        if lang == "en":
            compact = f"{numbers.format_compact_decimal(amount, locale=loc, fraction_digits=1)} ₸"
            exact = f"{numbers.format_decimal(amount, format='#,##0.00', locale=loc)} ₸"
        else:
            compact = numbers.format_compact_currency(amount, "KZT", locale=loc, fraction_digits=1)
            exact = numbers.format_currency(amount, "KZT", locale=loc)
        assert formatting.format_money(v, lang) == compact, v
        assert formatting.format_money(v, lang, compact=False) == exact, v
        assert formatting.format_money(v, lang, whole=True) == \
            f"{numbers.format_decimal(round(amount), format='#,##0', locale=loc)}\xa0₸", v
        assert formatting.format_number(v, lang) == numbers.format_decimal(v, locale=loc), v
        assert formatting.format_number(v % 10**7, lang, compact=True) == \
            numbers.format_compact_decimal(v % 10**7, locale=loc, fraction_digits=1), v
        for digits in (0, 1, 2):
            shape = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
            assert formatting.format_percent(v / 10**9, lang, digits) == \
                numbers.format_percent(v / 10**9, format=shape, locale=loc), v


@pytest.mark.parametrize("value", ["0.005", "-0.005", "0.015", "0.025", "999.995", "-1000.004", "1E+3", "-0",
                                   "12345678901234567.89", "0.1", 0.1, 1e-9, -2.5, 123456.789, 7])
def test_rounding_signs_and_exponents_as_babel(value):
    for lang in ("kk", "ru", "en"):
        loc = _locale(lang)
        number = decimal.Decimal(value) if isinstance(value, str) else value
        for shape, kwargs in (("#,##0.00", {}), ("#,##0", {}), ("#,##0.###", {}), ("#,##0.0%", {}),
                              (loc.currency_formats["standard"].pattern, {"currency": "KZT"})):
            fast = pattern(shape, loc, kwargs.get("currency"))
            assert fast.fast
            assert fast(number) == numbers.parse_pattern(shape).apply(number, loc, **kwargs), (shape, value)
        for compact in ("0 млн ¤", "00 млрд ¤", "000K", "0\xa0тыс'.'\xa0¤", "'#'0 ''x''"):  # no groups; zero-padded to the pattern's digits
            unquantized = pattern(compact, loc, "KZT", currency_digits=False, quantize=False)
            assert unquantized.fast
            assert unquantized(number) == numbers.parse_pattern(compact).apply(
                number, loc, currency="KZT", currency_digits=False, decimal_quantization=False)


def test_what_it_does_not_know_is_left_to_babel():
    loc = _locale("ru")
    for shape in ("0.0E0", "@@@", "#,##,##0.00", "'#0", "0000"):
        fast = pattern(shape, loc)
        assert not fast.fast and fast(decimal.Decimal("12345.678")) == numbers.format_decimal(
            decimal.Decimal("12345.678"), format=shape, locale=loc)
    assert pattern("#,##0.00", loc)(decimal.Decimal("NaN")) == numbers.format_decimal(decimal.Decimal("NaN"),
                                                                                    format="#,##0.00", locale=loc)
