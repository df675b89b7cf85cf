"""Message catalogs and locale formatting."""
import datetime as dt
import re

import pytest

from dashboard.i18n import LANGUAGES, catalog, resolve_language, t
from dashboard.i18n.formatting import format_date, format_money, format_number, format_percent

NBSP = "\xa0"


def test_every_key_exists_in_every_language():
    keys = {lang: set(catalog(lang)) for lang in LANGUAGES}
    for lang in LANGUAGES:
        missing = keys["ru"] - keys[lang] | keys[lang] - keys["ru"]
        assert not missing, f"{lang} catalog differs from ru in: {sorted(missing)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_messages_are_non_empty_with_the_same_placeholders(lang):
    for key, text in catalog(lang).items():
        assert text.strip(), f"{lang}:{key} is empty"
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", catalog("ru")[key])), key


def test_kazakh_catalog_is_written_in_kazakh_letters():
    kazakh_letters = set("әғқңөұүһі")
    texts = " ".join(catalog("kk").values()).lower()
    assert kazakh_letters & set(texts)


def test_translation_fills_placeholders():
    assert t("kpi.planned_hint", "en", year=2025) == "adjusted plan, 2025"
    assert t("kpi.planned_hint", "ru", year=2025) == "уточнённый план, 2025"


@pytest.mark.parametrize("url, cookie, header, expected", [
    ("kk", "en", "ru", "kk"),
    (None, "en", "kk", "en"),
    (None, None, "en-US,en;q=0.9,ru;q=0.8", "en"),
    (None, None, "de-DE,kk;q=0.5,ru;q=0.7", "ru"),
    (None, None, "kz", "kk"),
    ("xx", "yy", "de", "ru"),
    (None, None, None, "ru"),
])
def test_language_comes_from_url_then_cookie_then_header(url, cookie, header, expected):
    assert resolve_language(url, cookie, header) == expected


@pytest.mark.parametrize("lang, expected", [
    ("ru", f"8,3{NBSP}трлн{NBSP}₸"), ("kk", f"8,3{NBSP}трлн{NBSP}₸"), ("en", "8.3T ₸")])
def test_compact_money(lang, expected):
    assert format_money(830_000_000_000_000, lang) == expected


def test_exact_and_whole_money():
    assert format_money(123456789, "ru", compact=False) == f"1{NBSP}234{NBSP}567,89{NBSP}₸"
    assert format_money(123456789, "en", compact=False) == "1,234,567.89 ₸"
    assert format_money(123456789, "en", whole=True) == f"1,234,568{NBSP}₸"


def test_numbers_percent_dates():
    assert format_number(12345, "ru") == f"12{NBSP}345"
    assert format_number(12345, "en") == "12,345"
    assert format_percent(0.9734, "ru") == "97,3%"
    assert format_percent(None, "en") == "—"
    assert format_date(dt.date(2026, 11, 23), "en") == "Nov 23, 2026"
    assert "нояб" in format_date(dt.date(2026, 11, 23), "ru")


def test_moments_are_shown_in_kazakhstan_time_per_language():
    from dashboard.i18n.formatting import format_datetime

    moment = dt.datetime(2026, 11, 23, 17, 28, tzinfo=dt.timezone.utc)
    assert format_datetime(moment, "ru") == "23.11.2026, 22:28"
    assert "22:28" in format_datetime(moment, "kk") and "10:28" in format_datetime(moment, "en")
