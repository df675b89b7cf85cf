"""Numbers, money and dates per locale (Babel). Money arrives as integer tiyn."""
from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from babel import Locale, dates, numbers

from dashboard.i18n.compact import memoised
from dashboard.i18n.patterns import pattern

# Babel knows ru_KZ and kk_KZ (with the ₸ sign); there is no en_KZ, so English uses
# en with the tenge sign placed the way English-language Kazakh media write it.
LOCALES = {"kk": "kk_KZ", "ru": "ru_KZ", "en": "en"}
TENGE = "₸"


# Parsed once: Babel parses a locale name on every call, a Locale object it takes as is (issue 11:
# the explorer's panels format ~50 numbers per answer).
_PARSED = {lang: Locale.parse(name) for lang, name in LOCALES.items()}


def _locale(lang: str) -> Locale:
    return _PARSED.get(lang, _PARSED["ru"]) if isinstance(lang, str) else _PARSED["ru"]


def tenge(tiyn: int) -> Decimal:
    """Exact tenge from integer tiyn."""
    return Decimal(int(tiyn)) / 100


def format_money(tiyn: int, lang: str, compact: bool = True, whole: bool = False) -> str:
    """'8,3 трлн ₸' (compact), '1 234 567,89 ₸' (exact) or '1 234 568 ₸' (whole tenge)."""
    amount = tenge(tiyn)
    locale = _locale(lang)
    if whole:
        return f"{pattern('#,##0', locale)(round(amount))}\xa0{TENGE}"
    if compact:
        return _compact_money(amount, locale)
    if lang == "en":
        return f"{pattern('#,##0.00', locale)(amount)} {TENGE}"
    return pattern(locale.currency_formats["standard"].pattern, locale, "KZT")(amount)  # format_currency


# Compact forms are memoised by what they show (dashboard/i18n/compact.py): Babel takes ~0.2 ms
# per call, and a page shows ~100 of them (issue 11).
@memoised(lambda locale: (locale.compact_decimal_formats if locale.language == "en"
                          else locale.compact_currency_formats)["short"], fraction_digits=1, currency="KZT")
def _compact_money(amount: Decimal, locale: Locale) -> str:
    if locale.language == "en":
        return f"{numbers.format_compact_decimal(amount, locale=locale, fraction_digits=1)} {TENGE}"
    return numbers.format_compact_currency(amount, "KZT", locale=locale, fraction_digits=1)


@memoised(lambda locale: locale.compact_decimal_formats["short"], fraction_digits=1)
def _compact_number(value, locale: Locale) -> str:
    return numbers.format_compact_decimal(value, locale=locale, fraction_digits=1)


def format_number(value: float | int, lang: str, compact: bool = False) -> str:
    """12 345 / 12,345, or '12 тыс.' / '12K' when compact."""
    if compact:
        return _compact_number(value, _locale(lang))
    locale = _locale(lang)
    return pattern(locale.decimal_formats[None].pattern, locale)(value)  # numbers.format_decimal


def format_percent(ratio: float | None, lang: str, digits: int = 1) -> str:
    """0.973 → '97,3 %' / '97.3%'; None → '—'."""
    if ratio is None:
        return "—"
    shape = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
    return pattern(shape, _locale(lang))(ratio)  # numbers.format_percent


def format_date(value: dt.date | dt.datetime, lang: str, style: str = "medium") -> str:
    """A date in the language's conventions, e.g. '23 нояб. 2026 г.'."""
    return dates.format_date(value, format=style, locale=_locale(lang))


def format_datetime(value: dt.datetime, lang: str, style: str = "short") -> str:
    """A moment in Kazakhstan's time (Asia/Almaty), e.g. '23.11.26, 22:28'."""
    from zoneinfo import ZoneInfo

    return dates.format_datetime(value, format=style, tzinfo=ZoneInfo("Asia/Almaty"), locale=_locale(lang))


def month_name(month: int, lang: str, width: str = "abbreviated") -> str:
    """Stand-alone month name, e.g. 'дек.' / 'жел.' / 'Dec'."""
    return _month_names(width, _locale(lang))[month]


@functools.lru_cache(maxsize=None)
def _month_names(width: str, locale: Locale):
    # Babel merges the locale's data on every call (~20 µs); a chart names twelve months.
    return dates.get_month_names(width, context="stand-alone", locale=locale)


def format_relative(value: dt.datetime, lang: str, now: dt.datetime | None = None) -> str:
    """How long ago, in words: '5 минут назад' / '5 минут бұрын' / '5 minutes ago' (aware datetimes;
    under a second, or in the future from a clock that runs ahead, reads as a second ago)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    ago = max(now - value, dt.timedelta(seconds=1))  # Babel words a zero as the future
    return dates.format_timedelta(-ago, add_direction=True, locale=_locale(lang))
