"""Which months and year a panel shows, in words: '2025, желтоқсан', '2025, январь–март', '2025, full year'."""
from __future__ import annotations

from babel import dates

from dashboard.i18n import t
from dashboard.i18n.formatting import _locale


def month_word(month: int, lang: str) -> str:
    """The month's nominative name (Babel's stand-alone form), lower case inside a caption
    ('желтоқсан', 'декабрь', 'December')."""
    name = dates.get_month_names("wide", context="stand-alone", locale=_locale(lang))[month]
    return name if lang == "en" else name.lower()


def period_caption(year: int, months: tuple[int, int] | list[int], lang: str) -> str:
    """The year and month range a panel covers; the whole year says so."""
    first, last = months
    if (first, last) == (1, 12):
        return t("honest.period.full_year", lang, year=year)
    if first == last:
        return t("honest.period.month", lang, year=year, month=month_word(first, lang))
    return t("honest.period.months", lang, year=year, first=month_word(first, lang), last=month_word(last, lang))
