"""budget_lines may only point at institutions, specifics and subprograms that exist, and the
rollups per institution only at institutions that exist.

SQLite enforces this with declared foreign keys, PostgreSQL with set-based triggers
(migrations 0008 and 0020). Both must refuse the same writes, whoever writes (plain SQL here, not the
importer), and on PostgreSQL a concurrent delete must wait for an uncommitted insert.
"""
import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from dashboard.bin import make_bin
from dashboard.schema import (
    budget_lines, institutions, rollup_institution_month, rollup_institution_specific_year,
    rollup_institution_year, specifics, subprograms,
)

LINE = dict(year=2026, month=1, program_code="464-003", subprogram_code="015", specific_code=111,
            plan=100, plan_adjusted=100, obligations=0, paid=0)


def _school(conn, serial: int = 1) -> int:
    while not make_bin(22, 7, serial):  # some serials have no valid check digit
        serial += 1
    return conn.execute(insert(institutions).values(
        bin=make_bin(22, 7, serial), name_kk="Мектеп", name_ru="Школа",
        type_code="school", sector_code="education", region_code="KZ-11", district_code="KZ-11-01",
        address="Кокшетау", lat=53.28, lon=69.39, budget_level="district")
        .returning(institutions.c.id)).scalar_one()


@pytest.fixture
def school(migrated_engine):
    with migrated_engine.begin() as conn:
        inst = _school(conn)
        conn.execute(insert(budget_lines), [{**LINE, "institution_id": inst}])
    return migrated_engine, inst


def _refused(engine, statement, rows=None) -> str:
    with pytest.raises(IntegrityError) as caught:
        with engine.begin() as conn:
            conn.execute(statement, rows) if rows is not None else conn.execute(statement)
    return str(caught.value.orig)


def _line_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(text("count(*)")).select_from(budget_lines)).scalar_one()


@pytest.mark.parametrize("bad", [
    {"institution_id": 999_999},
    {"specific_code": 998},
    {"program_code": "464-003", "subprogram_code": "999"},
])
def test_a_line_pointing_at_nothing_is_refused_and_nothing_is_written(school, bad):
    engine, inst = school
    good = {**LINE, "institution_id": inst, "month": 2}
    message = _refused(engine, insert(budget_lines), [good, {**LINE, "institution_id": inst, "month": 3, **bad}])
    assert "foreign key" in message.lower()
    assert _line_count(engine) == 1  # the valid row of the same statement is gone too


def test_moving_a_line_to_an_unknown_institution_is_refused(school):
    engine, inst = school
    _refused(engine, update(budget_lines).values(institution_id=inst + 1000))
    with engine.connect() as conn:
        assert conn.execute(select(budget_lines.c.institution_id)).scalar_one() == inst


def test_referenced_rows_cannot_be_deleted_or_rekeyed(school):
    engine, inst = school
    _refused(engine, institutions.delete().where(institutions.c.id == inst))
    _refused(engine, update(institutions).where(institutions.c.id == inst).values(id=inst + 1000))
    _refused(engine, specifics.delete().where(specifics.c.code == 111))
    _refused(engine, subprograms.delete().where(subprograms.c.program_code == "464-003",
                                                subprograms.c.code == "015"))
    with engine.connect() as conn:
        assert conn.execute(select(institutions.c.id)).scalar_one() == inst


def test_unreferenced_rows_can_still_change(school):
    engine, inst = school
    with engine.begin() as conn:
        other = _school(conn, serial=50)
        conn.execute(update(institutions).where(institutions.c.id == inst).values(name_ru="Школа № 1"))
        conn.execute(update(specifics).where(specifics.c.code == 111).values(name_en="Salaries"))
        conn.execute(institutions.delete().where(institutions.c.id == other))
        conn.execute(budget_lines.delete())
        conn.execute(institutions.delete().where(institutions.c.id == inst))
    with engine.connect() as conn:
        assert conn.execute(select(text("count(*)")).select_from(institutions)).scalar_one() == 0


def test_truncating_a_referenced_table_is_refused(school):
    engine, _ = school
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    with pytest.raises(DBAPIError) as caught:
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE subprograms CASCADE"))
    assert "budget_lines" in str(caught.value.orig)
    assert _line_count(engine) == 1


@pytest.mark.parametrize("written", ["line", "rollup"])
def test_a_delete_waits_for_an_uncommitted_insert_and_then_fails(school, written):
    """The insert of a line or of a rollup row locks its institution FOR KEY SHARE, as a foreign
    key does."""
    engine, _ = school
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite writers are serialised)")
    with engine.begin() as conn:
        fresh = _school(conn, serial=80)
    writer, deleter = engine.connect(), engine.connect()
    try:
        tx = writer.begin()
        if written == "line":
            writer.execute(insert(budget_lines), [{**LINE, "institution_id": fresh}])
        else:
            writer.execute(insert(rollup_institution_year), [_rollup_rows(fresh)[rollup_institution_year]])
        with pytest.raises(OperationalError, match="lock timeout"):
            with deleter.begin():
                deleter.execute(text("SET LOCAL lock_timeout = '300ms'"))
                deleter.execute(institutions.delete().where(institutions.c.id == fresh))
        tx.commit()
        with pytest.raises(IntegrityError):
            with deleter.begin():
                deleter.execute(institutions.delete().where(institutions.c.id == fresh))
    finally:
        writer.close()
        deleter.close()
    assert _line_count(engine) == (2 if written == "line" else 1)


def test_outside_read_committed_keys_of_referenced_tables_cannot_be_removed(school):
    """The triggers' parent-side check needs a fresh snapshot (a foreign key has a crosscheck
    snapshot for that): under REPEATABLE READ a delete could miss a concurrent line, so removing
    a key is refused there; other changes still pass."""
    engine, inst = school
    if engine.dialect.name != "postgresql":
        pytest.skip("isolation levels: PostgreSQL only")
    with engine.begin() as conn:
        other = _school(conn, serial=60)
    rr = engine.execution_options(isolation_level="REPEATABLE READ")
    with pytest.raises(OperationalError, match="READ COMMITTED"):
        with rr.begin() as conn:
            conn.execute(institutions.delete().where(institutions.c.id == other))
    with rr.begin() as conn:
        conn.execute(update(institutions).where(institutions.c.id == inst).values(name_ru="Школа № 2"))
    with engine.begin() as conn:
        conn.execute(institutions.delete().where(institutions.c.id == other))


def _rollup_rows(inst: int) -> dict:
    money = dict(plan=1, plan_adjusted=1, obligations=0, paid=0)
    return {rollup_institution_year: {"institution_id": inst, "year": 2026, **money},
            rollup_institution_month: {"institution_id": inst, "year": 2026, "month": 1, **money},
            rollup_institution_specific_year: {"institution_id": inst, "year": 2026, "specific_code": 111,
                                               "type_code": "school", "region_code": "KZ-11", **money}}


@pytest.mark.parametrize("table", [rollup_institution_year, rollup_institution_month, rollup_institution_specific_year],
                         ids=lambda t: t.name)
def test_a_rollup_row_must_point_at_an_institution(school, table):
    engine, inst = school
    row = _rollup_rows(inst)[table]
    message = _refused(engine, insert(table), [row, {**row, "institution_id": inst + 1000}])
    assert "foreign key" in message.lower()
    with engine.begin() as conn:
        conn.execute(insert(table), [row])
        # Rekeying a row to a missing institution is refused too (UPDATE, statement-level on PostgreSQL).
    _refused(engine, update(table).values(institution_id=inst + 1000))
    with engine.begin() as conn:
        conn.execute(budget_lines.delete())
    # Its institution has no lines left, but the rollup row still holds it.
    _refused(engine, institutions.delete().where(institutions.c.id == inst))
    with engine.begin() as conn:
        conn.execute(table.delete())
        conn.execute(institutions.delete().where(institutions.c.id == inst))

