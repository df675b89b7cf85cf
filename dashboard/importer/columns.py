"""Columns of the import files and the header names accepted for them (English or Russian)."""
from __future__ import annotations

import re

# canonical name → accepted header names (compared after normalize_header)
INSTITUTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "bin": ("bin", "бин"),
    "name_kk": ("name_kk", "наименование_kk", "наименование_каз", "наименование_на_казахском",
                "название_kk", "атауы"),
    "name_ru": ("name_ru", "наименование_ru", "наименование", "наименование_на_русском", "название_ru",
                "название"),
    "name_en": ("name_en", "наименование_en", "наименование_на_английском", "название_en"),
    "type": ("type", "тип", "тип_учреждения", "вид"),
    "sector": ("sector", "сектор", "отрасль"),
    "region": ("region", "регион", "область"),
    "district": ("district", "район"),
    "address": ("address", "адрес"),
    "address_kk": ("address_kk", "адрес_kk", "адрес_каз", "адрес_на_казахском", "мекенжай"),
    "lat": ("lat", "latitude", "широта"),
    "lon": ("lon", "lng", "longitude", "долгота"),
    "budget_level": ("budget_level", "уровень_бюджета", "уровень"),
    "capacity": ("capacity", "мощность", "вместимость"),
}
INSTITUTION_OPTIONAL = {"name_en", "address_kk", "capacity"}

LINE_COLUMNS: dict[str, tuple[str, ...]] = {
    "bin": ("bin", "бин"),
    "year": ("year", "год"),
    "month": ("month", "месяц"),
    "functional_group": ("functional_group", "функциональная_группа", "фг"),
    "program": ("program", "программа", "бюджетная_программа"),
    "subprogram": ("subprogram", "подпрограмма"),
    "specific": ("specific", "специфика"),
    "plan": ("plan", "план"),
    "plan_adjusted": ("plan_adjusted", "уточненный_план", "скорректированный_план"),
    "obligations": ("obligations", "обязательства"),
    "paid": ("paid", "оплачено", "оплата", "кассовое_исполнение"),
}
LINE_OPTIONAL: set[str] = set()
MONEY_FIELDS = ("plan", "plan_adjusted", "obligations", "paid")

SPECS = {"institutions": (INSTITUTION_COLUMNS, INSTITUTION_OPTIONAL),
         "lines": (LINE_COLUMNS, LINE_OPTIONAL)}


def normalize_header(name: str) -> str:
    """'  Уточнённый план ' → 'уточненный_план'; 'BIN' → 'bin'."""
    text = str(name).replace("\ufeff", "").strip().lower().replace("ё", "е")
    return re.sub(r"[\s\-.]+", "_", text).strip("_")


def map_columns(headers: list[str], kind: str) -> tuple[dict[str, str], list[str], list[tuple[str, list[str]]], list[str]]:
    """Match file headers to canonical columns.

    Returns (canonical → header as written, unknown headers, duplicates as (canonical, headers),
    missing required canonical names).
    """
    spec, optional = SPECS[kind]
    alias = {normalize_header(a): canon for canon, names in spec.items() for a in names}
    found: dict[str, list[str]] = {}
    unknown = []
    for header in headers:
        canon = alias.get(normalize_header(header))
        if canon is None:
            unknown.append(header)
        else:
            found.setdefault(canon, []).append(header)
    duplicates = [(c, hs) for c, hs in found.items() if len(hs) > 1]
    missing = [c for c in spec if c not in found and c not in optional]
    return {c: hs[0] for c, hs in found.items()}, unknown, duplicates, missing
