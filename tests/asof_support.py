"""A database with a history: a demo, import A (three new schools) and import B changing some of
their lines, for the citable-view tests that need a server (browser); and the per-area sums as
stored and as added up by hand."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from dashboard.demo.load import load_demo
from dashboard.importer.run import import_lines
from dashboard.schema import MONEY_COLUMNS, line_history_area, line_history_sums
from tests.import_files import INSTITUTION_HEADER, LINE_HEADER, institution_rows, line_rows, write_csv

YEAR = 2024


def make_history(engine: Engine, tmp: Path) -> dict:
    """{'a', 'b': publication ids, 'schools': their BINs}; B raises the adjusted plan of two
    schools' February and March lines to 9,999,999 tenge."""
    load_demo(engine, institutions=30, years=[YEAR], seed=5, progress=False)
    schools = institution_rows(3)
    bins = [r[0] for r in schools]
    a = import_lines(engine, write_csv(tmp / "a.csv", LINE_HEADER, line_rows(bins, years=(YEAR,))),
                     institutions_path=write_csv(tmp / "a_inst.csv", INSTITUTION_HEADER, schools))
    changed = line_rows(bins[:2], years=(YEAR,), months=(2, 3), specifics=(111, 121))
    for row in changed:
        row[8] = "9999999.00"
    b = import_lines(engine, write_csv(tmp / "b.csv", LINE_HEADER, changed))
    assert (a.status, b.status, b.updated) == ("loaded", "loaded", len(changed))
    return {"a": a.publication_id, "b": b.publication_id, "schools": bins}


def areas(engine) -> dict:
    """line_history_area as {(publication, year, month, region, district, sector): [money then − now]}."""
    with engine.connect() as conn:
        return {tuple(r[:6]): list(r[6:]) for r in conn.execute(select(
            line_history_area.c.valid_until, line_history_area.c.year, line_history_area.c.month,
            line_history_area.c.region_code, line_history_area.c.district_code, line_history_area.c.sector_code,
            *[line_history_area.c[f"delta_{c}"] for c in MONEY_COLUMNS]))}


def areas_from_sums(engine) -> dict:
    """The per-institution sums added up by publication, year, month and place, by hand."""
    expected: dict[tuple, list] = {}
    with engine.connect() as conn:
        for r in conn.execute(select(line_history_sums)).mappings():
            key = tuple(r[k] for k in ("valid_until", "year", "month", "region_code", "district_code", "sector_code"))
            acc = expected.setdefault(key, [0] * len(MONEY_COLUMNS))
            for n, c in enumerate(MONEY_COLUMNS):
                acc[n] += r[f"delta_{c}"]
    return expected
