"""Babel's number patterns applied without Babel's per-call lookups (issue 11).

`babel.numbers.NumberPattern.apply` looks the locale's group and decimal symbols and the currency
symbol up in its locale data on every call: ~100 µs a number on the load-test machine, and the
institution page's year view formats a few hundred (money in the tables, the charts' hover texts,
percentages). `Pattern` resolves them once per locale and pattern and then does what `apply` does
for plain patterns (groups of three or none, a fixed or bounded fraction, a prefix and suffix): the
same text, checked against Babel in tests/test_number_patterns.py. Anything else (scientific,
significant digits, other groupings, an unpaired quote or a plural currency name in an affix,
NaN and infinities) is Babel's.
"""
from __future__ import annotations

import decimal
import functools
import re

from babel import Locale, numbers

_QUOTED = re.compile(r"'([^']*)'")


class Pattern:
    """One number pattern in one locale, applied like `NumberPattern.apply(value, locale, currency,
    currency_digits, decimal_quantization)`."""

    def __init__(self, pattern: str, locale: Locale, currency: str | None = None, currency_digits: bool = True,
                 quantize: bool = True):
        self.babel = numbers.parse_pattern(pattern)
        self.locale, self.currency, self.currency_digits, self.quantize = locale, currency, currency_digits, quantize
        p = self.babel
        self.frac = (numbers.get_currency_precision(currency),) * 2 if currency and currency_digits else p.frac_prec
        self.scale = p.scale
        self.group = numbers.get_group_symbol(locale)
        self.decimal = numbers.get_decimal_symbol(locale)
        self.prefix = tuple(self._affix(a) for a in p.prefix)
        self.suffix = tuple(self._affix(a) for a in p.suffix)
        # Groups of three, or none (a compact pattern such as "0 млн ¤" says (1000, 1000)); a minimum
        # of up to three integer digits, so zero-padding never meets a group separator.
        self.grouped = p.grouping == (3, 3)
        self.min_int = p.int_prec[0]
        self.fast = (not p.exp_prec and "@" not in p.pattern and p.number_pattern != ""
                     and (self.grouped or p.grouping[0] >= 1000) and self.min_int <= 3
                     and None not in self.prefix + self.suffix)

    def _affix(self, text: str) -> str | None:
        """The affix as Babel's apply leaves it (None: only Babel knows, e.g. a plural currency name)."""
        if text.count("'") % 2 or "¤¤¤" in text:
            return None  # a quote pairs across the number, or the currency's name depends on it
        if "¤" in text and self.currency is not None:
            text = text.replace("¤¤", self.currency.upper())
            text = text.replace("¤", numbers.get_currency_symbol(self.currency, self.locale))
        # Babel unquotes the whole text; quotes paired within an affix unquote the same alone.
        return _QUOTED.sub(lambda m: m.group(1) or "'", text)

    def __call__(self, value) -> str:
        original = value
        if not isinstance(value, decimal.Decimal):
            value = decimal.Decimal(str(value))
        if not self.fast or not value.is_finite():
            return self.babel.apply(original, self.locale, currency=self.currency, currency_digits=self.currency_digits,
                                    decimal_quantization=self.quantize)
        value = value.scaleb(self.scale)
        negative = int(value.is_signed())
        value = abs(value).normalize()
        low, high = self.frac
        if not self.quantize:
            exponent = value.as_tuple().exponent  # normalized already: Babel's get_decimal_precision
            high = max(high, -exponent if exponent < 0 else 0)
        whole, _, fraction = f"{value.quantize(decimal.Decimal(10) ** -high):f}".partition(".")
        if len(whole) < self.min_int:
            whole = "0" * (self.min_int - len(whole)) + whole
        elif self.grouped and len(whole) > 3:
            whole = f"{int(whole):,}".replace(",", self.group)
        fraction = fraction or "0"
        if len(fraction) < low:
            fraction += "0" * (low - len(fraction))
        if high == 0 or (low == 0 and int(fraction) == 0):
            fraction = ""
        else:
            fraction = self.decimal + (fraction[:low] + fraction[low:].rstrip("0"))
        return self.prefix[negative] + whole + fraction + self.suffix[negative]


@functools.lru_cache(maxsize=256)
def pattern(text: str, locale: Locale, currency: str | None = None, currency_digits: bool = True,
            quantize: bool = True) -> Pattern:
    """The Pattern for these arguments, made once per process."""
    return Pattern(text, locale, currency, currency_digits, quantize)
