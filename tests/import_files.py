"""Real import files for tests: valid institutions and budget lines, written as CSV or XLSX."""
from __future__ import annotations

import csv
from pathlib import Path

from dashboard.bin import make_bin

INSTITUTION_HEADER = ["bin", "name_kk", "name_ru", "name_en", "type", "sector", "region", "district",
                      "address", "lat", "lon", "budget_level", "capacity"]
LINE_HEADER = ["bin", "year", "month", "functional_group", "program", "subprogram", "specific",
               "plan", "plan_adjusted", "obligations", "paid"]
RUSSIAN_LINE_HEADER = ["БИН", "Год", "Месяц", "Функциональная группа", "Программа", "Подпрограмма",
                       "Специфика", "План", "Уточнённый план", "Обязательства", "Оплачено"]


def bins(n: int, start: int = 1, year: int = 21) -> list[str]:
    """n valid BINs (registered in `year`: 3 gives BINs with a leading zero)."""
    out, serial = [], start
    while len(out) < n:
        value = make_bin(year, 3, serial)
        serial += 1
        if value:
            out.append(value)
    return out


def institution_rows(n: int = 3, year: int = 21) -> list[list[str]]:
    """Schools in Kokshetau (Akmola region), inside the region's polygon."""
    return [[b, f"Көкшетау қаласының № {i + 1} мектебі", f"КГУ «Школа № {i + 1}» города Кокшетау",
             f"School No. {i + 1}, Kokshetau", "school", "education", "KZ-11", "KZ-11-01",
             f"г. Кокшетау, ул. Абая, {i + 1}", f"{53.28 + i * 0.001:.5f}", f"{69.39 + i * 0.001:.5f}",
             "district", str(400 + i)] for i, b in enumerate(bins(n, year=year))]


def line_rows(bin_list: list[str], years=(2024,), months=range(1, 13), specifics=(111, 121, 151)) -> list[list[str]]:
    """Budget lines of general education (04, 464-003, 015) with amounts in tenge."""
    rows = []
    for b in bin_list:
        for year in years:
            for month in months:
                for spec in specifics:
                    base = 1_000_000 + spec * 1000 + month
                    rows.append([b, str(year), str(month), "04", "464-003", "015", str(spec),
                                 f"{base}.50", f"{base + 100}.25", f"{base}", f"{base - 1}.99"])
    return rows


def write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",",
              encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list], numeric: bool = False) -> Path:
    """An XLSX workbook; with numeric=True, numbers are stored as numbers (as Excel users do)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([_number(v) for v in row] if numeric else row)
    book.save(path)
    return path


def _number(value: str):
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value


def sqlite_with_schools(directory: Path, n: int = 3):
    """A migrated SQLite database holding the schools of institution_rows(n)."""
    from dashboard.db import make_engine, upgrade
    from dashboard.importer.run import import_institutions
    from queries.reference import seed_reference

    url = f"sqlite:///{directory / 'import.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        seed_reference(conn)
    path = write_csv(directory / "schools.csv", INSTITUTION_HEADER, institution_rows(n))
    assert import_institutions(engine, path).status == "loaded"
    return engine
