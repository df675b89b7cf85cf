"""Compact numbers ('8,3 трлн ₸', '12K') memoised by what they show (issue 11).

Babel spends ~0.2 ms on each compact number; a page shows ~100. What Babel prints depends only
on the locale, the magnitude the number falls in (which picks the pattern: 'тыс.', 'млн'...)
and the number divided by that magnitude's unit and rounded to the shown digits
(babel.numbers._get_compact_format, CLDR's algorithm). So the key is exactly that, computed
with the same Decimal operations; the text is made once by Babel itself. A magnitude whose
pattern varies with the plural form (none in kk, ru and en) is never memoised, nor are NaN and
infinities.
"""
from __future__ import annotations

import decimal
import functools
from typing import Callable

from babel import Locale
from babel.numbers import parse_pattern

from dashboard.i18n.patterns import pattern

MAX_ENTRIES = 50_000  # then the memo starts again: a bound on memory, not a cache policy


def magnitudes(formats) -> list[tuple[int, int | None]]:
    """(magnitude, divisor) from the largest, as Babel walks them; divisor None when the number
    is shown undivided and unrounded (pattern "0"), 0 when the pattern depends on the plural form."""
    table = []
    for magnitude in sorted((int(m) for m in formats["other"]), reverse=True):
        key = str(magnitude)
        if len({str(formats[form].get(key, formats["other"][key])) for form in formats}) > 1:
            table.append((magnitude, 0))
            continue
        zeros = parse_pattern(formats["other"][key]).pattern
        table.append((magnitude, None if zeros == "0" else magnitude // 10 ** (zeros.count("0") - 1)))
    return table


def shown(number: decimal.Decimal, table: list[tuple[int, int | None]], fraction_digits: int):
    """What the compact text of a finite `number` depends on besides the locale; None when unknown."""
    size = abs(number)
    for magnitude, divisor in table:
        if size >= magnitude:
            if divisor == 0:
                return None
            # str: Decimal('5') and Decimal('5.0') are equal keys but may print differently
            return magnitude, str(number if divisor is None else round(number / divisor, fraction_digits))
    return 0, str(number)


def memoised(formats: Callable[[Locale], object], fraction_digits: int, currency: str | None = None) -> Callable:
    """Decorate f(number, locale) -> str, a Babel compact formatter using the locale's compact
    `formats` (e.g. `locale.compact_decimal_formats["short"]`) with `fraction_digits` (and
    `currency` for format_compact_currency), so each shown text is made once per process. A
    new text from a magnitude's pattern is made by dashboard.i18n.patterns (Babel's own
    `_get_compact_format` then `apply(..., currency_digits=False, decimal_quantization=False)`,
    without its lookups: most amounts on a page are shown once); the rest by f itself."""
    def decorate(format_compact: Callable) -> Callable:
        memo: dict = {}
        # locale → (its name, magnitudes, pattern per magnitude); keyed by the Locale (str() of one
        # costs more than the hash)
        tables: dict[Locale, tuple[str, list, dict]] = {}

        @functools.wraps(format_compact)
        def wrapper(number, locale: Locale) -> str:
            value = number if isinstance(number, decimal.Decimal) else decimal.Decimal(str(number))
            found = tables.get(locale)
            if found is None:
                shapes = formats(locale)
                found = tables[locale] = (str(locale), magnitudes(shapes),
                                          {m: str(getattr(p, "pattern", p)) for m, p in shapes["other"].items()})
            name, table, other = found
            key = shown(value, table, fraction_digits) if value.is_finite() else None
            if key is None:
                return format_compact(number, locale)
            magnitude, rounded = key
            key = (name, *key)
            text = memo.get(key)
            if text is None:
                if len(memo) >= MAX_ENTRIES:
                    memo.clear()
                shape = other[str(magnitude)] if magnitude else None
                if shape is not None and (currency is None or "¤" in shape):
                    text = pattern(shape, locale, currency, currency_digits=False, quantize=False)(decimal.Decimal(rounded))
                else:
                    text = format_compact(number, locale)
                memo[key] = text
            return text

        wrapper.memo = memo
        return wrapper
    return decorate
