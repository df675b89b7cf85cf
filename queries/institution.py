"""One institution: its identity, yearly totals, monthly series, breakdowns, lines, peers."""
from __future__ import annotations

import functools

from sqlalchemy import Connection, and_, bindparam, func, select

from dashboard.schema import (
    MONEY_COLUMNS, budget_lines as bl, districts, documents, institution_types, institutions as inst,
    programs, regions, rollup_institution_month as rim, rollup_institution_specific_year as risy,
    rollup_institution_year as riy, sectors, specifics, subprograms,
)

LINE_KEYS = ("year", "month", "program_code", "subprogram_code", "specific_code")


def _ints(row) -> dict:
    # SUM(bigint) is Decimal on PostgreSQL: money stays exact as Python int.
    return {k: int(v) if k in MONEY_COLUMNS and v is not None else v for k, v in dict(row).items()}


# The statements of the institution page are built once, with bound parameters: building one
# (columns, joins, coercions) cost ~1 ms of CPU per call on the load-test machine, more than
# running it (issue 11). functools.cache holds each shape.
prebuilt = functools.cache


def _names(table, prefix: str) -> list:
    return [table.c[f"name_{lang}"].label(f"{prefix}_name_{lang}") for lang in ("kk", "ru", "en")]


def institution_exists(conn: Connection, bin_: str) -> bool:
    """Whether an institution has this BIN (one index lookup)."""
    return conn.execute(select(inst.c.id).where(inst.c.bin == bin_)).first() is not None


@prebuilt
def _institution_by_bin():
    return (select(inst, *_names(institution_types, "type"), institution_types.c.unit_kind,
                   *_names(sectors, "sector"), sectors.c.color.label("sector_color"),
                   *_names(regions, "region"), *_names(districts, "district"))
            .select_from(inst.join(institution_types, institution_types.c.code == inst.c.type_code)
                         .join(sectors, sectors.c.code == inst.c.sector_code)
                         .join(regions, regions.c.code == inst.c.region_code)
                         .join(districts, districts.c.code == inst.c.district_code))
            .where(inst.c.bin == bindparam("bin")))


def get_institution(conn: Connection, bin_: str) -> dict | None:
    """Identity of the institution with this BIN, with type/sector/region/district names."""
    row = conn.execute(_institution_by_bin(), {"bin": bin_}).mappings().first()
    return dict(row) if row else None


def yearly_totals(conn: Connection, institution_id: int) -> list[dict]:
    """Plan, adjusted plan, obligations and paid (tiyn) per year, newest first."""
    return [_ints(r) for r in conn.execute(_yearly_totals(), {"institution_id": institution_id}).mappings()]


@prebuilt
def _yearly_totals():
    return select(riy).where(riy.c.institution_id == bindparam("institution_id")).order_by(riy.c.year.desc())


def monthly(conn: Connection, institution_id: int, year: int) -> list[dict]:
    """Sums per month (1..12, months without lines left out)."""
    q = (select(rim.c.month, *[rim.c[c] for c in MONEY_COLUMNS])
         .where(rim.c.institution_id == institution_id, rim.c.year == year).order_by(rim.c.month))
    return [_ints(r) for r in conn.execute(q).mappings()]


def monthly_by_bin(conn: Connection, bin_: str, year: int) -> list[dict]:
    """monthly() of the institution with this BIN, in one statement ([] for an unknown BIN)."""
    return [_ints(r) for r in conn.execute(_monthly_by_bin(), {"bin": bin_, "year": year}).mappings()]


@prebuilt
def _monthly_by_bin():
    return (select(rim.c.month, *[rim.c[c] for c in MONEY_COLUMNS])
            .select_from(rim.join(inst, inst.c.id == rim.c.institution_id))
            .where(inst.c.bin == bindparam("bin"), rim.c.year == bindparam("year")).order_by(rim.c.month))


def by_specific(conn: Connection, institution_id: int, year: int) -> list[dict]:
    """Sums per economic specific with its names, largest adjusted plan first."""
    return [_ints(r) for r in conn.execute(_by_specific(), {"institution_id": institution_id, "year": year}).mappings()]


@prebuilt
def _by_specific():
    return (select(specifics.c.code, specifics.c.category, specifics.c.name_kk, specifics.c.name_ru,
                   specifics.c.name_en, *[risy.c[c] for c in MONEY_COLUMNS])
            .select_from(risy.join(specifics, specifics.c.code == risy.c.specific_code))
            .where(risy.c.institution_id == bindparam("institution_id"), risy.c.year == bindparam("year"))
            .order_by(risy.c.plan_adjusted.desc(), specifics.c.code))


def by_program(conn: Connection, institution_id: int, year: int) -> list[dict]:
    """Sums per budget program and subprogram with names, largest adjusted plan first."""
    return [_ints(r) for r in conn.execute(_by_program(), {"institution_id": institution_id, "year": year}).mappings()]


@prebuilt
def _by_program():
    keys = [programs.c.code.label("program_code"), *_names(programs, "program"),
            subprograms.c.code.label("subprogram_code"), *_names(subprograms, "subprogram")]
    return (select(*keys, *[func.sum(bl.c[c]).label(c) for c in MONEY_COLUMNS])
            .select_from(bl.join(subprograms, and_(subprograms.c.program_code == bl.c.program_code,
                                                   subprograms.c.code == bl.c.subprogram_code))
                         .join(programs, programs.c.code == bl.c.program_code))
            .where(bl.c.institution_id == bindparam("institution_id"), bl.c.year == bindparam("year"))
            .group_by(*keys).order_by(func.sum(bl.c.plan_adjusted).desc(), programs.c.code, subprograms.c.code))


def lines_query(institution_id: int | None = None, year: int | None = None, month: int | None = None,
                specific: int | None = None):
    """SELECT of expenditure lines with classification names, in primary-key order."""
    filters = _line_filters(institution_id, year, month, specific)
    return _lines_shape(tuple(filters)).params(filters)


def _line_filters(institution_id, year, month, specific) -> dict:
    return {k: v for k, v in (("institution_id", institution_id), ("year", year), ("month", month),
                              ("specific_code", specific)) if v is not None}


@prebuilt
def _lines_shape(filtered: tuple[str, ...]):
    """The lines' SELECT with a bound parameter per filtered column (named like the column)."""
    q = (select(inst.c.bin, *[bl.c[k] for k in LINE_KEYS],
                *_names(programs, "program"), *_names(specifics, "specific"),
                *[bl.c[c] for c in MONEY_COLUMNS])
         .select_from(bl.join(inst, inst.c.id == bl.c.institution_id)
                      .join(programs, programs.c.code == bl.c.program_code)
                      .join(specifics, specifics.c.code == bl.c.specific_code)))
    for name in filtered:
        q = q.where(bl.c[name] == bindparam(name))
    return q.order_by(bl.c.institution_id, *[bl.c[k] for k in LINE_KEYS])


def lines(conn: Connection, institution_id: int, year: int | None = None, month: int | None = None,
          specific: int | None = None, limit: int | None = None, offset: int = 0) -> tuple[int, list[dict]]:
    """(total count, one page of lines) of an institution, filtered by year/month/specific."""
    if limit is None and not offset:  # every line: the count is their number, no second statement
        filters = _line_filters(institution_id, year, month, specific)
        rows = [dict(r) for r in conn.execute(_lines_shape(tuple(filters)), filters).mappings()]
        return len(rows), rows
    q = lines_query(institution_id, year, month, specific)
    total = conn.execute(select(func.count()).select_from(q.order_by(None).subquery())).scalar_one()
    if limit is not None:
        q = q.limit(limit).offset(offset)
    return total, [dict(r) for r in conn.execute(q).mappings()]


def specific_by_year(conn: Connection, institution_id: int, years: list[int]) -> list[dict]:
    """Adjusted plan and paid per (specific, year) for the given years (year-over-year), with the
    specific's names."""
    return [_ints(r) for r in conn.execute(_specific_by_year(), {"institution_id": institution_id,
                                                                  "years": list(years)}).mappings()]


@prebuilt
def _specific_by_year():
    return (select(risy.c.specific_code, risy.c.year, risy.c.plan_adjusted, risy.c.paid, specifics.c.name_kk,
                   specifics.c.name_ru, specifics.c.name_en)
            .select_from(risy.join(specifics, specifics.c.code == risy.c.specific_code))
            .where(risy.c.institution_id == bindparam("institution_id"),
                   risy.c.year.in_(bindparam("years", expanding=True))))


def peer_amounts(conn: Connection, type_code: str, region_code: str, year: int,
                 with_capacity: bool = True) -> list[dict]:
    """Adjusted plan per specific of every institution of a type in a region, with capacity
    (None for all without `with_capacity`: per-unit figures only show for an institution with one).

    Two index range scans (ix_rollup_isy_peers, ix_institutions_type_region), no join: the same
    plan on every connection and for every group size."""
    q = (select(risy.c.institution_id, risy.c.specific_code, risy.c.plan_adjusted)
         .where(risy.c.year == year, risy.c.type_code == type_code, risy.c.region_code == region_code))
    capacity = {}
    if with_capacity:
        capacity = dict(conn.execute(select(inst.c.id, inst.c.capacity).where(
            inst.c.type_code == type_code, inst.c.region_code == region_code, inst.c.capacity.is_not(None))).all())
    return [{"institution_id": i, "specific_code": s, "capacity": capacity.get(i), "plan_adjusted": int(p)}
            for i, s, p in conn.execute(q).all()]  # all(): one fetch, not one per row


def list_documents(conn: Connection, institution_id: int, year: int | None = None) -> list[dict]:
    """Documents attached to the institution's budget (one year or all), newest first."""
    params = {"institution_id": institution_id, **({} if year is None else {"year": year})}
    return [dict(r) for r in conn.execute(_documents(year is not None), params).mappings()]


@prebuilt
def _documents(of_year: bool):
    q = select(documents).where(documents.c.institution_id == bindparam("institution_id"))
    if of_year:
        q = q.where(documents.c.year == bindparam("year"))
    return q.order_by(documents.c.year.desc(), documents.c.id.desc())
