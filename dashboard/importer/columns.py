"""Columns of the import files and the header names accepted for them (English, Russian or Kazakh)."""
from __future__ import annotations

import re

from dashboard.importer.report import ImportRejected, Term
from dashboard.importer.units import split_unit

# canonical name → accepted header names (compared after normalize_header)
INSTITUTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "bin": ("bin", "бин", "бсн"),
    "name_kk": ("name_kk", "наименование_kk", "наименование_каз", "наименование_на_казахском",
                "название_kk", "атауы", "атауы_kk", "мемлекеттік_тілдегі_атауы"),
    "name_ru": ("name_ru", "наименование_ru", "наименование", "наименование_на_русском", "название_ru",
                "название", "атауы_ru", "орыс_тіліндегі_атауы"),
    "name_en": ("name_en", "наименование_en", "наименование_на_английском", "название_en", "атауы_en"),
    "type": ("type", "тип", "тип_учреждения", "вид", "түрі", "мекеме_түрі"),
    "sector": ("sector", "сектор", "отрасль", "сала", "саласы"),
    "region": ("region", "регион", "область", "өңір", "облыс", "аймақ"),
    "district": ("district", "район", "аудан"),
    "address": ("address", "адрес"),
    "address_kk": ("address_kk", "адрес_kk", "адрес_каз", "адрес_на_казахском", "мекенжай", "мекенжайы"),
    "lat": ("lat", "latitude", "широта", "ендік"),
    "lon": ("lon", "lng", "longitude", "долгота", "бойлық"),
    "budget_level": ("budget_level", "уровень_бюджета", "уровень", "бюджет_деңгейі", "деңгейі"),
    "capacity": ("capacity", "мощность", "вместимость", "қуаттылығы", "сыйымдылығы"),
}
INSTITUTION_OPTIONAL = {"name_en", "address_kk", "capacity"}

LINE_COLUMNS: dict[str, tuple[str, ...]] = {
    "bin": ("bin", "бин", "бсн"),
    "year": ("year", "год", "жыл"),
    "month": ("month", "месяц", "ай"),
    "functional_group": ("functional_group", "функциональная_группа", "фг", "функционалдық_топ", "фт"),
    # Financing plans give the administrator's code in a cell of its own (224 | 004 | 100 | 159).
    "administrator": ("administrator", "администратор", "абп", "администратор_бюджетных_программ",
                      "код_абп", "бюджеттік_бағдарламалар_әкімшісі", "ббә", "бббә"),
    "program": ("program", "программа", "бюджетная_программа", "бағдарлама", "бюджеттік_бағдарлама",
                "код_программы"),
    "subprogram": ("subprogram", "подпрограмма", "кіші_бағдарлама", "код_подпрограммы"),
    "specific": ("specific", "специфика", "ерекшелік", "экономикалық_сыныптама_ерекшелігі",
                 "специфика_экономической_классификации"),
    "plan": ("plan", "план", "жоспар", "бекітілген_жоспар", "утвержденный_план"),
    "plan_adjusted": ("plan_adjusted", "уточненный_план", "скорректированный_план", "нақтыланған_жоспар",
                      "түзетілген_жоспар"),
    "obligations": ("obligations", "обязательства", "міндеттемелер"),
    "paid": ("paid", "оплачено", "оплата", "кассовое_исполнение", "төленді", "төлемдер", "төленгені"),
}
LINE_OPTIONAL: set[str] = {"administrator"}
MONEY_FIELDS = ("plan", "plan_adjusted", "obligations", "paid")

SPECS = {"institutions": (INSTITUTION_COLUMNS, INSTITUTION_OPTIONAL),
         "lines": (LINE_COLUMNS, LINE_OPTIONAL)}


def normalize_header(name: str) -> str:
    """'  Уточнённый план ' → 'уточненный_план'; 'BIN' → 'bin'."""
    text = str(name).replace("\ufeff", "").strip().lower().replace("ё", "е")
    return re.sub(r"[\s\-.]+", "_", text).strip("_")


_ALIASES = {kind: {normalize_header(a): canon for canon, names in spec.items() for a in names}
            for kind, (spec, _) in SPECS.items()}


def canonical(header: str, kind: str) -> str | None:
    """The column a header names (its unit, «План, тыс. тенге», aside), or None."""
    return _ALIASES[kind].get(normalize_header(split_unit(header)[0]))


def known_header(header: str, kind: str) -> bool:
    """Whether a cell names a column of the kind (used to find the header row)."""
    return canonical(header, kind) is not None


def column_term(canon: str):
    """A column's name in the report's language (for a column the file does not have)."""
    return Term(f"import.column.{canon}")


def map_columns(headers: list[str], kind: str) -> tuple[dict[str, str], list[str], list[tuple[str, list[str]]], list[str]]:
    """Match file headers to canonical columns.

    Returns (canonical → header as written, unknown headers, duplicates as (canonical, headers),
    missing required canonical names).
    """
    spec, optional = SPECS[kind]
    found: dict[str, list[str]] = {}
    unknown = []
    for header in headers:
        canon = canonical(header, kind)
        if canon is None:
            unknown.append(header)
        else:
            found.setdefault(canon, []).append(header)
    duplicates = [(c, hs) for c, hs in found.items() if len(hs) > 1]
    missing = [c for c in spec if c not in found and c not in optional]
    return {c: hs[0] for c, hs in found.items()}, unknown, duplicates, missing


def match_columns(table, kind: str, report) -> dict[str, str]:
    """Stage 3: canonical → header as written; every header problem is an error naming the
    column as the file does (or, when the file lacks it, in the report's language)."""
    row = table.layout.header_row if table.layout is not None else 1
    headers, unknown, duplicates, missing = map_columns(list(table.frame.columns), kind)
    for header in unknown:
        report.error("unknown_column", row=row, column=header or Term("import.column.empty"))
    for canon, names in duplicates:
        report.error("duplicate_column", row=row, column=", ".join(names), canonical=column_term(canon))
    for canon in missing:
        report.error("missing_column", row=row, column=column_term(canon))
    if report.error_count:
        raise ImportRejected(report)
    return headers
