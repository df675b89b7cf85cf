"""Numbers, money and dates per locale (Babel). Money arrives as integer tiyn."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel import Locale, dates, numbers

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
        return f"{numbers.format_decimal(round(amount), format='#,##0', locale=locale)}\xa0{TENGE}"
    if compact:
        if lang == "en":
            return f"{numbers.format_compact_decimal(amount, locale=locale, fraction_digits=1)} {TENGE}"
        return numbers.format_compact_currency(amount, "KZT", locale=locale, fraction_digits=1)
    if lang == "en":
        return f"{numbers.format_decimal(amount, format='#,##0.00', locale=locale)} {TENGE}"
    return numbers.format_currency(amount, "KZT", locale=locale)


def format_number(value: float | int, lang: str, compact: bool = False) -> str:
    """12 345 / 12,345, or '12 тыс.' / '12K' when compact."""
    if compact:
        return numbers.format_compact_decimal(value, locale=_locale(lang), fraction_digits=1)
    return numbers.format_decimal(value, locale=_locale(lang))


def format_percent(ratio: float | None, lang: str, digits: int = 1) -> str:
    """0.973 → '97,3 %' / '97.3%'; None → '—'."""
    if ratio is None:
        return "—"
    pattern = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
    return numbers.format_percent(ratio, format=pattern, locale=_locale(lang))


def format_date(value: dt.date | dt.datetime, lang: str, style: str = "medium") -> str:
    """A date in the language's conventions, e.g. '23 нояб. 2026 г.'."""
    return dates.format_date(value, format=style, locale=_locale(lang))


def format_datetime(value: dt.datetime, lang: str, style: str = "short") -> str:
    """A moment in Kazakhstan's time (Asia/Almaty), e.g. '23.11.26, 22:28'."""
    from zoneinfo import ZoneInfo

    return dates.format_datetime(value, format=style, tzinfo=ZoneInfo("Asia/Almaty"), locale=_locale(lang))


def month_name(month: int, lang: str, width: str = "abbreviated") -> str:
    """Stand-alone month name, e.g. 'дек.' / 'жел.' / 'Dec'."""
    return dates.get_month_names(width, context="stand-alone", locale=_locale(lang))[month]
