"""Edges of views as of a publication found in review: a pinned id that is a gap in the ids (a
dry run or an import that changed nothing reserved it), a line written and deleted since, and an
institution that moved after its lines changed."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, func, select, update

from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo
from dashboard.importer.run import Options, import_lines
from dashboard.schema import budget_lines, districts, institutions, line_history_sums, publications, specifics
from queries import asof, institution as iq
from queries.bulk import log_publication
from queries.documents import insert_document
from queries.explorer import Selection
from queries.reference import seed_reference
from queries.rollups import refresh_rollups
from tests.asof_support import areas, areas_from_sums
from tests.import_files import INSTITUTION_HEADER, LINE_HEADER, institution_rows, line_rows, write_csv


def _demo(url: str):
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        seed_reference(conn)
    load_demo(engine, institutions=40, years=[2024], seed=5, progress=False)
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    engine = _demo(f"sqlite:///{tmp_path / 'edges.sqlite3'}" if request.param == "sqlite"
                   else request.getfixturevalue("postgres_server").create())
    yield engine
    engine.dispose()


def test_documents_as_of_a_gap_id_are_those_of_the_publication_before_it(request, tmp_path):
    """PostgreSQL hands out ids from a sequence, so a dry run leaves a gap (SQLite reuses the id)."""
    engine = _demo(request.getfixturevalue("postgres_server").create())
    schools = institution_rows(1)
    dry = import_lines(engine, write_csv(tmp_path / "l.csv", LINE_HEADER, line_rows([schools[0][0]], years=(2024,))),
                       Options(dry_run=True),
                       institutions_path=write_csv(tmp_path / "i.csv", INSTITUTION_HEADER, schools))
    assert dry.status == "checked"
    with engine.begin() as conn:
        insert_document(conn, 1, 2024, "Uploaded later", "budget", "https://example.org/x.pdf")
    with engine.connect() as conn:
        ids = conn.execute(select(publications.c.id).order_by(publications.c.id)).scalars().all()
        gap = next(i for i in range(ids[0], ids[-1]) if i not in ids)
        assert [d["title"] for d in asof.documents(conn, 1, None, gap)] == []
        assert [d["title"] for d in asof.documents(conn, 1, None, ids[0])] == []
        assert [d["title"] for d in asof.documents(conn, 1, None, ids[-1])] == ["Uploaded later"]
        # The banner and the permalink say which publication the numbers are as of: the one before.
        pin, shown, since = asof.pinned_view(conn, gap)
        before = max(i for i in ids if i < gap)
        assert (pin, shown["id"], [p["id"] for p in since]) == (before, before, [i for i in reversed(ids) if i > gap])
        assert asof.pinned_view(conn, ids[-1] + 5)[:2] == (ids[-1] + 5, None)  # past the newest: current numbers
    engine.dispose()
    from layouts.asof import banner

    text = json.dumps(banner(gap, shown, since, "/", "ru"), ensure_ascii=False)
    assert f"Публикации № {gap} нет" in text and f"предыдущей публикации, № {before}" in text
    assert "показаны текущие цифры" not in text


def test_peers_as_of_before_a_line_was_written_and_deleted_are_the_peers_then(engine):
    with engine.connect() as conn:
        type_, region = conn.execute(select(institutions.c.type_code, institutions.c.region_code)
                                     .group_by(institutions.c.type_code, institutions.c.region_code)
                                     .having(func.count() > 1)).first()
        pinned = asof.latest_publication_id(conn)
        peer = conn.execute(select(institutions.c.id).where(
            institutions.c.type_code == type_, institutions.c.region_code == region)).scalars().all()[1]
        before = iq.peer_amounts(conn, type_, region, 2024)
    with engine.begin() as conn:
        row = dict(conn.execute(select(budget_lines).where(budget_lines.c.institution_id == peer,
                                                           budget_lines.c.year == 2024)).mappings().first())
        has = set(conn.execute(select(budget_lines.c.specific_code).where(
            budget_lines.c.institution_id == peer, budget_lines.c.year == 2024)).scalars())
        row["specific_code"] = next(s for s in conn.execute(select(specifics.c.code)).scalars() if s not in has)
        conn.execute(budget_lines.insert().values(**row))
        log_publication(conn, "import", "lines", "a line of a new specific", 1, 1)
    with engine.begin() as conn:
        conn.execute(delete(budget_lines).where(budget_lines.c.institution_id == peer,
                                                budget_lines.c.specific_code == row["specific_code"]))
        log_publication(conn, "import", "lines", "deleted again", 1, 1)
    with engine.connect() as conn:
        then = asof.peer_amounts(conn, type_, region, 2024, pinned)

    def key(r):
        return r["institution_id"], r["specific_code"]
    assert sorted(then, key=key) == sorted(before, key=key)


def test_an_institution_that_moved_takes_its_history_sums_with_it(engine):
    """Views as of a publication place institutions where they are now: when one moves to another
    region (or changes sector) after its lines changed, its per-publication sums move with it."""
    with engine.connect() as conn:
        pinned = asof.latest_publication_id(conn)
        iid, region = conn.execute(select(institutions.c.id, institutions.c.region_code)
                                   .order_by(institutions.c.id)).first()
        to_region, to_district = conn.execute(select(districts.c.region_code, districts.c.code)
                                              .where(districts.c.region_code != region)
                                              .order_by(districts.c.code)).first()
    with engine.begin() as conn:
        conn.execute(update(budget_lines).where(budget_lines.c.institution_id == iid, budget_lines.c.year == 2024,
                                                budget_lines.c.month == 3)
                     .values(plan_adjusted=budget_lines.c.plan_adjusted + 100_000))
        log_publication(conn, "import", "lines", "March rewritten", 1, 1)
    with engine.begin() as conn:
        conn.execute(update(institutions).where(institutions.c.id == iid)
                     .values(region_code=to_region, district_code=to_district, sector_code="health"))
    with engine.connect() as conn:
        placed = {tuple(r) for r in conn.execute(
            select(line_history_sums.c.region_code, line_history_sums.c.district_code, line_history_sums.c.sector_code)
            .where(line_history_sums.c.institution_id == iid))}
        march = Selection(2024, (3, 3), region=to_region)
        by_district = asof.area_money(conn, pinned, march, "district_code")
        by_sector = asof.area_money(conn, pinned, march, "sector_code")
    assert placed == {(to_region, to_district, "health")}
    assert areas(engine) == areas_from_sums(engine)  # the areas' sums moved along, none left empty
    assert list(by_district) == [to_district] and list(by_sector) == ["health"]
    assert by_district[to_district]["delta_plan_adjusted"] == -100_000 * _lines(engine, iid, 3)  # then − now
    assert by_sector["health"] == by_district[to_district]


def _lines(engine, iid: int, month: int) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(budget_lines).where(
            budget_lines.c.institution_id == iid, budget_lines.c.year == 2024,
            budget_lines.c.month == month)).scalar_one()


def test_the_popup_of_an_institution_whose_lines_all_went_since_shows_its_numbers_then(engine):
    """Pinned before an institution's lines of the year were all deleted, the map still has its
    point (it had a budget then), so its popup shows the amounts then, not nothing or zero."""
    from queries.asof import ExplorerNumbers

    with engine.connect() as conn:
        pinned = asof.latest_publication_id(conn)
        iid = conn.execute(select(institutions.c.id).order_by(institutions.c.id.desc())).scalars().first()
        before = ExplorerNumbers(None).institution_card(conn, iid, 2024, (1, 12))
    assert before["plan_adjusted"] > 0
    with engine.begin() as conn:
        conn.execute(delete(budget_lines).where(budget_lines.c.institution_id == iid, budget_lines.c.year == 2024))
        refresh_rollups(conn, [iid], [2024])
        log_publication(conn, "import", "lines", "all of 2024 withdrawn", 0, 1)
    with engine.connect() as conn:
        assert ExplorerNumbers(None).institution_card(conn, iid, 2024, (1, 12))["plan_adjusted"] == 0
        then = ExplorerNumbers(pinned).institution_card(conn, iid, 2024, (1, 12))
        assert iid in ExplorerNumbers(pinned).institutions_with_budget(conn, 2024)
    assert then is not None
    assert {k: then[k] for k in ("plan_adjusted", "paid")} == {k: before[k] for k in ("plan_adjusted", "paid")}


def test_by_district_without_a_region_is_empty_as_now(engine):
    """explorer.by_district lists the districts of the selection's region: none without one."""
    with engine.connect() as conn:
        pinned = asof.latest_publication_id(conn)
    with engine.begin() as conn:
        conn.execute(update(budget_lines).where(budget_lines.c.year == 2024, budget_lines.c.month == 5)
                     .values(paid=budget_lines.c.paid + 100))
        log_publication(conn, "import", "lines", "May paid", 1, 1)
    with engine.connect() as conn:
        assert asof.by_district(conn, Selection(2024), pinned) == []
